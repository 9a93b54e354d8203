// --ike-proposal / --esp-proposal strings (ike/engine/proposal_spec.h) come from command lines
// and config files. Any text either fails with a reason or gives a config whose own offer it
// accepts (a responder configured like the initiator always agrees with it).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ike/engine/proposal_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto ike = ike::engine::parse_ike_proposal(text)) {
    const auto offer = ike::engine::make_ike_sa_offer(*ike);
    const auto group = static_cast<std::uint16_t>(ike->dh_groups.front());
    if (!ike::engine::select_ike_proposal(*ike, offer, group)) {
      __builtin_trap();
    }
  } else if (ike.error().detail.empty()) {
    __builtin_trap();  // a refusal always says why
  }
  if (auto esp = ike::engine::parse_esp_proposal(text)) {
    const auto offer = ike::engine::make_esp_offer_pfs(
        *esp, 0x01020304,
        esp->dh_groups.empty() ? ike::crypto::DhGroup::None : esp->dh_groups.front());
    const auto ke = esp->dh_groups.empty() ? 0 : static_cast<std::uint16_t>(esp->dh_groups[0]);
    const auto sel = ike::engine::select_esp_proposal_pfs(*esp, offer, ke);
    if (!sel || sel->peer_spi != 0x01020304u) {
      __builtin_trap();
    }
  } else if (esp.error().detail.empty()) {
    __builtin_trap();
  }
  return 0;
}
