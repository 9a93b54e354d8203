#pragma once
// Notify payload (RFC 7296 3.10) with typed helpers for the notifies whose data has structure:
// REDIRECT / REDIRECTED_FROM (RFC 5685 9), INVALID_KE_PAYLOAD, COOKIE, NAT_DETECTION_*,
// UNSUPPORTED_CRITICAL_PAYLOAD, SET_WINDOW_SIZE, SIGNATURE_HASH_ALGORITHMS, REKEY_SA.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/byte_writer.h"
#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "ike/wire/parse_error.h"
#include "ike/wire/payload_type.h"

namespace ike::wire {

// Every number in the project's IKEv2 digest. Other values pass through unchanged; use
// is_error_notify() to classify them (R7296-54).
enum class NotifyType : std::uint16_t {
  // Errors (0..16383).
  UnsupportedCriticalPayload = 1,
  InvalidIkeSpi = 4,
  InvalidMajorVersion = 5,
  InvalidSyntax = 7,
  InvalidMessageId = 9,
  InvalidSpi = 11,
  NoProposalChosen = 14,
  InvalidKePayload = 17,
  AuthenticationFailed = 24,
  SinglePairRequired = 34,
  NoAdditionalSas = 35,
  InternalAddressFailure = 36,
  FailedCpRequired = 37,
  TsUnacceptable = 38,
  InvalidSelectors = 39,
  UseAssignedHoa = 42,  // RFC 5026
  TemporaryFailure = 43,
  ChildSaNotFound = 44,
  // Status (16384..).
  InitialContact = 16384,
  SetWindowSize = 16385,
  AdditionalTsPossible = 16386,
  IpcompSupported = 16387,
  NatDetectionSourceIp = 16388,
  NatDetectionDestinationIp = 16389,
  Cookie = 16390,
  UseTransportMode = 16391,
  HttpCertLookupSupported = 16392,
  RekeySa = 16393,
  EspTfcPaddingNotSupported = 16394,
  NonFirstFragmentsAlso = 16395,
  RedirectSupported = 16406,  // RFC 5685
  Redirect = 16407,
  RedirectedFrom = 16408,
  Ikev2FragmentationSupported = 16430,  // RFC 7383
  SignatureHashAlgorithms = 16431,      // RFC 7427
};
MIP6_ENUM_NAMES(NotifyType, UnsupportedCriticalPayload, InvalidIkeSpi, InvalidMajorVersion,
                InvalidSyntax, InvalidMessageId, InvalidSpi, NoProposalChosen, InvalidKePayload,
                AuthenticationFailed, SinglePairRequired, NoAdditionalSas, InternalAddressFailure,
                FailedCpRequired, TsUnacceptable, InvalidSelectors, UseAssignedHoa,
                TemporaryFailure, ChildSaNotFound, InitialContact, SetWindowSize,
                AdditionalTsPossible, IpcompSupported, NatDetectionSourceIp,
                NatDetectionDestinationIp, Cookie, UseTransportMode, HttpCertLookupSupported,
                RekeySa, EspTfcPaddingNotSupported, NonFirstFragmentsAlso, RedirectSupported,
                Redirect, RedirectedFrom, Ikev2FragmentationSupported, SignatureHashAlgorithms);
[[nodiscard]] constexpr bool is_error_notify(NotifyType t) {
  return static_cast<std::uint16_t>(t) < 16384;
}

struct NotifyPayload {
  static constexpr PayloadType kType = PayloadType::Notify;
  ProtocolId protocol = ProtocolId::None;
  std::vector<std::uint8_t> spi;  // only for INVALID_SELECTORS, REKEY_SA, CHILD_SA_NOT_FOUND
  NotifyType type = NotifyType::InitialContact;
  std::vector<std::uint8_t> data;

  // Offset of the Notification Data inside the body (for error offsets of typed helpers).
  [[nodiscard]] std::size_t data_offset() const { return 4 + spi.size(); }

  [[nodiscard]] static ParseResult<NotifyPayload> decode(std::span<const std::uint8_t> body);
  [[nodiscard]] EncodeStatus encode(base::ByteWriter& w) const;
  friend bool operator==(const NotifyPayload&, const NotifyPayload&) = default;
};

// A notify about the IKE SA or no SA: Protocol ID 0, SPI Size 0.
NotifyPayload make_notify(NotifyType type, std::span<const std::uint8_t> data = {});

// ---- RFC 5685 gateway identities -----------------------------------------------------------

// GW Ident Type (RFC 5685 9.4). Not the IKEv2 ID types: 2 is IPv6 here, 3 is FQDN.
enum class GwIdentType : std::uint8_t {
  Ipv4 = 1,
  Ipv6 = 2,
  Fqdn = 3,
};
MIP6_ENUM_NAMES(GwIdentType, Ipv4, Ipv6, Fqdn);

struct GwIdentity {
  GwIdentType type = GwIdentType::Ipv6;
  std::vector<std::uint8_t> value;  // 4 or 16 raw octets, or an ASCII FQDN without terminator

  static GwIdentity ipv4(const std::array<std::uint8_t, 4>& addr);
  static GwIdentity ipv6(const base::Ip6Addr& addr);
  static GwIdentity fqdn(std::string_view name);
  // An IPv4-mapped address as GW Ident Type 1, any other as Type 2 (R5685-35, R5685-38).
  static GwIdentity from_address(const base::Ip6Addr& addr);
  [[nodiscard]] std::optional<base::Ip6Addr> ipv6_addr() const;
  // The address to contact: Type 2 as it is, Type 1 IPv4-mapped; nullopt for an FQDN.
  [[nodiscard]] std::optional<base::Ip6Addr> address() const;
  [[nodiscard]] std::string_view fqdn_text() const;  // empty unless type is Fqdn
  friend bool operator==(const GwIdentity&, const GwIdentity&) = default;
};

struct RedirectInfo {
  GwIdentity gateway;
  // Copy of the initiator's Ni data in an IKE_SA_INIT response (16..256 octets); empty in
  // IKE_AUTH and INFORMATIONAL (R5685-36/37). Whether it must be present is the engine's call.
  std::vector<std::uint8_t> nonce;
  friend bool operator==(const RedirectInfo&, const RedirectInfo&) = default;
};

// N(REDIRECT): checks Protocol ID / SPI Size 0 (R5685-34), GW Ident Type 1..3 with its length
// (4 / 16 / >= 1, R5685-35), and a nonce that is absent or 16..256 octets (R5685-36).
[[nodiscard]] ParseResult<RedirectInfo> decode_redirect(const NotifyPayload& n);
[[nodiscard]] EncodeResult<NotifyPayload> make_redirect(const RedirectInfo& info);
// N(REDIRECTED_FROM): an IPv4 or IPv6 address only, nothing after it (R5685-38).
[[nodiscard]] ParseResult<GwIdentity> decode_redirected_from(const NotifyPayload& n);
[[nodiscard]] EncodeResult<NotifyPayload> make_redirected_from(const GwIdentity& gw);
NotifyPayload make_redirect_supported();

// ---- Other typed notifies ------------------------------------------------------------------

// INVALID_KE_PAYLOAD: data is the 2-octet DH group the responder wants (R7296-18).
NotifyPayload make_invalid_ke_payload(std::uint16_t dh_group);
[[nodiscard]] ParseResult<std::uint16_t> decode_invalid_ke_payload(const NotifyPayload& n);

constexpr std::size_t kMaxCookieSize = 64;
// COOKIE: 1..64 octets (2.6, R7296-21).
NotifyPayload make_cookie(std::span<const std::uint8_t> cookie);
[[nodiscard]] ParseResult<std::span<const std::uint8_t>> decode_cookie(const NotifyPayload& n);

constexpr std::size_t kNatDetectionHashSize = 20;  // SHA-1 (2.23)
// NAT_DETECTION_SOURCE_IP / _DESTINATION_IP: the data is just the 20-octet hash, computed by
// the engine (crypto is not this layer's business).
NotifyPayload make_nat_detection(NotifyType type,
                                 std::span<const std::uint8_t, kNatDetectionHashSize> hash);
[[nodiscard]] ParseResult<std::span<const std::uint8_t>> decode_nat_detection(
    const NotifyPayload& n);

// UNSUPPORTED_CRITICAL_PAYLOAD: data is the 1-octet payload type (3.10.1).
NotifyPayload make_unsupported_critical_payload(std::uint8_t payload_type);
[[nodiscard]] ParseResult<std::uint8_t> decode_unsupported_critical_payload(
    const NotifyPayload& n);

// SET_WINDOW_SIZE: 4-octet window (2.3).
NotifyPayload make_set_window_size(std::uint32_t window);
[[nodiscard]] ParseResult<std::uint32_t> decode_set_window_size(const NotifyPayload& n);

// SIGNATURE_HASH_ALGORITHMS (RFC 7427 4): a list of 16-bit hash IDs.
NotifyPayload make_signature_hash_algorithms(std::span<const std::uint16_t> ids);
[[nodiscard]] ParseResult<std::vector<std::uint16_t>> decode_signature_hash_algorithms(
    const NotifyPayload& n);

// REKEY_SA for a Child SA: Protocol ID ESP/AH and the 4-octet SPI of the SA being rekeyed.
NotifyPayload make_rekey_sa(ProtocolId protocol, std::uint32_t spi);

}  // namespace ike::wire
