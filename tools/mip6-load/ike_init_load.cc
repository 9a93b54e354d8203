#include "tools/mip6-load/ike_init_load.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace mip6load {
namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// sockaddr for `a` (IPv4-mapped addresses become AF_INET).
socklen_t to_sockaddr(const base::Ip6Addr& a, std::uint16_t port, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  if (a.is_v4_mapped()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    std::memcpy(&sin->sin_addr, a.bytes().data() + 12, 4);
    return sizeof(sockaddr_in);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(port);
  std::memcpy(&sin6->sin6_addr, a.bytes().data(), 16);
  return sizeof(sockaddr_in6);
}

std::string target_text(const base::Ip6Addr& a, std::uint16_t port) {
  if (a.is_v4_mapped()) {
    const auto& b = a.bytes();
    return std::to_string(b[12]) + "." + std::to_string(b[13]) + "." + std::to_string(b[14]) +
           "." + std::to_string(b[15]) + ":" + std::to_string(port);
  }
  return "[" + a.to_string() + "]:" + std::to_string(port);
}

// utime + stime of a process in seconds, from /proc/PID/stat; nullopt when it is gone.
std::optional<double> process_cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto paren = text.rfind(')');
  if (!in.good() && text.empty()) {
    return std::nullopt;
  }
  if (paren == std::string::npos) {
    return std::nullopt;
  }
  std::istringstream fields(text.substr(paren + 2));
  std::vector<std::string> f;
  for (std::string s; fields >> s;) {
    f.push_back(s);
  }
  if (f.size() < 13) {
    return std::nullopt;
  }
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return (std::stod(f[11]) + std::stod(f[12])) / ticks;  // fields 14 and 15 of stat(5)
}

double self_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd_ >= 0) {
      close(fd_);
    }
  }
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_;
};

void grow_buffer(int fd, int force_option, int option, int bytes) {
  // SO_*BUFFORCE passes rmem_max/wmem_max when we are root; otherwise ask within the limits.
  if (setsockopt(fd, SOL_SOCKET, force_option, &bytes, sizeof bytes) != 0) {
    (void)setsockopt(fd, SOL_SOCKET, option, &bytes, sizeof bytes);
  }
}

}  // namespace

base::Result<IkeInitResult, std::string> run_ike_init(const IkeInitOptions& o) {
  auto request = RequestTemplate::build(o.request);
  if (!request) {
    return base::fail(request.error());
  }
  sockaddr_storage target{};
  const socklen_t target_len = to_sockaddr(o.target, o.port, target);
  Socket sock(socket(target.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (sock.fd() < 0) {
    return base::fail(std::string("socket: ") + std::strerror(errno));
  }
  grow_buffer(sock.fd(), SO_RCVBUFFORCE, SO_RCVBUF, 8 << 20);
  bool gso = o.gso;
  if (gso) {
    // Coalesced answers (UDP_GRO) are split below; without support they come one by one.
    const int on = 1;
    (void)setsockopt(sock.fd(), SOL_UDP, UDP_GRO, &on, sizeof on);
  }
  grow_buffer(sock.fd(), SO_SNDBUFFORCE, SO_SNDBUF, 8 << 20);
  if (o.source) {
    sockaddr_storage src{};
    const socklen_t src_len = to_sockaddr(*o.source, 0, src);
    if (src.ss_family != target.ss_family) {
      return base::fail(std::string("--source and --target are of different families"));
    }
    if (bind(sock.fd(), reinterpret_cast<sockaddr*>(&src), src_len) != 0) {
      return base::fail(std::string("bind --source: ") + std::strerror(errno));
    }
  }
  // Connected: the kernel drops datagrams from anyone but the target, and send needs no name.
  if (connect(sock.fd(), reinterpret_cast<sockaddr*>(&target), target_len) != 0) {
    return base::fail(std::string("connect: ") + std::strerror(errno));
  }

  // A UDP_SEGMENT send carries at most 64 datagrams (and 64 KiB).
  const std::size_t batch = std::clamp<std::size_t>(o.batch, 1, gso ? 64 : 1024);
  const bool rate_mode = o.rate > 0;
  const std::int64_t timeout_ns = static_cast<std::int64_t>(o.timeout_s * 1e9);
  std::size_t capacity = o.window;
  if (rate_mode) {
    capacity = static_cast<std::size_t>(std::ceil(o.rate * o.timeout_s * 1.25)) + batch;
    capacity = std::clamp<std::size_t>(capacity, 1024, std::size_t{1} << 22);
  }
  IkeInitResult result;
  Outstanding outstanding(std::max<std::size_t>(capacity, 1), request->nonce_size());
  const std::size_t window = rate_mode ? outstanding.capacity() : std::max<std::size_t>(o.window, 1);
  FastRandom random;

  const std::size_t req_size = request->size();
  std::vector<std::uint8_t> send_buf(batch * req_size);
  std::vector<iovec> send_iov(batch);
  std::vector<mmsghdr> send_msgs(batch);
  std::vector<std::uint32_t> send_slots(batch);
  // With UDP_GRO one receive may hold up to 64 KiB of coalesced answers.
  const std::size_t kMaxAnswer = gso ? 65536 : 2048;
  constexpr std::size_t kControl = 64;
  std::vector<std::uint8_t> recv_buf(batch * kMaxAnswer);
  std::vector<std::array<char, kControl>> recv_control(batch);
  std::array<char, kControl> send_control{};
  iovec gso_iov{};
  std::vector<iovec> recv_iov(batch);
  std::vector<mmsghdr> recv_msgs(batch);
  for (std::size_t i = 0; i < batch; ++i) {
    send_iov[i] = {send_buf.data() + i * req_size, req_size};
    recv_iov[i] = {recv_buf.data() + i * kMaxAnswer, kMaxAnswer};
  }

  const std::optional<double> target_cpu0 =
      o.target_pid ? process_cpu_seconds(*o.target_pid) : std::nullopt;
  const double self_cpu0 = self_cpu_seconds();
  const std::int64_t start = now_ns();
  const std::int64_t stop_sending = start + static_cast<std::int64_t>(o.duration_s * 1e9);
  // After the last request, wait for answers in flight at most one timeout.
  const std::int64_t hard_stop = stop_sending + timeout_ns;
  std::int64_t next_expiry = start + std::min<std::int64_t>(timeout_ns, 10'000'000);
  LoadCounters& c = result.counters;

  for (;;) {
    std::int64_t now = now_ns();
    const bool sending = now < stop_sending;
    if (!sending && (outstanding.in_flight() == 0 || now >= hard_stop)) {
      break;
    }
    bool progressed = false;
    if (sending) {
      std::size_t allowance = std::min(outstanding.free_slots(), window - outstanding.in_flight());
      if (rate_mode) {
        const auto due = static_cast<std::uint64_t>(o.rate * static_cast<double>(now - start) * 1e-9);
        allowance = std::min<std::size_t>(allowance, due > c.sent ? due - c.sent : 0);
      }
      while (allowance > 0) {
        const std::size_t n = std::min(allowance, batch);
        for (std::size_t i = 0; i < n; ++i) {
          const auto claimed = outstanding.claim(random.next(), now);
          random.fill(claimed->nonce);
          request->stamp({send_buf.data() + i * req_size, req_size}, claimed->spi,
                         claimed->nonce);
          send_slots[i] = claimed->slot;
          send_msgs[i] = mmsghdr{};
          send_msgs[i].msg_hdr.msg_iov = &send_iov[i];
          send_msgs[i].msg_hdr.msg_iovlen = 1;
        }
        std::size_t done = 0;
        int r = 0;
        if (gso && n > 1) {
          // All n requests have the same size and destination: one UDP_SEGMENT message.
          mmsghdr m{};
          gso_iov = {send_buf.data(), n * req_size};
          m.msg_hdr.msg_iov = &gso_iov;
          m.msg_hdr.msg_iovlen = 1;
          m.msg_hdr.msg_control = send_control.data();
          m.msg_hdr.msg_controllen = CMSG_SPACE(sizeof(std::uint16_t));
          cmsghdr* cm = CMSG_FIRSTHDR(&m.msg_hdr);
          cm->cmsg_level = SOL_UDP;
          cm->cmsg_type = UDP_SEGMENT;
          cm->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
          const auto segment = static_cast<std::uint16_t>(req_size);
          std::memcpy(CMSG_DATA(cm), &segment, sizeof segment);
          r = sendmmsg(sock.fd(), &m, 1, 0);
          if (r == 1) {
            done = n;
          } else if (r < 0 && (errno == EIO || errno == EINVAL || errno == EOPNOTSUPP)) {
            gso = false;  // not supported on this path: one datagram per message from now on
          }
        } else {
          r = sendmmsg(sock.fd(), send_msgs.data(), static_cast<unsigned>(n), 0);
          done = r > 0 ? static_cast<std::size_t>(r) : 0;
        }
        if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS && gso) {
          ++c.send_errors;  // e.g. ECONNREFUSED after an ICMP port unreachable
        }
        for (std::size_t i = done; i < n; ++i) {
          outstanding.unclaim(send_slots[i]);
        }
        c.sent += done;
        allowance -= done;
        progressed = progressed || done > 0;
        if (done < n) {
          break;  // socket buffer full: let the answers come first
        }
      }
    }

    for (std::size_t i = 0; i < batch; ++i) {
      recv_msgs[i] = mmsghdr{};
      recv_msgs[i].msg_hdr.msg_iov = &recv_iov[i];
      recv_msgs[i].msg_hdr.msg_iovlen = 1;
      recv_msgs[i].msg_hdr.msg_control = recv_control[i].data();
      recv_msgs[i].msg_hdr.msg_controllen = kControl;
    }
    const int got = recvmmsg(sock.fd(), recv_msgs.data(), static_cast<unsigned>(batch),
                             MSG_DONTWAIT, nullptr);
    if (got > 0) {
      now = now_ns();
      for (int i = 0; i < got; ++i) {
        auto& m = recv_msgs[static_cast<std::size_t>(i)];
        const std::size_t len = std::min<std::size_t>(m.msg_len, kMaxAnswer);
        const std::span<const std::uint8_t> data(
            recv_buf.data() + static_cast<std::size_t>(i) * kMaxAnswer, len);
        std::size_t segment = len;
        for (cmsghdr* cm = CMSG_FIRSTHDR(&m.msg_hdr); cm != nullptr;
             cm = CMSG_NXTHDR(&m.msg_hdr, cm)) {
          if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO) {
            int size = 0;
            std::memcpy(&size, CMSG_DATA(cm), sizeof size);
            if (size > 0) {
              segment = static_cast<std::size_t>(size);
            }
          }
        }
        if (segment == 0 || len == 0) {
          account_answer(data, now, outstanding, c, result.latency);
          continue;
        }
        for (std::size_t off = 0; off < len; off += segment) {
          account_answer(data.subspan(off, std::min(segment, len - off)), now, outstanding, c,
                         result.latency);
        }
      }
      progressed = true;
    } else if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      ++c.send_errors;  // an ICMP error reported on the connected socket
    }

    if (now >= next_expiry) {
      c.timeouts += outstanding.expire(now - timeout_ns);
      next_expiry = now + std::min<std::int64_t>(timeout_ns, 10'000'000);
    }
    if (!progressed) {
      pollfd p{sock.fd(), POLLIN, 0};
      (void)poll(&p, 1, 1);
    }
  }
  c.timeouts += outstanding.expire(std::numeric_limits<std::int64_t>::max());

  const double self_cpu = self_cpu_seconds() - self_cpu0;
  const double seconds = static_cast<double>(now_ns() - start) * 1e-9;
  result.info.target = target_text(o.target, o.port);
  result.info.duration_s = o.duration_s;
  result.info.window = rate_mode ? 0 : window;
  result.info.rate = rate_mode ? o.rate : 0;
  result.info.redirect_supported = o.request.redirect_supported || o.request.redirected_from;
  result.info.load_cpu_pct = seconds > 0 ? 100.0 * self_cpu / seconds : 0.0;
  if (target_cpu0) {
    if (const auto cpu1 = process_cpu_seconds(*o.target_pid)) {
      result.info.target_cpu_pct = 100.0 * (*cpu1 - *target_cpu0) / seconds;
    }
  }
  return result;
}

}  // namespace mip6load
