#pragma once
// IkeResponder: the responder front in front of every responder IkeSa (sans-IO, STYLE B1).
// It sees each datagram addressed to no existing SA, parses the IKE_SA_INIT request with
// ike::wire and, BEFORE any DH work or state, asks an injected InitDecision (admission.h;
// strongSwan's redirect_provider; the HA implements it with its AdmissionPolicy):
//   Serve    -> create a responder IkeSa (the existing code path), which records whether the
//               peer announced RFC 5685 support (R5685-02);
//   Redirect -> stateless HDR(SPIi, 0) N(REDIRECT, gateway, Ni data) (R5685-04, -34..36), but
//               never to a peer that announced neither REDIRECT_SUPPORTED nor REDIRECTED_FROM
//               (R5685-03: the front overrides the decision and counts it);
//   Refuse   -> stateless HDR(SPIi, 0) N(error), or silence.
// Half-open SAs (IKE_SA_INIT answered, no IKE_AUTH yet) are counted; the count goes to the
// decision and a hard bound makes the front drop Serve verdicts beyond it.
// Datagrams for existing SAs are routed by SPIr (IKE_SA_INIT retransmits by SPIi and the
// sender's address and port). The SAs live in an IkeSaManager filed by SPIr, which keeps
// their deadlines in a heap: next_deadline() is O(1) and on_timer() runs only the due SAs.
// Outputs: datagrams to send, one InitDecided event per decision, SA life events and every
// other output of the served SAs, tagged with their SPIr.
// COOKIE (RFC 7296 2.6, R7296-21..23): at or above cookie_threshold half-open SAs, a request
// without a valid N(COOKIE) gets a stateless HDR(SPIi, 0) N(COOKIE) (cookie.h) and nothing
// else: no decision, no SA, no DH. The check comes BEFORE the InitDecision, so under attack
// only initiators that can receive at their source address reach the decision (and its
// redirect / serve bookkeeping).
// R7296-43: unprotected error answers (refusals, and the INVALID_SYNTAX / NO_PROPOSAL_CHOSEN /
// INVALID_KE_PAYLOAD / ... of the SAs the front creates) pass one token bucket; the rest are
// dropped and counted. COOKIE and REDIRECT answers are the load-shedding answers themselves
// and are not limited (both are smaller than the request, so they amplify nothing).
// Fast path: a new IKE_SA_INIT request is read in place (init_request_view.h) and a
// REDIRECT encoded into a recycled buffer; a request the view does not vouch for falls back
// to the full decode, so answers, drops and counters are those of the full path
// (tests/ike/engine/init_fast_path_test.cc). A served request is decoded in full by its SA.
// Not yet: anycast reply address (R5685-14 is the shell's business), lingering failed SAs to
// resend their last error answer; a failed SA is removed at once.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <variant>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/counters.h"
#include "ike/base/enum_names.h"
#include "ike/base/log.h"
#include "ike/engine/admission.h"
#include "ike/engine/cookie.h"
#include "ike/engine/engine_types.h"
#include "ike/engine/ike_sa.h"
#include "ike/engine/ike_sa_manager.h"
#include "ike/engine/init_request_view.h"
#include "ike/wire/notify_payload.h"

namespace ike::engine {

struct IkeResponderConfig {
  IkeSaConfig sa;  // template for every responder SA; role is forced to Responder
  std::uint32_t max_half_open = 1024;  // Serve verdicts beyond this are dropped
  // Answer when the decision wants to redirect a peer that cannot be redirected (R5685-03);
  // nullopt drops the request.
  std::optional<wire::NotifyType> unredirectable_answer = wire::NotifyType::NoProposalChosen;
  // R7296-21: from this many half-open SAs on, IKE_SA_INIT needs a valid cookie; 0 demands one
  // always, nullopt never.
  std::optional<std::uint32_t> cookie_threshold = 256;
  // The cookie secret changes this often; the previous one stays valid (cookie.h).
  base::Duration cookie_secret_rotation = std::chrono::minutes(2);
  // R7296-43: unprotected error answers, sustained rate and burst (token bucket).
  double error_answers_per_second = 100;
  double error_answer_burst = 50;
  // Issue 4: a new IKE_SA_INIT request is read with view_init_request() (no payload objects,
  // no allocation) and a REDIRECT is encoded into a recycled buffer; whatever the view does
  // not vouch for, and every served request, is decoded in full. Off: always the full decode
  // (the reference the differential tests compare against).
  bool init_fast_path = true;
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
MIP6_ENUM_NAMES(InitOutcome, Served, ServeRejectedBySa, HalfOpenLimit, Redirected,
                RedirectForbidden, Refused, RefusedSilently);

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
// The SA is gone (failed, or closed by a Delete); `established` tells a lost reservation
// from a used one.
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
  CookiesSent,              // N(COOKIE) answered, nothing kept (R7296-21)
  CookiesAccepted,          // a valid cookie let the request through to the decision
  CookiesInvalid,           // wrong / old / foreign cookie: answered with a fresh one (R7296-23)
  ErrorAnswersRateLimited,  // unprotected error answer dropped by the bucket (R7296-43)
  kCount,
};
MIP6_COUNTER_NAMES(ResponderCounter, DatagramsIn, DroppedUndecodable, DroppedNoSa,
                   InitRejectedMalformed, Decisions, Served, ServeRejectedBySa, HalfOpenLimitDrops,
                   Redirected, RedirectForbidden, RedirectEncodeFailed, Refused, RefusedSilently,
                   SpiCollisions, SasRemoved, CookiesSent, CookiesAccepted, CookiesInvalid,
                   ErrorAnswersRateLimited);
using ResponderCounters =
    base::CounterSet<ResponderCounter, static_cast<std::size_t>(ResponderCounter::kCount)>;

class IkeResponder {
 public:
  // `env` and `decision` must outlive the front.
  IkeResponder(IkeResponderConfig config, Environment env, InitDecision& decision);
  IkeResponder(const IkeResponder&) = delete;
  IkeResponder& operator=(const IkeResponder&) = delete;

  void on_datagram(const Path& path, std::span<const std::uint8_t> bytes, base::TimePoint now);
  // The same for a datagram whose header the caller has read already (io::IkeDriver routes
  // by it): the header is not parsed a second time.
  void on_datagram(const Path& path, const wire::Header& header,
                   std::span<const std::uint8_t> bytes, base::TimePoint now);
  void on_timer(base::TimePoint now);
  [[nodiscard]] base::TimePoint next_deadline() const;
  [[nodiscard]] std::vector<ResponderOutput> take_outputs();
  // The same into `out` (cleared first): the two vectors swap, so a caller that keeps its
  // vector makes the per-datagram path allocation-free.
  void take_outputs(std::vector<ResponderOutput>& out);
  // Hands back the bytes of a SendDatagram that has been sent: the next stateless REDIRECT
  // is encoded into it instead of a fresh allocation.
  void recycle(std::vector<std::uint8_t>&& buffer);

  [[nodiscard]] std::size_t sa_count() const { return sas_.size(); }
  // How often a served SA's next_deadline() was read (IkeSaManager::deadline_reads()).
  [[nodiscard]] std::uint64_t deadline_reads() const { return sas_.deadline_reads(); }
  [[nodiscard]] std::uint32_t half_open() const {
    return static_cast<std::uint32_t>(half_open_.size());
  }
  [[nodiscard]] const IkeSa* find(wire::Spi spi_r) const;
  // A datagram with this SPIr belongs to one of our SAs: filed under it, or an old SPIr of an
  // SA rekeyed in place (engine::IkeSaRekeyed) whose Delete is not done yet.
  [[nodiscard]] bool routes(wire::Spi spi_r) const;
  // Old SPIrs still routed to an SA rekeyed in place (until IkeSpisRetired).
  [[nodiscard]] std::size_t alias_count() const { return aliases_.size(); }
  // A command on one of our SAs (IkeSa::redirect() for RFC 5685 5, request_delete(),
  // delete_child(), check_liveness()), after which its outputs are drained as usual.
  // Unknown spi_r: error.
  [[nodiscard]] base::Result<void> with_sa(
      wire::Spi spi_r, const std::function<base::Result<void>(IkeSa&, base::TimePoint)>& command,
      base::TimePoint now);
  [[nodiscard]] const ResponderCounters& counters() const { return counters_; }

 private:
  void handle_new_init(const Path& path, std::span<const std::uint8_t> bytes, base::TimePoint now);
  // Cookie check, decision and its answer: the same for the fast and the full decode path.
  void decide_init(const Path& path, const InitRequestView& request,
                   std::span<const std::uint8_t> bytes, base::TimePoint now);
  void reject_malformed(const Path& path, std::span<const std::uint8_t> bytes, base::TimePoint now);
  void serve(const Path& path, const wire::Header& header, std::span<const std::uint8_t> bytes,
             std::uint64_t tag, InitDecided event, base::TimePoint now);
  void answer(const Path& path, const wire::Header& request, wire::NotifyPayload notify);
  // answer() for error notifies: through the R7296-43 bucket.
  void answer_error(const Path& path, const wire::Header& request, wire::NotifyPayload notify,
                    base::TimePoint now);
  // True when the request may go on to the decision; otherwise N(COOKIE) was answered.
  [[nodiscard]] bool cookie_passes(const Path& path, const InitRequestView& request,
                                   base::TimePoint now);
  // Adds what the bucket suppressed inside the SAs since `before` to our counter.
  void count_suppressed(std::uint64_t before);
  // Moves the SA's outputs out; removes it when it failed.
  void drain(std::uint64_t spi_r);
  // FiledSa::remote: two initiators behind one NAT may share an SPIi.
  [[nodiscard]] FiledSa* find_half_open(wire::Spi spi_i, const Endpoint& remote);

  IkeResponderConfig config_;
  // R7296-43 bucket, used unless the Environment brings a shared one (env_ points at it).
  base::RateLimiter error_limiter_;
  Environment env_;
  CookieJar cookies_;
  InitDecision& decision_;
  IkeSaManager<std::uint64_t, std::unordered_map> sas_;  // by SPIr
  // IKE SA rekey (tasks/ike_rekey.h): retiring SPIr -> the SPIr the SA is filed under now.
  std::unordered_map<std::uint64_t, std::uint64_t> aliases_;
  // Half-open SAs by SPIi -> SPIr: retransmitted IKE_SA_INIT requests find their SA here, and
  // its size is the half-open count.
  std::unordered_multimap<std::uint64_t, std::uint64_t> half_open_;
  std::vector<ResponderOutput> outputs_;
  std::vector<std::vector<std::uint8_t>> spare_buffers_;  // recycle()d, for REDIRECT answers
  ResponderCounters counters_;
};

}  // namespace ike::engine
