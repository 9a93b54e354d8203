#include "ike/io/udp_transport.h"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/ip/v6_only.hpp>
#include <boost/system/error_code.hpp>
#include <cerrno>
#include <cstring>
#include <exception>
#include <vector>

#include "ike/wire/non_esp_marker.h"

namespace ike::io {
namespace {

namespace ip = boost::asio::ip;

// Datagrams per recvmmsg, and per readable event before the loop gets control back.
constexpr std::size_t kReceiveBatch = 32;
constexpr std::size_t kMaxDatagramsPerWakeup = 256;
// RFC 7296 2: implementations must accept messages up to 3000 octets; 64 KiB covers any UDP.
constexpr std::size_t kReceiveSlot = 65536;
constexpr std::size_t kSendBatch = 64;
// UDP GSO (UDP_SEGMENT) and GRO (UDP_GRO): many equal-sized datagrams between the same two
// endpoints cross the kernel as one buffer, which is what a flood from one source and our
// answers to it look like. The kernel caps a GSO send at 64 segments and 64 KiB.
constexpr std::size_t kMaxGsoSegments = 64;
constexpr std::size_t kMaxGsoBytes = 65000;
constexpr std::size_t kControlSize = 64;  // room for one int / uint16_t cmsg
// A flood of small datagrams arriving while the loop does other work must not overflow the
// default (~200 KiB) receive buffer.
constexpr int kReceiveBufferBytes = 4 << 20;

engine::Endpoint from_sockaddr(const sockaddr_storage& name) {
  if (name.ss_family == AF_INET) {
    const auto& sin = reinterpret_cast<const sockaddr_in&>(name);
    std::array<std::uint8_t, 4> v4{};
    std::memcpy(v4.data(), &sin.sin_addr, 4);
    return {base::Ip6Addr::from_v4(v4), ntohs(sin.sin_port)};
  }
  base::Ip6Addr::Bytes b{};
  const auto& sin6 = reinterpret_cast<const sockaddr_in6&>(name);
  std::memcpy(b.data(), &sin6.sin6_addr, 16);
  return {base::Ip6Addr(b), ntohs(sin6.sin6_port)};
}

socklen_t to_sockaddr(const engine::Endpoint& e, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  if (e.address.is_v4_mapped()) {
    auto& sin = reinterpret_cast<sockaddr_in&>(out);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(e.port);
    std::memcpy(&sin.sin_addr, e.address.bytes().data() + 12, 4);
    return sizeof(sockaddr_in);
  }
  auto& sin6 = reinterpret_cast<sockaddr_in6&>(out);
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(e.port);
  std::memcpy(&sin6.sin6_addr, e.address.bytes().data(), 16);
  return sizeof(sockaddr_in6);
}

}  // namespace

ip::udp::endpoint to_asio(const engine::Endpoint& e) {
  ip::address_v6::bytes_type b{};
  std::memcpy(b.data(), e.address.bytes().data(), b.size());
  const ip::address_v6 v6(b);
  if (v6.is_v4_mapped()) {
    return {ip::make_address_v4(ip::v4_mapped, v6), e.port};
  }
  return {v6, e.port};
}

engine::Endpoint from_asio(const ip::udp::endpoint& e) {
  const ip::address a = e.address();
  const ip::address_v6 v6 = a.is_v4() ? ip::make_address_v6(ip::v4_mapped, a.to_v4()) : a.to_v6();
  const auto b = v6.to_bytes();
  return {base::Ip6Addr::from_span(std::span<const std::uint8_t, 16>(b.data(), 16)), e.port()};
}

std::optional<base::Ip6Addr> parse_address(std::string_view text) {
  if (auto v6 = base::Ip6Addr::parse(text)) {
    return v6;
  }
  boost::system::error_code ec;
  const auto v4 = ip::make_address_v4(std::string(text), ec);
  if (ec) {
    return std::nullopt;
  }
  const auto b = ip::make_address_v6(ip::v4_mapped, v4).to_bytes();
  return base::Ip6Addr::from_span(std::span<const std::uint8_t, 16>(b.data(), 16));
}

std::string address_to_string(const base::Ip6Addr& a) {
  if (a.is_v4_mapped()) {
    return to_asio({a, 0}).address().to_string();
  }
  return a.to_string();
}

struct UdpTransport::Batches {
  std::vector<std::uint8_t> receive_buffer = std::vector<std::uint8_t>(kReceiveBatch * kReceiveSlot);
  std::array<mmsghdr, kReceiveBatch> receive_messages{};
  std::array<iovec, kReceiveBatch> receive_iov{};
  std::array<sockaddr_storage, kReceiveBatch> receive_names{};
  std::array<std::array<char, kControlSize>, kReceiveBatch> receive_control{};

  struct Pending {
    std::size_t offset = 0;  // into send_arena
    std::size_t length = 0;
    sockaddr_storage name{};
    socklen_t name_length = 0;
  };
  std::vector<std::uint8_t> send_arena;
  std::vector<Pending> pending;
  std::array<mmsghdr, kSendBatch> send_messages{};
  std::array<iovec, kSendBatch> send_iov{};
  std::array<std::array<char, kControlSize>, kSendBatch> send_control{};
  // Per message of send_messages: the first pending entry and how many it carries.
  std::array<std::size_t, kSendBatch> first_pending{};
  std::array<std::size_t, kSendBatch> segments{};
};

UdpTransport::UdpTransport(boost::asio::io_context& io, const engine::Endpoint& local,
                           Receiver receiver, const base::Logger& log)
    : socket_(io),
      local_(local),
      receiver_(std::move(receiver)),
      log_(log),
      batches_(std::make_unique<Batches>()) {
  batches_->pending.reserve(kSendBatch);
}

UdpTransport::~UdpTransport() {
  close();
}

base::Result<std::unique_ptr<UdpTransport>, std::string> UdpTransport::open(
    boost::asio::io_context& io, const engine::Endpoint& local, Receiver receiver,
    const base::Logger& log, Framing framing) {
  std::unique_ptr<UdpTransport> t(new UdpTransport(io, local, std::move(receiver), log));
  t->nat_t_ =
      framing == Framing::NonEspMarker || (framing == Framing::ByPort && local.port == kNatTPort);
  const auto ep = to_asio(local);
  boost::system::error_code ec;
  t->socket_.open(ep.protocol(), ec);
  if (!ec && ep.address().is_v6()) {
    t->socket_.set_option(ip::v6_only(true), ec);
  }
  if (!ec) {
    t->socket_.bind(ep, ec);
  }
  if (!ec && local.port == 0) {
    t->local_.port = t->socket_.local_endpoint(ec).port();  // the kernel's choice
  }
  if (ec) {
    return base::fail("udp [" + address_to_string(local.address) + "]:" +
                      std::to_string(local.port) + ": " + ec.message());
  }
  const int fd = t->socket_.native_handle();
  const int on = 1;
  (void)setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof on);  // older kernels: plain datagrams
  // FORCE passes rmem_max when we have CAP_NET_ADMIN; otherwise take what the limit allows.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBufferBytes,
                 sizeof kReceiveBufferBytes) != 0) {
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBufferBytes, sizeof kReceiveBufferBytes);
  }
  t->start_receive();
  return t;
}

void UdpTransport::close() {
  if (batches_ && !batches_->pending.empty() && socket_.is_open()) {
    flush_sends();  // answers queued by the datagram that made the owner close us
  }
  *alive_ = false;
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void UdpTransport::start_receive() {
  socket_.async_wait(boost::asio::ip::udp::socket::wait_read,
                     [this, alive = alive_](const boost::system::error_code& ec) {
                       if (!*alive || ec == boost::asio::error::operation_aborted) {
                         return;
                       }
                       if (ec) {
                         log_.log(base::LogLevel::Warning, "udp", "wait: " + ec.message());
                       } else {
                         drain_readable();
                       }
                       if (*alive) {
                         start_receive();
                       }
                     });
}

void UdpTransport::drain_readable() {
  Batches& b = *batches_;
  const int fd = socket_.native_handle();
  const std::shared_ptr<bool> alive = alive_;
  in_batch_ = true;
  std::size_t handled = 0;
  while (*alive && handled < kMaxDatagramsPerWakeup) {
    for (std::size_t i = 0; i < kReceiveBatch; ++i) {
      b.receive_iov[i] = {b.receive_buffer.data() + i * kReceiveSlot, kReceiveSlot};
      b.receive_messages[i] = mmsghdr{};
      b.receive_messages[i].msg_hdr.msg_name = &b.receive_names[i];
      b.receive_messages[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      b.receive_messages[i].msg_hdr.msg_iov = &b.receive_iov[i];
      b.receive_messages[i].msg_hdr.msg_iovlen = 1;
      b.receive_messages[i].msg_hdr.msg_control = b.receive_control[i].data();
      b.receive_messages[i].msg_hdr.msg_controllen = kControlSize;
    }
    const int n = recvmmsg(fd, b.receive_messages.data(), kReceiveBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) {
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        log_.log(base::LogLevel::Warning, "udp",
                 std::string("receive: ") + std::strerror(errno));
      }
      break;
    }
    ++stats_.receive_batches;
    for (int i = 0; i < n && *alive; ++i) {
      const auto slot = static_cast<std::size_t>(i);
      msghdr& h = b.receive_messages[slot].msg_hdr;
      // With UDP_GRO one buffer may hold several datagrams of gso_size octets each (the last
      // one possibly shorter), all from the same sender.
      std::size_t segment = 0;
      for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
        if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
          int size = 0;
          std::memcpy(&size, CMSG_DATA(c), sizeof size);
          segment = size > 0 ? static_cast<std::size_t>(size) : 0;
        }
      }
      const std::span<const std::uint8_t> data(b.receive_buffer.data() + slot * kReceiveSlot,
                                               b.receive_messages[slot].msg_len);
      const engine::Endpoint from = from_sockaddr(b.receive_names[slot]);
      if (segment == 0 || segment >= data.size()) {
        segment = data.size();
      } else {
        stats_.gro_datagrams += (data.size() + segment - 1) / segment;
      }
      for (std::size_t off = 0; off < data.size() && *alive; off += segment) {
        try {
          on_receive(data.subspan(off, std::min(segment, data.size() - off)), from);
        } catch (const std::exception& e) {
          // A handler must never take the event loop down (STYLE: exceptions stay out).
          log_.log(base::LogLevel::Error, "udp", std::string("receive handler: ") + e.what());
        }
      }
      if (data.empty()) {
        on_receive(data, from);  // an empty datagram is still one (counted, then dropped above)
      }
    }
    handled += static_cast<std::size_t>(n);
    if (*alive) {
      flush_sends();
    }
    if (static_cast<std::size_t>(n) < kReceiveBatch) {
      break;  // the socket is empty
    }
  }
  in_batch_ = false;
  if (*alive) {
    flush_sends();
  }
}

void UdpTransport::on_receive(std::span<const std::uint8_t> datagram,
                              const engine::Endpoint& from) {
  ++stats_.received;
  if (nat_t_) {
    auto c = wire::classify_udp4500(datagram);
    if (!c) {
      ++stats_.dropped_malformed;
      return;
    }
    if (c->kind == wire::Udp4500Kind::Esp) {
      ++stats_.dropped_esp;
      return;
    }
    if (c->kind == wire::Udp4500Kind::NatKeepalive) {
      ++stats_.dropped_keepalive;
      return;
    }
    datagram = c->payload;
  }
  receiver_(engine::Path{local_, from}, datagram);
}

void UdpTransport::send(const engine::Endpoint& remote, std::span<const std::uint8_t> ike_message) {
  if (in_batch_) {
    queue_send(remote, ike_message);
    return;
  }
  boost::system::error_code ec;
  if (nat_t_) {
    const auto framed = wire::add_non_esp_marker(ike_message);
    socket_.send_to(boost::asio::buffer(framed), to_asio(remote), 0, ec);
  } else {
    socket_.send_to(boost::asio::buffer(ike_message.data(), ike_message.size()), to_asio(remote),
                    0, ec);
  }
  if (ec) {
    ++stats_.send_errors;
    log_.log(base::LogLevel::Warning, "udp", "send to " + address_to_string(remote.address) +
                                                 ": " + ec.message());
    return;
  }
  ++stats_.sent;
}

void UdpTransport::queue_send(const engine::Endpoint& remote,
                              std::span<const std::uint8_t> ike_message) {
  Batches& b = *batches_;
  if (b.pending.size() == kSendBatch) {
    flush_sends();
  }
  Batches::Pending p;
  p.offset = b.send_arena.size();
  if (nat_t_) {
    b.send_arena.insert(b.send_arena.end(), wire::kNonEspMarkerSize, 0);
  }
  b.send_arena.insert(b.send_arena.end(), ike_message.begin(), ike_message.end());
  p.length = b.send_arena.size() - p.offset;
  p.name_length = to_sockaddr(remote, p.name);
  b.pending.push_back(p);
}

void UdpTransport::flush_sends() {
  Batches& b = *batches_;
  const std::size_t n = b.pending.size();
  if (n == 0) {
    return;
  }
  // Runs of equal-sized datagrams to the same peer become one UDP_SEGMENT message (the last
  // datagram of a run may be shorter, as the kernel allows); the rest go one per message.
  std::size_t messages = 0;
  for (std::size_t i = 0; i < n;) {
    const Batches::Pending& first = b.pending[i];
    std::size_t run = 1;
    std::size_t bytes = first.length;
    while (gso_ && i + run < n && run < kMaxGsoSegments) {
      const Batches::Pending& next = b.pending[i + run];
      if (next.name_length != first.name_length ||
          std::memcmp(&next.name, &first.name, first.name_length) != 0 ||
          next.length > first.length || bytes + next.length > kMaxGsoBytes) {
        break;
      }
      bytes += next.length;
      ++run;
      if (next.length < first.length) {
        break;  // a shorter one ends the run
      }
    }
    mmsghdr& m = b.send_messages[messages];
    m = mmsghdr{};
    b.send_iov[messages] = {b.send_arena.data() + first.offset, bytes};
    m.msg_hdr.msg_name = &b.pending[i].name;
    m.msg_hdr.msg_namelen = first.name_length;
    m.msg_hdr.msg_iov = &b.send_iov[messages];
    m.msg_hdr.msg_iovlen = 1;
    if (run > 1) {
      m.msg_hdr.msg_control = b.send_control[messages].data();
      m.msg_hdr.msg_controllen = CMSG_SPACE(sizeof(std::uint16_t));
      cmsghdr* c = CMSG_FIRSTHDR(&m.msg_hdr);
      c->cmsg_level = SOL_UDP;
      c->cmsg_type = UDP_SEGMENT;
      c->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
      const auto segment = static_cast<std::uint16_t>(first.length);
      std::memcpy(CMSG_DATA(c), &segment, sizeof segment);
    }
    b.first_pending[messages] = i;
    b.segments[messages] = run;
    ++messages;
    i += run;
  }
  const int fd = socket_.native_handle();
  std::size_t done = 0;
  while (done < messages) {
    const int r =
        sendmmsg(fd, b.send_messages.data() + done, static_cast<unsigned>(messages - done), 0);
    if (r > 0) {
      for (std::size_t k = done; k < done + static_cast<std::size_t>(r); ++k) {
        stats_.sent += b.segments[k];
        stats_.gso_sends += b.segments[k] > 1 ? 1 : 0;
      }
      done += static_cast<std::size_t>(r);
      ++stats_.send_batches;
      continue;
    }
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // The socket is non-blocking (Asio's reactor): wait briefly for room, as a blocking
      // send_to would.
      pollfd w{fd, POLLOUT, 0};
      if (poll(&w, 1, 100) > 0) {
        continue;
      }
    }
    const int err = r < 0 ? errno : EIO;
    if (b.segments[done] > 1) {
      // The kernel or the device refused UDP_SEGMENT: never again; this run goes one by one.
      gso_ = false;
      for (std::size_t k = 0; k < b.segments[done]; ++k) {
        const Batches::Pending& p = b.pending[b.first_pending[done] + k];
        if (sendto(fd, b.send_arena.data() + p.offset, p.length, 0,
                   reinterpret_cast<const sockaddr*>(&p.name), p.name_length) >= 0) {
          ++stats_.sent;
        } else {
          ++stats_.send_errors;
        }
      }
      log_.log(base::LogLevel::Info, "udp",
               std::string("UDP GSO refused (") + std::strerror(err) + "), sending one by one");
      ++done;
      continue;
    }
    // sendmmsg reports an error only for the first message left: count it and go on.
    ++stats_.send_errors;
    const auto& name = b.pending[b.first_pending[done]].name;
    log_.log(base::LogLevel::Warning, "udp",
             "send to " + address_to_string(from_sockaddr(name).address) + ": " +
                 std::strerror(err));
    ++done;
  }
  b.pending.clear();
  b.send_arena.clear();
}

bool UdpTransport::send_keepalive(const engine::Endpoint& remote) {
  if (!nat_t_) {
    return false;  // a lone 0xFF on port 500 would just be a malformed IKE message
  }
  static constexpr std::uint8_t kKeepalive = 0xFF;
  boost::system::error_code ec;
  socket_.send_to(boost::asio::buffer(&kKeepalive, 1), to_asio(remote), 0, ec);
  if (ec) {
    ++stats_.send_errors;
    return true;
  }
  ++stats_.keepalives_sent;
  return true;
}

base::Result<engine::Endpoint, std::string> TransportSet::open(boost::asio::io_context& io,
                                                              const engine::Endpoint& local,
                                                              UdpTransport::Receiver receiver,
                                                              const base::Logger& log,
                                                              Framing framing) {
  auto t = UdpTransport::open(io, local, std::move(receiver), log, framing);
  if (!t) {
    return base::fail(t.error());
  }
  const engine::Endpoint bound = (*t)->local();
  transports_.push_back(std::move(*t));
  return bound;
}

UdpTransport* TransportSet::bound_to(const engine::Endpoint& local) const {
  for (const auto& t : transports_) {
    if (t->local() == local) {
      return t.get();
    }
  }
  return nullptr;
}

void TransportSet::close_all() {
  for (auto& t : transports_) {
    t->close();
  }
}

}  // namespace ike::io
