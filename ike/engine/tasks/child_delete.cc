#include "ike/engine/tasks/child_delete.h"

#include <algorithm>
#include <memory>

#include "ike/engine/sa_context.h"

namespace ike::engine {

TaskStatus ChildDelete::build_request(std::vector<wire::Payload>& out, base::TimePoint) {
  wire::ProtocolId protocol = wire::ProtocolId::Esp;
  if (installed_) {
    // The peer's crossing Delete may have removed it meanwhile: nothing left to say.
    const ChildSaRecord* r = sa_.find_child_by_inbound(spi_in_);
    if (r == nullptr) {
      return TaskStatus::Failed;
    }
    protocol = r->protocol;
  }
  sa_.counters.inc(IkeCounter::ChildDeletesSent);
  // D(ESP) with our inbound SPI (1.4.1, R7296-55).
  const std::uint32_t spis[] = {spi_in_};
  out.push_back(wire::make_payload(wire::DeletePayload::make_child(protocol, spis)));
  return TaskStatus::Done;
}

TaskStatus ChildDelete::process_response(const InMessage&) {
  // The answer's D names the peer's half; both halves go now. After a crossing Delete the
  // record is already gone (1.4.1) and nothing more is said. A refused SA was never ours.
  if (installed_) {
    (void)sa_.remove_child(spi_in_, false);
  }
  return TaskStatus::Done;
}

base::Result<void> delete_child(SaContext& sa, std::uint32_t spi_in, base::TimePoint now) {
  if (sa.state != IkeSaState::Established) {
    return base::fail(base::Error{"wrong_state", "Child SA delete needs an established SA"});
  }
  ChildSaRecord* record = sa.find_child_by_inbound(spi_in);
  if (record == nullptr || record->deleting) {
    return base::fail(base::Error{"unknown_spi", "no such Child SA (or already deleting)"});
  }
  record->deleting = true;
  sa.tasks.queue(wire::ExchangeType::Informational, std::make_unique<ChildDelete>(sa, spi_in, true),
                 now);
  return {};
}

void delete_refused_child(SaContext& sa, std::uint32_t spi_in, base::TimePoint now) {
  sa.tasks.queue(wire::ExchangeType::Informational,
                 std::make_unique<ChildDelete>(sa, spi_in, false), now);
}

void PeerChildDeletes::on_delete(SaContext& sa, const wire::DeletePayload& d) {
  if ((d.protocol != wire::ProtocolId::Esp && d.protocol != wire::ProtocolId::Ah) ||
      d.spi_size != 4) {
    sa.counters.inc(IkeCounter::DeleteMalformed);
    sa.outputs.emplace_back(InformationalNote{"malformed_child_delete", std::nullopt, 0});
    return;
  }
  // The peer names its inbound SPIs, i.e. our outbound ones (1.4.1).
  for (const std::uint32_t spi : d.spis32()) {
    ChildSaRecord* r = sa.find_child_by_outbound(spi);
    if (r == nullptr || r->protocol != d.protocol ||
        std::find(deleted_in_.begin(), deleted_in_.end(), r->spi_in) != deleted_in_.end()) {
      sa.counters.inc(IkeCounter::ChildDeleteUnknownSpi);
      sa.outputs.emplace_back(InformationalNote{"unknown_child_spi", std::nullopt, spi});
      continue;
    }
    sa.counters.inc(IkeCounter::ChildDeletesReceived);
    deleted_in_.push_back(r->spi_in);
    // Our own Delete for it is crossing this one: no D for it in the answer (1.4.1).
    if (!r->deleting) {
      answer_spis_.push_back(r->spi_in);
    }
  }
}

void PeerChildDeletes::answer(std::vector<wire::Payload>& out) const {
  if (!answer_spis_.empty()) {
    out.insert(out.begin(), wire::make_payload(wire::DeletePayload::make_child(
                                wire::ProtocolId::Esp, answer_spis_)));
  }
}

void PeerChildDeletes::apply(SaContext& sa) const {
  for (const std::uint32_t spi_in : deleted_in_) {
    (void)sa.remove_child(spi_in, true);
  }
}

}  // namespace ike::engine
