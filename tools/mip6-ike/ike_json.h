#pragma once
// mip6-ike's JSON for the IKE engine's values: an SA, a Child SA, INFORMATIONAL / RFC 5685
// events, and the report one SA accumulates until it settles. The netns interop tests parse
// these lines: the field names and value forms are the tool's interface.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ike/engine/ike_sa.h"
#include "ike/wire/notify_payload.h"

namespace mip6_ike {

using nlohmann::json;

// An ESP SPI as 8 hex digits.
[[nodiscard]] std::string spi32(std::uint32_t spi);
// A gateway identity: IPv6 text, IPv4 dotted quad or the FQDN.
[[nodiscard]] std::string gw_text(const ike::wire::GwIdentity& gw);

[[nodiscard]] json child_json(const ike::engine::InstallChildSa& c, bool dump_keys);
// The common part of the initiator's result and the responder's per-SA lines.
[[nodiscard]] json sa_json(const ike::engine::IkeSa& sa, bool dump_keys);
// One line per INFORMATIONAL / RFC 5685 output of an SA ("event": sa_deleted,
// child_sa_deleted, redirect_sent, ...); nullopt for the others.
[[nodiscard]] std::optional<json> event_json(const ike::engine::Output& out);

// Collects what one SA reported, in the order the driver saw it.
struct SaReport {
  json j;
  bool established = false;
  bool failed = false;

  void add(const ike::engine::IkeSa& sa, const ike::engine::Output& out, bool dump_keys);
};

}  // namespace mip6_ike
