#include "ha/daemon/control_server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <istream>

namespace ha::daemon {

namespace {
constexpr std::string_view kComponent = "control";
constexpr std::size_t kMaxLine = 64 * 1024;
}  // namespace

// One client connection. shared_ptr: Asio handlers keep it alive while an operation runs
// (the usual Asio session pattern).
class ControlServer::Session : public std::enable_shared_from_this<ControlServer::Session> {
 public:
  Session(boost::asio::local::stream_protocol::socket socket, ControlServer& server)
      : socket_(std::move(socket)), buffer_(kMaxLine), server_(&server), alive_(server.alive_) {}

  void start() { read(); }

 private:
  void read() {
    auto self = shared_from_this();
    boost::asio::async_read_until(
        socket_, buffer_, '\n', [this, self](const boost::system::error_code& ec, std::size_t) {
          if (ec || !*alive_) {
            return;  // closed, too long, or the server is gone
          }
          std::istream in(&buffer_);
          std::string line;
          std::getline(in, line);
          nlohmann::json answer;
          try {
            answer = server_->handler_(nlohmann::json::parse(line));
          } catch (const nlohmann::json::exception& e) {
            answer = {{"ok", false}, {"error", std::string("bad request: ") + e.what()}};
          } catch (const std::exception& e) {
            server_->log_.log(base::LogLevel::Error, kComponent,
                              std::string("handler: ") + e.what());
            answer = {{"ok", false}, {"error", "internal error"}};
          }
          write(answer.dump() + "\n");
        });
  }
  void write(std::string text) {
    auto self = shared_from_this();
    auto data = std::make_shared<std::string>(std::move(text));
    boost::asio::async_write(socket_, boost::asio::buffer(*data),
                             [this, self, data](const boost::system::error_code& ec, std::size_t) {
                               if (!ec && *alive_) {
                                 read();
                               }
                             });
  }

  boost::asio::local::stream_protocol::socket socket_;
  boost::asio::streambuf buffer_;
  ControlServer* server_;
  std::shared_ptr<bool> alive_;
};

base::Result<std::unique_ptr<ControlServer>, std::string> ControlServer::open(
    boost::asio::io_context& io, const std::string& path, Handler handler,
    const base::Logger& log) {
  std::unique_ptr<ControlServer> s(new ControlServer(io, path, std::move(handler), log));
  boost::system::error_code ec;
  ::unlink(path.c_str());  // a stale socket from a previous run
  const boost::asio::local::stream_protocol::endpoint ep(path);
  s->acceptor_.open(ep.protocol(), ec);
  if (!ec) {
    s->acceptor_.bind(ep, ec);
  }
  if (!ec) {
    ::chmod(path.c_str(), 0600);  // the control socket drains the HA: root only
    s->acceptor_.listen(16, ec);
  }
  if (ec) {
    return base::fail("control socket " + path + ": " + ec.message());
  }
  s->accept();
  return s;
}

ControlServer::ControlServer(boost::asio::io_context& io, std::string path, Handler handler,
                             const base::Logger& log)
    : acceptor_(io), path_(std::move(path)), handler_(std::move(handler)), log_(log) {}

ControlServer::~ControlServer() {
  close();
}

void ControlServer::close() {
  if (!*alive_) {
    return;
  }
  *alive_ = false;
  boost::system::error_code ec;
  acceptor_.close(ec);
  ::unlink(path_.c_str());
}

void ControlServer::accept() {
  acceptor_.async_accept([this, alive = alive_](const boost::system::error_code& ec,
                                                boost::asio::local::stream_protocol::socket s) {
    if (!*alive) {
      return;
    }
    if (!ec) {
      std::make_shared<Session>(std::move(s), *this)->start();
    }
    accept();
  });
}

}  // namespace ha::daemon
