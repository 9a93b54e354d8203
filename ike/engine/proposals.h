#pragma once
// Building our SA proposals and choosing from the peer's (RFC 7296 2.7, 3.3). Pure functions:
// the IKE_SA_INIT task and the Child SA task call them; CREATE_CHILD_SA will reuse them.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ike/crypto/key_derivation.h"
#include "ike/crypto/transform_ids.h"
#include "ike/wire/sa_payload.h"

namespace ike::engine {

// What we accept or offer for the IKE SA, in preference order.
struct IkeProposalConfig {
  std::vector<std::uint16_t> gcm16_key_bits{256, 128};  // ENCR_AES_GCM_16 key lengths
  std::vector<crypto::PrfAlgorithm> prfs{crypto::PrfAlgorithm::HmacSha2_256,
                                         crypto::PrfAlgorithm::HmacSha2_384,
                                         crypto::PrfAlgorithm::HmacSha2_512};
  std::vector<crypto::DhGroup> dh_groups{crypto::DhGroup::Curve25519, crypto::DhGroup::Ecp256,
                                         crypto::DhGroup::Modp2048};
  // ENCR_AES_CBC key lengths with the INTEG transforms below (RFC 3602, RFC 4868), offered in
  // a second proposal (AEAD and non-AEAD never share one, RFC 7296 3.3). Empty: neither
  // offered nor accepted. An empty gcm16_key_bits leaves only this proposal.
  std::vector<std::uint16_t> cbc_key_bits;
  std::vector<crypto::IntegAlgorithm> integs{crypto::IntegAlgorithm::HmacSha2_256_128};
};

// The chosen IKE suite.
struct IkeSuite {
  crypto::IkeSaTransforms transforms;
  crypto::DhGroup dh = crypto::DhGroup::None;
};

// One proposal with every transform we accept (R7296-16: Key Length with GCM only). An IKE SA
// rekey (RFC 7296 1.3.2) puts the new SA's 8-octet SPI into it; IKE_SA_INIT has none.
[[nodiscard]] wire::SaPayload make_ike_sa_offer(const IkeProposalConfig& config,
                                                std::span<const std::uint8_t> spi = {});

enum class SelectError : std::uint8_t { NoProposalChosen, WrongKeGroup };

struct IkeSelection {
  wire::Proposal chosen;  // one transform per type, the proposal number echoed (R7296-12)
  IkeSuite suite;
};

// Responder choice. `ke_group` is the group of the received KE: it is preferred when the
// proposal and our config both allow it; otherwise our first acceptable group is chosen and
// the caller answers INVALID_KE_PAYLOAD with suite.dh (R7296-18). Unknown transform types,
// IDs or attributes make a proposal or transform unacceptable (R7296-13, R7296-15).
// `spi_size`: 0 in IKE_SA_INIT, 8 in an IKE SA rekey (the peer's SPI is left in `chosen`).
[[nodiscard]] std::optional<IkeSelection> select_ike_proposal(const IkeProposalConfig& config,
                                                              const wire::SaPayload& offer,
                                                              std::uint16_t ke_group,
                                                              std::size_t spi_size = 0);

// Initiator check of the responder's answer (R7296-14): exactly one proposal, one transform
// per mandatory type, each of them in our config.
[[nodiscard]] std::optional<IkeSuite> accept_ike_answer(const IkeProposalConfig& config,
                                                        const wire::SaPayload& answer,
                                                        std::size_t spi_size = 0);

// ESP for the Child SA: AES-GCM-16 with the given key length and/or AES-CBC with
// AUTH_HMAC_SHA2_256_128, no ESN, no DH (the first Child SA of IKE_AUTH never has PFS).
struct EspProposalConfig {
  std::uint16_t gcm16_key_bits = 256;  // 0: no AES-GCM-16 proposal
  // ENCR_AES_CBC key lengths (preference order) with `cbc_integ`, in a proposal after the GCM
  // one (AEAD and non-AEAD never share a proposal, RFC 7296 3.3). Empty: not offered, and not
  // accepted from the peer either.
  std::vector<std::uint16_t> cbc_key_bits;
  crypto::IntegAlgorithm cbc_integ = crypto::IntegAlgorithm::HmacSha2_256_128;
  // PFS in CREATE_CHILD_SA (RFC 7296 1.3.1, 2.17), in preference order. Initiator: offered
  // with a KE for the first; responder: the groups it accepts, and then demands (empty: the
  // responder accepts only proposals without a D-H group, and offers none).
  std::vector<crypto::DhGroup> dh_groups;
};

// The negotiated ESP transforms, as the IPsec backend needs them (InstallChildSa).
struct EspSuite {
  crypto::EncrAlgorithm encr = crypto::EncrAlgorithm::AesGcm16;
  std::uint16_t encr_key_bits = 256;
  crypto::IntegAlgorithm integ = crypto::IntegAlgorithm::None;
  friend bool operator==(const EspSuite&, const EspSuite&) = default;
};
// A config offering exactly `suite` (a Child SA rekey repeats the suite, 2.8).
[[nodiscard]] EspProposalConfig esp_config_for(const EspSuite& suite,
                                               std::vector<crypto::DhGroup> dh_groups);

[[nodiscard]] wire::SaPayload make_esp_offer(const EspProposalConfig& config, std::uint32_t spi);
// The 4-octet SPI field of an ESP proposal.
[[nodiscard]] std::vector<std::uint8_t> esp_spi_bytes(std::uint32_t spi);

struct EspSelection {
  wire::Proposal chosen;  // with the peer's SPI still in it; the caller puts its own in
  std::uint32_t peer_spi = 0;
  EspSuite suite;
};
[[nodiscard]] std::optional<EspSelection> select_esp_proposal(const EspProposalConfig& config,
                                                              const wire::SaPayload& offer);
// Initiator check: one ESP proposal with a 4-octet SPI and exactly one of our suites.
[[nodiscard]] std::optional<std::uint32_t> accept_esp_answer(const EspProposalConfig& config,
                                                             const wire::SaPayload& answer);
struct EspAnswer {
  std::uint32_t peer_spi = 0;
  EspSuite suite;
};
// accept_esp_answer with the suite the responder chose; `sent_group` as in
// accept_esp_answer_pfs (None: no D-H transform allowed).
[[nodiscard]] std::optional<EspAnswer> accept_esp_answer_suite(
    const EspProposalConfig& config, const wire::SaPayload& answer,
    crypto::DhGroup sent_group = crypto::DhGroup::None);

// CREATE_CHILD_SA variants with PFS: the offer lists config.dh_groups (first = the KE sent;
// `first_group` moves another one to the front after INVALID_KE_PAYLOAD).
[[nodiscard]] wire::SaPayload make_esp_offer_pfs(const EspProposalConfig& config, std::uint32_t spi,
                                                 crypto::DhGroup first_group);
struct EspPfsSelection {
  wire::Proposal chosen;  // with the peer's SPI still in it
  std::uint32_t peer_spi = 0;
  crypto::DhGroup dh = crypto::DhGroup::None;  // None: no PFS
  EspSuite suite;
};
// Responder: the KE group of the request (0 without KE) is preferred when allowed; otherwise
// our first group in the proposal is chosen, and the caller answers INVALID_KE_PAYLOAD.
[[nodiscard]] std::optional<EspPfsSelection> select_esp_proposal_pfs(
    const EspProposalConfig& config, const wire::SaPayload& offer, std::uint16_t ke_group);
// Initiator: one ESP proposal with our ENCR and ESN and, when we sent KE, exactly that group.
[[nodiscard]] std::optional<std::uint32_t> accept_esp_answer_pfs(const EspProposalConfig& config,
                                                                 const wire::SaPayload& answer,
                                                                 crypto::DhGroup sent_group);

}  // namespace ike::engine
