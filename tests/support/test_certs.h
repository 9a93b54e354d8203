#pragma once
// The PEM vectors of tests/vectors/certs (made by make_certs.sh there), loaded for unit and
// engine tests. MIP6_TEST_VECTORS_DIR is set by the test directory's CMakeLists.txt. The
// certificates are valid for 100 years from 2026-11-27; kCertTestTime lies inside.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "ike/crypto/signature.h"
#include "ike/crypto/x509.h"

namespace test {

inline constexpr std::time_t kCertTestTime = 1893456000;  // 2030-01-01T00:00:00Z

inline std::string read_cert_vector(std::string_view file) {
  const std::string path = std::string(MIP6_TEST_VECTORS_DIR) + "/certs/" + std::string(file);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return {};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "ecdsa-ha" -> ecdsa-ha.pem's first certificate. Aborts the test loudly when missing.
inline ike::crypto::Certificate load_cert(std::string_view name) {
  auto certs = ike::crypto::certificates_from_pem(read_cert_vector(std::string(name) + ".pem"));
  if (!certs) {
    ADD_FAILURE() << name << ": " << certs.error().code << " " << certs.error().detail;
    std::abort();
  }
  return certs->front();
}

inline ike::crypto::PrivateKey load_key(std::string_view name) {
  auto key = ike::crypto::PrivateKey::from_pem(read_cert_vector(std::string(name) + ".key"));
  if (!key) {
    ADD_FAILURE() << name << ": " << key.error().code << " " << key.error().detail;
    std::abort();
  }
  return *key;
}

}  // namespace test
