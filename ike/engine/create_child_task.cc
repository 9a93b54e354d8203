// CREATE_CHILD_SA for Child SAs (RFC 7296 1.3.1, 1.3.3, 2.8, 2.8.1, 2.9, 2.17, 2.25), both
// roles: new Child SAs with optional PFS, Child SA rekeys with N(REKEY_SA) and their
// collisions, TS narrowing to the CP-assigned address (RFC 4877 7.3), and the soft / hard
// lifetimes that start rekeys. IKE SA rekey requests are handed to ike_rekey_task.cc.
#include <algorithm>

#include "ike/engine/ike_sa.h"
#include "ike/wire/delete_payload.h"

namespace ike::engine {

// One CREATE_CHILD_SA of ours. Its LocalExchange closures share it (std::function needs
// copyable captures, hence shared_ptr): build fills in the SPI, nonce and KE it sent,
// on_response reads them.
struct IkeSa::PendingChild {
  ChildSaConfig config;
  std::uint32_t rekey_spi_in = 0;  // the Child SA being rekeyed; 0 for a new one
  crypto::DhGroup group = crypto::DhGroup::None;
  unsigned invalid_ke_retries = 0;
  std::uint32_t spi_in = 0;
  std::vector<std::uint8_t> nonce_i;
  std::unique_ptr<crypto::KeyExchange> kex;
};

namespace {

const wire::TsPayload* find_ts(std::span<const wire::Payload> payloads, wire::PayloadType type) {
  for (const auto& p : payloads) {
    if (p.type == type) {
      return p.get<wire::TsPayload>();
    }
  }
  return nullptr;
}

std::optional<std::uint32_t> spi32_of(const std::vector<std::uint8_t>& spi) {
  if (spi.size() != 4) {
    return std::nullopt;
  }
  return (std::uint32_t{spi[0]} << 24) | (std::uint32_t{spi[1]} << 16) |
         (std::uint32_t{spi[2]} << 8) | std::uint32_t{spi[3]};
}

// A notify about one ESP SA (CHILD_SA_NOT_FOUND, 3.10.1: with the SPI it concerns).
wire::NotifyPayload esp_notify(wire::NotifyType type, std::uint32_t spi) {
  wire::NotifyPayload n = wire::make_rekey_sa(wire::ProtocolId::Esp, spi);
  n.type = type;
  return n;
}

std::optional<wire::NotifyType> first_error(std::span<const wire::Payload> inner) {
  for (const auto& p : inner) {
    const auto* n = p.get<wire::NotifyPayload>();
    if (n != nullptr && wire::is_error_notify(n->type)) {
      return n->type;
    }
  }
  return std::nullopt;
}

}  // namespace

// ---- initiator ---------------------------------------------------------------------------

base::Result<void> IkeSa::create_child(ChildSaConfig config, base::TimePoint now) {
  if (state_ != IkeSaState::Established || !keys_) {
    return base::fail(base::Error{"wrong-state", "create_child needs an established SA"});
  }
  auto pending = std::make_shared<PendingChild>();
  pending->group =
      config.esp.dh_groups.empty() ? crypto::DhGroup::None : config.esp.dh_groups.front();
  pending->config = std::move(config);
  queue_child_exchange(std::move(pending), now);
  return {};
}

base::Result<void> IkeSa::rekey_child(std::uint32_t spi_in, base::TimePoint now) {
  if (state_ != IkeSaState::Established || !keys_) {
    return base::fail(base::Error{"wrong-state", "rekey_child needs an established SA"});
  }
  ChildSaRecord* child = find_child_by_inbound(spi_in);
  if (child == nullptr || child->deleting || child->replaced || child->rekeying) {
    return base::fail(base::Error{"no-child", "no such Child SA, or it is going away"});
  }
  child->rekeying = true;
  child->rekey_retry_at = base::kNever;
  // 2.8: the new SA repeats the old one's selectors and mode; our configured suite and PFS.
  auto pending = std::make_shared<PendingChild>();
  pending->config = config_.child;
  pending->config.esp = esp_config_for(EspSuite{child->encr, child->encr_key_bits, child->integ},
                                       config_.child.esp.dh_groups);
  pending->config.ts_i = child->ts_local;
  pending->config.ts_r = child->ts_remote;
  pending->config.transport_mode = child->mode == ChildMode::Transport;
  pending->rekey_spi_in = spi_in;
  pending->group = pending->config.esp.dh_groups.empty() ? crypto::DhGroup::None
                                                         : pending->config.esp.dh_groups.front();
  queue_child_exchange(std::move(pending), now);
  return {};
}

void IkeSa::queue_child_exchange(std::shared_ptr<PendingChild> pending, base::TimePoint now) {
  LocalExchange ex;
  ex.exchange = wire::ExchangeType::CreateChildSa;
  ex.name = pending->rekey_spi_in != 0 ? "rekey-child" : "create-child";
  ex.build = [this, pending]() -> base::Result<std::vector<wire::Payload>> {
    PendingChild& p = *pending;
    if (p.rekey_spi_in != 0) {
      const ChildSaRecord* old = find_child_by_inbound(p.rekey_spi_in);
      if (old == nullptr || old->deleting || old->replaced) {
        return base::fail(base::Error{"no-child", "the Child SA went away before its rekey"});
      }
    }
    p.spi_in = random_esp_spi(env_.random);
    p.nonce_i = env_.random.bytes(config_.nonce_size);  // fresh for every try (R7296-20)
    p.kex.reset();
    if (p.group != crypto::DhGroup::None) {
      auto kex = env_.key_exchanges.create(p.group);
      if (!kex) {
        return base::fail(kex.error());
      }
      p.kex = std::move(*kex);
    }
    std::vector<wire::Payload> out;
    if (p.rekey_spi_in != 0) {
      // 1.3.3: the SPI we receive on, which is the one the peer sends with.
      out.push_back(wire::make_payload(wire::make_rekey_sa(wire::ProtocolId::Esp, p.rekey_spi_in)));
    }
    if (p.config.transport_mode) {
      out.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::UseTransportMode)));
    }
    out.push_back(wire::make_payload(make_esp_offer_pfs(p.config.esp, p.spi_in, p.group)));
    out.push_back(wire::make_payload(wire::NoncePayload{p.nonce_i}));
    if (p.kex) {
      wire::KePayload ke;
      ke.dh_group = static_cast<std::uint16_t>(p.group);  // R7296-17: a group of the SA offer
      const auto pub = p.kex->public_value();
      ke.data.assign(pub.begin(), pub.end());
      out.push_back(wire::make_payload(std::move(ke)));
    }
    out.push_back(wire::make_ts_payload(true, wire::TsPayload{p.config.ts_i}));
    out.push_back(wire::make_ts_payload(false, wire::TsPayload{p.config.ts_r}));
    return out;
  };
  ex.on_response = [this, pending](const Path&, const OpenedMessage& response, base::TimePoint at) {
    on_child_response(pending, response, at);
  };
  queue_exchange(std::move(ex), now);
}

void IkeSa::on_child_response(const std::shared_ptr<PendingChild>& pending,
                              const OpenedMessage& response, base::TimePoint now) {
  PendingChild& p = *pending;
  const auto& inner = response.inner.payloads;
  auto refused = [&](std::optional<wire::NotifyType> notify, std::string_view detail) {
    counters_.inc(IkeCounter::ChildCreateRefused);
    if (ChildSaRecord* old = find_child_by_inbound(p.rekey_spi_in); old != nullptr) {
      old->rekeying = false;
    }
    outputs_.emplace_back(ChildSaCreateFailed{notify, p.rekey_spi_in, detail});
  };
  if (const auto error = first_error(inner)) {
    if (*error == wire::NotifyType::InvalidKePayload) {
      // R7296-19 applied to CREATE_CHILD_SA (1.3): again with the group asked for, once per
      // group we offered.
      const auto* n = wire::find_notify(inner, wire::NotifyType::InvalidKePayload);
      const auto group = wire::decode_invalid_ke_payload(*n);
      const auto& groups = p.config.esp.dh_groups;
      const auto wanted = std::find_if(groups.begin(), groups.end(), [&](crypto::DhGroup g) {
        return group && static_cast<std::uint16_t>(g) == *group;
      });
      if (wanted != groups.end() && *wanted != p.group &&
          p.invalid_ke_retries < config_.max_invalid_ke_retries) {
        ++p.invalid_ke_retries;
        counters_.inc(IkeCounter::ChildCreateInvalidKeRetries);
        p.group = *wanted;
        queue_child_exchange(pending, now);
        return;
      }
    }
    if (*error == wire::NotifyType::TemporaryFailure && p.rekey_spi_in != 0) {
      // 2.25: the peer is busy with this SA (e.g. its own rekey of it survived). Unless its
      // rekey already replaced the SA, try again later.
      const auto crossing =
          std::find_if(peer_child_rekeys_.begin(), peer_child_rekeys_.end(),
                       [&](const PeerChildRekey& r) { return r.old_spi_in == p.rekey_spi_in; });
      if (crossing != peer_child_rekeys_.end()) {
        peer_child_rekeys_.erase(crossing);
        if (ChildSaRecord* old = find_child_by_inbound(p.rekey_spi_in)) {
          old->replaced = true;  // the peer's new SA survives; the peer deletes this one
        }
      } else if (ChildSaRecord* old = find_child_by_inbound(p.rekey_spi_in)) {
        old->rekey_retry_at = now + config_.rekey_retry_interval;
      }
    }
    refused(*error, "peer-error");  // R7296-54: an error notify fails the request
    return;
  }
  const auto* sa = wire::find_first<wire::SaPayload>(inner);
  const auto* nonce = wire::find_first<wire::NoncePayload>(inner);
  const auto* ke = wire::find_first<wire::KePayload>(inner);
  const auto* tsi = find_ts(inner, wire::PayloadType::TsInitiator);
  const auto* tsr = find_ts(inner, wire::PayloadType::TsResponder);
  if (sa == nullptr || nonce == nullptr || tsi == nullptr || tsr == nullptr) {
    refused(std::nullopt, "missing-payload");
    return;
  }
  const auto answer = accept_esp_answer_suite(p.config.esp, *sa, p.group);
  const bool transport = wire::find_notify(inner, wire::NotifyType::UseTransportMode) != nullptr;
  if (!answer || transport != p.config.transport_mode) {
    refused(std::nullopt, "proposal-mismatch");  // R7296-14, R7296-52
    delete_refused_child(p.spi_in, now);         // the peer installed it (2.21.3)
    return;
  }
  // 2.9: the responder may narrow our selectors, never widen or move them.
  if (!ts_subset_of(tsi->selectors, p.config.ts_i) ||
      !ts_subset_of(tsr->selectors, p.config.ts_r)) {
    counters_.inc(IkeCounter::ChildTsNotSubsetRefused);
    refused(std::nullopt, "ts-not-subset");
    delete_refused_child(p.spi_in, now);
    return;
  }
  std::optional<base::SecretBytes> g_ir;
  if (p.kex) {
    if (ke == nullptr || ke->dh_group != static_cast<std::uint16_t>(p.group)) {
      refused(std::nullopt, "ke-mismatch");
      return;
    }
    auto secret = p.kex->compute_shared_secret(ke->data);
    if (!secret) {
      refused(std::nullopt, "bad-ke");
      return;
    }
    g_ir = std::move(*secret);
  }
  // 2.17: KEYMAT = prf+(SK_d, [g^ir (new)] | Ni | Nr) with this exchange's nonces.
  auto keys =
      derive_child_keys(ChildKeyInput{*prf_, keys_->sk_d.view(), p.nonce_i, nonce->data,
                                      g_ir ? g_ir->view() : std::span<const std::uint8_t>{}},
                        answer->suite);
  if (!keys) {
    refused(std::nullopt, "key-derivation");
    return;
  }
  InstallChildSa install;
  install.spi_in = p.spi_in;
  install.spi_out = answer->peer_spi;
  install.role = Role::Initiator;  // of this exchange: the _i keys protect what we send
  install.keys = std::move(*keys);
  install.encr = answer->suite.encr;
  install.encr_key_bits = answer->suite.encr_key_bits;
  install.integ = answer->suite.integ;
  install.ts_local = tsi->selectors;
  install.ts_remote = tsr->selectors;
  install.mode = transport ? ChildMode::Transport : ChildMode::Tunnel;
  install.path = path_;
  const std::uint32_t new_in = install.spi_in;
  const std::uint32_t new_out = install.spi_out;
  emit_child_sa(std::move(install), now);
  if (p.rekey_spi_in == 0) {
    counters_.inc(IkeCounter::ChildSasCreated);
    return;
  }
  counters_.inc(IkeCounter::ChildSasRekeyed);
  ChildSaRecord* old = find_child_by_inbound(p.rekey_spi_in);
  if (old == nullptr) {
    return;  // deleted meanwhile (the peer's Delete crossed our rekey): the new SA stays
  }
  old->rekeying = false;
  const std::uint32_t old_out = old->spi_out;
  const auto crossing =
      std::find_if(peer_child_rekeys_.begin(), peer_child_rekeys_.end(),
                   [&](const PeerChildRekey& r) { return r.old_spi_in == p.rekey_spi_in; });
  if (crossing != peer_child_rekeys_.end()) {
    // 2.8.1: both sides rekeyed this SA. The SA created with the lowest of the four nonces
    // is redundant and is deleted by the side that created it; the other side's rekey
    // initiator deletes the old SA.
    counters_.inc(IkeCounter::ChildRekeyCollisions);
    const PeerChildRekey theirs = *crossing;
    peer_child_rekeys_.erase(crossing);
    if (holds_lowest_nonce(p.nonce_i, nonce->data, theirs.nonce_i, theirs.nonce_r)) {
      counters_.inc(IkeCounter::ChildRekeyRedundantDeleted);
      old->replaced = true;  // the peer's SA (already announced) replaces it
      (void)delete_child(new_in, now);
      return;
    }
    if (ChildSaRecord* redundant = find_child_by_inbound(theirs.new_spi_in)) {
      redundant->replaced = true;  // the peer deletes it
    }
  }
  outputs_.emplace_back(ChildSaRekeyed{p.rekey_spi_in, old_out, new_in, new_out, false});
  finish_child_rekey(p.rekey_spi_in, now);
}

void IkeSa::finish_child_rekey(std::uint32_t old_spi_in, base::TimePoint now) {
  if (ChildSaRecord* old = find_child_by_inbound(old_spi_in)) {
    old->replaced = true;
  }
  // 1.3.3: the rekey initiator deletes the old SA once the new one is in place.
  (void)delete_child(old_spi_in, now);
}

// ---- responder ---------------------------------------------------------------------------

void IkeSa::handle_create_child_request(const Path& path, const wire::Header& header,
                                        std::span<const std::uint8_t> bytes,
                                        const OpenedMessage& request, base::TimePoint now) {
  const auto* sa = wire::find_first<wire::SaPayload>(request.inner.payloads);
  const bool for_ike = sa != nullptr && !sa->proposals.empty() &&
                       sa->proposals.front().protocol == wire::ProtocolId::Ike;
  if (for_ike) {
    answer_ike_rekey_request(path, header, bytes, request, now);  // 1.3.2
  } else {
    answer_child_request(path, header, bytes, request, now);
  }
}

void IkeSa::answer_child_request(const Path& path, const wire::Header& header,
                                 std::span<const std::uint8_t> bytes, const OpenedMessage& request,
                                 base::TimePoint now) {
  const auto& inner = request.inner.payloads;
  const auto* sa = wire::find_first<wire::SaPayload>(inner);
  const auto* nonce = wire::find_first<wire::NoncePayload>(inner);
  const auto* ke = wire::find_first<wire::KePayload>(inner);
  const auto* tsi = find_ts(inner, wire::PayloadType::TsInitiator);
  const auto* tsr = find_ts(inner, wire::PayloadType::TsResponder);
  auto refuse = [&](wire::NotifyPayload notify, IkeCounter counter) {
    counters_.inc(counter);
    send_protected_error(path, header, bytes, std::move(notify));
  };
  if (sa == nullptr || nonce == nullptr || tsi == nullptr || tsr == nullptr) {
    refuse(wire::make_notify(wire::NotifyType::InvalidSyntax),
           IkeCounter::EstablishedInvalidSyntaxSent);
    return;
  }
  if (!config_.child.enabled) {
    // 1.3: a responder that will not create more Child SAs on this IKE SA.
    refuse(wire::make_notify(wire::NotifyType::NoAdditionalSas), IkeCounter::NoAdditionalSasSent);
    return;
  }
  // 1.3.3: N(REKEY_SA) names the SPI the peer receives on, i.e. our outbound SPI.
  std::optional<std::uint32_t> old_in;
  std::uint32_t old_out = 0;
  bool collision = false;
  if (const auto* rekey = wire::find_notify(inner, wire::NotifyType::RekeySa)) {
    const auto spi = spi32_of(rekey->spi);
    ChildSaRecord* old = spi ? find_child_by_outbound(*spi) : nullptr;
    if (old == nullptr) {
      refuse(esp_notify(wire::NotifyType::ChildSaNotFound, spi.value_or(0)),
             IkeCounter::ChildSaNotFoundSent);  // 2.25
      return;
    }
    if (old->deleting || old->replaced) {
      // 2.25.1: a rekey of an SA we are deleting (or already replaced by our own rekey).
      refuse(wire::make_notify(wire::NotifyType::TemporaryFailure),
             IkeCounter::TemporaryFailureSent);
      return;
    }
    old_in = old->spi_in;
    old_out = old->spi_out;
    collision = old->rekeying;  // ours is queued or in flight: answer as usual (2.8.1)
  }
  const std::uint16_t ke_group = ke != nullptr ? ke->dh_group : 0;
  auto selection = select_esp_proposal_pfs(config_.child.esp, *sa, ke_group);
  if (!selection) {
    refuse(wire::make_notify(wire::NotifyType::NoProposalChosen),
           IkeCounter::NoProposalChosenSent);  // R7296-12
    return;
  }
  if (selection->dh != crypto::DhGroup::None &&
      (ke == nullptr || ke->dh_group != static_cast<std::uint16_t>(selection->dh))) {
    // R7296-18 for CREATE_CHILD_SA: the group we want; the initiator retries.
    refuse(wire::make_invalid_ke_payload(static_cast<std::uint16_t>(selection->dh)),
           IkeCounter::InvalidKePayloadSent);
    return;
  }
  // 2.9, RFC 4877 7.3 (R4877-39): a peer we gave a home address gets SAs for it only.
  std::vector<wire::TrafficSelector> ts_i = tsi->selectors;
  if (env_.addresses != nullptr && assigned_address_) {
    ts_i = narrow_to_address(ts_i, assigned_address_->address);
  }
  if (ts_i.empty()) {
    refuse(wire::make_notify(wire::NotifyType::TsUnacceptable), IkeCounter::TsUnacceptableSent);
    return;
  }
  std::optional<base::SecretBytes> g_ir;
  std::unique_ptr<crypto::KeyExchange> kex;
  if (selection->dh != crypto::DhGroup::None) {
    auto created = env_.key_exchanges.create(selection->dh);
    if (!created) {
      refuse(wire::make_notify(wire::NotifyType::NoProposalChosen),
             IkeCounter::NoProposalChosenSent);
      return;
    }
    kex = std::move(*created);
    auto secret = kex->compute_shared_secret(ke->data);
    if (!secret) {
      refuse(wire::make_notify(wire::NotifyType::InvalidSyntax),
             IkeCounter::EstablishedInvalidSyntaxSent);  // bad KE value (RFC 6989)
      return;
    }
    g_ir = std::move(*secret);
  }
  const std::vector<std::uint8_t> nonce_r = env_.random.bytes(config_.nonce_size);
  auto keys =
      derive_child_keys(ChildKeyInput{*prf_, keys_->sk_d.view(), nonce->data, nonce_r,
                                      g_ir ? g_ir->view() : std::span<const std::uint8_t>{}},
                        selection->suite);
  if (!keys) {
    refuse(wire::make_notify(wire::NotifyType::NoProposalChosen), IkeCounter::NoProposalChosenSent);
    return;
  }
  // R7296-52: USE_TRANSPORT_MODE accepted is echoed.
  const bool transport = config_.child.transport_mode &&
                         wire::find_notify(inner, wire::NotifyType::UseTransportMode) != nullptr;
  const std::uint32_t spi_in = random_esp_spi(env_.random);
  wire::Proposal chosen = selection->chosen;
  chosen.spi = esp_spi_bytes(spi_in);
  std::vector<wire::Payload> out;
  if (transport) {
    out.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::UseTransportMode)));
  }
  out.push_back(wire::make_payload(wire::SaPayload{{chosen}}));
  out.push_back(wire::make_payload(wire::NoncePayload{nonce_r}));
  if (kex) {
    wire::KePayload our_ke;
    our_ke.dh_group = static_cast<std::uint16_t>(selection->dh);
    const auto pub = kex->public_value();
    our_ke.data.assign(pub.begin(), pub.end());
    out.push_back(wire::make_payload(std::move(our_ke)));
  }
  out.push_back(wire::make_ts_payload(true, wire::TsPayload{ts_i}));
  out.push_back(wire::make_ts_payload(false, *tsr));
  respond(path, header, bytes, std::move(out));

  InstallChildSa install;
  install.spi_in = spi_in;
  install.spi_out = selection->peer_spi;
  install.role = Role::Responder;  // of this exchange (2.17)
  install.keys = std::move(*keys);
  install.encr = selection->suite.encr;
  install.encr_key_bits = selection->suite.encr_key_bits;
  install.integ = selection->suite.integ;
  install.ts_local = tsr->selectors;
  install.ts_remote = ts_i;
  install.mode = transport ? ChildMode::Transport : ChildMode::Tunnel;
  install.path = path_;
  const std::uint32_t new_out = install.spi_out;
  emit_child_sa(std::move(install), now);
  if (!old_in) {
    counters_.inc(IkeCounter::ChildSasCreated);
    return;
  }
  counters_.inc(IkeCounter::ChildSasRekeyed);
  outputs_.emplace_back(ChildSaRekeyed{*old_in, old_out, spi_in, new_out, true});
  if (collision) {
    // Decided when our own rekey of it is answered (on_child_response).
    peer_child_rekeys_.push_back(PeerChildRekey{*old_in, spi_in, nonce->data, nonce_r});
  } else if (ChildSaRecord* old = find_child_by_inbound(*old_in)) {
    old->replaced = true;  // the peer, as rekey initiator, deletes it (1.3.3)
  }
}

// ---- lifetimes (2.8) -----------------------------------------------------------------------

base::TimePoint IkeSa::child_rekey_time(const ChildSaRecord& child) const {
  if (child.rekeying || child.replaced || child.deleting) {
    return base::kNever;
  }
  if (child.rekey_retry_at != base::kNever) {
    return child.rekey_retry_at;
  }
  const auto& c = config_.child;
  if (c.rekey_after <= base::Duration::zero()) {
    return base::kNever;
  }
  // The jitter share comes from the (random) inbound SPI: no state, and the two sides of one
  // SA rarely pick the same moment (which would make a 2.8.1 collision).
  const auto share = c.rekey_jitter * static_cast<std::int64_t>(child.spi_in % 1024) / 1024;
  return child.installed + c.rekey_after - share;
}

base::TimePoint IkeSa::ike_hard_deadline() const {
  base::Duration hard = config_.ike_hard_lifetime;
  if (hard <= base::Duration::zero()) {
    hard = config_.ike_rekey_after + config_.ike_rekey_after / 10;
  }
  return hard > base::Duration::zero() ? ike_rekey_base_ + hard : base::kNever;
}

void IkeSa::expire_ike_sa(base::TimePoint now) {
  counters_.inc(IkeCounter::IkeSaHardExpired);
  delete_detail_ = "hard lifetime";
  // The Child SAs' keys are out of use now, whatever the peer answers.
  while (!child_sas_.empty()) {
    (void)remove_child(child_sas_.front().spi_in, false);
  }
  if (outstanding_.active() || delete_queued_) {
    // Window size 1 (R7296-39): the request in flight (typically the unanswered rekey) keeps
    // our Delete from going out, and a peer that does not answer it would not answer that.
    close(false, false, delete_detail_);
    return;
  }
  start_ike_delete(now);  // D(IKE) (R7296-55); Closed when answered or given up
}

void IkeSa::delete_refused_child(std::uint32_t spi_in, base::TimePoint now) {
  queue_exchange(LocalExchange{wire::ExchangeType::Informational, "delete-refused-child",
                               [this, spi_in]() -> base::Result<std::vector<wire::Payload>> {
                                 counters_.inc(IkeCounter::ChildDeletesSent);
                                 std::vector<wire::Payload> inner;
                                 const std::uint32_t spis[] = {spi_in};
                                 inner.push_back(wire::make_payload(
                                     wire::DeletePayload::make_child(wire::ProtocolId::Esp, spis)));
                                 return inner;
                               },
                               // We never installed it: the answer's D(ESP) needs no action.
                               [](const Path&, const OpenedMessage&, base::TimePoint) {}},
                 now);
}

base::TimePoint IkeSa::lifetime_deadline() const {
  if (state_ != IkeSaState::Established) {
    return base::kNever;
  }
  base::TimePoint earliest = ike_rekey_queued_ ? base::kNever : ike_rekey_at_;
  earliest = std::min(earliest, ike_hard_deadline());
  for (const auto& child : child_sas_) {
    earliest = std::min(earliest, child_rekey_time(child));
    if (config_.child.hard_lifetime > base::Duration::zero() && !child.deleting) {
      earliest = std::min(earliest, child.installed + config_.child.hard_lifetime);
    }
  }
  return earliest;
}

void IkeSa::on_lifetime_timer(base::TimePoint now) {
  if (now >= ike_hard_deadline()) {
    expire_ike_sa(now);  // no successful rekey in time (2.8)
    return;
  }
  std::vector<std::uint32_t> expire;
  std::vector<std::uint32_t> rekey;
  for (const auto& child : child_sas_) {
    if (config_.child.hard_lifetime > base::Duration::zero() && !child.deleting &&
        now >= child.installed + config_.child.hard_lifetime) {
      expire.push_back(child.spi_in);
    } else if (now >= child_rekey_time(child)) {
      rekey.push_back(child.spi_in);
    }
  }
  for (std::uint32_t spi : expire) {
    counters_.inc(IkeCounter::ChildSaHardExpired);
    (void)delete_child(spi, now);
  }
  for (std::uint32_t spi : rekey) {
    (void)rekey_child(spi, now);
  }
  if (!ike_rekey_queued_ && now >= ike_rekey_at_) {
    if (!rekey_ike(now)) {
      ike_rekey_at_ = base::kNever;
    }
  }
}

}  // namespace ike::engine
