#include "ike/engine/tasks/child_create.h"

#include <algorithm>
#include <utility>

#include "ike/engine/sa_context.h"
#include "ike/engine/tasks/child_delete.h"
#include "ike/engine/tasks/ike_natd.h"
#include "ike/engine/tasks/payloads.h"

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

namespace {

// The SA pair to install from a negotiated suite; `role` is ours in this exchange (2.17).
InstallChildSa make_install(std::uint32_t spi_in, std::uint32_t spi_out, Role role,
                            crypto::ChildSaKeys keys, const EspSuite& suite,
                            std::vector<wire::TrafficSelector> ts_local,
                            std::vector<wire::TrafficSelector> ts_remote, bool transport,
                            const Path& path) {
  InstallChildSa install;
  install.spi_in = spi_in;
  install.spi_out = spi_out;
  install.role = role;
  install.keys = std::move(keys);
  install.encr = suite.encr;
  install.encr_key_bits = suite.encr_key_bits;
  install.integ = suite.integ;
  install.ts_local = std::move(ts_local);
  install.ts_remote = std::move(ts_remote);
  install.mode = transport ? ChildMode::Transport : ChildMode::Tunnel;
  install.path = path;
  return install;
}

// The responder's [N(USE_TRANSPORT_MODE)] SA [Nr] [KEr] TSi TSr; the chosen proposal carries
// our SPI. R7296-52: USE_TRANSPORT_MODE accepted is echoed.
void add_answer(std::vector<wire::Payload>& out, bool transport, wire::Proposal chosen,
                std::uint32_t spi_in, const std::vector<std::uint8_t>* nonce_r,
                const crypto::KeyExchange* kex, std::vector<wire::TrafficSelector> ts_i,
                const wire::TsPayload& tsr) {
  chosen.spi = esp_spi_bytes(spi_in);
  if (transport) {
    out.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::UseTransportMode)));
  }
  out.push_back(wire::make_payload(wire::SaPayload{{std::move(chosen)}}));
  if (nonce_r != nullptr) {
    out.push_back(wire::make_payload(wire::NoncePayload{*nonce_r}));
  }
  if (kex != nullptr) {
    out.push_back(make_ke_payload(*kex));
  }
  out.push_back(wire::make_ts_payload(true, wire::TsPayload{std::move(ts_i)}));
  out.push_back(wire::make_ts_payload(false, tsr));
}

// The payloads a Child SA exchange is made of (1.3.1, 1.2); null when absent.
struct ChildPayloads {
  explicit ChildPayloads(std::span<const wire::Payload> inner)
      : sa(wire::find_first<wire::SaPayload>(inner)),
        nonce(wire::find_first<wire::NoncePayload>(inner)),
        ke(wire::find_first<wire::KePayload>(inner)),
        tsi(find_ts(inner, wire::PayloadType::TsInitiator)),
        tsr(find_ts(inner, wire::PayloadType::TsResponder)) {}
  const wire::SaPayload* sa;
  const wire::NoncePayload* nonce;
  const wire::KePayload* ke;
  const wire::TsPayload* tsi;
  const wire::TsPayload* tsr;
};

bool wants_transport(std::span<const wire::Payload> inner) {
  return wire::find_notify(inner, wire::NotifyType::UseTransportMode) != nullptr;
}

}  // namespace

void install_child_sa(SaContext& sa, InstallChildSa install, base::TimePoint now) {
  annotate_encapsulation(sa, install);
  sa.child_sas.push_back(ChildSaRecord::from(install, now));
  sa.outputs.emplace_back(std::move(install));
}

// ---- IKE_AUTH --------------------------------------------------------------------------------

TaskStatus AuthChildCreate::build_request(std::vector<wire::Payload>& out, base::TimePoint) {
  const ChildSaConfig& config = sa_.config.child;
  if (!config.enabled) {
    return TaskStatus::Done;
  }
  spi_in_ = random_esp_spi(sa_.env.random);
  if (config.transport_mode) {
    out.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::UseTransportMode)));
  }
  out.push_back(wire::make_payload(make_esp_offer(config.esp, spi_in_)));
  out.push_back(wire::make_ts_payload(true, wire::TsPayload{config.ts_i}));
  out.push_back(wire::make_ts_payload(false, wire::TsPayload{config.ts_r}));
  return TaskStatus::Done;
}

TaskStatus AuthChildCreate::process_response(const InMessage& response) {
  const ChildSaConfig& config = sa_.config.child;
  const auto& inner = response.payloads;
  const ChildPayloads m(inner);
  if (!config.enabled || spi_in_ == 0 || m.sa == nullptr || m.tsi == nullptr || m.tsr == nullptr) {
    return TaskStatus::Done;  // refused by the responder (its notify), or nothing asked
  }
  const auto answer = accept_esp_answer_suite(config.esp, *m.sa);
  const bool transport = wants_transport(inner);
  if (!answer) {
    refused_ = "proposal_mismatch";  // R7296-14
    return TaskStatus::Done;
  }
  // R7296-52: we asked for transport mode and cannot use a tunnel-mode SA.
  if (config.transport_mode != transport) {
    refused_ = "mode_mismatch";
    return TaskStatus::Done;
  }
  // 2.9: narrowing only; anything wider or elsewhere is not what we asked to protect.
  if (!ts_subset_of(m.tsi->selectors, config.ts_i) ||
      !ts_subset_of(m.tsr->selectors, config.ts_r)) {
    refused_ = "ts_not_subset";
    ts_not_subset_ = true;
    return TaskStatus::Done;
  }
  auto keys = derive_child_keys(
      ChildKeyInput{*sa_.prf, sa_.keys->sk_d.view(), sa_.nonce_i, sa_.nonce_r}, answer->suite);
  if (!keys) {
    refused_ = "key_derivation";
    return TaskStatus::Done;
  }
  // TSi/TSr as narrowed by the responder.
  sa_.auth_child =
      make_install(spi_in_, answer->peer_spi, Role::Initiator, std::move(*keys), answer->suite,
                   m.tsi->selectors, m.tsr->selectors, transport, response.path);
  return TaskStatus::Done;
}

void AuthChildCreate::post_process(base::TimePoint) {
  if (refused_.empty() || sa_.state != IkeSaState::Established) {
    return;
  }
  // The responder installed a Child SA we will not use (e.g. TS wider than ours, 2.9):
  // counted, reported, and its half deleted at the peer (2.21.3).
  sa_.counters.inc(ts_not_subset_ ? IkeCounter::ChildTsNotSubsetRefused
                                  : IkeCounter::ChildCreateRefused);
  sa_.outputs.emplace_back(ChildSaCreateFailed{std::nullopt, 0, refused_});
  delete_refused_child(sa_, spi_in_, sa_.last_input);
}

TaskStatus AuthChildCreate::process_request(const InMessage& request) {
  const ChildSaConfig& config = sa_.config.child;
  const auto& inner = request.payloads;
  const ChildPayloads m(inner);
  if (m.sa == nullptr || m.tsi == nullptr || m.tsr == nullptr) {
    return TaskStatus::Done;  // no Child SA asked for
  }
  // RFC 4877 7.3 / 2.9: the Child SA is bound to the address we just assigned (TSi narrowed).
  std::vector<wire::TrafficSelector> ts_i = m.tsi->selectors;
  if (sa_.assigned_address) {
    ts_i = narrow_to_address(ts_i, sa_.assigned_address->address);
    if (ts_i.empty()) {
      sa_.counters.inc(IkeCounter::TsUnacceptableSent);
      answer_.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::TsUnacceptable)));
      return TaskStatus::Done;
    }
  }
  auto selection = config.enabled ? select_esp_proposal(config.esp, *m.sa) : std::nullopt;
  auto keys = selection ? derive_child_keys(ChildKeyInput{*sa_.prf, sa_.keys->sk_d.view(),
                                                          sa_.nonce_i, sa_.nonce_r},
                                            selection->suite)
                        : std::nullopt;
  if (!selection || !keys) {
    sa_.counters.inc(IkeCounter::NoProposalChosenSent);
    answer_.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::NoProposalChosen)));
    return TaskStatus::Done;
  }
  // R7296-52: a responder accepting USE_TRANSPORT_MODE echoes it.
  const bool transport = config.transport_mode && wants_transport(inner);
  spi_in_ = random_esp_spi(sa_.env.random);
  add_answer(answer_, transport, selection->chosen, spi_in_, nullptr, nullptr, ts_i, *m.tsr);
  sa_.auth_child =
      make_install(spi_in_, selection->peer_spi, Role::Responder, std::move(*keys),
                   selection->suite, m.tsr->selectors, std::move(ts_i), transport, request.path);
  return TaskStatus::Done;
}

TaskStatus AuthChildCreate::build_response(std::vector<wire::Payload>& out, base::TimePoint) {
  append_payloads(out, answer_);
  return TaskStatus::Done;
}

// ---- CREATE_CHILD_SA: initiator ----------------------------------------------------------------

ChildCreate::ChildCreate(SaContext& sa) : sa_(sa) {}

ChildCreate::ChildCreate(SaContext& sa, ChildSaConfig config)
    : sa_(sa),
      config_(std::move(config)),
      group_(config_.esp.dh_groups.empty() ? crypto::DhGroup::None
                                           : config_.esp.dh_groups.front()) {}

std::unique_ptr<ChildCreate> ChildCreate::again() const {
  return std::make_unique<ChildCreate>(sa_, config_);
}

TaskStatus ChildCreate::build_request(std::vector<wire::Payload>& out, base::TimePoint) {
  spi_in_ = random_esp_spi(sa_.env.random);
  nonce_i_ = sa_.env.random.bytes(sa_.config.nonce_size);  // fresh for every try (R7296-20)
  kex_.reset();
  if (group_ != crypto::DhGroup::None) {
    auto kex = sa_.env.key_exchanges.create(group_);
    if (!kex) {
      return TaskStatus::Failed;
    }
    kex_ = std::move(*kex);
  }
  if (config_.transport_mode) {
    out.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::UseTransportMode)));
  }
  out.push_back(wire::make_payload(make_esp_offer_pfs(config_.esp, spi_in_, group_)));
  out.push_back(wire::make_payload(wire::NoncePayload{nonce_i_}));
  if (kex_) {
    out.push_back(make_ke_payload(*kex_));  // R7296-17: a group of the SA offer
  }
  out.push_back(wire::make_ts_payload(true, wire::TsPayload{config_.ts_i}));
  out.push_back(wire::make_ts_payload(false, wire::TsPayload{config_.ts_r}));
  return TaskStatus::Done;
}

void ChildCreate::refused(std::optional<wire::NotifyType> notify, std::string_view detail) {
  sa_.counters.inc(IkeCounter::ChildCreateRefused);
  on_refused();
  sa_.outputs.emplace_back(ChildSaCreateFailed{notify, rekey_spi_in_, detail});
}

TaskStatus ChildCreate::process_response(const InMessage& response) {
  const base::TimePoint now = response.now;
  const auto& inner = response.payloads;
  if (const auto error = first_error(inner)) {
    if (*error == wire::NotifyType::InvalidKePayload) {
      // R7296-19 applied to CREATE_CHILD_SA (1.3): again with the group asked for, once per
      // group we offered.
      const auto* n = wire::find_notify(inner, wire::NotifyType::InvalidKePayload);
      const auto group = wire::decode_invalid_ke_payload(*n);
      const auto& groups = config_.esp.dh_groups;
      const auto wanted = std::find_if(groups.begin(), groups.end(), [&](crypto::DhGroup g) {
        return group && static_cast<std::uint16_t>(g) == *group;
      });
      if (wanted != groups.end() && *wanted != group_ &&
          invalid_ke_retries_ < sa_.config.max_invalid_ke_retries) {
        auto retry = again();
        retry->invalid_ke_retries_ = invalid_ke_retries_ + 1;
        sa_.counters.inc(IkeCounter::ChildCreateInvalidKeRetries);
        retry->group_ = *wanted;
        sa_.tasks.queue(wire::ExchangeType::CreateChildSa, std::move(retry), now);
        return TaskStatus::Done;
      }
    }
    on_peer_error(*error, now);
    refused(*error, "peer_error");  // R7296-54: an error notify fails the request
    return TaskStatus::Done;
  }
  const ChildPayloads m(inner);
  if (m.sa == nullptr || m.nonce == nullptr || m.tsi == nullptr || m.tsr == nullptr) {
    refused(std::nullopt, "missing_payload");
    return TaskStatus::Done;
  }
  const auto answer = accept_esp_answer_suite(config_.esp, *m.sa, group_);
  const bool transport = wants_transport(inner);
  if (!answer || transport != config_.transport_mode) {
    refused(std::nullopt, "proposal_mismatch");  // R7296-14, R7296-52
    delete_refused_child(sa_, spi_in_, now);     // the peer installed it (2.21.3)
    return TaskStatus::Done;
  }
  // 2.9: the responder may narrow our selectors, never widen or move them.
  if (!ts_subset_of(m.tsi->selectors, config_.ts_i) ||
      !ts_subset_of(m.tsr->selectors, config_.ts_r)) {
    sa_.counters.inc(IkeCounter::ChildTsNotSubsetRefused);
    refused(std::nullopt, "ts_not_subset");
    delete_refused_child(sa_, spi_in_, now);
    return TaskStatus::Done;
  }
  std::optional<base::SecretBytes> g_ir;
  if (kex_) {
    if (m.ke == nullptr || m.ke->dh_group != static_cast<std::uint16_t>(group_)) {
      refused(std::nullopt, "ke_mismatch");
      return TaskStatus::Done;
    }
    auto secret = kex_->compute_shared_secret(m.ke->data);
    if (!secret) {
      refused(std::nullopt, "bad_ke");
      return TaskStatus::Done;
    }
    g_ir = std::move(*secret);
  }
  // 2.17: KEYMAT = prf+(SK_d, [g^ir (new)] | Ni | Nr) with this exchange's nonces.
  auto keys =
      derive_child_keys(ChildKeyInput{*sa_.prf, sa_.keys->sk_d.view(), nonce_i_, m.nonce->data,
                                      g_ir ? g_ir->view() : std::span<const std::uint8_t>{}},
                        answer->suite);
  if (!keys) {
    refused(std::nullopt, "key_derivation");
    return TaskStatus::Done;
  }
  // Role: of this exchange, the _i keys protect what we send.
  install_child_sa(
      sa_,
      make_install(spi_in_, answer->peer_spi, Role::Initiator, std::move(*keys), answer->suite,
                   m.tsi->selectors, m.tsr->selectors, transport, sa_.path),
      now);
  on_installed(spi_in_, answer->peer_spi, m.nonce->data, now);
  return TaskStatus::Done;
}

void ChildCreate::on_peer_error(wire::NotifyType, base::TimePoint) {}

void ChildCreate::on_refused() {}

void ChildCreate::on_installed(std::uint32_t, std::uint32_t, std::span<const std::uint8_t>,
                               base::TimePoint) {
  sa_.counters.inc(IkeCounter::ChildSasCreated);
}

// ---- CREATE_CHILD_SA: responder ----------------------------------------------------------------

TaskStatus ChildCreate::refuse(const InMessage& request, wire::NotifyPayload notify,
                               IkeCounter counter) {
  sa_.counters.inc(counter);
  sa_.send_protected_error(request.path, request.header, request.bytes, std::move(notify));
  return TaskStatus::Handled;
}

std::optional<TaskStatus> ChildCreate::check_rekeyed(const InMessage&) {
  return std::nullopt;
}

TaskStatus ChildCreate::process_request(const InMessage& request) {
  const ChildSaConfig& config = sa_.config.child;
  const auto& inner = request.payloads;
  const ChildPayloads m(inner);
  if (m.sa == nullptr || m.nonce == nullptr || m.tsi == nullptr || m.tsr == nullptr) {
    return refuse(request, wire::make_notify(wire::NotifyType::InvalidSyntax),
                  IkeCounter::EstablishedInvalidSyntaxSent);
  }
  if (!config.enabled) {
    // 1.3: a responder that will not create more Child SAs on this IKE SA.
    return refuse(request, wire::make_notify(wire::NotifyType::NoAdditionalSas),
                  IkeCounter::NoAdditionalSasSent);
  }
  if (auto status = check_rekeyed(request)) {
    return *status;
  }
  const std::uint16_t ke_group = m.ke != nullptr ? m.ke->dh_group : 0;
  auto selection = select_esp_proposal_pfs(config.esp, *m.sa, ke_group);
  if (!selection) {
    return refuse(request, wire::make_notify(wire::NotifyType::NoProposalChosen),
                  IkeCounter::NoProposalChosenSent);  // R7296-12
  }
  if (selection->dh != crypto::DhGroup::None &&
      (m.ke == nullptr || m.ke->dh_group != static_cast<std::uint16_t>(selection->dh))) {
    // R7296-18 for CREATE_CHILD_SA: the group we want; the initiator retries.
    return refuse(request, wire::make_invalid_ke_payload(static_cast<std::uint16_t>(selection->dh)),
                  IkeCounter::InvalidKePayloadSent);
  }
  // 2.9, RFC 4877 7.3 (R4877-39): a peer we gave a home address gets SAs for it only.
  std::vector<wire::TrafficSelector> ts_i = m.tsi->selectors;
  if (sa_.env.addresses != nullptr && sa_.assigned_address) {
    ts_i = narrow_to_address(ts_i, sa_.assigned_address->address);
  }
  if (ts_i.empty()) {
    return refuse(request, wire::make_notify(wire::NotifyType::TsUnacceptable),
                  IkeCounter::TsUnacceptableSent);
  }
  std::optional<base::SecretBytes> g_ir;
  if (selection->dh != crypto::DhGroup::None) {
    auto created = sa_.env.key_exchanges.create(selection->dh);
    if (!created) {
      return refuse(request, wire::make_notify(wire::NotifyType::NoProposalChosen),
                    IkeCounter::NoProposalChosenSent);
    }
    kex_ = std::move(*created);
    auto secret = kex_->compute_shared_secret(m.ke->data);
    if (!secret) {
      return refuse(request, wire::make_notify(wire::NotifyType::InvalidSyntax),
                    IkeCounter::EstablishedInvalidSyntaxSent);  // bad KE value (RFC 6989)
    }
    g_ir = std::move(*secret);
  }
  nonce_i_ = m.nonce->data;
  nonce_r_ = sa_.env.random.bytes(sa_.config.nonce_size);
  auto keys =
      derive_child_keys(ChildKeyInput{*sa_.prf, sa_.keys->sk_d.view(), nonce_i_, nonce_r_,
                                      g_ir ? g_ir->view() : std::span<const std::uint8_t>{}},
                        selection->suite);
  if (!keys) {
    return refuse(request, wire::make_notify(wire::NotifyType::NoProposalChosen),
                  IkeCounter::NoProposalChosenSent);
  }
  // R7296-52: USE_TRANSPORT_MODE accepted is echoed.
  const bool transport = config.transport_mode && wants_transport(inner);
  spi_in_ = random_esp_spi(sa_.env.random);
  add_answer(answer_, transport, selection->chosen, spi_in_, &nonce_r_, kex_.get(), ts_i, *m.tsr);
  // Role: of this exchange (2.17).
  install_ = make_install(spi_in_, selection->peer_spi, Role::Responder, std::move(*keys),
                          selection->suite, m.tsr->selectors, std::move(ts_i), transport, sa_.path);
  return TaskStatus::Done;
}

TaskStatus ChildCreate::build_response(std::vector<wire::Payload>& out, base::TimePoint) {
  append_payloads(out, answer_);
  return TaskStatus::Done;
}

void ChildCreate::post_build(base::TimePoint now) {
  if (!install_) {
    return;  // initiator: our request is out
  }
  const std::uint32_t new_out = install_->spi_out;
  install_child_sa(sa_, std::move(*install_), now);
  install_.reset();
  on_peer_installed(spi_in_, new_out, now);
}

void ChildCreate::on_peer_installed(std::uint32_t, std::uint32_t, base::TimePoint) {
  sa_.counters.inc(IkeCounter::ChildSasCreated);
}

base::Result<void> create_child(SaContext& sa, ChildSaConfig config, base::TimePoint now) {
  if (sa.state != IkeSaState::Established || !sa.keys) {
    return base::fail(base::Error{"wrong_state", "create_child needs an established SA"});
  }
  sa.tasks.queue(wire::ExchangeType::CreateChildSa,
                 std::make_unique<ChildCreate>(sa, std::move(config)), now);
  return {};
}

}  // namespace ike::engine
