#pragma once
// Shared helpers and vectors for the ike/wire tests. Vectors are annotated hex ('#' starts a
// comment) so each field can be checked against the RFC figure it came from.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/byte_writer.h"
#include "ike/base/hex.h"
#include "ike/wire/parse_error.h"

namespace ike::wire::test {

inline std::vector<std::uint8_t> hex(std::string_view text) {
  auto bytes = base::from_hex(text);
  EXPECT_TRUE(bytes.has_value()) << "bad hex in test vector";
  return bytes.value_or(std::vector<std::uint8_t>{});
}

inline std::vector<std::uint8_t> cat(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> out;
  for (const auto& p : parts) {
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

// QUICHE-style boundary check: every prefix shorter than the input must fail, and the exact
// error depends on where the first missing byte falls. Each Cut covers the prefix lengths
// [previous upto, upto) and names the error expected for them; the last upto must be the
// input size (the whole input itself is expected to decode).
struct Cut {
  std::size_t upto;
  ParseErrc code;
  std::uint32_t offset;
};

template <typename Decode>
void expect_every_prefix(std::span<const std::uint8_t> full, const std::vector<Cut>& cuts,
                         Decode decode) {
  ASSERT_FALSE(cuts.empty());
  ASSERT_EQ(cuts.back().upto, full.size()) << "cuts must cover every prefix";
  std::size_t from = 0;
  for (const Cut& c : cuts) {
    for (std::size_t len = from; len < c.upto; ++len) {
      auto r = decode(full.first(len));
      ASSERT_FALSE(r.has_value()) << "prefix of " << len << " octets decoded";
      EXPECT_EQ(to_string(r.error().code), to_string(c.code)) << "prefix of " << len;
      EXPECT_EQ(r.error().offset, c.offset) << "prefix of " << len;
    }
    from = c.upto;
  }
  EXPECT_TRUE(decode(full).has_value()) << "the whole input must decode";
}

// Byte-exact round trip of a payload body: decode, encode, compare.
template <typename T>
void expect_body_round_trip(std::span<const std::uint8_t> body) {
  auto decoded = T::decode(body);
  ASSERT_TRUE(decoded.has_value()) << to_string(decoded.error().code) << " at "
                                   << decoded.error().offset;
  std::vector<std::uint8_t> out;
  base::ByteWriter w(out);
  ASSERT_TRUE(decoded->encode(w).has_value());
  EXPECT_EQ(base::to_hex(out), base::to_hex(body));
}

// A real IKE_SA_INIT request produced by OpenBSD iked: `valid_packet` from
// openiked-portable regress/parser/test_parser_fuzz.c (placed in the public domain there).
// Transcribed by hand; its KE data was cross-checked against the same file's `ke_pld`.
// SA: one IKE proposal with INTEG SHA2-256-128, ENCR AES-CBC-192, DH 14, PRF SHA2-256,
// PRF SHA1, PRF HMAC-MD5 (6 transforms); KE group 14 (256 octets); Ni 32 octets; NAT-D x2.
inline constexpr std::string_view kIkedSaInitRequestHex = R"(
deadbeefcafe00010000000000000000  # header: SPIi | SPIr (0)
2120220800000000000001c0  # next SA, 2.0, IKE_SA_INIT, I, MID 0, length 448
# SA
22000040  # generic header
  0000003c01010006030000080300000c0300000c0100000c800e00c003000008
  0400000e030000080200000503000008020000020000000802000001
# KE group 14
28000108  # generic header
  000e000016cb68af63feb058490e7f85605380ae3f82f33521d5ae091cfa68c2
  fb4bb384daaf6ee25ec5b68c353cec587fa9f8a424f3f8f465598c154d2cf15d
  eb5768fe75615a8096a40aad7571d8e006bcde166d1ed95d2c00664382e46f5f
  95e79bfdf2e2cbc5f152dd3bed88d4a9134e42e8602d3cf6c8f07042fa337f28
  df6b792c798fc05d817a62dbd4443a3c21bf85c80b8c7772e9fb505c03a6b23f
  174ad1b30130ade4fae2ba6f2283f4de3843e82700b895be038fcdd372eda5ed
  8df46898ef59ccfb5489dea9d488cdb9ca09d3d525b18c58129c69037200c9ca
  958ace0dd2c825e77ced5eee3501fc0056edf38d816c3e866a40acc79c7abf9f
  8e1fd860
# Ni
29000024  # generic header
  5f6142727db2a8c1feb1382eb875a7c11d8aa7b79b92e20e3a1820b616f33567
# N(NAT_DETECTION_SOURCE_IP)
2900001c  # generic header
  00004004c7a06868090a7f120b13d32fde648bf1c33c798f
# N(NAT_DETECTION_DESTINATION_IP)
0000001c  # generic header
  000040059fbc8cd0915ea08781ab4fa18aa7a8f9ebdf9f2c
)";

// IKE_SA_INIT request from our MN, hand-assembled from RFC 7296 3.1-3.10 and RFC 5685 9.1
// layouts (R7296-05: SPIr 0; I flag; MID 0).
inline constexpr std::string_view kSaInitRequestHex = R"(
deadbeefcafe00010000000000000000  # header: SPIi | SPIr
21202208000000000000012a  # next 33, 2.0, exchange 34, flags 0x08, MID 0, length 298
# SA (P1 AES-CBC-128/PRF-SHA2-256/SHA2-256-128/ECP-256, P2 AES-GCM-16-256/PRF-SHA2-256/ECP-256)
22000054  # generic header: next 34, length 84
  0200002c010100040300000c0100000c800e0080030000080200000503000008
  0300000c000000080400001300000024020100030300000c01000014800e0100
  03000008020000050000000804000013
# KE group 19, 64 octets
28000048  # generic header: next 40, length 72
  001300000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c
  1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c
  3d3e3f40
# Ni, 32 octets
29000024  # generic header: next 41, length 36
  a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf
# N(NAT_DETECTION_SOURCE_IP)
2900001c  # generic header: next 41, length 28
  00004004101112131415161718191a1b1c1d1e1f20212223
# N(NAT_DETECTION_DESTINATION_IP)
2900001c  # generic header: next 41, length 28
  00004005303132333435363738393a3b3c3d3e3f40414243
# N(REDIRECT_SUPPORTED)
29000008  # generic header: next 41, length 8
  00004016
# N(SIGNATURE_HASH_ALGORITHMS 2,3,4)
0000000e  # generic header: next 0, length 14
  0000402f000200030004
)";

// IKE_SA_INIT response from our HA, hand-assembled (RFC 7296 1.2 order: SA, KE, Nr, NAT-D,
// CERTREQ, other notifies). R flag set, I clear.
inline constexpr std::string_view kSaInitResponseHex = R"(
deadbeefcafe00011122334455667788  # header: SPIi | SPIr
21202220000000000000010b  # next 33, 2.0, exchange 34, flags 0x20, MID 0, length 267
# SA (chosen proposal 2)
22000028  # generic header: next 34, length 40
  00000024020100030300000c01000014800e0100030000080200000500000008
  04000013
# KE group 19
28000048  # generic header: next 40, length 72
  001300008182838485868788898a8b8c8d8e8f909192939495969798999a9b9c
  9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbc
  bdbebfc0
# Nr, 32 octets
29000024  # generic header: next 41, length 36
  404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f
# N(NAT_DETECTION_SOURCE_IP)
2900001c  # generic header: next 41, length 28
  00004004303132333435363738393a3b3c3d3e3f40414243
# N(NAT_DETECTION_DESTINATION_IP)
2600001c  # generic header: next 38, length 28
  00004005101112131415161718191a1b1c1d1e1f20212223
# CERTREQ X.509, one SHA-1 CA hash
29000019  # generic header: next 41, length 25
  04c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3
# N(SIGNATURE_HASH_ALGORITHMS 2)
0000000a  # generic header: next 0, length 10
  0000402f0002
)";

// IKE_SA_INIT response redirecting to 2001:db8::1 (RFC 5685 3, 9.2): only a REDIRECT
// notify carrying a copy of Ni, SPIr 0 (R5685-04).
inline constexpr std::string_view kRedirectResponseHex = R"(
deadbeefcafe00010000000000000000  # header: SPIi | SPIr
292022200000000000000056  # next 41, 2.0, exchange 34, flags 0x20, MID 0, length 86
# N(REDIRECT, GW IPv6 2001:db8::1, Ni copy)
0000003a  # generic header: next 0, length 58
  00004017021020010db8000000000000000000000001a0a1a2a3a4a5a6a7a8a9
  aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf
)";

// IKE_SA_INIT response asking for a cookie (RFC 7296 2.6): HDR(A,0), N(COOKIE).
inline constexpr std::string_view kCookieResponseHex = R"(
deadbeefcafe00010000000000000000  # header: SPIi | SPIr
292022200000000000000034  # next 41, 2.0, exchange 34, flags 0x20, MID 0, length 52
# N(COOKIE, 16 octets)
00000018  # generic header: next 0, length 24
  00004006eeeff0f1f2f3f4f5f6f7f8f9fafbfcfd
)";

// IKE_AUTH request: HDR, SK{IDi, ...}. The SK body is opaque filler (IV 8 | ciphertext 80 |
// ICV 16, AES-GCM-16 sizes); the generic header carries the inner first type IDi (35).
inline constexpr std::string_view kIkeAuthRequestHex = R"(
deadbeefcafe00011122334455667788  # header: SPIi | SPIr
2e2023080000000100000088  # next 46, 2.0, exchange 35, flags 0x08, MID 1, length 136
# SK: 8-octet IV | 80-octet ciphertext | 16-octet ICV (opaque)
2300006c  # generic header: next 35, length 108
  5051525354555657606162636465666768696a6b6c6d6e6f7071727374757677
  78797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f9091929394959697
  98999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf7071727374757677
  78797a7b7c7d7e7f
)";

// Decrypted contents of an IKE_AUTH request (padding removed), first payload IDi:
// RFC 7296 1.2 with RFC 4877 7.2.1 MH selectors and the RFC 5026 CP request.
inline constexpr std::string_view kIkeAuthRequestInnerHex = R"(
# IDi ID_RFC822_ADDR "mn1@example.com"
27000017  # generic header: next 39, length 23
  030000006d6e31406578616d706c652e636f6d
# AUTH shared key MIC, 32 octets
2f000028  # generic header: next 47, length 40
  02000000909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaab
  acadaeaf
# CP(CFG_REQUEST){INTERNAL_IP6_ADDRESS, INTERNAL_IP6_DNS, MIP6_HOME_PREFIX} all empty
29000014  # generic header: next 41, length 20
  0100000000080000000a000000100000
# N(USE_TRANSPORT_MODE)
21000008  # generic header: next 33, length 8
  00004007
# SA ESP SPI c0ffee01, AES-GCM-16-256, no ESN
2c000024  # generic header: next 44, length 36
  0000002001030402c0ffee010300000c01000014800e01000000000805000000
# TSi MH (135) type BU 0x0500, HoA 2001:db8:0:1::abcd
2d000030  # generic header: next 45, length 48
  01000000088700280500050020010db800000001000000000000abcd20010db8
  00000001000000000000abcd
# TSr MH (135) type BA 0x0600, HA 2001:db8::1
00000030  # generic header: next 0, length 48
  01000000088700280600060020010db800000000000000000000000120010db8
  000000000000000000000001
)";

// Decrypted contents of the IKE_AUTH response, first payload IDr.
inline constexpr std::string_view kIkeAuthResponseInnerHex = R"(
# IDr ID_FQDN "ha.example.com"
27000016  # generic header: next 39, length 22
  0200000068612e6578616d706c652e636f6d
# AUTH shared key MIC, 32 octets
2f000028  # generic header: next 47, length 40
  02000000a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4
  c5c6c7c8
# CP(CFG_REPLY){INTERNAL_IP6_ADDRESS HoA/64, MIP6_HOME_PREFIX 3600 s 2001:db8:0:1::/64}
29000036  # generic header: next 41, length 54
  020000000008001120010db800000001000000000000abcd400010001500000e
  1020010db800000001000000000000000040
# N(USE_TRANSPORT_MODE)
21000008  # generic header: next 33, length 8
  00004007
# SA ESP SPI 0badf00d
2c000024  # generic header: next 44, length 36
  00000020010304020badf00d0300000c01000014800e01000000000805000000
# TSi
2d000030  # generic header: next 45, length 48
  01000000088700280500050020010db800000001000000000000abcd20010db8
  00000001000000000000abcd
# TSr
00000030  # generic header: next 0, length 48
  01000000088700280600060020010db800000000000000000000000120010db8
  000000000000000000000001
)";

}  // namespace ike::wire::test
