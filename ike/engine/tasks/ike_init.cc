#include "ike/engine/tasks/ike_init.h"

#include <algorithm>
#include <utility>

#include "ike/crypto/key_derivation.h"
#include "ike/engine/tasks/payloads.h"

namespace ike::engine {
namespace {

// SKEYSEED = prf(Ni | Nr, g^ir), then the seven keys over Ni | Nr | SPIi | SPIr (R7296-25).
base::Result<void> derive_keys(SaContext& sa, std::span<const std::uint8_t> g_ir) {
  auto prf = crypto::Prf::create(sa.suite->transforms.prf);
  if (!prf) {
    return base::fail(prf.error());
  }
  const base::SecretBytes skeyseed = crypto::compute_skeyseed(*prf, sa.nonce_i, sa.nonce_r, g_ir);
  auto set = derive_ike_key_set(*sa.suite, std::move(*prf), skeyseed.view(), sa.nonce_i, sa.nonce_r,
                                IkeSpis{sa.spi_i, sa.spi_r, sa.config.role}, sa.env.random);
  if (!set) {
    return base::fail(set.error());
  }
  sa.cipher_out = std::move(set->cipher_out);
  sa.cipher_in = std::move(set->cipher_in);
  sa.prf = std::move(set->prf);
  sa.keys = std::move(set->keys);
  return {};
}

}  // namespace

base::Result<IkeKeySet> derive_ike_key_set(const IkeSuite& suite, crypto::Prf prf,
                                           std::span<const std::uint8_t> skeyseed,
                                           std::span<const std::uint8_t> nonce_i,
                                           std::span<const std::uint8_t> nonce_r,
                                           const IkeSpis& spis, crypto::RandomSource& random) {
  auto sizes = crypto::ike_key_sizes(suite.transforms);
  if (!sizes) {
    return base::fail(sizes.error());
  }
  auto keys = crypto::derive_ike_sa_keys(prf, skeyseed, nonce_i, nonce_r, spis.spi_i.value(),
                                         spis.spi_r.value(), *sizes);
  if (!keys) {
    return base::fail(keys.error());
  }
  const auto& t = suite.transforms;
  const bool initiator = spis.role == Role::Initiator;
  const auto& e_out = initiator ? keys->sk_ei : keys->sk_er;
  const auto& a_out = initiator ? keys->sk_ai : keys->sk_ar;
  const auto& e_in = initiator ? keys->sk_er : keys->sk_ei;
  const auto& a_in = initiator ? keys->sk_ar : keys->sk_ai;
  auto out =
      crypto::make_sk_cipher(t.encr, t.encr_key_bits, t.integ, e_out.view(), a_out.view(), random);
  auto in =
      crypto::make_sk_cipher(t.encr, t.encr_key_bits, t.integ, e_in.view(), a_in.view(), random);
  if (!out || !in) {
    return base::fail(base::Error{"cipher_failed", "make_sk_cipher"});
  }
  return IkeKeySet{std::move(prf), std::move(*keys), std::move(*in), std::move(*out)};
}

IkeInit::IkeInit(SaContext& sa) : sa_(sa) {
  if (sa_.initiator()) {
    group_ = sa_.config.ike.dh_groups.front();
    sa_.nonce_i = sa_.env.random.bytes(sa_.config.nonce_size);
  }
}

// ---- initiator ---------------------------------------------------------------------------

TaskStatus IkeInit::build_request(std::vector<wire::Payload>& out, base::TimePoint) {
  // A cookie retry keeps KEi (R7296-22: other payloads unchanged); a new group needs a new one.
  if (!kex_ || kex_->group() != group_) {
    auto kex = sa_.env.key_exchanges.create(group_);
    if (!kex) {
      return TaskStatus::Failed;
    }
    kex_ = std::move(*kex);
  }
  if (!cookie_.empty()) {
    // R7296-22: the responder's cookie, which sort_for_send puts first; kept on an
    // INVALID_KE_PAYLOAD retry as well (R7296-24).
    out.push_back(wire::make_payload(wire::make_cookie(cookie_)));
  }
  // R7296-19: the full suite list again, with KE for the group now in use.
  out.push_back(wire::make_payload(make_ike_sa_offer(sa_.config.ike)));
  out.push_back(make_ke_payload(*kex_));
  out.push_back(wire::make_payload(wire::NoncePayload{sa_.nonce_i}));
  if (sa_.config.announce_redirect_support) {
    out.push_back(wire::make_payload(wire::make_redirect_supported()));  // R5685-01
  }
  if (sa_.config.redirected_from) {
    auto from = wire::make_redirected_from(*sa_.config.redirected_from);  // R5685-07, R5685-38
    if (!from) {
      return TaskStatus::Failed;
    }
    out.push_back(wire::make_payload(std::move(*from)));
  }
  return TaskStatus::Done;
}

void IkeInit::post_build(base::TimePoint) {
  if (sa_.initiator() && sa_.state == IkeSaState::Created) {
    (void)sa_.transition(IkeSaState::InitRequestSent);
  }
}

TaskStatus IkeInit::process_response(const InMessage& response) {
  const auto& payloads = response.payloads;
  if (const auto* redirect = wire::find_notify(payloads, wire::NotifyType::Redirect)) {
    if (auto status = on_redirect(*redirect)) {
      return *status;
    }
  }
  if (const auto* cookie = wire::find_notify(payloads, wire::NotifyType::Cookie)) {
    return on_cookie(*cookie);
  }
  if (const auto* ike = wire::find_notify(payloads, wire::NotifyType::InvalidKePayload)) {
    return on_invalid_ke(*ike);
  }
  for (const auto& p : payloads) {
    const auto* n = p.get<wire::NotifyPayload>();
    if (n != nullptr) {
      if (auto reason = failure_for(n->type)) {
        sa_.fail(*reason, n->type);  // R7296-54
        return TaskStatus::DestroySa;
      }
    }
  }
  const auto* sa = wire::find_first<wire::SaPayload>(payloads);
  const auto* ke = wire::find_first<wire::KePayload>(payloads);
  const auto* nonce = wire::find_first<wire::NoncePayload>(payloads);
  if (sa == nullptr || ke == nullptr || nonce == nullptr || response.header.spi_r.is_zero()) {
    sa_.counters.inc(IkeCounter::DroppedRuleViolation);
    return TaskStatus::Handled;
  }
  auto suite = accept_ike_answer(sa_.config.ike, *sa);
  if (!suite || suite->dh != group_ || ke->dh_group != static_cast<std::uint16_t>(group_)) {
    sa_.fail(FailureReason::ProposalMismatch, std::nullopt);  // R7296-14
    return TaskStatus::DestroySa;
  }
  auto g_ir = kex_->compute_shared_secret(ke->data);
  if (!g_ir) {
    sa_.fail(FailureReason::KeyExchangeFailed, std::nullopt);
    return TaskStatus::DestroySa;
  }
  sa_.spi_r = response.header.spi_r;
  sa_.suite = suite;
  sa_.nonce_r = nonce->data;
  sa_.init_response.assign(response.bytes.begin(), response.bytes.end());
  g_ir_ = std::move(*g_ir);
  return TaskStatus::Done;
}

void IkeInit::post_process(base::TimePoint) {
  if (!derive_keys(sa_, g_ir_.view())) {
    sa_.fail(FailureReason::InternalError, std::nullopt);
  }
}

TaskStatus IkeInit::on_cookie(const wire::NotifyPayload& notify) {
  const auto data = wire::decode_cookie(notify);
  if (!data) {
    sa_.counters.inc(IkeCounter::CookieMalformed);  // unauthenticated garbage: keep waiting
    return TaskStatus::Handled;
  }
  if (cookie_retries_ >= sa_.config.max_cookie_retries) {
    sa_.counters.inc(IkeCounter::CookieRetryLimit);  // 2.6: limit the number of cookie rounds
    sa_.fail(FailureReason::PeerError, wire::NotifyType::Cookie);
    return TaskStatus::DestroySa;
  }
  // R7296-22: the same request (SPIi, Ni, KEi, Message ID 0) with N(COOKIE) first; the new
  // request restarts the retransmission schedule, and AUTH will sign this version (R7296-28).
  ++cookie_retries_;
  sa_.counters.inc(IkeCounter::CookieRetries);
  cookie_.assign(data->begin(), data->end());
  return TaskStatus::NeedMore;
}

TaskStatus IkeInit::on_invalid_ke(const wire::NotifyPayload& notify) {
  const auto group = wire::decode_invalid_ke_payload(notify);
  const auto& groups = sa_.config.ike.dh_groups;
  const auto wanted = std::find_if(groups.begin(), groups.end(), [&](crypto::DhGroup g) {
    return group && static_cast<std::uint16_t>(g) == *group;
  });
  if (wanted == groups.end() || *wanted == group_ ||
      invalid_ke_retries_ >= sa_.config.max_invalid_ke_retries) {
    sa_.fail(FailureReason::PeerError, wire::NotifyType::InvalidKePayload);
    return TaskStatus::DestroySa;
  }
  // R7296-19: retry with the group asked for, same SPIi and nonce, Message ID 0.
  ++invalid_ke_retries_;
  sa_.counters.inc(IkeCounter::InvalidKeRetries);
  group_ = *wanted;
  return TaskStatus::NeedMore;
}

std::optional<TaskStatus> IkeInit::on_redirect(const wire::NotifyPayload& notify) {
  if (!sa_.config.announce_redirect_support && !sa_.config.redirected_from) {
    // Nobody may redirect us without our consent (R5685-01/03): the notify is ignored and the
    // rest of the response judged as if it were absent.
    sa_.counters.inc(IkeCounter::RedirectIgnoredUnannounced);
    return std::nullopt;
  }
  auto info = wire::decode_redirect(notify);
  if (!info) {
    sa_.counters.inc(IkeCounter::RedirectMalformed);
    return TaskStatus::Handled;  // unauthenticated garbage: keep waiting for the real answer
  }
  if (info->nonce.empty() || info->nonce != sa_.nonce_i) {
    sa_.counters.inc(IkeCounter::RedirectNonceMismatch);  // R5685-06: silently, keep waiting
    return TaskStatus::Handled;
  }
  sa_.counters.inc(IkeCounter::RedirectsAccepted);  // R5685-05
  sa_.outputs.emplace_back(RedirectReceived{std::move(info->gateway)});
  sa_.fail(FailureReason::Redirected, wire::NotifyType::Redirect);
  return TaskStatus::DestroySa;
}

// ---- responder ---------------------------------------------------------------------------

TaskStatus IkeInit::process_request(const InMessage& request) {
  const wire::Header& h = request.header;
  const auto& payloads = request.payloads;
  const auto* sa = wire::find_first<wire::SaPayload>(payloads);
  const auto* ke = wire::find_first<wire::KePayload>(payloads);
  const auto* nonce = wire::find_first<wire::NoncePayload>(payloads);
  if (sa == nullptr || ke == nullptr || nonce == nullptr) {
    sa_.counters.inc(IkeCounter::InvalidSyntaxSent);
    sa_.send_init_error(request.path, h, wire::make_notify(wire::NotifyType::InvalidSyntax));
    return TaskStatus::Handled;
  }
  auto selection = select_ike_proposal(sa_.config.ike, *sa, ke->dh_group);
  if (!selection) {
    sa_.counters.inc(IkeCounter::NoProposalChosenSent);  // R7296-12
    sa_.send_init_error(request.path, h, wire::make_notify(wire::NotifyType::NoProposalChosen));
    return TaskStatus::Handled;
  }
  if (static_cast<std::uint16_t>(selection->suite.dh) != ke->dh_group) {
    sa_.counters.inc(IkeCounter::InvalidKePayloadSent);  // R7296-18
    sa_.send_init_error(
        request.path, h,
        wire::make_invalid_ke_payload(static_cast<std::uint16_t>(selection->suite.dh)));
    return TaskStatus::Handled;
  }
  auto kex = sa_.env.key_exchanges.create(selection->suite.dh);
  if (!kex) {
    return TaskStatus::Handled;  // our own DH failed: nothing sensible to tell the peer
  }
  auto g_ir = (*kex)->compute_shared_secret(ke->data);
  if (!g_ir) {
    sa_.counters.inc(IkeCounter::InvalidSyntaxSent);  // bad KE length or value (RFC 6989)
    sa_.send_init_error(request.path, h, wire::make_notify(wire::NotifyType::InvalidSyntax));
    return TaskStatus::Handled;
  }
  // R5685-02: remember what the peer announced; REDIRECTED_FROM implies support (3).
  sa_.peer_redirect_supported =
      wire::find_notify(payloads, wire::NotifyType::RedirectSupported) != nullptr;
  if (const auto* from = wire::find_notify(payloads, wire::NotifyType::RedirectedFrom)) {
    if (auto gw = wire::decode_redirected_from(*from)) {
      sa_.peer_redirected_from = std::move(*gw);
      sa_.peer_redirect_supported = true;
    }
  }
  kex_ = std::move(*kex);
  g_ir_ = std::move(*g_ir);
  sa_.path = request.path;
  sa_.spi_i = h.spi_i;
  sa_.spi_r = random_ike_spi(sa_.env.random);
  sa_.suite = selection->suite;
  sa_.nonce_i = nonce->data;
  sa_.nonce_r = sa_.env.random.bytes(sa_.config.nonce_size);
  sa_.init_request.assign(request.bytes.begin(), request.bytes.end());
  selection_ = std::move(*selection);
  return TaskStatus::Done;
}

TaskStatus IkeInit::build_response(std::vector<wire::Payload>& out, base::TimePoint now) {
  if (!derive_keys(sa_, g_ir_.view())) {
    sa_.fail(FailureReason::InternalError, std::nullopt);
    return TaskStatus::DestroySa;
  }
  if (!sa_.transition(IkeSaState::InitResponded)) {
    return TaskStatus::Handled;
  }
  sa_.tasks.set_timer(std::make_unique<HalfOpenTimer>(sa_, now + sa_.config.half_open_timeout));
  out.push_back(wire::make_payload(wire::SaPayload{{selection_->chosen}}));
  out.push_back(make_ke_payload(*kex_));
  out.push_back(wire::make_payload(wire::NoncePayload{sa_.nonce_r}));
  return TaskStatus::Done;
}

base::TimePoint HalfOpenTimer::deadline() const {
  return sa_.state == IkeSaState::InitResponded ? at_ : base::kNever;
}

void HalfOpenTimer::on_deadline(base::TimePoint) {
  sa_.fail(FailureReason::HalfOpenTimeout, std::nullopt);
}

}  // namespace ike::engine
