#include "ike/io/ike_driver.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <limits>
#include <variant>

#include "ike/base/overloaded.h"
#include "ike/wire/header.h"

namespace ike::io {
namespace {

constexpr std::string_view kComponent = "ike";

using base::Overloaded;

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
  transports_.close_all();
}

base::Result<engine::Endpoint, std::string> IkeDriver::listen(const engine::Endpoint& local,
                                                              Framing framing) {
  return transports_.open(
      io_, local,
      [this](const engine::Path& path, std::span<const std::uint8_t> bytes) {
        on_datagram(path, bytes);
      },
      log_, framing);
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
  const SaKey key = key_of(*raw);
  if (sas_.add(key, engine::FiledSa{std::move(sa)}) == nullptr) {
    ++stats_.spi_collisions;  // our own 64-bit SPIi twice: 2^-64, the caller may retry
    return base::fail(std::string("initiate: SPIi collision"));
  }
  drain(*raw);
  settle(key);
  rearm();
  return raw;
}

namespace {

class ServeAll final : public engine::InitDecision {
 public:
  [[nodiscard]] engine::InitAnswer decide(const engine::InitRequest& /*request*/,
                                          base::TimePoint /*now*/) override {
    return engine::Serve{0};
  }
};

}  // namespace

void IkeDriver::accept_responders(engine::IkeSaConfig config) {
  engine::IkeResponderConfig rc;
  rc.sa = std::move(config);
  rc.max_half_open = std::numeric_limits<std::uint32_t>::max();
  rc.cookie_threshold = std::nullopt;
  auto decision = std::make_unique<ServeAll>();
  accept_responders(std::move(rc), *decision);
  serve_all_ = std::move(decision);
}

void IkeDriver::accept_responders(engine::IkeResponderConfig config,
                                  engine::InitDecision& decision) {
  responder_ = std::make_unique<engine::IkeResponder>(std::move(config), env_, decision);
  serve_all_.reset();
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
  // An SA of the front whose IKE rekey made us the original initiator (R7296-04) is still
  // the front's: it finds it by SPIr.
  if ((mine == engine::Role::Responder && responder_) ||
      (responder_ && !route(*header) && responder_->routes(header->spi_r))) {
    using C = engine::ResponderCounter;
    const auto& counters = responder_->counters();
    const std::uint64_t cookies = counters.get(C::CookiesSent);
    const std::uint64_t limited = counters.get(C::ErrorAnswersRateLimited);
    responder_->on_datagram(path, *header, bytes, base::Clock::now());
    log_stateless(path, counters.get(C::CookiesSent) != cookies,
                  counters.get(C::ErrorAnswersRateLimited) != limited);
    drain_responder();
    rearm();
    return;
  }
  const std::optional<SaKey> key = route(*header);
  if (!key) {
    ++stats_.dropped_no_sa;
    return;
  }
  engine::IkeSa* target = sas_.find(*key)->sa.get();
  target->on_datagram(path, bytes, base::Clock::now());
  drain(*target);
  settle(*key);
  rearm();
}

void IkeDriver::drain(engine::IkeSa& sa) {
  record_keys(sa);
  for (const auto& out : sa.take_outputs()) {
    if (const auto* d = std::get_if<engine::SendDatagram>(&out)) {
      send(*d);
    }
    log_output(sa_name(sa), out);
    note_rekey(out);
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
  // The output vector and the answers' buffers go round between the front and us, so a
  // stateless answer costs no allocation here. A sink that re-enters (with_sa) finds the
  // spare vector taken and simply gets a new one.
  std::vector<engine::ResponderOutput> outputs = std::move(responder_outputs_);
  responder_->take_outputs(outputs);
  for (auto& out : outputs) {
    if (auto* d = std::get_if<engine::SendDatagram>(&out)) {
      send(*d);
      responder_->recycle(std::move(d->bytes));
      continue;
    }
    const engine::IkeSa* sa = nullptr;
    if (const auto* e = std::get_if<engine::ResponderSaEvent>(&out)) {
      sa = responder_->find(e->spi_r);
    }
    if (sa != nullptr) {
      record_keys(*sa);
    }
    if (sa != nullptr) {
      log_output(sa_name(*sa), std::get<engine::ResponderSaEvent>(out).output);
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
  outputs.clear();
  responder_outputs_ = std::move(outputs);
}

void IkeDriver::record_keys(const engine::IkeSa& sa) {
  if (keylog_ == nullptr) {
    return;
  }
  auto written = record_sa_keys(*keylog_, sa);
  if (written && !*written) {
    return;  // no keys yet, or already recorded
  }
  if (!written) {
    ++stats_.keylog_errors;
    log_.log(base::LogLevel::Warning, kComponent, sa_name(sa) + ": " + written.error());
    return;
  }
  ++stats_.keylog_lines;
  log_.log(base::LogLevel::Debug, kComponent,
           sa_name(sa) + ": keys appended to " + keylog_->path());
}

void IkeDriver::log_stateless(const engine::Path& path, bool cookie, bool rate_limited) {
  // Under attack these happen per datagram: the log gets a sample, the counters get all.
  if ((!cookie && !rate_limited) || !log_limiter_.allow(base::Clock::now())) {
    return;
  }
  const std::string who = "IKE_SA_INIT from [" + address_to_string(path.remote.address) +
                          "]:" + std::to_string(path.remote.port) + ": ";
  if (cookie) {
    log_.log(base::LogLevel::Debug, kComponent,
             who + "answered N(COOKIE), half-open SAs at the cookie threshold (R7296-21)");
  }
  if (rate_limited) {
    log_.log(base::LogLevel::Info, kComponent,
             who + "error answer suppressed by the rate limit (R7296-43)");
  }
}

void IkeDriver::log_responder_output(const engine::ResponderOutput& out) const {
  std::visit(
      Overloaded{
          [&](const engine::InitDecided& d) {
            // Redirects and refusals are per-packet and unauthenticated (a flood must not
            // become a flood of log lines, nor cost the string): Debug; the front's counters
            // keep the totals.
            const base::LogLevel level = d.outcome == engine::InitOutcome::Served
                                             ? base::LogLevel::Info
                                             : base::LogLevel::Debug;
            if (!log_.enabled(level)) {
              return;
            }
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
            log_.log(level, kComponent, msg);
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
            // The SA is gone (failed, or closed by a Delete) before its last outputs are
            // reported: logged as its outputs always are, named by its SPIr.
            log_output("responder " + wire::to_string(e.spi_r) + "_r", e.output);
          },
          [&](const engine::SendDatagram&) {},
      },
      out);
}

void IkeDriver::send(const engine::SendDatagram& d) {
  UdpTransport* chosen = transports_.bound_to(d.path.local);
  if (chosen == nullptr) {
    ++stats_.dropped_no_transport;
    log_.log(base::LogLevel::Warning, kComponent,
             "no socket bound to [" + address_to_string(d.path.local.address) +
                 "]:" + std::to_string(d.path.local.port) + ", datagram dropped");
    return;
  }
  if (d.nat_keepalive) {
    // RFC 3948 4: the bare 0xFF octet, only ever on the NAT-T socket of the SA's path.
    if (chosen->send_keepalive(d.path.remote)) {
      ++stats_.keepalives_sent;
    } else {
      ++stats_.dropped_no_transport;
    }
    return;
  }
  chosen->send(d.path.remote, d.bytes);
}

IkeDriver::SaKey IkeDriver::key_of(const engine::IkeSa& sa) {
  return SaKey{sa.role(), sa.spi_i().value(), sa.spi_r().value()};
}

bool IkeDriver::rekey(const SaKey& from, const SaKey& to) {
  return sas_.refile(from, to);
}

void IkeDriver::note_rekey(const engine::Output& out) {
  auto key = [](const engine::IkeSpis& s) {
    return SaKey{s.role, s.spi_i.value(), s.spi_r.value()};
  };
  if (const auto* r = std::get_if<engine::IkeSaRekeyed>(&out)) {
    const SaKey now = key(r->now_spis);
    for (auto& [from, to] : aliases_) {
      if (to == key(r->old_spis)) {
        to = now;  // a second rekey before the first one's Delete finished
      }
    }
    for (const auto& spis : r->retiring) {
      aliases_[key(spis)] = now;
    }
    log_.log(base::LogLevel::Info, kComponent,
             "IKE SA rekeyed: " + wire::to_string(r->old_spis.spi_i) + "_i/" +
                 wire::to_string(r->old_spis.spi_r) + "_r -> " +
                 wire::to_string(r->now_spis.spi_i) + "_i/" + wire::to_string(r->now_spis.spi_r) +
                 "_r");
  } else if (const auto* gone = std::get_if<engine::IkeSpisRetired>(&out)) {
    aliases_.erase(key(gone->spis));
  }
}

std::optional<IkeDriver::SaKey> IkeDriver::route(const wire::Header& header) const {
  const engine::Role mine = header.initiator ? engine::Role::Responder : engine::Role::Initiator;
  const SaKey exact{mine, header.spi_i.value(), header.spi_r.value()};
  if (sas_.contains(exact)) {
    return exact;
  }
  // The old SPIs of an SA rekeyed in place (its Delete, a retransmitted rekey request).
  if (const auto alias = aliases_.find(exact); alias != aliases_.end()) {
    if (sas_.contains(alias->second)) {
      return alias->second;
    }
  }
  if (mine == engine::Role::Initiator) {
    // The IKE_SA_INIT response names the SPIr we do not know yet; our SPIi is unique.
    const SaKey half_open{mine, header.spi_i.value(), 0};
    return sas_.contains(half_open) ? std::optional<SaKey>(half_open) : std::nullopt;
  }
  // Our responder SAs here came from IKE rekeys and are found by their SPI pair; a new
  // IKE_SA_INIT (SPIr zero) is the front's, and without a front nobody answers it.
  return std::nullopt;
}

base::Result<void, std::string> IkeDriver::with_sa(
    const SaKey& key,
    const std::function<base::Result<void>(engine::IkeSa&, base::TimePoint)>& command) {
  const auto now = base::Clock::now();
  base::Result<void> result;
  if (engine::FiledSa* filed = sas_.find(key)) {
    engine::IkeSa& sa = *filed->sa;
    result = command(sa, now);
    drain(sa);
    settle(key);
  } else if (responder_ && key.role == engine::Role::Responder) {
    result = responder_->with_sa(wire::Spi(key.spi_r), command, now);
    drain_responder();
  } else {
    return base::fail(std::string("no such SA"));
  }
  rearm();
  if (!result) {
    return base::fail(std::string(result.error().code) + ": " + std::string(result.error().detail));
  }
  return {};
}

void IkeDriver::settle(const SaKey& key) {
  engine::FiledSa* filed = sas_.find(key);
  if (filed == nullptr) {
    return;  // a sink re-entering with_sa() settled it already
  }
  if (filed->sa->finished()) {  // Failed, or Closed by a Delete (RFC 7296 1.4.1)
    std::erase_if(aliases_, [&](const auto& a) { return a.second == key; });
    sas_.erase(key);
    ++stats_.sas_removed;
    return;
  }
  const SaKey now = key_of(*filed->sa);  // SPIr learnt, or the SPIs of a rekey
  if (now != key && !rekey(key, now)) {
    ++stats_.spi_collisions;
    sas_.erase(key);
    ++stats_.sas_removed;
    return;
  }
  sas_.touch(now);
}

void IkeDriver::rearm() {
  base::TimePoint earliest = sas_.next_deadline();
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
  for (const SaKey& key : sas_.due(now)) {
    if (engine::FiledSa* filed = sas_.find(key)) {  // a sink may have closed it meanwhile
      engine::IkeSa& sa = *filed->sa;
      sa.on_timer(now);
      drain(sa);
      settle(key);
    }
  }
  if (responder_ && responder_->next_deadline() <= now) {
    responder_->on_timer(now);
    drain_responder();
  }
  rearm();
}

void IkeDriver::log_output(const std::string& name, const engine::Output& out) const {
  std::visit(
      Overloaded{
          [&](const engine::SendDatagram& d) {
            log_.log(base::LogLevel::Debug, kComponent,
                     name + ": sent " + std::to_string(d.bytes.size()) + " octets to [" +
                         address_to_string(d.path.remote.address) +
                         "]:" + std::to_string(d.path.remote.port));
          },
          [&](const engine::StateChanged& s) {
            log_.log(base::LogLevel::Info, kComponent,
                     name + ": " + std::string(engine::to_string(s.from)) + " -> " +
                         std::string(engine::to_string(s.to)));
          },
          [&](const engine::SaEstablished& e) {
            std::string msg = name + ": established, SPIr " + wire::to_string(e.spi_r);
            if (e.assigned_address) {
              msg += ", address " + e.assigned_address->address.to_string();
            }
            log_.log(base::LogLevel::Info, kComponent, msg);
          },
          [&](const engine::SaFailed& f) {
            std::string msg = name + ": failed: " + std::string(engine::to_string(f.reason));
            if (f.notify) {
              msg += " (notify " + std::to_string(static_cast<unsigned>(*f.notify)) + ")";
            }
            if (!f.detail.empty()) {
              msg += ": " + std::string(f.detail);  // e.g. why a certificate was refused
            }
            log_.log(base::LogLevel::Warning, kComponent, msg);
          },
          [&](const engine::InstallChildSa& c) {
            // Never the keys (those go out only through the tool's --dump-keys).
            char buf[64];
            std::snprintf(buf, sizeof buf, "%08x/%08x", c.spi_in, c.spi_out);
            log_.log(base::LogLevel::Info, kComponent,
                     name + ": child SA " + std::string(engine::to_string(c.mode)) +
                         " ESP SPIs in/out " + buf);
          },
          // INFORMATIONAL (RFC 7296 1.4) and RFC 5685 5/6: the engine does not log, we do.
          [&](const engine::SaDeleted& d) {
            log_.log(base::LogLevel::Info, kComponent,
                     name + ": deleted " + (d.by_peer ? "by the peer" : "by us") +
                         (d.answered ? "" : " (Delete unanswered)") + ": " + std::string(d.detail));
          },
          [&](const engine::ChildSaDeleted& c) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%08x/%08x", c.spi_in, c.spi_out);
            log_.log(base::LogLevel::Info, kComponent,
                     name + ": child SA " + buf + " deleted" + (c.by_peer ? " by the peer" : ""));
          },
          [&](const engine::InformationalNote& n) {
            std::string msg = name + ": INFORMATIONAL: " + std::string(n.what);
            if (n.notify) {
              msg += " " + std::string(wire::to_string(*n.notify));
            }
            if (n.spi != 0) {
              char buf[16];
              std::snprintf(buf, sizeof buf, " SPI %08x", n.spi);
              msg += buf;
            }
            log_.log(base::LogLevel::Warning, kComponent, msg);
          },
          [&](const engine::GatewayRedirectReceived& g) {
            log_.log(base::LogLevel::Info, kComponent,
                     name + ": gateway redirects us to " + gw_to_string(g.gateway));
          },
          [&](const engine::ChildSaCreateFailed& f) {
            // E.g. "ts-not-subset": the responder widened our selectors (RFC 7296 2.9).
            std::string msg = name + ": child SA not created: " + std::string(f.detail);
            if (f.notify) {
              msg += " (" + std::string(wire::to_string(*f.notify)) + ")";
            }
            log_.log(base::LogLevel::Warning, kComponent, msg);
          },
          [&](const engine::RedirectSent& r) {
            log_.log(base::LogLevel::Info, kComponent,
                     name + ": REDIRECT to " + gw_to_string(r.gateway) +
                         (r.at_auth ? " in IKE_AUTH" : " in INFORMATIONAL"));
          },
          // Other outputs added to the engine later are the owner's business through the
          // event sink; the driver only notes them.
          [&](const auto&) {
            log_.log(base::LogLevel::Debug, kComponent,
                     name + ": output #" + std::to_string(out.index()));
          },
      },
      out);
}

}  // namespace ike::io
