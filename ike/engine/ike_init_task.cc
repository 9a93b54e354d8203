// The IKE_SA_INIT exchange (RFC 7296 1.2, 2.6, 2.14, 2.23): SA, KE, Nonce and the
// NAT_DETECTION notifies; INVALID_KE_PAYLOAD on both sides; key derivation; the RFC 5685
// notifies of the first exchange (announce and record support, verify a REDIRECT).
#include <algorithm>

#include "ike/engine/ike_natd.h"
#include "ike/engine/ike_sa.h"
#include "ike/wire/rules.h"

namespace ike::engine {
namespace {

std::uint64_t random_nonzero_u64(crypto::RandomSource& random) {
  std::uint64_t v = 0;
  while (v == 0) {
    for (std::uint8_t x : random.bytes(8)) {
      v = (v << 8) | x;
    }
  }
  return v;
}

std::optional<FailureReason> reason_for(wire::NotifyType t) {
  switch (t) {
    case wire::NotifyType::NoProposalChosen: return FailureReason::NoProposalChosen;
    case wire::NotifyType::AuthenticationFailed: return FailureReason::AuthenticationFailed;
    case wire::NotifyType::InvalidSyntax: return FailureReason::InvalidSyntax;
    default: break;
  }
  return is_error_notify(t) ? std::optional(FailureReason::PeerError) : std::nullopt;
}

}  // namespace

base::Result<void> IkeSa::send_init_request(const Path& path, base::TimePoint now) {
  // A cookie retry keeps KEi (R7296-22: other payloads unchanged); a new group needs a new one.
  if (!kex_ || kex_->group() != dh_group_) {
    auto kex = env_.key_exchanges.create(dh_group_);
    if (!kex) {
      return base::fail(kex.error());
    }
    kex_ = std::move(*kex);
  }
  next_request_id_ = 0;  // R7296-39: IKE_SA_INIT and its retries use Message ID 0
  wire::Message m;
  m.header = make_header(wire::ExchangeType::IkeSaInit, false, wire::MessageId(0));
  m.header.spi_r = wire::Spi();  // R7296-05
  if (!cookie_.empty()) {
    // R7296-22: the responder's cookie, which sort_for_send puts first; kept on an
    // INVALID_KE_PAYLOAD retry as well (R7296-24).
    m.payloads.push_back(wire::make_payload(wire::make_cookie(cookie_)));
  }
  // R7296-19: the full suite list again, with KE for the group now in use.
  m.payloads.push_back(wire::make_payload(make_ike_sa_offer(config_.ike)));
  wire::KePayload ke;
  ke.dh_group = static_cast<std::uint16_t>(dh_group_);
  const auto pub = kex_->public_value();
  ke.data.assign(pub.begin(), pub.end());
  m.payloads.push_back(wire::make_payload(std::move(ke)));
  m.payloads.push_back(wire::make_payload(wire::NoncePayload{nonce_i_}));
  for (auto& p : build_nat_detection(spi_i_, spi_r_, path)) {
    m.payloads.push_back(std::move(p));
  }
  if (config_.announce_redirect_support) {
    m.payloads.push_back(wire::make_payload(wire::make_redirect_supported()));  // R5685-01
  }
  if (config_.redirected_from) {
    auto from = wire::make_redirected_from(*config_.redirected_from);  // R5685-07, R5685-38
    if (!from) {
      return base::fail(base::Error{"encode-failed", wire::to_string(from.error().code)});
    }
    m.payloads.push_back(wire::make_payload(std::move(*from)));
  }
  if (config_.announce_signature_hashes) {
    m.payloads.push_back(signature_hash_notify());  // RFC 7427 4
  }
  wire::sort_for_send(m.header.exchange, false, m.payloads);
  auto bytes = wire::encode_message(m);
  if (!bytes) {
    return base::fail(base::Error{"encode-failed", wire::to_string(bytes.error().code)});
  }
  init_request_ = *bytes;  // R7296-28: AUTH signs the latest version
  send_request(path, std::move(*bytes), now);
  return {};
}

void IkeSa::handle_init_request(const Path& path, const wire::DecodedMessage& msg,
                                std::span<const std::uint8_t> bytes, base::TimePoint now) {
  const wire::Message& m = msg.message;
  if (m.header.spi_i.is_zero() || !m.header.spi_r.is_zero()) {
    counters_.inc(IkeCounter::DroppedWrongSpi);
    return;
  }
  if (!wire::validate(m, {})) {
    counters_.inc(IkeCounter::InvalidSyntaxSent);
    send_init_error(path, m.header, wire::make_notify(wire::NotifyType::InvalidSyntax));
    return;
  }
  const auto* sa = wire::find_first<wire::SaPayload>(m.payloads);
  const auto* ke = wire::find_first<wire::KePayload>(m.payloads);
  const auto* nonce = wire::find_first<wire::NoncePayload>(m.payloads);
  if (sa == nullptr || ke == nullptr || nonce == nullptr) {
    counters_.inc(IkeCounter::InvalidSyntaxSent);
    send_init_error(path, m.header, wire::make_notify(wire::NotifyType::InvalidSyntax));
    return;
  }
  auto selection = select_ike_proposal(config_.ike, *sa, ke->dh_group);
  if (!selection) {
    counters_.inc(IkeCounter::NoProposalChosenSent);  // R7296-12
    send_init_error(path, m.header, wire::make_notify(wire::NotifyType::NoProposalChosen));
    return;
  }
  if (static_cast<std::uint16_t>(selection->suite.dh) != ke->dh_group) {
    counters_.inc(IkeCounter::InvalidKePayloadSent);  // R7296-18
    send_init_error(path, m.header,
                    wire::make_invalid_ke_payload(static_cast<std::uint16_t>(selection->suite.dh)));
    return;
  }
  auto kex = env_.key_exchanges.create(selection->suite.dh);
  if (!kex) {
    return;  // our own DH failed: nothing sensible to tell the peer
  }
  auto g_ir = (*kex)->compute_shared_secret(ke->data);
  if (!g_ir) {
    counters_.inc(IkeCounter::InvalidSyntaxSent);  // bad KE length or value (RFC 6989)
    send_init_error(path, m.header, wire::make_notify(wire::NotifyType::InvalidSyntax));
    return;
  }
  // R5685-02: remember what the peer announced; REDIRECTED_FROM implies support (3).
  peer_redirect_supported_ =
      wire::find_notify(m.payloads, wire::NotifyType::RedirectSupported) != nullptr;
  if (const auto* from = wire::find_notify(m.payloads, wire::NotifyType::RedirectedFrom)) {
    if (auto gw = wire::decode_redirected_from(*from)) {
      peer_redirected_from_ = std::move(*gw);
      peer_redirect_supported_ = true;
    }
  }
  kex_ = std::move(*kex);
  path_ = path;
  spi_i_ = m.header.spi_i;
  spi_r_ = wire::Spi(random_nonzero_u64(env_.random));
  suite_ = selection->suite;
  nonce_i_ = nonce->data;
  nonce_r_ = env_.random.bytes(config_.nonce_size);
  init_request_.assign(bytes.begin(), bytes.end());
  nat_status_ = detect_nat(path, m);  // R7296-56; we answer on `path` whatever it says
  nat_detected_ = nat_status_.any();
  if (nat_detected_) {
    counters_.inc(IkeCounter::NatDetected);
  }
  if (!derive_keys(g_ir->view())) {
    fail(FailureReason::InternalError, std::nullopt);
    return;
  }

  wire::Message r;
  r.header = make_header(wire::ExchangeType::IkeSaInit, true, wire::MessageId(0));
  r.payloads.push_back(wire::make_payload(wire::SaPayload{{selection->chosen}}));
  wire::KePayload our_ke;
  our_ke.dh_group = ke->dh_group;
  const auto pub = kex_->public_value();
  our_ke.data.assign(pub.begin(), pub.end());
  r.payloads.push_back(wire::make_payload(std::move(our_ke)));
  r.payloads.push_back(wire::make_payload(wire::NoncePayload{nonce_r_}));
  for (auto& p : build_nat_detection(spi_i_, spi_r_, path)) {
    r.payloads.push_back(std::move(p));
  }
  // RFC 7427 4: answer the initiator's N(SIGNATURE_HASH_ALGORITHMS) with ours; CERTREQ for
  // the initiator's certificate (3.7), which strongSwan sends only when asked.
  record_peer_signature_hashes(m.payloads);
  if (!peer_signature_hashes_.empty() && config_.announce_signature_hashes) {
    r.payloads.push_back(signature_hash_notify());
  }
  if (auto certreq = certreq_payload()) {
    r.payloads.push_back(std::move(*certreq));
  }
  wire::sort_for_send(r.header.exchange, true, r.payloads);
  auto out = wire::encode_message(r);
  if (!out) {
    fail(FailureReason::InternalError, std::nullopt);
    return;
  }
  init_response_ = *out;
  if (!transition(IkeSaState::InitResponded)) {
    return;
  }
  half_open_deadline_ = now + config_.half_open_timeout;
  send_response(path, m.header.message_id, bytes, std::move(*out));
}

void IkeSa::handle_init_response(const Path& path, const wire::DecodedMessage& msg,
                                 std::span<const std::uint8_t> bytes, base::TimePoint now) {
  const wire::Message& m = msg.message;
  if (!wire::validate(m, {})) {
    // Unauthenticated: keep retransmitting rather than give up on it (R7296-43).
    counters_.inc(IkeCounter::DroppedRuleViolation);
    return;
  }
  if (const auto* redirect = wire::find_notify(m.payloads, wire::NotifyType::Redirect)) {
    if (handle_init_redirect(*redirect)) {
      return;
    }
  }
  if (const auto* cookie = wire::find_notify(m.payloads, wire::NotifyType::Cookie)) {
    handle_init_cookie(*cookie, now);
    return;
  }
  if (const auto* ike = wire::find_notify(m.payloads, wire::NotifyType::InvalidKePayload)) {
    const auto group = wire::decode_invalid_ke_payload(*ike);
    const auto wanted = std::find_if(
        config_.ike.dh_groups.begin(), config_.ike.dh_groups.end(),
        [&](crypto::DhGroup g) { return group && static_cast<std::uint16_t>(g) == *group; });
    if (wanted == config_.ike.dh_groups.end() || *wanted == dh_group_ ||
        invalid_ke_retries_ >= config_.max_invalid_ke_retries) {
      fail(FailureReason::PeerError, wire::NotifyType::InvalidKePayload);
      return;
    }
    // R7296-19: retry with the group asked for, same SPIi and nonce, Message ID 0.
    ++invalid_ke_retries_;
    counters_.inc(IkeCounter::InvalidKeRetries);
    dh_group_ = *wanted;
    outstanding_.clear();
    if (!send_init_request(path_, now)) {
      fail(FailureReason::InternalError, std::nullopt);
    }
    return;
  }
  for (const auto& p : m.payloads) {
    const auto* n = p.get<wire::NotifyPayload>();
    if (n != nullptr) {
      if (auto reason = reason_for(n->type)) {
        fail(*reason, n->type);  // R7296-54
        return;
      }
    }
  }
  const auto* sa = wire::find_first<wire::SaPayload>(m.payloads);
  const auto* ke = wire::find_first<wire::KePayload>(m.payloads);
  const auto* nonce = wire::find_first<wire::NoncePayload>(m.payloads);
  if (sa == nullptr || ke == nullptr || nonce == nullptr || m.header.spi_r.is_zero()) {
    counters_.inc(IkeCounter::DroppedRuleViolation);
    return;
  }
  auto suite = accept_ike_answer(config_.ike, *sa);
  if (!suite || suite->dh != dh_group_ || ke->dh_group != static_cast<std::uint16_t>(dh_group_)) {
    fail(FailureReason::ProposalMismatch, std::nullopt);  // R7296-14
    return;
  }
  auto g_ir = kex_->compute_shared_secret(ke->data);
  if (!g_ir) {
    fail(FailureReason::KeyExchangeFailed, std::nullopt);
    return;
  }
  outstanding_.clear();
  spi_r_ = m.header.spi_r;
  suite_ = suite;
  nonce_r_ = nonce->data;
  init_response_.assign(bytes.begin(), bytes.end());
  record_peer_signature_hashes(m.payloads);  // RFC 7427 4
  nat_status_ = detect_nat(path, m);         // R7296-56
  nat_detected_ = nat_status_.any();
  if (nat_detected_) {
    counters_.inc(IkeCounter::NatDetected);
  }
  if (!derive_keys(g_ir->view())) {
    fail(FailureReason::InternalError, std::nullopt);
    return;
  }
  float_to_nat_t();  // IKE_AUTH and everything after it go to the NAT-T ports (2.23)
  next_request_id_ = 1;
  if (!send_auth_request(path_, now)) {
    fail(FailureReason::InternalError, std::nullopt);
    return;
  }
  (void)transition(IkeSaState::AuthRequestSent);
}

void IkeSa::handle_init_cookie(const wire::NotifyPayload& notify, base::TimePoint now) {
  const auto data = wire::decode_cookie(notify);
  if (!data) {
    counters_.inc(IkeCounter::CookieMalformed);  // unauthenticated garbage: keep waiting
    return;
  }
  if (cookie_retries_ >= config_.max_cookie_retries) {
    counters_.inc(IkeCounter::CookieRetryLimit);  // 2.6: limit the number of cookie rounds
    fail(FailureReason::PeerError, wire::NotifyType::Cookie);
    return;
  }
  // R7296-22: the same request (SPIi, Ni, KEi, Message ID 0) with N(COOKIE) first; the new
  // request restarts the retransmission schedule, and AUTH will sign this version (R7296-28).
  ++cookie_retries_;
  counters_.inc(IkeCounter::CookieRetries);
  cookie_.assign(data->begin(), data->end());
  outstanding_.clear();
  if (!send_init_request(path_, now)) {
    fail(FailureReason::InternalError, std::nullopt);
  }
}

bool IkeSa::handle_init_redirect(const wire::NotifyPayload& notify) {
  if (!config_.announce_redirect_support && !config_.redirected_from) {
    // Nobody may redirect us without our consent (R5685-01/03): the notify is ignored and the
    // rest of the response judged as if it were absent.
    counters_.inc(IkeCounter::RedirectIgnoredUnannounced);
    return false;
  }
  auto info = wire::decode_redirect(notify);
  if (!info) {
    counters_.inc(IkeCounter::RedirectMalformed);
    return true;  // unauthenticated garbage: keep waiting for the real answer
  }
  if (info->nonce.empty() || info->nonce != nonce_i_) {
    counters_.inc(IkeCounter::RedirectNonceMismatch);  // R5685-06: silently, keep waiting
    return true;
  }
  counters_.inc(IkeCounter::RedirectsAccepted);  // R5685-05
  outputs_.emplace_back(RedirectReceived{std::move(info->gateway)});
  fail(FailureReason::Redirected, wire::NotifyType::Redirect);
  return true;
}

base::Result<void> IkeSa::derive_keys(std::span<const std::uint8_t> g_ir) {
  auto prf = crypto::Prf::create(suite_->transforms.prf);
  if (!prf) {
    return base::fail(prf.error());
  }
  auto sizes = crypto::ike_key_sizes(suite_->transforms);
  if (!sizes) {
    return base::fail(sizes.error());
  }
  // R7296-25: SKEYSEED = prf(Ni | Nr, g^ir), then prf+ over Ni | Nr | SPIi | SPIr.
  const base::SecretBytes skeyseed = crypto::compute_skeyseed(*prf, nonce_i_, nonce_r_, g_ir);
  auto keys = crypto::derive_ike_sa_keys(*prf, skeyseed.view(), nonce_i_, nonce_r_, spi_i_.value(),
                                         spi_r_.value(), *sizes);
  if (!keys) {
    return base::fail(keys.error());
  }
  const auto& t = suite_->transforms;
  const bool initiator = config_.role == Role::Initiator;
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
  cipher_out_ = std::move(*out);
  cipher_in_ = std::move(*in);
  prf_ = std::move(*prf);
  keys_ = std::move(*keys);
  return {};
}

}  // namespace ike::engine
