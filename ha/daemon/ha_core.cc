#include "ha/daemon/ha_core.h"

#include <algorithm>
#include <utility>
#include <variant>

#include "ike/base/overloaded.h"

namespace ha::daemon {

namespace {

namespace engine = ::ike::engine;
namespace wire = ::ike::wire;
using base::Overloaded;

// Static Home Agents List entries are keyed by a link-local address (Router Advertisements
// key them so); configured ones get a synthetic, unique one.
base::Ip6Addr synthetic_link_local(std::size_t index) {
  base::Ip6Addr a = *base::Ip6Addr::parse("fe80::1:0:0:0");
  auto& b = a.bytes();
  b[14] = static_cast<std::uint8_t>((index + 1) >> 8);
  b[15] = static_cast<std::uint8_t>(index + 1);
  return a;
}

}  // namespace

// Until the MN data plane exists every IKE-authenticated identity may register any home
// address of ours; the CP assignment is what it gets.
class HaCore::AllowAll final : public mip6::engine::HomeAddressAuthorizer {
 public:
  bool may_register(std::string_view /*identity*/, const base::Ip6Addr& /*hoa*/) const override {
    return true;
  }
};

base::Result<std::unique_ptr<HaCore>, std::string> HaCore::create(const HaDaemonConfig& config,
                                                                  base::TimePoint now,
                                                                  mip6::binding::RandomSource rng) {
  std::unique_ptr<HaCore> core(new HaCore(config, now, rng));
  ha::policy::AdmissionPolicyConfig pc;
  pc.unicast_addresses = config.addresses;
  pc.anycast_address = config.anycast;
  pc.redirect_load_threshold = config.redirect_load_threshold;
  pc.max_half_open_ike_sas = config.max_half_open;
  for (const auto& [id, addr] : config.assignments) {
    pc.assignments.emplace(id, addr);
  }
  for (const auto& h : config.home_agents) {
    if (!h.fqdn.empty()) {
      pc.gateway_names.emplace(h.address, h.fqdn);
    }
  }
  for (const auto& [id, name] : config.fqdn_assignments) {
    // A pool member's name: its address, so that "is it us?" and the event log know it.
    const auto member = std::find_if(config.home_agents.begin(), config.home_agents.end(),
                                     [&](const HomeAgentConfig& h) { return h.fqdn == name; });
    if (member != config.home_agents.end()) {
      pc.assignments.emplace(id, member->address);
    } else {
      pc.fqdn_assignments.emplace(id, name);
    }
  }
  pc.drain_interval = config.drain_interval;
  pc.drain_jitter = config.drain_jitter;
  // Established SAs' reservations are refreshed at half their TTL.
  core->ledger_ = std::make_unique<ha::policy::ReservationLedger>(
      core->engine_->binding_cache(),
      ha::policy::ReservationLedger::Config{config.reservation_ttl / 2});
  auto policy = ha::policy::AdmissionPolicy::create(std::move(pc), *core->ledger_,
                                                    *core->home_agents_, std::move(rng));
  if (!policy) {
    return base::fail(std::string("admission policy: ") +
                      std::string(ha::policy::to_string(policy.error())));
  }
  core->policy_ = std::make_unique<ha::policy::AdmissionPolicy>(std::move(*policy));
  core->admission_ =
      std::make_unique<ha::ike_admission::IkeAdmission>(*core->policy_, *core->ledger_);
  return core;
}

HaCore::HaCore(const HaDaemonConfig& config, base::TimePoint now, mip6::binding::RandomSource rng)
    : config_(config),
      authorizer_(std::make_unique<AllowAll>()),
      address_pool_(std::make_unique<HomeAddressPool>(config.home_prefix, config.home_prefix_len,
                                                      config.pool_size, config.home_addresses)),
      grace_(config.drain_grace) {
  mip6::engine::HaBindingConfig bc;
  bc.home_agent_addresses = config.addresses;
  bc.home_prefixes = {mip6::engine::HomePrefix{config.home_prefix.masked(config.home_prefix_len),
                                               config.home_prefix_len, base::kNever, base::kNever}};
  bc.capacity = config.capacity;
  bc.reservation_ttl = config.reservation_ttl;
  engine_ = std::make_unique<mip6::engine::HaBindingEngine>(bc, *authorizer_, now);
  home_agents_ = std::make_unique<mip6::binding::HomeAgentsList>(
      mip6::binding::HomeAgentsListConfig{}, std::move(rng));
  for (std::size_t i = 0; i < config.home_agents.size(); ++i) {
    const auto& h = config.home_agents[i];
    const bool self = std::find(config.addresses.begin(), config.addresses.end(), h.address) !=
                          config.addresses.end() ||
                      (config.anycast && *config.anycast == h.address);
    home_agents_->set_configured(synthetic_link_local(i), {h.address}, h.preference, self);
  }
}

std::vector<CoreEvent> HaCore::take_events() {
  collect_policy_events();
  collect_engine_outputs();
  std::vector<CoreEvent> out;
  out.swap(events_);
  return out;
}

std::vector<CoreCommand> HaCore::take_commands() {
  std::vector<CoreCommand> out;
  out.swap(commands_);
  return out;
}

std::vector<mip6::engine::HaOutput> HaCore::take_mip6_outputs() {
  collect_engine_outputs();
  std::vector<mip6::engine::HaOutput> out;
  out.swap(mip6_outputs_);
  return out;
}

void HaCore::collect_policy_events() {
  for (auto& e : policy_->take_events()) {
    events_.emplace_back(std::move(e));
  }
}

void HaCore::collect_engine_outputs() {
  for (auto& o : engine_->take_outputs()) {
    if (auto* e = std::get_if<mip6::engine::HaEvent>(&o)) {
      events_.emplace_back(*e);
      continue;
    }
    mip6_outputs_.push_back(std::move(o));
  }
}

PeerRecord* HaCore::find_peer(const base::Ip6Addr& address) {
  for (auto& [spi_r, p] : peers_) {
    if (p.address == address && !p.moved_to) {
      return &p;
    }
  }
  return nullptr;
}

void HaCore::on_responder_output(const engine::ResponderOutput& output, const engine::IkeSa* sa,
                                 base::TimePoint now) {
  admission_->on_responder_output(output, now);  // the reservation's side of it
  std::visit(
      Overloaded{
          [&](const engine::SendDatagram&) {},
          [&](const engine::InitDecided& d) {
            // The policy's own decision is its AdmissionEvent; the front's overrides are
            // worth an event of their own.
            if (d.outcome == engine::InitOutcome::RedirectForbidden ||
                d.outcome == engine::InitOutcome::HalfOpenLimit ||
                d.outcome == engine::InitOutcome::ServeRejectedBySa) {
              events_.emplace_back(FrontOverride{d.outcome, d.path.remote.address});
            }
          },
          [&](const engine::ResponderSaCreated&) {},
          [&](const engine::ResponderSaRemoved& r) { on_removed(r); },
          [&](const engine::ResponderSaEvent& e) {
            if (const auto* rekeyed = std::get_if<engine::IkeSaRekeyed>(&e.output)) {
              on_ike_sa_rekeyed(e.spi_r.value(), *rekeyed);
            }
            if (auto it = peers_.find(e.spi_r.value()); it != peers_.end()) {
              // R5685-19/20: whether the client left on its own or the grace period ran out.
              if (const auto* d = std::get_if<engine::SaDeleted>(&e.output)) {
                it->second.ended = d->by_peer ? SaEnd::DeletedByPeer : SaEnd::DeletedByUs;
                it->second.ended_detail = d->by_peer ? std::string_view() : d->detail;
              } else if (const auto* f = std::get_if<engine::SaFailed>(&e.output)) {
                it->second.ended = SaEnd::Failed;
                it->second.ended_detail = engine::to_string(f->reason);
              }
            }
            const auto* est = std::get_if<engine::SaEstablished>(&e.output);
            if (est != nullptr && sa != nullptr) {
              on_established(*est, *sa, now);
            }
          },
      },
      output);
  collect_policy_events();
}

void HaCore::on_established(const engine::SaEstablished& est, const engine::IkeSa& sa,
                            base::TimePoint now) {
  PeerRecord p;
  p.spi_i = est.spi_i.value();
  p.spi_r = est.spi_r.value();
  p.address = sa.path().remote.address;
  p.identity = est.peer_id.to_text();
  if (est.assigned_address) {
    p.home_address = est.assigned_address->address;
  }
  p.redirect_supported = sa.peer_redirect_supported();
  p.established_at = now;
  counters_.inc(CoreCounter::SasEstablished);
  PeerEstablished e{p.address,      p.identity,  est.spi_i, est.spi_r, p.redirect_supported,
                    p.home_address, std::nullopt};
  if (const auto& from = sa.peer_redirected_from()) {
    e.redirected_from = from->address();
  }
  events_.emplace_back(std::move(e));
  peers_[p.spi_r] = std::move(p);
}

void HaCore::on_removed(const engine::ResponderSaRemoved& removed) {
  auto it = peers_.find(removed.spi_r.value());
  if (it == peers_.end()) {
    return;
  }
  const PeerRecord& p = it->second;
  if (p.home_address && !engine_->binding_cache().has_binding_for_address(*p.home_address)) {
    address_pool_->release(*p.home_address);  // a binding keeps its address
  }
  counters_.inc(CoreCounter::SasRemoved);
  events_.emplace_back(PeerRemoved{p.address, p.identity, removed.spi_r, p.ended, p.ended_detail});
  peers_.erase(it);
}

// The front re-filed the SA under `filed_spi_r` (its SPIr after the rekey; when our rekey made
// us the original initiator, the peer's SPI). The record and its home address move with it
// (the ledger moves the reservation), so a drain redirects the SA under the SPIs it has now
// and the SA's removal finds (and releases) them exactly once.
void HaCore::on_ike_sa_rekeyed(std::uint64_t filed_spi_r, const engine::IkeSaRekeyed& rekeyed) {
  auto it = peers_.find(rekeyed.old_spis.spi_r.value());
  if (it == peers_.end() || it->first == filed_spi_r) {
    return;  // not one we track (never established), or already filed there
  }
  PeerRecord p = std::move(it->second);
  peers_.erase(it);
  PeerRekeyed e{p.address, p.identity, rekeyed.by_peer, {}, rekeyed.now_spis};
  e.old_spis.spi_i = wire::Spi(p.spi_i);
  e.old_spis.spi_r = wire::Spi(p.spi_r);
  p.spi_i = rekeyed.now_spis.spi_i.value();
  p.spi_r = rekeyed.now_spis.spi_r.value();
  ++p.rekeys;
  counters_.inc(CoreCounter::SasRekeyed);
  events_.emplace_back(std::move(e));
  peers_.insert_or_assign(filed_spi_r, std::move(p));
}

void HaCore::on_timer(base::TimePoint now) {
  engine_->on_timer(now);
  if (ledger_->next_deadline() <= now) {
    ledger_->on_timer(now);
  }
  // At most one move per call: the scheduler spaces them (R5142-33).
  if (policy_->next_deadline() <= now) {
    if (auto move = policy_->on_timer(now)) {
      collect_policy_events();
      execute(*move, now);
    }
  }
  collect_policy_events();
  collect_engine_outputs();
}

base::TimePoint HaCore::next_deadline() const {
  return std::min({engine_->next_deadline(), policy_->next_deadline(), ledger_->next_deadline()});
}

void HaCore::execute(const ha::policy::DrainMove& move, base::TimePoint now) {
  std::visit(Overloaded{
                 [&](const engine::Redirect& r) { redirect(move, r); },
                 [&](const engine::SwitchHomeAgent& s) { switch_home_agent(move, s, now); },
                 [&](const engine::Stay&) {
                   PeerMoved e;
                   e.peer = move.request.initiator;
                   e.reason = move.decided.reason;
                   events_.emplace_back(std::move(e));
                 },
             },
             move.decided.answer);
}

void HaCore::redirect(const ha::policy::DrainMove& move, const engine::Redirect& redirect) {
  const base::Ip6Addr target = move.decided.target.value_or(base::Ip6Addr{});
  PeerMoved e;
  e.kind = MoveKind::GatewayRedirect;
  e.peer = move.request.initiator;
  e.targets = {target};
  e.target_fqdn = std::string(redirect.gateway.fqdn_text());
  e.grace = grace_;
  const PeerRecord* p = find_peer(move.request.initiator);
  if (p == nullptr) {
    counters_.inc(CoreCounter::GatewayRedirectsFailed);
    e.result = MoveResult::Failed;
    e.why = "no established SA any more";
    events_.emplace_back(std::move(e));
    return;
  }
  e.identity = p->identity;
  // The SA is named by its current SPIs (RFC 7296 2.6); the shell redirects it and reports.
  const std::uint64_t id = next_command_id_++;
  commands_.emplace_back(
      RedirectSa{id, wire::Spi(p->spi_i), wire::Spi(p->spi_r), redirect.gateway, grace_});
  pending_redirects_.emplace(id, PendingRedirect{p->spi_r, target, std::move(e)});
}

void HaCore::on_redirect_done(std::uint64_t id, const base::Result<void, std::string>& result,
                              base::TimePoint /*now*/) {
  const auto pending = pending_redirects_.find(id);
  if (pending == pending_redirects_.end()) {
    return;
  }
  PeerMoved e = std::move(pending->second.event);
  if (!result) {
    counters_.inc(CoreCounter::GatewayRedirectsFailed);
    e.result = MoveResult::Failed;
    e.why = result.error();
  } else {
    counters_.inc(CoreCounter::GatewayRedirectsSent);
    e.result = MoveResult::Sent;
    if (auto it = peers_.find(pending->second.spi_r); it != peers_.end()) {
      it->second.moved_to = pending->second.target;
      it->second.move = MoveKind::GatewayRedirect;
      // The peer leaves: its slot must not stay counted as load.
      ledger_->release_sa(wire::Spi(pending->second.spi_r));
    }
  }
  pending_redirects_.erase(pending);
  events_.emplace_back(std::move(e));
}

void HaCore::switch_home_agent(const ha::policy::DrainMove& move, const engine::SwitchHomeAgent& to,
                               base::TimePoint now) {
  PeerMoved e;
  e.kind = MoveKind::HaSwitch;
  e.peer = move.request.initiator;
  e.targets = to.home_agents;
  if (!move.request.home_address) {
    counters_.inc(CoreCounter::HaSwitchesFailed);
    e.result = MoveResult::Failed;
    e.why = "no home address";
    events_.emplace_back(std::move(e));
    return;
  }
  // R5142-09: the binding stays for the grace period (Binding Refresh Advice).
  auto started =
      engine_->send_home_agent_switch(*move.request.home_address, to.home_agents, grace_, now);
  if (!started) {
    counters_.inc(CoreCounter::HaSwitchesFailed);
    e.result = MoveResult::Failed;
    e.why = std::string(mip6::engine::to_string(started.error()));
    events_.emplace_back(std::move(e));
    return;
  }
  counters_.inc(CoreCounter::HaSwitchesStarted);
  if (PeerRecord* p = find_peer(move.request.initiator)) {
    p->moved_to = to.home_agents.front();
    p->move = MoveKind::HaSwitch;
  }
  e.result = MoveResult::Sent;
  events_.emplace_back(std::move(e));
  collect_engine_outputs();
}

DrainStarted HaCore::start_drain(std::optional<base::Duration> grace, base::TimePoint now) {
  if (grace) {
    grace_ = *grace;
  }
  policy_->set_admin_state(mip6::engine::HaAdminState::Draining);
  engine_->set_admin_state(mip6::engine::HaAdminState::Draining);  // BA 129 to new bindings
  std::vector<engine::MoveRequest> served;
  for (const auto& [spi_r, p] : peers_) {
    if (p.moved_to) {
      continue;
    }
    engine::MoveRequest m;
    m.spi_i = wire::Spi(p.spi_i);
    m.spi_r = wire::Spi(p.spi_r);
    m.initiator = p.address;
    m.peer_id = wire::IdPayload::from_text(p.identity);
    m.home_address = p.home_address;
    m.bound = p.home_address && engine_->binding_cache().has_binding_for_address(*p.home_address);
    m.redirect_supported = p.redirect_supported;
    served.push_back(std::move(m));
  }
  policy_->start_drain(served, now);
  counters_.inc(CoreCounter::DrainsStarted);
  events_.emplace_back(AdminChanged{mip6::engine::HaAdminState::Draining, served.size(), grace_});
  return DrainStarted{policy_->drain_pending(), grace_};
}

void HaCore::resume(base::TimePoint /*now*/) {
  policy_->stop_drain();
  policy_->set_admin_state(mip6::engine::HaAdminState::Serving);
  engine_->set_admin_state(mip6::engine::HaAdminState::Serving);
  grace_ = config_.drain_grace;
  counters_.inc(CoreCounter::Resumes);
  events_.emplace_back(AdminChanged{mip6::engine::HaAdminState::Serving, 0, {}});
}

std::vector<PeerRow> HaCore::peers() const {
  std::vector<PeerRow> rows;
  rows.reserve(peers_.size());
  for (const auto& [spi_r, p] : peers_) {
    PeerRow r;
    r.peer = p.address;
    r.identity = p.identity;
    r.spi_i = wire::Spi(p.spi_i);
    r.spi_r = wire::Spi(p.spi_r);
    r.redirect_supported = p.redirect_supported;
    r.rekeys = p.rekeys;
    r.reservation = ledger_->reservation_of_sa(r.spi_r).has_value();
    r.home_address = p.home_address;
    r.bound = p.home_address && engine_->binding_cache().has_binding_for_address(*p.home_address);
    r.moved_to = p.moved_to;
    r.move = p.move;
    rows.push_back(std::move(r));
  }
  return rows;
}

CoreStatus HaCore::status() const {
  CoreStatus s;
  s.admin_state = policy_->admin_state();
  s.cache = engine_->binding_cache().snapshot();
  s.established_sas = peers_.size();
  s.drain_pending = policy_->drain_pending();
  s.switches_pending = engine_->pending_switch_count();
  s.admission = policy_->counters();
  s.reasons = policy_->reason_counters();
  s.core = counters_;
  s.ledger = ledger_->counters();
  s.binding_engine = engine_->counters();
  s.binding_cache = engine_->binding_cache().counters();
  return s;
}

}  // namespace ha::daemon
