#pragma once
// The daemon's control socket: a unix stream socket speaking JSON lines. Each request line
// gets one answer line from the handler; a connection may send several. Malformed JSON gets
// {"ok": false, "error": ...}; a line longer than 64 KiB closes the connection. Shell code
// (STYLE B1 layer 4): no protocol logic here.
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ike/base/log.h"
#include "ike/base/result.h"

namespace ha::daemon {

class ControlServer {
 public:
  using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;

  // Binds `path` (a stale socket file there is replaced), mode 0600.
  [[nodiscard]] static base::Result<std::unique_ptr<ControlServer>, std::string> open(
      boost::asio::io_context& io, const std::string& path, Handler handler,
      const base::Logger& log);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Stops accepting and removes the socket file.
  void close();

 private:
  class Session;
  ControlServer(boost::asio::io_context& io, std::string path, Handler handler,
                const base::Logger& log);
  void accept();

  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::string path_;
  Handler handler_;
  const base::Logger& log_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ha::daemon
