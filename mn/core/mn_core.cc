#include "mn/core/mn_core.h"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "ike/base/overloaded.h"
#include "ike/wire/header.h"

namespace mn {

namespace engine = ike::engine;
using mip6::engine::Deregistered;
using mip6::engine::HomeAgentSwitchRequested;
using mip6::engine::SendBindingUpdate;

// One IKE bootstrap: the first, or one per Home Agent Switch followed.
struct MnCore::Bootstrap {
  unsigned id = 0;
  std::unique_ptr<engine::IkeInitiatorSession> session;
  std::vector<base::Ip6Addr> candidates;  // home agents still to try, in order
  std::optional<std::string> fqdn;        // else the home agent is found by this name
  bool fqdn_asked = false;
  bool switching = false;  // a Home Agent Switch away from `leaving`
  base::Ip6Addr leaving;
  bool registration_considered = false;     // its first SaEstablished was seen
  std::optional<base::Ip6Addr> home_agent;  // registered through this bootstrap
  bool closing = false;

  // Nothing left running: no SA, no Delete in flight.
  [[nodiscard]] bool done() const {
    return !session ||
           (session->finished() && session->retiring() == 0 && session->previous_sa() == nullptr);
  }
};

MnCore::MnCore(MnCoreConfig config, engine::Environment env,
               mip6::engine::MnRegistrationEngine::RandomSource rng)
    : config_(std::move(config)),
      env_(env),
      registration_(config_.registration, std::move(rng)),
      care_of_(config_.care_of_address.value_or(config_.local.address)) {}

MnCore::~MnCore() = default;

std::vector<MnCoreOutput> MnCore::take_outputs() {
  std::vector<MnCoreOutput> out = std::move(outputs_);
  outputs_.clear();
  return out;
}

// ---- bootstraps ----------------------------------------------------------------------------

base::Result<void> MnCore::start(base::TimePoint now) {
  if (started_) {
    return base::fail(base::Error{"wrong_state", "start() called twice"});
  }
  started_ = true;
  current_ = std::make_unique<Bootstrap>();
  current_->id = ++bootstraps_;
  std::visit(base::Overloaded{
                 [&](const base::Ip6Addr& a) { current_->candidates = {a}; },
                 [&](const std::string& name) { current_->fqdn = name; },
             },
             config_.home_agent);
  base::Error error{"no_home_agent", "no home agent to contact"};
  const bool begun = begin(*current_, now, &error);
  flush(now);
  if (!begun) {
    return base::fail(error);
  }
  return {};
}

bool MnCore::begin(Bootstrap& b, base::TimePoint now, base::Error* error) {
  if (!b.candidates.empty()) {
    const base::Ip6Addr next = b.candidates.front();
    b.candidates.erase(b.candidates.begin());
    return start_session(b, next, now, error);
  }
  if (b.fqdn && !b.fqdn_asked) {
    b.fqdn_asked = true;
    resolving_.push_back(PendingName{*b.fqdn, b.id, false});
    outputs_.emplace_back(engine::ResolveGateway{*b.fqdn});
    return true;
  }
  return false;
}

bool MnCore::start_session(Bootstrap& b, const base::Ip6Addr& home_agent, base::TimePoint now,
                           base::Error* error) {
  b.session = std::make_unique<engine::IkeInitiatorSession>(config_.ike, env_);
  counters_.inc(MnCoreCounter::BootstrapsStarted);
  auto started =
      b.session->start(engine::Path{config_.local, {home_agent, config_.home_agent_port}}, now);
  if (!started && error != nullptr) {
    *error = started.error();
  }
  return started.has_value();
}

MnCore::Bootstrap* MnCore::find(unsigned id) {
  if (current_ && current_->id == id) {
    return current_.get();
  }
  for (auto& b : leaving_) {
    if (b->id == id) {
      return b.get();
    }
  }
  return nullptr;
}

const engine::IkeInitiatorSession* MnCore::session() const {
  return current_ ? current_->session.get() : nullptr;
}

std::vector<const engine::IkeInitiatorSession*> MnCore::sessions() const {
  std::vector<const engine::IkeInitiatorSession*> out;
  if (current_ && current_->session) {
    out.push_back(current_->session.get());
  }
  for (const auto& b : leaving_) {
    if (b->session) {
      out.push_back(b->session.get());
    }
  }
  return out;
}

unsigned MnCore::bootstrap() const {
  return current_ ? current_->id : 0;
}

bool MnCore::finished() const {
  return stopping_ && (!current_ || current_->done()) && leaving_.empty();
}

// ---- inputs --------------------------------------------------------------------------------

void MnCore::on_ike_datagram(const engine::Path& path, std::span<const std::uint8_t> bytes,
                             base::TimePoint now) {
  Bootstrap* owner = current_.get();
  if (!leaving_.empty()) {
    if (const auto header = ike::wire::read_header_fields(bytes)) {
      for (auto& b : leaving_) {
        const auto* s = b->session.get();
        if (s == nullptr) {
          continue;
        }
        for (const engine::IkeSa* sa : {s->sa(), s->previous_sa()}) {
          if (sa != nullptr && sa->spi_i() == header->spi_i) {
            owner = b.get();
          }
        }
      }
    }
  }
  if (owner == nullptr || !owner->session) {
    counters_.inc(MnCoreCounter::DatagramsWithoutSession);
    return;
  }
  owner->session->on_datagram(path, bytes, now);
  flush(now);
}

void MnCore::on_timer(base::TimePoint now) {
  if (current_ && current_->session && current_->session->next_deadline() <= now) {
    current_->session->on_timer(now);
  }
  for (auto& b : leaving_) {
    if (b->session && b->session->next_deadline() <= now) {
      b->session->on_timer(now);
    }
  }
  if (registration_.next_deadline() <= now) {
    registration_.on_timer(now);
  }
  flush(now);
}

base::TimePoint MnCore::next_deadline() const {
  base::TimePoint next = registration_.next_deadline();
  for (const auto* s : sessions()) {
    next = std::min(next, s->next_deadline());
  }
  return next;
}

base::Result<void> MnCore::on_gateway_resolved(std::string_view fqdn, const base::Ip6Addr& address,
                                               base::TimePoint now) {
  const auto it = std::find_if(resolving_.begin(), resolving_.end(),
                               [&](const PendingName& p) { return p.fqdn == fqdn; });
  if (it == resolving_.end()) {
    counters_.inc(MnCoreCounter::UnexpectedResolutions);
    return base::fail(base::Error{"unexpected", "no resolution pending for this name"});
  }
  const PendingName pending = *it;
  resolving_.erase(it);
  base::Result<void> result;
  Bootstrap* b = find(pending.bootstrap);
  if (b == nullptr || (pending.for_session && !b->session)) {
    result = base::fail(base::Error{"unexpected", "the bootstrap that asked is gone"});
  } else if (pending.for_session) {
    result = b->session->on_gateway_resolved(fqdn, address, now);
    if (!result) {
      b->session->on_resolve_failed(fqdn, now);
    }
  } else if (b->switching && address == b->leaving) {
    result =
        base::fail(base::Error{"same_home_agent", "the name leads to the home agent we leave"});
    if (b == current_.get()) {
      next_candidate(now);
    }
  } else {
    b->candidates = {address};
    base::Error error{"no_home_agent", "no home agent to contact"};
    if (!begin(*b, now, &error)) {
      result = base::fail(error);
      if (b->switching && b == current_.get()) {
        next_candidate(now);
      } else {
        outputs_.emplace_back(IkeEvent{
            b->id, engine::SessionFailed{
                       engine::SessionError::SaFailed, engine::FailureReason::InternalError, {}}});
      }
    }
  }
  flush(now);
  return result;
}

void MnCore::on_gateway_resolve_failed(std::string_view fqdn, base::TimePoint now) {
  const auto it = std::find_if(resolving_.begin(), resolving_.end(),
                               [&](const PendingName& p) { return p.fqdn == fqdn; });
  if (it == resolving_.end()) {
    counters_.inc(MnCoreCounter::UnexpectedResolutions);
    return;
  }
  const PendingName pending = *it;
  resolving_.erase(it);
  Bootstrap* b = find(pending.bootstrap);
  if (b == nullptr) {
    return;
  }
  if (pending.for_session) {
    if (b->session) {
      b->session->on_resolve_failed(fqdn, now);
    }
  } else if (b->switching && b == current_.get()) {
    next_candidate(now);
  } else {
    outputs_.emplace_back(
        IkeEvent{b->id, engine::SessionFailed{engine::SessionError::ResolveFailed, {}, {}}});
  }
  flush(now);
}

base::Result<void> MnCore::change_care_of_address(const base::Ip6Addr& care_of_address,
                                                  base::TimePoint now) {
  care_of_ = care_of_address;
  if (registration_.current() == nullptr) {
    return {};
  }
  auto changed = registration_.change_care_of_address(care_of_address, now);
  flush(now);
  return changed;
}

void MnCore::on_binding_ack(const mip6::engine::BaContext& ctx, const mip6::wire::BindingAck& ba,
                            base::TimePoint now) {
  registration_.on_binding_ack(ctx, ba, now);
  flush(now);
}

void MnCore::on_home_agent_switch(const mip6::engine::MhContext& ctx,
                                  const mip6::wire::HomeAgentSwitch& msg, base::TimePoint now) {
  registration_.on_home_agent_switch(ctx, msg, now);
  flush(now);
}

void MnCore::on_binding_refresh_request(const mip6::engine::MhContext& ctx, base::TimePoint now) {
  registration_.on_binding_refresh_request(ctx, now);
  flush(now);
}

base::Result<void> MnCore::deregister(base::TimePoint now) {
  auto done = registration_.deregister(now);
  flush(now);
  return done;
}

base::Result<void> MnCore::delete_ike_sa(base::TimePoint now) {
  if (!current_ || !current_->session) {
    return base::fail(base::Error{"wrong_state", "no IKE session"});
  }
  auto deleted = current_->session->delete_sa(now);
  flush(now);
  return deleted;
}

void MnCore::stop(base::TimePoint now) {
  if (stopping_) {
    return;
  }
  stopping_ = true;
  std::erase_if(resolving_, [](const PendingName& p) { return !p.for_session; });
  std::optional<base::Ip6Addr> deregistering;
  if (const auto* entry = registration_.current()) {
    const base::Ip6Addr home_agent = entry->home_agent;
    if (registration_.deregister(now)) {
      deregistering = home_agent;
    }
  }
  // The bootstrap holding the binding closes once the de-registration ended (on_deregistered);
  // the left home agents' ones close after their own.
  if (current_ && (!deregistering || current_->home_agent != deregistering)) {
    close(*current_, now);
  }
  flush(now);
}

// ---- outputs -------------------------------------------------------------------------------

void MnCore::flush(base::TimePoint now) {
  // Acting on one output may produce more (a switch starts a session, a de-registration
  // closes one): until quiet, within a bound.
  for (int round = 0; round < 16; ++round) {
    bool more = current_ && drain_session(*current_, now);
    for (std::size_t i = 0; i < leaving_.size(); ++i) {
      more = drain_session(*leaving_[i], now) || more;
    }
    more = drain_registration(now) || more;
    if (!more) {
      break;
    }
  }
  release_finished();
}

bool MnCore::drain_session(Bootstrap& b, base::TimePoint now) {
  if (!b.session) {
    return false;
  }
  auto outs = b.session->take_outputs();
  if (outs.empty()) {
    return false;
  }
  std::optional<engine::SaEstablished> established;
  bool failed = false;
  for (auto& o : outs) {
    std::visit(base::Overloaded{
                   [&](engine::SendDatagram& d) { outputs_.emplace_back(std::move(d)); },
                   [&](engine::InstallChildSa& c) { outputs_.emplace_back(std::move(c)); },
                   [&](engine::ResolveGateway& r) {
                     resolving_.push_back(PendingName{r.fqdn, b.id, true});
                     outputs_.emplace_back(std::move(r));
                   },
                   [&](auto& event) {
                     using T = std::decay_t<decltype(event)>;
                     if constexpr (std::is_same_v<T, engine::SaEstablished>) {
                       // Only the first establishment registers: a later one is the same bootstrap
                       // after a gateway-initiated move (R5685-33).
                       if (!b.registration_considered) {
                         b.registration_considered = true;
                         established = event;
                       }
                     } else if constexpr (std::is_same_v<T, engine::IkeGatewayChanged>) {
                       counters_.inc(MnCoreCounter::IkeGatewayMoves);
                     } else if constexpr (std::is_same_v<T, engine::SessionFailed>) {
                       failed = true;
                     }
                     outputs_.emplace_back(IkeEvent{b.id, std::move(event)});
                   },
               },
               o);
  }
  // After the step's Child SA: the BU goes through its ESP SA.
  if (established) {
    start_registration(b, *established, now);
  }
  if (failed && b.switching && &b == current_.get()) {
    next_candidate(now);
  }
  return true;
}

void MnCore::start_registration(Bootstrap& b, const engine::SaEstablished& established,
                                base::TimePoint now) {
  if (!config_.register_home || stopping_ || &b != current_.get()) {
    return;
  }
  if (!established.assigned_address) {
    counters_.inc(MnCoreCounter::RegistrationsNotStarted);
    outputs_.emplace_back(RegistrationNotStarted{
        b.id, base::Error{"no_home_address", "the IKE SA has no home address assigned by CP"}});
    return;
  }
  mip6::engine::HomeRegistration r;
  r.home_agent = b.session->current_path().remote.address;
  r.home_address = established.assigned_address->address;
  r.care_of_address = care_of_;
  r.lifetime = config_.registration_lifetime;
  r.dynamic_keying = true;  // IKEv2 (R6275-17); the IKE endpoint does not move (no MOBIKE)
  auto registered = registration_.register_home(r, now);
  if (!registered) {
    counters_.inc(MnCoreCounter::RegistrationsNotStarted);
    outputs_.emplace_back(RegistrationNotStarted{b.id, registered.error()});
    return;
  }
  counters_.inc(MnCoreCounter::RegistrationsStarted);
  b.home_agent = r.home_agent;
  if (established.home_prefix) {
    home_prefix_ = {established.home_prefix->prefix, established.home_prefix->prefix_len};
  } else {
    const std::uint8_t len = established.assigned_address->prefix_len;
    home_prefix_ = {r.home_address, len != 0 && len < 128 ? len : std::uint8_t{64}};
  }
  outputs_.emplace_back(RegistrationStarted{b.id, r.home_agent, r.home_address, r.care_of_address});
}

bool MnCore::drain_registration(base::TimePoint now) {
  auto outs = registration_.take_outputs();
  if (outs.empty()) {
    return false;
  }
  for (auto& o : outs) {
    if (auto* bu = std::get_if<SendBindingUpdate>(&o)) {
      outputs_.emplace_back(std::move(*bu));
      continue;
    }
    std::optional<HomeAgentSwitchRequested> request;
    std::optional<Deregistered> deregistered;
    if (const auto* s = std::get_if<HomeAgentSwitchRequested>(&o)) {
      request = *s;
    } else if (const auto* d = std::get_if<Deregistered>(&o)) {
      deregistered = *d;
    }
    outputs_.emplace_back(RegistrationEvent{std::move(o)});
    if (request) {
      follow_switch(*request, now);
    }
    if (deregistered) {
      on_deregistered(*deregistered, now);
    }
  }
  return true;
}

// ---- Home Agent Switch (RFC 5142 6) --------------------------------------------------------

void MnCore::follow_switch(const HomeAgentSwitchRequested& request, base::TimePoint now) {
  if (stopping_) {
    return;
  }
  counters_.inc(MnCoreCounter::HomeAgentSwitches);
  auto next = std::make_unique<Bootstrap>();
  next->id = ++bootstraps_;
  next->switching = true;
  next->leaving = request.home_agent;
  for (const auto& a : request.candidates) {
    if (a != request.home_agent) {
      next->candidates.push_back(a);
    }
  }
  // R5142-32: home agents on our home prefix first; R5142-31: in the list's order otherwise.
  std::stable_partition(
      next->candidates.begin(), next->candidates.end(),
      [&](const base::Ip6Addr& a) { return a.in_prefix(home_prefix_.first, home_prefix_.second); });
  if (next->candidates.empty()) {
    // R5142-30: discover first; ours is the home agent's name (RFC 5026 5.1.1).
    if (const auto* name = std::get_if<std::string>(&config_.home_agent)) {
      next->fqdn = *name;
    }
  }
  if (current_) {
    Bootstrap& old = *current_;
    leaving_.push_back(std::move(current_));
    // The one holding the binding stays for the de-registration's ESP SA; any other goes.
    if (old.home_agent != request.home_agent) {
      close(old, now);
    }
  }
  current_ = std::move(next);
  start_candidate(now);
}

void MnCore::next_candidate(base::TimePoint now) {
  Bootstrap& b = *current_;
  park(b);
  start_candidate(now);
}

void MnCore::start_candidate(base::TimePoint now) {
  Bootstrap& b = *current_;
  while (!b.candidates.empty() || (b.fqdn && !b.fqdn_asked)) {
    const base::Ip6Addr to = b.candidates.empty() ? base::Ip6Addr{} : b.candidates.front();
    if (begin(b, now)) {
      outputs_.emplace_back(HomeAgentSwitchStarted{b.id, b.leaving, to});
      return;
    }
    park(b);
  }
  counters_.inc(MnCoreCounter::HomeAgentSwitchesFailed);
  outputs_.emplace_back(HomeAgentSwitchFailed{
      b.leaving, b.fqdn ? std::string_view("no home agent found or reached after the switch")
                        : std::string_view("no other home agent listed and none to discover")});
}

void MnCore::park(Bootstrap& b) {
  // A failed session may still be deleting an SA it replaced: keep it running until done.
  if (b.session && !b.done()) {
    auto parked = std::make_unique<Bootstrap>();
    parked->id = b.id;
    parked->session = std::move(b.session);
    parked->registration_considered = true;
    parked->closing = true;
    leaving_.push_back(std::move(parked));
  }
  b.session.reset();
}

void MnCore::on_deregistered(const Deregistered& d, base::TimePoint now) {
  for (auto& b : leaving_) {
    if (!b->closing && b->home_agent == d.home_agent) {
      close(*b, now);
    }
  }
  if (stopping_ && current_ && !current_->closing && current_->home_agent == d.home_agent) {
    close(*current_, now);
  }
}

void MnCore::close(Bootstrap& b, base::TimePoint now) {
  b.closing = true;
  if (b.session && !b.session->delete_sa(now)) {
    b.session.reset();  // nothing established to delete
  }
}

void MnCore::release_finished() {
  std::erase_if(leaving_, [this](const std::unique_ptr<Bootstrap>& b) {
    if (!b->done()) {
      return false;
    }
    if (b->home_agent) {
      counters_.inc(MnCoreCounter::HomeAgentsReleased);
      outputs_.emplace_back(HomeAgentReleased{b->id, *b->home_agent});
    }
    return true;
  });
}

}  // namespace mn
