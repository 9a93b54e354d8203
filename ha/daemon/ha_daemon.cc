#include "ha/daemon/ha_daemon.h"

#include <exception>
#include <variant>

#include "ha/daemon/event_format.h"
#include "ike/io/udp_transport.h"

namespace ha::daemon {

namespace {
constexpr std::string_view kComponent = "mip6-ha";
namespace engine = ::ike::engine;
using nlohmann::json;

engine::IkeSaConfig responder_sa_config(const HaDaemonConfig& config) {
  engine::IkeSaConfig sa;
  sa.local_id = ::ike::wire::IdPayload::from_text(config.identity);
  return sa;
}

}  // namespace

base::Result<std::unique_ptr<HaDaemon>, std::string> HaDaemon::start(boost::asio::io_context& io,
                                                                     const HaDaemonConfig& config,
                                                                     const base::Logger& log,
                                                                     EventSink emit) {
  std::unique_ptr<HaDaemon> d(new HaDaemon(io, config, log, std::move(emit)));
  auto core = HaCore::create(config, base::Clock::now(), [&random = d->random_] {
    std::uint64_t v = 0;
    random.fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&v), sizeof v));
    return v;
  });
  if (!core) {
    return base::fail(core.error());
  }
  d->core_ = std::move(*core);
  d->control_protocol_ = std::make_unique<ControlProtocol>(*d->core_, [self = d.get()] {
    ShellStatus s;
    if (self->driver_) {
      s.front = self->driver_->responder();
      s.driver = &self->driver_->stats();
    }
    s.data_plane_drops = self->data_plane_drops_;
    s.events = &self->metrics_;
    return s;
  });
  engine::Environment env{d->random_, d->kex_, d->credentials_, &d->core_->address_pool()};
  env.auth_decision = &d->core_->auth_decision();
  d->driver_ = std::make_unique<::ike::io::IkeDriver>(io, env, log);
  if (!config.ike_keylog.empty()) {
    auto keylog = ::ike::io::IkeKeylog::open(config.ike_keylog);
    if (!keylog) {
      return base::fail("ike_keylog: " + keylog.error());
    }
    d->keylog_ = std::move(*keylog);
    d->driver_->set_keylog(d->keylog_.get());
    log.log(base::LogLevel::Warning, kComponent,
            "writing every IKE SA's keys to " + config.ike_keylog + " (ike_keylog)");
  }

  std::vector<base::Ip6Addr> listen = config.addresses;
  if (config.anycast) {
    listen.push_back(*config.anycast);
  }
  for (const auto& a : listen) {
    for (const std::uint16_t port : {::ike::io::kIkePort, ::ike::io::kNatTPort}) {
      if (auto ok = d->driver_->listen({a, port}); !ok) {
        return base::fail(ok.error());
      }
    }
  }
  engine::IkeResponderConfig rc;
  rc.sa = responder_sa_config(config);
  rc.max_half_open = config.max_half_open;
  rc.cookie_threshold = config.cookie_threshold;
  d->driver_->accept_responders(std::move(rc), d->core_->init_decision());
  HaDaemon* self = d.get();
  d->driver_->set_responder_sink(
      [self](const engine::ResponderOutput& out, const engine::IkeSa* sa) {
        self->core_->on_responder_output(out, sa, base::Clock::now());
        self->flush();
        self->rearm();
      });

  auto control = ControlServer::open(
      io, config.control_socket, [self](const json& r) { return self->on_control(r); }, log);
  if (!control) {
    return base::fail(control.error());
  }
  d->control_ = std::move(*control);
  log.log(base::LogLevel::Info, kComponent,
          config.name + ": serving, capacity " + std::to_string(config.capacity) +
              ", control socket " + config.control_socket);
  d->emit_(started_json(config.name, config.capacity));
  d->rearm();
  return d;
}

HaDaemon::HaDaemon(boost::asio::io_context& io, const HaDaemonConfig& config,
                   const base::Logger& log, EventSink emit)
    : io_(io),
      config_(config),
      log_(log),
      emit_(std::move(emit)),
      credentials_(config.psks),
      timer_(io) {}

HaDaemon::~HaDaemon() {
  stop();
}

void HaDaemon::stop() {
  *alive_ = false;
  timer_.cancel();
  if (control_) {
    control_->close();
  }
  if (driver_) {
    driver_->stop();
  }
}

json HaDaemon::on_control(const json& request) {
  json answer = control_protocol_->answer(request, base::Clock::now());
  flush();
  rearm();
  return answer;
}

void HaDaemon::publish(const CoreEvent& event) {
  metrics_.count(event);
  if (const auto level = event_log_level(event); log_.enabled(level)) {
    log_.log(level, kComponent, event_log_line(event));
  }
  emit_(event_json(event, config_.name));
}

// RFC 5685 5 on an established responder SA, through the driver (the one place that may touch
// the SAs it owns); R5685-15/16/17/20 are the SA's business (tasks/ike_redirect.cc). The driver
// performs the SA's outputs (the INFORMATIONAL request goes out before this returns).
void HaDaemon::execute(const RedirectSa& command) {
  const auto result =
      driver_->with_sa({engine::Role::Responder, command.spi_i.value(), command.spi_r.value()},
                       [&](engine::IkeSa& sa, base::TimePoint at) {
                         return sa.redirect(command.gateway, command.grace, at);
                       });
  core_->on_redirect_done(command.id, result, base::Clock::now());
}

void HaDaemon::flush() {
  for (;;) {
    for (const auto& e : core_->take_events()) {
      publish(e);
    }
    for (const auto& o : core_->take_mip6_outputs()) {
      // No MN data plane yet (ROADMAP step 4): an HA Switch has no ESP SA to leave through,
      // and it MUST NOT go in the clear (R5142-10/35). Counted and logged.
      if (const auto* s = std::get_if<mip6::engine::SendHomeAgentSwitch>(&o)) {
        ++data_plane_drops_;
        log_.log(base::LogLevel::Warning, kComponent,
                 "no ESP data plane: Home Agent Switch for " + s->home_address.to_string() +
                     " not sent");
      }
    }
    const auto commands = core_->take_commands();
    if (commands.empty()) {
      return;
    }
    for (const auto& c : commands) {
      std::visit([&](const RedirectSa& r) { execute(r); }, c);
    }
  }
}

void HaDaemon::rearm() {
  const base::TimePoint next = core_->next_deadline();
  if (next == armed_) {
    return;
  }
  armed_ = next;
  timer_.cancel();
  if (next == base::kNever) {
    return;
  }
  timer_.expires_at(next);
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) {
      return;
    }
    armed_ = base::kNever;
    try {
      core_->on_timer(base::Clock::now());
      flush();
    } catch (const std::exception& e) {
      log_.log(base::LogLevel::Error, kComponent, std::string("timer: ") + e.what());
    }
    rearm();
  });
}

}  // namespace ha::daemon
