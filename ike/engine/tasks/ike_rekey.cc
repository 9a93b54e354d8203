#include "ike/engine/tasks/ike_rekey.h"

#include <algorithm>
#include <utility>

#include "ike/engine/tasks/child_rekey.h"
#include "ike/engine/tasks/ike_init.h"
#include "ike/engine/tasks/payloads.h"
#include "ike/engine/tasks/sa_lifetime.h"
#include "ike/wire/rules.h"

namespace ike::engine {
namespace {

std::vector<std::uint8_t> spi_bytes(wire::Spi spi) {
  std::vector<std::uint8_t> out(8);
  for (int i = 0; i < 8; ++i) {
    out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(spi.value() >> (56 - 8 * i));
  }
  return out;
}

std::optional<wire::Spi> spi_of(const std::vector<std::uint8_t>& bytes) {
  if (bytes.size() != 8) {
    return std::nullopt;
  }
  std::uint64_t v = 0;
  for (std::uint8_t b : bytes) {
    v = (v << 8) | b;
  }
  return v == 0 ? std::nullopt : std::optional(wire::Spi(v));
}

bool deletes_ike_sa(std::span<const wire::Payload> inner) {
  return std::any_of(inner.begin(), inner.end(), [](const wire::Payload& p) {
    const auto* d = p.get<wire::DeletePayload>();
    return d != nullptr && d->protocol == wire::ProtocolId::Ike;
  });
}

// 2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) with the OLD SA's PRF; the seven
// keys with the new SA's PRF, the rekey's nonces and the new SPIs (R7296-25).
base::Result<RekeyedIkeSa> derive_rekeyed(SaContext& sa, const IkeSuite& suite,
                                          std::span<const std::uint8_t> g_ir, IkeSpis spis,
                                          std::vector<std::uint8_t> nonce_i,
                                          std::vector<std::uint8_t> nonce_r) {
  auto prf = crypto::Prf::create(suite.transforms.prf);
  if (!prf) {
    return base::fail(prf.error());
  }
  const base::SecretBytes skeyseed =
      crypto::compute_rekey_skeyseed(*sa.prf, sa.keys->sk_d.view(), g_ir, nonce_i, nonce_r);
  auto set = derive_ike_key_set(suite, std::move(*prf), skeyseed.view(), nonce_i, nonce_r, spis,
                                sa.env.random);
  if (!set) {
    return base::fail(set.error());
  }
  return RekeyedIkeSa{spis, suite, std::move(*set), std::move(nonce_i), std::move(nonce_r)};
}

void ensure_retiring_timer(SaContext& sa) {
  if (sa.tasks.timer(TaskKind::RetiringTimer) == nullptr) {
    sa.tasks.set_timer(std::make_unique<RetiringTimer>(sa));
  }
}

RetiringIkeSa retiring_from(RekeyedIkeSa& redundant, bool delete_by_us, base::TimePoint linger) {
  RetiringIkeSa r;
  r.spis = redundant.spis;
  r.cipher_in = std::move(redundant.keys.cipher_in);
  r.cipher_out = std::move(redundant.keys.cipher_out);
  r.delete_by_us = delete_by_us;
  r.linger_until = delete_by_us ? base::kNever : linger;
  return r;
}

void end_retiring(SaContext& sa, wire::Spi spi_i, wire::Spi spi_r) {
  const auto it = std::find_if(sa.retiring.begin(), sa.retiring.end(), [&](const RetiringIkeSa& r) {
    return r.spis.spi_i == spi_i && r.spis.spi_r == spi_r;
  });
  if (it == sa.retiring.end()) {
    return;
  }
  const IkeSpis spis = it->spis;
  sa.retiring.erase(it);
  sa.counters.inc(IkeCounter::RetiringSasEnded);
  sa.outputs.emplace_back(IkeSpisRetired{spis});
}

void send_retiring_delete(SaContext& sa, RetiringIkeSa& old, base::TimePoint now) {
  if (old.outstanding.active()) {
    return;  // after the request in flight on it (window size 1)
  }
  wire::Header h;
  h.spi_i = old.spis.spi_i;
  h.spi_r = old.spis.spi_r;
  h.exchange = wire::ExchangeType::Informational;
  h.initiator = old.spis.role == Role::Initiator;
  h.message_id = wire::MessageId(old.next_request_id);
  std::vector<wire::Payload> inner;
  inner.push_back(wire::make_payload(wire::DeletePayload::make_ike()));  // 2.18
  auto bytes = build_protected(h, std::move(inner), *old.cipher_out);
  if (!bytes) {
    end_retiring(sa, old.spis.spi_i, old.spis.spi_r);
    return;
  }
  sa.counters.inc(IkeCounter::IkeDeletesSent);
  sa.outputs.emplace_back(SendDatagram{sa.path, *bytes});
  old.outstanding.start(h.message_id, sa.path, std::move(*bytes), now, sa.config.retransmit);
  old.delete_sent = true;
}

// Switches the SA to `next`; the current SA becomes a RetiringIkeSa (deleted by us when
// `delete_old_by_us`); `redundant` (2.8.2) is kept as a retiring SA too.
void adopt_rekeyed(SaContext& sa, RekeyedIkeSa next, bool delete_old_by_us, bool by_peer,
                   std::optional<RekeyedIkeSa> redundant, bool redundant_by_us,
                   base::TimePoint now) {
  RetiringIkeSa old;
  old.spis = IkeSpis{sa.spi_i, sa.spi_r, sa.config.role};
  old.cipher_in = std::move(sa.cipher_in);
  old.cipher_out = std::move(sa.cipher_out);
  // The new SA: message IDs from 0 (R7296-39). A request of ours still in flight finishes on
  // the old SA.
  TaskManager::MessageState ids = sa.tasks.take_message_state();
  old.window = std::move(ids.window);
  old.next_request_id = ids.next_request_id;
  if (ids.in_flight) {
    old.outstanding = std::move(ids.outstanding);
    old.in_flight = std::move(ids.in_flight);
  }
  old.delete_by_us = delete_old_by_us;
  old.linger_until = delete_old_by_us ? base::kNever : now + sa.config.retiring_linger;

  // The rekey initiator is the new SA's original initiator and sets I from now on (R7296-04).
  sa.spi_i = next.spis.spi_i;
  sa.spi_r = next.spis.spi_r;
  sa.config.role = next.spis.role;
  sa.suite = next.suite;
  sa.prf = std::move(next.keys.prf);
  sa.keys = std::move(next.keys.keys);
  sa.cipher_in = std::move(next.keys.cipher_in);
  sa.cipher_out = std::move(next.keys.cipher_out);

  IkeSaRekeyed event;
  event.old_spis = old.spis;
  event.now_spis = next.spis;
  event.by_peer = by_peer;
  sa.retiring.push_back(std::move(old));
  if (redundant) {
    sa.retiring.push_back(
        retiring_from(*redundant, redundant_by_us, now + sa.config.retiring_linger));
  }
  ensure_retiring_timer(sa);
  for (const auto& r : sa.retiring) {
    event.retiring.push_back(r.spis);
  }
  sa.counters.inc(IkeCounter::IkeSasRekeyed);
  sa.outputs.emplace_back(std::move(event));
  schedule_ike_rekey(sa, now);
  for (std::size_t i = 0; i < sa.retiring.size(); ++i) {
    if (sa.retiring[i].delete_by_us && !sa.retiring[i].delete_sent) {
      send_retiring_delete(sa, sa.retiring[i], now);
    }
  }
  // Queued exchanges now run on the new SA (their build sees its keys).
  sa.tasks.start_next(now);
}

// Files a redundant new SA of a collision (2.8.2) as retiring; IkeSaRekeyed tells the shell.
void keep_redundant(SaContext& sa, RekeyedIkeSa redundant, bool delete_by_us, base::TimePoint now) {
  sa.retiring.push_back(retiring_from(redundant, delete_by_us, now + sa.config.retiring_linger));
  ensure_retiring_timer(sa);
  // The same event with unchanged current SPIs: the shell adds the new retiring pair.
  IkeSaRekeyed event;
  event.old_spis = IkeSpis{sa.spi_i, sa.spi_r, sa.config.role};
  event.now_spis = event.old_spis;
  event.by_peer = true;
  for (const auto& x : sa.retiring) {
    event.retiring.push_back(x.spis);
  }
  sa.outputs.emplace_back(std::move(event));
  if (delete_by_us) {
    send_retiring_delete(sa, sa.retiring.back(), now);
  }
}

// 2.8.2: our rekey and the peer's both succeeded; keep the one without the lowest nonce. The
// redundant SA is deleted by the side that created it; the survivor's initiator deletes the
// old SA.
void resolve_collision(SaContext& sa, RekeyedIkeSa ours, base::TimePoint now) {
  RekeyedIkeSa theirs = std::move(*sa.ike_rekey.peer_rekey);
  sa.ike_rekey.peer_rekey.reset();
  if (holds_lowest_nonce(ours.nonce_i, ours.nonce_r, theirs.nonce_i, theirs.nonce_r)) {
    adopt_rekeyed(sa, std::move(theirs), false, true, std::move(ours), true, now);
  } else {
    adopt_rekeyed(sa, std::move(ours), true, false, std::move(theirs), false, now);
  }
}

void answer_retiring_request(SaContext& sa, RetiringIkeSa& old, const Path& path,
                             const wire::Header& header, std::span<const std::uint8_t> bytes,
                             std::span<const wire::Payload> inner, base::TimePoint now) {
  sa.counters.inc(IkeCounter::RetiringRequestsAnswered);
  std::vector<wire::Payload> out;
  if (header.exchange == wire::ExchangeType::CreateChildSa) {
    // 2.25.2: nothing new on an SA that is going away; the peer retries on the new one.
    sa.counters.inc(IkeCounter::TemporaryFailureSent);
    out.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::TemporaryFailure)));
  }
  const bool deleted =
      header.exchange == wire::ExchangeType::Informational && deletes_ike_sa(inner);
  wire::Header h;
  h.spi_i = old.spis.spi_i;
  h.spi_r = old.spis.spi_r;
  h.exchange = header.exchange;
  h.initiator = old.spis.role == Role::Initiator;
  h.response = true;
  h.message_id = header.message_id;
  auto response = build_protected(h, std::move(out), *old.cipher_out);
  if (!response) {
    return;
  }
  sa.outputs.emplace_back(SendDatagram{path, *response});
  old.window.answered(header.message_id, bytes, std::move(*response));
  if (deleted) {
    // The peer deleted the old SA; the Child SAs live on in the new one (2.18). A little
    // while longer, only to answer a retransmission of that Delete.
    sa.counters.inc(IkeCounter::IkeDeletesReceived);
    old.peer_deleted = true;
    old.outstanding.clear();
    old.in_flight.reset();
    old.linger_until = std::min(old.linger_until, now + sa.config.retransmit.initial * 4);
  }
}

}  // namespace

// ---- initiator ---------------------------------------------------------------------------

base::Result<void> rekey_ike(SaContext& sa, base::TimePoint now) {
  if (sa.state != IkeSaState::Established || !sa.keys || !sa.suite) {
    return base::fail(base::Error{"wrong_state", "rekey_ike needs an established SA"});
  }
  if (sa.ike_rekey.queued) {
    return base::fail(base::Error{"busy", "an IKE SA rekey is already under way"});
  }
  sa.ike_rekey.queued = true;
  // The group in use is offered first and gets the KE (R7296-17); the others follow.
  sa.tasks.queue(wire::ExchangeType::CreateChildSa, std::make_unique<IkeRekey>(sa, sa.suite->dh),
                 now);
  return {};
}

TaskStatus IkeRekey::build_request(std::vector<wire::Payload>& out, base::TimePoint) {
  if (!sa_.ike_rekey.queued) {
    return TaskStatus::Failed;  // the peer's rekey replaced the SA while ours was queued
  }
  auto kex = sa_.env.key_exchanges.create(group_);
  if (!kex) {
    sa_.ike_rekey.queued = false;
    return TaskStatus::Failed;
  }
  kex_ = std::move(*kex);
  new_spi_i_ = random_ike_spi(sa_.env.random);
  nonce_i_ = sa_.env.random.bytes(sa_.config.nonce_size);
  IkeProposalConfig offer = sa_.config.ike;
  // KE's group first in the offer (3.4 SHOULD).
  std::stable_partition(offer.dh_groups.begin(), offer.dh_groups.end(),
                        [&](crypto::DhGroup g) { return g == group_; });
  out.push_back(wire::make_payload(make_ike_sa_offer(offer, spi_bytes(new_spi_i_))));
  out.push_back(wire::make_payload(wire::NoncePayload{nonce_i_}));
  out.push_back(make_ke_payload(*kex_));
  sa_.counters.inc(IkeCounter::IkeRekeysStarted);
  return TaskStatus::Done;
}

TaskStatus IkeRekey::process_response(const InMessage& response) {
  const base::TimePoint now = response.now;
  IkeRekeyState& state = sa_.ike_rekey;
  const auto& inner = response.payloads;
  const bool superseded = std::exchange(state.superseded, false);
  if (const auto error = first_error(inner)) {
    if (!superseded && *error == wire::NotifyType::InvalidKePayload) {
      const auto* n = wire::find_notify(inner, wire::NotifyType::InvalidKePayload);
      const auto group = wire::decode_invalid_ke_payload(*n);
      const auto& groups = sa_.config.ike.dh_groups;
      const auto wanted = std::find_if(groups.begin(), groups.end(), [&](crypto::DhGroup g) {
        return group && static_cast<std::uint16_t>(g) == *group;
      });
      if (wanted != groups.end() && *wanted != group_ &&
          invalid_ke_retries_ < sa_.config.max_invalid_ke_retries && !state.peer_rekey) {
        auto retry = std::make_unique<IkeRekey>(sa_, *wanted);
        retry->invalid_ke_retries_ = invalid_ke_retries_ + 1;
        sa_.counters.inc(IkeCounter::InvalidKeRetries);  // R7296-19
        sa_.tasks.queue(wire::ExchangeType::CreateChildSa, std::move(retry), now);
        return TaskStatus::Done;
      }
    }
    sa_.counters.inc(IkeCounter::IkeRekeyFailed);
    state.queued = false;
    if (state.peer_rekey) {
      // 2.8.2 / 2.25.2: the peer refused ours (TEMPORARY_FAILURE) after we answered theirs:
      // theirs is the new SA, and its initiator deletes the old one.
      RekeyedIkeSa theirs = std::move(*state.peer_rekey);
      state.peer_rekey.reset();
      adopt_rekeyed(sa_, std::move(theirs), false, true, std::nullopt, false, now);
      return TaskStatus::Done;
    }
    if (!superseded) {
      state.at = *error == wire::NotifyType::TemporaryFailure
                     ? now + sa_.config.rekey_retry_interval
                     : base::kNever;
    }
    return TaskStatus::Done;
  }
  const auto* sa = wire::find_first<wire::SaPayload>(inner);
  const auto* nonce = wire::find_first<wire::NoncePayload>(inner);
  const auto* ke = wire::find_first<wire::KePayload>(inner);
  std::optional<IkeSuite> suite;
  std::optional<wire::Spi> spi_r;
  if (sa != nullptr) {
    suite = accept_ike_answer(sa_.config.ike, *sa, 8);  // R7296-14
    if (suite) {
      spi_r = spi_of(sa->proposals[0].spi);
    }
  }
  std::optional<base::SecretBytes> g_ir;
  if (suite && spi_r && nonce != nullptr && ke != nullptr && suite->dh == group_ &&
      ke->dh_group == static_cast<std::uint16_t>(group_)) {
    if (auto secret = kex_->compute_shared_secret(ke->data)) {
      g_ir = std::move(*secret);
    }
  }
  base::Result<RekeyedIkeSa> next =
      g_ir ? derive_rekeyed(sa_, *suite, g_ir->view(), IkeSpis{new_spi_i_, *spi_r, Role::Initiator},
                            nonce_i_, nonce->data)
           : base::Result<RekeyedIkeSa>(
                 base::fail(base::Error{"bad_answer", "unusable IKE rekey answer"}));
  state.queued = false;
  if (!next) {
    // The peer may already run the new SA; without keys for it we cannot use it. The old SA
    // stays; a later rekey (or the peer's) replaces it.
    sa_.counters.inc(IkeCounter::IkeRekeyFailed);
    if (!superseded) {
      state.at = now + sa_.config.rekey_retry_interval;
    }
    return TaskStatus::Done;
  }
  if (superseded) {
    // The peer's rekey won and we already run it; ours is the redundant one (2.8.2).
    keep_redundant(sa_, std::move(*next), true, now);
    return TaskStatus::Done;
  }
  if (state.peer_rekey) {
    resolve_collision(sa_, std::move(*next), now);
    return TaskStatus::Done;
  }
  adopt_rekeyed(sa_, std::move(*next), true, false, std::nullopt, false, now);
  return TaskStatus::Done;
}

// ---- responder ---------------------------------------------------------------------------

TaskStatus IkeRekey::process_request(const InMessage& request) {
  const auto& inner = request.payloads;
  const auto* sa = wire::find_first<wire::SaPayload>(inner);
  const auto* nonce = wire::find_first<wire::NoncePayload>(inner);
  const auto* ke = wire::find_first<wire::KePayload>(inner);
  auto refuse = [&](wire::NotifyPayload notify, IkeCounter counter) {
    sa_.counters.inc(counter);
    sa_.send_protected_error(request.path, request.header, request.bytes, std::move(notify));
    return TaskStatus::Handled;
  };
  if (sa == nullptr || nonce == nullptr || ke == nullptr) {
    return refuse(wire::make_notify(wire::NotifyType::InvalidSyntax),
                  IkeCounter::EstablishedInvalidSyntaxSent);
  }
  const auto in_flight = sa_.tasks.in_flight();
  const bool own_child_exchange_in_flight =
      in_flight == TaskKind::ChildCreate || in_flight == TaskKind::ChildRekey;
  if (sa_.delete_queued || own_child_exchange_in_flight || sa_.ike_rekey.peer_rekey) {
    // 2.25.2: we are closing this SA, or a Child SA exchange of ours would have to move across.
    return refuse(wire::make_notify(wire::NotifyType::TemporaryFailure),
                  IkeCounter::TemporaryFailureSent);
  }
  auto selection = select_ike_proposal(sa_.config.ike, *sa, ke->dh_group, 8);
  if (!selection) {
    return refuse(wire::make_notify(wire::NotifyType::NoProposalChosen),
                  IkeCounter::NoProposalChosenSent);  // R7296-12
  }
  if (static_cast<std::uint16_t>(selection->suite.dh) != ke->dh_group) {
    return refuse(wire::make_invalid_ke_payload(static_cast<std::uint16_t>(selection->suite.dh)),
                  IkeCounter::InvalidKePayloadSent);  // R7296-18
  }
  const auto peer_spi = spi_of(selection->chosen.spi);
  auto kex = sa_.env.key_exchanges.create(selection->suite.dh);
  auto g_ir = kex ? (*kex)->compute_shared_secret(ke->data)
                  : base::Result<base::SecretBytes>(base::fail(kex.error()));
  if (!peer_spi || !g_ir) {
    return refuse(wire::make_notify(wire::NotifyType::InvalidSyntax),
                  IkeCounter::EstablishedInvalidSyntaxSent);
  }
  const wire::Spi our_spi = random_ike_spi(sa_.env.random);
  std::vector<std::uint8_t> nonce_r = sa_.env.random.bytes(sa_.config.nonce_size);
  auto next = derive_rekeyed(sa_, selection->suite, g_ir->view(),
                             IkeSpis{*peer_spi, our_spi, Role::Responder}, nonce->data, nonce_r);
  if (!next) {
    return refuse(wire::make_notify(wire::NotifyType::NoProposalChosen),
                  IkeCounter::NoProposalChosenSent);
  }
  wire::Proposal chosen = selection->chosen;
  chosen.spi = spi_bytes(our_spi);
  answer_.push_back(wire::make_payload(wire::SaPayload{{chosen}}));
  answer_.push_back(wire::make_payload(wire::NoncePayload{nonce_r}));
  answer_.push_back(make_ke_payload(**kex));
  next_ = std::move(*next);
  return TaskStatus::Done;
}

TaskStatus IkeRekey::build_response(std::vector<wire::Payload>& out, base::TimePoint) {
  append_payloads(out, answer_);
  return TaskStatus::Done;
}

void IkeRekey::post_build(base::TimePoint now) {
  if (!next_) {
    return;  // initiator: our request is out
  }
  IkeRekeyState& state = sa_.ike_rekey;
  if (state.queued && sa_.tasks.in_flight() == TaskKind::IkeRekey) {
    // 2.8.2: answered as usual; which one survives is known when ours is answered.
    sa_.counters.inc(IkeCounter::IkeRekeyCollisions);
    state.peer_rekey = std::move(*next_);
    next_.reset();
    return;
  }
  state.queued = false;  // a rekey of ours still in the queue is moot now
  RekeyedIkeSa next = std::move(*next_);
  next_.reset();
  adopt_rekeyed(sa_, std::move(next), false, true, std::nullopt, false, now);
}

// ---- collision with the peer's Delete --------------------------------------------------------

bool take_over_old_sa_delete(SaContext& sa, const InMessage& request) {
  if (!sa.ike_rekey.peer_rekey || !deletes_ike_sa(request.payloads)) {
    return false;
  }
  // The peer deletes the old SA before answering our crossing rekey: it considers its own
  // rekey the survivor (2.8.2). Ours, still in flight, becomes redundant when answered.
  RekeyedIkeSa theirs = std::move(*sa.ike_rekey.peer_rekey);
  sa.ike_rekey.peer_rekey.reset();
  sa.ike_rekey.superseded = true;
  const wire::Spi old_i = sa.spi_i;
  const wire::Spi old_r = sa.spi_r;
  adopt_rekeyed(sa, std::move(theirs), false, true, std::nullopt, false, request.now);
  if (RetiringIkeSa* old = sa.find_retiring(old_i, old_r)) {
    answer_retiring_request(sa, *old, request.path, request.header, request.bytes, request.payloads,
                            request.now);
  }
  return true;
}

// ---- retiring SAs --------------------------------------------------------------------------

void on_retiring_datagram(SaContext& sa, RetiringIkeSa& old, const Path& path,
                          const wire::DecodedMessage& msg, std::span<const std::uint8_t> bytes,
                          base::TimePoint now) {
  const wire::Header& h = msg.message.header;
  if (h.initiator != (old.spis.role == Role::Responder)) {  // R7296-04
    sa.counters.inc(IkeCounter::DroppedUnexpected);
    return;
  }
  if (!h.response) {
    if (old.window.is_retransmit(h.message_id, bytes)) {
      sa.counters.inc(IkeCounter::ResponsesResent);  // R7296-37, e.g. the rekey's answer
      sa.outputs.emplace_back(SendDatagram{path, old.window.cached_response()});
      return;
    }
    if (old.peer_deleted || h.message_id != old.window.expected()) {
      sa.counters.inc(IkeCounter::DroppedMessageId);
      return;
    }
    auto opened = open_protected(msg, bytes, *old.cipher_in);
    if (!opened) {
      sa.counters.inc(IkeCounter::DroppedDecryptFailed);  // R7296-43
      return;
    }
    if (!wire::validate(opened->outer, opened->inner.payloads)) {
      sa.counters.inc(IkeCounter::DroppedRuleViolation);
      return;
    }
    answer_retiring_request(sa, old, path, h, bytes, opened->inner.payloads, now);
    return;
  }
  if (!old.outstanding.active() || h.message_id != old.outstanding.id()) {
    sa.counters.inc(IkeCounter::DroppedMessageId);
    return;
  }
  auto opened = open_protected(msg, bytes, *old.cipher_in);
  if (!opened) {
    sa.counters.inc(IkeCounter::DroppedDecryptFailed);
    return;
  }
  old.outstanding.clear();
  ++old.next_request_id;
  const IkeSpis spis = old.spis;
  if (old.delete_sent) {
    end_retiring(sa, spis.spi_i, spis.spi_r);  // our Delete of it is answered (2.18)
    return;
  }
  std::optional<Exchange> in_flight = std::move(old.in_flight);
  old.in_flight.reset();
  if (in_flight) {
    // May add retiring SAs: `old` is not used after this.
    sa.tasks.finish(std::move(*in_flight), InMessage{path, h, opened->outer, opened->inner.payloads,
                                                     &opened->inner, bytes, now});
  }
  if (RetiringIkeSa* again = sa.find_retiring(spis.spi_i, spis.spi_r)) {
    if (again->delete_by_us && !again->delete_sent) {
      send_retiring_delete(sa, *again, now);
    }
  }
}

base::TimePoint RetiringTimer::deadline() const {
  base::TimePoint earliest = base::kNever;
  for (const auto& r : sa_.retiring) {
    earliest = std::min({earliest, r.outstanding.deadline(), r.linger_until});
  }
  return earliest;
}

void RetiringTimer::on_deadline(base::TimePoint now) {
  std::vector<IkeSpis> ended;
  for (auto& r : sa_.retiring) {
    switch (r.outstanding.on_timer(now)) {
      case OutstandingRequest::TimerAction::None: break;
      case OutstandingRequest::TimerAction::Resend:
        sa_.counters.inc(IkeCounter::RetransmitsSent);  // R7296-36
        sa_.outputs.emplace_back(SendDatagram{r.outstanding.path(), r.outstanding.bytes()});
        break;
      case OutstandingRequest::TimerAction::GiveUp:
        // The old SA is gone for us either way; the new one is unaffected.
        ended.push_back(r.spis);
        continue;
    }
    if (now >= r.linger_until) {
      ended.push_back(r.spis);
    }
  }
  for (const auto& s : ended) {
    end_retiring(sa_, s.spi_i, s.spi_r);
  }
}

}  // namespace ike::engine
