#include "ike/engine/child_create.h"

#include <algorithm>

namespace ike::engine {

std::uint32_t random_esp_spi(crypto::RandomSource& random) {
  std::uint32_t v = 0;
  while (v < 256) {  // 1..255 are reserved (RFC 4303 2.1)
    v = 0;
    for (std::uint8_t x : random.bytes(4)) {
      v = (v << 8) | x;
    }
  }
  return v;
}

namespace {

const wire::TsPayload* find_ts(std::span<const wire::Payload> payloads, wire::PayloadType type) {
  for (const auto& p : payloads) {
    if (p.type == type) {
      return p.get<wire::TsPayload>();
    }
  }
  return nullptr;
}

}  // namespace

std::vector<wire::TrafficSelector> narrow_to_address(
    const std::vector<wire::TrafficSelector>& offered, const base::Ip6Addr& address) {
  std::vector<wire::TrafficSelector> out;
  const auto& a = address.bytes();
  for (const auto& ts : offered) {
    const auto start = ts.ipv6_start();
    const auto end = ts.ipv6_end();
    if (ts.type != wire::TsType::Ipv6AddrRange || !start || !end) {
      continue;
    }
    const auto& s = start->bytes();
    const auto& e = end->bytes();
    // Big-endian octet strings compare like the addresses.
    if (std::lexicographical_compare(a.begin(), a.end(), s.begin(), s.end()) ||
        std::lexicographical_compare(e.begin(), e.end(), a.begin(), a.end())) {
      continue;
    }
    wire::TrafficSelector narrowed = ts;
    narrowed.start_address.assign(a.begin(), a.end());
    narrowed.end_address.assign(a.begin(), a.end());
    if (std::find(out.begin(), out.end(), narrowed) == out.end()) {
      out.push_back(std::move(narrowed));
    }
  }
  return out;
}

namespace {

bool octets_le(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
  return !std::lexicographical_compare(b.begin(), b.end(), a.begin(), a.end());
}

bool ts_within(const wire::TrafficSelector& n, const wire::TrafficSelector& p) {
  if (n == p) {
    return true;
  }
  if (!n.is_known_type() || n.type != p.type || n.start_address.size() != p.start_address.size() ||
      n.end_address.size() != p.end_address.size() ||
      n.start_address.size() != n.end_address.size()) {
    return false;
  }
  if (p.ip_protocol != wire::kIpProtoAny && p.ip_protocol != n.ip_protocol) {
    return false;
  }
  // Big-endian octet strings compare like the addresses and ports.
  return p.start_port <= n.start_port && n.start_port <= n.end_port && n.end_port <= p.end_port &&
         octets_le(p.start_address, n.start_address) && octets_le(n.start_address, n.end_address) &&
         octets_le(n.end_address, p.end_address);
}

}  // namespace

bool ts_subset_of(const std::vector<wire::TrafficSelector>& answer,
                  const std::vector<wire::TrafficSelector>& proposed) {
  return !answer.empty() && std::all_of(answer.begin(), answer.end(), [&](const auto& n) {
    return std::any_of(proposed.begin(), proposed.end(),
                       [&](const auto& p) { return ts_within(n, p); });
  });
}

std::optional<crypto::ChildSaKeys> derive_child_keys(const ChildKeyInput& keys,
                                                     const EspSuite& suite) {
  auto sizes = crypto::child_key_sizes(suite.encr, suite.encr_key_bits, suite.integ);
  if (!sizes) {
    return std::nullopt;
  }
  // R7296-26: KEYMAT = prf+(SK_d, [g^ir] | Ni | Nr); no g^ir for the Child SA of IKE_AUTH.
  auto derived = crypto::derive_child_sa_keys(keys.prf, keys.sk_d, keys.g_ir, keys.nonce_i,
                                              keys.nonce_r, *sizes);
  if (!derived) {
    return std::nullopt;
  }
  return std::move(*derived);
}

void ChildCreateTask::build_request(crypto::RandomSource& random, std::vector<wire::Payload>& out) {
  spi_in_ = random_esp_spi(random);
  if (config_.transport_mode) {
    out.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::UseTransportMode)));
  }
  out.push_back(wire::make_payload(make_esp_offer(config_.esp, spi_in_)));
  out.push_back(wire::make_ts_payload(true, wire::TsPayload{config_.ts_i}));
  out.push_back(wire::make_ts_payload(false, wire::TsPayload{config_.ts_r}));
}

std::optional<InstallChildSa> ChildCreateTask::process_response(
    std::span<const wire::Payload> inner, const ChildKeyInput& keys, const Path& path) const {
  return process_response_checked(inner, keys, path).install;
}

ChildCreateTask::Outcome ChildCreateTask::process_response_checked(
    std::span<const wire::Payload> inner, const ChildKeyInput& keys, const Path& path) const {
  Outcome out;
  const auto* sa = wire::find_first<wire::SaPayload>(inner);
  const auto* tsi = find_ts(inner, wire::PayloadType::TsInitiator);
  const auto* tsr = find_ts(inner, wire::PayloadType::TsResponder);
  if (!config_.enabled || spi_in_ == 0 || sa == nullptr || tsi == nullptr || tsr == nullptr) {
    return out;  // refused by the responder (its notify), or nothing asked
  }
  const auto answer = accept_esp_answer_suite(config_.esp, *sa);
  const bool transport = wire::find_notify(inner, wire::NotifyType::UseTransportMode) != nullptr;
  if (!answer) {
    out.refused = "proposal-mismatch";  // R7296-14
    return out;
  }
  // R7296-52: we asked for transport mode and cannot use a tunnel-mode SA.
  if (config_.transport_mode != transport) {
    out.refused = "mode-mismatch";
    return out;
  }
  // 2.9: narrowing only; anything wider or elsewhere is not what we asked to protect.
  if (!ts_subset_of(tsi->selectors, config_.ts_i) || !ts_subset_of(tsr->selectors, config_.ts_r)) {
    out.refused = "ts-not-subset";
    out.ts_not_subset = true;
    return out;
  }
  auto child_keys = derive_child_keys(keys, answer->suite);
  if (!child_keys) {
    out.refused = "key-derivation";
    return out;
  }
  InstallChildSa install;
  install.spi_in = spi_in_;
  install.spi_out = answer->peer_spi;
  install.role = Role::Initiator;
  install.keys = std::move(*child_keys);
  install.encr = answer->suite.encr;
  install.encr_key_bits = answer->suite.encr_key_bits;
  install.integ = answer->suite.integ;
  install.ts_local = tsi->selectors;  // as narrowed by the responder
  install.ts_remote = tsr->selectors;
  install.mode = transport ? ChildMode::Transport : ChildMode::Tunnel;
  install.path = path;
  out.install = std::move(install);
  return out;
}

ChildCreateTask::Answer ChildCreateTask::process_request(
    std::span<const wire::Payload> inner, crypto::RandomSource& random, const ChildKeyInput& keys,
    const Path& path, std::optional<base::Ip6Addr> narrow_ts_i_to) {
  Answer out;
  const auto* sa = wire::find_first<wire::SaPayload>(inner);
  const auto* tsi = find_ts(inner, wire::PayloadType::TsInitiator);
  const auto* tsr = find_ts(inner, wire::PayloadType::TsResponder);
  if (sa == nullptr || tsi == nullptr || tsr == nullptr) {
    return out;
  }
  // 2.9: TSi narrowed to the address we assigned (RFC 4877 7.3: SAs are bound to the HoA).
  std::vector<wire::TrafficSelector> ts_i = tsi->selectors;
  if (narrow_ts_i_to) {
    ts_i = narrow_to_address(ts_i, *narrow_ts_i_to);
    if (ts_i.empty()) {
      out.ts_unacceptable = true;
      out.payloads.push_back(
          wire::make_payload(wire::make_notify(wire::NotifyType::TsUnacceptable)));
      return out;
    }
  }
  auto selection = config_.enabled ? select_esp_proposal(config_.esp, *sa) : std::nullopt;
  auto child_keys = selection ? derive_child_keys(keys, selection->suite) : std::nullopt;
  if (!selection || !child_keys) {
    out.no_proposal_chosen = true;
    out.payloads.push_back(
        wire::make_payload(wire::make_notify(wire::NotifyType::NoProposalChosen)));
    return out;
  }
  // R7296-52: a responder accepting USE_TRANSPORT_MODE echoes it.
  const bool transport = config_.transport_mode &&
                         wire::find_notify(inner, wire::NotifyType::UseTransportMode) != nullptr;
  spi_in_ = random_esp_spi(random);
  wire::Proposal chosen = selection->chosen;
  chosen.spi = esp_spi_bytes(spi_in_);
  if (transport) {
    out.payloads.push_back(
        wire::make_payload(wire::make_notify(wire::NotifyType::UseTransportMode)));
  }
  out.payloads.push_back(wire::make_payload(wire::SaPayload{{chosen}}));
  out.payloads.push_back(wire::make_ts_payload(true, wire::TsPayload{ts_i}));
  out.payloads.push_back(wire::make_ts_payload(false, *tsr));
  InstallChildSa install;
  install.spi_in = spi_in_;
  install.spi_out = selection->peer_spi;
  install.role = Role::Responder;
  install.keys = std::move(*child_keys);
  install.encr = selection->suite.encr;
  install.encr_key_bits = selection->suite.encr_key_bits;
  install.integ = selection->suite.integ;
  install.ts_local = tsr->selectors;
  install.ts_remote = ts_i;
  install.mode = transport ? ChildMode::Transport : ChildMode::Tunnel;
  install.path = path;
  out.install = std::move(install);
  return out;
}

}  // namespace ike::engine
