#pragma once
// IKE SA rekey state (RFC 7296 1.3.2, 2.8.2, 2.18), used by IkeSa (ike_rekey_task.cc).
//
// Design: the rekey happens IN PLACE. The IkeSa object that ran the old IKE SA adopts the new
// one (SPIs, keys, message IDs from 0, the rekey initiator as original initiator, i.e. our
// Role and I flag may flip) and keeps the Child SAs; the shell only re-files it under the new
// SPIs (IkeSaRekeyed). What the old SA still has to do, i.e. its Delete exchange, the answer
// to a retransmitted rekey request, the peer's Delete of it, lives on in a RetiringIkeSa
// inside the same object, reached by its own SPIs until it ends (IkeSpisRetired). A
// simultaneous rekey (2.8.2) yields a second new SA; the redundant one becomes a
// RetiringIkeSa as well. Owners therefore keep one pointer per IKE SA across any number of
// rekeys, and Child SA records, tags and CP results never have to move between objects.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "ike/base/clock.h"
#include "ike/crypto/key_derivation.h"
#include "ike/crypto/prf.h"
#include "ike/crypto/sk_cipher.h"
#include "ike/engine/engine_types.h"
#include "ike/engine/exchange.h"
#include "ike/engine/proposals.h"
#include "ike/engine/sk_protection.h"

namespace ike::engine {

// The keys of a new IKE SA from a rekey exchange, before the IkeSa adopts it.
struct RekeyedIkeSa {
  IkeSpis spis;  // role: ours in the new SA (the rekey initiator is its original initiator)
  IkeSuite suite;
  std::optional<crypto::Prf> prf;
  std::optional<crypto::IkeSaKeys> keys;
  std::unique_ptr<crypto::SkCipher> cipher_in;
  std::unique_ptr<crypto::SkCipher> cipher_out;
  // This exchange's nonces: the lowest of four decides a collision (2.8.2).
  std::vector<std::uint8_t> nonce_i;
  std::vector<std::uint8_t> nonce_r;
};

// An IKE SA this object no longer runs but still answers for, until its Delete is done.
struct RetiringIkeSa {
  IkeSpis spis;
  std::unique_ptr<crypto::SkCipher> cipher_in;
  std::unique_ptr<crypto::SkCipher> cipher_out;
  ResponderWindow window;          // a retransmitted rekey request still gets its answer (R7296-37)
  OutstandingRequest outstanding;  // our request on it (our Delete of it, mostly)
  std::uint32_t next_request_id = 0;
  // The response handler of a request of ours that was in flight when the SA was replaced.
  std::function<void(const Path&, const OpenedMessage&, base::TimePoint)> on_response;
  bool delete_by_us = false;  // we send its Delete (2.18: the rekey initiator does)
  bool delete_sent = false;
  bool peer_deleted = false;  // the peer's D(IKE) came: only its retransmits are answered
  base::TimePoint linger_until = base::kNever;  // waiting for the peer's Delete until then
};

// 2.8.1 / 2.8.2: the exchange holding the lowest of the four nonces created the redundant SA.
// True when that is the exchange with nonces (a_i, a_r) rather than (b_i, b_r).
[[nodiscard]] bool holds_lowest_nonce(std::span<const std::uint8_t> a_i,
                                      std::span<const std::uint8_t> a_r,
                                      std::span<const std::uint8_t> b_i,
                                      std::span<const std::uint8_t> b_r);

}  // namespace ike::engine
