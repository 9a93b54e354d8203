#include "ha/policy/admission_policy.h"

#include <algorithm>
#include <utility>

namespace ha::policy {

namespace {

namespace engine = ::ike::engine;
namespace wire = ::ike::wire;
using InitResult = PolicyAnswer<engine::InitAnswer>;

// How a refused IKE_SA_INIT is answered. RFC 7296 2.21.1 leaves IKE_SA_INIT errors
// unauthenticated and gives corrective actions only to COOKIE, INVALID_KE_PAYLOAD and
// INVALID_MAJOR_VERSION; TEMPORARY_FAILURE is defined for CREATE_CHILD_SA collisions (2.25)
// and NO_ADDITIONAL_SAS for CREATE_CHILD_SA, so neither fits here. NO_PROPOSAL_CHOSEN (14),
// sent with SPIr = 0 and no SA created, is the notify the RFC allows for "I will not make this
// IKE SA"; the initiator keeps trying for a while (2.21.1), which is what we want while full.
// Under a half-open flood answering at all is work for the attacker's benefit: drop instead
// (strongSwan does the same) and let the IKE layer's COOKIE rule (R7296-21) run first.
constexpr std::optional<wire::NotifyType> kNoProposalChosen = wire::NotifyType::NoProposalChosen;
constexpr std::optional<wire::NotifyType> kSilence = std::nullopt;

// An FQDN cannot appear in REDIRECTED_FROM (R5685-38); without an address the policy just
// cannot exclude that gateway (support is implied all the same).
std::optional<base::Ip6Addr> redirected_from_address(const engine::InitRequest& request) {
  return request.redirected_from ? request.redirected_from->address() : std::nullopt;
}

}  // namespace

// --- PoolLoadTable ------------------------------------------------------------------------

void PoolLoadTable::report(const base::Ip6Addr& ha_address, std::uint32_t free_slots,
                           base::TimePoint now) {
  reports_[ha_address] = Report{free_slots, now};
}

std::optional<std::uint32_t> PoolLoadTable::free_slots(const base::Ip6Addr& ha_address,
                                                       base::TimePoint now) const {
  auto it = reports_.find(ha_address);
  if (it == reports_.end() || now - it->second.at > config_.max_age) {
    return std::nullopt;
  }
  return it->second.free_slots;
}

bool PoolLoadTable::has_capacity(const mip6::binding::HomeAgentEntry& ha,
                                 base::TimePoint now) const {
  bool any_fresh = false;
  for (const auto& a : ha.addresses) {
    if (auto free = free_slots(a.address, now)) {
      any_fresh = true;
      if (*free > 0) {
        return true;
      }
    }
  }
  return !any_fresh && config_.unknown_has_capacity;
}

void PoolLoadTable::note_sent(const base::Ip6Addr& ha_address) {
  auto it = reports_.find(ha_address);
  if (it != reports_.end() && it->second.free_slots > 0) {
    --it->second.free_slots;
  }
}

// --- AdmissionPolicy ------------------------------------------------------------------------

base::Result<AdmissionPolicy, AdmissionConfigError> AdmissionPolicy::create(
    AdmissionPolicyConfig config, ReservationLedger& ledger,
    mip6::binding::HomeAgentsList& home_agents, mip6::binding::RandomSource rng,
    BindingLookup lookup) {
  if (config.unicast_addresses.empty()) {
    return base::fail(AdmissionConfigError::NoUnicastAddress);
  }
  if (config.anycast_address &&
      std::find(config.unicast_addresses.begin(), config.unicast_addresses.end(),
                *config.anycast_address) != config.unicast_addresses.end()) {
    return base::fail(AdmissionConfigError::AnycastIsUnicast);
  }
  // Written as a negated range so NaN is rejected too.
  if (!(config.redirect_load_threshold > 0.0 && config.redirect_load_threshold <= 1.0)) {
    return base::fail(AdmissionConfigError::BadThreshold);
  }
  if (config.drain_interval <= base::Duration::zero()) {
    return base::fail(AdmissionConfigError::BadDrainInterval);
  }
  if (config.drain_jitter < base::Duration::zero()) {
    return base::fail(AdmissionConfigError::BadDrainJitter);
  }
  return AdmissionPolicy(std::move(config), ledger, home_agents, std::move(rng), std::move(lookup));
}

AdmissionPolicy::AdmissionPolicy(AdmissionPolicyConfig config, ReservationLedger& ledger,
                                 mip6::binding::HomeAgentsList& home_agents,
                                 mip6::binding::RandomSource rng, BindingLookup lookup)
    : config_(std::move(config)),
      ledger_(&ledger),
      cache_(&ledger.cache()),
      home_agents_(&home_agents),
      rng_(std::move(rng)),
      lookup_(std::move(lookup)),
      pool_load_(config_.pool_load) {}

bool AdmissionPolicy::is_own(const base::Ip6Addr& a) const {
  if (config_.anycast_address && *config_.anycast_address == a) {
    return true;
  }
  return std::find(config_.unicast_addresses.begin(), config_.unicast_addresses.end(), a) !=
         config_.unicast_addresses.end();
}

std::string AdmissionPolicy::name_of(const base::Ip6Addr& a) const {
  const auto it = config_.gateway_names.find(a);
  return it == config_.gateway_names.end() ? std::string() : it->second;
}

bool AdmissionPolicy::has_binding(const base::Ip6Addr& a) const {
  if (lookup_) {
    return lookup_(a);
  }
  return cache_->has_binding_for_address(a);
}

double AdmissionPolicy::load(std::uint32_t half_open_ike_sas) const {
  // Every IKE SA this policy admitted holds a reservation until its binding exists, so
  // half-open SAs and reservations overlap; max() counts each half-open SA once whether or
  // not it holds a reservation (for example SAs the IKE layer made without asking us).
  const auto s = cache_->snapshot();
  if (s.capacity == 0) {
    return 1.0;
  }
  const auto used = static_cast<double>(s.bindings) +
                    static_cast<double>(std::max(s.reservations, half_open_ike_sas));
  return used / static_cast<double>(s.capacity);
}

std::optional<base::Ip6Addr> AdmissionPolicy::choose_target(
    const std::optional<base::Ip6Addr>& redirected_from, base::TimePoint now) {
  // Never ourselves (our entry may not be marked self, so our addresses are excluded too),
  // never the gateway that sent the MN here.
  std::vector<base::Ip6Addr> exclude = config_.unicast_addresses;
  if (config_.anycast_address) {
    exclude.push_back(*config_.anycast_address);
  }
  if (redirected_from) {
    exclude.push_back(*redirected_from);
  }
  mip6::binding::ChooseTargetOptions options;
  options.exclude = exclude;
  options.exclude_self = true;
  options.has_capacity = [this, now](const mip6::binding::HomeAgentEntry& e) {
    return pool_load_.has_capacity(e, now);
  };
  auto target = home_agents_->choose_target(options, now);
  if (target) {
    pool_load_.note_sent(*target);
  }
  return target;
}

bool AdmissionPolicy::record(engine::DecisionPoint point, DecisionOutcome outcome,
                             AdmissionReason reason, const base::Ip6Addr& peer,
                             std::optional<base::Ip6Addr> target, base::TimePoint now) {
  reasons_.inc(reason);
  if (events_.size() >= config_.max_queued_events) {
    counters_.inc(AdmissionCounter::EventsDropped);
    return false;
  }
  events_.push_back(AdmissionEvent{point, outcome, reason, peer, target, now, {}});
  return true;
}

wire::GwIdentity AdmissionPolicy::redirect_event(engine::DecisionPoint point,
                                                 DecisionOutcome outcome, AdmissionReason reason,
                                                 const base::Ip6Addr& peer,
                                                 const std::optional<base::Ip6Addr>& target,
                                                 std::string name, base::TimePoint now) {
  const bool queued = record(point, outcome, reason, peer, target, now);
  if (name.empty()) {
    return wire::GwIdentity::from_address(target.value_or(base::Ip6Addr{}));
  }
  wire::GwIdentity gateway = wire::GwIdentity::fqdn(name);
  if (queued) {
    events_.back().target_fqdn = std::move(name);
  }
  return gateway;
}

std::vector<AdmissionEvent> AdmissionPolicy::take_events() {
  std::vector<AdmissionEvent> out;
  out.swap(events_);
  return out;
}

InitResult AdmissionPolicy::serve(const engine::InitRequest& request, AdmissionReason reason,
                                  std::uint64_t tag, base::TimePoint now) {
  counters_.inc(AdmissionCounter::InitServed);
  record(engine::DecisionPoint::IkeSaInit, DecisionOutcome::Served, reason, request.initiator,
         std::nullopt, now);
  return InitResult{engine::Serve{tag}, reason};
}

std::optional<InitResult> AdmissionPolicy::serve_reserved(const engine::InitRequest& request,
                                                          AdmissionReason reason,
                                                          base::TimePoint now) {
  auto tag = ledger_->reserve(now);
  if (!tag) {
    counters_.inc(AdmissionCounter::ReservationRefused);
    return std::nullopt;
  }
  counters_.inc(AdmissionCounter::Reserved);
  return serve(request, reason, *tag, now);
}

InitResult AdmissionPolicy::redirect(const engine::InitRequest& request,
                                     const base::Ip6Addr& target, AdmissionReason reason,
                                     base::TimePoint now) {
  counters_.inc(AdmissionCounter::InitRedirected);
  auto gateway = redirect_event(engine::DecisionPoint::IkeSaInit, DecisionOutcome::Redirected,
                                reason, request.initiator, target, name_of(target), now);
  return InitResult{engine::Redirect{std::move(gateway)}, reason, target};
}

InitResult AdmissionPolicy::refuse(const engine::InitRequest& request, AdmissionReason reason,
                                   std::optional<wire::NotifyType> notify, base::TimePoint now) {
  counters_.inc(AdmissionCounter::InitRefused);
  record(engine::DecisionPoint::IkeSaInit, DecisionOutcome::Refused, reason, request.initiator,
         std::nullopt, now);
  return InitResult{engine::Refuse{notify}, reason};
}

// The initiator supports redirect (the caller checked): send it to a pool HA; with none,
// serve it ourselves when `may_serve` and a reservation is available, else refuse.
InitResult AdmissionPolicy::redirect_or(const engine::InitRequest& request,
                                        AdmissionReason redirect_reason,
                                        AdmissionReason refuse_reason,
                                        std::optional<wire::NotifyType> refusal, bool may_serve,
                                        base::TimePoint now) {
  if (auto target = choose_target(redirected_from_address(request), now)) {
    return redirect(request, *target, redirect_reason, now);
  }
  if (may_serve) {
    if (auto served = serve_reserved(request, AdmissionReason::NoTargetFallback, now)) {
      return std::move(*served);
    }
  }
  return refuse(request, refuse_reason, refusal, now);
}

InitResult AdmissionPolicy::decide_at_ike_sa_init(const engine::InitRequest& request,
                                                  base::TimePoint now) {
  // REDIRECTED_FROM implies support (RFC 5685 3, R5685-09: it need not repeat the notify).
  const bool supported = request.redirect_supported || request.redirected_from.has_value();
  const bool bound = has_binding(request.initiator);
  const bool on_anycast = config_.anycast_address && request.local == *config_.anycast_address;

  if (on_anycast) {
    // R5685-12: an anycast request MUST be redirected to a unicast address. Without support
    // we may not (R5685-03), and serving on the anycast address would break as soon as
    // routing sends the next packet to another HA: refuse.
    if (!supported) {
      return refuse(request, AdmissionReason::AnycastNoRedirectSupport, kNoProposalChosen, now);
    }
    const bool overloaded = config_.admin_state == HaAdminState::Draining ||
                            load(request.half_open) >= config_.redirect_load_threshold;
    // A bound peer, or room here: our own unicast address (R5685-13). No reservation yet:
    // the MN comes back on unicast and is decided (and reserved) then.
    if (bound || !overloaded) {
      return redirect(request, config_.unicast_addresses.front(), AdmissionReason::AnycastToSelf,
                      now);
    }
    if (auto target = choose_target(redirected_from_address(request), now)) {
      return redirect(request, *target, AdmissionReason::AnycastToPool, now);
    }
    if (config_.admin_state == HaAdminState::Draining) {
      return refuse(request, AdmissionReason::DrainingNoTarget, kNoProposalChosen, now);
    }
    // Over the threshold but not full, and no pool HA: we are still the best place.
    if (!cache_->snapshot().full()) {
      return redirect(request, config_.unicast_addresses.front(), AdmissionReason::AnycastToSelf,
                      now);
    }
    return refuse(request, AdmissionReason::FullNoTarget, kNoProposalChosen, now);
  }

  // An initiator already bound here is never redirected; it needs no slot (commit() gives a
  // reservation back for an existing binding anyway).
  if (bound) {
    return serve(request, AdmissionReason::ExistingBinding, 0, now);
  }

  if (config_.admin_state == HaAdminState::Draining) {
    if (!supported) {
      return refuse(request, AdmissionReason::DrainingNoRedirectSupport, kNoProposalChosen, now);
    }
    return redirect_or(request, AdmissionReason::Draining, AdmissionReason::DrainingNoTarget,
                       kNoProposalChosen, /*may_serve=*/false, now);
  }

  if (config_.max_half_open_ike_sas != 0 && request.half_open >= config_.max_half_open_ike_sas) {
    if (!supported) {
      return refuse(request, AdmissionReason::HalfOpenLimit, kSilence, now);
    }
    return redirect_or(request, AdmissionReason::HalfOpenLimit,
                       AdmissionReason::HalfOpenLimitNoTarget, kSilence, /*may_serve=*/false, now);
  }

  const bool over_threshold = load(request.half_open) >= config_.redirect_load_threshold;
  if (!over_threshold) {
    if (auto served = serve_reserved(request, AdmissionReason::Room, now)) {
      return std::move(*served);
    }
    // Another bootstrap took the last slot between snapshot and reserve: overloaded.
    if (!supported) {
      return refuse(request, AdmissionReason::FullNoRedirectSupport, kNoProposalChosen, now);
    }
    return redirect_or(request, AdmissionReason::Overload, AdmissionReason::FullNoTarget,
                       kNoProposalChosen, /*may_serve=*/false, now);
  }

  if (!supported) {
    // R5685-03: never redirect it; serve while there is room at all.
    if (auto served = serve_reserved(request, AdmissionReason::NoRedirectSupport, now)) {
      return std::move(*served);
    }
    return refuse(request, AdmissionReason::FullNoRedirectSupport, kNoProposalChosen, now);
  }
  return redirect_or(request, AdmissionReason::Overload, AdmissionReason::FullNoTarget,
                     kNoProposalChosen, /*may_serve=*/true, now);
}

PolicyAnswer<engine::AuthAnswer> AdmissionPolicy::decide_at_ike_auth(
    const engine::AuthRequest& request, base::TimePoint now) {
  using AuthResult = PolicyAnswer<engine::AuthAnswer>;
  auto serve_here = [&](AdmissionReason reason) -> AuthResult {
    counters_.inc(AdmissionCounter::AuthContinued);
    record(engine::DecisionPoint::IkeAuth, DecisionOutcome::Continued, reason, request.initiator,
           std::nullopt, now);
    return AuthResult{engine::Serve{request.tag}, reason};
  };
  const std::string identity = request.peer_id.to_text();
  std::optional<base::Ip6Addr> target;  // none for an HA known by name only
  std::string name;
  if (auto it = config_.assignments.find(identity); it != config_.assignments.end()) {
    if (is_own(it->second)) {
      return serve_here(AdmissionReason::NotAssignedElsewhere);
    }
    target = it->second;
    name = name_of(it->second);
  } else if (auto f = config_.fqdn_assignments.find(identity);
             f != config_.fqdn_assignments.end()) {
    name = f->second;
  } else {
    return serve_here(AdmissionReason::NotAssignedElsewhere);
  }
  // A peer already bound here moves with a Home Agent Switch, not an IKE redirect.
  if (has_binding(request.initiator)) {
    return serve_here(AdmissionReason::ExistingBinding);
  }
  if (!request.redirect_supported) {
    return serve_here(AdmissionReason::AssignedElsewhereNoRedirectSupport);  // R5685-03
  }
  // The slot taken at IKE_SA_INIT goes back: the peer registers elsewhere.
  if (request.tag != 0 && ledger_->release(request.tag)) {
    counters_.inc(AdmissionCounter::ReservationsReleased);
  }
  counters_.inc(AdmissionCounter::AuthRedirected);
  auto gateway =
      redirect_event(engine::DecisionPoint::IkeAuth, DecisionOutcome::Redirected,
                     AdmissionReason::AssignedElsewhere, request.initiator, target, name, now);
  return AuthResult{engine::Redirect{std::move(gateway)}, AdmissionReason::AssignedElsewhere,
                    target};
}

PolicyAnswer<engine::MoveAnswer> AdmissionPolicy::decide_move(const engine::MoveRequest& request,
                                                              base::TimePoint now) {
  using MoveResult = PolicyAnswer<engine::MoveAnswer>;
  auto stay = [&](AdmissionReason reason) -> MoveResult {
    counters_.inc(AdmissionCounter::MovesNone);
    record(engine::DecisionPoint::Move, DecisionOutcome::NotMoved, reason, request.initiator,
           std::nullopt, now);
    return MoveResult{engine::Stay{}, reason};
  };
  bool bound = request.bound || has_binding(request.initiator);
  if (!bound && request.home_address) {
    auto info = cache_->find(*request.home_address);
    bound = info && info->state == mip6::binding::BindingState::Active;
  }
  if (bound) {
    // R5685-33: the MN must not change MIPv6 state on a gateway-initiated REDIRECT, so a bound
    // peer is moved with an RFC 5142 Home Agent Switch listing the best HAs with room.
    std::vector<base::Ip6Addr> targets;
    for (const auto& e : home_agents_->ordered(now)) {
      if (targets.size() >= config_.max_switch_targets) {
        break;
      }
      if (e.self || e.addresses.empty() || !pool_load_.has_capacity(e, now)) {
        continue;
      }
      const auto& a = e.addresses.front().address;
      // The Home Agent Switch lists IPv6 home agents only (RFC 5142 5.1).
      if (!is_own(a) && !a.is_v4_mapped()) {
        targets.push_back(a);
      }
    }
    if (targets.empty()) {
      return stay(AdmissionReason::MoveNoTarget);
    }
    const base::Ip6Addr first = targets.front();
    pool_load_.note_sent(first);
    counters_.inc(AdmissionCounter::MovesHaSwitch);
    record(engine::DecisionPoint::Move, DecisionOutcome::Switched, AdmissionReason::MoveHaSwitch,
           request.initiator, first, now);
    return MoveResult{engine::SwitchHomeAgent{std::move(targets)}, AdmissionReason::MoveHaSwitch,
                      first};
  }
  if (!request.redirect_supported) {
    return stay(AdmissionReason::MoveNoRedirectSupport);  // R5685-03
  }
  auto target = choose_target(std::nullopt, now);
  if (!target) {
    return stay(AdmissionReason::MoveNoTarget);
  }
  counters_.inc(AdmissionCounter::MovesGatewayRedirect);
  auto gateway = redirect_event(engine::DecisionPoint::Move, DecisionOutcome::GatewayRedirected,
                                AdmissionReason::MoveGatewayRedirect, request.initiator, target,
                                name_of(*target), now);
  return MoveResult{engine::Redirect{std::move(gateway)}, AdmissionReason::MoveGatewayRedirect,
                    target};
}

// --- Drain scheduler ----------------------------------------------------------------------

base::Duration AdmissionPolicy::next_gap() {
  base::Duration gap = config_.drain_interval;
  const auto jitter = config_.drain_jitter.count();
  if (jitter > 0 && rng_) {
    gap += base::Duration(
        static_cast<base::Duration::rep>(rng_() % static_cast<std::uint64_t>(jitter)));
  }
  return gap;
}

void AdmissionPolicy::start_drain(const std::vector<engine::MoveRequest>& peers,
                                  base::TimePoint now) {
  for (const auto& p : peers) {
    const bool queued =
        std::any_of(drain_queue_.begin(), drain_queue_.end(),
                    [&](const engine::MoveRequest& q) { return q.initiator == p.initiator; });
    if (!queued) {
      drain_queue_.push_back(p);
    }
  }
  if (!drain_queue_.empty() && drain_deadline_ == base::kNever) {
    // The first move may go at once; the rate rule spaces the following ones.
    drain_deadline_ = now;
  }
}

void AdmissionPolicy::stop_drain() {
  drain_queue_.clear();
  drain_deadline_ = base::kNever;
}

base::TimePoint AdmissionPolicy::next_deadline() const {
  return drain_deadline_;
}

std::optional<DrainMove> AdmissionPolicy::on_timer(base::TimePoint now) {
  if (drain_queue_.empty() || now < drain_deadline_) {
    return std::nullopt;
  }
  engine::MoveRequest peer = std::move(drain_queue_.front());
  drain_queue_.pop_front();
  // Spaced from when this move actually went out, not from the missed deadline: a late timer
  // must not let the next moves catch up in a burst (R5142-33).
  drain_deadline_ = drain_queue_.empty() ? base::kNever : now + next_gap();
  auto decided = decide_move(peer, now);
  return DrainMove{std::move(peer), std::move(decided)};
}

}  // namespace ha::policy
