#include "ha/daemon/ha_daemon.h"

#include <exception>
#include <variant>

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

// RFC 5685 5 on an established responder SA, through the driver (the one place that may touch
// the SAs it owns).
class HaDaemon::Redirector final : public GatewayRedirector {
 public:
  explicit Redirector(::ike::io::IkeDriver& driver) : driver_(&driver) {}
  [[nodiscard]] base::Result<void, std::string> redirect(std::uint64_t spi_i, std::uint64_t spi_r,
                                                         const ::ike::wire::GwIdentity& target,
                                                         base::Duration grace,
                                                         base::TimePoint /*now*/) override {
    // R5685-15/16/17/20 are the SA's business (ike_redirect.cc); the driver performs its
    // outputs (the INFORMATIONAL request goes out before this returns).
    return driver_->with_sa({engine::Role::Responder, spi_i, spi_r},
                            [&](engine::IkeSa& sa, base::TimePoint at) {
                              return sa.redirect(target, grace, at);
                            });
  }

 private:
  ::ike::io::IkeDriver* driver_;
};

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
  d->redirector_ = std::make_unique<Redirector>(*d->driver_);
  d->core_->set_gateway_redirector(d->redirector_.get());

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
  d->emit_({{"event", "started"}, {"ha", config.name}, {"capacity", config.capacity}});
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
  const auto now = base::Clock::now();
  json answer;
  if (request.is_object() && request.value("cmd", "") == "status") {
    answer = status_json();
  } else {
    answer = core_->control(request, now);
  }
  flush();
  rearm();
  return answer;
}

json HaDaemon::status_json() {
  json j = core_->status(base::Clock::now());
  if (const auto* front = driver_->responder()) {
    j["half_open"] = front->half_open();
    j["ike_sas"] = front->sa_count();
    json c = json::object();
    for (std::size_t i = 0; i < static_cast<std::size_t>(engine::ResponderCounter::kCount); ++i) {
      const auto k = static_cast<engine::ResponderCounter>(i);
      c[std::string(engine::to_string(k))] = front->counters().get(k);
    }
    j["counters"]["ike_front"] = c;
  }
  const auto& s = driver_->stats();
  j["counters"]["ike_driver"] = {{"datagrams-in", s.datagrams_in},
                                 {"dropped-no-sa", s.dropped_no_sa},
                                 {"dropped-undecodable", s.dropped_undecodable},
                                 {"dropped-no-transport", s.dropped_no_transport}};
  j["counters"]["core"]["data-plane-drops"] = data_plane_drops_;
  return j;
}

void HaDaemon::flush() {
  for (auto& e : core_->take_events()) {
    emit_(e);
  }
  for (const auto& o : core_->take_mip6_outputs()) {
    // No MN data plane yet (ROADMAP step 4): an HA Switch has no ESP SA to leave through, and
    // it MUST NOT go in the clear (R5142-10/35). Counted and logged.
    if (const auto* s = std::get_if<mip6::engine::SendHomeAgentSwitch>(&o)) {
      ++data_plane_drops_;
      log_.log(
          base::LogLevel::Warning, kComponent,
          "no ESP data plane: Home Agent Switch for " + s->home_address.to_string() + " not sent");
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
