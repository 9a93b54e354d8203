#include "ike/engine/sa_context.h"

#include <algorithm>
#include <utility>

#include "ike/engine/stateless_answer.h"
#include "ike/engine/tasks/ike_redirect.h"

namespace ike::engine {
namespace {

// The legal edges of the IKE SA state machine; anything else is refused (STYLE B4).
bool allowed(IkeSaState from, IkeSaState to) {
  using S = IkeSaState;
  switch (from) {
    case S::Created: return to == S::InitRequestSent || to == S::InitResponded || to == S::Failed;
    case S::InitRequestSent: return to == S::AuthRequestSent || to == S::Failed;
    case S::InitResponded: return to == S::Established || to == S::Redirected || to == S::Failed;
    case S::AuthRequestSent: return to == S::Established || to == S::Redirected || to == S::Failed;
    case S::Established: return to == S::Deleting || to == S::Closed || to == S::Failed;
    case S::Redirected: return to == S::Deleting || to == S::Closed || to == S::Failed;
    case S::Deleting: return to == S::Closed || to == S::Failed;
    case S::Failed: return false;
    case S::Closed: return false;
  }
  return false;
}

}  // namespace

wire::Spi random_ike_spi(crypto::RandomSource& random) {
  std::uint64_t v = 0;
  while (v == 0) {
    for (std::uint8_t x : random.bytes(8)) {
      v = (v << 8) | x;
    }
  }
  return wire::Spi(v);
}

ChildSaRecord ChildSaRecord::from(const InstallChildSa& install, base::TimePoint now) {
  ChildSaRecord r;
  r.spi_in = install.spi_in;
  r.spi_out = install.spi_out;
  r.encr = install.encr;
  r.encr_key_bits = install.encr_key_bits;
  r.integ = install.integ;
  r.esn = install.esn;
  r.ts_local = install.ts_local;
  r.ts_remote = install.ts_remote;
  r.mode = install.mode;
  r.udp_encap = install.udp_encap;
  r.installed = now;
  return r;
}

SaContext::SaContext(IkeSaConfig config_in, Environment env_in)
    : config(std::move(config_in)), env(env_in), tasks(*this) {}

bool SaContext::transition(IkeSaState to) {
  if (!allowed(state, to)) {
    counters.inc(IkeCounter::IllegalTransitions);
    return false;
  }
  outputs.emplace_back(StateChanged{state, to});
  state = to;
  return true;
}

void SaContext::fail(FailureReason reason, std::optional<wire::NotifyType> notify,
                     std::string_view detail) {
  tasks.clear_outstanding();
  // The Child SAs end with their IKE SA (R7296-55): the shell removes them too.
  for (const auto& c : child_sas) {
    outputs.emplace_back(ChildSaDeleted{c.spi_in, c.spi_out, false});
  }
  child_sas.clear();
  if (transition(IkeSaState::Failed)) {
    outputs.emplace_back(SaFailed{reason, notify, detail});
  }
}

void SaContext::close(bool by_peer, bool answered, std::string_view detail) {
  tasks.clear();
  disarm_redirect_grace(*this);
  // Deleting the IKE SA deletes its Child SAs with it (R7296-55).
  for (const auto& c : child_sas) {
    outputs.emplace_back(ChildSaDeleted{c.spi_in, c.spi_out, by_peer});
  }
  child_sas.clear();
  if (transition(IkeSaState::Closed)) {
    outputs.emplace_back(SaDeleted{by_peer, answered, detail});
  }
}

wire::Header SaContext::make_header(wire::ExchangeType exchange, bool response,
                                    wire::MessageId id) const {
  wire::Header h;
  h.spi_i = spi_i;
  h.spi_r = spi_r;
  h.exchange = exchange;
  h.initiator = initiator();  // R7296-04
  h.response = response;      // R7296-03
  h.message_id = id;
  return h;
}

base::Result<std::vector<std::uint8_t>> SaContext::protect(const wire::Header& header,
                                                           std::vector<wire::Payload> inner) {
  if (!cipher_out) {
    return base::fail(base::Error{"no_keys", "SK keys not derived"});
  }
  return build_protected(header, std::move(inner), *cipher_out);
}

void SaContext::send_init_error(const Path& to, const wire::Header& request,
                                wire::NotifyPayload notify) {
  // R7296-43: a flood of bad requests must not become a flood of unprotected answers.
  if (env.unprotected_errors != nullptr && !env.unprotected_errors->allow(last_input)) {
    counters.inc(IkeCounter::ErrorAnswersRateLimited);
    return;
  }
  // Stateless answer: nothing is cached, so a retried request is judged afresh.
  if (auto bytes = encode_stateless_init_answer(request, std::move(notify))) {
    outputs.emplace_back(SendDatagram{to, std::move(*bytes)});
  }
}

void SaContext::send_protected_error(const Path& to, const wire::Header& request,
                                     std::span<const std::uint8_t> request_bytes,
                                     wire::NotifyPayload notify) {
  std::vector<wire::Payload> inner;
  inner.push_back(wire::make_payload(std::move(notify)));
  auto bytes = protect(make_header(request.exchange, true, request.message_id), std::move(inner));
  if (bytes) {
    tasks.send_response(to, request.message_id, request_bytes, std::move(*bytes));
  }
}

ChildSaRecord* SaContext::find_child_by_inbound(std::uint32_t spi_in) {
  auto it = std::find_if(child_sas.begin(), child_sas.end(),
                         [&](const ChildSaRecord& r) { return r.spi_in == spi_in; });
  return it == child_sas.end() ? nullptr : &*it;
}

ChildSaRecord* SaContext::find_child_by_outbound(std::uint32_t spi_out) {
  auto it = std::find_if(child_sas.begin(), child_sas.end(),
                         [&](const ChildSaRecord& r) { return r.spi_out == spi_out; });
  return it == child_sas.end() ? nullptr : &*it;
}

bool SaContext::remove_child(std::uint32_t spi_in, bool by_peer) {
  auto it = std::find_if(child_sas.begin(), child_sas.end(),
                         [&](const ChildSaRecord& r) { return r.spi_in == spi_in; });
  if (it == child_sas.end()) {
    return false;
  }
  outputs.emplace_back(ChildSaDeleted{it->spi_in, it->spi_out, by_peer});
  child_sas.erase(it);
  return true;
}

RetiringIkeSa* SaContext::find_retiring(wire::Spi spi_i_in, wire::Spi spi_r_in) {
  for (auto& r : retiring) {
    if (r.spis.spi_i == spi_i_in && r.spis.spi_r == spi_r_in) {
      return &r;
    }
  }
  return nullptr;
}

}  // namespace ike::engine
