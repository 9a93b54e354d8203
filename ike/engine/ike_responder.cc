// The responder front: decision before DH, stateless REDIRECT / refusal, SA routing.
#include "ike/engine/ike_responder.h"
#include "ike/engine/stateless_answer.h"

#include <algorithm>
#include <utility>

#include "ike/wire/message.h"
#include "ike/wire/rules.h"

namespace ike::engine {

std::string_view to_string(InitOutcome o) {
  switch (o) {
    case InitOutcome::Served: return "served";
    case InitOutcome::ServeRejectedBySa: return "serve-rejected-by-sa";
    case InitOutcome::HalfOpenLimit: return "half-open-limit";
    case InitOutcome::Redirected: return "redirected";
    case InitOutcome::RedirectForbidden: return "redirect-forbidden";
    case InitOutcome::Refused: return "refused";
    case InitOutcome::RefusedSilently: return "refused-silently";
  }
  return "?";
}

std::string_view to_string(ResponderCounter c) {
  switch (c) {
    case ResponderCounter::DatagramsIn: return "datagrams_in";
    case ResponderCounter::DroppedUndecodable: return "dropped_undecodable";
    case ResponderCounter::DroppedNoSa: return "dropped_no_sa";
    case ResponderCounter::InitRejectedMalformed: return "init_rejected_malformed";
    case ResponderCounter::Decisions: return "decisions";
    case ResponderCounter::Served: return "served";
    case ResponderCounter::ServeRejectedBySa: return "serve_rejected_by_sa";
    case ResponderCounter::HalfOpenLimitDrops: return "half_open_limit_drops";
    case ResponderCounter::Redirected: return "redirected";
    case ResponderCounter::RedirectForbidden: return "redirect_forbidden";
    case ResponderCounter::RedirectEncodeFailed: return "redirect_encode_failed";
    case ResponderCounter::Refused: return "refused";
    case ResponderCounter::RefusedSilently: return "refused_silently";
    case ResponderCounter::SpiCollisions: return "spi_collisions";
    case ResponderCounter::SasRemoved: return "sas_removed";
    case ResponderCounter::kCount: break;
  }
  return "?";
}

IkeResponder::IkeResponder(IkeResponderConfig config, Environment env, InitDecision& decision)
    : config_(std::move(config)), env_(env), decision_(decision) {
  config_.sa.role = Role::Responder;
}

std::vector<ResponderOutput> IkeResponder::take_outputs() {
  std::vector<ResponderOutput> out = std::move(outputs_);
  outputs_.clear();
  return out;
}

const IkeSa* IkeResponder::find(wire::Spi spi_r) const {
  const auto it = sas_.find(spi_r.value());
  return it == sas_.end() ? nullptr : it->second.sa.get();
}

IkeResponder::Entry* IkeResponder::find_half_open(wire::Spi spi_i, const base::Ip6Addr& remote) {
  const auto [first, last] = half_open_.equal_range(spi_i.value());
  for (auto it = first; it != last; ++it) {
    auto sa = sas_.find(it->second);
    if (sa != sas_.end() && sa->second.remote == remote) {
      return &sa->second;
    }
  }
  return nullptr;
}

void IkeResponder::on_datagram(const Path& path, std::span<const std::uint8_t> bytes,
                               base::TimePoint now) {
  counters_.inc(ResponderCounter::DatagramsIn);
  auto header = wire::read_header_fields(bytes);
  if (!header) {
    counters_.inc(ResponderCounter::DroppedUndecodable);
    return;
  }
  if (!header->spi_r.is_zero()) {
    auto it = sas_.find(header->spi_r.value());
    if (it == sas_.end()) {
      counters_.inc(ResponderCounter::DroppedNoSa);
      return;
    }
    it->second.sa->on_datagram(path, bytes, now);
    drain(header->spi_r.value());
    return;
  }
  if (header->response || header->exchange != wire::ExchangeType::IkeSaInit) {
    counters_.inc(ResponderCounter::DroppedNoSa);
    return;
  }
  if (Entry* e = find_half_open(header->spi_i, path.remote.address)) {
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
  auto decoded = wire::decode_message(bytes);
  if (!decoded || !wire::validate(decoded->message, {}) ||
      decoded->message.header.message_id.value() != 0 || decoded->message.header.spi_i.is_zero()) {
    reject_malformed(path, bytes, now);
    return;
  }
  const wire::Message& m = decoded->message;
  const auto* nonce = wire::find_first<wire::NoncePayload>(m.payloads);
  if (nonce == nullptr) {
    reject_malformed(path, bytes, now);
    return;
  }
  InitContext ctx;
  ctx.initiator = path.remote.address;
  ctx.local = path.local.address;
  ctx.redirect_supported =
      wire::find_notify(m.payloads, wire::NotifyType::RedirectSupported) != nullptr;
  if (const auto* from = wire::find_notify(m.payloads, wire::NotifyType::RedirectedFrom)) {
    if (auto gw = wire::decode_redirected_from(*from)) {
      ctx.redirected_from = std::move(*gw);
      ctx.redirect_supported = true;  // REDIRECTED_FROM implies support (RFC 5685 3)
    }
  }
  ctx.nonce_i = nonce->data;
  ctx.half_open = half_open();

  counters_.inc(ResponderCounter::Decisions);
  const InitVerdict verdict = decision_.decide(ctx, now);
  InitDecided event;
  event.path = path;
  event.spi_i = m.header.spi_i;
  event.redirect_supported = ctx.redirect_supported;

  if (const auto* s = std::get_if<ServeInit>(&verdict)) {
    event.tag = s->tag;
    if (half_open() >= config_.max_half_open) {
      counters_.inc(ResponderCounter::HalfOpenLimitDrops);
      event.outcome = InitOutcome::HalfOpenLimit;
      outputs_.emplace_back(std::move(event));
      return;
    }
    serve(path, m.header, bytes, s->tag, std::move(event), now);
    return;
  }
  if (const auto* r = std::get_if<RedirectInit>(&verdict)) {
    event.target = r->gateway;
    if (!ctx.redirect_supported) {
      // R5685-03: whatever the policy says, this peer cannot be redirected.
      counters_.inc(ResponderCounter::RedirectForbidden);
      event.outcome = InitOutcome::RedirectForbidden;
      event.notify = config_.unredirectable_answer;
      if (config_.unredirectable_answer) {
        answer(path, m.header, wire::make_notify(*config_.unredirectable_answer));
      }
      outputs_.emplace_back(std::move(event));
      return;
    }
    // R5685-04/36: the new gateway and a copy of the Ni data; no SA, SPIr stays zero.
    auto notify = wire::make_redirect(wire::RedirectInfo{r->gateway, nonce->data});
    if (!notify) {
      counters_.inc(ResponderCounter::RedirectEncodeFailed);
      event.outcome = InitOutcome::RefusedSilently;
      outputs_.emplace_back(std::move(event));
      return;
    }
    counters_.inc(ResponderCounter::Redirected);
    event.outcome = InitOutcome::Redirected;
    event.notify = wire::NotifyType::Redirect;
    answer(path, m.header, std::move(*notify));
    outputs_.emplace_back(std::move(event));
    return;
  }
  const std::optional<wire::NotifyType> refusal = std::get<RefuseInit>(verdict).notify;
  event.notify = refusal;
  if (refusal) {
    counters_.inc(ResponderCounter::Refused);
    event.outcome = InitOutcome::Refused;
    answer(path, m.header, wire::make_notify(*refusal));
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
  IkeSa scratch(config_.sa, env_);
  scratch.on_datagram(path, bytes, now);
  for (auto& o : scratch.take_outputs()) {
    if (auto* send = std::get_if<SendDatagram>(&o)) {
      outputs_.emplace_back(std::move(*send));
    }
  }
}

void IkeResponder::serve(const Path& path, const wire::Header& header,
                         std::span<const std::uint8_t> bytes, std::uint64_t tag, InitDecided event,
                         base::TimePoint now) {
  auto sa = std::make_unique<IkeSa>(config_.sa, env_);
  sa->on_datagram(path, bytes, now);
  auto produced = sa->take_outputs();
  const std::uint64_t spi_r = sa->spi_r().value();
  const bool created = sa->state() == IkeSaState::InitResponded;
  if (created && sas_.count(spi_r) != 0) {
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
  sas_.emplace(spi_r, Entry{std::move(sa), tag, path.remote.address});
}

void IkeResponder::answer(const Path& path, const wire::Header& request,
                          wire::NotifyPayload notify) {
  // HDR(SPIi, 0) with the request's Message ID, nothing stored (RFC 7296 2.21.1, RFC 5685 3).
  if (auto bytes = encode_stateless_init_answer(request, std::move(notify))) {
    outputs_.emplace_back(SendDatagram{path, std::move(*bytes)});
  }
}

void IkeResponder::drain(std::uint64_t spi_r) {
  auto it = sas_.find(spi_r);
  if (it == sas_.end()) {
    return;
  }
  Entry& e = it->second;
  for (auto& o : e.sa->take_outputs()) {
    if (auto* send = std::get_if<SendDatagram>(&o)) {
      outputs_.emplace_back(std::move(*send));
      continue;
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
  if (e.sa->state() == IkeSaState::Failed) {
    counters_.inc(ResponderCounter::SasRemoved);
    outputs_.emplace_back(ResponderSaRemoved{wire::Spi(spi_r), e.tag, e.established});
    sas_.erase(it);
  }
}

void IkeResponder::on_timer(base::TimePoint now) {
  std::vector<std::uint64_t> due;
  for (const auto& [spi_r, e] : sas_) {
    if (e.sa->next_deadline() <= now) {
      due.push_back(spi_r);
    }
  }
  for (std::uint64_t spi_r : due) {
    sas_.at(spi_r).sa->on_timer(now);
    drain(spi_r);
  }
}

base::TimePoint IkeResponder::next_deadline() const {
  base::TimePoint next = base::kNever;
  for (const auto& [spi_r, e] : sas_) {
    next = std::min(next, e.sa->next_deadline());
  }
  return next;
}

}  // namespace ike::engine
