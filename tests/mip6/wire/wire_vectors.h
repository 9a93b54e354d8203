#pragma once
// The vectors of tests/vectors/*.hex, embedded so the test binary needs no data path. The
// files stay the reference (and fuzz seeds); VectorFiles.MatchEmbedded keeps both in sync.
// base::from_hex skips the "#" annotations.
#include <array>
#include <string_view>

namespace mip6::wire::test {

inline constexpr std::string_view kIcmpv6DhaadReply = R"hex(
# RFC 6275 6.6 DHAAD Reply (type 145) with two addresses, hand-assembled. Checksum: source
# 2001:db8:1::1, destination 2001:db8:2::200.
# Offsets are from the start of this vector.
91 00 a3 7b                                      #   0 type 145, code 0, checksum
12 34 00 00                                      #   4 Identifier 0x1234, Reserved
20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 01  #   8 2001:db8:1::1
20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 02  #  24 2001:db8:1::2
)hex";

inline constexpr std::string_view kIcmpv6DhaadRequest = R"hex(
# RFC 6275 6.5 DHAAD Request (type 144), hand-assembled. Checksum: source 2001:db8:2::200,
# destination 2001:db8:1::fdff:ffff:ffff:fffe.
# Offsets are from the start of this vector.
90 00 02 15                                      #   0 type 144, code 0, checksum
12 34 00 00                                      #   4 Identifier 0x1234, Reserved
)hex";

inline constexpr std::string_view kIcmpv6MobilePrefixAdvertisement = R"hex(
# RFC 6275 6.8 Mobile Prefix Advertisement (type 147) with one PIO, hand-assembled. Checksum:
# source 2001:db8:1::1, destination 2001:db8:2::200.
# Offsets are from the start of this vector.
93 00 50 c5                                      #   0 type 147, code 0, checksum
43 21 80 00                                      #   4 Identifier 0x4321, flags M, Reserved
03 04 40 c0 00 01 51 80 00 00 38 40 00 00 00 00  #   8 PIO 3/4 /64 L|A, valid 86400, pref 14400
20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 00  #  24 2001:db8:1::
)hex";

inline constexpr std::string_view kIcmpv6MobilePrefixSolicitation = R"hex(
# RFC 6275 6.7 Mobile Prefix Solicitation (type 146), hand-assembled. Checksum: source
# 2001:db8:2::200, destination 2001:db8:1::1.
# Offsets are from the start of this vector.
92 00 cd 25                                      #   0 type 146, code 0, checksum
43 21 00 00                                      #   4 Identifier 0x4321, Reserved
)hex";

inline constexpr std::string_view kIcmpv6RouterAdvertisement = R"hex(
# RFC 4861 4.2 Router Advertisement with the RFC 6275 7.1 H flag and options SLLA, PIO (R bit,
# 7.2), MTU, Advertisement Interval (7.3), Home Agent Information (7.4) and an unknown option 42,
# hand-assembled. Checksum: source fe80::1, destination ff02::1.
# Offsets are from the start of this vector.
86 00 7b a8                                      #   0 type 134, code 0, checksum
40 20 07 08                                      #   4 hop limit 64, flags H, lifetime 1800
00 00 00 00 00 00 00 00                          #   8 Reachable Time 0, Retrans Timer 0
01 01 02 00 5e 00 00 01                          #  16 SLLA 1/1 02:00:5e:00:00:01
03 04 40 e0 00 01 51 80 00 00 38 40 00 00 00 00  #  24 PIO 3/4 /64 L|A|R, valid 86400, pref 14400
20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 01  #  40 2001:db8:1::1 (router address)
05 01 00 00 00 00 05 dc                          #  56 MTU 5/1 1500
07 01 00 00 00 00 0b b8                          #  64 Advertisement Interval 7/1 3000 ms
08 01 00 00 00 0a 07 08                          #  72 HA Info 8/1 preference 10, lifetime 1800
2a 01 00 01 02 03 04 05                          #  80 unknown option 42/1
)hex";

inline constexpr std::string_view kIpv6BaWithRh2 = R"hex(
# IPv6 packet: BA from HA 2001:db8:1::1 to CoA 2001:db8:2::200 with a type 2 routing header (RFC
# 6275 6.4), hand-assembled.
# Offsets are from the start of this vector.
60 00 00 00 00 28 2b 40                          #   0 IPv6: plen 40, next header 43, hops 64
20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 01  #   8 source HA
20 01 0d b8 00 02 00 00 00 00 00 00 00 00 02 00  #  24 destination CoA
87 02 02 01 00 00 00 00                          #  40 RH: NH 135, len 2, type 2, SL 1, Reserved
20 01 0d b8 00 01 00 00 00 00 00 00 00 00 01 00  #  48 Home Address 2001:db8:1::100
3b 01 06 00 5e 65 00 80 00 2a 00 96 02 02 00 4b  #  64 MH: mh_binding_ack_bra
)hex";

inline constexpr std::string_view kIpv6BuWithHao = R"hex(
# IPv6 packet: BU from CoA 2001:db8:2::200 to HA 2001:db8:1::1 with a Home Address option (RFC
# 6275 6.3), hand-assembled.
# Offsets are from the start of this vector.
60 00 00 00 00 38 3c 40                          #   0 IPv6: plen 56, next header 60, hops 64
20 01 0d b8 00 02 00 00 00 00 00 00 00 00 02 00  #   8 source CoA
20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 01  #  24 destination HA
87 02 01 02 00 00                                #  40 DestOpts: NH 135, len 2, PadN length 2
c9 10                                            #  46 HAO 201/16 (offset 6 = 8n+6)
20 01 0d b8 00 01 00 00 00 00 00 00 00 00 01 00  #  48 Home Address 2001:db8:1::100
3b 03 05 00 6e 54 00 2a c0 00 00 96 01 00 03 10  #  64 MH: mh_binding_update_home_reg
20 01 0d b8 00 02 00 00 00 00 00 00 00 00 02 00  #  80
)hex";

inline constexpr std::string_view kMhBindingAckBra = R"hex(
# RFC 6275 6.1.8 layout (BA, MH type 6) with Binding Refresh Advice (6.2.4, 2n), hand-assembled.
# Checksum: source HA 2001:db8:1::1, destination HoA 2001:db8:1::100 (final destination via RH2).
# Offsets are from the start of this vector.
3b                                               #   0 Payload Proto 59
01                                               #   1 Header Len
06                                               #   2 MH Type
00                                               #   3 Reserved
5e 65                                            #   4 Checksum
00                                               #   6 Status 0
80                                               #   7 flags K
00 2a                                            #   8 Sequence 42
00 96                                            #  10 Lifetime 150
02 02 00 4b                                      #  12 BRA 2/2, Refresh Interval 75
)hex";

inline constexpr std::string_view kMhBindingAckDns = R"hex(
# RFC 6275 6.1.8 BA + RFC 5026 8.1 DNS Update option (status 130), hand-assembled. Checksum:
# source HA 2001:db8:1::1, destination HoA 2001:db8:1::100.
# Offsets are from the start of this vector.
3b                                               #   0 Payload Proto 59
03                                               #   1 Header Len
06                                               #   2 MH Type
00                                               #   3 Reserved
c2 80                                            #   4 Checksum
00                                               #   6 Status 0
00                                               #   7 flags
00 2b                                            #   8 Sequence 43
00 96                                            #  10 Lifetime 150
11 11 82 00                                      #  12 DNS Update 17/17, status 130, R=0
6d 6e 31 2e 65 78 61 6d 70 6c 65 2e 63 6f 6d     #  16 "mn1.example.com"
00                                               #  31 Pad1
)hex";

inline constexpr std::string_view kMhBindingError = R"hex(
# RFC 6275 6.1.9 layout (BE, MH type 7, status 2), hand-assembled. Checksum: source 2001:db8:1::1,
# destination 2001:db8:2::200.
# Offsets are from the start of this vector.
3b                                               #   0 Payload Proto 59
02                                               #   1 Header Len
07                                               #   2 MH Type
00                                               #   3 Reserved
2f 2e                                            #   4 Checksum
02                                               #   6 Status 2 (unrecognized MH type)
00                                               #   7 Reserved
20 01 0d b8 00 01 00 00 00 00 00 00 00 00 01 00  #   8 Home Address 2001:db8:1::100
)hex";

inline constexpr std::string_view kMhBindingRefreshRequest = R"hex(
# RFC 6275 6.1.2 layout (BRR, MH type 0), hand-assembled. Checksum: source 2001:db8:1::1,
# destination 2001:db8:1::100.
# Offsets are from the start of this vector.
3b                                               #   0 Payload Proto 59
00                                               #   1 Header Len
00                                               #   2 MH Type
00                                               #   3 Reserved
67 fb                                            #   4 Checksum
00 00                                            #   6 Reserved
)hex";

inline constexpr std::string_view kMhBindingUpdateDns = R"hex(
# RFC 6275 6.1.7 BU + RFC 5026 8.1 DNS Update option (type 17), hand-assembled. Checksum: source
# HoA 2001:db8:1::100, destination HA 2001:db8:1::1.
# Offsets are from the start of this vector.
3b                                               #   0 Payload Proto 59
06                                               #   1 Header Len
05                                               #   2 MH Type
00                                               #   3 Reserved
3e 99                                            #   4 Checksum
00 2b                                            #   6 Sequence 43
d0                                               #   8 flags A|H|K
00                                               #   9 Reserved
00 96                                            #  10 Lifetime 150
01 00                                            #  12 PadN 0
03 10                                            #  14 Alternate CoA 3/16
20 01 0d b8 00 02 00 00 00 00 00 00 00 00 02 00  #  16 2001:db8:2::200
11 11 00 00                                      #  32 DNS Update 17/17, status 0, R=0
6d 6e 31 2e 65 78 61 6d 70 6c 65 2e 63 6f 6d     #  36 "mn1.example.com"
01 03 00 00 00                                   #  51 PadN, length 3 (pads to 56)
)hex";

inline constexpr std::string_view kMhBindingUpdateHomeReg = R"hex(
# RFC 6275 6.1.7 layout (BU, MH type 5) with PadN + Alternate CoA (6.2.5, 8n+6), hand-assembled.
# Checksum per 6.1.1 with source = HoA 2001:db8:1::100 (from the HAO), destination = HA
# 2001:db8:1::1.
# Offsets are from the start of this vector.
3b                                               #   0 Payload Proto 59
03                                               #   1 Header Len
05                                               #   2 MH Type
00                                               #   3 Reserved
6e 54                                            #   4 Checksum
00 2a                                            #   6 Sequence 42
c0                                               #   8 flags A|H
00                                               #   9 Reserved
00 96                                            #  10 Lifetime 150 (x4 s)
01 00                                            #  12 PadN, length 0 (offset 12)
03 10                                            #  14 Alternate CoA 3/16 (offset 14 = 8n+6)
20 01 0d b8 00 02 00 00 00 00 00 00 00 00 02 00  #  16 2001:db8:2::200
)hex";

inline constexpr std::string_view kMhBindingUpdateNonceBad = R"hex(
# RFC 6275 6.1.7 BU to a CN with Nonce Indices (6.2.6, 2n) and Binding Authorization Data (6.2.7,
# 8n+2, last), hand-assembled.
# Offsets are from the start of this vector.
3b                                               #   0 Payload Proto 59
03                                               #   1 Header Len
05                                               #   2 MH Type
00                                               #   3 Reserved
77 af                                            #   4 Checksum
00 2c                                            #   6 Sequence 44
00                                               #   8 flags
00                                               #   9 Reserved
00 0a                                            #  10 Lifetime 10
04 04 00 01 00 02                                #  12 Nonce Indices 4/4: home 1, care-of 2
05 0c                                            #  18 BAD 5/12 (offset 18 = 8n+2)
a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab              #  20 Authenticator
)hex";

inline constexpr std::string_view kMhCareOfTest = R"hex(
# RFC 6275 6.1.6 layout (CoT, MH type 4), hand-assembled.
# Offsets are from the start of this vector.
3b                                               #   0 Payload Proto 59
02                                               #   1 Header Len
04                                               #   2 MH Type
00                                               #   3 Reserved
02 78                                            #   4 Checksum
00 08                                            #   6 Care-of Nonce Index 8
01 02 03 04 05 06 07 08                          #   8 Care-of Init Cookie
11 12 13 14 15 16 17 18                          #  16 Care-of Keygen Token
)hex";

inline constexpr std::string_view kMhCareOfTestInit = R"hex(
# RFC 6275 6.1.4 layout (CoTI, MH type 2), hand-assembled.
# Offsets are from the start of this vector.
3b                                               #   0 Payload Proto 59
01                                               #   1 Header Len
02                                               #   2 MH Type
00                                               #   3 Reserved
54 dd                                            #   4 Checksum
00 00                                            #   6 Reserved
01 02 03 04 05 06 07 08                          #   8 Care-of Init Cookie
)hex";

inline constexpr std::string_view kMhHomeAgentSwitch = R"hex(
# RFC 5142 4 layout (Home Agent Switch, MH type 12), two addresses + BRA, hand-assembled.
# Checksum: source 2001:db8:1::1, destination 2001:db8:1::100.
# Offsets are from the start of this vector.
3b                                               #   0 Payload Proto 59
05                                               #   1 Header Len
0c                                               #   2 MH Type
00                                               #   3 Reserved
fb 41                                            #   4 Checksum
02                                               #   6 # of Addresses 2
00                                               #   7 Reserved
20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 02  #   8 2001:db8:1::2
20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 03  #  24 2001:db8:1::3
02 02 00 0f                                      #  40 BRA 2/2, Refresh Interval 15
01 02 00 00                                      #  44 PadN, length 2
)hex";

inline constexpr std::string_view kMhHomeAgentSwitchEmpty = R"hex(
# RFC 5142 4 layout, no addresses, no options: Header Len 0 (R5142-05), hand-assembled.
# Offsets are from the start of this vector.
3b                                               #   0 Payload Proto 59
00                                               #   1 Header Len
0c                                               #   2 MH Type
00                                               #   3 Reserved
5b fb                                            #   4 Checksum
00                                               #   6 # of Addresses 0
00                                               #   7 Reserved
)hex";

inline constexpr std::string_view kMhHomeTest = R"hex(
# RFC 6275 6.1.5 layout (HoT, MH type 3), hand-assembled.
# Offsets are from the start of this vector.
3b                                               #   0 Payload Proto 59
02                                               #   1 Header Len
03                                               #   2 MH Type
00                                               #   3 Reserved
04 7a                                            #   4 Checksum
00 07                                            #   6 Home Nonce Index 7
01 02 03 04 05 06 07 08                          #   8 Home Init Cookie
11 12 13 14 15 16 17 18                          #  16 Home Keygen Token
)hex";

inline constexpr std::string_view kMhHomeTestInit = R"hex(
# RFC 6275 6.1.3 layout (HoTI, MH type 1), hand-assembled.
# Offsets are from the start of this vector.
3b                                               #   0 Payload Proto 59
01                                               #   1 Header Len
01                                               #   2 MH Type
00                                               #   3 Reserved
56 de                                            #   4 Checksum
00 00                                            #   6 Reserved
01 02 03 04 05 06 07 08                          #   8 Home Init Cookie
)hex";

struct NamedVector {
  std::string_view file;  // tests/vectors/<file>.hex
  std::string_view hex;
};
inline constexpr std::array<NamedVector, 20> kAllVectors = {{
    {"icmpv6_dhaad_reply", kIcmpv6DhaadReply},
    {"icmpv6_dhaad_request", kIcmpv6DhaadRequest},
    {"icmpv6_mobile_prefix_advertisement", kIcmpv6MobilePrefixAdvertisement},
    {"icmpv6_mobile_prefix_solicitation", kIcmpv6MobilePrefixSolicitation},
    {"icmpv6_router_advertisement", kIcmpv6RouterAdvertisement},
    {"ipv6_ba_with_rh2", kIpv6BaWithRh2},
    {"ipv6_bu_with_hao", kIpv6BuWithHao},
    {"mh_binding_ack_bra", kMhBindingAckBra},
    {"mh_binding_ack_dns", kMhBindingAckDns},
    {"mh_binding_error", kMhBindingError},
    {"mh_binding_refresh_request", kMhBindingRefreshRequest},
    {"mh_binding_update_dns", kMhBindingUpdateDns},
    {"mh_binding_update_home_reg", kMhBindingUpdateHomeReg},
    {"mh_binding_update_nonce_bad", kMhBindingUpdateNonceBad},
    {"mh_care_of_test", kMhCareOfTest},
    {"mh_care_of_test_init", kMhCareOfTestInit},
    {"mh_home_agent_switch", kMhHomeAgentSwitch},
    {"mh_home_agent_switch_empty", kMhHomeAgentSwitchEmpty},
    {"mh_home_test", kMhHomeTest},
    {"mh_home_test_init", kMhHomeTestInit},
}};

}  // namespace mip6::wire::test
