#include "ike/io/ike_driver.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <variant>

#include "ike/wire/header.h"

namespace ike::io {
namespace {

constexpr std::string_view kComponent = "ike";

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::string sa_name(const engine::IkeSa& sa) {
  return std::string(engine::to_string(sa.role())) + " " + wire::to_string(sa.spi_i()) + "_i";
}

std::string gw_to_string(const wire::GwIdentity& gw) {
  if (auto a = gw.ipv6_addr()) {
    return a->to_string();
  }
  if (gw.type == wire::GwIdentType::Fqdn) {
    return std::string(gw.fqdn_text());
  }
  std::string out;
  for (const std::uint8_t b : gw.value) {
    out += (out.empty() ? "" : ".") + std::to_string(b);
  }
  return out;
}

}  // namespace

IkeDriver::IkeDriver(boost::asio::io_context& io, engine::Environment env,
                     const base::Logger& log)
    : io_(io), env_(env), log_(log), timer_(io) {}

IkeDriver::~IkeDriver() {
  stop();
}

void IkeDriver::stop() {
  *alive_ = false;
  timer_.cancel();
  for (auto& t : transports_) {
    t->close();
  }
}

base::Result<engine::Endpoint, std::string> IkeDriver::listen(const engine::Endpoint& local) {
  auto t = UdpTransport::open(
      io_, local,
      [this](const engine::Path& path, std::span<const std::uint8_t> bytes) {
        on_datagram(path, bytes);
      },
      log_);
  if (!t) {
    return base::fail(t.error());
  }
  const engine::Endpoint bound = (*t)->local();
  transports_.push_back(std::move(*t));
  return bound;
}

base::Result<engine::IkeSa*, std::string> IkeDriver::initiate(engine::IkeSaConfig config,
                                                               const engine::Path& path) {
  config.role = engine::Role::Initiator;
  auto sa = std::make_unique<engine::IkeSa>(std::move(config), env_);
  auto started = sa->initiate(path, base::Clock::now());
  if (!started) {
    return base::fail(std::string("initiate: ") + std::string(started.error().code) + " " +
                      std::string(started.error().detail));
  }
  engine::IkeSa* raw = sa.get();
  sas_.emplace(raw->spi_i().value(), Entry{std::move(sa)});
  drain(*raw);
  remove_failed();
  rearm();
  return raw;
}

void IkeDriver::accept_responders(engine::IkeSaConfig config) {
  config.role = engine::Role::Responder;
  responder_config_ = std::move(config);
}

void IkeDriver::accept_responders(engine::IkeResponderConfig config,
                                  engine::InitDecision& decision) {
  responder_config_.reset();
  responder_ = std::make_unique<engine::IkeResponder>(std::move(config), env_, decision);
}

void IkeDriver::on_datagram(const engine::Path& path, std::span<const std::uint8_t> bytes) {
  ++stats_.datagrams_in;
  auto header = wire::decode_header(bytes);
  if (!header) {
    ++stats_.dropped_undecodable;
    return;
  }
  // The I flag says who sent it (R7296-04): set = the original initiator, so the SA here is
  // our responder SA; clear = the peer responds to (or requests from) our initiator SA.
  const engine::Role mine = header->initiator ? engine::Role::Responder : engine::Role::Initiator;
  if (mine == engine::Role::Responder && responder_) {
    responder_->on_datagram(path, bytes, base::Clock::now());
    drain_responder();
    rearm();
    return;
  }
  engine::IkeSa* target = nullptr;
  auto [first, last] = sas_.equal_range(header->spi_i.value());
  for (auto it = first; it != last; ++it) {
    if (it->second.sa->role() == mine &&
        (mine == engine::Role::Initiator || it->second.sa->spi_r() == header->spi_r ||
         header->spi_r.is_zero())) {
      target = it->second.sa.get();
      break;
    }
  }
  if (target == nullptr && mine == engine::Role::Responder && responder_config_ &&
      header->exchange == wire::ExchangeType::IkeSaInit && !header->response &&
      header->spi_r.is_zero()) {
    auto sa = std::make_unique<engine::IkeSa>(*responder_config_, env_);
    target = sa.get();
    sas_.emplace(header->spi_i.value(), Entry{std::move(sa)});
    ++stats_.responders_created;
  }
  if (target == nullptr) {
    ++stats_.dropped_no_sa;
    return;
  }
  target->on_datagram(path, bytes, base::Clock::now());
  drain(*target);
  remove_failed();
  rearm();
}

void IkeDriver::drain(engine::IkeSa& sa) {
  for (const auto& out : sa.take_outputs()) {
    if (const auto* d = std::get_if<engine::SendDatagram>(&out)) {
      send(*d);
    }
    log_output(sa, out);
    if (sink_) {
      // A failing observer must not cost the remaining outputs (a lost SendDatagram would
      // only be repaired by a peer retransmission).
      try {
        sink_(sa, out);
      } catch (const std::exception& e) {
        log_.log(base::LogLevel::Error, kComponent, std::string("event sink: ") + e.what());
      }
    }
  }
}

void IkeDriver::drain_responder() {
  for (const auto& out : responder_->take_outputs()) {
    if (const auto* d = std::get_if<engine::SendDatagram>(&out)) {
      send(*d);
      continue;
    }
    const engine::IkeSa* sa = nullptr;
    if (const auto* e = std::get_if<engine::ResponderSaEvent>(&out)) {
      sa = responder_->find(e->spi_r);
    }
    if (sa != nullptr) {
      log_output(*sa, std::get<engine::ResponderSaEvent>(out).output);
    } else {
      log_responder_output(out);
    }
    // A failing observer must not cost the remaining outputs.
    try {
      if (sa != nullptr && sink_) {
        sink_(*sa, std::get<engine::ResponderSaEvent>(out).output);
      }
      if (responder_sink_) {
        responder_sink_(out, sa);
      }
    } catch (const std::exception& e) {
      log_.log(base::LogLevel::Error, kComponent, std::string("event sink: ") + e.what());
    }
  }
}

void IkeDriver::log_responder_output(const engine::ResponderOutput& out) const {
  std::visit(
      Overloaded{
          [&](const engine::InitDecided& d) {
            std::string msg = "IKE_SA_INIT from [" + address_to_string(d.path.remote.address) +
                              "] " + wire::to_string(d.spi_i) + "_i: " +
                              std::string(engine::to_string(d.outcome));
            if (d.target) {
              msg += " to " + gw_to_string(*d.target);
            }
            if (d.notify) {
              msg += " (notify " + std::string(wire::to_string(*d.notify)) + ")";
            }
            msg += d.redirect_supported ? ", redirect supported" : ", redirect not supported";
            log_.log(base::LogLevel::Info, kComponent, msg);
          },
          [&](const engine::ResponderSaCreated& c) {
            log_.log(base::LogLevel::Debug, kComponent,
                     "responder SA " + wire::to_string(c.spi_i) + "_i/" +
                         wire::to_string(c.spi_r) + "_r created, tag " + std::to_string(c.tag));
          },
          [&](const engine::ResponderSaRemoved& r) {
            log_.log(base::LogLevel::Info, kComponent,
                     "responder SA " + wire::to_string(r.spi_r) + "_r removed" +
                         (r.established ? " (was established)" : " (never established)"));
          },
          [&](const engine::ResponderSaEvent& e) {
            if (const auto* f = std::get_if<engine::SaFailed>(&e.output)) {
              log_.log(base::LogLevel::Warning, kComponent,
                       "responder SA " + wire::to_string(e.spi_r) +
                           "_r: failed: " + std::string(engine::to_string(f->reason)));
              return;
            }
            log_.log(base::LogLevel::Debug, kComponent,
                     "removed responder SA " + wire::to_string(e.spi_r) + "_r: output #" +
                         std::to_string(e.output.index()));
          },
          [&](const engine::SendDatagram&) {},
      },
      out);
}

void IkeDriver::send(const engine::SendDatagram& d) {
  UdpTransport* chosen = nullptr;
  for (auto& t : transports_) {
    if (t->local() == d.path.local) {
      chosen = t.get();
      break;
    }
  }
  if (chosen == nullptr) {
    ++stats_.dropped_no_transport;
    log_.log(base::LogLevel::Warning, kComponent,
             "no socket bound to [" + address_to_string(d.path.local.address) +
                 "]:" + std::to_string(d.path.local.port) + ", datagram dropped");
    return;
  }
  chosen->send(d.path.remote, d.bytes);
}

void IkeDriver::remove_failed() {
  for (auto it = sas_.begin(); it != sas_.end();) {
    if (it->second.sa->state() == engine::IkeSaState::Failed) {
      it = sas_.erase(it);
      ++stats_.sas_removed;
    } else {
      ++it;
    }
  }
}

void IkeDriver::rearm() {
  base::TimePoint earliest = base::kNever;
  for (const auto& [spi, entry] : sas_) {
    earliest = std::min(earliest, entry.sa->next_deadline());
  }
  if (responder_) {
    earliest = std::min(earliest, responder_->next_deadline());
  }
  if (earliest == armed_) {
    return;
  }
  armed_ = earliest;
  if (earliest == base::kNever) {
    timer_.cancel();
    return;
  }
  timer_.expires_at(earliest);  // cancels a pending wait
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (!*alive || ec == boost::asio::error::operation_aborted) {
      return;
    }
    try {
      on_timer_fired();
    } catch (const std::exception& e) {
      log_.log(base::LogLevel::Error, kComponent, std::string("timer handler: ") + e.what());
    }
  });
}

void IkeDriver::on_timer_fired() {
  armed_ = base::kNever;
  const base::TimePoint now = base::Clock::now();
  std::vector<engine::IkeSa*> due;
  for (auto& [spi, entry] : sas_) {
    if (entry.sa->next_deadline() <= now) {
      due.push_back(entry.sa.get());
    }
  }
  for (auto* sa : due) {
    sa->on_timer(now);
    drain(*sa);
  }
  if (responder_ && responder_->next_deadline() <= now) {
    responder_->on_timer(now);
    drain_responder();
  }
  remove_failed();
  rearm();
}

void IkeDriver::log_output(const engine::IkeSa& sa, const engine::Output& out) const {
  std::visit(
      Overloaded{
          [&](const engine::SendDatagram& d) {
            log_.log(base::LogLevel::Debug, kComponent,
                     sa_name(sa) + ": sent " + std::to_string(d.bytes.size()) + " octets to [" +
                         address_to_string(d.path.remote.address) +
                         "]:" + std::to_string(d.path.remote.port));
          },
          [&](const engine::StateChanged& s) {
            log_.log(base::LogLevel::Info, kComponent,
                     sa_name(sa) + ": " + std::string(engine::to_string(s.from)) + " -> " +
                         std::string(engine::to_string(s.to)));
          },
          [&](const engine::SaEstablished& e) {
            std::string msg = sa_name(sa) + ": established, SPIr " + wire::to_string(e.spi_r);
            if (e.assigned_address) {
              msg += ", address " + e.assigned_address->address.to_string();
            }
            log_.log(base::LogLevel::Info, kComponent, msg);
          },
          [&](const engine::SaFailed& f) {
            std::string msg = sa_name(sa) + ": failed: " + std::string(engine::to_string(f.reason));
            if (f.notify) {
              msg += " (notify " + std::to_string(static_cast<unsigned>(*f.notify)) + ")";
            }
            log_.log(base::LogLevel::Warning, kComponent, msg);
          },
          [&](const engine::InstallChildSa& c) {
            // Never the keys (those go out only through the tool's --dump-keys).
            char buf[64];
            std::snprintf(buf, sizeof buf, "%08x/%08x", c.spi_in, c.spi_out);
            log_.log(base::LogLevel::Info, kComponent,
                     sa_name(sa) + ": child SA " + std::string(engine::to_string(c.mode)) +
                         " ESP SPIs in/out " + buf);
          },
          // Outputs added to the engine later (e.g. redirects) are the owner's business
          // through the event sink; the driver only notes them.
          [&](const auto&) {
            log_.log(base::LogLevel::Debug, kComponent,
                     sa_name(sa) + ": output #" + std::to_string(out.index()));
          },
      },
      out);
}

}  // namespace ike::io
