#include "tools/mip6-ike/tool_setup.h"

#include <iostream>

#include "ike/engine/proposal_spec.h"

namespace mip6_ike {

using namespace ike;

base::Logger make_logger(bool verbose) {
  return base::Logger(
      [](base::LogLevel level, std::string_view component, std::string_view msg) {
        std::cerr << to_string(level) << " " << component << ": " << msg << "\n";
      },
      verbose ? base::LogLevel::Debug : base::LogLevel::Info);
}

std::optional<std::unique_ptr<io::IkeKeylog>> open_keylog(const Args& a) {
  auto it = a.values.find("ike-keylog");
  if (it == a.values.end()) {
    return std::unique_ptr<io::IkeKeylog>();
  }
  auto keylog = io::IkeKeylog::open(it->second);
  if (!keylog) {
    std::cerr << "mip6-ike: " << keylog.error() << "\n";
    return std::nullopt;
  }
  return std::move(*keylog);
}

std::vector<wire::TrafficSelector> any_ipv6() {
  return {wire::TrafficSelector::ipv6_range(
      *base::Ip6Addr::parse("::"),
      *base::Ip6Addr::parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))};
}

engine::IkeSaConfig base_config(const std::string& id) {
  engine::IkeSaConfig cfg;
  cfg.local_id = wire::IdPayload::from_text(id);
  return cfg;
}

engine::IkeSaConfig initiator_config(const Args& a) {
  engine::IkeSaConfig cfg = base_config(a.values.at("id"));
  cfg.remote_id = wire::IdPayload::from_text(a.values.at("remote-id"));
  cfg.request_address = a.flag("request-address");
  cfg.child.transport_mode = a.flag("transport-mode");
  cfg.child.ts_i = any_ipv6();
  cfg.child.ts_r = any_ipv6();
  return cfg;
}

bool apply_proposals(const Args& a, engine::IkeSaConfig& cfg) {
  if (auto it = a.values.find("ike-proposal"); it != a.values.end()) {
    auto ike = engine::parse_ike_proposal(it->second);
    if (!ike) {
      std::cerr << "mip6-ike: --ike-proposal " << it->second << ": " << ike.error().detail << "\n";
      return false;
    }
    cfg.ike = std::move(*ike);
  }
  if (auto it = a.values.find("esp-proposal"); it != a.values.end()) {
    auto esp = engine::parse_esp_proposal(it->second);
    if (!esp) {
      std::cerr << "mip6-ike: --esp-proposal " << it->second << ": " << esp.error().detail << "\n";
      return false;
    }
    cfg.child.esp = std::move(*esp);
  }
  return true;
}

RunLimits::RunLimits(boost::asio::io_context& io, int timeout_s)
    : deadline_(io, std::chrono::seconds(timeout_s)), signals_(io, SIGINT, SIGTERM) {}

void RunLimits::arm(std::function<void()> on_timeout, std::function<void()> on_signal) {
  deadline_.async_wait([fn = std::move(on_timeout)](const boost::system::error_code& ec) {
    if (!ec) {
      fn();
    }
  });
  signals_.async_wait([fn = std::move(on_signal)](const boost::system::error_code& ec, int) {
    if (!ec) {
      fn();
    }
  });
}

void RunLimits::cancel() {
  deadline_.cancel();
  signals_.cancel();
}

}  // namespace mip6_ike
