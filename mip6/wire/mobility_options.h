#pragma once
// Mobility options (RFC 6275 6.2, RFC 5026 8.1). Decoded option lists keep padding options
// and unknown options as they were on the wire, so encode(decode(x)) == x.
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "mip6/wire/parse_error.h"

namespace mip6::wire {

enum class MobilityOptionType : std::uint8_t {
  Pad1 = 0,
  PadN = 1,
  BindingRefreshAdvice = 2,
  AlternateCareOfAddress = 3,
  NonceIndices = 4,
  BindingAuthorizationData = 5,
  DnsUpdate = 17,  // RFC 5026 8.1
};
MIP6_ENUM_NAMES(MobilityOptionType, Pad1, PadN, BindingRefreshAdvice, AlternateCareOfAddress,
                NonceIndices, BindingAuthorizationData, DnsUpdate);

struct Pad1Option {
  friend bool operator==(const Pad1Option&, const Pad1Option&) = default;
};
struct PadNOption {
  std::vector<std::uint8_t> data;  // N-2 octets; receivers ignore the content (6.2.3)
  friend bool operator==(const PadNOption&, const PadNOption&) = default;
};
struct BindingRefreshAdviceOption {  // 2n alignment, length 2
  std::uint16_t refresh_interval = 0;  // 4-second units
  friend bool operator==(const BindingRefreshAdviceOption&,
                         const BindingRefreshAdviceOption&) = default;
};
struct AlternateCareOfAddressOption {  // 8n+6 alignment, length 16
  base::Ip6Addr address;
  friend bool operator==(const AlternateCareOfAddressOption&,
                         const AlternateCareOfAddressOption&) = default;
};
struct NonceIndicesOption {  // 2n alignment, length 4
  std::uint16_t home_nonce_index = 0;
  std::uint16_t care_of_nonce_index = 0;
  friend bool operator==(const NonceIndicesOption&, const NonceIndicesOption&) = default;
};
struct BindingAuthorizationDataOption {  // 8n+2 alignment; must be the last option
  std::vector<std::uint8_t> authenticator;
  friend bool operator==(const BindingAuthorizationDataOption&,
                         const BindingAuthorizationDataOption&) = default;
};
// RFC 5026 8.1 DNS Update option. Status 0 in a BU; the result in a BA.
enum class DnsUpdateStatus : std::uint8_t {
  Performed = 0,
  ReasonUnspecified = 128,
  AdministrativelyProhibited = 129,
  DnsUpdateFailed = 130,
};
MIP6_ENUM_NAMES(DnsUpdateStatus, Performed, ReasonUnspecified, AdministrativelyProhibited,
                DnsUpdateFailed);
// RFC 5026 8.1: values below 128 report success, 128 and above failure, assigned or not.
[[nodiscard]] constexpr bool dns_update_succeeded(std::uint8_t status) {
  return status < 128;
}
struct DnsUpdateOption {
  std::uint8_t status = 0;
  bool remove = false;            // R bit (0x80)
  std::uint8_t reserved = 0;      // low 7 bits, kept for byte-exact round trips
  std::string mn_identity;        // FQDN, ASCII dotted form (project convention, see digest)
  friend bool operator==(const DnsUpdateOption&, const DnsUpdateOption&) = default;
};
struct UnknownMobilityOption {  // skipped by receivers (6.2.1), kept for dissection
  std::uint8_t type = 0;
  std::vector<std::uint8_t> data;
  friend bool operator==(const UnknownMobilityOption&, const UnknownMobilityOption&) = default;
};

using MobilityOption =
    std::variant<Pad1Option, PadNOption, BindingRefreshAdviceOption, AlternateCareOfAddressOption,
                 NonceIndicesOption, BindingAuthorizationDataOption, DnsUpdateOption,
                 UnknownMobilityOption>;

using MobilityOptions = std::vector<MobilityOption>;

// Decodes the options area of an MH message. `mh_offset` is the offset of `bytes` from the
// start of the Mobility Header, needed for the alignment rules (6.2: alignment is relative
// to the start of the MH). Errors carry offsets relative to the start of the MH.
[[nodiscard]] ParseResult<MobilityOptions> decode_mobility_options(
    std::span<const std::uint8_t> bytes, std::size_t mh_offset);

// Writes the options verbatim (no padding is added or removed).
void encode_mobility_options(const MobilityOptions& options, std::vector<std::uint8_t>& out);

// Builder helper: appends `option` to `options`, first inserting the Pad1/PadN needed so the
// option meets its alignment when the options area starts at MH offset `options_start`.
void append_aligned(MobilityOptions& options, std::size_t options_start, MobilityOption option);

// Encoded size of one option (including type and length octets).
[[nodiscard]] std::size_t encoded_size(const MobilityOption& option);

// Finds the first option of type T, ignoring padding and unknown options.
template <typename T>
[[nodiscard]] const T* find_option(const MobilityOptions& options) {
  for (const auto& o : options) {
    if (const auto* p = std::get_if<T>(&o)) {
      return p;
    }
  }
  return nullptr;
}

}  // namespace mip6::wire
