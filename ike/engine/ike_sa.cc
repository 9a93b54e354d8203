// IkeSa: datagram routing (the SA's own SPIs, or an old SA's after a rekey), the SA-level
// checks before the TaskManager sees a message, and the commands, each of which queues the
// task of its feature.
#include "ike/engine/ike_sa.h"

#include <algorithm>
#include <utility>

#include "ike/engine/tasks/child_delete.h"
#include "ike/engine/tasks/child_rekey.h"
#include "ike/engine/tasks/ike_delete.h"
#include "ike/engine/tasks/ike_dpd.h"
#include "ike/engine/tasks/ike_redirect.h"
#include "ike/engine/tasks/ike_rekey.h"

namespace ike::engine {
IkeSa::IkeSa(IkeSaConfig config, Environment env) : ctx_(std::move(config), env) {}

std::vector<Output> IkeSa::take_outputs() {
  std::vector<Output> out(std::make_move_iterator(ctx_.outputs.begin()),
                          std::make_move_iterator(ctx_.outputs.end()));
  ctx_.outputs.clear();
  return out;
}

base::Result<void> IkeSa::initiate(const Path& path, base::TimePoint now) {
  if (!ctx_.initiator() || ctx_.state != IkeSaState::Created) {
    return base::fail(base::Error{"wrong_state", "initiate() needs a fresh initiator SA"});
  }
  if (ctx_.config.ike.dh_groups.empty()) {
    return base::fail(base::Error{"bad_config", "no DH group"});
  }
  // We prove ourselves with our certificate, or else with the PSK shared with the peer.
  if (ctx_.env.credentials.local_certificate() == nullptr &&
      !ctx_.env.credentials.psk_for(ctx_.config.remote_id)) {
    return base::fail(base::Error{"no_psk", "no PSK for the configured remote identity"});
  }
  ctx_.path = path;
  ctx_.spi_i = random_ike_spi(ctx_.env.random);
  return ctx_.tasks.initiate(now);
}

void IkeSa::on_datagram(const Path& path, std::span<const std::uint8_t> bytes,
                        base::TimePoint now) {
  ctx_.counters.inc(IkeCounter::DatagramsIn);
  ctx_.last_input = now;
  auto decoded = wire::decode_message(bytes);
  if (!decoded) {
    ctx_.counters.inc(IkeCounter::DroppedUndecodable);
    ctx_.tasks.on_undecodable(path, bytes, decoded.error());
    return;
  }
  const wire::Header& h = decoded->message.header;
  if (finished()) {
    // The error we answered with (e.g. AUTHENTICATION_FAILED), or the answer to the peer's
    // Delete, is still resent (R7296-37).
    if (!h.response && h.spi_i == ctx_.spi_i &&
        ctx_.tasks.resend_response(path, h.message_id, bytes)) {
      return;
    }
    ctx_.counters.inc(IkeCounter::DroppedAfterFailure);
    return;
  }
  // After an IKE SA rekey the old (or a redundant) SA still answers under its own SPIs.
  if (RetiringIkeSa* old = ctx_.find_retiring(h.spi_i, h.spi_r)) {
    on_retiring_datagram(ctx_, *old, path, *decoded, bytes, now);
    return;
  }
  // R7296-06: the SA is found by its SPIs. A responder in Created accepts any first request.
  const bool fresh_responder = !ctx_.initiator() && ctx_.state == IkeSaState::Created;
  if (!fresh_responder && h.spi_i != ctx_.spi_i) {
    ctx_.counters.inc(IkeCounter::DroppedWrongSpi);
    return;
  }
  // I is set exactly by the original initiator (R7296-04).
  if (h.initiator != !ctx_.initiator()) {
    ctx_.counters.inc(IkeCounter::DroppedUnexpected);
    return;
  }
  if (h.response) {
    ctx_.tasks.on_response(path, *decoded, bytes, now);
  } else {
    ctx_.tasks.on_request(path, *decoded, bytes, now);
  }
}

base::TimePoint IkeSa::next_deadline() const {
  return ctx_.tasks.deadline();
}

void IkeSa::on_timer(base::TimePoint now) {
  ctx_.tasks.on_timer(now);
}

base::Result<void> IkeSa::check_liveness(base::TimePoint now) {
  return engine::check_liveness(ctx_, now);
}

base::Result<void> IkeSa::delete_child(std::uint32_t spi_in, base::TimePoint now) {
  return engine::delete_child(ctx_, spi_in, now);
}

base::Result<void> IkeSa::request_delete(base::TimePoint now) {
  return engine::request_delete(ctx_, now);
}

base::Result<void> IkeSa::redirect(wire::GwIdentity target, base::Duration grace,
                                   base::TimePoint now) {
  return engine::redirect(ctx_, std::move(target), grace, now);
}

base::Result<void> IkeSa::create_child(ChildSaConfig config, base::TimePoint now) {
  return engine::create_child(ctx_, std::move(config), now);
}

base::Result<void> IkeSa::rekey_child(std::uint32_t spi_in, base::TimePoint now) {
  return engine::rekey_child(ctx_, spi_in, now);
}

base::Result<void> IkeSa::rekey_ike(base::TimePoint now) {
  return engine::rekey_ike(ctx_, now);
}

bool IkeSa::owns_spis(wire::Spi spi_i, wire::Spi spi_r) const {
  if (spi_i == ctx_.spi_i && spi_r == ctx_.spi_r) {
    return true;
  }
  return std::any_of(ctx_.retiring.begin(), ctx_.retiring.end(), [&](const RetiringIkeSa& r) {
    return r.spis.spi_i == spi_i && r.spis.spi_r == spi_r;
  });
}

}  // namespace ike::engine
