// INFORMATIONAL exchanges (RFC 7296 1.4, 1.4.1, 2.21): the peer's requests (liveness, Delete
// of the IKE SA or of Child SAs, error and status notifies, the RFC 5685 5 REDIRECT handled in
// ike_redirect.cc), our own Deletes, the liveness timer (DPD) and the Child SA records the
// Deletes work on.
#include <algorithm>
#include <utility>

#include "ike/engine/ike_sa.h"
#include "ike/wire/delete_payload.h"

namespace ike::engine {

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

void IkeSa::emit_child_sa(InstallChildSa install, base::TimePoint now) {
  annotate_encapsulation(install);
  child_sas_.push_back(ChildSaRecord::from(install, now));
  outputs_.emplace_back(std::move(install));
}

ChildSaRecord* IkeSa::find_child_by_inbound(std::uint32_t spi_in) {
  auto it = std::find_if(child_sas_.begin(), child_sas_.end(),
                         [&](const ChildSaRecord& r) { return r.spi_in == spi_in; });
  return it == child_sas_.end() ? nullptr : &*it;
}

ChildSaRecord* IkeSa::find_child_by_outbound(std::uint32_t spi_out) {
  auto it = std::find_if(child_sas_.begin(), child_sas_.end(),
                         [&](const ChildSaRecord& r) { return r.spi_out == spi_out; });
  return it == child_sas_.end() ? nullptr : &*it;
}

bool IkeSa::remove_child(std::uint32_t spi_in, bool by_peer) {
  auto it = std::find_if(child_sas_.begin(), child_sas_.end(),
                         [&](const ChildSaRecord& r) { return r.spi_in == spi_in; });
  if (it == child_sas_.end()) {
    return false;
  }
  outputs_.emplace_back(ChildSaDeleted{it->spi_in, it->spi_out, by_peer});
  child_sas_.erase(it);
  return true;
}

void IkeSa::close(bool by_peer, bool answered, std::string_view detail) {
  outstanding_.clear();
  current_exchange_.reset();
  queued_exchanges_.clear();
  redirect_deadline_ = base::kNever;
  // Deleting the IKE SA deletes its Child SAs with it (R7296-55).
  for (const auto& c : child_sas_) {
    outputs_.emplace_back(ChildSaDeleted{c.spi_in, c.spi_out, by_peer});
  }
  child_sas_.clear();
  if (transition(IkeSaState::Closed)) {
    outputs_.emplace_back(SaDeleted{by_peer, answered, detail});
  }
}

base::Result<void> IkeSa::delete_child(std::uint32_t spi_in, base::TimePoint now) {
  if (state_ != IkeSaState::Established) {
    return base::fail(base::Error{"wrong-state", "Child SA delete needs an established SA"});
  }
  ChildSaRecord* record = find_child_by_inbound(spi_in);
  if (record == nullptr || record->deleting) {
    return base::fail(base::Error{"unknown-spi", "no such Child SA (or already deleting)"});
  }
  record->deleting = true;
  queue_exchange(
      LocalExchange{wire::ExchangeType::Informational, "delete-child",
                    [this, spi_in]() -> base::Result<std::vector<wire::Payload>> {
                      // The peer's crossing Delete may have removed it meanwhile: nothing left to
                      // say.
                      const ChildSaRecord* r = find_child_by_inbound(spi_in);
                      if (r == nullptr) {
                        return base::fail(base::Error{"gone", "Child SA deleted by the peer"});
                      }
                      counters_.inc(IkeCounter::ChildDeletesSent);
                      // D(ESP) with our inbound SPI (1.4.1, R7296-55).
                      std::vector<wire::Payload> inner;
                      const std::uint32_t spis[] = {spi_in};
                      inner.push_back(
                          wire::make_payload(wire::DeletePayload::make_child(r->protocol, spis)));
                      return inner;
                    },
                    // The answer's D names the peer's half; both halves go now. After a crossing
                    // Delete the record is already gone (1.4.1) and nothing more is said.
                    [this, spi_in](const Path&, const OpenedMessage&, base::TimePoint) {
                      (void)remove_child(spi_in, false);
                    }},
      now);
  return {};
}

base::Result<void> IkeSa::request_delete(base::TimePoint now) {
  if (state_ != IkeSaState::Established && state_ != IkeSaState::Redirected) {
    return base::fail(base::Error{"wrong-state", "IKE SA delete needs an established SA"});
  }
  if (delete_queued_) {
    return base::fail(base::Error{"already-deleting", "the IKE SA delete is under way"});
  }
  start_ike_delete(now);
  return {};
}

void IkeSa::start_ike_delete(base::TimePoint now) {
  delete_queued_ = true;
  redirect_deadline_ = base::kNever;
  // Whatever else we meant to ask goes with the SA; the exchange in flight finishes first
  // (window size 1, R7296-39).
  queued_exchanges_.clear();
  queue_exchange(
      LocalExchange{wire::ExchangeType::Informational, "delete-ike",
                    [this]() -> base::Result<std::vector<wire::Payload>> {
                      counters_.inc(IkeCounter::IkeDeletesSent);
                      (void)transition(IkeSaState::Deleting);
                      std::vector<wire::Payload> inner;
                      inner.push_back(wire::make_payload(wire::DeletePayload::make_ike()));
                      return inner;
                    },
                    [this](const Path&, const OpenedMessage&, base::TimePoint) {
                      close(false, true, delete_detail_);
                    }},
      now);
}

void IkeSa::handle_informational_request(const Path& path, const wire::Header& header,
                                         std::span<const std::uint8_t> bytes,
                                         const OpenedMessage& request, base::TimePoint now) {
  (void)now;
  bool delete_ike = false;
  std::optional<wire::NotifyType> auth_failed;
  std::vector<std::uint32_t> deleted_in;   // our inbound SPIs of the Child SAs the peer deletes
  std::vector<std::uint32_t> answer_spis;  // ... of those we name in the answer (1.4.1)
  std::vector<wire::Payload> answer;
  for (const auto& p : request.inner.payloads) {
    if (const auto* d = p.get<wire::DeletePayload>()) {
      if (d->protocol == wire::ProtocolId::Ike) {
        if (d->spi_size != 0 || !d->spis.empty()) {
          counters_.inc(IkeCounter::DeleteMalformed);
          outputs_.emplace_back(InformationalNote{"malformed-ike-delete", std::nullopt, 0});
          continue;
        }
        delete_ike = true;
        continue;
      }
      if ((d->protocol != wire::ProtocolId::Esp && d->protocol != wire::ProtocolId::Ah) ||
          d->spi_size != 4) {
        counters_.inc(IkeCounter::DeleteMalformed);
        outputs_.emplace_back(InformationalNote{"malformed-child-delete", std::nullopt, 0});
        continue;
      }
      // The peer names its inbound SPIs, i.e. our outbound ones (1.4.1).
      for (const std::uint32_t spi : d->spis32()) {
        ChildSaRecord* r = find_child_by_outbound(spi);
        if (r == nullptr || r->protocol != d->protocol ||
            std::find(deleted_in.begin(), deleted_in.end(), r->spi_in) != deleted_in.end()) {
          counters_.inc(IkeCounter::ChildDeleteUnknownSpi);
          outputs_.emplace_back(InformationalNote{"unknown-child-spi", std::nullopt, spi});
          continue;
        }
        counters_.inc(IkeCounter::ChildDeletesReceived);
        deleted_in.push_back(r->spi_in);
        // Our own Delete for it is crossing this one: no D for it in the answer (1.4.1).
        if (!r->deleting) {
          answer_spis.push_back(r->spi_in);
        }
      }
      continue;
    }
    const auto* n = p.get<wire::NotifyPayload>();
    if (n == nullptr) {
      continue;  // CP and Vendor IDs: nothing we act on in INFORMATIONAL
    }
    if (n->type == wire::NotifyType::Redirect) {
      on_gateway_redirect(*n, answer);
      continue;
    }
    if (wire::is_error_notify(n->type)) {
      // Logged by the shell from the note; an error in a request asks nothing of us (3.10.1).
      counters_.inc(IkeCounter::ErrorNotifiesReceived);
      std::uint32_t spi = 0;
      if (n->type == wire::NotifyType::InvalidSpi) {
        counters_.inc(IkeCounter::InvalidSpiReceived);
        // 1.5: the data (or SPI field) holds the unknown ESP SPI.
        const auto& raw = n->spi.size() == 4 ? n->spi : n->data;
        if (raw.size() == 4) {
          spi = (std::uint32_t{raw[0]} << 24) | (std::uint32_t{raw[1]} << 16) |
                (std::uint32_t{raw[2]} << 8) | raw[3];
        }
      }
      if (n->type == wire::NotifyType::AuthenticationFailed) {
        auth_failed = n->type;
      }
      outputs_.emplace_back(InformationalNote{"error-notify", n->type, spi});
      continue;
    }
    // R7296-54: unknown status notifies are ignored.
    counters_.inc(IkeCounter::StatusNotifiesIgnored);
  }

  if (delete_ike) {
    // 1.4.1: the answer to a Delete of the IKE SA is empty; the Child SAs go with it.
    counters_.inc(IkeCounter::IkeDeletesReceived);
    respond(path, header, bytes, {});
    if (state_ == IkeSaState::Established || state_ == IkeSaState::Deleting ||
        state_ == IkeSaState::Redirected) {
      close(true, true, "deleted by peer");
    }
    return;
  }
  if (!answer_spis.empty()) {
    answer.insert(answer.begin(), wire::make_payload(wire::DeletePayload::make_child(
                                      wire::ProtocolId::Esp, answer_spis)));
  }
  respond(path, header, bytes, std::move(answer));
  for (const std::uint32_t spi_in : deleted_in) {
    (void)remove_child(spi_in, true);
  }
  if (auth_failed && config_.role == Role::Responder && state_ == IkeSaState::Established) {
    // 2.21.2: the initiator did not accept our AUTH; the SA is of no use to it.
    fail(FailureReason::AuthenticationFailed, wire::NotifyType::AuthenticationFailed,
         "initiator reported AUTHENTICATION_FAILED");
  }
}

void IkeSa::notify_auth_failure(const Path& path) {
  // 2.21.2: the initiator's AUTH check failed after the IKE_AUTH exchange completed; the
  // responder learns it in a separate INFORMATIONAL. One shot: the SA ends right after.
  std::vector<wire::Payload> inner;
  inner.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::AuthenticationFailed)));
  auto bytes = protect(
      make_header(wire::ExchangeType::Informational, false, wire::MessageId(next_request_id_ + 1)),
      std::move(inner));
  if (!bytes) {
    return;
  }
  counters_.inc(IkeCounter::AuthFailureNotified);
  outputs_.emplace_back(SendDatagram{path, std::move(*bytes)});
}

base::TimePoint IkeSa::dpd_deadline() const {
  // Only when idle: a request in flight is a liveness check already (its retransmissions
  // fail the SA, R7296-36).
  if (config_.dpd_interval <= base::Duration::zero() || state_ != IkeSaState::Established ||
      outstanding_.active() || !queued_exchanges_.empty()) {
    return base::kNever;
  }
  return last_authentic_input_ + config_.dpd_interval;
}

}  // namespace ike::engine
