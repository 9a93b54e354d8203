#pragma once
// The Mobility Header (RFC 6275 6.1) and the messages a home agent or mobile node sends or
// receives: BRR, HoTI/CoTI/HoT/CoT (parsed for dissection only), BU, BA, BE, and the RFC 5142
// Home Agent Switch. Reserved fields are kept as received so that encode(decode(x)) == x;
// senders leave them 0 and receivers ignore them (R6275-03).
#include <array>
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "mip6/wire/mobility_options.h"
#include "mip6/wire/parse_error.h"

namespace mip6::wire {

inline constexpr std::uint8_t kIpProtoMobility = 135;
inline constexpr std::uint8_t kIpProtoNone = 59;

enum class MhType : std::uint8_t {
  BindingRefreshRequest = 0,
  HomeTestInit = 1,
  CareOfTestInit = 2,
  HomeTest = 3,
  CareOfTest = 4,
  BindingUpdate = 5,
  BindingAck = 6,
  BindingError = 7,
  HomeAgentSwitch = 12,  // RFC 5142
};
MIP6_ENUM_NAMES(MhType, BindingRefreshRequest, HomeTestInit, CareOfTestInit, HomeTest, CareOfTest,
                BindingUpdate, BindingAck, BindingError, HomeAgentSwitch);

// RFC 6275 6.1.8 (and 14). Values < 128 mean accepted.
enum class BaStatus : std::uint8_t {
  Accepted = 0,
  AcceptedPrefixDiscoveryNecessary = 1,
  ReasonUnspecified = 128,
  AdministrativelyProhibited = 129,
  InsufficientResources = 130,
  HomeRegistrationNotSupported = 131,
  NotHomeSubnet = 132,
  NotHomeAgentForThisMobileNode = 133,
  DuplicateAddressDetectionFailed = 134,
  SequenceNumberOutOfWindow = 135,
  ExpiredHomeNonceIndex = 136,
  ExpiredCareOfNonceIndex = 137,
  ExpiredNonces = 138,
  RegistrationTypeChangeDisallowed = 139,
  InvalidCareOfAddress = 174,
};
MIP6_ENUM_NAMES(BaStatus, Accepted, AcceptedPrefixDiscoveryNecessary, ReasonUnspecified,
                AdministrativelyProhibited, InsufficientResources, HomeRegistrationNotSupported,
                NotHomeSubnet, NotHomeAgentForThisMobileNode, DuplicateAddressDetectionFailed,
                SequenceNumberOutOfWindow, ExpiredHomeNonceIndex, ExpiredCareOfNonceIndex,
                ExpiredNonces, RegistrationTypeChangeDisallowed,
                InvalidCareOfAddress);  // unknown values print as "unknown"
[[nodiscard]] constexpr bool is_accepted(BaStatus s) { return static_cast<std::uint8_t>(s) < 128; }

enum class BeStatus : std::uint8_t {
  UnknownBindingForHomeAddress = 1,
  UnrecognizedMhType = 2,
};
MIP6_ENUM_NAMES(BeStatus, UnknownBindingForHomeAddress, UnrecognizedMhType);

struct BindingRefreshRequest {  // MH type 0, fixed part ends at offset 8
  std::uint16_t reserved = 0;
  MobilityOptions options;
  friend bool operator==(const BindingRefreshRequest&, const BindingRefreshRequest&) = default;
};

struct HomeTestInit {  // type 1, offset 6: reserved(2), init cookie(8)
  std::uint16_t reserved = 0;
  std::array<std::uint8_t, 8> init_cookie{};
  MobilityOptions options;
  friend bool operator==(const HomeTestInit&, const HomeTestInit&) = default;
};
struct CareOfTestInit {  // type 2, same layout as HoTI
  std::uint16_t reserved = 0;
  std::array<std::uint8_t, 8> init_cookie{};
  MobilityOptions options;
  friend bool operator==(const CareOfTestInit&, const CareOfTestInit&) = default;
};
struct HomeTest {  // type 3: nonce index(2), init cookie(8), keygen token(8)
  std::uint16_t nonce_index = 0;
  std::array<std::uint8_t, 8> init_cookie{};
  std::array<std::uint8_t, 8> keygen_token{};
  MobilityOptions options;
  friend bool operator==(const HomeTest&, const HomeTest&) = default;
};
struct CareOfTest {  // type 4, same layout as HoT
  std::uint16_t nonce_index = 0;
  std::array<std::uint8_t, 8> init_cookie{};
  std::array<std::uint8_t, 8> keygen_token{};
  MobilityOptions options;
  friend bool operator==(const CareOfTest&, const CareOfTest&) = default;
};

struct BindingUpdate {  // type 5 (6.1.7)
  std::uint16_t sequence = 0;
  bool ack = false;                // A 0x80
  bool home_registration = false;  // H 0x40
  bool link_local_compat = false;  // L 0x20
  bool key_mgmt_mobility = false;  // K 0x10
  std::uint8_t other_flags = 0;    // low nibble (used by NEMO, PMIPv6 ...), kept verbatim
  std::uint8_t reserved = 0;       // octet 9
  std::uint16_t lifetime = 0;      // 4-second units; 0 = deregistration
  MobilityOptions options;
  friend bool operator==(const BindingUpdate&, const BindingUpdate&) = default;
};

struct BindingAck {  // type 6 (6.1.8)
  BaStatus status = BaStatus::Accepted;
  bool key_mgmt_mobility = false;  // K 0x80
  std::uint8_t other_flags = 0;    // low 7 bits, kept verbatim
  std::uint16_t sequence = 0;
  std::uint16_t lifetime = 0;      // 4-second units
  MobilityOptions options;
  friend bool operator==(const BindingAck&, const BindingAck&) = default;
};

struct BindingError {  // type 7 (6.1.9)
  BeStatus status = BeStatus::UnknownBindingForHomeAddress;
  std::uint8_t reserved = 0;
  base::Ip6Addr home_address;  // from the offending HAO, or :: (R6275-73)
  MobilityOptions options;
  friend bool operator==(const BindingError&, const BindingError&) = default;
};

struct HomeAgentSwitch {  // type 12 (RFC 5142 4)
  std::uint8_t reserved = 0;
  std::vector<base::Ip6Addr> home_agents;  // "# of Addresses" is derived on encode
  MobilityOptions options;
  friend bool operator==(const HomeAgentSwitch&, const HomeAgentSwitch&) = default;
};

using MobilityMessage = std::variant<BindingRefreshRequest, HomeTestInit, CareOfTestInit, HomeTest,
                                     CareOfTest, BindingUpdate, BindingAck, BindingError,
                                     HomeAgentSwitch>;

[[nodiscard]] MhType type_of(const MobilityMessage& m);

struct MobilityHeader {
  std::uint8_t payload_proto = kIpProtoNone;
  std::uint8_t reserved = 0;  // octet 3
  std::uint16_t checksum = 0; // as on the wire; see compute/verify below
  MobilityMessage message;
  friend bool operator==(const MobilityHeader&, const MobilityHeader&) = default;
};

// Decodes one Mobility Header occupying exactly `bytes` (the IPv6 payload after any
// extension headers). Checks, in RFC 6275 9.2 order where the RFC names one: length fields,
// Payload Proto, MH type, Header Len against the type's fixed part, then options. The
// checksum is NOT verified here (the caller knows the pseudo-header): use verify_mh_checksum.
[[nodiscard]] ParseResult<MobilityHeader> decode_mobility_header(
    std::span<const std::uint8_t> bytes);

// Encodes with the checksum field taken from `mh.checksum`. If the options leave the total
// length short of a multiple of 8, Pad1/PadN is appended (R6275-02). Build options with
// append_aligned; a Binding Authorization Data option must end the message on its own (its
// authenticator length = 4 mod 8), since no padding may follow it (6.2.7).
[[nodiscard]] std::vector<std::uint8_t> encode_mobility_header(const MobilityHeader& mh);

// Encodes and fills the checksum for the given pseudo-header addresses. `source` must be the
// home address when a HAO is carried, `destination` the final destination (RFC 6275 6.1.1).
[[nodiscard]] std::vector<std::uint8_t> encode_mobility_header(const MobilityHeader& mh,
                                                               const base::Ip6Addr& source,
                                                               const base::Ip6Addr& destination);

// One's-complement checksum of the IPv6 pseudo-header (RFC 8200 8.1) plus `upper`. When the
// checksum field inside `upper` is zero this is the value to write; over a packet that
// carries its checksum it is 0 when the checksum is valid.
[[nodiscard]] std::uint16_t pseudo_header_checksum(const base::Ip6Addr& source,
                                                   const base::Ip6Addr& destination,
                                                   std::uint8_t next_header,
                                                   std::span<const std::uint8_t> upper);

// True when the MH checksum in `mh_bytes` is correct for the pseudo-header (R6275-06).
[[nodiscard]] bool verify_mh_checksum(const base::Ip6Addr& source, const base::Ip6Addr& destination,
                                      std::span<const std::uint8_t> mh_bytes);

}  // namespace mip6::wire
