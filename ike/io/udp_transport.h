#pragma once
// One UDP socket for IKE (RFC 7296 2.23): port 500 carries bare IKE messages; port 4500
// (NAT-T) carries them behind the four-octet non-ESP marker, which this class adds and
// strips, so everything above it sees bare IKE messages only. ESP-in-UDP and NAT
// keepalives on 4500 are counted and dropped (no user-space ESP here). Which framing a socket
// uses follows its port unless the caller says otherwise (tests bind NAT-T sockets to
// kernel-chosen ports).
//
// Addresses are engine::Endpoint values (IPv6); an IPv4 socket is opened when the local
// address is IPv4-mapped (::ffff:a.b.c.d), and its peers appear IPv4-mapped as well.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "ike/base/log.h"
#include "ike/base/result.h"
#include "ike/engine/engine_types.h"

namespace ike::io {

constexpr std::uint16_t kIkePort = 500;
constexpr std::uint16_t kNatTPort = 4500;

enum class Framing : std::uint8_t {
  ByPort,        // the non-ESP marker on port 4500, bare IKE on any other port
  Plain,         // bare IKE messages
  NonEspMarker,  // NAT-T framing whatever the port
};

struct TransportStats {
  std::uint64_t received = 0;
  std::uint64_t sent = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t dropped_esp = 0;        // ESP-in-UDP on 4500: not ours to handle
  std::uint64_t dropped_keepalive = 0;  // 0xFF NAT keepalive
  std::uint64_t dropped_malformed = 0;  // bad 4500 framing
  std::uint64_t keepalives_sent = 0;    // RFC 3948 4
  std::uint64_t receive_batches = 0;    // recvmmsg calls that returned datagrams
  std::uint64_t send_batches = 0;       // sendmmsg calls that sent datagrams
  std::uint64_t gro_datagrams = 0;      // datagrams that arrived coalesced (UDP_GRO)
  std::uint64_t gso_sends = 0;          // UDP_SEGMENT messages (several datagrams each)
};

// IPv4-mapped helpers: Endpoint <-> Asio endpoint.
[[nodiscard]] boost::asio::ip::udp::endpoint to_asio(const engine::Endpoint& e);
[[nodiscard]] engine::Endpoint from_asio(const boost::asio::ip::udp::endpoint& e);
// "2001:db8::1", "192.0.2.1" (becomes ::ffff:192.0.2.1); nullopt when neither.
[[nodiscard]] std::optional<base::Ip6Addr> parse_address(std::string_view text);
// Prints an IPv4-mapped address as dotted quad.
[[nodiscard]] std::string address_to_string(const base::Ip6Addr& a);

class UdpTransport {
 public:
  // One bare IKE message from `path.remote` to `path.local`.
  using Receiver = std::function<void(const engine::Path& path, std::span<const std::uint8_t>)>;

  // Binds `local` (address and port; port 0 lets the kernel choose, local() tells which) and
  // starts receiving. Fails when the socket cannot be
  // opened or bound; the error text says why.
  [[nodiscard]] static base::Result<std::unique_ptr<UdpTransport>, std::string> open(
      boost::asio::io_context& io, const engine::Endpoint& local, Receiver receiver,
      const base::Logger& log, Framing framing = Framing::ByPort);

  UdpTransport(const UdpTransport&) = delete;
  UdpTransport& operator=(const UdpTransport&) = delete;
  ~UdpTransport();

  // Sends one IKE message to `remote` (the marker is added on 4500). Errors are counted and
  // logged; UDP gives no delivery guarantee anyway and the engine retransmits.
  void send(const engine::Endpoint& remote, std::span<const std::uint8_t> ike_message);
  // One 0xFF octet, no marker (RFC 3948 4); only on a NAT-T socket (false otherwise).
  bool send_keepalive(const engine::Endpoint& remote);
  void close();

  [[nodiscard]] const engine::Endpoint& local() const { return local_; }
  [[nodiscard]] bool nat_t() const { return nat_t_; }
  [[nodiscard]] const TransportStats& stats() const { return stats_; }

 private:
  UdpTransport(boost::asio::io_context& io, const engine::Endpoint& local, Receiver receiver,
               const base::Logger& log);
  void start_receive();
  // Reads what the socket holds with recvmmsg, a bounded number of datagrams per readable
  // event (timers and other sockets get their turn); what the receiver sends meanwhile is
  // queued and leaves with one sendmmsg per received batch.
  void drain_readable();
  void on_receive(std::span<const std::uint8_t> datagram, const engine::Endpoint& from);
  void queue_send(const engine::Endpoint& remote, std::span<const std::uint8_t> ike_message);
  void flush_sends();

  boost::asio::ip::udp::socket socket_;
  engine::Endpoint local_;
  bool nat_t_ = false;  // non-ESP marker framing
  Receiver receiver_;
  const base::Logger& log_;
  // recvmmsg/sendmmsg state (buffers, names, the send queue); kept out of this header.
  struct Batches;
  std::unique_ptr<Batches> batches_;
  bool in_batch_ = false;  // inside drain_readable(): send() queues
  // UDP_SEGMENT for runs of equal-sized answers to one peer; off after the kernel refused it.
  bool gso_ = true;
  TransportStats stats_;
  // The handler may run after close() during io_context teardown; it checks this flag.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The sockets a driver listens on, one per local endpoint: what IkeDriver and mn::MnDaemon
// both need to open them, pick the one a datagram leaves from, and close them all.
class TransportSet {
 public:
  // Opens `local` (see UdpTransport::open); the endpoint actually bound.
  [[nodiscard]] base::Result<engine::Endpoint, std::string> open(
      boost::asio::io_context& io, const engine::Endpoint& local, UdpTransport::Receiver receiver,
      const base::Logger& log, Framing framing);
  // The socket bound to `local`, or nullptr.
  [[nodiscard]] UdpTransport* bound_to(const engine::Endpoint& local) const;
  void close_all();

 private:
  std::vector<std::unique_ptr<UdpTransport>> transports_;
};

}  // namespace ike::io
