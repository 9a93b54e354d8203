// mip6-ike: our IKEv2 engine on real UDP sockets, for interop tests and manual use.
//
//   mip6-ike initiate --local ADDR --remote ADDR --psk-file F --id ID --remote-id ID
//                     [--cert F --key F [--rsa-pss]] [--ca F]...
//                     [--request-address] [--transport-mode] [--timeout S] [--dump-keys]
//                     [--ike-keylog FILE] [--verbose]
//   mip6-ike respond  --listen ADDR --psk-file F --id ID --pool PREFIX/LEN [--once]
//                     [--cert F --key F [--rsa-pss]] [--ca F]...
//                     [--redirect-to ADDR] [--capacity N] [--cookie-threshold N] [--quiet]
//                     [--timeout S] [--dump-keys] [--ike-keylog FILE] [--verbose]
//
// initiate prints one JSON object and exits 0 only when the IKE SA is established.
// respond prints one JSON line per established or failed SA; with --once it exits after the
// first one (0 when established). With --redirect-to or --capacity every IKE_SA_INIT request
// is decided before any DH (engine::IkeResponder) and one JSON line per decision is printed:
// --capacity N serves the first N peers; the others (every peer without --capacity) are
// redirected to --redirect-to when they announced RFC 5685 support, else refused with
// NO_PROPOSAL_CHOSEN (R5685-03); --quiet leaves the per-decision lines out (a redirecting
// gateway under load; the exit summary still counts every decision). Log lines go to stderr. Keys are printed only with
// --dump-keys; --ike-keylog FILE appends every IKE SA's SK_e*/SK_a* to FILE (mode 0600) in
// Wireshark's ikev2_decryption_table format, for Wireshark and `mip6-dissect --ike-keys`. IDs: an IPv6 address is ID_IPV6_ADDR, text with '@' ID_RFC822_ADDR, anything
// else ID_FQDN. The PSK is the file's content without trailing white space; the same PSK is
// used for every peer identity.
// NAT traversal (RFC 7296 2.23): both commands bind UDP 500 and 4500 on their address; when a
// NAT is detected the initiator moves to 4500 from IKE_AUTH on and the side behind the NAT
// sends keepalives. The JSON shows "nat" and the SA's current ports, and the Child SA's
// "udp_encap". --cookie-threshold N: answer N(COOKIE) once N SAs are half-open (0: always;
// R7296-21), through the IkeResponder front.
// Certificates (RFC 7296 3.6-3.8, RFC 7427), both commands: --cert FILE (PEM; the first
// certificate is ours, any further ones are sent as the chain) with --key FILE (PEM, not
// encrypted) makes us sign AUTH instead of using the PSK; --ca FILE (repeatable, PEM, may hold
// several CAs) lets peers authenticate with certificates chaining to those CAs; --rsa-pss signs
// with RSASSA-PSS instead of PKCS#1 v1.5 when the peer supports RFC 7427. --psk-file is then
// optional; at least one of --psk-file and --cert is needed. ID "keyid:HEX" (or strongSwan's
// "@#HEX") is ID_KEY_ID. The JSON shows the AUTH methods used ("auth") and, for a failure, a
// "detail" such as the certificate verification error.
// INFORMATIONAL and RFC 5685 after IKE_SA_INIT:
//   initiate --follow-redirects [--stay S] [--until-moved] [--delete-after S] [--dpd S]
//     runs an engine::IkeInitiatorSession: it follows redirects at IKE_SA_INIT, in IKE_AUTH
//     and gateway-initiated ones (make-before-break, the old SA deleted once the new one is
//     up) and prints one JSON line per step ("event": established, redirected,
//     gateway_changed, old_sa_deleted, sa_deleted, ...) and a final {"result": ...}. It exits
//     at establishment unless --stay S (keep the SA up S seconds, exit 0), --until-moved (exit 0
//     once a gateway-initiated move completed and the old SA is deleted) or --delete-after S
//     (delete the IKE SA S seconds after establishment, exit 0 when that Delete is answered).
//     A gateway-initiated redirect is followed after a random delay below --move-jitter S
//     (default 2; 0 = at once) so that a drained HA's peers do not reconnect all at once.
//     A redirect naming its gateway by FQDN (RFC 5685 GW Ident Type 3) is resolved from
//     --resolve NAME=ADDR[,NAME=ADDR...] first, then by the system resolver (IPv6 addresses).
//   respond [--redirect-at-auth ID=ADDR[,ID=ADDR...]] redirects those identities in IKE_AUTH
//     (RFC 5685 6) once their AUTH verified; [--redirect-established-to ADDR --after S]
//     sends a gateway-initiated REDIRECT (RFC 5685 5) S seconds after each SA is established;
//     [--grace S] (default 30 s): after either redirect, the SA is deleted by us if the
//     client has not deleted it by then; [--delete-after S] deletes each IKE SA S seconds
//     after establishment; [--exit-when-closed] exits 0 when the first IKE SA is deleted (by
//     either side); [--dpd S] liveness checks after S seconds of silence. One JSON line per event ("event":
//     sa_deleted, child_sa_deleted, redirect_sent, redirect_acknowledged, ...).
#include <netdb.h>
#include <netinet/in.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "ike/base/hex.h"
#include "ike/crypto/key_exchange.h"
#include "ike/crypto/random.h"
#include "ike/engine/address_provider.h"
#include "ike/engine/ike_sa.h"
#include "ike/engine/peer_credentials.h"
#include "ike/engine/proposal_spec.h"
#include "ike/io/ike_driver.h"
#include "ike/io/ike_keylog.h"
#include "ike/io/session_driver.h"
#include "ike/io/udp_transport.h"

namespace {

using nlohmann::json;
using namespace ike;

constexpr int kExitEstablished = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// --rekey-child-after S, --rekey-ike-after S, --create-child-after S: valid for both commands
// (CREATE_CHILD_SA interop tests; see LifecycleOptions).
const std::set<std::string> kLifecycleNames{"rekey-child-after", "rekey-ike-after",
                                            "create-child-after"};
// --ike-proposal P, --esp-proposal P (strongSwan syntax, engine/proposal_spec.h): both commands.
const std::set<std::string> kProposalNames{"ike-proposal", "esp-proposal"};

void usage() {
  std::cerr
      << "usage: mip6-ike initiate --local ADDR --remote ADDR --id ID --remote-id ID\n"
         "                         [--psk-file F] [--cert F --key F [--rsa-pss]] [--ca F]...\n"
         "                         [--request-address] [--transport-mode]\n"
         "                         [--ike-proposal P] [--esp-proposal P]\n"
         "                         [--timeout S] [--dump-keys] [--ike-keylog FILE] [--verbose]\n"
         "                         [--follow-redirects [--stay S] [--until-moved]\n"
         "                          [--delete-after S] [--dpd S] [--resolve NAME=ADDR[,...]]\n"
         "                          [--move-jitter S]]\n"
         "       mip6-ike respond --listen ADDR --id ID --pool PREFIX/LEN\n"
         "                        [--psk-file F] [--cert F --key F [--rsa-pss]] [--ca F]...\n"
         "                        [--once] [--redirect-to ADDR] [--capacity N]\n"
         "                        [--cookie-threshold N] [--quiet]\n"
         "                        [--redirect-at-auth ID=ADDR[,...]] [--grace S]\n"
         "                        [--redirect-established-to ADDR --after S]\n"
         "                        [--delete-after S] [--exit-when-closed] [--dpd S]\n"
         "                        [--ike-proposal P] [--esp-proposal P]\n"
         "                        [--timeout S] [--dump-keys] [--ike-keylog FILE] [--verbose]\n";
}

// --name value and --flag arguments; unknown names are an error.
struct Args {
  std::map<std::string, std::string> values;
  std::set<std::string> flags;
  std::map<std::string, std::vector<std::string>> lists;  // every value of a repeated option
};

std::optional<Args> parse_args(int argc, char** argv, const std::set<std::string>& value_names,
                               const std::set<std::string>& flag_names) {
  Args a;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) {
      std::cerr << "mip6-ike: unexpected argument " << arg << "\n";
      return std::nullopt;
    }
    const std::string name = arg.substr(2);
    if (flag_names.count(name) != 0) {
      a.flags.insert(name);
    } else if ((value_names.count(name) != 0 || kLifecycleNames.count(name) != 0 ||
                kProposalNames.count(name) != 0) &&
               i + 1 < argc) {
      a.values[name] = argv[++i];
      a.lists[name].push_back(a.values[name]);
    } else {
      std::cerr << "mip6-ike: unknown option or missing value: " << arg << "\n";
      return std::nullopt;
    }
  }
  return a;
}

bool require(const Args& a, std::initializer_list<const char*> names) {
  bool ok = true;
  for (const char* n : names) {
    if (a.values.count(n) == 0) {
      std::cerr << "mip6-ike: --" << n << " is required\n";
      ok = false;
    }
  }
  return ok;
}

std::optional<base::SecretBytes> read_psk(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "mip6-ike: cannot read PSK file " << path << "\n";
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' ||
                        s.back() == '\t')) {
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

std::optional<int> parse_seconds(const Args& a, int fallback) {
  auto it = a.values.find("timeout");
  if (it == a.values.end()) {
    return fallback;
  }
  try {
    const int v = std::stoi(it->second);
    if (v > 0 && v <= 86400) {
      return v;
    }
  } catch (const std::exception&) {
  }
  std::cerr << "mip6-ike: bad --timeout " << it->second << "\n";
  return std::nullopt;
}

// One PSK for whichever identity the peer presents, the --ca trust anchors and our --cert
// (a test tool, not a policy).
class ToolCredentials final : public engine::PeerCredentials {
 public:
  [[nodiscard]] std::optional<base::SecretBytes> psk_for(
      const wire::IdPayload& /*peer*/) const override {
    return psk;
  }
  [[nodiscard]] const crypto::TrustStore* trust_store() const override {
    return trust.empty() ? nullptr : &trust;
  }
  [[nodiscard]] const engine::LocalCertificate* local_certificate() const override {
    return local ? &*local : nullptr;
  }

  std::optional<base::SecretBytes> psk;
  crypto::TrustStore trust;
  std::optional<engine::LocalCertificate> local;
};

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "mip6-ike: cannot read " << path << "\n";
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// --psk-file, --cert/--key/--rsa-pss and every --ca; nullopt (after a message) when a file is
// unreadable or inconsistent, or when neither a PSK nor a certificate is given.
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
      std::cerr << "mip6-ike: --cert/--key: "
                << (certs ? key.error().detail : certs.error().detail) << "\n";
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
    local.prefer_rsa_pss = a.flags.count("rsa-pss") != 0;
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

std::string gw_to_string(const wire::GwIdentity& gw) {
  if (auto a = gw.ipv6_addr()) {
    return a->to_string();
  }
  if (gw.type == wire::GwIdentType::Fqdn) {
    return std::string(gw.fqdn_text());
  }
  std::string out;
  for (const std::uint8_t b : gw.value) {
    out += (out.empty() ? "" : ".") + std::to_string(b);
  }
  return out;
}

// A test tool's admission: serve the first `capacity` peers (all without a capacity when no
// redirect target is given), redirect the rest to `redirect_to` if they can follow, refuse
// the others. `last_reason` says why the last verdict was given (for the decision line).
class ToolDecision final : public engine::InitDecision {
 public:
  ToolDecision(std::optional<std::uint64_t> capacity, std::optional<base::Ip6Addr> redirect_to)
      : capacity_(capacity), redirect_to_(redirect_to) {}

  [[nodiscard]] engine::InitAnswer decide(const engine::InitRequest& context,
                                          base::TimePoint /*now*/) override {
    if (!capacity_ || served_ < *capacity_) {
      if (capacity_ || !redirect_to_) {
        last_reason_ = "within capacity";
        return engine::Serve{++served_};
      }
    }
    if (!redirect_to_) {
      last_reason_ = "capacity reached, no redirect target";
      return engine::Refuse{};
    }
    if (!context.redirect_supported) {
      // Never redirect a peer that did not announce support (R5685-03).
      last_reason_ = "peer did not announce redirect support";
      return engine::Refuse{};
    }
    last_reason_ = capacity_ ? "capacity reached" : "redirect-to";
    return engine::Redirect{wire::GwIdentity::ipv6(*redirect_to_)};
  }
  [[nodiscard]] const std::string& last_reason() const { return last_reason_; }

 private:
  std::optional<std::uint64_t> capacity_;
  std::optional<base::Ip6Addr> redirect_to_;
  std::uint64_t served_ = 0;
  std::string last_reason_;
};

std::string_view decision_word(engine::InitOutcome o) {
  switch (o) {
    case engine::InitOutcome::Served:
      return "served";
    case engine::InitOutcome::Redirected:
      return "redirected";
    default:
      return "refused";
  }
}

std::string spi32(std::uint32_t spi) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", spi);
  return buf;
}

std::string hex_of(const base::SecretBytes& s) {
  return base::to_hex(s.view());
}

json ts_json(const std::vector<wire::TrafficSelector>& list) {
  json out = json::array();
  for (const auto& ts : list) {
    json t;
    if (ts.start_address.size() == 16 && ts.end_address.size() == 16) {
      t["start"] = base::Ip6Addr::from_span(std::span<const std::uint8_t, 16>(
                                                ts.start_address.data(), 16))
                       .to_string();
      t["end"] = base::Ip6Addr::from_span(
                     std::span<const std::uint8_t, 16>(ts.end_address.data(), 16))
                     .to_string();
    } else {
      t["start"] = base::to_hex(ts.start_address);
      t["end"] = base::to_hex(ts.end_address);
    }
    t["protocol"] = ts.ip_protocol;
    t["ports"] = std::to_string(ts.start_port) + "-" + std::to_string(ts.end_port);
    out.push_back(t);
  }
  return out;
}

json child_json(const engine::InstallChildSa& c, bool dump_keys) {
  json j;
  j["spi_in"] = spi32(c.spi_in);
  j["spi_out"] = spi32(c.spi_out);
  j["mode"] = std::string(engine::to_string(c.mode));
  j["encr"] = std::string(crypto::to_string(c.encr));
  j["key_bits"] = c.encr_key_bits;
  j["integ"] = std::string(crypto::to_string(c.integ));
  j["esn"] = c.esn;
  j["udp_encap"] = c.udp_encap;  // RFC 3948 ESP-in-UDP between these ports
  j["local_port"] = c.path.local.port;
  j["remote_port"] = c.path.remote.port;
  j["ts_local"] = ts_json(c.ts_local);
  j["ts_remote"] = ts_json(c.ts_remote);
  if (dump_keys) {
    j["keys"] = {{"encr_in", hex_of(c.encr_in())}, {"encr_out", hex_of(c.encr_out())}};
    if (c.integ != crypto::IntegAlgorithm::None) {
      j["keys"]["integ_in"] = hex_of(c.integ_in());
      j["keys"]["integ_out"] = hex_of(c.integ_out());
    }
  }
  return j;
}

// The common part of the initiator's result and the responder's per-SA lines.
json sa_json(const engine::IkeSa& sa, bool dump_keys) {
  json j;
  j["role"] = std::string(engine::to_string(sa.role()));
  j["state"] = std::string(engine::to_string(sa.state()));
  j["spi_i"] = wire::to_string(sa.spi_i());
  j["spi_r"] = wire::to_string(sa.spi_r());
  if (auto s = sa.suite()) {
    j["suite"] = {{"encr", std::string(crypto::to_string(s->transforms.encr))},
                  {"key_bits", s->transforms.encr_key_bits},
                  {"prf", std::string(crypto::to_string(s->transforms.prf))},
                  {"integ", std::string(crypto::to_string(s->transforms.integ))},
                  {"dh", std::string(crypto::to_string(s->dh))}};
  }
  // AUTH methods (RFC 7296 3.8 / RFC 7427), and the hashes the peer announced.
  if (sa.local_auth_method() || sa.peer_auth_method()) {
    json auth;
    if (auto m = sa.local_auth_method()) {
      auth["local"] = std::string(wire::to_string(*m));
    }
    if (auto m = sa.peer_auth_method()) {
      auth["peer"] = std::string(wire::to_string(*m));
    }
    auth["peer_signature_hashes"] = sa.peer_signature_hashes();
    j["auth"] = auth;
  }
  j["nat_detected"] = sa.nat_detected();
  j["nat"] = {{"local_behind_nat", sa.nat_status().local_behind_nat},
              {"peer_behind_nat", sa.nat_status().peer_behind_nat}};
  j["local_port"] = sa.path().local.port;  // 4500 after a NAT-T float
  j["remote_port"] = sa.path().remote.port;
  if (sa.role() == engine::Role::Responder) {
    j["redirect_supported"] = sa.peer_redirect_supported();
    if (const auto& from = sa.peer_redirected_from()) {
      j["redirected_from"] = gw_to_string(*from);
    }
  }
  if (dump_keys && sa.keys() != nullptr) {
    const auto& k = *sa.keys();
    j["keys"] = {{"sk_d", hex_of(k.sk_d)},   {"sk_ai", hex_of(k.sk_ai)}, {"sk_ar", hex_of(k.sk_ar)},
                 {"sk_ei", hex_of(k.sk_ei)}, {"sk_er", hex_of(k.sk_er)}, {"sk_pi", hex_of(k.sk_pi)},
                 {"sk_pr", hex_of(k.sk_pr)}};
  }
  return j;
}

// Collects what one SA reported, in the order the driver saw it.
struct SaReport {
  json j;
  bool established = false;
  bool failed = false;

  void add(const engine::IkeSa& sa, const engine::Output& out, bool dump_keys) {
    if (const auto* e = std::get_if<engine::SaEstablished>(&out)) {
      established = true;
      j["peer_id"] = e->peer_id.to_text();
      if (e->assigned_address) {
        j["assigned_address"] = e->assigned_address->address.to_string();
        j["assigned_prefix_len"] = e->assigned_address->prefix_len;
      }
      if (e->home_prefix) {
        j["home_prefix"] = e->home_prefix->prefix.to_string() + "/" +
                           std::to_string(e->home_prefix->prefix_len);
      }
    } else if (const auto* c = std::get_if<engine::InstallChildSa>(&out)) {
      j["child_sa"] = child_json(*c, dump_keys);
    } else if (const auto* f = std::get_if<engine::SaFailed>(&out)) {
      failed = true;
      j["reason"] = std::string(engine::to_string(f->reason));
      if (!f->detail.empty()) {
        j["detail"] = std::string(f->detail);
      }
      if (f->notify) {
        j["notify"] = static_cast<unsigned>(*f->notify);
      }
    } else {
      return;
    }
    j.update(sa_json(sa, dump_keys));
  }
};

// --ike-keylog FILE, opened before any SA exists. nullopt: bad file (reported); a null
// pointer: not asked for.
std::optional<std::unique_ptr<io::IkeKeylog>> open_keylog(const Args& a) {
  auto it = a.values.find("ike-keylog");
  if (it == a.values.end()) {
    return std::unique_ptr<io::IkeKeylog>();
  }
  auto keylog = io::IkeKeylog::open(it->second);
  if (!keylog) {
    std::cerr << "mip6-ike: " << keylog.error() << "\n";
    return std::nullopt;
  }
  return std::move(*keylog);
}

base::Logger make_logger(bool verbose) {
  return base::Logger(
      [](base::LogLevel level, std::string_view component, std::string_view msg) {
        std::cerr << to_string(level) << " " << component << ": " << msg << "\n";
      },
      verbose ? base::LogLevel::Debug : base::LogLevel::Info);
}

engine::IkeSaConfig base_config(const std::string& id) {
  engine::IkeSaConfig cfg;
  cfg.local_id = wire::IdPayload::from_text(id);
  return cfg;
}

// --ike-proposal / --esp-proposal into `cfg` (offered as initiator, accepted as responder).
bool apply_proposals(const Args& a, engine::IkeSaConfig& cfg) {
  if (auto it = a.values.find("ike-proposal"); it != a.values.end()) {
    auto ike = engine::parse_ike_proposal(it->second);
    if (!ike) {
      std::cerr << "mip6-ike: --ike-proposal " << it->second << ": " << ike.error().detail << "\n";
      return false;
    }
    cfg.ike = std::move(*ike);
  }
  if (auto it = a.values.find("esp-proposal"); it != a.values.end()) {
    auto esp = engine::parse_esp_proposal(it->second);
    if (!esp) {
      std::cerr << "mip6-ike: --esp-proposal " << it->second << ": " << esp.error().detail << "\n";
      return false;
    }
    cfg.child.esp = std::move(*esp);
  }
  return true;
}

std::vector<wire::TrafficSelector> any_ipv6() {
  return {wire::TrafficSelector::ipv6_range(*base::Ip6Addr::parse("::"),
                                            *base::Ip6Addr::parse(
                                                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))};
}

// A positive number of seconds from --name, or nullopt when absent; false in `ok` when bad.
std::optional<int> seconds_option(const Args& a, const char* name, bool& ok) {
  auto it = a.values.find(name);
  if (it == a.values.end()) {
    return std::nullopt;
  }
  try {
    const int v = std::stoi(it->second);
    if (v >= 0 && v <= 86400) {
      return v;
    }
  } catch (const std::exception&) {
  }
  std::cerr << "mip6-ike: bad --" << name << " " << it->second << "\n";
  ok = false;
  return std::nullopt;
}

// One JSON line per INFORMATIONAL / RFC 5685 output of an SA; nullopt for the others.
std::optional<json> event_json(const engine::Output& out) {
  json j;
  if (const auto* d = std::get_if<engine::SaDeleted>(&out)) {
    j["event"] = "sa_deleted";
    j["by_peer"] = d->by_peer;
    j["answered"] = d->answered;
    j["detail"] = std::string(d->detail);
  } else if (const auto* c = std::get_if<engine::ChildSaDeleted>(&out)) {
    j["event"] = "child_sa_deleted";
    j["spi_in"] = spi32(c->spi_in);
    j["spi_out"] = spi32(c->spi_out);
    j["by_peer"] = c->by_peer;
  } else if (const auto* r = std::get_if<engine::RedirectSent>(&out)) {
    j["event"] = "redirect_sent";
    j["target"] = gw_to_string(r->gateway);
    j["at_auth"] = r->at_auth;
  } else if (const auto* a = std::get_if<engine::RedirectAcknowledged>(&out)) {
    j["event"] = "redirect_acknowledged";
    j["target"] = gw_to_string(a->gateway);
  } else if (const auto* g = std::get_if<engine::GatewayRedirectReceived>(&out)) {
    j["event"] = "gateway_redirect_received";
    j["gateway"] = gw_to_string(g->gateway);
  } else if (const auto* rr = std::get_if<engine::RedirectReceived>(&out)) {
    j["event"] = "redirect_received";
    j["gateway"] = gw_to_string(rr->gateway);
  } else if (const auto* n = std::get_if<engine::InformationalNote>(&out)) {
    j["event"] = "informational_note";
    j["what"] = std::string(n->what);
    if (n->notify) {
      j["notify"] = std::string(wire::to_string(*n->notify));
    }
    if (n->spi != 0) {
      j["spi"] = spi32(n->spi);
    }
  } else {
    return std::nullopt;
  }
  return j;
}

// initiate --follow-redirects: see the header comment.
int run_initiate_follow(const Args& args, const base::Ip6Addr& local, const base::Ip6Addr& remote,
                        int timeout, engine::PeerCredentials& creds, const base::Logger& log) {
  bool ok = true;
  const auto stay = seconds_option(args, "stay", ok);
  const auto delete_after = seconds_option(args, "delete-after", ok);
  const auto dpd = seconds_option(args, "dpd", ok);
  const auto move_jitter = seconds_option(args, "move-jitter", ok);
  if (!ok) {
    return kExitUsage;
  }
  const bool until_moved = args.flags.count("until-moved") != 0;
  const bool dump_keys = args.flags.count("dump-keys") != 0;

  auto keylog = open_keylog(args);  // before the driver: it must outlive it
  if (!keylog) {
    return kExitUsage;
  }
  boost::asio::io_context io;
  crypto::OpenSslRandom random;
  crypto::OpenSslKeyExchangeFactory kex;
  io::SessionDriver driver(io, engine::Environment{random, kex, creds, nullptr}, log);
  driver.set_keylog(keylog->get());
  std::map<std::string, base::Ip6Addr> hosts;  // --resolve: tests need no DNS
  if (auto it = args.values.find("resolve"); it != args.values.end()) {
    std::stringstream ss(it->second);
    std::string item;
    while (std::getline(ss, item, ',')) {
      const auto eq = item.find('=');
      const auto a =
          eq == std::string::npos ? std::nullopt : io::parse_address(item.substr(eq + 1));
      if (!a) {
        std::cerr << "mip6-ike: bad --resolve " << it->second << " (NAME=ADDR,...)\n";
        return kExitUsage;
      }
      hosts[item.substr(0, eq)] = *a;
    }
  }
  driver.set_resolver([hosts](const std::string& fqdn) -> std::optional<base::Ip6Addr> {
    if (const auto h = hosts.find(fqdn); h != hosts.end()) {
      return h->second;
    }
    addrinfo hints{};
    hints.ai_family = AF_INET6;  // our IKE sockets are IPv6
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(fqdn.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
      return std::nullopt;
    }
    base::Ip6Addr::Bytes b{};
    std::memcpy(b.data(), &reinterpret_cast<const sockaddr_in6*>(found->ai_addr)->sin6_addr,
                b.size());
    freeaddrinfo(found);
    return base::Ip6Addr(b);
  });
  for (const std::uint16_t port : {io::kIkePort, io::kNatTPort}) {
    if (auto bound = driver.listen({local, port}); !bound) {
      std::cerr << "mip6-ike: " << bound.error() << "\n";
      return kExitFailed;
    }
  }
  engine::InitiatorSessionConfig sc;
  sc.sa = base_config(args.values.at("id"));
  sc.sa.remote_id = wire::IdPayload::from_text(args.values.at("remote-id"));
  sc.sa.request_address = args.flags.count("request-address") != 0;
  sc.sa.child.transport_mode = args.flags.count("transport-mode") != 0;
  sc.sa.child.ts_i = any_ipv6();
  sc.sa.child.ts_r = any_ipv6();
  if (!apply_proposals(args, sc.sa)) {
    return kExitUsage;
  }
  if (dpd) {
    sc.sa.dpd_interval = std::chrono::seconds(*dpd);
  }
  if (move_jitter) {
    sc.move_jitter = std::chrono::seconds(*move_jitter);
  }
  // A test tool: every gateway is in the PAD (R5685-08 is the session's check; the new
  // gateway must still prove --remote-id, R5685-10).
  sc.gateway_permitted = [](const wire::GwIdentity&) { return true; };

  std::string result = "failed";
  bool moved = false;
  std::list<boost::asio::steady_timer> timers;
  boost::asio::steady_timer deadline(io, std::chrono::seconds(timeout));
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  auto finish = [&](std::string why) {
    result = std::move(why);
    driver.stop();
    deadline.cancel();
    signals.cancel();
    for (auto& t : timers) {
      t.cancel();
    }
  };
  auto after = [&](int seconds, std::function<void()> fn) {
    auto& t = timers.emplace_back(io, std::chrono::seconds(seconds));
    t.async_wait([fn = std::move(fn)](const boost::system::error_code& ec) {
      if (!ec) {
        fn();
      }
    });
  };
  auto print = [](const json& j) { std::cout << j.dump() << std::endl; };
  auto gateway_of = [&]() {
    const auto* s = driver.session();
    return s != nullptr ? io::address_to_string(s->current_path().remote.address) : std::string();
  };
  driver.set_sink([&](const engine::SessionOutput& out) {
    json j;
    if (const auto* e = std::get_if<engine::SaEstablished>(&out)) {
      j["event"] = "established";
      j["gateway"] = gateway_of();
      j["spi_i"] = wire::to_string(e->spi_i);
      j["spi_r"] = wire::to_string(e->spi_r);
      j["peer_id"] = e->peer_id.to_text();
      if (e->assigned_address) {
        j["assigned_address"] = e->assigned_address->address.to_string();
      }
      print(j);
      if (moved) {
        return;  // the move's own exit rule applies
      }
      if (delete_after) {
        after(*delete_after, [&] {
          driver.with_session([&](engine::IkeInitiatorSession& s, base::TimePoint now) {
            if (auto deleted = s.delete_sa(now); !deleted) {
              std::cerr << "mip6-ike: delete: " << deleted.error().detail << "\n";
            }
          });
        });
      } else if (stay) {
        after(*stay, [&] { boost::asio::post(io, [&] { finish("established"); }); });
      } else if (!until_moved) {
        boost::asio::post(io, [&] { finish("established"); });
      }
      return;
    }
    if (const auto* c = std::get_if<engine::InstallChildSa>(&out)) {
      j = child_json(*c, dump_keys);
      j["event"] = "child_sa";
    } else if (const auto* r = std::get_if<engine::Redirected>(&out)) {
      j["event"] = "redirected";
      j["point"] = std::string(engine::to_string(r->point));
      j["from"] = gw_to_string(r->from);
      j["to"] = gw_to_string(r->to);
      j["count"] = r->count;
    } else if (const auto* g = std::get_if<engine::IkeGatewayChanged>(&out)) {
      moved = true;
      j["event"] = "gateway_changed";
      j["from"] = io::address_to_string(g->from.remote.address);
      j["to"] = io::address_to_string(g->to.remote.address);
      // R5685-33: an IKE-level move only.
      j["note"] = "IKE gateway only; Mobile IPv6 state unchanged (RFC 5685 8)";
    } else if (const auto* m = std::get_if<engine::GatewayMoveFailed>(&out)) {
      j["event"] = "move_failed";
      j["to"] = gw_to_string(m->to);
      j["error"] = std::string(engine::to_string(m->error));
      if (m->sa_reason) {
        j["reason"] = std::string(engine::to_string(*m->sa_reason));
      }
    } else if (const auto* rs = std::get_if<engine::RetiredSaEvent>(&out)) {
      const auto inner = event_json(rs->output);
      if (!inner) {
        return;
      }
      j = *inner;
      j["old_sa"] = wire::to_string(rs->spi_i);
      if (std::holds_alternative<engine::SaDeleted>(rs->output)) {
        j["event"] = "old_sa_deleted";
        if (moved && until_moved) {
          print(j);
          boost::asio::post(io, [&] { finish("moved"); });
          return;
        }
      }
    } else if (const auto* f = std::get_if<engine::SessionFailed>(&out)) {
      j["event"] = "failed";
      j["error"] = std::string(engine::to_string(f->error));
      if (f->sa_reason) {
        j["reason"] = std::string(engine::to_string(*f->sa_reason));
      }
      print(j);
      boost::asio::post(io, [&] { finish("failed"); });
      return;
    } else if (const auto* ret = std::get_if<engine::ReturnedToOriginal>(&out)) {
      j["event"] = "returned_to_original";
      j["gateway"] = io::address_to_string(ret->original);
    } else if (const auto* d = std::get_if<engine::SaDeleted>(&out)) {
      j = *event_json(*d);
      print(j);
      const bool ours = delete_after && !d->by_peer && d->answered;
      boost::asio::post(io, [&, ours] { finish(ours ? "deleted" : "failed"); });
      return;
    } else if (auto ev = std::visit(
                   [](const auto& v) -> std::optional<json> {
                     using T = std::decay_t<decltype(v)>;
                     if constexpr (std::is_same_v<T, engine::ChildSaDeleted> ||
                                   std::is_same_v<T, engine::GatewayRedirectReceived> ||
                                   std::is_same_v<T, engine::InformationalNote>) {
                       return event_json(engine::Output{v});
                     } else {
                       return std::nullopt;
                     }
                   },
                   out)) {
      j = *ev;
    } else {
      return;
    }
    print(j);
  });
  const engine::Path path{{local, io::kIkePort}, {remote, io::kIkePort}};
  if (auto started = driver.start(std::move(sc), path); !started) {
    std::cerr << "mip6-ike: " << started.error() << "\n";
    return kExitFailed;
  }
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) {
      finish("timeout");
    }
  });
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) {
      finish("interrupted");
    }
  });
  io.run();
  json j;
  j["result"] = result;
  j["gateway"] = gateway_of();
  std::cout << j.dump() << std::endl;
  return result == "established" || result == "moved" || result == "deleted" ? kExitEstablished
                                                                             : kExitFailed;
}

// --rekey-child-after S, --rekey-ike-after S, --create-child-after S (CREATE_CHILD_SA interop
// tests, RFC 7296 1.3): the first two set the engine's soft lifetimes, so the rekeys repeat
// every S seconds; the last creates one more Child SA S seconds after establishment. With any
// of them `initiate` prints its result as one JSON line at establishment and keeps running
// until --timeout (or a signal, exit 0 when it was established), and both commands print one
// JSON line per CREATE_CHILD_SA event: {"event": "child_installed" | "child_rekeyed" |
// "child_deleted" | "child_create_failed" | "ike_rekeyed" | "ike_spis_retired", ...} with the
// IKE SA's current SPIs and our role in it.
struct LifecycleOptions {
  std::optional<int> rekey_child_after;
  std::optional<int> rekey_ike_after;
  std::optional<int> create_child_after;
  [[nodiscard]] bool any() const {
    return rekey_child_after || rekey_ike_after || create_child_after;
  }
};

std::optional<LifecycleOptions> parse_lifecycle(const Args& a) {
  LifecycleOptions out;
  for (const auto& [name, field] :
       {std::pair{"rekey-child-after", &LifecycleOptions::rekey_child_after},
        std::pair{"rekey-ike-after", &LifecycleOptions::rekey_ike_after},
        std::pair{"create-child-after", &LifecycleOptions::create_child_after}}) {
    auto it = a.values.find(name);
    if (it == a.values.end()) {
      continue;
    }
    try {
      const int v = std::stoi(it->second);
      if (v > 0 && v <= 86400) {
        out.*field = v;
        continue;
      }
    } catch (const std::exception&) {
    }
    std::cerr << "mip6-ike: bad --" << name << " " << it->second << "\n";
    return std::nullopt;
  }
  return out;
}

void apply_lifecycle(const LifecycleOptions& o, engine::IkeSaConfig& cfg) {
  if (o.rekey_child_after) {
    cfg.child.rekey_after = std::chrono::seconds(*o.rekey_child_after);
  }
  if (o.rekey_ike_after) {
    cfg.ike_rekey_after = std::chrono::seconds(*o.rekey_ike_after);
  }
}

// One JSON line for a CREATE_CHILD_SA / rekey output; nullopt for the others.
std::optional<json> lifecycle_event(const engine::IkeSa& sa, const engine::Output& out,
                                    bool dump_keys) {
  json j;
  if (const auto* c = std::get_if<engine::InstallChildSa>(&out)) {
    j = child_json(*c, dump_keys);
    j["event"] = "child_installed";
  } else if (const auto* r = std::get_if<engine::ChildSaRekeyed>(&out)) {
    j = {{"event", "child_rekeyed"},
         {"old_spi_in", spi32(r->old_spi_in)},
         {"old_spi_out", spi32(r->old_spi_out)},
         {"spi_in", spi32(r->new_spi_in)},
         {"spi_out", spi32(r->new_spi_out)},
         {"by_peer", r->by_peer}};
  } else if (const auto* d = std::get_if<engine::ChildSaDeleted>(&out)) {
    j = {{"event", "child_deleted"},
         {"spi_in", spi32(d->spi_in)},
         {"spi_out", spi32(d->spi_out)},
         {"by_peer", d->by_peer}};
  } else if (const auto* f = std::get_if<engine::ChildSaCreateFailed>(&out)) {
    j = {{"event", "child_create_failed"}, {"detail", std::string(f->detail)}};
    if (f->notify) {
      j["notify"] = std::string(wire::to_string(*f->notify));
    }
    if (f->rekeyed_spi_in != 0) {
      j["rekeyed_spi_in"] = spi32(f->rekeyed_spi_in);
    }
  } else if (const auto* k = std::get_if<engine::IkeSaRekeyed>(&out)) {
    j = {{"event", "ike_rekeyed"},
         {"old_spi_i", wire::to_string(k->old_spis.spi_i)},
         {"old_spi_r", wire::to_string(k->old_spis.spi_r)},
         {"by_peer", k->by_peer}};
  } else if (const auto* g = std::get_if<engine::IkeSpisRetired>(&out)) {
    j = {{"event", "ike_spis_retired"},
         {"old_spi_i", wire::to_string(g->spis.spi_i)},
         {"old_spi_r", wire::to_string(g->spis.spi_r)}};
  } else {
    return std::nullopt;
  }
  // The IKE SA as it is now (after an IKE rekey: the new SPIs and our role in it).
  j["spi_i"] = wire::to_string(sa.spi_i());
  j["spi_r"] = wire::to_string(sa.spi_r());
  j["role"] = std::string(engine::to_string(sa.role()));
  return j;
}

// --create-child-after: one more Child SA like the first, through the driver. The SA object
// survives IKE rekeys (they happen in place), so its current key finds it.
void schedule_create_child(boost::asio::io_context& io, io::IkeDriver& driver,
                           const engine::IkeSa& sa, const engine::ChildSaConfig& child, int seconds,
                           std::vector<std::unique_ptr<boost::asio::steady_timer>>& timers) {
  auto timer = std::make_unique<boost::asio::steady_timer>(io, std::chrono::seconds(seconds));
  const engine::IkeSa* target = &sa;
  engine::ChildSaConfig config = child;
  if (config.ts_i.empty() || config.ts_r.empty()) {
    config.ts_i = any_ipv6();  // a responder's config has no selectors of its own
    config.ts_r = any_ipv6();
  }
  timer->async_wait(
      [&driver, target, child = std::move(config)](const boost::system::error_code& ec) {
        if (ec) {
          return;
        }
        auto done = driver.with_sa(
            io::IkeDriver::key_of(*target),
            [&](engine::IkeSa& s, base::TimePoint now) { return s.create_child(child, now); });
        if (!done) {
          std::cerr << "mip6-ike: create child: " << done.error() << "\n";
        }
      });
  timers.push_back(std::move(timer));
}

// `initiate` with lifecycle options: establish, then stay for --timeout seconds printing the
// CREATE_CHILD_SA events. Exit 0 when the SA was established and did not fail.
int run_initiate_lifecycle(const Args& args, const base::Ip6Addr& local,
                           const base::Ip6Addr& remote, int timeout, engine::PeerCredentials& creds,
                           const LifecycleOptions& lifecycle, const base::Logger& log) {
  const bool dump_keys = args.flags.count("dump-keys") != 0;
  boost::asio::io_context io;
  crypto::OpenSslRandom random;
  crypto::OpenSslKeyExchangeFactory kex;
  auto keylog = open_keylog(args);  // before the driver: it must outlive it
  if (!keylog) {
    return kExitUsage;
  }
  io::IkeDriver driver(io, engine::Environment{random, kex, creds, nullptr}, log);
  driver.set_keylog(keylog->get());
  engine::IkeSaConfig cfg = base_config(args.values.at("id"));
  cfg.remote_id = wire::IdPayload::from_text(args.values.at("remote-id"));
  cfg.request_address = args.flags.count("request-address") != 0;
  cfg.child.transport_mode = args.flags.count("transport-mode") != 0;
  cfg.child.ts_i = any_ipv6();
  cfg.child.ts_r = any_ipv6();
  apply_lifecycle(lifecycle, cfg);
  if (!apply_proposals(args, cfg)) {
    return kExitUsage;
  }
  const engine::Path path{{local, io::kIkePort}, {remote, io::kIkePort}};
  for (const std::uint16_t port : {io::kIkePort, io::kNatTPort}) {
    if (auto ok = driver.listen({local, port}); !ok) {
      std::cerr << "mip6-ike: " << ok.error() << "\n";
      return kExitFailed;
    }
  }
  SaReport report;
  bool printed = false;
  std::vector<std::unique_ptr<boost::asio::steady_timer>> timers;
  boost::asio::steady_timer deadline(io, std::chrono::seconds(timeout));
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  auto finish = [&] {
    driver.stop();
    deadline.cancel();
    signals.cancel();
    for (auto& t : timers) {
      t->cancel();
    }
  };
  driver.set_event_sink([&](const engine::IkeSa& s, const engine::Output& out) {
    if (printed) {
      if (auto line = lifecycle_event(s, out, dump_keys)) {
        std::cout << line->dump() << std::endl;
      }
    }
    const bool was_established = report.established;
    report.add(s, out, dump_keys);
    if (report.established && !was_established) {
      // After this drain, so the first Child SA is in the result line.
      boost::asio::post(io, [&] {
        report.j["result"] = "established";
        std::cout << report.j.dump() << std::endl;
        printed = true;
      });
      if (lifecycle.create_child_after) {
        schedule_create_child(io, driver, s, cfg.child, *lifecycle.create_child_after, timers);
      }
    }
    if (report.failed || std::holds_alternative<engine::SaDeleted>(out)) {
      boost::asio::post(io, finish);
    }
  });
  auto sa = driver.initiate(cfg, path);
  if (!sa) {
    std::cerr << "mip6-ike: " << sa.error() << "\n";
    return kExitFailed;
  }
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) {
      finish();
    }
  });
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) {
      finish();
    }
  });
  io.run();
  if (!printed) {
    report.j["result"] = "failed";
    if (!report.j.contains("reason")) {
      report.j["reason"] = "timeout";
    }
    std::cout << report.j.dump() << std::endl;
    return kExitFailed;
  }
  return report.failed ? kExitFailed : kExitEstablished;
}

int run_initiate(int argc, char** argv) {
  const auto args = parse_args(argc, argv,
                               {"local", "remote", "psk-file", "id", "remote-id", "timeout",
                                "ike-keylog", "cert", "key", "ca", "stay", "delete-after", "dpd",
                                "resolve", "move-jitter"},
                               {"request-address", "transport-mode", "dump-keys", "verbose",
                                "rsa-pss", "follow-redirects", "until-moved"});
  if (!args || !require(*args, {"local", "remote", "id", "remote-id"})) {
    usage();
    return kExitUsage;
  }
  const auto local = io::parse_address(args->values.at("local"));
  const auto remote = io::parse_address(args->values.at("remote"));
  const auto timeout = parse_seconds(*args, 20);
  auto creds = load_credentials(*args);
  if (!local || !remote || !timeout || !creds) {
    std::cerr << "mip6-ike: bad --local, --remote, --timeout or credentials\n";
    return kExitUsage;
  }
  const bool dump_keys = args->flags.count("dump-keys") != 0;
  const base::Logger log = make_logger(args->flags.count("verbose") != 0);
  if (args->flags.count("follow-redirects") != 0) {
    return run_initiate_follow(*args, *local, *remote, *timeout, *creds, log);
  }
  if (const auto lifecycle = parse_lifecycle(*args); !lifecycle) {
    return kExitUsage;
  } else if (lifecycle->any()) {
    return run_initiate_lifecycle(*args, *local, *remote, *timeout, *creds, *lifecycle, log);
  }

  boost::asio::io_context io;
  crypto::OpenSslRandom random;
  crypto::OpenSslKeyExchangeFactory kex;
  auto keylog = open_keylog(*args);  // before the driver: it must outlive it
  if (!keylog) {
    return kExitUsage;
  }
  io::IkeDriver driver(io, engine::Environment{random, kex, *creds, nullptr}, log);
  driver.set_keylog(keylog->get());

  engine::IkeSaConfig cfg = base_config(args->values.at("id"));
  cfg.remote_id = wire::IdPayload::from_text(args->values.at("remote-id"));
  cfg.request_address = args->flags.count("request-address") != 0;
  cfg.child.transport_mode = args->flags.count("transport-mode") != 0;
  cfg.child.ts_i = any_ipv6();
  cfg.child.ts_r = any_ipv6();
  if (!apply_proposals(*args, cfg)) {
    return kExitUsage;
  }

  const engine::Path path{{*local, io::kIkePort}, {*remote, io::kIkePort}};
  // 4500 too: the SA floats there when it detects a NAT (R7296-56).
  for (const std::uint16_t port : {io::kIkePort, io::kNatTPort}) {
    if (auto ok = driver.listen({*local, port}); !ok) {
      std::cerr << "mip6-ike: " << ok.error() << "\n";
      return kExitFailed;
    }
  }
  SaReport report;
  boost::asio::steady_timer deadline(io, std::chrono::seconds(*timeout));
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  auto finish = [&] {
    driver.stop();
    deadline.cancel();
    signals.cancel();
  };
  driver.set_event_sink([&](const engine::IkeSa& s, const engine::Output& out) {
    report.add(s, out, dump_keys);
    if (report.established || report.failed) {
      // The Child SA output follows SaEstablished in the same drain: stop after it.
      boost::asio::post(io, finish);
    }
  });
  auto sa = driver.initiate(cfg, path);
  if (!sa) {
    std::cerr << "mip6-ike: " << sa.error() << "\n";
    return kExitFailed;
  }
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (!ec && !report.established && !report.failed) {
      report.j["reason"] = "timeout";
      report.failed = true;
      finish();
    }
  });
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) {
      report.j["reason"] = "interrupted";
      report.failed = true;
      finish();
    }
  });
  io.run();
  if (!report.established && !report.j.contains("state")) {
    report.j.update(sa_json(**sa, dump_keys));  // timeout: the SA is still held
  }
  report.j["result"] = report.established ? "established" : "failed";
  std::cout << report.j.dump(2) << std::endl;
  return report.established ? kExitEstablished : kExitFailed;
}

// respond --redirect-at-auth ID=ADDR,...: RFC 5685 6 for those identities (after their AUTH
// verified; the engine serves peers that cannot be redirected, R5685-03).
class ToolAuthDecision final : public engine::AuthDecision {
 public:
  // "ID=ADDR[,ID=ADDR...]"; false when malformed.
  bool parse(const std::string& text) {
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
      const auto eq = item.rfind('=');
      auto target = eq == std::string::npos ? std::nullopt : io::parse_address(item.substr(eq + 1));
      if (!target) {
        return false;
      }
      targets_.emplace_back(wire::IdPayload::from_text(item.substr(0, eq)), *target);
    }
    return !targets_.empty();
  }
  [[nodiscard]] bool empty() const { return targets_.empty(); }
  [[nodiscard]] engine::AuthAnswer decide(const engine::AuthRequest& context,
                                          base::TimePoint /*now*/) override {
    for (const auto& [id, target] : targets_) {
      if (id == context.peer_id) {
        return engine::Redirect{wire::GwIdentity::ipv6(target)};
      }
    }
    return engine::Serve{};
  }

 private:
  std::vector<std::pair<wire::IdPayload, base::Ip6Addr>> targets_;
};

int run_respond(int argc, char** argv) {
  const auto args =
      parse_args(argc, argv, {"listen", "psk-file", "id", "pool", "timeout", "redirect-to",
                              "capacity", "ike-keylog", "cookie-threshold", "cert", "key", "ca",
                              "redirect-at-auth", "redirect-established-to", "after", "grace",
                              "delete-after", "dpd"},
                 {"once", "dump-keys", "verbose", "rsa-pss", "quiet", "exit-when-closed"});
  if (!args || !require(*args, {"listen", "id", "pool"})) {
    usage();
    return kExitUsage;
  }
  const auto listen = io::parse_address(args->values.at("listen"));
  const std::string pool_text = args->values.at("pool");
  const auto slash = pool_text.find('/');
  std::optional<base::Ip6Addr> prefix;
  int prefix_len = -1;
  if (slash != std::string::npos) {
    prefix = base::Ip6Addr::parse(pool_text.substr(0, slash));
    try {
      prefix_len = std::stoi(pool_text.substr(slash + 1));
    } catch (const std::exception&) {
      prefix_len = -1;
    }
  }
  const auto timeout = parse_seconds(*args, 86400);
  auto creds = load_credentials(*args);
  if (!listen || !prefix || prefix_len < 0 || prefix_len > 120 || !timeout || !creds) {
    std::cerr << "mip6-ike: bad --listen, --pool (PREFIX/LEN, LEN <= 120), --timeout or "
                 "credentials\n";
    return kExitUsage;
  }
  std::optional<base::Ip6Addr> redirect_to;
  if (auto it = args->values.find("redirect-to"); it != args->values.end()) {
    redirect_to = base::Ip6Addr::parse(it->second);
    if (!redirect_to) {
      std::cerr << "mip6-ike: bad --redirect-to " << it->second << " (an IPv6 address)\n";
      return kExitUsage;
    }
  }
  std::optional<std::uint64_t> capacity;
  if (auto it = args->values.find("capacity"); it != args->values.end()) {
    try {
      const long long v = std::stoll(it->second);
      if (v >= 0) {
        capacity = static_cast<std::uint64_t>(v);
      }
    } catch (const std::exception&) {
    }
    if (!capacity) {
      std::cerr << "mip6-ike: bad --capacity " << it->second << "\n";
      return kExitUsage;
    }
  }
  std::optional<std::uint32_t> cookie_threshold;
  if (auto it = args->values.find("cookie-threshold"); it != args->values.end()) {
    try {
      const long long v = std::stoll(it->second);
      if (v >= 0 && v <= 0xffffffffLL) {
        cookie_threshold = static_cast<std::uint32_t>(v);
      }
    } catch (const std::exception&) {
    }
    if (!cookie_threshold) {
      std::cerr << "mip6-ike: bad --cookie-threshold " << it->second << "\n";
      return kExitUsage;
    }
  }
  const bool dump_keys = args->flags.count("dump-keys") != 0;
  const bool once = args->flags.count("once") != 0;
  const bool quiet = args->flags.count("quiet") != 0;
  const base::Logger log = make_logger(args->flags.count("verbose") != 0);
  // INFORMATIONAL / RFC 5685 5-6 options (see the header comment).
  ToolAuthDecision auth_decision;
  if (auto it = args->values.find("redirect-at-auth");
      it != args->values.end() && !auth_decision.parse(it->second)) {
    std::cerr << "mip6-ike: bad --redirect-at-auth " << it->second << " (ID=ADDR,...)\n";
    return kExitUsage;
  }
  std::optional<base::Ip6Addr> redirect_established_to;
  if (auto it = args->values.find("redirect-established-to"); it != args->values.end()) {
    redirect_established_to = io::parse_address(it->second);
    if (!redirect_established_to) {
      std::cerr << "mip6-ike: bad --redirect-established-to " << it->second << "\n";
      return kExitUsage;
    }
  }
  bool options_ok = true;
  const auto redirect_after = seconds_option(*args, "after", options_ok);
  const auto redirect_grace = seconds_option(*args, "grace", options_ok);
  const auto delete_after = seconds_option(*args, "delete-after", options_ok);
  const auto dpd = seconds_option(*args, "dpd", options_ok);
  if (!options_ok) {
    return kExitUsage;
  }
  const bool exit_when_closed = args->flags.count("exit-when-closed") != 0;

  boost::asio::io_context io;
  crypto::OpenSslRandom random;
  crypto::OpenSslKeyExchangeFactory kex;
  engine::InMemoryAddressPool pool(*prefix, static_cast<std::uint8_t>(prefix_len), 256);
  auto keylog = open_keylog(*args);  // before the driver: it must outlive it
  if (!keylog) {
    return kExitUsage;
  }
  engine::Environment env{random, kex, *creds, &pool};
  if (!auth_decision.empty()) {
    env.auth_decision = &auth_decision;
  }
  io::IkeDriver driver(io, env, log);
  driver.set_keylog(keylog->get());
  for (const std::uint16_t port : {io::kIkePort, io::kNatTPort}) {
    if (auto ok = driver.listen({*listen, port}); !ok) {
      std::cerr << "mip6-ike: " << ok.error() << "\n";
      return kExitFailed;
    }
  }
  ToolDecision decision(capacity, redirect_to);
  engine::IkeSaConfig sa_config = base_config(args->values.at("id"));
  const auto lifecycle = parse_lifecycle(*args);
  if (!lifecycle || !apply_proposals(*args, sa_config)) {
    return kExitUsage;
  }
  apply_lifecycle(*lifecycle, sa_config);
  std::vector<std::unique_ptr<boost::asio::steady_timer>> lifecycle_timers;
  if (dpd) {
    sa_config.dpd_interval = std::chrono::seconds(*dpd);
  }
  if (redirect_grace) {
    sa_config.auth_redirect_grace = std::chrono::seconds(*redirect_grace);
  }
  if (capacity || redirect_to || cookie_threshold) {
    engine::IkeResponderConfig rc;
    rc.sa = sa_config;
    if (cookie_threshold) {
      rc.cookie_threshold = *cookie_threshold;
    }
    driver.accept_responders(std::move(rc), decision);
  } else {
    driver.accept_responders(sa_config);
  }

  int exit_code = kExitFailed;
  std::list<boost::asio::steady_timer> sa_timers;
  boost::asio::steady_timer deadline(io, std::chrono::seconds(*timeout));
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  auto finish = [&] {
    driver.stop();
    deadline.cancel();
    signals.cancel();
    for (auto& t : sa_timers) {
      t.cancel();
    }
  };
  // Commands on established SAs, timed from their establishment (--after, --delete-after).
  auto on_sa_event = [&](const engine::IkeSa* sa, wire::Spi spi_r, const engine::Output& out) {
    if (auto j = event_json(out)) {
      (*j)["spi_r"] = wire::to_string(spi_r);
      if (sa != nullptr) {
        (*j)["spi_i"] = wire::to_string(sa->spi_i());
      }
      std::cout << j->dump() << std::endl;
    }
    if (std::holds_alternative<engine::SaDeleted>(out) && exit_when_closed) {
      exit_code = kExitEstablished;
      boost::asio::post(io, finish);
    }
    if (sa == nullptr || !std::holds_alternative<engine::SaEstablished>(out)) {
      return;
    }
    const io::IkeDriver::SaKey key = io::IkeDriver::key_of(*sa);
    auto schedule = [&](int seconds, std::function<base::Result<void>(engine::IkeSa&,
                                                                      base::TimePoint)> command,
                        std::string what) {
      auto& t = sa_timers.emplace_back(io, std::chrono::seconds(seconds));
      t.async_wait([&driver, key, command = std::move(command),
                    what = std::move(what)](const boost::system::error_code& ec) {
        if (ec) {
          return;
        }
        if (auto done = driver.with_sa(key, command); !done) {
          std::cerr << "mip6-ike: " << what << ": " << done.error() << "\n";
        }
      });
    };
    if (redirect_established_to) {
      const auto target = wire::GwIdentity::ipv6(*redirect_established_to);
      const auto grace = std::chrono::seconds(redirect_grace.value_or(30));
      schedule(redirect_after.value_or(0),
               [target, grace](engine::IkeSa& s, base::TimePoint now) {
                 return s.redirect(target, grace, now);
               },
               "redirect");
    }
    if (delete_after) {
      schedule(*delete_after,
               [](engine::IkeSa& s, base::TimePoint now) { return s.request_delete(now); },
               "delete");
    }
  };
  // Child SA and establishment arrive together for one SA; one line per SA when it settles.
  std::map<std::uint64_t, SaReport> reports;
  driver.set_event_sink([&](const engine::IkeSa& sa, const engine::Output& out) {
    on_sa_event(&sa, sa.spi_r(), out);
    if (lifecycle->any()) {
      if (auto line = lifecycle_event(sa, out, dump_keys)) {
        std::cout << line->dump() << std::endl;
      }
      if (lifecycle->create_child_after && std::holds_alternative<engine::SaEstablished>(out)) {
        schedule_create_child(io, driver, sa, sa_config.child, *lifecycle->create_child_after,
                              lifecycle_timers);
      }
    }
    auto& r = reports[sa.spi_i().value()];
    r.add(sa, out, dump_keys);
    const bool settled = std::holds_alternative<engine::SaEstablished>(out) ||
                         std::holds_alternative<engine::SaFailed>(out);
    if (!settled) {
      return;
    }
    // The Child SA output follows SaEstablished in the same drain; print after the drain.
    boost::asio::post(io, [&, spi = sa.spi_i().value()] {
      auto it = reports.find(spi);
      if (it == reports.end()) {
        return;
      }
      it->second.j["result"] = it->second.established ? "established" : "failed";
      std::cout << it->second.j.dump() << std::endl;
      const bool ok = it->second.established;
      reports.erase(it);
      if (once) {
        exit_code = ok ? kExitEstablished : kExitFailed;
        finish();
      }
    });
  });
  driver.set_responder_sink([&](const engine::ResponderOutput& out, const engine::IkeSa* sa) {
    if (const auto* d = std::get_if<engine::InitDecided>(&out)) {
      if (quiet) {
        return;
      }
      json j;
      j["decision"] = std::string(decision_word(d->outcome));
      j["outcome"] = std::string(engine::to_string(d->outcome));
      j["reason"] = d->outcome == engine::InitOutcome::RedirectForbidden
                        ? std::string("peer did not announce redirect support")
                        : decision.last_reason();
      j["peer"] = io::address_to_string(d->path.remote.address);
      j["spi_i"] = wire::to_string(d->spi_i);
      j["redirect_supported"] = d->redirect_supported;
      if (d->target) {
        j["target"] = gw_to_string(*d->target);
      }
      if (d->notify) {
        j["notify"] = std::string(wire::to_string(*d->notify));
      }
      std::cout << j.dump() << std::endl;
      return;
    }
    // A failed SA is gone before its outputs are reported: print its line here.
    const auto* e = std::get_if<engine::ResponderSaEvent>(&out);
    if (sa != nullptr || e == nullptr) {
      return;
    }
    on_sa_event(nullptr, e->spi_r, e->output);
    if (const auto* f = std::get_if<engine::SaFailed>(&e->output)) {
      json j;
      j["role"] = "responder";
      j["spi_r"] = wire::to_string(e->spi_r);
      j["reason"] = std::string(engine::to_string(f->reason));
      if (!f->detail.empty()) {
        j["detail"] = std::string(f->detail);
      }
      j["result"] = "failed";
      std::cout << j.dump() << std::endl;
      if (once) {
        exit_code = kExitFailed;
        boost::asio::post(io, finish);
      }
    }
  });
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) {
      finish();
    }
  });
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) {
      exit_code = kExitEstablished;  // a stopped long-running responder is not a failure
      finish();
    }
  });
  io.run();
  if (const auto* front = driver.responder()) {
    // What the front still holds at exit (a redirecting gateway must hold nothing).
    json j;
    j["summary"] = true;
    j["sa_count"] = front->sa_count();
    j["half_open"] = front->half_open();
    for (std::size_t i = 0; i < static_cast<std::size_t>(engine::ResponderCounter::kCount); ++i) {
      const auto c = static_cast<engine::ResponderCounter>(i);
      j["counters"][std::string(engine::to_string(c))] = front->counters().get(c);
    }
    std::cout << j.dump() << std::endl;
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) {
      usage();
      return kExitUsage;
    }
    const std::string cmd = argv[1];
    if (cmd == "initiate") {
      return run_initiate(argc, argv);
    }
    if (cmd == "respond") {
      return run_respond(argc, argv);
    }
    usage();
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "mip6-ike: " << e.what() << "\n";
    return kExitFailed;
  }
}
