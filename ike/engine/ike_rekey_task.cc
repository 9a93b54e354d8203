// IKE SA rekey (RFC 7296 1.3.2, 2.8, 2.8.2, 2.18, 2.25.2), both roles, in place (the design is
// explained in ike_rekey.h): the rekey exchange on the old SA, SKEYSEED from the old SK_d, the
// switch to the new SPIs and keys, and the old SA's last duties (its Delete, retransmitted
// answers) as a RetiringIkeSa.
#include <algorithm>

#include "ike/engine/ike_sa.h"
#include "ike/wire/rules.h"

namespace ike::engine {

struct IkeSa::PendingIkeRekey {
  crypto::DhGroup group = crypto::DhGroup::None;
  unsigned invalid_ke_retries = 0;
  wire::Spi new_spi_i;
  std::vector<std::uint8_t> nonce_i;
  std::unique_ptr<crypto::KeyExchange> kex;
};

namespace {

std::uint64_t random_nonzero_spi(crypto::RandomSource& random) {
  std::uint64_t v = 0;
  while (v == 0) {
    for (std::uint8_t x : random.bytes(8)) {
      v = (v << 8) | x;
    }
  }
  return v;
}

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

std::optional<wire::NotifyType> first_error(std::span<const wire::Payload> inner) {
  for (const auto& p : inner) {
    const auto* n = p.get<wire::NotifyPayload>();
    if (n != nullptr && wire::is_error_notify(n->type)) {
      return n->type;
    }
  }
  return std::nullopt;
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

void IkeSa::arm_ike_rekey(base::TimePoint from) {
  ike_rekey_base_ = from;
  if (config_.ike_rekey_after <= base::Duration::zero()) {
    ike_rekey_at_ = base::kNever;
    return;
  }
  base::Duration share{0};
  if (config_.ike_rekey_jitter > base::Duration::zero()) {
    const auto r = env_.random.bytes(2);
    share = config_.ike_rekey_jitter * ((std::int64_t{r[0]} << 8) | r[1]) / 65536;
  }
  ike_rekey_at_ = from + config_.ike_rekey_after - share;
}

bool IkeSa::owns_spis(wire::Spi spi_i, wire::Spi spi_r) const {
  if (spi_i == spi_i_ && spi_r == spi_r_) {
    return true;
  }
  return std::any_of(retiring_.begin(), retiring_.end(), [&](const RetiringIkeSa& r) {
    return r.spis.spi_i == spi_i && r.spis.spi_r == spi_r;
  });
}

// ---- initiator ---------------------------------------------------------------------------

base::Result<void> IkeSa::rekey_ike(base::TimePoint now) {
  if (state_ != IkeSaState::Established || !keys_ || !suite_) {
    return base::fail(base::Error{"wrong-state", "rekey_ike needs an established SA"});
  }
  if (ike_rekey_queued_) {
    return base::fail(base::Error{"busy", "an IKE SA rekey is already under way"});
  }
  auto pending = std::make_shared<PendingIkeRekey>();
  // The group in use is offered first and gets the KE (R7296-17); the others follow.
  pending->group = suite_->dh;
  ike_rekey_queued_ = true;
  queue_ike_rekey(std::move(pending), now);
  return {};
}

void IkeSa::queue_ike_rekey(std::shared_ptr<PendingIkeRekey> pending, base::TimePoint now) {
  LocalExchange ex;
  ex.exchange = wire::ExchangeType::CreateChildSa;
  ex.name = "rekey-ike";
  ex.build = [this, pending]() -> base::Result<std::vector<wire::Payload>> {
    if (!ike_rekey_queued_) {
      // The peer's rekey replaced the SA while ours waited in the queue.
      return base::fail(base::Error{"superseded", "the IKE SA was rekeyed by the peer"});
    }
    PendingIkeRekey& p = *pending;
    auto kex = env_.key_exchanges.create(p.group);
    if (!kex) {
      ike_rekey_queued_ = false;
      return base::fail(kex.error());
    }
    p.kex = std::move(*kex);
    p.new_spi_i = wire::Spi(random_nonzero_spi(env_.random));
    p.nonce_i = env_.random.bytes(config_.nonce_size);
    IkeProposalConfig offer = config_.ike;
    // KE's group first in the offer (3.4 SHOULD).
    std::stable_partition(offer.dh_groups.begin(), offer.dh_groups.end(),
                          [&](crypto::DhGroup g) { return g == p.group; });
    std::vector<wire::Payload> out;
    out.push_back(wire::make_payload(make_ike_sa_offer(offer, spi_bytes(p.new_spi_i))));
    out.push_back(wire::make_payload(wire::NoncePayload{p.nonce_i}));
    wire::KePayload ke;
    ke.dh_group = static_cast<std::uint16_t>(p.group);
    const auto pub = p.kex->public_value();
    ke.data.assign(pub.begin(), pub.end());
    out.push_back(wire::make_payload(std::move(ke)));
    counters_.inc(IkeCounter::IkeRekeysStarted);
    return out;
  };
  ex.on_response = [this, pending](const Path&, const OpenedMessage& response, base::TimePoint at) {
    on_ike_rekey_response(pending, response, at);
  };
  queue_exchange(std::move(ex), now);
}

void IkeSa::on_ike_rekey_response(const std::shared_ptr<PendingIkeRekey>& pending,
                                  const OpenedMessage& response, base::TimePoint now) {
  PendingIkeRekey& p = *pending;
  const auto& inner = response.inner.payloads;
  const bool superseded = std::exchange(own_ike_rekey_superseded_, false);
  if (const auto error = first_error(inner)) {
    if (!superseded && *error == wire::NotifyType::InvalidKePayload) {
      const auto* n = wire::find_notify(inner, wire::NotifyType::InvalidKePayload);
      const auto group = wire::decode_invalid_ke_payload(*n);
      const auto& groups = config_.ike.dh_groups;
      const auto wanted = std::find_if(groups.begin(), groups.end(), [&](crypto::DhGroup g) {
        return group && static_cast<std::uint16_t>(g) == *group;
      });
      if (wanted != groups.end() && *wanted != p.group &&
          p.invalid_ke_retries < config_.max_invalid_ke_retries && !peer_ike_rekey_) {
        ++p.invalid_ke_retries;
        counters_.inc(IkeCounter::InvalidKeRetries);  // R7296-19
        p.group = *wanted;
        queue_ike_rekey(pending, now);
        return;
      }
    }
    counters_.inc(IkeCounter::IkeRekeyFailed);
    ike_rekey_queued_ = false;
    if (peer_ike_rekey_) {
      // 2.8.2 / 2.25.2: the peer refused ours (TEMPORARY_FAILURE) after answering... or we
      // answered theirs: theirs is the new SA, and its initiator deletes the old one.
      RekeyedIkeSa theirs = std::move(*peer_ike_rekey_);
      peer_ike_rekey_.reset();
      adopt_rekeyed(std::move(theirs), false, true, std::nullopt, false, now);
      return;
    }
    if (!superseded) {
      ike_rekey_at_ = *error == wire::NotifyType::TemporaryFailure
                          ? now + config_.rekey_retry_interval
                          : base::kNever;
    }
    return;
  }
  const auto* sa = wire::find_first<wire::SaPayload>(inner);
  const auto* nonce = wire::find_first<wire::NoncePayload>(inner);
  const auto* ke = wire::find_first<wire::KePayload>(inner);
  std::optional<IkeSuite> suite;
  std::optional<wire::Spi> spi_r;
  if (sa != nullptr) {
    suite = accept_ike_answer(config_.ike, *sa, 8);  // R7296-14
    if (suite) {
      spi_r = spi_of(sa->proposals[0].spi);
    }
  }
  std::optional<base::SecretBytes> g_ir;
  if (suite && spi_r && nonce != nullptr && ke != nullptr && suite->dh == p.group &&
      ke->dh_group == static_cast<std::uint16_t>(p.group)) {
    if (auto secret = p.kex->compute_shared_secret(ke->data)) {
      g_ir = std::move(*secret);
    }
  }
  base::Result<RekeyedIkeSa> next =
      g_ir ? derive_rekeyed(*suite, g_ir->view(), IkeSpis{p.new_spi_i, *spi_r, Role::Initiator},
                            p.nonce_i, nonce->data)
           : base::Result<RekeyedIkeSa>(
                 base::fail(base::Error{"bad-answer", "unusable IKE rekey answer"}));
  ike_rekey_queued_ = false;
  if (!next) {
    // The peer may already run the new SA; without keys for it we cannot use it. The old SA
    // stays; a later rekey (or the peer's) replaces it.
    counters_.inc(IkeCounter::IkeRekeyFailed);
    if (!superseded) {
      ike_rekey_at_ = now + config_.rekey_retry_interval;
    }
    return;
  }
  if (superseded) {
    // The peer's rekey won and we already run it; ours is the redundant one (2.8.2).
    keep_redundant(std::move(*next), true, now);
    return;
  }
  if (peer_ike_rekey_) {
    resolve_ike_rekey_collision(std::move(*next), now);
    return;
  }
  adopt_rekeyed(std::move(*next), true, false, std::nullopt, false, now);
}

void IkeSa::resolve_ike_rekey_collision(RekeyedIkeSa ours, base::TimePoint now) {
  RekeyedIkeSa theirs = std::move(*peer_ike_rekey_);
  peer_ike_rekey_.reset();
  // 2.8.2: the SA created with the lowest of the four nonces is redundant and deleted by the
  // side that created it; the survivor's initiator deletes the old SA.
  if (holds_lowest_nonce(ours.nonce_i, ours.nonce_r, theirs.nonce_i, theirs.nonce_r)) {
    adopt_rekeyed(std::move(theirs), false, true, std::move(ours), true, now);
  } else {
    adopt_rekeyed(std::move(ours), true, false, std::move(theirs), false, now);
  }
}

// ---- responder ---------------------------------------------------------------------------

void IkeSa::answer_ike_rekey_request(const Path& path, const wire::Header& header,
                                     std::span<const std::uint8_t> bytes,
                                     const OpenedMessage& request, base::TimePoint now) {
  const auto& inner = request.inner.payloads;
  const auto* sa = wire::find_first<wire::SaPayload>(inner);
  const auto* nonce = wire::find_first<wire::NoncePayload>(inner);
  const auto* ke = wire::find_first<wire::KePayload>(inner);
  auto refuse = [&](wire::NotifyPayload notify, IkeCounter counter) {
    counters_.inc(counter);
    send_protected_error(path, header, bytes, std::move(notify));
  };
  if (sa == nullptr || nonce == nullptr || ke == nullptr) {
    refuse(wire::make_notify(wire::NotifyType::InvalidSyntax),
           IkeCounter::EstablishedInvalidSyntaxSent);
    return;
  }
  const bool own_child_exchange_in_flight =
      current_exchange_ && current_exchange_->exchange == wire::ExchangeType::CreateChildSa &&
      current_exchange_->name != "rekey-ike";
  if (delete_queued_ || own_child_exchange_in_flight || peer_ike_rekey_) {
    // 2.25.2: we are closing this SA, or a Child SA exchange of ours would have to move across.
    refuse(wire::make_notify(wire::NotifyType::TemporaryFailure), IkeCounter::TemporaryFailureSent);
    return;
  }
  auto selection = select_ike_proposal(config_.ike, *sa, ke->dh_group, 8);
  if (!selection) {
    refuse(wire::make_notify(wire::NotifyType::NoProposalChosen),
           IkeCounter::NoProposalChosenSent);  // R7296-12
    return;
  }
  if (static_cast<std::uint16_t>(selection->suite.dh) != ke->dh_group) {
    refuse(wire::make_invalid_ke_payload(static_cast<std::uint16_t>(selection->suite.dh)),
           IkeCounter::InvalidKePayloadSent);  // R7296-18
    return;
  }
  const auto peer_spi = spi_of(selection->chosen.spi);
  auto kex = env_.key_exchanges.create(selection->suite.dh);
  auto g_ir = kex ? (*kex)->compute_shared_secret(ke->data)
                  : base::Result<base::SecretBytes>(base::fail(kex.error()));
  if (!peer_spi || !g_ir) {
    refuse(wire::make_notify(wire::NotifyType::InvalidSyntax),
           IkeCounter::EstablishedInvalidSyntaxSent);
    return;
  }
  const wire::Spi our_spi(random_nonzero_spi(env_.random));
  std::vector<std::uint8_t> nonce_r = env_.random.bytes(config_.nonce_size);
  auto next = derive_rekeyed(selection->suite, g_ir->view(),
                             IkeSpis{*peer_spi, our_spi, Role::Responder}, nonce->data, nonce_r);
  if (!next) {
    refuse(wire::make_notify(wire::NotifyType::NoProposalChosen), IkeCounter::NoProposalChosenSent);
    return;
  }
  wire::Proposal chosen = selection->chosen;
  chosen.spi = spi_bytes(our_spi);
  std::vector<wire::Payload> out;
  out.push_back(wire::make_payload(wire::SaPayload{{chosen}}));
  out.push_back(wire::make_payload(wire::NoncePayload{nonce_r}));
  wire::KePayload our_ke;
  our_ke.dh_group = ke->dh_group;
  const auto pub = (*kex)->public_value();
  our_ke.data.assign(pub.begin(), pub.end());
  out.push_back(wire::make_payload(std::move(our_ke)));
  respond(path, header, bytes, std::move(out));  // still under the old SA's keys

  const bool ours_in_flight =
      ike_rekey_queued_ && current_exchange_ && current_exchange_->name == "rekey-ike";
  if (ours_in_flight) {
    // 2.8.2: answered as usual; which one survives is known when ours is answered.
    counters_.inc(IkeCounter::IkeRekeyCollisions);
    peer_ike_rekey_ = std::move(*next);
    return;
  }
  ike_rekey_queued_ = false;  // a rekey of ours still in the queue is moot now
  adopt_rekeyed(std::move(*next), false, true, std::nullopt, false, now);
}

bool IkeSa::intercept_old_ike_delete(const Path& path, const wire::Header& header,
                                     std::span<const std::uint8_t> bytes,
                                     const OpenedMessage& request, base::TimePoint now) {
  if (!deletes_ike_sa(request.inner.payloads)) {
    return false;
  }
  // The peer deletes the old SA before answering our crossing rekey: it considers its own
  // rekey the survivor (2.8.2). Ours, still in flight, becomes redundant when answered.
  RekeyedIkeSa theirs = std::move(*peer_ike_rekey_);
  peer_ike_rekey_.reset();
  own_ike_rekey_superseded_ = true;
  const wire::Spi old_i = spi_i_;
  const wire::Spi old_r = spi_r_;
  adopt_rekeyed(std::move(theirs), false, true, std::nullopt, false, now);
  if (RetiringIkeSa* old = find_retiring(old_i, old_r)) {
    answer_retiring_request(*old, path, header, bytes, request, now);
  }
  return true;
}

// ---- the switch ----------------------------------------------------------------------------

base::Result<RekeyedIkeSa> IkeSa::derive_rekeyed(const IkeSuite& suite,
                                                 std::span<const std::uint8_t> g_ir, IkeSpis spis,
                                                 std::vector<std::uint8_t> nonce_i,
                                                 std::vector<std::uint8_t> nonce_r) {
  auto prf = crypto::Prf::create(suite.transforms.prf);
  if (!prf) {
    return base::fail(prf.error());
  }
  auto sizes = crypto::ike_key_sizes(suite.transforms);
  if (!sizes) {
    return base::fail(sizes.error());
  }
  // 2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) with the OLD SA's PRF; the seven
  // keys with the new SA's PRF, the rekey's nonces and the new SPIs (R7296-25).
  const base::SecretBytes skeyseed =
      crypto::compute_rekey_skeyseed(*prf_, keys_->sk_d.view(), g_ir, nonce_i, nonce_r);
  auto keys = crypto::derive_ike_sa_keys(*prf, skeyseed.view(), nonce_i, nonce_r,
                                         spis.spi_i.value(), spis.spi_r.value(), *sizes);
  if (!keys) {
    return base::fail(keys.error());
  }
  const auto& t = suite.transforms;
  const bool initiator = spis.role == Role::Initiator;
  const auto& e_out = initiator ? keys->sk_ei : keys->sk_er;
  const auto& a_out = initiator ? keys->sk_ai : keys->sk_ar;
  const auto& e_in = initiator ? keys->sk_er : keys->sk_ei;
  const auto& a_in = initiator ? keys->sk_ar : keys->sk_ai;
  auto out = crypto::make_sk_cipher(t.encr, t.encr_key_bits, t.integ, e_out.view(), a_out.view(),
                                    env_.random);
  auto in = crypto::make_sk_cipher(t.encr, t.encr_key_bits, t.integ, e_in.view(), a_in.view(),
                                   env_.random);
  if (!out || !in) {
    return base::fail(base::Error{"cipher-failed", "make_sk_cipher"});
  }
  RekeyedIkeSa next;
  next.spis = spis;
  next.suite = suite;
  next.prf = std::move(*prf);
  next.keys = std::move(*keys);
  next.cipher_in = std::move(*in);
  next.cipher_out = std::move(*out);
  next.nonce_i = std::move(nonce_i);
  next.nonce_r = std::move(nonce_r);
  return next;
}

void IkeSa::adopt_rekeyed(RekeyedIkeSa next, bool delete_old_by_us, bool by_peer,
                          std::optional<RekeyedIkeSa> redundant, bool redundant_by_us,
                          base::TimePoint now) {
  RetiringIkeSa old;
  old.spis = IkeSpis{spi_i_, spi_r_, config_.role};
  old.cipher_in = std::move(cipher_in_);
  old.cipher_out = std::move(cipher_out_);
  old.window = std::move(window_);
  old.next_request_id = next_request_id_;
  if (outstanding_.active() && current_exchange_) {
    // A request of ours (INFORMATIONAL) still in flight finishes on the old SA.
    old.outstanding = std::move(outstanding_);
    old.on_response = std::move(current_exchange_->on_response);
    current_exchange_.reset();
  }
  old.delete_by_us = delete_old_by_us;
  old.linger_until = delete_old_by_us ? base::kNever : now + config_.retiring_linger;

  // The new SA: message IDs from 0 (R7296-39), the rekey initiator is its original initiator
  // and sets I from now on (R7296-04).
  spi_i_ = next.spis.spi_i;
  spi_r_ = next.spis.spi_r;
  config_.role = next.spis.role;
  suite_ = next.suite;
  prf_ = std::move(next.prf);
  keys_ = std::move(next.keys);
  cipher_in_ = std::move(next.cipher_in);
  cipher_out_ = std::move(next.cipher_out);
  window_ = ResponderWindow{};
  outstanding_.clear();
  next_request_id_ = 0;

  IkeSaRekeyed event;
  event.old_spis = old.spis;
  event.now_spis = next.spis;
  event.by_peer = by_peer;
  retiring_.push_back(std::move(old));
  if (redundant) {
    RetiringIkeSa r;
    r.spis = redundant->spis;
    r.cipher_in = std::move(redundant->cipher_in);
    r.cipher_out = std::move(redundant->cipher_out);
    r.delete_by_us = redundant_by_us;
    r.linger_until = redundant_by_us ? base::kNever : now + config_.retiring_linger;
    retiring_.push_back(std::move(r));
  }
  for (const auto& r : retiring_) {
    event.retiring.push_back(r.spis);
  }
  counters_.inc(IkeCounter::IkeSasRekeyed);
  outputs_.emplace_back(std::move(event));
  arm_ike_rekey(now);
  for (std::size_t i = 0; i < retiring_.size(); ++i) {
    if (retiring_[i].delete_by_us && !retiring_[i].delete_sent) {
      send_retiring_delete(retiring_[i], now);
    }
  }
  // Queued exchanges now run on the new SA (their build sees its keys).
  start_next_exchange(now);
}

void IkeSa::keep_redundant(RekeyedIkeSa redundant, bool delete_by_us, base::TimePoint now) {
  RetiringIkeSa r;
  r.spis = redundant.spis;
  r.cipher_in = std::move(redundant.cipher_in);
  r.cipher_out = std::move(redundant.cipher_out);
  r.delete_by_us = delete_by_us;
  r.linger_until = delete_by_us ? base::kNever : now + config_.retiring_linger;
  retiring_.push_back(std::move(r));
  // The same event with unchanged current SPIs: the shell adds the new retiring pair.
  IkeSaRekeyed event;
  event.old_spis = IkeSpis{spi_i_, spi_r_, config_.role};
  event.now_spis = event.old_spis;
  event.by_peer = true;
  for (const auto& x : retiring_) {
    event.retiring.push_back(x.spis);
  }
  outputs_.emplace_back(std::move(event));
  if (delete_by_us) {
    send_retiring_delete(retiring_.back(), now);
  }
}

// ---- retiring SAs --------------------------------------------------------------------------

RetiringIkeSa* IkeSa::find_retiring(wire::Spi spi_i, wire::Spi spi_r) {
  for (auto& r : retiring_) {
    if (r.spis.spi_i == spi_i && r.spis.spi_r == spi_r) {
      return &r;
    }
  }
  return nullptr;
}

void IkeSa::send_retiring_delete(RetiringIkeSa& old, base::TimePoint now) {
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
    end_retiring(old.spis.spi_i, old.spis.spi_r);
    return;
  }
  counters_.inc(IkeCounter::IkeDeletesSent);
  outputs_.emplace_back(SendDatagram{path_, *bytes});
  old.outstanding.start(h.message_id, path_, std::move(*bytes), now, config_.retransmit);
  old.delete_sent = true;
}

void IkeSa::end_retiring(wire::Spi spi_i, wire::Spi spi_r) {
  const auto it = std::find_if(retiring_.begin(), retiring_.end(), [&](const RetiringIkeSa& r) {
    return r.spis.spi_i == spi_i && r.spis.spi_r == spi_r;
  });
  if (it == retiring_.end()) {
    return;
  }
  const IkeSpis spis = it->spis;
  retiring_.erase(it);
  counters_.inc(IkeCounter::RetiringSasEnded);
  outputs_.emplace_back(IkeSpisRetired{spis});
}

void IkeSa::on_retiring_datagram(RetiringIkeSa& old, const Path& path,
                                 const wire::DecodedMessage& msg,
                                 std::span<const std::uint8_t> bytes, base::TimePoint now) {
  const wire::Header& h = msg.message.header;
  if (h.initiator != (old.spis.role == Role::Responder)) {  // R7296-04
    counters_.inc(IkeCounter::DroppedUnexpected);
    return;
  }
  if (!h.response) {
    if (old.window.is_retransmit(h.message_id, bytes)) {
      counters_.inc(IkeCounter::ResponsesResent);  // R7296-37, e.g. the rekey's answer
      outputs_.emplace_back(SendDatagram{path, old.window.cached_response()});
      return;
    }
    if (old.peer_deleted || h.message_id != old.window.expected()) {
      counters_.inc(IkeCounter::DroppedMessageId);
      return;
    }
    auto opened = open_protected(msg, bytes, *old.cipher_in);
    if (!opened) {
      counters_.inc(IkeCounter::DroppedDecryptFailed);  // R7296-43
      return;
    }
    if (!wire::validate(opened->outer, opened->inner.payloads)) {
      counters_.inc(IkeCounter::DroppedRuleViolation);
      return;
    }
    answer_retiring_request(old, path, h, bytes, *opened, now);
    return;
  }
  if (!old.outstanding.active() || h.message_id != old.outstanding.id()) {
    counters_.inc(IkeCounter::DroppedMessageId);
    return;
  }
  auto opened = open_protected(msg, bytes, *old.cipher_in);
  if (!opened) {
    counters_.inc(IkeCounter::DroppedDecryptFailed);
    return;
  }
  old.outstanding.clear();
  ++old.next_request_id;
  const IkeSpis spis = old.spis;
  if (old.delete_sent) {
    end_retiring(spis.spi_i, spis.spi_r);  // our Delete of it is answered (2.18)
    return;
  }
  auto on_response = std::move(old.on_response);
  old.on_response = nullptr;
  if (on_response) {
    on_response(path, *opened, now);  // may add retiring SAs: `old` is not used after this
  }
  if (RetiringIkeSa* again = find_retiring(spis.spi_i, spis.spi_r)) {
    if (again->delete_by_us && !again->delete_sent) {
      send_retiring_delete(*again, now);
    }
  }
}

void IkeSa::answer_retiring_request(RetiringIkeSa& old, const Path& path,
                                    const wire::Header& header, std::span<const std::uint8_t> bytes,
                                    const OpenedMessage& request, base::TimePoint now) {
  counters_.inc(IkeCounter::RetiringRequestsAnswered);
  std::vector<wire::Payload> out;
  if (header.exchange == wire::ExchangeType::CreateChildSa) {
    // 2.25.2: nothing new on an SA that is going away; the peer retries on the new one.
    counters_.inc(IkeCounter::TemporaryFailureSent);
    out.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::TemporaryFailure)));
  }
  const bool deleted = header.exchange == wire::ExchangeType::Informational &&
                       deletes_ike_sa(request.inner.payloads);
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
  outputs_.emplace_back(SendDatagram{path, *response});
  old.window.answered(header.message_id, bytes, std::move(*response));
  if (deleted) {
    // The peer deleted the old SA; the Child SAs live on in the new one (2.18). A little
    // while longer, only to answer a retransmission of that Delete.
    counters_.inc(IkeCounter::IkeDeletesReceived);
    old.peer_deleted = true;
    old.outstanding.clear();
    old.on_response = nullptr;
    old.linger_until = std::min(old.linger_until, now + config_.retransmit.initial * 4);
  }
}

base::TimePoint IkeSa::retiring_deadline() const {
  base::TimePoint earliest = base::kNever;
  for (const auto& r : retiring_) {
    earliest = std::min({earliest, r.outstanding.deadline(), r.linger_until});
  }
  return earliest;
}

void IkeSa::on_retiring_timer(base::TimePoint now) {
  std::vector<IkeSpis> ended;
  for (auto& r : retiring_) {
    switch (r.outstanding.on_timer(now)) {
      case OutstandingRequest::TimerAction::None: break;
      case OutstandingRequest::TimerAction::Resend:
        counters_.inc(IkeCounter::RetransmitsSent);  // R7296-36
        outputs_.emplace_back(SendDatagram{r.outstanding.path(), r.outstanding.bytes()});
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
    end_retiring(s.spi_i, s.spi_r);
  }
}

}  // namespace ike::engine
