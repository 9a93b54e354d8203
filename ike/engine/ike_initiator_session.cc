// IkeInitiatorSession: redirect following, loop protection and the way back to the original.
#include "ike/engine/ike_initiator_session.h"

#include <algorithm>
#include <array>
#include <utility>

#include "ike/wire/message.h"

namespace ike::engine {

IkeInitiatorSession::IkeInitiatorSession(InitiatorSessionConfig config, Environment env)
    : config_(std::move(config)), env_(env) {
  config_.sa.role = Role::Initiator;
}

std::vector<SessionOutput> IkeInitiatorSession::take_outputs() {
  std::vector<SessionOutput> out = std::move(outputs_);
  outputs_.clear();
  return out;
}

base::Result<void> IkeInitiatorSession::start(const Path& path, base::TimePoint now) {
  if (attempts_ != 0) {
    return base::fail(base::Error{"wrong_state", "start() called twice"});
  }
  original_ = path;
  redirect_origin_ = path.remote.address;
  return start_attempt(path, false, now);
}

base::Result<void> IkeInitiatorSession::start_attempt(const Path& path, bool redirected,
                                                      base::TimePoint now) {
  // R5685-07, R5685-38; config_.sa.redirected_from is only ever set here.
  config_.sa.redirected_from.reset();
  if (redirected) {
    config_.sa.redirected_from.emplace(wire::GwIdentity::from_address(redirect_origin_));
  }
  // A fresh IkeSa draws a new SPIi and Ni from the environment (no nonce reuse, RFC 7296 3.9).
  sa_ = std::make_unique<IkeSa>(config_.sa, env_);
  current_ = path;
  on_redirect_target_ = redirected;
  established_ = false;
  ++attempts_;
  auto started = sa_->initiate(path, now);
  drain(now);
  return started;
}

IkeSa* IkeInitiatorSession::route(std::span<const std::uint8_t> bytes) {
  // R7296-06: by SPIi; an answer for an SA we no longer hold is dropped.
  const auto header = wire::read_header_fields(bytes);
  if (!header) {
    return sa_.get();  // the SA counts it as undecodable
  }
  for (IkeSa* candidate : {sa_.get(), previous_.get()}) {
    if (candidate != nullptr && candidate->spi_i() == header->spi_i) {
      return candidate;
    }
  }
  for (auto& r : retired_) {
    if (r->spi_i() == header->spi_i) {
      return r.get();
    }
  }
  return sa_.get();  // an answer from an earlier gateway: the SA drops it (old SPIi)
}

void IkeInitiatorSession::on_datagram(const Path& path, std::span<const std::uint8_t> bytes,
                                      base::TimePoint now) {
  IkeSa* target = route(bytes);
  if (target == nullptr) {
    return;
  }
  target->on_datagram(path, bytes, now);
  drain(now);
}

void IkeInitiatorSession::on_timer(base::TimePoint now) {
  if (deferred_move_ && deferred_move_->at <= now) {
    const wire::GwIdentity gateway = std::move(deferred_move_->gateway);
    deferred_move_.reset();
    if (sa_ && established_ && !previous_ && !move_target_) {
      start_move(gateway, now);
    }
  }
  for (IkeSa* s : {sa_.get(), previous_.get()}) {
    if (s != nullptr && s->next_deadline() <= now) {
      s->on_timer(now);
    }
  }
  for (auto& r : retired_) {
    if (r->next_deadline() <= now) {
      r->on_timer(now);
    }
  }
  drain(now);
}

base::TimePoint IkeInitiatorSession::next_deadline() const {
  base::TimePoint next = sa_ ? sa_->next_deadline() : base::kNever;
  if (previous_) {
    next = std::min(next, previous_->next_deadline());
  }
  for (const auto& r : retired_) {
    next = std::min(next, r->next_deadline());
  }
  if (deferred_move_) {
    next = std::min(next, deferred_move_->at);
  }
  return next;
}

base::Result<void> IkeInitiatorSession::delete_sa(base::TimePoint now) {
  if (!sa_) {
    return base::fail(base::Error{"wrong_state", "no current SA"});
  }
  auto deleted = sa_->request_delete(now);
  drain(now);
  return deleted;
}

void IkeInitiatorSession::retire(std::unique_ptr<IkeSa> sa) {
  if (sa && !sa->finished()) {
    retired_.push_back(std::move(sa));
  }
}

void IkeInitiatorSession::drain_retired() {
  auto pass_on = [&](IkeSa& sa) {
    for (auto& o : sa.take_outputs()) {
      if (auto* s = std::get_if<SendDatagram>(&o)) {
        outputs_.emplace_back(std::move(*s));
      } else {
        outputs_.emplace_back(RetiredSaEvent{sa.spi_i(), sa.spi_r(), std::move(o)});
      }
    }
  };
  if (previous_) {
    pass_on(*previous_);
    if (previous_->finished()) {
      // The old gateway deleted us (or the SA died) while the move was running.
      previous_.reset();
    }
  }
  for (auto& r : retired_) {
    pass_on(*r);
  }
  std::erase_if(retired_, [](const std::unique_ptr<IkeSa>& r) { return r->finished(); });
}

void IkeInitiatorSession::drain(base::TimePoint now) {
  // Outputs of the current SA may start a move (previous_) or retire it: the others first.
  drain_retired();
  if (!sa_) {
    return;
  }
  std::optional<wire::GwIdentity> redirect;
  std::optional<wire::GwIdentity> gateway_redirect;
  std::optional<SaFailed> failed;
  bool closed = false;
  for (auto& o : sa_->take_outputs()) {
    if (auto* r = std::get_if<RedirectReceived>(&o)) {
      redirect = std::move(r->gateway);
    } else if (auto* g = std::get_if<GatewayRedirectReceived>(&o)) {
      gateway_redirect = g->gateway;
      outputs_.emplace_back(std::move(*g));
    } else if (auto* f = std::get_if<SaFailed>(&o)) {
      failed = *f;
    } else if (auto* s = std::get_if<SendDatagram>(&o)) {
      outputs_.emplace_back(std::move(*s));
    } else if (auto* i = std::get_if<InstallChildSa>(&o)) {
      outputs_.emplace_back(std::move(*i));
    } else if (auto* e = std::get_if<SaEstablished>(&o)) {
      established_ = true;
      if (previous_) {
        finish_move(now);  // IkeGatewayChanged before the new SA's SaEstablished
      }
      outputs_.emplace_back(std::move(*e));
    } else if (auto* c = std::get_if<StateChanged>(&o)) {
      outputs_.emplace_back(*c);
    } else if (auto* d = std::get_if<SaDeleted>(&o)) {
      closed = true;
      outputs_.emplace_back(*d);
    } else if (auto* cd = std::get_if<ChildSaDeleted>(&o)) {
      outputs_.emplace_back(*cd);
    } else if (auto* n = std::get_if<InformationalNote>(&o)) {
      outputs_.emplace_back(*n);
    }
  }
  if (redirect) {
    // RFC 5685 3 (no SA exists) or 6 (the SA deletes itself, R5685-23).
    follow_redirect(*redirect, now,
                    sa_->state() == IkeSaState::InitRequestSent || sa_->finished()
                        ? RedirectPoint::IkeSaInit
                        : RedirectPoint::IkeAuth);
    return;
  }
  if (gateway_redirect && established_ && !previous_ && !move_target_ && !deferred_move_) {
    const base::Duration delay = move_delay();
    if (delay <= base::Duration::zero() || closed) {
      start_move(*gateway_redirect, now);
      return;
    }
    deferred_move_ = DeferredMove{*gateway_redirect, now + delay};
  }
  if (closed && deferred_move_) {
    // The gateway deleted the SA before our jittered start (its grace period ended): follow
    // the redirect now, as a fresh attempt.
    const wire::GwIdentity gateway = std::move(deferred_move_->gateway);
    deferred_move_.reset();
    start_move(gateway, now);
    return;
  }
  if (closed) {
    // Deleted by either side once established: the session is over, without a failure.
    sa_.reset();
    finished_ = true;
    return;
  }
  if (failed) {
    if (previous_) {
      abandon_move(SessionError::SaFailed, failed->reason);
    } else if (on_redirect_target_ && !established_) {
      target_failed(failed->reason, failed->notify, now);
    } else {
      finish(SessionFailed{SessionError::SaFailed, failed->reason, failed->notify});
    }
  }
}

std::optional<SessionError> IkeInitiatorSession::check_redirect(const wire::GwIdentity& gateway,
                                                                base::TimePoint now) {
  while (!redirect_times_.empty() &&
         now - redirect_times_.front() >= config_.redirect_loop_period) {
    redirect_times_.pop_front();
  }
  if (redirect_times_.size() >= config_.max_redirects) {
    return SessionError::RedirectLoop;  // R5685-29
  }
  if (!config_.gateway_permitted || !config_.gateway_permitted(gateway)) {
    return SessionError::RedirectNotPermitted;  // R5685-08
  }
  if (gateway.type != wire::GwIdentType::Fqdn && !gateway.address()) {
    return SessionError::RedirectTargetUnusable;
  }
  redirect_times_.push_back(now);
  return std::nullopt;
}

void IkeInitiatorSession::start_move(const wire::GwIdentity& gateway, base::TimePoint now) {
  const wire::GwIdentity from = wire::GwIdentity::from_address(current_.remote.address);
  if (const auto error = check_redirect(gateway, now)) {
    outputs_.emplace_back(GatewayMoveFailed{gateway, *error, std::nullopt});
    return;
  }
  // Make-before-break: the established SA keeps running until the new one is up (R5685-19).
  move_target_ = gateway;
  previous_path_ = current_;
  previous_ = std::move(sa_);
  redirect_origin_ = current_.remote.address;  // REDIRECTED_FROM = the redirecting gateway
  outputs_.emplace_back(Redirected{gateway, from, static_cast<unsigned>(redirect_times_.size()),
                                   RedirectPoint::Informational});
  if (gateway.type == wire::GwIdentType::Fqdn) {
    pending_fqdn_ = std::string(gateway.fqdn_text());
    on_redirect_target_ = true;
    outputs_.emplace_back(ResolveGateway{*pending_fqdn_});
    return;
  }
  const Path next{original_.local, Endpoint{*gateway.address(), config_.gateway_port}};
  if (!start_attempt(next, true, now)) {
    abandon_move(SessionError::SaFailed, FailureReason::InternalError);
  }
}

base::Duration IkeInitiatorSession::move_delay() {
  if (config_.move_jitter <= base::Duration::zero()) {
    return base::Duration::zero();
  }
  std::array<std::uint8_t, 8> r{};
  env_.random.fill(r);
  std::uint64_t v = 0;
  for (std::uint8_t b : r) {
    v = (v << 8) | b;
  }
  const auto span = static_cast<std::uint64_t>(config_.move_jitter.count());
  return base::Duration(static_cast<base::Duration::rep>(v % span));
}

void IkeInitiatorSession::finish_move(base::TimePoint now) {
  outputs_.emplace_back(IkeGatewayChanged{previous_path_, current_});
  move_target_.reset();
  // R5685-19: the old gateway's SA goes; its Delete runs on beside the new SA.
  (void)previous_->request_delete(now);
  retire(std::move(previous_));
  drain_retired();
}

void IkeInitiatorSession::abandon_move(SessionError error, std::optional<FailureReason> reason) {
  outputs_.emplace_back(
      GatewayMoveFailed{move_target_.value_or(wire::GwIdentity{}), error, reason});
  move_target_.reset();
  pending_fqdn_.reset();
  sa_ = std::move(previous_);
  current_ = previous_path_;
  on_redirect_target_ = false;
  established_ = sa_ != nullptr;
  if (sa_ && sa_->finished()) {
    // The old gateway already deleted that SA (its grace period ended): nothing to go back to.
    sa_.reset();
    established_ = false;
    finish(SessionFailed{error, reason, std::nullopt});
  }
}

void IkeInitiatorSession::follow_redirect(const wire::GwIdentity& gateway, base::TimePoint now,
                                          RedirectPoint point) {
  const wire::GwIdentity from = wire::GwIdentity::from_address(current_.remote.address);
  // IKE_SA_INIT: no IKE SA exists on either side (R5685-04); IKE_AUTH: the SA's own Delete
  // is under way (R5685-23) and finishes beside the next attempt.
  retire(std::move(sa_));
  if (const auto error = check_redirect(gateway, now)) {
    if (previous_) {
      abandon_move(*error, FailureReason::Redirected);
      return;
    }
    finish(SessionFailed{*error, FailureReason::Redirected, wire::NotifyType::Redirect});
    return;
  }
  const auto address = gateway.address();
  outputs_.emplace_back(
      Redirected{gateway, from, static_cast<unsigned>(redirect_times_.size()), point});
  if (gateway.type == wire::GwIdentType::Fqdn) {
    pending_fqdn_ = std::string(gateway.fqdn_text());
    on_redirect_target_ = true;
    outputs_.emplace_back(ResolveGateway{*pending_fqdn_});
    return;
  }
  const Path next{original_.local, Endpoint{*address, config_.gateway_port}};
  if (!start_attempt(next, true, now)) {
    if (previous_) {
      abandon_move(SessionError::SaFailed, FailureReason::InternalError);
      return;
    }
    finish(SessionFailed{SessionError::SaFailed, FailureReason::InternalError, std::nullopt});
  }
}

base::Result<void> IkeInitiatorSession::on_gateway_resolved(std::string_view fqdn,
                                                            const base::Ip6Addr& address,
                                                            base::TimePoint now) {
  if (finished_ || !pending_fqdn_ || *pending_fqdn_ != fqdn) {
    return base::fail(base::Error{"unexpected", "no resolution pending for this name"});
  }
  pending_fqdn_.reset();
  const Path next{original_.local, Endpoint{address, config_.gateway_port}};
  auto started = start_attempt(next, true, now);
  if (!started) {
    if (previous_) {
      abandon_move(SessionError::SaFailed, FailureReason::InternalError);
    } else {
      finish(SessionFailed{SessionError::SaFailed, FailureReason::InternalError, std::nullopt});
    }
  }
  return started;
}

void IkeInitiatorSession::on_resolve_failed(std::string_view fqdn, base::TimePoint now) {
  if (finished_ || !pending_fqdn_ || *pending_fqdn_ != fqdn) {
    return;
  }
  pending_fqdn_.reset();
  if (previous_) {
    abandon_move(SessionError::ResolveFailed, std::nullopt);
    return;
  }
  target_failed(std::nullopt, std::nullopt, now);
}

void IkeInitiatorSession::target_failed(std::optional<FailureReason> reason,
                                        std::optional<wire::NotifyType> notify,
                                        base::TimePoint now) {
  sa_.reset();
  // Our own encoding/crypto trouble would repeat with the original: no point going back.
  const bool worth_returning = reason != FailureReason::InternalError;
  if (config_.return_to_original && !returned_ && worth_returning) {
    returned_ = true;
    redirect_origin_ = original_.remote.address;
    outputs_.emplace_back(ReturnedToOriginal{original_.remote.address, reason});
    if (!start_attempt(original_, false, now)) {
      finish(SessionFailed{SessionError::SaFailed, FailureReason::InternalError, std::nullopt});
    }
    return;
  }
  finish(
      SessionFailed{reason ? SessionError::SaFailed : SessionError::ResolveFailed, reason, notify});
}

void IkeInitiatorSession::finish(SessionFailed failure) {
  sa_.reset();
  pending_fqdn_.reset();
  finished_ = true;
  outputs_.emplace_back(failure);
}

}  // namespace ike::engine
