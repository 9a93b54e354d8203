#include "ike/engine/proposals.h"

#include <algorithm>

namespace ike::engine {
namespace {

using wire::Transform;
using wire::TransformType;

constexpr auto kGcm16 = static_cast<std::uint16_t>(crypto::EncrAlgorithm::AesGcm16);
constexpr auto kCbc = static_cast<std::uint16_t>(crypto::EncrAlgorithm::AesCbc);

template <typename E>
std::uint16_t id_of(E e) {
  return static_cast<std::uint16_t>(e);
}

// Only ENCR may carry an attribute, and only Key Length in TV form (3.3.5).
bool attributes_ok(const Transform& t) {
  if (t.type != TransformType::Encr) {
    return t.attributes.empty();
  }
  return t.attributes.size() == 1 && t.attributes[0].tv &&
         t.attributes[0].type == wire::kAttrKeyLength;
}

bool known_type(TransformType t) {
  return t == TransformType::Encr || t == TransformType::Prf || t == TransformType::Integ ||
         t == TransformType::Dh || t == TransformType::Esn;
}

bool has_transform(const wire::Proposal& p, TransformType type, std::uint16_t id,
                   std::optional<std::uint16_t> key_bits = std::nullopt) {
  return std::any_of(p.transforms.begin(), p.transforms.end(), [&](const Transform& t) {
    return t.type == type && t.id == id && attributes_ok(t) &&
           (!key_bits || t.key_length() == key_bits);
  });
}

bool has_type(const wire::Proposal& p, TransformType type) {
  return p.find(type) != nullptr;
}

// INTEG with AEAD: absent, or only NONE (RFC 5282 8).
bool integ_ok_for_aead(const wire::Proposal& p) {
  return std::all_of(p.transforms.begin(), p.transforms.end(), [](const Transform& t) {
    return t.type != TransformType::Integ || t.id == id_of(crypto::IntegAlgorithm::None);
  });
}

std::size_t count_type(const wire::Proposal& p, TransformType type) {
  return static_cast<std::size_t>(
      std::count_if(p.transforms.begin(), p.transforms.end(),
                    [&](const Transform& t) { return t.type == type; }));
}

}  // namespace

wire::SaPayload make_ike_sa_offer(const IkeProposalConfig& config,
                                  std::span<const std::uint8_t> spi) {
  wire::SaPayload sa;
  auto add_common = [&](wire::Proposal& p) {
    for (auto prf : config.prfs) {
      p.transforms.push_back(Transform::make(TransformType::Prf, id_of(prf)));
    }
    for (auto dh : config.dh_groups) {
      p.transforms.push_back(Transform::make(TransformType::Dh, id_of(dh)));
    }
  };
  if (!config.gcm16_key_bits.empty() || config.cbc_key_bits.empty()) {
    wire::Proposal p;
    p.number = 1;
    p.protocol = wire::ProtocolId::Ike;
    p.spi.assign(spi.begin(), spi.end());
    for (std::uint16_t bits : config.gcm16_key_bits) {
      p.transforms.push_back(Transform::make_with_key_length(TransformType::Encr, kGcm16, bits));
    }
    add_common(p);
    sa.proposals.push_back(std::move(p));
  }
  if (!config.cbc_key_bits.empty()) {
    // AES-CBC needs INTEG, so it gets a proposal of its own (RFC 7296 3.3).
    wire::Proposal p;
    p.number = static_cast<std::uint8_t>(sa.proposals.size() + 1);
    p.protocol = wire::ProtocolId::Ike;
    p.spi.assign(spi.begin(), spi.end());
    for (std::uint16_t bits : config.cbc_key_bits) {
      p.transforms.push_back(Transform::make_with_key_length(TransformType::Encr, kCbc, bits));
    }
    for (auto integ : config.integs) {
      p.transforms.push_back(Transform::make(TransformType::Integ, id_of(integ)));
    }
    add_common(p);
    sa.proposals.push_back(std::move(p));
  }
  return sa;
}

namespace {

// The ENCR (and INTEG for CBC) of `p` we take: GCM-16 first, then AES-CBC with an INTEG.
struct IkeCipherChoice {
  crypto::EncrAlgorithm encr = crypto::EncrAlgorithm::AesGcm16;
  std::uint16_t bits = 0;
  crypto::IntegAlgorithm integ = crypto::IntegAlgorithm::None;
};
std::optional<IkeCipherChoice> choose_ike_cipher(const IkeProposalConfig& config,
                                                 const wire::Proposal& p) {
  if (integ_ok_for_aead(p)) {
    for (std::uint16_t b : config.gcm16_key_bits) {
      if (has_transform(p, TransformType::Encr, kGcm16, b)) {
        return IkeCipherChoice{crypto::EncrAlgorithm::AesGcm16, b, crypto::IntegAlgorithm::None};
      }
    }
  }
  for (std::uint16_t b : config.cbc_key_bits) {
    if (!has_transform(p, TransformType::Encr, kCbc, b)) {
      continue;
    }
    for (auto integ : config.integs) {
      if (integ != crypto::IntegAlgorithm::None &&
          has_transform(p, TransformType::Integ, id_of(integ))) {
        return IkeCipherChoice{crypto::EncrAlgorithm::AesCbc, b, integ};
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<IkeSelection> select_ike_proposal(const IkeProposalConfig& config,
                                                const wire::SaPayload& offer,
                                                std::uint16_t ke_group, std::size_t spi_size) {
  for (const auto& p : offer.proposals) {
    if (p.protocol != wire::ProtocolId::Ike || p.spi.size() != spi_size) {
      continue;
    }
    const bool unknown_type = std::any_of(p.transforms.begin(), p.transforms.end(),
                                          [](const Transform& t) { return !known_type(t.type); });
    if (unknown_type || has_type(p, TransformType::Esn)) {
      continue;
    }
    const auto cipher = choose_ike_cipher(config, p);
    std::optional<crypto::PrfAlgorithm> prf;
    for (auto candidate : config.prfs) {
      if (!prf && has_transform(p, TransformType::Prf, id_of(candidate))) {
        prf = candidate;
      }
    }
    std::optional<crypto::DhGroup> dh;
    for (auto candidate : config.dh_groups) {
      if (id_of(candidate) == ke_group && has_transform(p, TransformType::Dh, ke_group)) {
        dh = candidate;
      }
    }
    for (auto candidate : config.dh_groups) {
      if (!dh && has_transform(p, TransformType::Dh, id_of(candidate))) {
        dh = candidate;
      }
    }
    if (!cipher || !prf || !dh) {
      continue;
    }
    IkeSelection sel;
    sel.chosen.number = p.number;
    sel.chosen.protocol = wire::ProtocolId::Ike;
    sel.chosen.spi = p.spi;
    sel.chosen.transforms = {
        Transform::make_with_key_length(TransformType::Encr, id_of(cipher->encr), cipher->bits),
        Transform::make(TransformType::Prf, id_of(*prf)),
    };
    if (cipher->integ != crypto::IntegAlgorithm::None) {
      sel.chosen.transforms.push_back(Transform::make(TransformType::Integ, id_of(cipher->integ)));
    }
    sel.chosen.transforms.push_back(Transform::make(TransformType::Dh, id_of(*dh)));
    sel.suite.transforms.encr = cipher->encr;
    sel.suite.transforms.encr_key_bits = cipher->bits;
    sel.suite.transforms.prf = *prf;
    sel.suite.transforms.integ = cipher->integ;
    sel.suite.dh = *dh;
    return sel;
  }
  return std::nullopt;
}

std::optional<IkeSuite> accept_ike_answer(const IkeProposalConfig& config,
                                          const wire::SaPayload& answer, std::size_t spi_size) {
  if (answer.proposals.size() != 1) {
    return std::nullopt;
  }
  const wire::Proposal& p = answer.proposals[0];
  if (p.protocol != wire::ProtocolId::Ike || p.spi.size() != spi_size ||
      count_type(p, TransformType::Encr) != 1 || count_type(p, TransformType::Prf) != 1 ||
      count_type(p, TransformType::Dh) != 1 || count_type(p, TransformType::Esn) != 0 ||
      count_type(p, TransformType::Integ) > 1) {
    return std::nullopt;
  }
  const Transform& encr = *p.find(TransformType::Encr);
  const Transform& prf = *p.find(TransformType::Prf);
  const Transform& dh = *p.find(TransformType::Dh);
  const auto bits = encr.key_length();
  if (!attributes_ok(encr) || !bits) {
    return std::nullopt;
  }
  crypto::IntegAlgorithm integ = crypto::IntegAlgorithm::None;
  if (encr.id == kGcm16) {
    if (!integ_ok_for_aead(p) ||
        std::find(config.gcm16_key_bits.begin(), config.gcm16_key_bits.end(), *bits) ==
            config.gcm16_key_bits.end()) {
      return std::nullopt;
    }
  } else if (encr.id == kCbc) {
    const Transform* t = p.find(TransformType::Integ);
    if (t == nullptr || !attributes_ok(*t) ||
        std::find(config.cbc_key_bits.begin(), config.cbc_key_bits.end(), *bits) ==
            config.cbc_key_bits.end()) {
      return std::nullopt;
    }
    const auto it = std::find_if(config.integs.begin(), config.integs.end(),
                                 [&](auto a) { return id_of(a) == t->id; });
    if (it == config.integs.end() || *it == crypto::IntegAlgorithm::None) {
      return std::nullopt;
    }
    integ = *it;
  } else {
    return std::nullopt;
  }
  const auto prf_it = std::find_if(config.prfs.begin(), config.prfs.end(),
                                   [&](auto a) { return id_of(a) == prf.id; });
  const auto dh_it = std::find_if(config.dh_groups.begin(), config.dh_groups.end(),
                                  [&](auto g) { return id_of(g) == dh.id; });
  if (prf_it == config.prfs.end() || dh_it == config.dh_groups.end() || !attributes_ok(prf) ||
      !attributes_ok(dh)) {
    return std::nullopt;
  }
  IkeSuite suite;
  suite.transforms.encr = static_cast<crypto::EncrAlgorithm>(encr.id);
  suite.transforms.encr_key_bits = *bits;
  suite.transforms.prf = *prf_it;
  suite.transforms.integ = integ;
  suite.dh = *dh_it;
  return suite;
}

std::vector<std::uint8_t> esp_spi_bytes(std::uint32_t spi) {
  return {static_cast<std::uint8_t>(spi >> 24), static_cast<std::uint8_t>(spi >> 16),
          static_cast<std::uint8_t>(spi >> 8), static_cast<std::uint8_t>(spi)};
}

EspProposalConfig esp_config_for(const EspSuite& suite, std::vector<crypto::DhGroup> dh_groups) {
  EspProposalConfig c;
  c.dh_groups = std::move(dh_groups);
  if (suite.encr == crypto::EncrAlgorithm::AesGcm16) {
    c.gcm16_key_bits = suite.encr_key_bits;
  } else {
    c.gcm16_key_bits = 0;
    c.cbc_key_bits = {suite.encr_key_bits};
    c.cbc_integ = suite.integ;
  }
  return c;
}

namespace {

// Our suite inside one ESP proposal: GCM-16 when we take it, else the first AES-CBC key length
// we take with our INTEG.
std::optional<EspSuite> match_esp_suite(const EspProposalConfig& config, const wire::Proposal& p) {
  if (config.gcm16_key_bits != 0 && integ_ok_for_aead(p) &&
      has_transform(p, TransformType::Encr, kGcm16, config.gcm16_key_bits)) {
    return EspSuite{crypto::EncrAlgorithm::AesGcm16, config.gcm16_key_bits,
                    crypto::IntegAlgorithm::None};
  }
  if (config.cbc_integ == crypto::IntegAlgorithm::None ||
      !has_transform(p, TransformType::Integ, id_of(config.cbc_integ))) {
    return std::nullopt;
  }
  for (std::uint16_t bits : config.cbc_key_bits) {
    if (has_transform(p, TransformType::Encr, kCbc, bits)) {
      return EspSuite{crypto::EncrAlgorithm::AesCbc, bits, config.cbc_integ};
    }
  }
  return std::nullopt;
}

// One transform per type: the answer for `suite` (R7296-12).
wire::Proposal esp_proposal_for(const EspSuite& suite, std::vector<std::uint8_t> spi,
                                std::uint8_t number) {
  wire::Proposal p;
  p.number = number;
  p.protocol = wire::ProtocolId::Esp;
  p.spi = std::move(spi);
  p.transforms.push_back(
      Transform::make_with_key_length(TransformType::Encr, id_of(suite.encr), suite.encr_key_bits));
  if (suite.integ != crypto::IntegAlgorithm::None) {
    p.transforms.push_back(Transform::make(TransformType::Integ, id_of(suite.integ)));
  }
  p.transforms.push_back(Transform::make(TransformType::Esn, id_of(crypto::EsnMode::NoEsn)));
  return p;
}

// What every acceptable ESP proposal has: an ESP SPI, known types, no PRF, NO_ESN offered.
std::optional<std::uint32_t> esp_basics_ok(const wire::Proposal& p) {
  const auto spi = p.spi32();
  if (p.protocol != wire::ProtocolId::Esp || !spi || *spi == 0) {
    return std::nullopt;
  }
  const bool unknown_type = std::any_of(p.transforms.begin(), p.transforms.end(),
                                        [](const Transform& t) { return !known_type(t.type); });
  if (unknown_type || has_type(p, TransformType::Prf) ||
      !has_transform(p, TransformType::Esn, id_of(crypto::EsnMode::NoEsn))) {
    return std::nullopt;
  }
  return spi;
}

}  // namespace

wire::SaPayload make_esp_offer(const EspProposalConfig& config, std::uint32_t spi) {
  wire::SaPayload sa;
  if (config.gcm16_key_bits != 0) {
    sa.proposals.push_back(
        esp_proposal_for(EspSuite{crypto::EncrAlgorithm::AesGcm16, config.gcm16_key_bits,
                                  crypto::IntegAlgorithm::None},
                         esp_spi_bytes(spi), 1));
  }
  if (!config.cbc_key_bits.empty()) {
    // AEAD and non-AEAD in separate proposals (RFC 7296 3.3); all CBC key lengths in one.
    wire::Proposal p;
    p.number = static_cast<std::uint8_t>(sa.proposals.size() + 1);
    p.protocol = wire::ProtocolId::Esp;
    p.spi = esp_spi_bytes(spi);
    for (std::uint16_t bits : config.cbc_key_bits) {
      p.transforms.push_back(Transform::make_with_key_length(TransformType::Encr, kCbc, bits));
    }
    p.transforms.push_back(Transform::make(TransformType::Integ, id_of(config.cbc_integ)));
    p.transforms.push_back(Transform::make(TransformType::Esn, id_of(crypto::EsnMode::NoEsn)));
    sa.proposals.push_back(std::move(p));
  }
  return sa;
}

std::optional<EspSelection> select_esp_proposal(const EspProposalConfig& config,
                                                const wire::SaPayload& offer) {
  for (const auto& p : offer.proposals) {
    const auto spi = esp_basics_ok(p);
    if (!spi || has_type(p, TransformType::Dh)) {
      continue;
    }
    const auto suite = match_esp_suite(config, p);
    if (!suite) {
      continue;
    }
    EspSelection sel;
    sel.peer_spi = *spi;
    sel.suite = *suite;
    sel.chosen = esp_proposal_for(*suite, p.spi, p.number);
    return sel;
  }
  return std::nullopt;
}

std::optional<EspAnswer> accept_esp_answer_suite(const EspProposalConfig& config,
                                                 const wire::SaPayload& answer,
                                                 crypto::DhGroup sent_group) {
  if (answer.proposals.size() != 1) {
    return std::nullopt;
  }
  const wire::Proposal& p = answer.proposals[0];
  const auto spi = esp_basics_ok(p);
  const auto suite = spi ? match_esp_suite(config, p) : std::nullopt;
  if (!suite) {
    return std::nullopt;
  }
  const bool pfs = sent_group != crypto::DhGroup::None;
  const bool integ = suite->integ != crypto::IntegAlgorithm::None;
  // Exactly one transform per type (R7296-12, R7296-14).
  const std::size_t expected = 2u + (integ ? 1u : 0u) + (pfs ? 1u : 0u);
  if (p.transforms.size() != expected || count_type(p, TransformType::Encr) != 1 ||
      count_type(p, TransformType::Integ) != (integ ? 1u : 0u) ||
      count_type(p, TransformType::Esn) != 1 ||
      (pfs && !has_transform(p, TransformType::Dh, id_of(sent_group)))) {
    return std::nullopt;
  }
  return EspAnswer{*spi, *suite};
}

std::optional<std::uint32_t> accept_esp_answer(const EspProposalConfig& config,
                                               const wire::SaPayload& answer) {
  const auto a = accept_esp_answer_suite(config, answer);
  return a ? std::optional(a->peer_spi) : std::nullopt;
}

wire::SaPayload make_esp_offer_pfs(const EspProposalConfig& config, std::uint32_t spi,
                                   crypto::DhGroup first_group) {
  wire::SaPayload offer = make_esp_offer(config, spi);
  std::vector<crypto::DhGroup> groups;
  if (first_group != crypto::DhGroup::None) {
    groups.push_back(first_group);
  }
  for (auto g : config.dh_groups) {
    if (g != first_group) {
      groups.push_back(g);
    }
  }
  for (auto& p : offer.proposals) {
    for (auto g : groups) {
      p.transforms.push_back(Transform::make(TransformType::Dh, id_of(g)));
    }
  }
  return offer;
}

std::optional<EspPfsSelection> select_esp_proposal_pfs(const EspProposalConfig& config,
                                                       const wire::SaPayload& offer,
                                                       std::uint16_t ke_group) {
  for (const auto& p : offer.proposals) {
    const auto spi = esp_basics_ok(p);
    const auto suite = spi ? match_esp_suite(config, p) : std::nullopt;
    if (!suite) {
      continue;
    }
    // D-H: none offered (or NONE among them) is "no PFS"; we take it only when we demand none.
    const bool offers_none = !has_type(p, TransformType::Dh) ||
                             has_transform(p, TransformType::Dh, id_of(crypto::DhGroup::None));
    std::optional<crypto::DhGroup> dh;
    for (auto g : config.dh_groups) {
      if (!dh && id_of(g) == ke_group && has_transform(p, TransformType::Dh, ke_group)) {
        dh = g;
      }
    }
    for (auto g : config.dh_groups) {
      if (!dh && has_transform(p, TransformType::Dh, id_of(g))) {
        dh = g;
      }
    }
    if (!dh && (!config.dh_groups.empty() || !offers_none)) {
      continue;
    }
    EspPfsSelection sel;
    sel.peer_spi = *spi;
    sel.dh = dh.value_or(crypto::DhGroup::None);
    sel.suite = *suite;
    sel.chosen = esp_proposal_for(*suite, p.spi, p.number);
    if (dh) {
      sel.chosen.transforms.push_back(Transform::make(TransformType::Dh, id_of(*dh)));
    }
    return sel;
  }
  return std::nullopt;
}

std::optional<std::uint32_t> accept_esp_answer_pfs(const EspProposalConfig& config,
                                                   const wire::SaPayload& answer,
                                                   crypto::DhGroup sent_group) {
  const auto a = accept_esp_answer_suite(config, answer, sent_group);
  return a ? std::optional(a->peer_spi) : std::nullopt;
}

}  // namespace ike::engine
