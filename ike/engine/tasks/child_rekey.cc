#include "ike/engine/tasks/child_rekey.h"

#include <algorithm>
#include <utility>

#include "ike/engine/sa_context.h"
#include "ike/engine/tasks/child_delete.h"

namespace ike::engine {
namespace {

std::optional<std::uint32_t> spi32_of(const std::vector<std::uint8_t>& spi) {
  if (spi.size() != 4) {
    return std::nullopt;
  }
  return (std::uint32_t{spi[0]} << 24) | (std::uint32_t{spi[1]} << 16) |
         (std::uint32_t{spi[2]} << 8) | std::uint32_t{spi[3]};
}

// A notify about one ESP SA (CHILD_SA_NOT_FOUND, 3.10.1: with the SPI it concerns).
wire::NotifyPayload esp_notify(wire::NotifyType type, std::uint32_t spi) {
  wire::NotifyPayload n = wire::make_rekey_sa(wire::ProtocolId::Esp, spi);
  n.type = type;
  return n;
}

bool bytes_less(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace

bool holds_lowest_nonce(std::span<const std::uint8_t> a_i, std::span<const std::uint8_t> a_r,
                        std::span<const std::uint8_t> b_i, std::span<const std::uint8_t> b_r) {
  const auto a_min = bytes_less(a_i, a_r) ? a_i : a_r;
  const auto b_min = bytes_less(b_i, b_r) ? b_i : b_r;
  return bytes_less(a_min, b_min);
}

ChildRekey::ChildRekey(SaContext& sa, ChildSaConfig config, std::uint32_t spi_in)
    : ChildCreate(sa, std::move(config)) {
  rekey_spi_in_ = spi_in;
}

std::unique_ptr<ChildCreate> ChildRekey::again() const {
  auto retry = std::make_unique<ChildRekey>(sa_, config_, rekey_spi_in_);
  retry->crossing_ = crossing_;
  return retry;
}

// ---- initiator ---------------------------------------------------------------------------

TaskStatus ChildRekey::build_request(std::vector<wire::Payload>& out, base::TimePoint now) {
  const ChildSaRecord* old = sa_.find_child_by_inbound(rekey_spi_in_);
  if (old == nullptr || old->deleting || old->replaced) {
    return TaskStatus::Failed;  // the Child SA went away before its rekey
  }
  // 1.3.3: the SPI we receive on, which is the one the peer sends with.
  out.push_back(wire::make_payload(wire::make_rekey_sa(wire::ProtocolId::Esp, rekey_spi_in_)));
  return ChildCreate::build_request(out, now);
}

void ChildRekey::on_peer_error(wire::NotifyType error, base::TimePoint now) {
  if (error != wire::NotifyType::TemporaryFailure) {
    return;
  }
  // 2.25: the peer is busy with this SA (e.g. its own rekey of it survived). Unless its rekey
  // already replaced the SA, try again later.
  if (!crossing_.empty()) {
    crossing_.erase(crossing_.begin());
    if (ChildSaRecord* old = sa_.find_child_by_inbound(rekey_spi_in_)) {
      old->replaced = true;  // the peer's new SA survives; the peer deletes this one
    }
  } else if (ChildSaRecord* old = sa_.find_child_by_inbound(rekey_spi_in_)) {
    old->rekey_retry_at = now + sa_.config.rekey_retry_interval;
  }
}

void ChildRekey::on_refused() {
  if (ChildSaRecord* old = sa_.find_child_by_inbound(rekey_spi_in_)) {
    old->rekeying = false;
  }
}

void ChildRekey::on_installed(std::uint32_t new_in, std::uint32_t new_out,
                              std::span<const std::uint8_t> nonce_r, base::TimePoint now) {
  sa_.counters.inc(IkeCounter::ChildSasRekeyed);
  ChildSaRecord* old = sa_.find_child_by_inbound(rekey_spi_in_);
  if (old == nullptr) {
    return;  // deleted meanwhile (the peer's Delete crossed our rekey): the new SA stays
  }
  old->rekeying = false;
  const std::uint32_t old_out = old->spi_out;
  if (!crossing_.empty()) {
    // 2.8.1: both sides rekeyed this SA. The SA created with the lowest of the four nonces
    // is redundant and is deleted by the side that created it; the other side's rekey
    // initiator deletes the old SA.
    sa_.counters.inc(IkeCounter::ChildRekeyCollisions);
    const PeerRekey theirs = crossing_.front();
    crossing_.erase(crossing_.begin());
    if (holds_lowest_nonce(nonce_i_, nonce_r, theirs.nonce_i, theirs.nonce_r)) {
      sa_.counters.inc(IkeCounter::ChildRekeyRedundantDeleted);
      old->replaced = true;  // the peer's SA (already announced) replaces it
      (void)delete_child(sa_, new_in, now);
      return;
    }
    if (ChildSaRecord* redundant = sa_.find_child_by_inbound(theirs.new_spi_in)) {
      redundant->replaced = true;  // the peer deletes it
    }
  }
  sa_.outputs.emplace_back(ChildSaRekeyed{rekey_spi_in_, old_out, new_in, new_out, false});
  if (ChildSaRecord* replaced = sa_.find_child_by_inbound(rekey_spi_in_)) {
    replaced->replaced = true;
  }
  // 1.3.3: the rekey initiator deletes the old SA once the new one is in place.
  (void)delete_child(sa_, rekey_spi_in_, now);
}

// ---- responder ---------------------------------------------------------------------------

std::optional<TaskStatus> ChildRekey::check_rekeyed(const InMessage& request) {
  // 1.3.3: N(REKEY_SA) names the SPI the peer receives on, i.e. our outbound SPI.
  const auto* rekey = wire::find_notify(request.payloads, wire::NotifyType::RekeySa);
  const auto spi = rekey != nullptr ? spi32_of(rekey->spi) : std::nullopt;
  ChildSaRecord* old = spi ? sa_.find_child_by_outbound(*spi) : nullptr;
  if (old == nullptr) {
    return refuse(request, esp_notify(wire::NotifyType::ChildSaNotFound, spi.value_or(0)),
                  IkeCounter::ChildSaNotFoundSent);  // 2.25
  }
  if (old->deleting || old->replaced) {
    // 2.25.1: a rekey of an SA we are deleting (or already replaced by our own rekey).
    return refuse(request, wire::make_notify(wire::NotifyType::TemporaryFailure),
                  IkeCounter::TemporaryFailureSent);
  }
  old_in_ = old->spi_in;
  old_out_ = old->spi_out;
  collision_ = old->rekeying;  // ours is queued or in flight: answer as usual (2.8.1)
  return std::nullopt;
}

void ChildRekey::on_peer_installed(std::uint32_t new_in, std::uint32_t new_out, base::TimePoint) {
  sa_.counters.inc(IkeCounter::ChildSasRekeyed);
  sa_.outputs.emplace_back(ChildSaRekeyed{old_in_, old_out_, new_in, new_out, true});
  if (collision_) {
    // Decided when our own rekey of it is answered.
    Task* ours = sa_.tasks.find_if([&](const Task& t) {
      return t.kind() == TaskKind::ChildRekey && static_cast<const ChildRekey&>(t).rekeys(old_in_);
    });
    if (ours != nullptr) {
      static_cast<ChildRekey*>(ours)->collide(PeerRekey{new_in, nonce_i_, nonce_r_});
    }
  } else if (ChildSaRecord* old = sa_.find_child_by_inbound(old_in_)) {
    old->replaced = true;  // the peer, as rekey initiator, deletes it (1.3.3)
  }
}

base::Result<void> rekey_child(SaContext& sa, std::uint32_t spi_in, base::TimePoint now) {
  if (sa.state != IkeSaState::Established || !sa.keys) {
    return base::fail(base::Error{"wrong_state", "rekey_child needs an established SA"});
  }
  ChildSaRecord* child = sa.find_child_by_inbound(spi_in);
  if (child == nullptr || child->deleting || child->replaced || child->rekeying) {
    return base::fail(base::Error{"no_child", "no such Child SA, or it is going away"});
  }
  child->rekeying = true;
  child->rekey_retry_at = base::kNever;
  // 2.8: the new SA repeats the old one's selectors and mode; our configured suite and PFS.
  ChildSaConfig config = sa.config.child;
  config.esp = esp_config_for(EspSuite{child->encr, child->encr_key_bits, child->integ},
                              sa.config.child.esp.dh_groups);
  config.ts_i = child->ts_local;
  config.ts_r = child->ts_remote;
  config.transport_mode = child->mode == ChildMode::Transport;
  sa.tasks.queue(wire::ExchangeType::CreateChildSa,
                 std::make_unique<ChildRekey>(sa, std::move(config), spi_in), now);
  return {};
}

}  // namespace ike::engine
