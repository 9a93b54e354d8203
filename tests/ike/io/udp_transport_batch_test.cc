// UdpTransport's batching over real IPv6 loopback sockets: a readable event drains the socket
// with recvmmsg, answers given meanwhile leave with sendmmsg, equal-sized answers to one peer
// as one UDP GSO send, and a UDP GRO buffer of coalesced datagrams reaches the receiver one
// datagram at a time. An echo receiver answers every datagram; a plain client socket checks
// that every answer came back intact and in order.
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstring>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "ike/io/udp_transport.h"

namespace ike::io {
namespace {

using Bytes = std::vector<std::uint8_t>;

// A client socket on [::1]:ephemeral.
class Client {
 public:
  Client() : fd_(socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  }
  ~Client() { close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void send_to(std::uint16_t port, const Bytes& b) {
    const sockaddr_in6 to = peer(port);
    ASSERT_EQ(sendto(fd_, b.data(), b.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                     sizeof to),
              static_cast<ssize_t>(b.size()));
  }
  // One UDP_SEGMENT send of equal-sized datagrams (the kernel keeps them one buffer on lo).
  void send_gso(std::uint16_t port, const std::vector<Bytes>& datagrams) {
    Bytes all;
    for (const auto& d : datagrams) {
      all.insert(all.end(), d.begin(), d.end());
    }
    sockaddr_in6 to = peer(port);
    iovec iov{all.data(), all.size()};
    std::array<char, CMSG_SPACE(sizeof(std::uint16_t))> control{};
    msghdr m{};
    m.msg_name = &to;
    m.msg_namelen = sizeof to;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = control.data();
    m.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_UDP;
    c->cmsg_type = UDP_SEGMENT;
    c->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
    const auto size = static_cast<std::uint16_t>(datagrams.front().size());
    std::memcpy(CMSG_DATA(c), &size, sizeof size);
    ASSERT_EQ(sendmsg(fd_, &m, 0), static_cast<ssize_t>(all.size()));
  }
  // Runs `io` until `count` datagrams came back or 5 s passed.
  std::vector<Bytes> collect(boost::asio::io_context& io, std::size_t count) {
    std::vector<Bytes> got;
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (got.size() < count && std::chrono::steady_clock::now() < end) {
      io.poll();
      std::array<std::uint8_t, 2048> buf{};
      const ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
      if (n >= 0) {
        got.emplace_back(buf.begin(), buf.begin() + n);
        continue;
      }
      pollfd p{fd_, POLLIN, 0};
      (void)poll(&p, 1, 1);
    }
    return got;
  }

 private:
  static sockaddr_in6 peer(std::uint16_t port) {
    sockaddr_in6 to{};
    to.sin6_family = AF_INET6;
    to.sin6_addr = in6addr_loopback;
    to.sin6_port = htons(port);
    return to;
  }
  int fd_;
};

Bytes datagram(std::size_t i, std::size_t size) {
  Bytes b(size, static_cast<std::uint8_t>(i));
  b[0] = static_cast<std::uint8_t>(i >> 8);
  return b;
}

struct Echo {
  explicit Echo(Framing framing = Framing::ByPort) {
    auto t = UdpTransport::open(
        io, {*base::Ip6Addr::parse("::1"), 0},
        [this](const engine::Path& path, std::span<const std::uint8_t> bytes) {
          received.emplace_back(bytes.begin(), bytes.end());
          transport->send(path.remote, bytes);
        },
        log, framing);
    EXPECT_TRUE(t.has_value());
    transport = std::move(*t);
  }
  boost::asio::io_context io;
  base::Logger log{[](base::LogLevel, std::string_view, std::string_view) {}};
  std::unique_ptr<UdpTransport> transport;
  std::vector<Bytes> received;
};

TEST(UdpTransportBatching, RecvmmsgDrainAndGsoAnswersKeepEveryDatagramInOrder) {
  Echo echo;
  Client client;
  std::vector<Bytes> sent;
  for (std::size_t i = 0; i < 100; ++i) {
    sent.push_back(datagram(i, 40));
    client.send_to(echo.transport->local().port, sent.back());
  }
  const auto got = client.collect(echo.io, sent.size());
  EXPECT_EQ(echo.received, sent);
  EXPECT_EQ(got, sent);
  const auto& s = echo.transport->stats();
  EXPECT_EQ(s.received, 100u);
  EXPECT_EQ(s.sent, 100u);
  EXPECT_EQ(s.send_errors, 0u);
  // Queued before the loop ran: drained 32 per recvmmsg, answered in GSO runs, not one by one.
  EXPECT_LE(s.receive_batches, 8u);
  EXPECT_GE(s.gso_sends, 1u);
  EXPECT_LE(s.send_batches, 8u);
}

TEST(UdpTransportBatching, MixedSizesAndPeersAreAnsweredExactly) {
  Echo echo;
  Client a;
  Client b;
  std::vector<Bytes> to_a;
  std::vector<Bytes> to_b;
  for (std::size_t i = 0; i < 40; ++i) {
    // Sizes change within a run: a shorter datagram ends a GSO run, a longer one starts anew.
    to_a.push_back(datagram(i, 30 + (i % 7) * 10));
    a.send_to(echo.transport->local().port, to_a.back());
    to_b.push_back(datagram(100 + i, 64));
    b.send_to(echo.transport->local().port, to_b.back());
  }
  EXPECT_EQ(a.collect(echo.io, to_a.size()), to_a);
  EXPECT_EQ(b.collect(echo.io, to_b.size()), to_b);
  EXPECT_EQ(echo.transport->stats().sent, 80u);
}

TEST(UdpTransportBatching, GroBufferIsSplitIntoItsDatagrams) {
  Echo echo;
  Client client;
  std::vector<Bytes> sent;
  for (std::size_t i = 0; i < 10; ++i) {
    sent.push_back(datagram(i, 48));
  }
  sent.push_back(datagram(10, 20));  // the last segment may be shorter
  client.send_gso(echo.transport->local().port, sent);
  EXPECT_EQ(client.collect(echo.io, sent.size()), sent);
  EXPECT_EQ(echo.received, sent);
  EXPECT_EQ(echo.transport->stats().received, sent.size());
  // Linux keeps a GSO buffer whole on loopback for a UDP_GRO socket.
  EXPECT_EQ(echo.transport->stats().gro_datagrams, sent.size());
}

TEST(UdpTransportBatching, NatTFramingInBatchedAnswers) {
  Echo echo(Framing::NonEspMarker);
  Client client;
  std::vector<Bytes> ike;
  std::vector<Bytes> framed;
  for (std::size_t i = 0; i < 20; ++i) {
    ike.push_back(datagram(i + 1, 36));
    Bytes f(4, 0);  // non-ESP marker (RFC 3948 2.2)
    f.insert(f.end(), ike.back().begin(), ike.back().end());
    framed.push_back(f);
    client.send_to(echo.transport->local().port, f);
  }
  EXPECT_EQ(client.collect(echo.io, framed.size()), framed);
  EXPECT_EQ(echo.received, ike);  // the receiver saw bare IKE messages
}

}  // namespace
}  // namespace ike::io
