// IkeInitiatorSession: redirect following, loop protection and the way back to the original.
#include "ike/engine/ike_initiator_session.h"

#include <algorithm>
#include <array>
#include <utility>

namespace ike::engine {
namespace {

constexpr std::array<std::uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool is_v4_mapped(const base::Ip6Addr& a) {
  return std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), a.bytes().begin());
}

// How a gateway address appears in RFC 5685 notifies (GW Ident Type 1 or 2, R5685-38).
wire::GwIdentity identity_of(const base::Ip6Addr& a) {
  if (is_v4_mapped(a)) {
    std::array<std::uint8_t, 4> v4{};
    std::copy(a.bytes().begin() + 12, a.bytes().end(), v4.begin());
    return wire::GwIdentity::ipv4(v4);
  }
  return wire::GwIdentity::ipv6(a);
}

// The address to contact for an IPv4 / IPv6 identity; nullopt for an FQDN or garbage.
std::optional<base::Ip6Addr> address_of(const wire::GwIdentity& gw) {
  if (gw.type == wire::GwIdentType::Ipv6) {
    return gw.ipv6_addr();
  }
  if (gw.type == wire::GwIdentType::Ipv4 && gw.value.size() == 4) {
    std::array<std::uint8_t, 16> b{};
    std::copy(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), b.begin());
    std::copy(gw.value.begin(), gw.value.end(), b.begin() + 12);
    return base::Ip6Addr::from_span(std::span<const std::uint8_t, 16>(b.data(), 16));
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(SessionError e) {
  switch (e) {
    case SessionError::RedirectLoop: return "redirect-loop";
    case SessionError::RedirectNotPermitted: return "redirect-not-permitted";
    case SessionError::RedirectTargetUnusable: return "redirect-target-unusable";
    case SessionError::ResolveFailed: return "resolve-failed";
    case SessionError::SaFailed: return "sa-failed";
  }
  return "?";
}

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
    return base::fail(base::Error{"wrong-state", "start() called twice"});
  }
  original_ = path;
  return start_attempt(path, false, now);
}

base::Result<void> IkeInitiatorSession::start_attempt(const Path& path, bool redirected,
                                                      base::TimePoint now) {
  // R5685-07, R5685-38; config_.sa.redirected_from is only ever set here.
  config_.sa.redirected_from.reset();
  if (redirected) {
    config_.sa.redirected_from.emplace(identity_of(original_.remote.address));
  }
  // A fresh IkeSa draws a new SPIi and Ni from the environment (no nonce reuse, RFC 7296 3.9).
  sa_ = std::make_unique<IkeSa>(config_.sa, env_);
  current_ = path;
  on_redirect_target_ = redirected;
  ++attempts_;
  auto started = sa_->initiate(path, now);
  drain(now);
  return started;
}

void IkeInitiatorSession::on_datagram(const Path& path, std::span<const std::uint8_t> bytes,
                                      base::TimePoint now) {
  if (!sa_) {
    return;
  }
  // An answer from an earlier gateway carries an old SPIi and is dropped by the SA.
  sa_->on_datagram(path, bytes, now);
  drain(now);
}

void IkeInitiatorSession::on_timer(base::TimePoint now) {
  if (!sa_) {
    return;
  }
  sa_->on_timer(now);
  drain(now);
}

base::TimePoint IkeInitiatorSession::next_deadline() const {
  return sa_ ? sa_->next_deadline() : base::kNever;
}

void IkeInitiatorSession::drain(base::TimePoint now) {
  if (!sa_) {
    return;
  }
  std::optional<wire::GwIdentity> redirect;
  std::optional<SaFailed> failed;
  for (auto& o : sa_->take_outputs()) {
    if (auto* r = std::get_if<RedirectReceived>(&o)) {
      redirect = std::move(r->gateway);
    } else if (auto* f = std::get_if<SaFailed>(&o)) {
      failed = *f;
    } else if (auto* s = std::get_if<SendDatagram>(&o)) {
      outputs_.emplace_back(std::move(*s));
    } else if (auto* i = std::get_if<InstallChildSa>(&o)) {
      outputs_.emplace_back(std::move(*i));
    } else if (auto* e = std::get_if<SaEstablished>(&o)) {
      outputs_.emplace_back(std::move(*e));
    } else if (auto* c = std::get_if<StateChanged>(&o)) {
      outputs_.emplace_back(*c);
    }
  }
  if (redirect) {
    follow_redirect(*redirect, now);
    return;
  }
  if (failed) {
    if (on_redirect_target_) {
      target_failed(failed->reason, failed->notify, now);
    } else {
      finish(SessionFailed{SessionError::SaFailed, failed->reason, failed->notify});
    }
  }
}

void IkeInitiatorSession::follow_redirect(const wire::GwIdentity& gateway, base::TimePoint now) {
  const wire::GwIdentity from = identity_of(current_.remote.address);
  sa_.reset();  // the redirecting exchange left no IKE SA on either side (R5685-04)
  while (!redirect_times_.empty() &&
         now - redirect_times_.front() >= config_.redirect_loop_period) {
    redirect_times_.pop_front();
  }
  if (redirect_times_.size() >= config_.max_redirects) {
    finish(SessionFailed{SessionError::RedirectLoop, FailureReason::Redirected,
                         wire::NotifyType::Redirect});  // R5685-29
    return;
  }
  if (!config_.gateway_permitted || !config_.gateway_permitted(gateway)) {
    finish(SessionFailed{SessionError::RedirectNotPermitted, FailureReason::Redirected,
                         wire::NotifyType::Redirect});  // R5685-08
    return;
  }
  const auto address = address_of(gateway);
  if (gateway.type != wire::GwIdentType::Fqdn && !address) {
    finish(SessionFailed{SessionError::RedirectTargetUnusable, FailureReason::Redirected,
                         wire::NotifyType::Redirect});
    return;
  }
  redirect_times_.push_back(now);
  outputs_.emplace_back(Redirected{gateway, from, static_cast<unsigned>(redirect_times_.size())});
  if (gateway.type == wire::GwIdentType::Fqdn) {
    pending_fqdn_ = std::string(gateway.fqdn_text());
    on_redirect_target_ = true;
    outputs_.emplace_back(ResolveGateway{*pending_fqdn_});
    return;
  }
  const Path next{original_.local, Endpoint{*address, config_.gateway_port}};
  if (!start_attempt(next, true, now)) {
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
    finish(SessionFailed{SessionError::SaFailed, FailureReason::InternalError, std::nullopt});
  }
  return started;
}

void IkeInitiatorSession::on_resolve_failed(std::string_view fqdn, base::TimePoint now) {
  if (finished_ || !pending_fqdn_ || *pending_fqdn_ != fqdn) {
    return;
  }
  pending_fqdn_.reset();
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
