#include "mip6/engine/ha_binding_engine.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace mip6::engine {

namespace {

using binding::BindingSequence;
using wire::BaStatus;

constexpr std::uint16_t kMaxUnits = 0xffff;

// Whole 4-second units in `d`, rounded down (RFC 6275 10.3.1: prefix lifetimes lose their two
// low bits before they are compared with binding lifetimes), capped at the 16-bit field.
std::uint16_t units_floor(base::Duration d) {
  if (d <= base::Duration::zero()) {
    return 0;
  }
  const auto units = std::chrono::floor<std::chrono::seconds>(d).count() / 4;
  return units >= kMaxUnits ? kMaxUnits : static_cast<std::uint16_t>(units);
}

base::Duration units_duration(std::uint16_t units) {
  return std::chrono::seconds(std::uint32_t{units} * 4);
}

HaCounter counter_for(BaStatus s) {
  switch (s) {
    case BaStatus::Accepted: return HaCounter::BaAccepted;
    case BaStatus::AcceptedPrefixDiscoveryNecessary: return HaCounter::BaAcceptedPrefixDiscovery;
    case BaStatus::AdministrativelyProhibited: return HaCounter::BaAdminProhibited;
    case BaStatus::InsufficientResources: return HaCounter::BaInsufficientResources;
    case BaStatus::HomeRegistrationNotSupported:
      return HaCounter::BaHomeRegistrationNotSupported;
    case BaStatus::NotHomeSubnet: return HaCounter::BaNotHomeSubnet;
    case BaStatus::NotHomeAgentForThisMobileNode: return HaCounter::BaNotHomeAgent;
    case BaStatus::DuplicateAddressDetectionFailed: return HaCounter::BaDadFailed;
    case BaStatus::SequenceNumberOutOfWindow: return HaCounter::BaSequenceOutOfWindow;
    case BaStatus::RegistrationTypeChangeDisallowed: return HaCounter::BaRegistrationTypeChange;
    default: break;
  }
  return HaCounter::BaSent;  // not reached: the engine sends only the statuses above
}

// Base of the Binding Refresh Advice option inside a BA: the fixed part ends at offset 12,
// which already meets the option's 2n alignment, so no padding is needed before it.
constexpr std::size_t kBaOptionsOffset = 12;
static_assert(kBaOptionsOffset % 2 == 0);

}  // namespace

HaBindingEngine::HaBindingEngine(const HaBindingConfig& config,
                                 const HomeAddressAuthorizer& authorizer, base::TimePoint now)
    : config_(config),
      authorizer_(authorizer),
      cache_(binding::BindingCache::Config{config.capacity, config.reservation_ttl,
                                           binding::kMaxDeleteBceTimeout},
             now) {}

void HaBindingEngine::update_config(const HaBindingConfig& config) {
  config_ = config;
  cache_.set_capacity(config.capacity);
}

std::vector<HaOutput> HaBindingEngine::take_outputs() {
  std::vector<HaOutput> out;
  out.swap(outputs_);
  return out;
}

// ------------------------------------------------------------------------------- helpers

void HaBindingEngine::drop(BuDropReason reason, HaCounter counter, const base::Ip6Addr& hoa) {
  counters_.inc(counter);
  outputs_.emplace_back(HaEvent{HaEventKind::BuDropped, hoa, to_string(reason)});
}

void HaBindingEngine::send_ack(const AckTarget& target, wire::BindingAck&& ack) {
  counters_.inc(HaCounter::BaSent);
  counters_.inc(counter_for(ack.status));
  outputs_.emplace_back(SendBindingAck{target.ha, target.destination,
                                       target.type2_home_address, std::move(ack)});
}

void HaBindingEngine::reject(const AckTarget& target, BaStatus status, std::uint16_t sequence,
                             const base::Ip6Addr& hoa) {
  wire::BindingAck ack;
  ack.status = status;
  ack.sequence = sequence;
  ack.lifetime = 0;  // undefined for rejections; send 0
  send_ack(target, std::move(ack));
  outputs_.emplace_back(HaEvent{HaEventKind::BindingRejected, hoa, wire::to_string(status)});
}

bool HaBindingEngine::serves_as_home_agent(const base::Ip6Addr& destination) const {
  if (!config_.home_agent) {
    return false;
  }
  const auto& addrs = config_.home_agent_addresses;
  return addrs.empty() || std::find(addrs.begin(), addrs.end(), destination) != addrs.end();
}

const HomePrefix* HaBindingEngine::home_prefix_for(const base::Ip6Addr& hoa,
                                                   base::TimePoint now) const {
  for (const HomePrefix& p : config_.home_prefixes) {
    if (!hoa.in_prefix(p.prefix, p.length)) {
      continue;
    }
    // A prefix with under 4 s of valid lifetime left cannot carry any binding lifetime
    // without outliving the prefix (R6275-35): treat it as no longer on-link.
    if (p.valid_until != base::kNever && units_floor(p.valid_until - now) == 0) {
      continue;
    }
    return &p;
  }
  return nullptr;
}

HaBindingEngine::Grant HaBindingEngine::grant_lifetime(std::uint16_t requested,
                                                       const HomePrefix& prefix,
                                                       base::TimePoint now) const {
  // R6275-35: min(BU lifetime, remaining valid lifetime of the prefix, local policy).
  const std::uint16_t policy = std::max<std::uint16_t>(units_floor(config_.max_lifetime), 1);
  const std::uint16_t prefix_units =
      prefix.valid_until == base::kNever ? kMaxUnits : units_floor(prefix.valid_until - now);
  Grant g;
  g.units = std::min({requested, policy, prefix_units});
  const base::TimePoint binding_end = now + units_duration(g.units);
  // R6275-37: status 1 when the prefix is deprecated now or will be deprecated or invalid
  // within the binding lifetime; the grant being cut short by the prefix's valid lifetime is
  // exactly "becomes invalid around the binding's end".
  const bool deprecated_within =
      prefix.preferred_until != base::kNever && prefix.preferred_until <= binding_end;
  const bool invalid_within =
      prefix.valid_until != base::kNever &&
      (prefix.valid_until <= binding_end || (prefix_units < requested && prefix_units < policy));
  if (deprecated_within || invalid_within) {
    g.status = BaStatus::AcceptedPrefixDiscoveryNecessary;
  }
  return g;
}

bool HaBindingEngine::grant_key_mgmt(bool bu_k, bool dynamic_keying) const {
  // R6275-38: K only when the BU asked, the SAs are IKEv2-made, and we can move the endpoint.
  return bu_k && dynamic_keying && config_.can_move_ike_endpoint;
}

void HaBindingEngine::add_refresh_advice(wire::BindingAck& ack) const {
  // R6275-40: no BRA for a non-volatile cache. R6275-12: refresh < lifetime, so a grant of one
  // unit gets none.
  if (config_.non_volatile_binding_cache || config_.refresh_advice_fraction <= 0.0 ||
      ack.lifetime < 2) {
    return;
  }
  const double raw = std::floor(static_cast<double>(ack.lifetime) *
                                std::min(config_.refresh_advice_fraction, 1.0));
  const auto refresh = static_cast<std::uint16_t>(
      std::clamp(raw, 1.0, static_cast<double>(ack.lifetime - 1)));
  ack.options.emplace_back(wire::BindingRefreshAdviceOption{refresh});
}

// ---------------------------------------------------------------------------- BU handling

void HaBindingEngine::on_binding_update(const BuContext& ctx, const wire::BindingUpdate& bu,
                                        base::TimePoint now) {
  counters_.inc(HaCounter::BuReceived);
  const bool has_hao = ctx.home_address_option.has_value();
  const base::Ip6Addr hoa = has_hao ? *ctx.home_address_option : ctx.source;

  if (!hoa.is_routable_unicast()) {
    return drop(BuDropReason::NonUnicastHomeAddress, HaCounter::DropNonUnicastHomeAddress, hoa);
  }
  if (!ctx.security.esp_protected) {  // R6275-28
    return drop(BuDropReason::NotEspProtected, HaCounter::DropNotEspProtected, hoa);
  }
  if (!authorizer_.may_register(ctx.security.ike_identity, hoa)) {  // R6275-72
    return drop(BuDropReason::IdentityNotAuthorized, HaCounter::DropIdentityNotAuthorized, hoa);
  }
  if (bu.home_registration && wire::find_option<wire::NonceIndicesOption>(bu.options)) {
    return drop(BuDropReason::NonceIndicesWithHomeRegistration, HaCounter::DropNonceIndices,
                hoa);
  }

  // R6275-41: the BA goes back to the BU's source, with a type 2 RH iff the BU had a HAO.
  const AckTarget target{ctx.destination, ctx.source, ctx.home_address_option};
  const auto* alt = wire::find_option<wire::AlternateCareOfAddressOption>(bu.options);
  const base::Ip6Addr coa = alt != nullptr ? alt->address : ctx.source;
  const BindingSequence sequence(bu.sequence);

  const std::optional<binding::BindingInfo> existing = cache_.find(hoa);
  // R6275-22: with no entry any sequence number is accepted. A de-registered entry in its
  // hold still answers stale numbers (R6275-47).
  if (existing && !sequence.is_newer_than(existing->sequence)) {
    return reject(target, BaStatus::SequenceNumberOutOfWindow, existing->sequence.value(), hoa);
  }
  const bool active = existing && existing->state == binding::BindingState::Active;
  if (active && existing->flags.home_registration != bu.home_registration) {  // R6275-25
    return reject(target, BaStatus::RegistrationTypeChangeDisallowed, bu.sequence, hoa);
  }
  if (!bu.home_registration) {
    // A correspondent registration needs return routability (Binding Authorization Data),
    // which this HA does not offer: the BU fails validation (9.5.1).
    return drop(BuDropReason::CorrespondentRegistration,
                HaCounter::DropCorrespondentRegistration, hoa);
  }
  if (!serves_as_home_agent(ctx.destination)) {  // R6275-29
    return reject(target, BaStatus::HomeRegistrationNotSupported, bu.sequence, hoa);
  }

  // 9.5.1: lifetime 0, or a CoA equal to the HoA, asks for the binding to be deleted.
  if (bu.lifetime == 0 || coa == hoa) {
    if (!active) {  // R6275-45
      if (auto it = pending_.find(hoa); it != pending_.end()) {
        // The MN gave up on the registration whose DAD is running: forget it.
        release_pending(it->second);
        pending_.erase(it);
        counters_.inc(HaCounter::DadPendingCancelled);
      }
      return reject(target, BaStatus::NotHomeAgentForThisMobileNode, bu.sequence, hoa);
    }
    return deregister(target, ctx, bu, *existing, now);
  }

  if (!has_hao) {  // R6275-32
    return drop(BuDropReason::MissingHomeAddressOption, HaCounter::DropMissingHomeAddressOption,
                hoa);
  }
  if (!coa.is_routable_unicast()) {
    return drop(BuDropReason::InvalidCareOfAddress, HaCounter::DropInvalidCareOfAddress, hoa);
  }
  const HomePrefix* prefix = home_prefix_for(hoa, now);
  if (prefix == nullptr) {  // R6275-30
    return reject(target, BaStatus::NotHomeSubnet, bu.sequence, hoa);
  }
  if (active && switches_.count(hoa) != 0) {
    // R5142-22: while a switch is pending, a refresh may not extend the binding.
    const Grant grant = grant_lifetime(bu.lifetime, *prefix, now);
    if (now + units_duration(grant.units) > existing->expires) {
      counters_.inc(HaCounter::HaSwitchExtensionRefused);
      return reject(target, BaStatus::AdministrativelyProhibited, bu.sequence, hoa);
    }
  }
  if (active) {
    return refresh(target, ctx, bu, hoa, coa, *prefix, now);
  }
  if (config_.admin_state == HaAdminState::Draining) {  // R6275-31
    return reject(target, BaStatus::AdministrativelyProhibited, bu.sequence, hoa);
  }
  start_registration(target, ctx, bu, hoa, coa, now);
}

void HaBindingEngine::deregister(const AckTarget& target, const BuContext& ctx,
                                 const wire::BindingUpdate& bu,
                                 const binding::BindingInfo& existing, base::TimePoint now) {
  const base::Ip6Addr& hoa = existing.home_address;
  // R6275-47: stop intercepting at once.
  outputs_.emplace_back(StopProxyNd{hoa, existing.flags.link_local});
  outputs_.emplace_back(DeleteBindingRoute{hoa, existing.care_of_address});
  // 10.3.2: K as for a registration, with the HoA as the new CoA.
  const bool k = grant_key_mgmt(bu.key_mgmt_mobility, ctx.security.dynamic_keying);
  if (existing.care_of_address != hoa) {
    outputs_.emplace_back(
        IkeEndpointUpdate{existing.identity, hoa, existing.care_of_address, hoa, k});
  }
  cache_.deregister(hoa, BindingSequence(bu.sequence), now);  // kept invalid 10 s
  counters_.inc(HaCounter::BindingsDeregistered);

  // R6275-46: status 0, sequence copied, lifetime 0, no BRA.
  wire::BindingAck ack;
  ack.status = BaStatus::Accepted;
  ack.key_mgmt_mobility = k;
  ack.sequence = bu.sequence;
  ack.lifetime = 0;
  send_ack(target, std::move(ack));
  outputs_.emplace_back(HaEvent{HaEventKind::BindingDeregistered, hoa, "deregistered"});
  if (switches_.count(hoa) != 0) {
    // R5142-14: the de-registration BU is the switch's acknowledgement.
    end_switch(hoa, HaCounter::HaSwitchAcknowledged, HaEventKind::HaSwitchAcknowledged,
               "deregistration_bu");
  }
}

void HaBindingEngine::refresh(const AckTarget& target, const BuContext& ctx,
                              const wire::BindingUpdate& bu, const base::Ip6Addr& hoa,
                              const base::Ip6Addr& coa, const HomePrefix& prefix,
                              base::TimePoint now) {
  const Grant grant = grant_lifetime(bu.lifetime, prefix, now);
  const bool k = grant_key_mgmt(bu.key_mgmt_mobility, ctx.security.dynamic_keying);
  binding::BindingParams params;
  params.home_address = hoa;
  params.care_of_address = coa;
  params.sequence = BindingSequence(bu.sequence);
  params.lifetime_units = grant.units;
  params.flags = binding::BindingFlags{true, bu.link_local_compat, k};
  params.identity = ctx.security.identity;
  // An Active binding never needs a slot; a reservation the IKE SA still holds is given back.
  auto committed = cache_.commit(params, ctx.security.reservation, now);
  if (!committed) {  // cannot happen for an Active entry; answer as a resource problem
    return reject(target, BaStatus::InsufficientResources, bu.sequence, hoa);
  }
  const base::Ip6Addr old_coa = committed->previous_coa.value_or(coa);
  const binding::BindingFlags old_flags = committed->previous_flags.value_or(params.flags);
  if (old_coa != coa) {
    outputs_.emplace_back(UpdateBindingRoute{hoa, old_coa, coa});
    outputs_.emplace_back(IkeEndpointUpdate{params.identity, hoa, old_coa, coa, k});
    outputs_.emplace_back(HaEvent{HaEventKind::BindingMoved, hoa, "care_of_address_changed"});
    counters_.inc(HaCounter::BindingsMoved);
  } else {
    counters_.inc(HaCounter::BindingsRefreshed);
  }
  if (old_flags.link_local != params.flags.link_local) {
    // Proxying of the derived link-local address follows L (10.4.1).
    outputs_.emplace_back(StopProxyNd{hoa, old_flags.link_local});
    outputs_.emplace_back(StartProxyNd{hoa, params.flags.link_local});
  }
  wire::BindingAck ack;
  ack.status = grant.status;
  ack.key_mgmt_mobility = k;
  ack.sequence = bu.sequence;
  ack.lifetime = grant.units;
  add_refresh_advice(ack);
  send_ack(target, std::move(ack));  // R6275-36: whatever the A bit says
}

void HaBindingEngine::start_registration(const AckTarget& target, const BuContext& ctx,
                                         const wire::BindingUpdate& bu,
                                         const base::Ip6Addr& hoa, const base::Ip6Addr& coa,
                                         base::TimePoint now) {
  const bool k_requested = bu.key_mgmt_mobility && ctx.security.dynamic_keying;
  if (auto it = pending_.find(hoa); it != pending_.end()) {
    // A retransmission (or newer BU) while DAD runs: answer the latest one when DAD ends.
    // One that is older than the pending BU (reordered in the network) is not worth an answer.
    PendingDad& p = it->second;
    const BindingSequence sequence(bu.sequence);
    if (sequence != p.sequence && !sequence.is_newer_than(p.sequence)) {
      counters_.inc(HaCounter::DadPendingStale);
      return;
    }
    p.target = target;
    p.coa = coa;
    p.sequence = sequence;
    p.requested_lifetime = bu.lifetime;
    // p.link_local stays: DAD (and so proxying) covers what the first BU asked for.
    p.key_mgmt_requested = k_requested;
    p.identity = ctx.security.identity;
    if (p.reservation_owned && cache_.is_reserved(ctx.security.reservation)) {
      // The IKE SA's own reservation now backs this registration; ours goes back.
      cache_.release(p.reservation);
      p.reservation = ctx.security.reservation;
      p.reservation_owned = false;
    }
    counters_.inc(HaCounter::DadPendingUpdated);
    return;
  }
  if (pending_.size() >= config_.max_pending_dad) {
    counters_.inc(HaCounter::DadPendingFull);
    return reject(target, BaStatus::InsufficientResources, bu.sequence, hoa);
  }
  // Admission: the IKE SA's reservation, or a free slot held by the engine while DAD runs so
  // concurrent first registrations cannot overshoot capacity.
  PendingDad p;
  if (cache_.refresh_reservation(ctx.security.reservation, now)) {
    p.reservation = ctx.security.reservation;
  } else {
    auto reserved = cache_.reserve(now);
    if (!reserved) {
      return reject(target, BaStatus::InsufficientResources, bu.sequence, hoa);
    }
    p.reservation = *reserved;
    p.reservation_owned = true;
  }
  p.target = target;
  p.coa = coa;
  p.sequence = BindingSequence(bu.sequence);
  p.requested_lifetime = bu.lifetime;
  p.link_local = bu.link_local_compat;
  p.key_mgmt_requested = k_requested;
  p.identity = ctx.security.identity;
  p.timeout = dad_timeouts_.emplace(std::make_pair(now + config_.dad_timeout, ++dad_serial_), hoa)
                  .first;
  pending_.emplace(hoa, std::move(p));
  // R6275-33: DAD for the HoA (and its link-local if L) before the BA.
  outputs_.emplace_back(StartDad{hoa, bu.link_local_compat});
  outputs_.emplace_back(HaEvent{HaEventKind::DadStarted, hoa, "new_binding"});
  counters_.inc(HaCounter::DadStarted);
}

void HaBindingEngine::release_pending(PendingDad& pending) {
  dad_timeouts_.erase(pending.timeout);
  if (pending.reservation_owned) {
    cache_.release(pending.reservation);
  }
}

void HaBindingEngine::on_dad_result(const base::Ip6Addr& hoa, bool ok, base::TimePoint now) {
  auto it = pending_.find(hoa);
  if (it == pending_.end()) {
    counters_.inc(HaCounter::DadResultUnmatched);
    return;
  }
  PendingDad pending = std::move(it->second);
  pending_.erase(it);
  dad_timeouts_.erase(pending.timeout);
  if (!ok) {  // R6275-33: reject the whole BU
    counters_.inc(HaCounter::DadFailed);
    if (pending.reservation_owned) {
      cache_.release(pending.reservation);
    }
    outputs_.emplace_back(HaEvent{HaEventKind::DadFailed, hoa, "duplicate_address"});
    return reject(pending.target, BaStatus::DuplicateAddressDetectionFailed,
                  pending.sequence.value(), hoa);
  }
  counters_.inc(HaCounter::DadSucceeded);
  finish_registration(hoa, std::move(pending), now);
}

void HaBindingEngine::finish_registration(const base::Ip6Addr& hoa, PendingDad&& pending,
                                          base::TimePoint now) {
  const auto give_back = [&] {
    if (pending.reservation_owned) {
      cache_.release(pending.reservation);
    }
  };
  const std::uint16_t seq = pending.sequence.value();
  // The world may have changed while DAD ran: check again what could have.
  if (!serves_as_home_agent(pending.target.ha)) {
    give_back();
    return reject(pending.target, BaStatus::HomeRegistrationNotSupported, seq, hoa);
  }
  const HomePrefix* prefix = home_prefix_for(hoa, now);
  if (prefix == nullptr) {
    give_back();
    return reject(pending.target, BaStatus::NotHomeSubnet, seq, hoa);
  }
  if (config_.admin_state == HaAdminState::Draining) {
    give_back();
    return reject(pending.target, BaStatus::AdministrativelyProhibited, seq, hoa);
  }
  const Grant grant = grant_lifetime(pending.requested_lifetime, *prefix, now);
  const bool k = pending.key_mgmt_requested && config_.can_move_ike_endpoint;
  binding::BindingParams params;
  params.home_address = hoa;
  params.care_of_address = pending.coa;
  params.sequence = pending.sequence;
  params.lifetime_units = grant.units;
  params.flags = binding::BindingFlags{true, pending.link_local, k};
  params.identity = pending.identity;
  // Consumes the reservation; if it lapsed meanwhile, a free slot is needed instead.
  auto committed = cache_.commit(params, pending.reservation, now);
  if (!committed) {
    return reject(pending.target, BaStatus::InsufficientResources, seq, hoa);
  }
  counters_.inc(HaCounter::BindingsCreated);
  outputs_.emplace_back(AddBindingRoute{hoa, pending.coa});
  outputs_.emplace_back(StartProxyNd{hoa, pending.link_local});  // R6275-42/43

  wire::BindingAck ack;
  ack.status = grant.status;
  ack.key_mgmt_mobility = k;
  ack.sequence = seq;
  ack.lifetime = grant.units;
  add_refresh_advice(ack);
  send_ack(pending.target, std::move(ack));
  outputs_.emplace_back(HaEvent{HaEventKind::BindingCreated, hoa, "registered"});
}

// ----------------------------------------------------------------------------------- time

void HaBindingEngine::on_timer(base::TimePoint now) {
  expired_.clear();
  cache_.expire(now, expired_);
  for (const binding::ExpiredBinding& e : expired_) {
    if (e.kind != binding::ExpiryKind::LifetimeEnded) {
      continue;  // a de-registration hold ended: nothing left to undo
    }
    outputs_.emplace_back(StopProxyNd{e.home_address, e.flags.link_local});
    outputs_.emplace_back(DeleteBindingRoute{e.home_address, e.care_of_address});
    outputs_.emplace_back(HaEvent{HaEventKind::BindingExpired, e.home_address, "lifetime"});
    counters_.inc(HaCounter::BindingsExpired);
    if (switches_.count(e.home_address) != 0) {
      // R5142-20/21: served to the end; no conclusion drawn about the MN.
      end_switch(e.home_address, HaCounter::HaSwitchUnanswered, HaEventKind::HaSwitchUnanswered,
                 "binding_expired");
    }
  }
  run_switches(now);
  while (!dad_timeouts_.empty() && dad_timeouts_.begin()->first.first <= now) {
    const base::Ip6Addr hoa = dad_timeouts_.begin()->second;
    auto it = pending_.find(hoa);
    if (it != pending_.end()) {
      release_pending(it->second);  // erases the timeout entry too
      pending_.erase(it);
    } else {
      dad_timeouts_.erase(dad_timeouts_.begin());
    }
    counters_.inc(HaCounter::DadTimedOut);
    outputs_.emplace_back(HaEvent{HaEventKind::DadTimedOut, hoa, "no_dad_result"});
  }
}

base::TimePoint HaBindingEngine::next_deadline() const {
  base::TimePoint deadline = cache_.next_deadline();
  if (!dad_timeouts_.empty()) {
    deadline = std::min(deadline, dad_timeouts_.begin()->first.first);
  }
  // Pending switches are few (the drain sends one per second): a scan is cheap enough.
  for (const auto& [hoa, s] : switches_) {
    deadline = std::min(deadline, s.next_send);
  }
  if (!switch_queue_.empty()) {
    deadline = std::min(deadline, next_switch_slot_);
  }
  return deadline;
}

// ------------------------------------------------------------------ RFC 5142 HA Switch

base::Result<void, HaSwitchError> HaBindingEngine::send_home_agent_switch(
    const base::Ip6Addr& hoa, std::vector<base::Ip6Addr> home_agents,
    std::optional<base::Duration> refresh_advice, base::TimePoint now) {
  const auto info = cache_.find(hoa);
  if (!info || info->state != binding::BindingState::Active) {
    counters_.inc(HaCounter::HaSwitchRefusedNoBinding);
    return base::fail(HaSwitchError::NoBinding);
  }
  if (switches_.count(hoa) != 0) {
    return base::fail(HaSwitchError::AlreadyPending);
  }
  PendingSwitch s;
  s.message.reserved = 0;  // R5142-03
  if (home_agents.size() > config_.ha_switch.max_addresses) {
    home_agents.resize(config_.ha_switch.max_addresses);
  }
  // "# of Addresses" is derived from this list by the encoder (R5142-08).
  s.message.home_agents = std::move(home_agents);
  s.wait = config_.ha_switch.initial_timeout;  // R5142-15
  if (refresh_advice) {
    // R5142-09: the time until the binding is deleted, in 4-second units (at least one).
    const std::uint16_t units = std::max<std::uint16_t>(units_floor(*refresh_advice), 1);
    s.message.options.emplace_back(wire::BindingRefreshAdviceOption{units});
    // R5142-18: the first retransmission waits min(advice / 2, INITIAL-HA-SWITCH-TIMEOUT).
    s.wait = std::min(s.wait, units_duration(units) / 2);
  }
  counters_.inc(HaCounter::HaSwitchRequested);
  PendingSwitch& stored = switches_.emplace(hoa, std::move(s)).first->second;
  if (switch_queue_.empty() && now >= next_switch_slot_) {
    (void)transmit_switch(hoa, stored, now);  // the binding was just found Active
    next_switch_slot_ = now + config_.ha_switch.min_interval;
  } else {
    counters_.inc(HaCounter::HaSwitchRateDeferred);  // R5142-33
    switch_queue_.push_back(hoa);
  }
  return {};
}

bool HaBindingEngine::transmit_switch(const base::Ip6Addr& hoa, PendingSwitch& s,
                                      base::TimePoint now) {
  const auto info = cache_.find(hoa);
  if (!info || info->state != binding::BindingState::Active) {
    return false;  // removed behind the engine's back (BindingCache::remove)
  }
  ++s.transmissions;
  SendHomeAgentSwitch out;
  if (!config_.home_agent_addresses.empty()) {
    out.source = config_.home_agent_addresses.front();
  }
  out.destination = info->care_of_address;
  out.home_address = hoa;
  out.identity = info->identity;
  out.message = s.message;
  out.transmission = s.transmissions;
  outputs_.emplace_back(std::move(out));
  const bool first = s.transmissions == 1;
  counters_.inc(first ? HaCounter::HaSwitchSent : HaCounter::HaSwitchRetransmitted);
  outputs_.emplace_back(
      HaEvent{HaEventKind::HaSwitchSent, hoa, first ? "first" : "retransmission"});
  // R5142-16/17: doubling up to the maximum, then at the maximum for as long as it takes.
  s.next_send = now + s.wait;
  s.wait = std::min(s.wait * 2, config_.ha_switch.max_timeout);
  return true;
}

void HaBindingEngine::end_switch(const base::Ip6Addr& hoa, HaCounter counter, HaEventKind kind,
                                 std::string_view reason) {
  switches_.erase(hoa);  // a queue entry for it is skipped when its turn comes
  counters_.inc(counter);
  outputs_.emplace_back(HaEvent{kind, hoa, reason});
}

void HaBindingEngine::run_switches(base::TimePoint now) {
  for (auto it = switches_.begin(); it != switches_.end();) {
    if (it->second.next_send <= now && !transmit_switch(it->first, it->second, now)) {
      it = switches_.erase(it);
      continue;
    }
    ++it;
  }
  while (!switch_queue_.empty() && now >= next_switch_slot_) {
    const base::Ip6Addr hoa = switch_queue_.front();
    switch_queue_.pop_front();
    auto it = switches_.find(hoa);
    if (it == switches_.end() || it->second.next_send != base::kNever) {
      continue;  // ended (or already sent) meanwhile
    }
    if (!transmit_switch(hoa, it->second, now)) {
      switches_.erase(it);
      continue;
    }
    next_switch_slot_ = now + config_.ha_switch.min_interval;
  }
}

}  // namespace mip6::engine
