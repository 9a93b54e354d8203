#include "ha/daemon/ha_core.h"
#include "ike/base/overloaded.h"

#include <algorithm>
#include <utility>
#include <variant>

namespace ha::daemon {

namespace {

using nlohmann::json;
namespace engine = ::ike::engine;

using base::Overloaded;

double seconds_of(base::Duration d) {
  return std::chrono::duration<double>(d).count();
}

// Static Home Agents List entries are keyed by a link-local address (Router Advertisements
// key them so); configured ones get a synthetic, unique one.
base::Ip6Addr synthetic_link_local(std::size_t index) {
  base::Ip6Addr a = *base::Ip6Addr::parse("fe80::1:0:0:0");
  auto& b = a.bytes();
  b[14] = static_cast<std::uint8_t>((index + 1) >> 8);
  b[15] = static_cast<std::uint8_t>(index + 1);
  return a;
}

template <class Counters, class Enum>
json counters_json(const Counters& counters, std::size_t count) {
  json j = json::object();
  for (std::size_t i = 0; i < count; ++i) {
    const auto c = static_cast<Enum>(i);
    j[std::string(to_string(c))] = counters.get(c);
  }
  return j;
}

}  // namespace

std::string_view to_string(CoreCounter c) {
  switch (c) {
    case CoreCounter::SasEstablished: return "sas-established";
    case CoreCounter::SasRemoved: return "sas-removed";
    case CoreCounter::SasRekeyed: return "sas-rekeyed";
    case CoreCounter::GatewayRedirectsSent: return "gateway-redirects-sent";
    case CoreCounter::GatewayRedirectsFailed: return "gateway-redirects-failed";
    case CoreCounter::HaSwitchesStarted: return "ha-switches-started";
    case CoreCounter::HaSwitchesFailed: return "ha-switches-failed";
    case CoreCounter::DrainsStarted: return "drains-started";
    case CoreCounter::Resumes: return "resumes";
    case CoreCounter::ControlRequests: return "control-requests";
    case CoreCounter::ControlErrors: return "control-errors";
    case CoreCounter::kCount: break;
  }
  return "?";
}

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

void HaCore::event(json e) {
  e["ha"] = config_.name;
  events_.push_back(std::move(e));
}

std::vector<json> HaCore::take_events() {
  collect_policy_events();
  std::vector<json> out;
  out.swap(events_);
  return out;
}

std::vector<mip6::engine::HaOutput> HaCore::take_mip6_outputs() {
  collect_engine_outputs();
  std::vector<mip6::engine::HaOutput> out;
  out.swap(mip6_outputs_);
  return out;
}

void HaCore::collect_policy_events() {
  for (const auto& e : policy_->take_events()) {
    json j;
    j["event"] = "decision";
    j["point"] = std::string(engine::to_string(e.point));
    j["outcome"] = std::string(ha::policy::to_string(e.outcome));
    j["reason"] = std::string(ha::policy::to_string(e.reason));
    j["peer"] = e.peer.to_string();
    if (e.target) {
      j["target"] = e.target->to_string();
    }
    if (!e.target_fqdn.empty()) {
      j["target_fqdn"] = e.target_fqdn;  // what the REDIRECT carried (R5685-35)
    }
    event(std::move(j));
  }
}

void HaCore::collect_engine_outputs() {
  for (auto& o : engine_->take_outputs()) {
    if (const auto* e = std::get_if<mip6::engine::HaEvent>(&o)) {
      event({{"event", "binding"},
             {"kind", std::string(mip6::engine::to_string(e->kind))},
             {"home_address", e->hoa.to_string()},
             {"reason", std::string(e->reason)}});
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
            // The policy's own decision is logged by collect_policy_events(); the front's
            // overrides are worth a line of their own.
            if (d.outcome == engine::InitOutcome::RedirectForbidden ||
                d.outcome == engine::InitOutcome::HalfOpenLimit ||
                d.outcome == engine::InitOutcome::ServeRejectedBySa) {
              event({{"event", "ike-init"},
                     {"outcome", std::string(engine::to_string(d.outcome))},
                     {"peer", d.path.remote.address.to_string()}});
            }
          },
          [&](const engine::ResponderSaCreated&) {},
          [&](const engine::ResponderSaRemoved& r) {
            auto it = peers_.find(r.spi_r.value());
            if (it != peers_.end()) {
              const auto& hoa = it->second.home_address;
              if (hoa && !engine_->binding_cache().has_binding_for_address(*hoa)) {
                address_pool_->release(*hoa);  // a binding keeps its address
              }
              counters_.inc(CoreCounter::SasRemoved);
              event({{"event", "sa-removed"},
                     {"peer", it->second.address.to_string()},
                     {"identity", it->second.identity},
                     {"spi_r", ::ike::wire::to_string(r.spi_r)},
                     {"how", it->second.ended.empty() ? "removed" : it->second.ended}});
              peers_.erase(it);
            }
          },
          [&](const engine::ResponderSaEvent& e) {
            if (const auto* rekeyed = std::get_if<engine::IkeSaRekeyed>(&e.output)) {
              on_ike_sa_rekeyed(e.spi_r.value(), *rekeyed);
            }
            if (auto it = peers_.find(e.spi_r.value()); it != peers_.end()) {
              // R5685-19/20: whether the client left on its own or the grace period ran out.
              if (const auto* d = std::get_if<engine::SaDeleted>(&e.output)) {
                it->second.ended = d->by_peer ? std::string("deleted by the peer")
                                              : "deleted by us (" + std::string(d->detail) + ")";
              } else if (const auto* f = std::get_if<engine::SaFailed>(&e.output)) {
                it->second.ended = "failed (" + std::string(engine::to_string(f->reason)) + ")";
              }
            }
            const auto* est = std::get_if<engine::SaEstablished>(&e.output);
            if (est != nullptr && sa != nullptr) {
              PeerRecord p;
              p.spi_i = est->spi_i.value();
              p.spi_r = est->spi_r.value();
              p.address = sa->path().remote.address;
              p.identity = est->peer_id.to_text();
              if (est->assigned_address) {
                p.home_address = est->assigned_address->address;
              }
              p.redirect_supported = sa->peer_redirect_supported();
              p.established_at = now;
              counters_.inc(CoreCounter::SasEstablished);
              json j{{"event", "sa-established"},
                     {"peer", p.address.to_string()},
                     {"identity", p.identity},
                     {"spi_i", ::ike::wire::to_string(est->spi_i)},
                     {"spi_r", ::ike::wire::to_string(est->spi_r)},
                     {"redirect_supported", p.redirect_supported}};
              if (p.home_address) {
                j["home_address"] = p.home_address->to_string();
              }
              if (const auto& from = sa->peer_redirected_from()) {
                if (auto a = from->address()) {
                  j["redirected_from"] = a->to_string();
                }
              }
              event(std::move(j));
              peers_[p.spi_r] = std::move(p);
            }
          },
      },
      output);
  collect_policy_events();
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
  const std::uint64_t old_spi_i = p.spi_i;
  const std::uint64_t old_spi_r = p.spi_r;
  p.spi_i = rekeyed.now_spis.spi_i.value();
  p.spi_r = rekeyed.now_spis.spi_r.value();
  ++p.rekeys;
  counters_.inc(CoreCounter::SasRekeyed);
  event({{"event", "sa-rekeyed"},
         {"peer", p.address.to_string()},
         {"identity", p.identity},
         {"by_peer", rekeyed.by_peer},
         {"old_spi_i", ::ike::wire::to_string(::ike::wire::Spi(old_spi_i))},
         {"old_spi_r", ::ike::wire::to_string(::ike::wire::Spi(old_spi_r))},
         {"spi_i", ::ike::wire::to_string(rekeyed.now_spis.spi_i)},
         {"spi_r", ::ike::wire::to_string(rekeyed.now_spis.spi_r)}});
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
  const engine::MoveRequest& peer = move.request;
  const auto& decided = move.decided;
  std::visit(Overloaded{
                 [&](const engine::Redirect& r) {
                   PeerRecord* p = find_peer(peer.initiator);
                   const base::Ip6Addr target = decided.target.value_or(base::Ip6Addr{});
                   json j{{"event", "move"},
                          {"kind", "gateway-redirect"},
                          {"peer", peer.initiator.to_string()},
                          {"target", target.to_string()},
                          {"grace_s", seconds_of(grace_)}};
                   if (!r.gateway.fqdn_text().empty()) {
                     j["target_fqdn"] = std::string(r.gateway.fqdn_text());
                   }
                   if (p == nullptr) {
                     counters_.inc(CoreCounter::GatewayRedirectsFailed);
                     j["result"] = "failed";
                     j["why"] = "no established SA any more";
                     return event(std::move(j));
                   }
                   j["identity"] = p->identity;
                   const std::uint64_t spi_r = p->spi_r;
                   base::Result<void, std::string> done =
                       redirector_ != nullptr
                           ? redirector_->redirect(p->spi_i, spi_r, r.gateway, grace_, now)
                           : base::Result<void, std::string>(
                                 base::fail(std::string("no gateway redirector")));
                   if (!done) {
                     counters_.inc(CoreCounter::GatewayRedirectsFailed);
                     j["result"] = "failed";
                     j["why"] = done.error();
                     return event(std::move(j));
                   }
                   counters_.inc(CoreCounter::GatewayRedirectsSent);
                   // The redirector may have reported outputs back into us: look the peer up again.
                   if (auto it = peers_.find(spi_r); it != peers_.end()) {
                     it->second.moved_to = target;
                     it->second.move = "gateway-redirect";
                     // The peer leaves: its slot must not stay counted as load.
                     ledger_->release_sa(::ike::wire::Spi(spi_r));
                   }
                   j["result"] = "sent";
                   event(std::move(j));
                 },
                 [&](const engine::SwitchHomeAgent& s) {
                   json j{{"event", "move"},
                          {"kind", "ha-switch"},
                          {"peer", peer.initiator.to_string()},
                          {"targets", json::array()}};
                   for (const auto& t : s.home_agents) {
                     j["targets"].push_back(t.to_string());
                   }
                   if (!peer.home_address) {
                     counters_.inc(CoreCounter::HaSwitchesFailed);
                     j["result"] = "failed";
                     j["why"] = "no home address";
                     return event(std::move(j));
                   }
                   // R5142-09: the binding stays for the grace period (Binding Refresh Advice).
                   auto started = engine_->send_home_agent_switch(*peer.home_address, s.home_agents,
                                                                  grace_, now);
                   if (!started) {
                     counters_.inc(CoreCounter::HaSwitchesFailed);
                     j["result"] = "failed";
                     j["why"] = std::string(mip6::engine::to_string(started.error()));
                     return event(std::move(j));
                   }
                   counters_.inc(CoreCounter::HaSwitchesStarted);
                   if (PeerRecord* p = find_peer(peer.initiator)) {
                     p->moved_to = s.home_agents.front();
                     p->move = "ha-switch";
                   }
                   j["result"] = "sent";
                   event(std::move(j));
                   collect_engine_outputs();
                 },
                 [&](const engine::Stay&) {
                   event({{"event", "move"},
                          {"kind", "none"},
                          {"peer", peer.initiator.to_string()},
                          {"reason", std::string(ha::policy::to_string(decided.reason))},
                          {"result", "not-moved"}});
                 },
             },
             decided.answer);
}

json HaCore::start_drain(std::optional<base::Duration> grace, base::TimePoint now) {
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
    m.spi_i = ::ike::wire::Spi(p.spi_i);
    m.spi_r = ::ike::wire::Spi(p.spi_r);
    m.initiator = p.address;
    m.peer_id = ::ike::wire::IdPayload::from_text(p.identity);
    m.home_address = p.home_address;
    m.bound = p.home_address && engine_->binding_cache().has_binding_for_address(*p.home_address);
    m.redirect_supported = p.redirect_supported;
    served.push_back(std::move(m));
  }
  policy_->start_drain(served, now);
  counters_.inc(CoreCounter::DrainsStarted);
  event({{"event", "admin"},
         {"state", "draining"},
         {"peers", served.size()},
         {"grace_s", seconds_of(grace_)}});
  return {{"ok", true},
          {"admin_state", "draining"},
          {"queued", policy_->drain_pending()},
          {"grace_s", seconds_of(grace_)}};
}

json HaCore::resume(base::TimePoint /*now*/) {
  policy_->stop_drain();
  policy_->set_admin_state(mip6::engine::HaAdminState::Serving);
  engine_->set_admin_state(mip6::engine::HaAdminState::Serving);
  grace_ = config_.drain_grace;
  counters_.inc(CoreCounter::Resumes);
  event({{"event", "admin"}, {"state", "serving"}});
  return {{"ok", true}, {"admin_state", "serving"}};
}

json HaCore::peers() const {
  json list = json::array();
  for (const auto& [spi_r, p] : peers_) {
    json j{{"peer", p.address.to_string()},
           {"identity", p.identity},
           {"spi_i", ::ike::wire::to_string(::ike::wire::Spi(p.spi_i))},
           {"spi_r", ::ike::wire::to_string(::ike::wire::Spi(p.spi_r))},
           {"redirect_supported", p.redirect_supported},
           {"rekeys", p.rekeys},
           {"reservation", ledger_->reservation_of_sa(::ike::wire::Spi(p.spi_r)).has_value()}};
    if (p.home_address) {
      j["home_address"] = p.home_address->to_string();
      j["bound"] = engine_->binding_cache().has_binding_for_address(*p.home_address);
    }
    if (p.moved_to) {
      j["moved_to"] = p.moved_to->to_string();
      j["move"] = p.move;
    }
    list.push_back(std::move(j));
  }
  return {{"ok", true}, {"peers", list}};
}

json HaCore::status(base::TimePoint /*now*/) const {
  const auto snap = engine_->binding_cache().snapshot();
  json j;
  j["ok"] = true;
  j["name"] = config_.name;
  j["admin_state"] = std::string(mip6::engine::to_string(policy_->admin_state()));
  j["capacity"] = snap.capacity;
  j["bindings"] = snap.bindings;
  j["reservations"] = snap.reservations;
  j["load"] = snap.load();
  j["established_sas"] = peers_.size();
  j["drain_pending"] = policy_->drain_pending();
  j["switches_pending"] = engine_->pending_switch_count();
  j["counters"] = {
      {"admission",
       counters_json<ha::policy::AdmissionCounters, ha::policy::AdmissionCounter>(
           policy_->counters(), static_cast<std::size_t>(ha::policy::AdmissionCounter::kCount))},
      {"reasons", counters_json<ha::policy::AdmissionReasonCounters, ha::policy::AdmissionReason>(
                      policy_->reason_counters(),
                      static_cast<std::size_t>(ha::policy::AdmissionReason::kCount))},
      {"core", counters_json<CoreCounters, CoreCounter>(
                   counters_, static_cast<std::size_t>(CoreCounter::kCount))},
      {"reservation_ledger",
       counters_json<ha::policy::LedgerCounters, ha::policy::LedgerCounter>(
           ledger_->counters(), static_cast<std::size_t>(ha::policy::LedgerCounter::kCount))},
      {"binding_engine",
       counters_json<mip6::engine::HaCounters, mip6::engine::HaCounter>(
           engine_->counters(), static_cast<std::size_t>(mip6::engine::HaCounter::kCount))},
      {"binding_cache",
       counters_json<mip6::binding::BindingCacheCounters, mip6::binding::BindingCacheCounter>(
           engine_->binding_cache().counters(),
           static_cast<std::size_t>(mip6::binding::BindingCacheCounter::kCount))},
  };
  // The reservation counts are the ledger's; "core" keeps the names mip6ctl users know.
  const auto& ledger = ledger_->counters();
  j["counters"]["core"]["reservations-kept"] = ledger.get(ha::policy::LedgerCounter::Kept);
  j["counters"]["core"]["reservations-refreshed"] =
      ledger.get(ha::policy::LedgerCounter::Refreshed);
  j["counters"]["core"]["reservations-released"] =
      ledger.get(ha::policy::LedgerCounter::ReleasedAfterEstablished);
  return j;
}

json HaCore::control(const json& request, base::TimePoint now) {
  counters_.inc(CoreCounter::ControlRequests);
  const auto error = [&](const std::string& why) {
    counters_.inc(CoreCounter::ControlErrors);
    return json{{"ok", false}, {"error", why}};
  };
  if (!request.is_object() || !request.contains("cmd") || !request.at("cmd").is_string()) {
    return error("expected {\"cmd\": ...}");
  }
  const std::string cmd = request.at("cmd").get<std::string>();
  if (cmd == "status") {
    return status(now);
  }
  if (cmd == "peers") {
    return peers();
  }
  if (cmd == "drain") {
    std::optional<base::Duration> grace;
    if (request.contains("grace_s")) {
      const auto& g = request.at("grace_s");
      if (!g.is_number() || g.get<double>() < 0 || g.get<double>() > 86400) {
        return error("grace_s: a number of seconds in [0, 86400]");
      }
      grace = std::chrono::duration_cast<base::Duration>(
          std::chrono::duration<double>(g.get<double>()));
    }
    return start_drain(grace, now);
  }
  if (cmd == "resume") {
    return resume(now);
  }
  return error("unknown command: " + cmd);
}

}  // namespace ha::daemon
