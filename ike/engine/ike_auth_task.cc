// The IKE_AUTH exchange (RFC 7296 1.2, 2.15, 2.17, 3.15) with PSK authentication, a CP
// request for INTERNAL_IP6_ADDRESS (+ MIP6_HOME_PREFIX, RFC 5026 3.2) and the first Child SA.
#include <algorithm>

#include "ike/crypto/auth.h"
#include "ike/engine/ike_sa.h"
#include "ike/wire/rules.h"

namespace ike::engine {
namespace {

std::uint32_t random_nonzero_u32(crypto::RandomSource& random) {
  std::uint32_t v = 0;
  // SPIs below 256 are reserved for IANA (RFC 4303 2.1).
  while (v < 256) {
    v = 0;
    for (std::uint8_t x : random.bytes(4)) {
      v = (v << 8) | x;
    }
  }
  return v;
}

// R7296-31: we send and accept these three; others fail authentication.
bool acceptable_id_type(wire::IdType t) {
  return t == wire::IdType::Fqdn || t == wire::IdType::Rfc822Addr || t == wire::IdType::Ipv6Addr;
}

std::vector<std::uint8_t> id_body(const wire::IdPayload& id) {
  std::vector<std::uint8_t> out;
  base::ByteWriter w(out);
  if (!id.encode(w)) {
    out.clear();
  }
  return out;
}

struct FoundId {
  const wire::IdPayload* id = nullptr;
  std::span<const std::uint8_t> raw;  // IDx' as received (2.15, R7296-11)
};

FoundId find_id(const wire::DecodedPayloads& inner, wire::PayloadType type) {
  for (std::size_t i = 0; i < inner.payloads.size() && i < inner.raw.size(); ++i) {
    if (inner.payloads[i].type == type) {
      return FoundId{inner.payloads[i].get<wire::IdPayload>(), inner.raw[i].body};
    }
  }
  return {};
}

const wire::TsPayload* find_ts(std::span<const wire::Payload> payloads, wire::PayloadType type) {
  for (const auto& p : payloads) {
    if (p.type == type) {
      return p.get<wire::TsPayload>();
    }
  }
  return nullptr;
}

}  // namespace

std::vector<std::uint8_t> IkeSa::auth_data(std::span<const std::uint8_t> psk, bool for_initiator,
                                           std::span<const std::uint8_t> id) const {
  // R7296-27: RealMessage | peer's nonce | prf(SK_p*, ID'); R7296-28: latest message 1/2.
  crypto::AuthInput in;
  in.real_message = for_initiator ? init_request_ : init_response_;
  in.peer_nonce = for_initiator ? nonce_r_ : nonce_i_;
  in.sk_p = for_initiator ? keys_->sk_pi.view() : keys_->sk_pr.view();
  in.id_body = id;
  return crypto::psk_auth_data(*prf_, psk, in);
}

base::Result<crypto::ChildSaKeys> IkeSa::derive_child_keys() const {
  auto sizes = crypto::child_key_sizes(crypto::EncrAlgorithm::AesGcm16,
                                       config_.child.esp.gcm16_key_bits,
                                       crypto::IntegAlgorithm::None);
  if (!sizes) {
    return base::fail(sizes.error());
  }
  // R7296-26: KEYMAT = prf+(SK_d, Ni | Nr) for the first Child SA (no PFS in IKE_AUTH).
  return crypto::derive_child_sa_keys(*prf_, keys_->sk_d.view(), {}, nonce_i_, nonce_r_, *sizes);
}

base::Result<void> IkeSa::send_auth_request(const Path& path, base::TimePoint now) {
  auto psk = env_.credentials.psk_for(config_.remote_id);
  if (!psk) {
    return base::fail(base::Error{"no-psk", "no PSK for the configured remote identity"});
  }
  std::vector<wire::Payload> inner;
  inner.push_back(wire::make_id_payload(true, config_.local_id));
  if (!config_.remote_id.data.empty()) {
    inner.push_back(wire::make_id_payload(false, config_.remote_id));
  }
  wire::AuthPayload auth;
  auth.method = wire::AuthMethod::SharedKeyMic;
  auth.data = auth_data(psk->view(), true, id_body(config_.local_id));
  inner.push_back(wire::make_payload(std::move(auth)));
  if (config_.request_address || config_.request_home_prefix) {
    wire::CpPayload cp;  // R7296-49: in the first IKE_AUTH request
    cp.cfg_type = wire::CfgType::Request;
    if (config_.request_address) {
      cp.attributes.push_back(wire::make_internal_ip6_address_request());
    }
    if (config_.request_home_prefix) {
      cp.attributes.push_back(wire::make_mip6_home_prefix_request());
    }
    inner.push_back(wire::make_payload(std::move(cp)));
  }
  if (config_.child.enabled) {
    child_spi_in_ = random_nonzero_u32(env_.random);
    if (config_.child.transport_mode) {
      inner.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::UseTransportMode)));
    }
    inner.push_back(wire::make_payload(make_esp_offer(config_.child.esp, child_spi_in_)));
    inner.push_back(wire::make_ts_payload(true, wire::TsPayload{config_.child.ts_i}));
    inner.push_back(wire::make_ts_payload(false, wire::TsPayload{config_.child.ts_r}));
  }
  auto bytes = protect(make_header(wire::ExchangeType::IkeAuth, false,
                                   wire::MessageId(next_request_id_)),
                       std::move(inner));
  if (!bytes) {
    return base::fail(bytes.error());
  }
  send_request(path, std::move(*bytes), now);
  return {};
}

void IkeSa::handle_auth_request(const Path& path, const wire::DecodedMessage& msg,
                                std::span<const std::uint8_t> bytes) {
  const wire::Header& h = msg.message.header;
  auto opened = open_protected(msg, bytes, *cipher_in_);
  if (!opened) {
    if (opened.error() == OpenErrc::Undecodable) {
      // Authentic but malformed inside.
      counters_.inc(IkeCounter::InvalidSyntaxSent);
      send_protected_error(path, h, bytes, wire::NotifyType::InvalidSyntax);
      fail(FailureReason::InvalidSyntax, wire::NotifyType::InvalidSyntax);
    } else {
      // Tampered, or not ours: silently dropped (R7296-43), the SA waits for a good copy.
      counters_.inc(IkeCounter::DroppedDecryptFailed);
    }
    return;
  }
  const auto& inner = opened->inner.payloads;
  if (!wire::validate(opened->outer, inner)) {
    counters_.inc(IkeCounter::InvalidSyntaxSent);
    send_protected_error(path, h, bytes, wire::NotifyType::InvalidSyntax);
    fail(FailureReason::InvalidSyntax, wire::NotifyType::InvalidSyntax);
    return;
  }
  const FoundId idi = find_id(opened->inner, wire::PayloadType::IdInitiator);
  const auto* auth = wire::find_first<wire::AuthPayload>(inner);
  std::optional<base::SecretBytes> psk;
  if (idi.id != nullptr && acceptable_id_type(idi.id->type)) {
    psk = env_.credentials.psk_for(*idi.id);
  }
  crypto::AuthInput in;
  in.real_message = init_request_;
  in.peer_nonce = nonce_r_;
  in.sk_p = keys_->sk_pi.view();
  in.id_body = idi.raw;
  // R7296-29: the PSK is the one of the identity claimed in IDi.
  if (!psk || auth == nullptr || auth->method != wire::AuthMethod::SharedKeyMic ||
      !crypto::verify_psk_auth_data(*prf_, psk->view(), in, auth->data)) {
    counters_.inc(IkeCounter::AuthenticationFailedSent);  // R7296-53
    send_protected_error(path, h, bytes, wire::NotifyType::AuthenticationFailed);
    fail(FailureReason::AuthenticationFailed, wire::NotifyType::AuthenticationFailed);
    return;
  }
  peer_id_ = *idi.id;

  std::vector<wire::Payload> out;
  out.push_back(wire::make_id_payload(false, config_.local_id));
  wire::AuthPayload our_auth;
  our_auth.method = wire::AuthMethod::SharedKeyMic;
  our_auth.data = auth_data(psk->view(), false, id_body(config_.local_id));
  out.push_back(wire::make_payload(std::move(our_auth)));

  // CP (R7296-50, RFC 5026 3.2). Unknown attributes are ignored (R7296-51).
  bool address_failed = false;
  const auto* cp = wire::find_first<wire::CpPayload>(inner);
  if (cp != nullptr && cp->cfg_type == wire::CfgType::Request) {
    wire::CpPayload reply;
    reply.cfg_type = wire::CfgType::Reply;
    if (const auto* a = cp->find(wire::CpAttrType::InternalIp6Address)) {
      std::optional<base::Ip6Addr> hint;
      if (auto decoded = wire::decode_internal_ip6_address(*a); decoded && *decoded) {
        hint = (*decoded)->address;
      }
      if (env_.addresses != nullptr) {
        assigned_address_ = env_.addresses->assign(peer_id_, hint);
      }
      if (assigned_address_) {
        reply.attributes.push_back(wire::make_internal_ip6_address(*assigned_address_));
      } else {
        address_failed = true;
      }
    }
    if (cp->find(wire::CpAttrType::Mip6HomePrefix) != nullptr && env_.addresses != nullptr &&
        !address_failed) {
      home_prefix_ = env_.addresses->home_prefix(peer_id_);
      if (home_prefix_) {
        reply.attributes.push_back(wire::make_mip6_home_prefix(*home_prefix_));
      }
    }
    if (address_failed) {
      counters_.inc(IkeCounter::InternalAddressFailureSent);
      out.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::InternalAddressFailure)));
    } else {
      out.push_back(wire::make_payload(std::move(reply)));
    }
  }

  // The Child SA; its failure leaves the IKE SA up (R7296-53).
  std::optional<InstallChildSa> install;
  const auto* sa = wire::find_first<wire::SaPayload>(inner);
  const auto* tsi = find_ts(inner, wire::PayloadType::TsInitiator);
  const auto* tsr = find_ts(inner, wire::PayloadType::TsResponder);
  if (sa != nullptr && tsi != nullptr && tsr != nullptr && !address_failed) {
    auto selection = config_.child.enabled ? select_esp_proposal(config_.child.esp, *sa)
                                           : std::nullopt;
    auto child_keys = derive_child_keys();
    if (!selection || !child_keys) {
      counters_.inc(IkeCounter::NoProposalChosenSent);
      out.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::NoProposalChosen)));
    } else {
      // R7296-52: echo USE_TRANSPORT_MODE when we accept it.
      const bool transport =
          config_.child.transport_mode &&
          wire::find_notify(inner, wire::NotifyType::UseTransportMode) != nullptr;
      child_spi_in_ = random_nonzero_u32(env_.random);
      wire::Proposal chosen = selection->chosen;
      chosen.spi = make_esp_offer(config_.child.esp, child_spi_in_).proposals[0].spi;
      if (transport) {
        out.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::UseTransportMode)));
      }
      out.push_back(wire::make_payload(wire::SaPayload{{chosen}}));
      out.push_back(wire::make_ts_payload(true, *tsi));
      out.push_back(wire::make_ts_payload(false, *tsr));
      install.emplace();
      install->spi_in = child_spi_in_;
      install->spi_out = selection->peer_spi;
      install->role = Role::Responder;
      install->keys = std::move(*child_keys);
      install->encr_key_bits = config_.child.esp.gcm16_key_bits;
      install->ts_local = tsr->selectors;
      install->ts_remote = tsi->selectors;
      install->mode = transport ? ChildMode::Transport : ChildMode::Tunnel;
      install->path = path;
    }
  }

  auto response = protect(make_header(wire::ExchangeType::IkeAuth, true, h.message_id),
                          std::move(out));
  if (!response) {
    fail(FailureReason::InternalError, std::nullopt);
    return;
  }
  send_response(path, h.message_id, bytes, std::move(*response));
  if (!transition(IkeSaState::Established)) {
    return;
  }
  if (install) {
    outputs_.emplace_back(std::move(*install));
  }
  outputs_.emplace_back(SaEstablished{spi_i_, spi_r_, peer_id_, assigned_address_, home_prefix_});
}

void IkeSa::handle_auth_response(const Path& path, const wire::DecodedMessage& msg,
                                 std::span<const std::uint8_t> bytes) {
  auto opened = open_protected(msg, bytes, *cipher_in_);
  if (!opened) {
    // Not authentic (or not decodable): keep waiting and retransmitting (R7296-43).
    counters_.inc(opened.error() == OpenErrc::IntegrityFailed
                      ? IkeCounter::DroppedDecryptFailed
                      : IkeCounter::DroppedUndecodable);
    return;
  }
  const auto& inner = opened->inner.payloads;
  if (!wire::validate(opened->outer, inner)) {
    fail(FailureReason::InvalidSyntax, std::nullopt);
    return;
  }
  const auto* auth = wire::find_first<wire::AuthPayload>(inner);
  if (auth == nullptr) {
    // Without AUTH the response is an error answer (R7296-54).
    std::optional<wire::NotifyType> error;
    for (const auto& p : inner) {
      const auto* n = p.get<wire::NotifyPayload>();
      if (n != nullptr && wire::is_error_notify(n->type) && !error) {
        error = n->type;
      }
    }
    FailureReason reason = FailureReason::PeerError;
    if (error == wire::NotifyType::AuthenticationFailed) {
      reason = FailureReason::AuthenticationFailed;
    } else if (error == wire::NotifyType::InvalidSyntax) {
      reason = FailureReason::InvalidSyntax;
    } else if (error == wire::NotifyType::NoProposalChosen) {
      reason = FailureReason::NoProposalChosen;
    }
    fail(reason, error);
    return;
  }
  const FoundId idr = find_id(opened->inner, wire::PayloadType::IdResponder);
  std::optional<base::SecretBytes> psk;
  if (idr.id != nullptr && acceptable_id_type(idr.id->type) &&
      (config_.remote_id.data.empty() || *idr.id == config_.remote_id)) {
    psk = env_.credentials.psk_for(*idr.id);
  }
  crypto::AuthInput in;
  in.real_message = init_response_;
  in.peer_nonce = nonce_i_;
  in.sk_p = keys_->sk_pr.view();
  in.id_body = idr.raw;
  if (!psk || auth->method != wire::AuthMethod::SharedKeyMic ||
      !crypto::verify_psk_auth_data(*prf_, psk->view(), in, auth->data)) {
    // TODO(informational task): tell the responder in an INFORMATIONAL exchange.
    fail(FailureReason::AuthenticationFailed, std::nullopt);
    return;
  }
  peer_id_ = *idr.id;
  outstanding_.clear();

  if (const auto* cp = wire::find_first<wire::CpPayload>(inner);
      cp != nullptr && cp->cfg_type == wire::CfgType::Reply) {
    if (const auto* a = cp->find(wire::CpAttrType::InternalIp6Address)) {
      if (auto decoded = wire::decode_internal_ip6_address(*a); decoded && *decoded) {
        assigned_address_ = **decoded;
      }
    }
    if (const auto* a = cp->find(wire::CpAttrType::Mip6HomePrefix)) {
      if (auto decoded = wire::decode_mip6_home_prefix(*a); decoded && *decoded) {
        home_prefix_ = **decoded;
      }
    }
  }

  // Child SA errors do not fail the IKE SA (R7296-53).
  std::optional<InstallChildSa> install;
  const auto* sa = wire::find_first<wire::SaPayload>(inner);
  const auto* tsi = find_ts(inner, wire::PayloadType::TsInitiator);
  const auto* tsr = find_ts(inner, wire::PayloadType::TsResponder);
  if (config_.child.enabled && sa != nullptr && tsi != nullptr && tsr != nullptr) {
    const auto peer_spi = accept_esp_answer(config_.child.esp, *sa);
    const bool transport = wire::find_notify(inner, wire::NotifyType::UseTransportMode) != nullptr;
    auto child_keys = derive_child_keys();
    // R7296-52: we asked for transport mode and cannot use a tunnel-mode SA.
    if (peer_spi && child_keys && (transport || !config_.child.transport_mode)) {
      install.emplace();
      install->spi_in = child_spi_in_;
      install->spi_out = *peer_spi;
      install->role = Role::Initiator;
      install->keys = std::move(*child_keys);
      install->encr_key_bits = config_.child.esp.gcm16_key_bits;
      install->ts_local = tsi->selectors;
      install->ts_remote = tsr->selectors;
      install->mode = transport ? ChildMode::Transport : ChildMode::Tunnel;
      install->path = path;
    }
  }
  if (!transition(IkeSaState::Established)) {
    return;
  }
  if (install) {
    outputs_.emplace_back(std::move(*install));
  }
  outputs_.emplace_back(SaEstablished{spi_i_, spi_r_, peer_id_, assigned_address_, home_prefix_});
}

}  // namespace ike::engine
