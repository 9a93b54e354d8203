#include "ike/io/session_driver.h"

#include <exception>
#include <variant>

namespace ike::io {
namespace {

constexpr std::string_view kComponent = "ike-session";

}  // namespace

SessionDriver::SessionDriver(boost::asio::io_context& io, engine::Environment env,
                             const base::Logger& log)
    : io_(io), env_(env), log_(log), timer_(io) {}

SessionDriver::~SessionDriver() {
  stop();
}

void SessionDriver::stop() {
  *alive_ = false;
  timer_.cancel();
  transports_.close_all();
}

base::Result<engine::Endpoint, std::string> SessionDriver::listen(const engine::Endpoint& local,
                                                                  Framing framing) {
  return transports_.open(
      io_, local,
      [this](const engine::Path& path, std::span<const std::uint8_t> bytes) {
        on_datagram(path, bytes);
      },
      log_, framing);
}

base::Result<void, std::string> SessionDriver::start(engine::InitiatorSessionConfig config,
                                                     const engine::Path& path) {
  if (session_) {
    return base::fail(std::string("session already started"));
  }
  session_ = std::make_unique<engine::IkeInitiatorSession>(std::move(config), env_);
  auto started = session_->start(path, base::Clock::now());
  drain();
  rearm();
  if (!started) {
    return base::fail(std::string(started.error().code) + ": " +
                      std::string(started.error().detail));
  }
  return {};
}

void SessionDriver::with_session(
    const std::function<void(engine::IkeInitiatorSession&, base::TimePoint)>& fn) {
  if (!session_) {
    return;
  }
  fn(*session_, base::Clock::now());
  drain();
  rearm();
}

void SessionDriver::on_datagram(const engine::Path& path, std::span<const std::uint8_t> bytes) {
  if (!session_) {
    return;
  }
  session_->on_datagram(path, bytes, base::Clock::now());
  drain();
  rearm();
}

void SessionDriver::drain() {
  // Outputs may lead to more (ResolveGateway answered at once): loop until quiet.
  for (int round = 0; round < 8 && session_; ++round) {
    record_keys();
    auto outputs = session_->take_outputs();
    if (outputs.empty()) {
      return;
    }
    for (const auto& out : outputs) {
      if (const auto* d = std::get_if<engine::SendDatagram>(&out)) {
        send(*d);
        continue;
      }
      if (const auto* r = std::get_if<engine::ResolveGateway>(&out)) {
        const auto address = resolver_ ? resolver_(r->fqdn) : std::nullopt;
        bool resolved = false;
        if (address) {
          auto accepted = session_->on_gateway_resolved(r->fqdn, *address, base::Clock::now());
          resolved = accepted.has_value();
          if (!accepted) {
            log_.log(base::LogLevel::Warning, kComponent,
                     "redirect to FQDN " + r->fqdn + ": " + std::string(accepted.error().detail));
          }
        } else {
          log_.log(base::LogLevel::Warning, kComponent,
                   "redirect to FQDN " + r->fqdn + ": did not resolve");
        }
        if (!resolved) {
          session_->on_resolve_failed(r->fqdn, base::Clock::now());
        }
      }
      if (sink_) {
        try {
          sink_(out);
        } catch (const std::exception& e) {
          log_.log(base::LogLevel::Error, kComponent, std::string("sink: ") + e.what());
        }
      }
    }
  }
}

void SessionDriver::record_keys() {
  if (keylog_ == nullptr) {
    return;
  }
  for (const engine::IkeSa* sa : {session_->sa(), session_->previous_sa()}) {
    if (sa == nullptr) {
      continue;
    }
    if (auto written = record_sa_keys(*keylog_, *sa); !written) {
      log_.log(base::LogLevel::Warning, kComponent, "keylog: " + written.error());
    }
  }
}

void SessionDriver::send(const engine::SendDatagram& d) {
  UdpTransport* via = transports_.bound_to(d.path.local);
  if (via == nullptr) {
    log_.log(base::LogLevel::Warning, kComponent,
             "no socket on [" + address_to_string(d.path.local.address) +
                 "]:" + std::to_string(d.path.local.port));
    return;
  }
  if (d.nat_keepalive) {
    via->send_keepalive(d.path.remote);
    return;
  }
  via->send(d.path.remote, d.bytes);
}

void SessionDriver::rearm() {
  const base::TimePoint next = session_ ? session_->next_deadline() : base::kNever;
  if (next == armed_) {
    return;
  }
  armed_ = next;
  if (next == base::kNever) {
    timer_.cancel();
    return;
  }
  timer_.expires_at(next);
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (!*alive || ec == boost::asio::error::operation_aborted) {
      return;
    }
    armed_ = base::kNever;
    if (session_) {
      session_->on_timer(base::Clock::now());
      drain();
    }
    rearm();
  });
}

}  // namespace ike::io
