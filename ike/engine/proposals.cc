#include "ike/engine/proposals.h"

#include <algorithm>

namespace ike::engine {
namespace {

using wire::Transform;
using wire::TransformType;

constexpr auto kGcm16 = static_cast<std::uint16_t>(crypto::EncrAlgorithm::AesGcm16);

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
  wire::Proposal p;
  p.number = 1;
  p.protocol = wire::ProtocolId::Ike;
  p.spi.assign(spi.begin(), spi.end());
  for (std::uint16_t bits : config.gcm16_key_bits) {
    p.transforms.push_back(Transform::make_with_key_length(TransformType::Encr, kGcm16, bits));
  }
  for (auto prf : config.prfs) {
    p.transforms.push_back(Transform::make(TransformType::Prf, id_of(prf)));
  }
  for (auto dh : config.dh_groups) {
    p.transforms.push_back(Transform::make(TransformType::Dh, id_of(dh)));
  }
  return wire::SaPayload{{p}};
}

std::optional<IkeSelection> select_ike_proposal(const IkeProposalConfig& config,
                                                const wire::SaPayload& offer,
                                                std::uint16_t ke_group, std::size_t spi_size) {
  for (const auto& p : offer.proposals) {
    if (p.protocol != wire::ProtocolId::Ike || p.spi.size() != spi_size) {
      continue;
    }
    const bool unknown_type = std::any_of(p.transforms.begin(), p.transforms.end(),
                                          [](const Transform& t) { return !known_type(t.type); });
    if (unknown_type || has_type(p, TransformType::Esn) || !integ_ok_for_aead(p)) {
      continue;
    }
    std::optional<std::uint16_t> bits;
    for (std::uint16_t b : config.gcm16_key_bits) {
      if (!bits && has_transform(p, TransformType::Encr, kGcm16, b)) {
        bits = b;
      }
    }
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
    if (!bits || !prf || !dh) {
      continue;
    }
    IkeSelection sel;
    sel.chosen.number = p.number;
    sel.chosen.protocol = wire::ProtocolId::Ike;
    sel.chosen.spi = p.spi;
    sel.chosen.transforms = {
        Transform::make_with_key_length(TransformType::Encr, kGcm16, *bits),
        Transform::make(TransformType::Prf, id_of(*prf)),
        Transform::make(TransformType::Dh, id_of(*dh)),
    };
    sel.suite.transforms.encr = crypto::EncrAlgorithm::AesGcm16;
    sel.suite.transforms.encr_key_bits = *bits;
    sel.suite.transforms.prf = *prf;
    sel.suite.transforms.integ = crypto::IntegAlgorithm::None;
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
      count_type(p, TransformType::Integ) > 1 || !integ_ok_for_aead(p)) {
    return std::nullopt;
  }
  const Transform& encr = *p.find(TransformType::Encr);
  const Transform& prf = *p.find(TransformType::Prf);
  const Transform& dh = *p.find(TransformType::Dh);
  const auto bits = encr.key_length();
  if (encr.id != kGcm16 || !attributes_ok(encr) || !bits ||
      std::find(config.gcm16_key_bits.begin(), config.gcm16_key_bits.end(), *bits) ==
          config.gcm16_key_bits.end()) {
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
  suite.transforms.encr = crypto::EncrAlgorithm::AesGcm16;
  suite.transforms.encr_key_bits = *bits;
  suite.transforms.prf = *prf_it;
  suite.transforms.integ = crypto::IntegAlgorithm::None;
  suite.dh = *dh_it;
  return suite;
}

wire::SaPayload make_esp_offer(const EspProposalConfig& config, std::uint32_t spi) {
  wire::Proposal p;
  p.number = 1;
  p.protocol = wire::ProtocolId::Esp;
  p.spi = {static_cast<std::uint8_t>(spi >> 24), static_cast<std::uint8_t>(spi >> 16),
           static_cast<std::uint8_t>(spi >> 8), static_cast<std::uint8_t>(spi)};
  p.transforms = {
      Transform::make_with_key_length(TransformType::Encr, kGcm16, config.gcm16_key_bits),
      Transform::make(TransformType::Esn, id_of(crypto::EsnMode::NoEsn)),
  };
  return wire::SaPayload{{p}};
}

std::optional<EspSelection> select_esp_proposal(const EspProposalConfig& config,
                                                const wire::SaPayload& offer) {
  for (const auto& p : offer.proposals) {
    const auto spi = p.spi32();
    if (p.protocol != wire::ProtocolId::Esp || !spi || *spi == 0) {
      continue;
    }
    const bool unknown_type = std::any_of(p.transforms.begin(), p.transforms.end(),
                                          [](const Transform& t) { return !known_type(t.type); });
    if (unknown_type || has_type(p, TransformType::Prf) || has_type(p, TransformType::Dh) ||
        !integ_ok_for_aead(p) ||
        !has_transform(p, TransformType::Encr, kGcm16, config.gcm16_key_bits) ||
        !has_transform(p, TransformType::Esn, id_of(crypto::EsnMode::NoEsn))) {
      continue;
    }
    EspSelection sel;
    sel.peer_spi = *spi;
    sel.chosen = make_esp_offer(config, *spi).proposals[0];
    sel.chosen.number = p.number;
    return sel;
  }
  return std::nullopt;
}

std::optional<std::uint32_t> accept_esp_answer(const EspProposalConfig& config,
                                               const wire::SaPayload& answer) {
  if (answer.proposals.size() != 1) {
    return std::nullopt;
  }
  const wire::Proposal& p = answer.proposals[0];
  const auto spi = p.spi32();
  if (p.protocol != wire::ProtocolId::Esp || !spi || *spi == 0 || p.transforms.size() != 2 ||
      !has_transform(p, TransformType::Encr, kGcm16, config.gcm16_key_bits) ||
      !has_transform(p, TransformType::Esn, id_of(crypto::EsnMode::NoEsn))) {
    return std::nullopt;
  }
  return spi;
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
  for (auto g : groups) {
    offer.proposals[0].transforms.push_back(Transform::make(TransformType::Dh, id_of(g)));
  }
  return offer;
}

std::optional<EspPfsSelection> select_esp_proposal_pfs(const EspProposalConfig& config,
                                                       const wire::SaPayload& offer,
                                                       std::uint16_t ke_group) {
  for (const auto& p : offer.proposals) {
    const auto spi = p.spi32();
    if (p.protocol != wire::ProtocolId::Esp || !spi || *spi == 0) {
      continue;
    }
    const bool unknown_type = std::any_of(p.transforms.begin(), p.transforms.end(),
                                          [](const Transform& t) { return !known_type(t.type); });
    if (unknown_type || has_type(p, TransformType::Prf) || !integ_ok_for_aead(p) ||
        !has_transform(p, TransformType::Encr, kGcm16, config.gcm16_key_bits) ||
        !has_transform(p, TransformType::Esn, id_of(crypto::EsnMode::NoEsn))) {
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
    sel.chosen = make_esp_offer(config, *spi).proposals[0];
    sel.chosen.number = p.number;
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
  if (answer.proposals.size() != 1) {
    return std::nullopt;
  }
  const wire::Proposal& p = answer.proposals[0];
  const auto spi = p.spi32();
  const bool pfs = sent_group != crypto::DhGroup::None;
  if (p.protocol != wire::ProtocolId::Esp || !spi || *spi == 0 ||
      p.transforms.size() != (pfs ? 3u : 2u) ||
      !has_transform(p, TransformType::Encr, kGcm16, config.gcm16_key_bits) ||
      !has_transform(p, TransformType::Esn, id_of(crypto::EsnMode::NoEsn)) ||
      (pfs && !has_transform(p, TransformType::Dh, id_of(sent_group)))) {
    return std::nullopt;
  }
  return spi;
}

}  // namespace ike::engine
