#include "mn/daemon/mn_daemon.h"

#include <exception>
#include <variant>

#include "ike/base/overloaded.h"

namespace mn {
namespace {

constexpr std::string_view kComponent = "mn";

}  // namespace

MnDaemon::MnDaemon(boost::asio::io_context& io, ike::engine::Environment env,
                   const base::Logger& log)
    : io_(io), env_(env), log_(log), timer_(io) {}

MnDaemon::~MnDaemon() {
  stop();
}

void MnDaemon::stop() {
  *alive_ = false;
  timer_.cancel();
  transports_.close_all();
}

base::Result<ike::engine::Endpoint, std::string> MnDaemon::listen(
    const ike::engine::Endpoint& local, ike::io::Framing framing) {
  return transports_.open(
      io_, local,
      [this](const ike::engine::Path& path, std::span<const std::uint8_t> bytes) {
        on_datagram(path, bytes);
      },
      log_, framing);
}

base::Result<void, std::string> MnDaemon::start(MnCoreConfig config) {
  if (core_) {
    return base::fail(std::string("already started"));
  }
  // The registration's first sequence number (any value, R6275-22).
  auto sequence_source = [&random = env_.random] {
    std::uint64_t v = 0;
    random.fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&v), sizeof v));
    return v;
  };
  core_ = std::make_unique<MnCore>(std::move(config), env_, sequence_source);
  auto started = core_->start(base::Clock::now());
  drain();
  if (!started) {
    return base::fail(std::string(started.error().code) + ": " +
                      std::string(started.error().detail));
  }
  return {};
}

void MnDaemon::with_core(const std::function<void(MnCore&, base::TimePoint)>& fn) {
  if (!core_) {
    return;
  }
  fn(*core_, base::Clock::now());
  drain();
}

void MnDaemon::on_datagram(const ike::engine::Path& path, std::span<const std::uint8_t> bytes) {
  if (!core_) {
    return;
  }
  ++stats_.datagrams_in;
  core_->on_ike_datagram(path, bytes, base::Clock::now());
  drain();
}

void MnDaemon::drain() {
  // Resolving a name answers the core at once, which may bring more outputs: until quiet.
  for (int round = 0; round < 8 && core_; ++round) {
    record_keys();
    auto outputs = core_->take_outputs();
    if (outputs.empty()) {
      break;
    }
    for (const auto& out : outputs) {
      perform(out);
      if (sink_ && !std::holds_alternative<ike::engine::SendDatagram>(out)) {
        try {
          sink_(out);
        } catch (const std::exception& e) {
          log_.log(base::LogLevel::Error, kComponent, std::string("sink: ") + e.what());
        }
      }
    }
  }
  rearm();
}

void MnDaemon::perform(const MnCoreOutput& out) {
  const auto info = [this](const std::string& msg) {
    log_.log(base::LogLevel::Info, kComponent, msg);
  };
  std::visit(
      base::Overloaded{
          [&](const ike::engine::SendDatagram& d) { send(d); },
          [&](const ike::engine::ResolveGateway& r) { resolve(r.fqdn); },
          [&](const mip6::engine::SendBindingUpdate& bu) {
            ++stats_.binding_updates_not_sent;
            log_.log(base::LogLevel::Warning, kComponent,
                     "no ESP data plane: Binding Update to " + bu.destination.to_string() +
                         " (lifetime " + std::to_string(bu.update.lifetime) + ") not sent");
          },
          [&](const RegistrationStarted& r) {
            info("home registration with " + r.home_agent.to_string() + " for " +
                 r.home_address.to_string() + " from " + r.care_of_address.to_string());
          },
          [&](const RegistrationNotStarted& r) {
            info("no home registration: " + std::string(r.error.detail));
          },
          [&](const HomeAgentSwitchStarted& s) {
            info("Home Agent Switch from " + s.from.to_string() + ": bootstrapping towards " +
                 (s.to.is_unspecified() ? std::string("the home agent's name") : s.to.to_string()));
          },
          [&](const HomeAgentSwitchFailed& f) {
            log_.log(base::LogLevel::Warning, kComponent,
                     "Home Agent Switch from " + f.from.to_string() +
                         " failed: " + std::string(f.reason));
          },
          [&](const HomeAgentReleased& r) {
            info("left home agent " + r.home_agent.to_string() + ": IKE SA closed");
          },
          [](const auto&) {},
      },
      out);
}

void MnDaemon::resolve(const std::string& name) {
  const base::TimePoint now = base::Clock::now();
  if (const auto address = resolver_.resolve(name)) {
    auto accepted = core_->on_gateway_resolved(name, *address, now);
    if (!accepted) {
      log_.log(base::LogLevel::Warning, kComponent,
               "name " + name + ": " + std::string(accepted.error().detail));
    }
    return;
  }
  log_.log(base::LogLevel::Warning, kComponent, "name " + name + ": did not resolve");
  core_->on_gateway_resolve_failed(name, now);
}

void MnDaemon::record_keys() {
  if (keylog_ == nullptr) {
    return;
  }
  for (const auto* session : core_->sessions()) {
    for (const ike::engine::IkeSa* sa : {session->sa(), session->previous_sa()}) {
      if (sa == nullptr) {
        continue;
      }
      if (auto written = ike::io::record_sa_keys(*keylog_, *sa); !written) {
        log_.log(base::LogLevel::Warning, kComponent, "keylog: " + written.error());
      }
    }
  }
}

void MnDaemon::send(const ike::engine::SendDatagram& d) {
  ike::io::UdpTransport* via = transports_.bound_to(d.path.local);
  if (via == nullptr) {
    ++stats_.dropped_no_transport;
    log_.log(base::LogLevel::Warning, kComponent,
             "no socket on [" + ike::io::address_to_string(d.path.local.address) +
                 "]:" + std::to_string(d.path.local.port));
    return;
  }
  if (d.nat_keepalive) {
    via->send_keepalive(d.path.remote);
    return;
  }
  via->send(d.path.remote, d.bytes);
}

void MnDaemon::rearm() {
  const base::TimePoint next = core_ ? core_->next_deadline() : base::kNever;
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
    if (core_) {
      core_->on_timer(base::Clock::now());
      drain();
    }
    rearm();
  });
}

}  // namespace mn
