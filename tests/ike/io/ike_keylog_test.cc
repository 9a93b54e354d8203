// The IKE keylog (issue 3 item 7): IkeKeylog writes Wireshark decryption-table lines to a
// 0600 file, once per SPI pair, appending; IkeDriver::set_keylog records every SA's keys as
// soon as they exist, on the initiator, on a plain responder and through the IkeResponder
// front. Two drivers run over real UDP on ::1 (as in ike_driver_test.cc).
#include "ike/io/ike_keylog.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ike/base/hex.h"
#include "ike/crypto/ikev2_decryption_table.h"
#include "ike/crypto/key_exchange.h"
#include "ike/crypto/random.h"
#include "ike/engine/address_provider.h"
#include "ike/engine/peer_credentials.h"
#include "ike/io/ike_driver.h"
#include "ike/io/udp_transport.h"
#include "tests/support/scratch_dir.h"

namespace ike::io {
namespace {

using namespace std::chrono_literals;

base::SecretBytes secret(std::string_view s) {
  return base::SecretBytes(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) {
    out.push_back(l);
  }
  return out;
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

class IkeKeylogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(scratch_.ok());
  }
  std::string path(const std::string& name) { return scratch_.path(name); }
  test::ScratchDir scratch_{"mip6-keylog"};
};

crypto::IkeSaKeys gcm256_keys(std::uint8_t seed) {
  crypto::IkeSaKeys k;
  k.sk_ei = base::SecretBytes(std::vector<std::uint8_t>(36, seed));
  k.sk_er = base::SecretBytes(std::vector<std::uint8_t>(36, static_cast<std::uint8_t>(seed + 1)));
  return k;
}

// An IKE SA rekey records its new SA with a second call: a second line, the first kept.
TEST_F(IkeKeylogTest, AppendsOneLinePerSpiPairAndIsOwnerOnly) {
  const std::string file = path("keys");
  {
    std::ofstream pre(file);
    pre << "# kept\n";
  }
  ASSERT_EQ(chmod(file.c_str(), 0644), 0);
  auto log = IkeKeylog::open(file);
  ASSERT_TRUE(log.has_value()) << log.error();
  EXPECT_EQ(mode_of(file), 0600u);  // an existing, wider file is narrowed
  const crypto::IkeSaTransforms gcm{};
  auto a = (*log)->record(wire::Spi(1), wire::Spi(2), gcm, gcm256_keys(0x11));
  auto again = (*log)->record(wire::Spi(1), wire::Spi(2), gcm, gcm256_keys(0x11));
  auto rekeyed = (*log)->record(wire::Spi(3), wire::Spi(4), gcm, gcm256_keys(0x22));
  ASSERT_TRUE(a.has_value() && again.has_value() && rekeyed.has_value());
  EXPECT_TRUE(*a);
  EXPECT_FALSE(*again);
  EXPECT_TRUE(*rekeyed);
  EXPECT_EQ((*log)->lines_written(), 2u);
  const auto lines = lines_of(file);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "# kept");
  EXPECT_EQ(lines[1].substr(0, 34), "0000000000000001,0000000000000002,");
  EXPECT_EQ(lines[2].substr(0, 34), "0000000000000003,0000000000000004,");
}

TEST_F(IkeKeylogTest, NewFileIs0600WhateverTheUmask) {
  const mode_t old = umask(0);
  const std::string file = path("fresh");
  auto log = IkeKeylog::open(file);
  umask(old);
  ASSERT_TRUE(log.has_value());
  EXPECT_EQ(mode_of(file), 0600u);
}

TEST_F(IkeKeylogTest, ReportsUnnamedSuitesAndUnopenableFiles) {
  auto bad = IkeKeylog::open(scratch_.dir() + "/no/such/dir/keys");
  EXPECT_FALSE(bad.has_value());
  const std::string file = path("keys");
  auto log = IkeKeylog::open(file);
  ASSERT_TRUE(log.has_value());
  crypto::IkeSaTransforms sha1{crypto::EncrAlgorithm::AesCbc, 256,
                               crypto::PrfAlgorithm::HmacSha2_256,
                               crypto::IntegAlgorithm::HmacSha1_96};
  auto r = (*log)->record(wire::Spi(1), wire::Spi(2), sha1, crypto::IkeSaKeys{});
  EXPECT_FALSE(r.has_value());
  EXPECT_TRUE((*log)->seen(wire::Spi(1), wire::Spi(2)));  // not retried on every event
  EXPECT_TRUE(lines_of(file).empty());
}

const wire::IdPayload kMnId = wire::IdPayload::make_rfc822("mn1@example.org");
const wire::IdPayload kHaId = wire::IdPayload::make_fqdn("ha.example.org");

struct FixedServe final : engine::InitDecision {
  [[nodiscard]] engine::InitAnswer decide(const engine::InitRequest&, base::TimePoint) override {
    return engine::Serve{1};
  }
};

// Two drivers over ::1, each with its own keylog; `front` routes the responder through an
// IkeResponder. Both files must hold the same single line, whose keys are the SA's.
void establish_with_keylogs(const std::string& init_file, const std::string& resp_file,
                            bool front, bool rekey = false) {
  boost::asio::io_context io;
  crypto::OpenSslRandom random;
  crypto::OpenSslKeyExchangeFactory kex;
  engine::InMemoryCredentials creds_i;
  engine::InMemoryCredentials creds_r;
  creds_i.add(kHaId, secret("keylog psk"));
  creds_r.add(kMnId, secret("keylog psk"));
  engine::InMemoryAddressPool pool(*base::Ip6Addr::parse("2001:db8:7::"), 64, 4);
  const base::Logger log([](base::LogLevel, std::string_view, std::string_view) {});
  auto klog_i = IkeKeylog::open(init_file);
  auto klog_r = IkeKeylog::open(resp_file);
  ASSERT_TRUE(klog_i.has_value() && klog_r.has_value());
  FixedServe decision;
  IkeDriver initiator(io, engine::Environment{random, kex, creds_i, nullptr}, log);
  IkeDriver responder(io, engine::Environment{random, kex, creds_r, &pool}, log);
  initiator.set_keylog(klog_i->get());
  responder.set_keylog(klog_r->get());
  bool established = false;
  std::optional<engine::IkeSaRekeyed> rekeyed;
  initiator.set_event_sink([&](const engine::IkeSa&, const engine::Output& o) {
    if (const auto* r = std::get_if<engine::IkeSaRekeyed>(&o)) {
      rekeyed = *r;
      io.stop();
    } else if (std::holds_alternative<engine::SaEstablished>(o) ||
               std::holds_alternative<engine::SaFailed>(o)) {
      established = std::holds_alternative<engine::SaEstablished>(o);
      if (!rekey || !established) {
        io.stop();
      }
    }
  });
  const auto lo = *parse_address("::1");
  auto r = responder.listen({lo, 0});
  auto i = initiator.listen({lo, 0});
  ASSERT_TRUE(r.has_value() && i.has_value());
  engine::IkeSaConfig rcfg;
  rcfg.local_id = kHaId;
  if (front) {
    engine::IkeResponderConfig rc;
    rc.sa = rcfg;
    responder.accept_responders(std::move(rc), decision);
  } else {
    responder.accept_responders(rcfg);
  }
  engine::IkeSaConfig cfg;
  cfg.local_id = kMnId;
  cfg.remote_id = kHaId;
  const auto any = *base::Ip6Addr::parse("::");
  const auto all = *base::Ip6Addr::parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  cfg.child.ts_i = {wire::TrafficSelector::ipv6_range(any, all)};
  cfg.child.ts_r = {wire::TrafficSelector::ipv6_range(any, all)};
  if (rekey) {
    cfg.ike_rekey_after = 200ms;  // RFC 7296 2.18 in place, right after establishment
  }
  auto sa = initiator.initiate(cfg, engine::Path{*i, *r});
  ASSERT_TRUE(sa.has_value()) << sa.error();
  io.run_for(10s);
  ASSERT_TRUE(established);
  if (rekey) {
    ASSERT_TRUE(rekeyed.has_value());
    EXPECT_NE(rekeyed->now_spis, rekeyed->old_spis);
    // The responder may still be finishing the exchange: let it run, bounded.
    for (int round = 0; round < 50 && responder.stats().keylog_lines < 2; ++round) {
      io.restart();
      io.run_for(100ms);
    }
    EXPECT_EQ(initiator.stats().keylog_lines, 2u);
    EXPECT_EQ(responder.stats().keylog_lines, 2u);
    const auto li = lines_of(init_file);
    const auto lr = lines_of(resp_file);
    ASSERT_EQ(li.size(), 2u);
    EXPECT_EQ(li, lr);
    auto old_entry = crypto::parse_ikev2_decryption_line(li[0]);
    auto new_entry = crypto::parse_ikev2_decryption_line(li[1]);
    ASSERT_TRUE(old_entry.has_value() && old_entry->has_value());
    ASSERT_TRUE(new_entry.has_value() && new_entry->has_value());
    EXPECT_EQ((*old_entry)->spi_i, rekeyed->old_spis.spi_i.value());
    EXPECT_EQ((*old_entry)->spi_r, rekeyed->old_spis.spi_r.value());
    EXPECT_EQ((*new_entry)->spi_i, rekeyed->now_spis.spi_i.value());
    EXPECT_EQ((*new_entry)->spi_r, rekeyed->now_spis.spi_r.value());
    // The new line holds the keys the SA uses now (RFC 7296 2.18: fresh SKEYSEED).
    EXPECT_EQ(base::to_hex((*new_entry)->sk_ei.view()), base::to_hex((*sa)->keys()->sk_ei.view()));
    EXPECT_NE(base::to_hex((*new_entry)->sk_ei.view()), base::to_hex((*old_entry)->sk_ei.view()));
    return;
  }

  EXPECT_EQ(initiator.stats().keylog_lines, 1u);
  EXPECT_EQ(responder.stats().keylog_lines, 1u);
  EXPECT_EQ(initiator.stats().keylog_errors, 0u);
  const auto li = lines_of(init_file);
  const auto lr = lines_of(resp_file);
  ASSERT_EQ(li.size(), 1u);
  ASSERT_EQ(lr.size(), 1u);
  EXPECT_EQ(li[0], lr[0]);  // both sides log the same SA identically
  auto entry = crypto::parse_ikev2_decryption_line(li[0]);
  ASSERT_TRUE(entry.has_value() && entry->has_value()) << li[0];
  const crypto::IkeSaKeys* keys = (*sa)->keys();
  ASSERT_NE(keys, nullptr);
  EXPECT_EQ((*entry)->spi_i, (*sa)->spi_i().value());
  EXPECT_EQ((*entry)->spi_r, (*sa)->spi_r().value());
  EXPECT_EQ(base::to_hex((*entry)->sk_ei.view()), base::to_hex(keys->sk_ei.view()));
  EXPECT_EQ(base::to_hex((*entry)->sk_er.view()), base::to_hex(keys->sk_er.view()));
  EXPECT_EQ((*entry)->encr, (*sa)->suite()->transforms.encr);
  EXPECT_EQ((*entry)->encr_key_bits, (*sa)->suite()->transforms.encr_key_bits);
  EXPECT_EQ(mode_of(init_file), 0600u);
}

TEST_F(IkeKeylogTest, DriversRecordEachSaOnceOnBothSides) {
  establish_with_keylogs(path("initiator.keys"), path("responder.keys"), false);
}

TEST_F(IkeKeylogTest, DriverRecordsSasServedThroughTheResponderFront) {
  establish_with_keylogs(path("initiator.keys"), path("front.keys"), true);
}

// covers: R7296-25 (an IKE SA rekey derives new keys: the keylog gets a second line for the
// new SPIs on both sides, the first kept for the traffic before the rekey)
TEST_F(IkeKeylogTest, R7296_25_IkeRekeyAppendsTheNewSasKeys) {
  establish_with_keylogs(path("initiator.keys"), path("responder.keys"), false, true);
}

}  // namespace
}  // namespace ike::io
