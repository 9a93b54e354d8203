// Certificate authentication costs on one core (RFC 7296 2.15, RFC 7427): per IKE SA a peer
// signs its AUTH once and verifies the other side's once. Each iteration is that pair, over
// signed octets of a typical size (IKE_SA_INIT message ~300 octets + nonce + prf output).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "ike/crypto/signature.h"

namespace {

using ike::crypto::KeyType;
using ike::crypto::PrivateKey;
using ike::crypto::SignatureHash;
using ike::crypto::SignatureScheme;

void sign_and_verify(benchmark::State& state, KeyType type, const SignatureScheme& scheme,
                     ike::crypto::EcdsaFormat format = ike::crypto::EcdsaFormat::Der) {
  auto ours = PrivateKey::generate(type);
  auto theirs = PrivateKey::generate(type);
  if (!ours || !theirs) {
    state.SkipWithError("key generation failed");
    return;
  }
  const std::vector<std::uint8_t> octets(360, 0x5a);
  auto peer_sig = theirs->sign(scheme, octets, format);
  if (!peer_sig) {
    state.SkipWithError("peer signature failed");
    return;
  }
  const auto peer_key = theirs->public_key();
  for (auto _ : state) {
    auto sig = ours->sign(scheme, octets, format);
    auto ok = peer_key.verify(scheme, octets, *peer_sig, format);
    if (!sig || !ok) {
      state.SkipWithError("sign or verify failed");
      return;
    }
    benchmark::DoNotOptimize(sig->data());
  }
  state.SetItemsProcessed(state.iterations());  // items = IKE_AUTH signature steps of one SA
}

void BM_AuthSignVerifyEcdsaP256(benchmark::State& state) {
  sign_and_verify(state, KeyType::EcP256, SignatureScheme::ecdsa(SignatureHash::Sha2_256));
}
BENCHMARK(BM_AuthSignVerifyEcdsaP256)->Unit(benchmark::kMicrosecond);

void BM_AuthSignVerifyRsa2048Pkcs1(benchmark::State& state) {
  sign_and_verify(state, KeyType::Rsa, SignatureScheme::rsa_pkcs1(SignatureHash::Sha2_256));
}
BENCHMARK(BM_AuthSignVerifyRsa2048Pkcs1)->Unit(benchmark::kMicrosecond);

void BM_AuthSignVerifyRsa2048Pss(benchmark::State& state) {
  sign_and_verify(state, KeyType::Rsa, SignatureScheme::rsa_pss(SignatureHash::Sha2_256));
}
BENCHMARK(BM_AuthSignVerifyRsa2048Pss)->Unit(benchmark::kMicrosecond);

void BM_AlgorithmIdentifierRoundTrip(benchmark::State& state) {
  const auto scheme = SignatureScheme::rsa_pss(SignatureHash::Sha2_256);
  for (auto _ : state) {
    auto der = ike::crypto::encode_algorithm_identifier(scheme);
    auto back = ike::crypto::decode_algorithm_identifier(*der);
    benchmark::DoNotOptimize(back->salt_length);
  }
}
BENCHMARK(BM_AlgorithmIdentifierRoundTrip);

}  // namespace
