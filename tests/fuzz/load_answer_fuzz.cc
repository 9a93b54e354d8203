// mip6-load's answer classifier (tools/mip6-load/answer_classifier.h): a datagram from the
// target under load is untrusted. Whatever parses must stay inside the input, and the
// classification must be consistent with what was parsed.
#include <cstddef>
#include <cstdint>
#include <span>

#include "tools/mip6-load/answer_classifier.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  const mip6load::ParsedAnswer parsed = mip6load::parse_answer(input);
  if (!parsed.view) {
    if (parsed.reason == mip6load::MalformedReason::None) {
      __builtin_trap();  // a rejection always says why
    }
    return 0;
  }
  const auto& v = *parsed.view;
  const auto inside = [&](std::span<const std::uint8_t> s) {
    return s.empty() || (s.data() >= data && s.data() + s.size() <= data + size);
  };
  if (!inside(v.redirect_gw) || !inside(v.redirect_nonce)) {
    __builtin_trap();
  }
  // Our nonce is the REDIRECT's own copy: a redirect with a non-empty copy must match it.
  const auto kind = mip6load::classify_answer(v, v.redirect_nonce);
  if (v.has_redirect && !v.redirect_nonce.empty() && kind != mip6load::AnswerKind::Redirect) {
    __builtin_trap();
  }
  return 0;
}
