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

std::optional<crypto::ChildSaKeys> ChildCreateTask::derive(const ChildKeyInput& keys) const {
  auto sizes = crypto::child_key_sizes(crypto::EncrAlgorithm::AesGcm16, config_.esp.gcm16_key_bits,
                                       crypto::IntegAlgorithm::None);
  if (!sizes) {
    return std::nullopt;
  }
  // R7296-26: KEYMAT = prf+(SK_d, Ni | Nr); no g^ir for the Child SA of IKE_AUTH.
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
  const auto* sa = wire::find_first<wire::SaPayload>(inner);
  const auto* tsi = find_ts(inner, wire::PayloadType::TsInitiator);
  const auto* tsr = find_ts(inner, wire::PayloadType::TsResponder);
  if (!config_.enabled || spi_in_ == 0 || sa == nullptr || tsi == nullptr || tsr == nullptr) {
    return std::nullopt;
  }
  const auto peer_spi = accept_esp_answer(config_.esp, *sa);
  const bool transport = wire::find_notify(inner, wire::NotifyType::UseTransportMode) != nullptr;
  // R7296-52: we asked for transport mode and cannot use a tunnel-mode SA.
  if (!peer_spi || (config_.transport_mode && !transport) ||
      (!config_.transport_mode && transport)) {
    return std::nullopt;
  }
  auto child_keys = derive(keys);
  if (!child_keys) {
    return std::nullopt;
  }
  InstallChildSa install;
  install.spi_in = spi_in_;
  install.spi_out = *peer_spi;
  install.role = Role::Initiator;
  install.keys = std::move(*child_keys);
  install.encr_key_bits = config_.esp.gcm16_key_bits;
  install.ts_local = tsi->selectors;
  install.ts_remote = tsr->selectors;
  install.mode = transport ? ChildMode::Transport : ChildMode::Tunnel;
  install.path = path;
  return install;
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
  auto child_keys = selection ? derive(keys) : std::nullopt;
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
  chosen.spi = make_esp_offer(config_.esp, spi_in_).proposals[0].spi;
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
  install.encr_key_bits = config_.esp.gcm16_key_bits;
  install.ts_local = tsr->selectors;
  install.ts_remote = ts_i;
  install.mode = transport ? ChildMode::Transport : ChildMode::Tunnel;
  install.path = path;
  out.install = std::move(install);
  return out;
}

}  // namespace ike::engine
