#include "tools/mip6-ike/tool_credentials.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace mip6_ike {
namespace {

using namespace ike;

// The file's content; nullopt (after "cannot read WHAT PATH") when it cannot be read.
std::optional<std::string> read_text(const std::string& path, const char* what = "") {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "mip6-ike: cannot read " << what << path << "\n";
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The PSK is the file's content without trailing white space.
std::optional<base::SecretBytes> read_psk(const std::string& path) {
  auto text = read_text(path, "PSK file ");
  if (!text) {
    return std::nullopt;
  }
  std::string& s = *text;
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) {
    s.pop_back();
  }
  if (s.empty()) {
    std::cerr << "mip6-ike: PSK file " << path << " is empty\n";
    return std::nullopt;
  }
  base::SecretBytes psk(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
  std::fill(s.begin(), s.end(), '\0');
  return psk;
}

}  // namespace

std::optional<ToolCredentials> load_credentials(const Args& a) {
  ToolCredentials c;
  if (auto it = a.values.find("psk-file"); it != a.values.end()) {
    c.psk = read_psk(it->second);
    if (!c.psk) {
      return std::nullopt;
    }
  }
  const bool has_cert = a.values.count("cert") != 0;
  if (has_cert != (a.values.count("key") != 0)) {
    std::cerr << "mip6-ike: --cert and --key go together\n";
    return std::nullopt;
  }
  if (has_cert) {
    const auto cert_pem = read_text(a.values.at("cert"));
    const auto key_pem = read_text(a.values.at("key"));
    if (!cert_pem || !key_pem) {
      return std::nullopt;
    }
    auto certs = crypto::certificates_from_pem(*cert_pem);
    auto key = crypto::PrivateKey::from_pem(*key_pem);
    if (!certs || !key) {
      std::cerr << "mip6-ike: --cert/--key: " << (certs ? key.error().detail : certs.error().detail)
                << "\n";
      return std::nullopt;
    }
    // Refuse a key that does not belong to the certificate now, not at the peer.
    const std::uint8_t probe[] = {'m', 'i', 'p', '6'};
    const auto scheme = key->type() == crypto::KeyType::Rsa
                            ? crypto::SignatureScheme::rsa_pkcs1(crypto::SignatureHash::Sha2_256)
                            : crypto::SignatureScheme::ecdsa(crypto::SignatureHash::Sha2_256);
    auto sig = key->sign(scheme, probe);
    auto pub = certs->front().public_key();
    if (!sig || !pub || !pub->verify(scheme, probe, *sig)) {
      std::cerr << "mip6-ike: --key does not belong to the first certificate of --cert\n";
      return std::nullopt;
    }
    engine::LocalCertificate local{certs->front(), std::move(*key), {}, false};
    local.chain.assign(certs->begin() + 1, certs->end());
    local.prefer_rsa_pss = a.flag("rsa-pss");
    c.local = std::move(local);
  }
  if (auto it = a.lists.find("ca"); it != a.lists.end()) {
    for (const auto& path : it->second) {
      const auto pem = read_text(path);
      auto cas = pem ? crypto::certificates_from_pem(*pem)
                     : base::Result<std::vector<crypto::Certificate>>(
                           base::fail(base::Error{"unreadable", "cannot read the file"}));
      if (!cas) {
        std::cerr << "mip6-ike: --ca " << path << ": " << cas.error().detail << "\n";
        return std::nullopt;
      }
      for (auto& ca : *cas) {
        c.trust.add(std::move(ca));
      }
    }
  }
  if (!c.psk && !c.local) {
    std::cerr << "mip6-ike: --psk-file or --cert/--key is required\n";
    return std::nullopt;
  }
  return c;
}

}  // namespace mip6_ike
