// The responder front: decision before DH, stateless REDIRECT / refusal, SA routing.
#include "ike/engine/ike_responder.h"
#include "ike/engine/stateless_answer.h"

#include <algorithm>
#include <utility>

#include "ike/wire/message.h"
#include "ike/wire/rules.h"

namespace ike::engine {

IkeResponder::IkeResponder(IkeResponderConfig config, Environment env, InitDecision& decision)
    : config_(std::move(config)),
      error_limiter_(config_.error_answers_per_second, config_.error_answer_burst),
      env_(env),
      cookies_(env.random, config_.cookie_secret_rotation),
      decision_(decision) {
  config_.sa.role = Role::Responder;
  if (env_.unprotected_errors == nullptr) {
    env_.unprotected_errors = &error_limiter_;  // one bucket for the front and its SAs
  }
}

std::vector<ResponderOutput> IkeResponder::take_outputs() {
  std::vector<ResponderOutput> out = std::move(outputs_);
  outputs_.clear();
  return out;
}

void IkeResponder::take_outputs(std::vector<ResponderOutput>& out) {
  out.clear();
  std::swap(out, outputs_);
}

void IkeResponder::recycle(std::vector<std::uint8_t>&& buffer) {
  // Enough for a receive batch's worth of answers; beyond that the buffers are freed.
  constexpr std::size_t kMaxSpareBuffers = 64;
  if (buffer.capacity() == 0 || spare_buffers_.size() >= kMaxSpareBuffers) {
    return;
  }
  if (spare_buffers_.capacity() == 0) {
    spare_buffers_.reserve(kMaxSpareBuffers);
  }
  buffer.clear();
  spare_buffers_.push_back(std::move(buffer));
}

bool IkeResponder::routes(wire::Spi spi_r) const {
  return sas_.contains(spi_r.value()) || aliases_.count(spi_r.value()) != 0;
}

const IkeSa* IkeResponder::find(wire::Spi spi_r) const {
  const FiledSa* filed = sas_.find(spi_r.value());
  return filed == nullptr ? nullptr : filed->sa.get();
}

base::Result<void> IkeResponder::with_sa(
    wire::Spi spi_r, const std::function<base::Result<void>(IkeSa&, base::TimePoint)>& command,
    base::TimePoint now) {
  FiledSa* filed = sas_.find(spi_r.value());
  if (filed == nullptr) {
    return base::fail(base::Error{"no_sa", "no SA with this SPIr"});
  }
  auto result = command(*filed->sa, now);
  drain(spi_r.value());
  return result;
}

FiledSa* IkeResponder::find_half_open(wire::Spi spi_i, const Endpoint& remote) {
  const auto [first, last] = half_open_.equal_range(spi_i.value());
  for (auto it = first; it != last; ++it) {
    FiledSa* filed = sas_.find(it->second);
    if (filed != nullptr && filed->remote == remote) {
      return filed;
    }
  }
  return nullptr;
}

void IkeResponder::on_datagram(const Path& path, std::span<const std::uint8_t> bytes,
                               base::TimePoint now) {
  auto header = wire::read_header_fields(bytes);
  if (!header) {
    counters_.inc(ResponderCounter::DatagramsIn);
    counters_.inc(ResponderCounter::DroppedUndecodable);
    return;
  }
  on_datagram(path, *header, bytes, now);
}

void IkeResponder::on_datagram(const Path& path, const wire::Header& header,
                               std::span<const std::uint8_t> bytes, base::TimePoint now) {
  counters_.inc(ResponderCounter::DatagramsIn);
  if (!header.spi_r.is_zero()) {
    std::uint64_t key = header.spi_r.value();
    FiledSa* filed = sas_.find(key);
    if (filed == nullptr) {
      if (const auto alias = aliases_.find(key); alias != aliases_.end()) {
        key = alias->second;  // the old SA of an in-place IKE rekey
        filed = sas_.find(key);
      }
    }
    if (filed == nullptr) {
      counters_.inc(ResponderCounter::DroppedNoSa);
      return;
    }
    filed->sa->on_datagram(path, bytes, now);
    drain(key);
    return;
  }
  if (header.response || header.exchange != wire::ExchangeType::IkeSaInit) {
    counters_.inc(ResponderCounter::DroppedNoSa);
    return;
  }
  if (FiledSa* e = find_half_open(header.spi_i, path.remote)) {
    // A retransmitted (or changed) IKE_SA_INIT: the SA resends its answer (R7296-37).
    const std::uint64_t spi_r = e->sa->spi_r().value();
    e->sa->on_datagram(path, bytes, now);
    drain(spi_r);
    return;
  }
  handle_new_init(path, bytes, now);
}

void IkeResponder::handle_new_init(const Path& path, std::span<const std::uint8_t> bytes,
                                   base::TimePoint now) {
  if (config_.init_fast_path) {
    if (InitRequestView view; view_init_request(bytes, view)) {
      decide_init(path, view, bytes, now);
      return;
    }
    // Not vouched for by the walk: the full decode below judges it, as it always did.
  }
  auto decoded = wire::decode_message(bytes);
  if (!decoded || !wire::validate(decoded->message, {}) ||
      decoded->message.header.message_id.value() != 0 || decoded->message.header.spi_i.is_zero()) {
    reject_malformed(path, bytes, now);
    return;
  }
  const wire::Message& m = decoded->message;
  if (wire::find_first<wire::NoncePayload>(m.payloads) == nullptr ||
      wire::find_first<wire::KePayload>(m.payloads) == nullptr) {
    reject_malformed(path, bytes, now);  // unreachable: validate() demands both
    return;
  }
  decide_init(path, view_decoded_init_request(m), bytes, now);
}

void IkeResponder::decide_init(const Path& path, const InitRequestView& request,
                               std::span<const std::uint8_t> bytes, base::TimePoint now) {
  // The cookie round trip comes first (R7296-21): under attack, a spoofed source never gets
  // as far as the decision, so it can neither make us redirect (and count it against a
  // gateway) nor reserve capacity (Serve); both are answered only for initiators that proved
  // they receive at their address. Below the threshold this is a no-op.
  if (!cookie_passes(path, request, now)) {
    return;
  }
  InitRequest ctx;
  ctx.initiator = path.remote.address;
  ctx.local = path.local.address;
  ctx.redirect_supported = request.redirect_supported;
  if (request.redirected_from) {
    // Rare (a peer we are the second gateway for): the typed decoder, allocation and all.
    if (auto gw = wire::decode_redirected_from(
            to_notify(wire::NotifyType::RedirectedFrom, *request.redirected_from))) {
      ctx.redirected_from = std::move(*gw);
      ctx.redirect_supported = true;  // REDIRECTED_FROM implies support (RFC 5685 3)
    }
  }
  ctx.nonce_i = request.nonce_i;
  ctx.half_open = half_open();

  counters_.inc(ResponderCounter::Decisions);
  InitAnswer verdict = decision_.decide(ctx, now);
  InitDecided event;
  event.path = path;
  event.spi_i = request.header.spi_i;
  event.redirect_supported = ctx.redirect_supported;

  if (const auto* s = std::get_if<Serve>(&verdict)) {
    event.tag = s->tag;
    if (half_open() >= config_.max_half_open) {
      counters_.inc(ResponderCounter::HalfOpenLimitDrops);
      event.outcome = InitOutcome::HalfOpenLimit;
      outputs_.emplace_back(std::move(event));
      return;
    }
    serve(path, request.header, bytes, s->tag, std::move(event), now);
    return;
  }
  if (auto* r = std::get_if<Redirect>(&verdict)) {
    event.target = std::move(r->gateway);
    if (!ctx.redirect_supported) {
      // R5685-03: whatever the policy says, this peer cannot be redirected.
      counters_.inc(ResponderCounter::RedirectForbidden);
      event.outcome = InitOutcome::RedirectForbidden;
      event.notify = config_.unredirectable_answer;
      if (config_.unredirectable_answer) {
        answer_error(path, request.header, wire::make_notify(*config_.unredirectable_answer), now);
      }
      outputs_.emplace_back(std::move(event));
      return;
    }
    // R5685-04/36: the new gateway and a copy of the Ni data; no SA, SPIr stays zero.
    std::vector<std::uint8_t> answer_bytes;
    if (!spare_buffers_.empty()) {
      answer_bytes = std::move(spare_buffers_.back());
      spare_buffers_.pop_back();
    }
    if (!encode_redirect_answer(request.header, *event.target, request.nonce_i, answer_bytes)) {
      counters_.inc(ResponderCounter::RedirectEncodeFailed);
      event.outcome = InitOutcome::RefusedSilently;
      outputs_.emplace_back(std::move(event));
      return;
    }
    counters_.inc(ResponderCounter::Redirected);
    event.outcome = InitOutcome::Redirected;
    event.notify = wire::NotifyType::Redirect;
    outputs_.emplace_back(SendDatagram{path, std::move(answer_bytes)});
    outputs_.emplace_back(std::move(event));
    return;
  }
  const std::optional<wire::NotifyType> refusal = std::get<Refuse>(verdict).notify;
  event.notify = refusal;
  if (refusal) {
    counters_.inc(ResponderCounter::Refused);
    event.outcome = InitOutcome::Refused;
    answer_error(path, request.header, wire::make_notify(*refusal), now);
  } else {
    counters_.inc(ResponderCounter::RefusedSilently);
    event.outcome = InitOutcome::RefusedSilently;
  }
  outputs_.emplace_back(std::move(event));
}

void IkeResponder::reject_malformed(const Path& path, std::span<const std::uint8_t> bytes,
                                    base::TimePoint now) {
  // A throw-away SA gives the same answers (INVALID_SYNTAX, INVALID_MAJOR_VERSION, ...) as
  // before the front existed; all of them come before any DH, and nothing is kept.
  counters_.inc(ResponderCounter::InitRejectedMalformed);
  const std::uint64_t suppressed = env_.unprotected_errors->suppressed();
  IkeSa scratch(config_.sa, env_);
  scratch.on_datagram(path, bytes, now);
  count_suppressed(suppressed);
  for (auto& o : scratch.take_outputs()) {
    if (auto* send = std::get_if<SendDatagram>(&o)) {
      outputs_.emplace_back(std::move(*send));
    }
  }
}

void IkeResponder::serve(const Path& path, const wire::Header& header,
                         std::span<const std::uint8_t> bytes, std::uint64_t tag, InitDecided event,
                         base::TimePoint now) {
  const std::uint64_t suppressed = env_.unprotected_errors->suppressed();
  auto sa = std::make_unique<IkeSa>(config_.sa, env_);
  sa->set_tag(tag);  // seen again by the AuthDecision (RFC 5685 6)
  sa->on_datagram(path, bytes, now);
  count_suppressed(suppressed);
  auto produced = sa->take_outputs();
  const std::uint64_t spi_r = sa->spi_r().value();
  const bool created = sa->state() == IkeSaState::InitResponded;
  if (created && sas_.contains(spi_r)) {
    counters_.inc(ResponderCounter::SpiCollisions);  // 2^-64; drop and let the peer retry
    event.outcome = InitOutcome::ServeRejectedBySa;
    outputs_.emplace_back(std::move(event));
    return;
  }
  for (auto& o : produced) {
    if (auto* send = std::get_if<SendDatagram>(&o)) {
      outputs_.emplace_back(std::move(*send));
    } else if (created) {
      outputs_.emplace_back(ResponderSaEvent{wire::Spi(spi_r), std::move(o)});
    }
  }
  if (!created) {
    // The SA answered with an error (NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD, ...): stateless.
    counters_.inc(ResponderCounter::ServeRejectedBySa);
    event.outcome = InitOutcome::ServeRejectedBySa;
    outputs_.emplace_back(std::move(event));
    return;
  }
  counters_.inc(ResponderCounter::Served);
  event.outcome = InitOutcome::Served;
  outputs_.emplace_back(std::move(event));
  outputs_.emplace_back(
      ResponderSaCreated{header.spi_i, wire::Spi(spi_r), tag, sa->peer_redirect_supported()});
  half_open_.emplace(header.spi_i.value(), spi_r);
  (void)sas_.add(spi_r, FiledSa{std::move(sa), tag, path.remote, false});
}

void IkeResponder::answer(const Path& path, const wire::Header& request,
                          wire::NotifyPayload notify) {
  // HDR(SPIi, 0) with the request's Message ID, nothing stored (RFC 7296 2.21.1, RFC 5685 3).
  if (auto bytes = encode_stateless_init_answer(request, std::move(notify))) {
    outputs_.emplace_back(SendDatagram{path, std::move(*bytes)});
  }
}

void IkeResponder::answer_error(const Path& path, const wire::Header& request,
                                wire::NotifyPayload notify, base::TimePoint now) {
  if (!env_.unprotected_errors->allow(now)) {
    counters_.inc(ResponderCounter::ErrorAnswersRateLimited);  // R7296-43
    return;
  }
  answer(path, request, std::move(notify));
}

void IkeResponder::count_suppressed(std::uint64_t before) {
  // Only the SAs' answers: the front's own refusals are counted in answer_error().
  const std::uint64_t now_suppressed = env_.unprotected_errors->suppressed();
  if (now_suppressed > before) {
    counters_.inc(ResponderCounter::ErrorAnswersRateLimited, now_suppressed - before);
  }
}

bool IkeResponder::cookie_passes(const Path& path, const InitRequestView& request,
                                 base::TimePoint now) {
  if (!config_.cookie_threshold || half_open() < *config_.cookie_threshold) {
    return true;  // not under load: a cookie, valid or not, is ignored (R7296-23)
  }
  const wire::Spi spi_i = request.header.spi_i;
  const std::span<const std::uint8_t> nonce_i = request.nonce_i;
  if (request.cookie) {
    // decode_cookie()'s length rule (1..64 octets) on the first N(COOKIE)'s data.
    const std::span<const std::uint8_t> data = *request.cookie;
    const bool well_formed = !data.empty() && data.size() <= wire::kMaxCookieSize;
    if (well_formed && cookies_.verify(data, nonce_i, path.remote.address, spi_i, now)) {
      counters_.inc(ResponderCounter::CookiesAccepted);
      return true;
    }
    // R7296-23: a bad or stale cookie counts as none: the answer is a fresh cookie.
    counters_.inc(ResponderCounter::CookiesInvalid);
  }
  // R7296-21: HDR(SPIi, 0) N(COOKIE), nothing stored; the cookie itself is the state.
  counters_.inc(ResponderCounter::CookiesSent);
  answer(path, request.header,
         wire::make_cookie(cookies_.make(nonce_i, path.remote.address, spi_i, now)));
  return false;
}

void IkeResponder::drain(std::uint64_t spi_r) {
  FiledSa* filed = sas_.find(spi_r);
  if (filed == nullptr) {
    return;
  }
  // An IKE SA rekey (tasks/ike_rekey.h) gave the SA a new SPIr: file it there; its old SPIs
  // stay routed to it until IkeSpisRetired. Events carry the new SPIr.
  if (const std::uint64_t now_key = filed->sa->spi_r().value();
      now_key != spi_r && filed->sa->state() != IkeSaState::InitResponded &&
      sas_.refile(spi_r, now_key)) {
    for (auto& [from, to] : aliases_) {
      if (to == spi_r) {
        to = now_key;
      }
    }
    spi_r = now_key;
  }
  FiledSa& e = *filed;
  for (auto& o : e.sa->take_outputs()) {
    if (auto* send = std::get_if<SendDatagram>(&o)) {
      outputs_.emplace_back(std::move(*send));
      continue;
    }
    if (const auto* rekeyed = std::get_if<IkeSaRekeyed>(&o)) {
      for (const auto& r : rekeyed->retiring) {
        aliases_[r.spi_r.value()] = spi_r;
      }
    } else if (const auto* gone = std::get_if<IkeSpisRetired>(&o)) {
      aliases_.erase(gone->spis.spi_r.value());
    }
    if (std::holds_alternative<SaEstablished>(o)) {
      e.established = true;
    }
    outputs_.emplace_back(ResponderSaEvent{wire::Spi(spi_r), std::move(o)});
  }
  if (e.sa->state() != IkeSaState::InitResponded) {
    const auto [first, last] = half_open_.equal_range(e.sa->spi_i().value());
    for (auto h = first; h != last; ++h) {
      if (h->second == spi_r) {
        half_open_.erase(h);
        break;
      }
    }
  }
  if (e.sa->finished()) {  // Failed, or Closed by a Delete (RFC 7296 1.4.1)
    counters_.inc(ResponderCounter::SasRemoved);
    outputs_.emplace_back(ResponderSaRemoved{wire::Spi(spi_r), e.tag, e.established});
    std::erase_if(aliases_, [&](const auto& a) { return a.second == spi_r; });
    sas_.erase(spi_r);
    return;
  }
  sas_.touch(spi_r);
}

void IkeResponder::on_timer(base::TimePoint now) {
  for (const std::uint64_t spi_r : sas_.due(now)) {
    if (FiledSa* filed = sas_.find(spi_r)) {
      filed->sa->on_timer(now);
      drain(spi_r);
    }
  }
}

base::TimePoint IkeResponder::next_deadline() const {
  return sas_.next_deadline();
}

}  // namespace ike::engine
