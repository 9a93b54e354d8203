#pragma once
// Child SA deletion (RFC 7296 1.4.1, R7296-55), both roles: our INFORMATIONAL{D(ESP, spi_in)}
// (ChildDelete; ChildSaDeleted once answered, both halves go), the same for a Child SA the
// peer installed but we refused (2.21.3), and the peer's Deletes, which the INFORMATIONAL
// responder hands to PeerChildDeletes: it names the peer's inbound SPIs (our outbound ones),
// our answer names ours, except for SAs whose Delete of ours is crossing it.
#include <cstdint>
#include <vector>

#include "ike/base/result.h"
#include "ike/engine/task.h"
#include "ike/wire/delete_payload.h"

namespace ike::engine {

struct SaContext;

class ChildDelete final : public Task {
 public:
  // `installed`: the SA is one of our records (removed when answered); else the peer's half
  // of an SA we refused, which we never installed.
  ChildDelete(SaContext& sa, std::uint32_t spi_in, bool installed)
      : sa_(sa), spi_in_(spi_in), installed_(installed) {}
  [[nodiscard]] TaskKind kind() const override { return TaskKind::ChildDelete; }
  TaskStatus build_request(std::vector<wire::Payload>& out, base::TimePoint now) override;
  TaskStatus process_response(const InMessage& response) override;

 private:
  SaContext& sa_;
  std::uint32_t spi_in_;
  bool installed_;
};

// Established: deletes our Child SA whose inbound SPI is spi_in. Unknown or already_deleting
// SPI: error.
[[nodiscard]] base::Result<void> delete_child(SaContext& sa, std::uint32_t spi_in,
                                              base::TimePoint now);
// A Child SA the responder installed but we refused (TS not a subset of ours, 2.9):
// INFORMATIONAL{D(ESP, spi_in)} so the peer removes its half too (2.21.3, 1.4.1).
void delete_refused_child(SaContext& sa, std::uint32_t spi_in, base::TimePoint now);

// The Child SAs the peer's INFORMATIONAL request deletes.
class PeerChildDeletes {
 public:
  // One D(ESP/AH) payload: malformed ones and unknown SPIs are counted and noted.
  void on_delete(SaContext& sa, const wire::DeletePayload& d);
  // D(ESP) with our inbound SPIs of the deleted SAs, first in the answer (1.4.1).
  void answer(std::vector<wire::Payload>& out) const;
  // After the answer: the records go (ChildSaDeleted, by the peer).
  void apply(SaContext& sa) const;

 private:
  std::vector<std::uint32_t> deleted_in_;   // our inbound SPIs of the Child SAs the peer deletes
  std::vector<std::uint32_t> answer_spis_;  // ... of those we name in the answer
};

}  // namespace ike::engine
