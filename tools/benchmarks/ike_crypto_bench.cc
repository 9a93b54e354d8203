// ike::crypto costs on one core. X25519 is the reference the IKE responder is measured
// against: a responder does one keygen and one derive per IKE SA, so its bound is
// (X25519 ops/s) / 2, one op being a keygen or a derive; BM_ResponderIkeSaSetup
// (ike_responder_bench.cc) measures that bound in its own run and reports it beside its rate.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "ike/crypto/key_derivation.h"
#include "ike/crypto/key_exchange.h"
#include "ike/crypto/prf.h"
#include "ike/crypto/sk_cipher.h"

namespace {

using ike::crypto::DhGroup;

// One responder-side DH: a fresh key pair, then g^ir from the initiator's KE data.
void dh_keygen_derive(benchmark::State& state, DhGroup group) {
  auto peer = ike::crypto::generate_key_exchange(group);
  if (!peer) {
    state.SkipWithError("peer key generation failed");
    return;
  }
  const std::vector<std::uint8_t> peer_public((*peer)->public_value().begin(),
                                              (*peer)->public_value().end());
  for (auto _ : state) {
    auto kex = ike::crypto::generate_key_exchange(group);
    if (!kex) {
      state.SkipWithError("key generation failed");
      return;
    }
    auto secret = (*kex)->compute_shared_secret(peer_public);
    if (!secret) {
      state.SkipWithError("derive failed");
      return;
    }
    benchmark::DoNotOptimize(secret->view().data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_X25519KeygenDerive(benchmark::State& state) {
  dh_keygen_derive(state, DhGroup::Curve25519);
  // Two ops (keygen, derive) per iteration.
  state.counters["x25519_ops"] =
      benchmark::Counter(2.0 * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_X25519KeygenDerive);

void BM_Ecp256KeygenDerive(benchmark::State& state) { dh_keygen_derive(state, DhGroup::Ecp256); }
BENCHMARK(BM_Ecp256KeygenDerive);

void BM_Modp2048KeygenDerive(benchmark::State& state) {
  dh_keygen_derive(state, DhGroup::Modp2048);
}
BENCHMARK(BM_Modp2048KeygenDerive)->Unit(benchmark::kMicrosecond);

// The SK payload of a near-MTU message: 1400 octets under AES-GCM-256.
void BM_AesGcm256Seal1400(benchmark::State& state) {
  const std::vector<std::uint8_t> key(36, 0x42);
  auto cipher = ike::crypto::make_sk_cipher(ike::crypto::EncrAlgorithm::AesGcm16, 256,
                                            ike::crypto::IntegAlgorithm::None, key, {});
  if (!cipher) {
    state.SkipWithError("cipher setup failed");
    return;
  }
  const std::vector<std::uint8_t> aad(32, 0x01);
  const std::vector<std::uint8_t> iv(8, 0x02);
  const std::vector<std::uint8_t> plaintext(1400, 0x03);
  for (auto _ : state) {
    auto sealed = (*cipher)->seal(aad, iv, plaintext);
    benchmark::DoNotOptimize(sealed->data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(plaintext.size()));
}
BENCHMARK(BM_AesGcm256Seal1400);

// One prf call as IKE makes them: a 32-octet key over 64 octets (e.g. SKEYSEED).
void BM_HmacSha256Prf(benchmark::State& state) {
  auto prf = ike::crypto::Prf::create(ike::crypto::PrfAlgorithm::HmacSha2_256);
  if (!prf) {
    state.SkipWithError("prf setup failed");
    return;
  }
  const std::vector<std::uint8_t> key(32, 0x0b);
  const std::vector<std::uint8_t> data(64, 0xdd);
  for (auto _ : state) {
    auto out = prf->compute(key, {data});
    benchmark::DoNotOptimize(out.view().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HmacSha256Prf);

// The whole IKE_SA_INIT key schedule after DH: SKEYSEED plus SK_* for AES-GCM-256/SHA2-256.
void BM_IkeKeySchedule(benchmark::State& state) {
  auto prf = ike::crypto::Prf::create(ike::crypto::PrfAlgorithm::HmacSha2_256);
  auto sizes = ike::crypto::ike_key_sizes(ike::crypto::IkeSaTransforms{});
  if (!prf || !sizes) {
    state.SkipWithError("setup failed");
    return;
  }
  const std::vector<std::uint8_t> ni(32, 0x01);
  const std::vector<std::uint8_t> nr(32, 0x02);
  const std::vector<std::uint8_t> g_ir(32, 0x03);
  for (auto _ : state) {
    const base::SecretBytes skeyseed = ike::crypto::compute_skeyseed(*prf, ni, nr, g_ir);
    auto keys = ike::crypto::derive_ike_sa_keys(*prf, skeyseed.view(), ni, nr, 1, 2, *sizes);
    benchmark::DoNotOptimize(keys->sk_d.view().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IkeKeySchedule);

}  // namespace
