// mip6-dissect opening SK payloads (RFC 7296 3.14, RFC 5282) with keys from a Wireshark IKEv2
// decryption table: a capture of two of our engines (IKE_SA_INIT + IKE_AUTH, deterministic
// RNG/DH, tests/tools/ike_capture.h) is written to a pcap, its keys by ike::io::IkeKeylog (the
// writer mip6-ike --ike-keylog uses), and `mip6-dissect --pcap --ike-keys` must show the
// IKE_AUTH contents (IDi, AUTH, SA, TSi/TSr, CP) for AES-GCM-16 and AES-CBC + HMAC-SHA2, report
// a tampered message as an integrity error and unknown SPIs as a note, never crash.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "ike/base/hex.h"
#include "ike/crypto/ikev2_decryption_table.h"
#include "ike/io/ike_keylog.h"
#include "tests/tools/ike_capture.h"
#include "tools/mip6-dissect/dissect.h"
#include "tools/mip6-dissect/dissect_cli.h"
#include "tools/mip6-dissect/dissect_ike_keys.h"
#include "tools/mip6-dissect/pcap_io.h"
#include "tests/support/scratch_dir.h"

namespace mip6::dissect {
namespace {

using nlohmann::json;
using namespace mip6::test_ike;  // NOLINT(google-build-using-namespace): test vocabulary

const json& payload_named(const json& payloads, const std::string& name) {
  static const json kNone;
  for (const auto& p : payloads) {
    if (p["name"] == name) {
      return p;
    }
  }
  return kNone;
}

std::vector<int> types_in(const json& payloads) {
  std::vector<int> out;
  for (const auto& p : payloads) {
    out.push_back(p["type"].get<int>());
  }
  return out;
}

IkeKeyTable table_of(const std::vector<CapturedKeys>& keys) {
  IkeKeyTable t;
  for (const auto& k : keys) {
    auto line = ike::crypto::format_ikev2_decryption_line(k.spi_i.value(), k.spi_r.value(),
                                                          k.transforms, k.keys);
    EXPECT_TRUE(line.has_value());
    auto entry = ike::crypto::parse_ikev2_decryption_line(*line);
    EXPECT_TRUE(entry.has_value() && entry->has_value());
    t.add(std::move(**entry));
  }
  return t;
}

class DissectIkeSk : public ::testing::Test {
 protected:
  void SetUp() override {
    packets_ = full_capture(keys_);
    ASSERT_EQ(packets_.size(), 12u);
    ASSERT_EQ(keys_.size(), 3u);
    table_ = table_of(keys_);
  }
  std::vector<CapturedPacket> packets_;
  std::vector<CapturedKeys> keys_;
  IkeKeyTable table_;
};

// covers: R7296-34 (SK framing: IV | ciphertext | padding | Pad Length | ICV, the ICV over
// header through ciphertext), R7296-45 (IKE_AUTH carries IDi, AUTH, SA, TSi, TSr)
TEST_F(DissectIkeSk, R7296_34_GcmIkeAuthRequestShowsIdiAuthSaTsCp) {
  const CapturedPacket& req = packets_[2];
  ASSERT_EQ(req.decrypt, "ok");
  const json j = dissect(req.packet, InputKind::Auto, std::nullopt, &table_);
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_FALSE(j.contains("note"));
  EXPECT_EQ(j["ikev2"]["header"]["exchange_name"], "ike_auth");
  const json& sk = payload_named(j["ikev2"]["payloads"], "encrypted");
  ASSERT_TRUE(sk.is_object()) << j.dump();
  const json& enc = sk["encrypted"];
  EXPECT_EQ(enc["decrypted"], true);
  EXPECT_EQ(enc["decrypt_status"], "ok");
  EXPECT_EQ(enc["keys_used"], "SK_ei/SK_ai");
  EXPECT_EQ(enc["encr"], "aes_gcm16");
  EXPECT_EQ(enc["key_bits"], 256);
  EXPECT_EQ(enc["iv"].get<std::string>().size(), 16u);   // 8-octet explicit IV (RFC 5282 3.1)
  EXPECT_EQ(enc["icv"].get<std::string>().size(), 32u);  // 16-octet ICV
  const json& inner = enc["payloads"];
  EXPECT_EQ(types_in(inner), req.inner_types);
  EXPECT_EQ(inner[0]["name"], enc["inner_first"]);

  const json& idi = payload_named(inner, "id_initiator");
  EXPECT_EQ(idi["id_type_name"], "fqdn");
  EXPECT_EQ(idi["value"], "mn1.example.org");
  const json& idr = payload_named(inner, "id_responder");
  EXPECT_EQ(idr["value"], "ha.example.org");  // the identity the initiator asks for
  const json& auth = payload_named(inner, "authentication");
  EXPECT_EQ(auth["auth_method"], 2);   // Shared Key Message Integrity Code
  EXPECT_EQ(auth["data_length"], 32);  // prf HMAC-SHA2-256 output
  const json& sa = payload_named(inner, "security_association");
  ASSERT_EQ(sa["proposals"].size(), 1u);
  EXPECT_EQ(sa["proposals"][0]["protocol_name"], "esp");
  const json& tsi = payload_named(inner, "ts_initiator");
  ASSERT_EQ(tsi["selectors"].size(), 1u);
  EXPECT_EQ(tsi["selectors"][0]["start_address"], "::");
  EXPECT_TRUE(payload_named(inner, "ts_responder").is_object());
  const json& cp = payload_named(inner, "configuration");
  EXPECT_EQ(cp["cfg_type_name"], "request");
  bool asks_address = false;
  for (const auto& a : cp["attributes"]) {
    asks_address = asks_address || a["name"] == "internal_ip6_address";
  }
  EXPECT_TRUE(asks_address);
  // Offsets point into the ciphertext of this packet; the first inner payload right after
  // the IV (IPv6 40 + UDP 8 + SK's own offset + 4 + IV 8).
  EXPECT_EQ(inner[0]["offset"], 48 + sk["layer_offset"].get<int>() + 4 + 8);
  EXPECT_EQ(inner[0]["layer_offset"], 0);
}

// The response: the CP reply with the assigned address, IDr, AUTH, and the direction's keys.
TEST_F(DissectIkeSk, GcmIkeAuthResponseShowsAssignedAddress) {
  const CapturedPacket& resp = packets_[3];
  const json j = dissect(resp.packet, InputKind::Auto, std::nullopt, &table_);
  ASSERT_FALSE(is_error(j)) << j.dump();
  const json& enc = payload_named(j["ikev2"]["payloads"], "encrypted")["encrypted"];
  EXPECT_EQ(enc["keys_used"], "SK_er/SK_ar");
  EXPECT_EQ(types_in(enc["payloads"]), resp.inner_types);
  const json& cp = payload_named(enc["payloads"], "configuration");
  EXPECT_EQ(cp["cfg_type_name"], "reply");
  std::string address;
  for (const auto& a : cp["attributes"]) {
    if (a.contains("internal_ip6_address") && a["internal_ip6_address"].is_object()) {
      address = a["internal_ip6_address"]["address"];
    }
  }
  EXPECT_EQ(address, "2001:db8:1::1");
  EXPECT_EQ(payload_named(enc["payloads"], "id_responder")["value"], "ha.example.org");
}

// AES-GCM-16 with 128-bit keys over UDP 4500 (non-ESP marker before the IKE header).
TEST_F(DissectIkeSk, Gcm128OverPort4500Decrypts) {
  const CapturedPacket& req = packets_[6];
  const json j = dissect(req.packet, InputKind::Auto, std::nullopt, &table_);
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["udp4500"]["non_esp_marker"], true);
  const json& enc = payload_named(j["ikev2"]["payloads"], "encrypted")["encrypted"];
  EXPECT_EQ(enc["key_bits"], 128);
  EXPECT_EQ(types_in(enc["payloads"]), req.inner_types);
}

// covers: R7296-34 (AES-CBC: 16-octet IV, HMAC-SHA2-256-128 ICV checked before decrypting)
TEST_F(DissectIkeSk, R7296_34_CbcHmacSha256IkeAuthDecrypts) {
  for (std::size_t i : {8u, 9u}) {
    const CapturedPacket& p = packets_[i];
    const json j = dissect(p.packet, InputKind::Auto, std::nullopt, &table_);
    ASSERT_FALSE(is_error(j)) << p.name << " " << j.dump();
    const json& enc = payload_named(j["ikev2"]["payloads"], "encrypted")["encrypted"];
    EXPECT_EQ(enc["encr"], "aes_cbc") << p.name;
    EXPECT_EQ(enc["integ"], "hmac_sha2_256_128") << p.name;
    EXPECT_EQ(enc["iv"].get<std::string>().size(), 32u);
    EXPECT_EQ(enc["icv"].get<std::string>().size(), 32u);
    EXPECT_EQ(types_in(enc["payloads"]), p.inner_types) << p.name;
    EXPECT_FALSE(p.inner_types.empty());
  }
}

// covers: R7296-34 (the ICV covers the header through the ciphertext: one flipped octet fails
// it, and nothing inside an unverified SK is shown)
TEST_F(DissectIkeSk, R7296_34_TamperedCiphertextIsAnIntegrityErrorNotACrash) {
  const CapturedPacket& bad = packets_[10];
  ASSERT_EQ(bad.decrypt, "integrity");
  const json j = dissect(bad.packet, InputKind::Auto, std::nullopt, &table_);
  ASSERT_TRUE(is_error(j));
  EXPECT_EQ(j["error"], "sk_integrity_check_failed");
  EXPECT_EQ(j["layer"], "ikev2_sk");
  const json& enc = payload_named(j["ikev2"]["payloads"], "encrypted")["encrypted"];
  EXPECT_EQ(enc["decrypted"], false);
  EXPECT_EQ(enc["decrypt_status"], "integrity_check_failed");
  EXPECT_FALSE(enc.contains("payloads"));
  // The same bytes with the direction's wrong keys (I flag cleared) fail the same way.
  Bytes flipped = bad.ike;
  flipped[19] &= static_cast<std::uint8_t>(~0x08);
  EXPECT_EQ(dissect_ikev2(flipped, 0, &table_)["error"], "sk_integrity_check_failed");
}

TEST_F(DissectIkeSk, UnknownSpisGiveANoteNotAnError) {
  const CapturedPacket& p = packets_[11];
  const json j = dissect(p.packet, InputKind::Auto, std::nullopt, &table_);
  EXPECT_FALSE(is_error(j)) << j.dump();
  EXPECT_THAT(j["note"].get<std::string>(), ::testing::HasSubstr("no IKE SA keys for SPIs"));
  const json& enc = payload_named(j["ikev2"]["payloads"], "encrypted")["encrypted"];
  EXPECT_EQ(enc["decrypt_status"], "no_key");
  EXPECT_EQ(enc["decrypted"], false);
}

// Without a key table nothing changes: SK stays opaque and there is no note.
TEST_F(DissectIkeSk, WithoutKeysSkStaysOpaque) {
  const json j = dissect(packets_[2].packet, InputKind::Auto);
  ASSERT_FALSE(is_error(j));
  EXPECT_FALSE(j.contains("note"));
  const json& enc = payload_named(j["ikev2"]["payloads"], "encrypted")["encrypted"];
  EXPECT_EQ(enc["decrypted"], false);
  EXPECT_FALSE(enc.contains("decrypt_status"));
}

// Every truncation of an SK message, and every single-octet corruption of the SK part,
// must give a result (error or not), never a crash; corruptions inside the protected range
// must never decrypt.
TEST_F(DissectIkeSk, TruncatedAndCorruptedSkMessagesNeverCrash) {
  for (const std::size_t i : {2u, 3u, 8u}) {
    const Bytes& ike = packets_[i].ike;
    for (std::size_t n = 0; n < ike.size(); ++n) {
      const json j = dissect_ikev2(std::span<const std::uint8_t>(ike.data(), n), 0, &table_);
      EXPECT_TRUE(is_error(j)) << packets_[i].name << " cut at " << n;
    }
    for (std::size_t at = 28; at < ike.size(); ++at) {
      Bytes bad = ike;
      bad[at] ^= 0x80;
      const json j = dissect_ikev2(bad, 0, &table_);
      EXPECT_TRUE(is_error(j)) << packets_[i].name << " flipped at " << at << ": " << j.dump();
    }
  }
}

class DissectIkeSkCli : public DissectIkeSk {
 protected:
  void SetUp() override {
    DissectIkeSk::SetUp();
    ASSERT_TRUE(scratch_.ok());
  }
  std::string path(const std::string& name) { return scratch_.path(name); }
  test::ScratchDir scratch_{"mip6-dissect-sk"};
};

// The whole path of issue 3 item 7: keys written by IkeKeylog (mode 0600, one line per SA,
// a repeat record() writes nothing), the capture as a pcap, mip6-dissect's command line.
TEST_F(DissectIkeSkCli, KeylogFileAndPcapThroughTheCommandLine) {
  const std::string pcap = path("capture.pcap");
  const std::string keylog = path("ikev2_decryption_table");
  std::vector<Bytes> frames;
  for (const auto& p : packets_) {
    frames.push_back(p.packet);
  }
  ASSERT_TRUE(write_pcap(pcap, DLT_RAW, frames).has_value());
  {
    auto log = ike::io::IkeKeylog::open(keylog);
    ASSERT_TRUE(log.has_value()) << log.error();
    for (const auto& k : keys_) {
      auto w = (*log)->record(k.spi_i, k.spi_r, k.transforms, k.keys);
      ASSERT_TRUE(w.has_value()) << w.error();
      EXPECT_TRUE(*w);
    }
    auto again = (*log)->record(keys_[0].spi_i, keys_[0].spi_r, keys_[0].transforms, keys_[0].keys);
    ASSERT_TRUE(again.has_value());
    EXPECT_FALSE(*again);
    EXPECT_EQ((*log)->lines_written(), 3u);
  }
  struct stat st {};
  ASSERT_EQ(stat(keylog.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  std::istringstream none;
  std::ostringstream out;
  std::ostringstream err;
  std::vector<std::string> args{"--pcap", pcap, "--ike-keys", keylog, "--jsonl"};
  // The tampered frame makes the run "malformed".
  EXPECT_EQ(run_cli(args, none, out, err), kExitMalformed) << err.str();
  std::vector<json> lines;
  std::istringstream rd(out.str());
  for (std::string l; std::getline(rd, l);) {
    lines.push_back(json::parse(l));
  }
  ASSERT_EQ(lines.size(), packets_.size());
  for (std::size_t i = 0; i < packets_.size(); ++i) {
    const CapturedPacket& p = packets_[i];
    const json& j = lines[i];
    const json& sk = payload_named(j["ikev2"]["payloads"], "encrypted");
    if (p.decrypt == "clear") {
      EXPECT_FALSE(sk.is_object()) << p.name;
      EXPECT_FALSE(is_error(j)) << p.name;
      continue;
    }
    ASSERT_TRUE(sk.is_object()) << p.name << j.dump();
    if (p.decrypt == "ok") {
      EXPECT_FALSE(is_error(j)) << p.name << j.dump();
      EXPECT_EQ(types_in(sk["encrypted"]["payloads"]), p.inner_types) << p.name;
    } else if (p.decrypt == "integrity") {
      EXPECT_EQ(j["error"], "sk_integrity_check_failed") << p.name;
    } else {
      EXPECT_TRUE(j.contains("note")) << p.name;
    }
  }
}

TEST_F(DissectIkeSkCli, BadKeyFileIsAUsageErrorNamingTheLine) {
  const std::string keys = path("bad_table");
  {
    std::ofstream f(keys);
    f << "# comment\n\n0102030405060708,1112131415161718,00,00,\"ROT13 [none]\",,,\"NONE\"\n";
  }
  std::istringstream none;
  std::ostringstream out;
  std::ostringstream err;
  std::vector<std::string> args{"--ike-keys", keys};
  EXPECT_EQ(run_cli(args, none, out, err), kExitUsage);
  EXPECT_THAT(err.str(), ::testing::HasSubstr(":3: unknown_encryption (field 5)"));
  std::vector<std::string> missing{"--ike-keys", path("does-not-exist")};
  EXPECT_EQ(run_cli(missing, none, out, err), kExitUsage);
}

// Hex input works with keys too (one IKE_AUTH request as a full IPv6 packet).
TEST_F(DissectIkeSkCli, HexInputDecryptsWithKeys) {
  const std::string keys = path("table");
  {
    auto log = ike::io::IkeKeylog::open(keys);
    ASSERT_TRUE(log.has_value());
    ASSERT_TRUE((*log)->record(keys_[0].spi_i, keys_[0].spi_r, keys_[0].transforms, keys_[0].keys));
  }
  std::istringstream in(base::to_hex(packets_[2].packet) + "\n");
  std::ostringstream out;
  std::ostringstream err;
  std::vector<std::string> args{"--ike-keys", keys, "--jsonl"};
  ASSERT_EQ(run_cli(args, in, out, err), kExitOk) << out.str() << err.str();
  const json j = json::parse(out.str());
  EXPECT_EQ(payload_named(j["ikev2"]["payloads"], "encrypted")["encrypted"]["decrypt_status"],
            "ok");
}

}  // namespace
}  // namespace mip6::dissect
