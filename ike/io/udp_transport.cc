#include "ike/io/udp_transport.h"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/system/error_code.hpp>
#include <cstring>
#include <exception>

#include "ike/wire/non_esp_marker.h"

namespace ike::io {
namespace {

namespace ip = boost::asio::ip;

constexpr std::array<std::uint8_t, 12> kV4MappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool is_v4_mapped(const base::Ip6Addr& a) {
  return std::memcmp(a.bytes().data(), kV4MappedPrefix.data(), kV4MappedPrefix.size()) == 0;
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
  if (is_v4_mapped(a)) {
    return to_asio({a, 0}).address().to_string();
  }
  return a.to_string();
}

UdpTransport::UdpTransport(boost::asio::io_context& io, const engine::Endpoint& local,
                           Receiver receiver, const base::Logger& log)
    : socket_(io), local_(local), receiver_(std::move(receiver)), log_(log) {}

UdpTransport::~UdpTransport() {
  close();
}

base::Result<std::unique_ptr<UdpTransport>, std::string> UdpTransport::open(
    boost::asio::io_context& io, const engine::Endpoint& local, Receiver receiver,
    const base::Logger& log) {
  std::unique_ptr<UdpTransport> t(new UdpTransport(io, local, std::move(receiver), log));
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
  t->start_receive();
  return t;
}

void UdpTransport::close() {
  *alive_ = false;
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void UdpTransport::start_receive() {
  socket_.async_receive_from(
      boost::asio::buffer(buffer_), sender_,
      [this, alive = alive_](const boost::system::error_code& ec, std::size_t size) {
        if (!*alive || ec == boost::asio::error::operation_aborted) {
          return;
        }
        if (ec) {
          log_.log(base::LogLevel::Warning, "udp", "receive: " + ec.message());
        } else {
          try {
            on_receive(size);
          } catch (const std::exception& e) {
            // A handler must never take the event loop down (STYLE: exceptions stay out).
            log_.log(base::LogLevel::Error, "udp", std::string("receive handler: ") + e.what());
          }
        }
        if (*alive) {
          start_receive();
        }
      });
}

void UdpTransport::on_receive(std::size_t size) {
  ++stats_.received;
  std::span<const std::uint8_t> datagram(buffer_.data(), size);
  if (local_.port == kNatTPort) {
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
  receiver_(engine::Path{local_, from_asio(sender_)}, datagram);
}

void UdpTransport::send(const engine::Endpoint& remote, std::span<const std::uint8_t> ike_message) {
  boost::system::error_code ec;
  if (local_.port == kNatTPort) {
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

}  // namespace ike::io
