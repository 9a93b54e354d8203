#include "ike/engine/proposal_spec.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace ike::engine {
namespace {

struct Keywords {
  std::vector<std::uint16_t> gcm16_bits;
  std::vector<std::uint16_t> cbc_bits;
  std::vector<crypto::IntegAlgorithm> integs;
  std::vector<crypto::PrfAlgorithm> prfs;
  std::vector<crypto::DhGroup> dh_groups;
  bool esn = false;
};

template <typename T>
void add_once(std::vector<T>& list, T value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) {
    list.push_back(value);
  }
}

// Error details are static text (base::Error never owns memory).
base::Error bad(std::string_view detail) {
  return base::Error{"bad_proposal", detail};
}

base::Result<Keywords> split_keywords(std::string_view text) {
  Keywords k;
  std::size_t start = 0;
  bool any = false;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find_first_of("-,", start), text.size());
    const std::string word(text.substr(start, end - start));
    start = end + 1;
    if (word.empty()) {
      return base::fail(bad("empty keyword"));
    }
    any = true;
    if (word == "aes128" || word == "aes256") {
      add_once(k.cbc_bits, static_cast<std::uint16_t>(word == "aes128" ? 128 : 256));
    } else if (word == "aes128gcm16" || word == "aes128gcm128" || word == "aes128gcm") {
      add_once(k.gcm16_bits, std::uint16_t{128});
    } else if (word == "aes256gcm16" || word == "aes256gcm128" || word == "aes256gcm") {
      add_once(k.gcm16_bits, std::uint16_t{256});
    } else if (word == "sha256" || word == "sha2_256") {
      add_once(k.integs, crypto::IntegAlgorithm::HmacSha2_256_128);
    } else if (word == "sha384" || word == "sha2_384") {
      add_once(k.integs, crypto::IntegAlgorithm::HmacSha2_384_192);
    } else if (word == "sha512" || word == "sha2_512") {
      add_once(k.integs, crypto::IntegAlgorithm::HmacSha2_512_256);
    } else if (word == "prfsha256") {
      add_once(k.prfs, crypto::PrfAlgorithm::HmacSha2_256);
    } else if (word == "prfsha384") {
      add_once(k.prfs, crypto::PrfAlgorithm::HmacSha2_384);
    } else if (word == "prfsha512") {
      add_once(k.prfs, crypto::PrfAlgorithm::HmacSha2_512);
    } else if (word == "x25519" || word == "curve25519") {
      add_once(k.dh_groups, crypto::DhGroup::Curve25519);
    } else if (word == "ecp256") {
      add_once(k.dh_groups, crypto::DhGroup::Ecp256);
    } else if (word == "modp2048") {
      add_once(k.dh_groups, crypto::DhGroup::Modp2048);
    } else if (word == "noesn") {
    } else if (word == "esn") {
      k.esn = true;
    } else {
      return base::fail(bad("unknown algorithm keyword"));
    }
    if (end == text.size()) {
      break;
    }
  }
  if (!any) {
    return base::fail(bad("empty proposal"));
  }
  if (k.gcm16_bits.empty() && k.cbc_bits.empty()) {
    return base::fail(bad("no encryption algorithm"));
  }
  return k;
}

crypto::PrfAlgorithm prf_for(crypto::IntegAlgorithm integ) {
  switch (integ) {
    case crypto::IntegAlgorithm::HmacSha2_384_192: return crypto::PrfAlgorithm::HmacSha2_384;
    case crypto::IntegAlgorithm::HmacSha2_512_256: return crypto::PrfAlgorithm::HmacSha2_512;
    default: return crypto::PrfAlgorithm::HmacSha2_256;
  }
}

}  // namespace

base::Result<IkeProposalConfig> parse_ike_proposal(std::string_view text) {
  auto k = split_keywords(text);
  if (!k) {
    return base::fail(k.error());
  }
  if (!k->cbc_bits.empty() && k->integs.empty()) {
    return base::fail(bad("AES-CBC needs an integrity algorithm (e.g. sha256)"));
  }
  if (k->dh_groups.empty()) {
    return base::fail(bad("no key exchange group (e.g. x25519)"));
  }
  if (k->esn) {
    return base::fail(bad("ESN is an ESP transform"));
  }
  IkeProposalConfig c;
  c.gcm16_key_bits = k->gcm16_bits;
  c.cbc_key_bits = k->cbc_bits;
  c.integs = k->integs;
  c.dh_groups = k->dh_groups;
  c.prfs = k->prfs;
  if (c.prfs.empty()) {
    // strongSwan's rule: without prf* keywords the INTEG keywords name the PRFs too.
    for (auto integ : k->integs) {
      add_once(c.prfs, prf_for(integ));
    }
  }
  if (c.prfs.empty()) {
    return base::fail(bad("no PRF (e.g. prfsha256)"));
  }
  return c;
}

base::Result<EspProposalConfig> parse_esp_proposal(std::string_view text) {
  auto k = split_keywords(text);
  if (!k) {
    return base::fail(k.error());
  }
  if (k->esn) {
    return base::fail(bad("ESN is not supported"));
  }
  if (!k->prfs.empty()) {
    return base::fail(bad("ESP has no PRF"));
  }
  if (k->gcm16_bits.size() > 1) {
    return base::fail(bad("one AES-GCM-16 key length for ESP"));
  }
  if (!k->cbc_bits.empty() && k->integs.size() != 1) {
    return base::fail(bad("AES-CBC needs exactly one integrity algorithm (e.g. sha256)"));
  }
  EspProposalConfig c;
  c.gcm16_key_bits = k->gcm16_bits.empty() ? 0 : k->gcm16_bits.front();
  c.cbc_key_bits = k->cbc_bits;
  if (!k->integs.empty()) {
    c.cbc_integ = k->integs.front();
  }
  c.dh_groups = k->dh_groups;
  return c;
}

}  // namespace ike::engine
