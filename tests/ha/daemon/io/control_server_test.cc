// The control socket over a real unix stream socket (label io): JSON lines in, one answer line
// per request, several requests per connection, bad input answered or the connection closed.
#include "ha/daemon/control_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <istream>
#include <optional>
#include <thread>

namespace ha::daemon {
namespace {

using boost::asio::local::stream_protocol;
using nlohmann::json;

class ControlServerTest : public ::testing::Test {
 protected:
  ControlServerTest() : path_(::testing::TempDir() + "/mip6ha-ctl-" + std::to_string(::getpid())) {}
  ~ControlServerTest() override {
    io_.stop();
    if (thread_.joinable()) {
      thread_.join();
    }
  }
  void start() {
    auto s = ControlServer::open(
        io_, path_,
        [this](const json& r) {
          ++requests_;
          return json{{"ok", true}, {"echo", r}};
        },
        log_);
    ASSERT_TRUE(s) << s.error();
    server_ = std::move(*s);
    thread_ = std::thread([this] { io_.run(); });
  }
  // Sends `text` and reads one answer line; nullopt when the server closed the connection.
  static std::optional<json> ask(stream_protocol::socket& s, const std::string& text) {
    boost::system::error_code ec;
    boost::asio::write(s, boost::asio::buffer(text), ec);
    boost::asio::streambuf buf;
    boost::asio::read_until(s, buf, '\n', ec);
    if (ec) {
      return std::nullopt;
    }
    std::istream in(&buf);
    std::string line;
    std::getline(in, line);
    return json::parse(line);
  }

  base::Logger log_;
  boost::asio::io_context io_;
  std::string path_;
  std::unique_ptr<ControlServer> server_;
  std::thread thread_;
  std::atomic<int> requests_{0};
};

TEST_F(ControlServerTest, AnswersEveryLineOfAConnectionAndRefusesBadJson) {
  start();
  stream_protocol::socket s(io_);
  s.connect(stream_protocol::endpoint(path_));
  auto a = ask(s, "{\"cmd\": \"status\"}\n");
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)["ok"], true);
  EXPECT_EQ((*a)["echo"]["cmd"], "status");
  auto b = ask(s, "{not json\n");
  ASSERT_TRUE(b);
  EXPECT_EQ((*b)["ok"], false);
  auto c = ask(s, "{\"cmd\": \"peers\"}\n");
  ASSERT_TRUE(c);
  EXPECT_EQ((*c)["echo"]["cmd"], "peers");
  EXPECT_EQ(requests_.load(), 2);
}

TEST_F(ControlServerTest, OversizedLineClosesTheConnectionOnly) {
  start();
  stream_protocol::socket s(io_);
  s.connect(stream_protocol::endpoint(path_));
  EXPECT_FALSE(ask(s, std::string(100 * 1024, 'x') + "\n"));
  stream_protocol::socket t(io_);
  t.connect(stream_protocol::endpoint(path_));
  EXPECT_TRUE(ask(t, "{\"cmd\": \"status\"}\n"));  // the server still serves others
}

TEST_F(ControlServerTest, StaleSocketFileIsReplacedAndRemovedOnClose) {
  {
    stream_protocol::acceptor stale(io_, stream_protocol::endpoint(path_));  // leaves the file
  }
  ASSERT_EQ(::access(path_.c_str(), F_OK), 0);
  start();
  io_.stop();  // close() runs on the io thread's behalf: stop it first
  thread_.join();
  server_->close();
  EXPECT_NE(::access(path_.c_str(), F_OK), 0);
}

}  // namespace
}  // namespace ha::daemon
