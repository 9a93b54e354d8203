// mip6ctl: the control client for mip6-ha (JSON lines over its unix control socket).
//
//   mip6ctl [--socket PATH] [--json] status
//   mip6ctl [--socket PATH] [--json] peers
//   mip6ctl [--socket PATH] [--json] drain [--grace S]
//   mip6ctl [--socket PATH] [--json] resume
//
// --json prints the daemon's answer as it is (one JSON object); otherwise a short summary.
// Exit 0 when the daemon answered "ok": true, 1 when it refused or cannot be reached, 2 on a
// bad command line. Default socket: /run/mip6-ha.sock.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <exception>
#include <iostream>
#include <istream>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using nlohmann::json;

void usage() {
  std::cerr << "usage: mip6ctl [--socket PATH] [--json] status | peers | drain [--grace S] | "
               "resume\n";
}

void print_summary(const std::string& cmd, const json& a) {
  if (cmd == "status") {
    std::cout << a.value("name", "?") << ": " << a.value("admin_state", "?") << ", load "
              << a.value("load", 0.0) << " (" << a.value("bindings", 0) << " bindings + "
              << a.value("reservations", 0) << " reservations of " << a.value("capacity", 0)
              << "), " << a.value("established_sas", 0) << " established IKE SAs, "
              << a.value("half_open", 0) << " half-open, drain queue "
              << a.value("drain_pending", 0) << "\n";
    if (a.contains("counters") && a["counters"].contains("admission")) {
      for (const auto& [k, v] : a["counters"]["admission"].items()) {
        if (v.get<std::uint64_t>() != 0) {
          std::cout << "  " << k << " " << v << "\n";
        }
      }
    }
    return;
  }
  if (cmd == "peers") {
    for (const auto& p : a.value("peers", json::array())) {
      std::cout << p.value("peer", "?") << " " << p.value("identity", "?") << " spi "
                << p.value("spi_i", "?")
                << (p.contains("home_address") ? " hoa " + p["home_address"].get<std::string>()
                                               : std::string())
                << (p.contains("moved_to") ? " -> " + p["moved_to"].get<std::string>() + " (" +
                                                 p.value("move", "") + ")"
                                           : std::string())
                << "\n";
    }
    return;
  }
  std::cout << a.dump() << "\n";
}

int run(int argc, char** argv) {
  std::string socket_path = "/run/mip6-ha.sock";
  bool as_json = false;
  std::string cmd;
  json request;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--socket" && i + 1 < argc) {
      socket_path = argv[++i];
    } else if (a == "--json") {
      as_json = true;
    } else if (a == "--grace" && i + 1 < argc && cmd == "drain") {
      try {
        request["grace_s"] = std::stod(argv[++i]);
      } catch (const std::exception&) {
        usage();
        return 2;
      }
    } else if (cmd.empty() && (a == "status" || a == "peers" || a == "drain" || a == "resume")) {
      cmd = a;
    } else {
      usage();
      return 2;
    }
  }
  if (cmd.empty()) {
    usage();
    return 2;
  }
  request["cmd"] = cmd;

  boost::asio::io_context io;
  boost::asio::local::stream_protocol::socket socket(io);
  boost::system::error_code ec;
  socket.connect(boost::asio::local::stream_protocol::endpoint(socket_path), ec);
  if (ec) {
    std::cerr << "mip6ctl: " << socket_path << ": " << ec.message() << "\n";
    return 1;
  }
  boost::asio::write(socket, boost::asio::buffer(request.dump() + "\n"), ec);
  boost::asio::streambuf buffer;
  if (!ec) {
    boost::asio::read_until(socket, buffer, '\n', ec);
  }
  if (ec) {
    std::cerr << "mip6ctl: " << ec.message() << "\n";
    return 1;
  }
  std::istream in(&buffer);
  std::string line;
  std::getline(in, line);
  const json answer = json::parse(line);
  if (as_json) {
    std::cout << answer.dump() << "\n";
  } else if (answer.value("ok", false)) {
    print_summary(cmd, answer);
  } else {
    std::cerr << "mip6ctl: " << answer.value("error", "refused") << "\n";
  }
  return answer.value("ok", false) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "mip6ctl: " << e.what() << "\n";
    return 1;
  }
}
