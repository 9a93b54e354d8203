#pragma once
// IkeResponder: the responder front in front of every responder IkeSa (sans-IO, STYLE B1).
// It sees each datagram addressed to no existing SA, parses the IKE_SA_INIT request with
// ike::wire and, BEFORE any DH work or state, asks an injected InitDecision (strongSwan's
// redirect_provider; the HA implements it with its AdmissionPolicy):
//   Serve    -> create a responder IkeSa (the existing code path), which records whether the
//               peer announced RFC 5685 support (R5685-02);
//   Redirect -> stateless HDR(SPIi, 0) N(REDIRECT, gateway, Ni data) (R5685-04, -34..36), but
//               never to a peer that announced neither REDIRECT_SUPPORTED nor REDIRECTED_FROM
//               (R5685-03: the front overrides the decision and counts it);
//   Refuse   -> stateless HDR(SPIi, 0) N(error), or silence.
// Half-open SAs (IKE_SA_INIT answered, no IKE_AUTH yet) are counted; the count goes to the
// decision and a hard bound makes the front drop Serve verdicts beyond it.
// Datagrams for existing SAs are routed by SPIr (IKE_SA_INIT retransmits by SPIi + address).
// Outputs: datagrams to send, one InitDecided event per decision, SA life events and every
// other output of the served SAs, tagged with their SPIr.
// Not yet: COOKIE (R7296-21..24), anycast reply address (R5685-14 is the shell's business),
// lingering failed SAs to resend their last error answer; a failed SA is removed at once.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <variant>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/counters.h"
#include "ike/engine/engine_types.h"
#include "ike/engine/ike_sa.h"
#include "ike/wire/notify_payload.h"

namespace ike::engine {

// What the decision sees of an IKE_SA_INIT request (no DH done, nothing stored yet).
struct InitContext {
  base::Ip6Addr initiator;  // source address of the request
  base::Ip6Addr local;      // the address it arrived on (unicast or anycast)
  // REDIRECT_SUPPORTED or REDIRECTED_FROM was present (R5685-02).
  bool redirect_supported = false;
  std::optional<wire::GwIdentity> redirected_from;
  std::span<const std::uint8_t> nonce_i;  // valid during decide() only
  std::uint32_t half_open = 0;            // current half-open responder SAs
};

// `tag` is opaque to the engine (the HA's Binding Cache reservation); it comes back in the
// events about the SA so the owner can release it.
struct ServeInit {
  std::uint64_t tag = 0;
};
struct RedirectInit {
  wire::GwIdentity gateway;  // IPv4, IPv6 or FQDN (R5685-35)
};
struct RefuseInit {
  std::optional<wire::NotifyType> notify = wire::NotifyType::NoProposalChosen;  // none: silence
};
using InitVerdict = std::variant<ServeInit, RedirectInit, RefuseInit>;

class InitDecision {
 public:
  virtual ~InitDecision() = default;
  [[nodiscard]] virtual InitVerdict decide(const InitContext& context, base::TimePoint now) = 0;
};

struct IkeResponderConfig {
  IkeSaConfig sa;  // template for every responder SA; role is forced to Responder
  std::uint32_t max_half_open = 1024;  // Serve verdicts beyond this are dropped
  // Answer when the decision wants to redirect a peer that cannot be redirected (R5685-03);
  // nullopt drops the request.
  std::optional<wire::NotifyType> unredirectable_answer = wire::NotifyType::NoProposalChosen;
};

enum class InitOutcome : std::uint8_t {
  Served,             // responder SA created, IKE_SA_INIT answered
  ServeRejectedBySa,  // Serve, but the SA answered with an error (e.g. NO_PROPOSAL_CHOSEN)
  HalfOpenLimit,      // Serve, but the half-open bound was reached: dropped
  Redirected,         // stateless N(REDIRECT) sent (R5685-04)
  RedirectForbidden,  // Redirect, but the peer announced no support (R5685-03)
  Refused,            // stateless error notify sent
  RefusedSilently,    // Refuse without a notify: dropped
};
std::string_view to_string(InitOutcome o);

// One per decision (the event log and the HA's reservation bookkeeping).
struct InitDecided {
  Path path;
  wire::Spi spi_i;
  InitOutcome outcome = InitOutcome::Served;
  std::optional<std::uint64_t> tag;        // Serve verdicts
  std::optional<wire::GwIdentity> target;  // Redirect verdicts
  std::optional<wire::NotifyType> notify;  // the notify answered, if any
  bool redirect_supported = false;
};
struct ResponderSaCreated {
  wire::Spi spi_i;
  wire::Spi spi_r;
  std::uint64_t tag = 0;
  bool redirect_supported = false;  // recorded per SA (R5685-02)
};
// The SA is gone (failed); `established` tells a lost reservation from a used one.
struct ResponderSaRemoved {
  wire::Spi spi_r;
  std::uint64_t tag = 0;
  bool established = false;
};
// Any non-datagram output of a served SA.
struct ResponderSaEvent {
  wire::Spi spi_r;
  Output output;
};
using ResponderOutput = std::variant<SendDatagram, InitDecided, ResponderSaCreated,
                                     ResponderSaRemoved, ResponderSaEvent>;

enum class ResponderCounter : std::uint8_t {
  DatagramsIn,
  DroppedUndecodable,     // not even an IKE header
  DroppedNoSa,            // SPIr unknown, or a response / non-INIT request without an SA
  InitRejectedMalformed,  // bad IKE_SA_INIT: answered (or not) by a throw-away SA, no state
  Decisions,
  Served,
  ServeRejectedBySa,
  HalfOpenLimitDrops,
  Redirected,
  RedirectForbidden,  // R5685-03 override of the decision
  RedirectEncodeFailed,
  Refused,
  RefusedSilently,
  SpiCollisions,
  SasRemoved,
  kCount,
};
std::string_view to_string(ResponderCounter c);
using ResponderCounters =
    base::CounterSet<ResponderCounter, static_cast<std::size_t>(ResponderCounter::kCount)>;

class IkeResponder {
 public:
  // `env` and `decision` must outlive the front.
  IkeResponder(IkeResponderConfig config, Environment env, InitDecision& decision);
  IkeResponder(const IkeResponder&) = delete;
  IkeResponder& operator=(const IkeResponder&) = delete;

  void on_datagram(const Path& path, std::span<const std::uint8_t> bytes, base::TimePoint now);
  void on_timer(base::TimePoint now);
  [[nodiscard]] base::TimePoint next_deadline() const;
  [[nodiscard]] std::vector<ResponderOutput> take_outputs();

  [[nodiscard]] std::size_t sa_count() const { return sas_.size(); }
  [[nodiscard]] std::uint32_t half_open() const {
    return static_cast<std::uint32_t>(half_open_.size());
  }
  [[nodiscard]] const IkeSa* find(wire::Spi spi_r) const;
  [[nodiscard]] const ResponderCounters& counters() const { return counters_; }

 private:
  struct Entry {
    std::unique_ptr<IkeSa> sa;
    std::uint64_t tag = 0;
    base::Ip6Addr remote;
    bool established = false;
  };

  void handle_new_init(const Path& path, std::span<const std::uint8_t> bytes, base::TimePoint now);
  void reject_malformed(const Path& path, std::span<const std::uint8_t> bytes, base::TimePoint now);
  void serve(const Path& path, const wire::Header& header, std::span<const std::uint8_t> bytes,
             std::uint64_t tag, InitDecided event, base::TimePoint now);
  void answer(const Path& path, const wire::Header& request, wire::NotifyPayload notify);
  // Moves the SA's outputs out; removes it when it failed.
  void drain(std::uint64_t spi_r);
  [[nodiscard]] Entry* find_half_open(wire::Spi spi_i, const base::Ip6Addr& remote);

  IkeResponderConfig config_;
  Environment env_;
  InitDecision& decision_;
  std::unordered_map<std::uint64_t, Entry> sas_;  // by SPIr
  // Half-open SAs by SPIi -> SPIr: retransmitted IKE_SA_INIT requests find their SA here, and
  // its size is the half-open count.
  std::unordered_multimap<std::uint64_t, std::uint64_t> half_open_;
  std::vector<ResponderOutput> outputs_;
  ResponderCounters counters_;
};

}  // namespace ike::engine
