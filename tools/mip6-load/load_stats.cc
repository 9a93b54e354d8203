#include "tools/mip6-load/load_stats.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>

#include "ike/base/ip6_addr.h"

namespace mip6load {

Outstanding::Outstanding(std::size_t min_capacity, std::size_t nonce_size)
    : mask_(std::bit_ceil(std::max<std::size_t>(min_capacity, 1)) - 1),
      nonce_size_(nonce_size),
      spis_(mask_ + 1, 0),
      sent_ns_(mask_ + 1, 0),
      nonces_((mask_ + 1) * nonce_size, 0) {
  free_.reserve(mask_ + 1);
  for (std::size_t i = mask_ + 1; i-- > 0;) {
    free_.push_back(static_cast<std::uint32_t>(i));
  }
}

std::optional<Outstanding::Claimed> Outstanding::claim(std::uint64_t random, std::int64_t sent_ns) {
  if (free_.empty()) {
    return std::nullopt;
  }
  const std::uint32_t slot = free_.back();
  free_.pop_back();
  std::uint64_t spi = (random & ~mask_) | slot;
  if (spi == 0) {
    spi = std::uint64_t{1} << 63;  // SPIi 0 is not an SPI (R7296-05)
  }
  spis_[slot] = spi;
  sent_ns_[slot] = sent_ns;
  return Claimed{slot, spi,
                 std::span<std::uint8_t>(nonces_.data() + slot * nonce_size_, nonce_size_)};
}

void Outstanding::unclaim(std::uint32_t slot) {
  release(slot);
}

std::optional<std::uint32_t> Outstanding::match(std::uint64_t spi_i) const {
  const auto slot = static_cast<std::uint32_t>(spi_i & mask_);
  if (spi_i == 0 || spis_[slot] != spi_i) {
    return std::nullopt;
  }
  return slot;
}

std::span<const std::uint8_t> Outstanding::nonce(std::uint32_t slot) const {
  return {nonces_.data() + slot * nonce_size_, nonce_size_};
}

void Outstanding::release(std::uint32_t slot) {
  if (spis_[slot] != 0) {
    spis_[slot] = 0;
    free_.push_back(slot);
  }
}

std::size_t Outstanding::expire(std::int64_t deadline_ns) {
  std::size_t n = 0;
  for (std::uint32_t slot = 0; slot < spis_.size(); ++slot) {
    if (spis_[slot] != 0 && sent_ns_[slot] < deadline_ns) {
      release(slot);
      ++n;
    }
  }
  return n;
}

LatencyHistogram::LatencyHistogram() : buckets_(kBuckets, 0) {}

void LatencyHistogram::record(std::int64_t ns) {
  ns = std::max<std::int64_t>(ns, 0);
  const auto us = static_cast<std::uint64_t>(ns / 1000);
  if (us < kBuckets) {
    ++buckets_[us];
  } else {
    ++overflow_;
  }
  ++count_;
  sum_ns_ += static_cast<double>(ns);
  max_ns_ = std::max(max_ns_, ns);
}

double LatencyHistogram::mean_us() const {
  return count_ == 0 ? 0.0 : sum_ns_ / static_cast<double>(count_) / 1000.0;
}

double LatencyHistogram::percentile_us(double p) const {
  if (count_ == 0) {
    return 0.0;
  }
  const auto rank =
      static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  std::uint64_t seen = 0;
  for (std::size_t us = 0; us < kBuckets; ++us) {
    seen += buckets_[us];
    if (seen >= rank && seen > 0) {
      return static_cast<double>(us) + 0.5;  // the bucket's middle
    }
  }
  return max_us();
}

std::uint64_t LoadCounters::answered() const {
  std::uint64_t n = 0;
  for (std::size_t k = 0; k < answers.size(); ++k) {
    if (k != static_cast<std::size_t>(AnswerKind::Malformed)) {
      n += answers[k];
    }
  }
  return n;
}

std::string gateway_text(std::uint8_t type, std::span<const std::uint8_t> value) {
  if (type == 2 && value.size() == 16) {
    return base::Ip6Addr::from_span(std::span<const std::uint8_t, 16>(value.data(), 16))
        .to_string();
  }
  if (type == 1 && value.size() == 4) {
    return std::to_string(value[0]) + "." + std::to_string(value[1]) + "." +
           std::to_string(value[2]) + "." + std::to_string(value[3]);
  }
  std::string out;
  for (const std::uint8_t b : value.first(std::min<std::size_t>(value.size(), 255))) {
    out += (b >= 0x21 && b < 0x7f) ? static_cast<char>(b) : '?';
  }
  return out.empty() ? "?" : out;
}

AnswerKind account_answer(std::span<const std::uint8_t> datagram, std::int64_t now_ns,
                          Outstanding& outstanding, LoadCounters& counters,
                          LatencyHistogram& latency) {
  ++counters.received;
  const ParsedAnswer parsed = parse_answer(datagram);
  if (!parsed.view) {
    ++counters.answers[static_cast<std::size_t>(AnswerKind::Malformed)];
    ++counters.malformed[static_cast<std::size_t>(parsed.reason)];
    return AnswerKind::Malformed;
  }
  const AnswerView& v = *parsed.view;
  const auto slot = outstanding.match(v.spi_i);
  if (!slot) {
    ++counters.unmatched;
    return AnswerKind::Malformed;
  }
  const AnswerKind kind = classify_answer(v, outstanding.nonce(*slot));
  if (kind == AnswerKind::RedirectBadNonce) {
    // An initiator drops it silently and keeps waiting (R5685-06): so does the request here.
    ++counters.answers[static_cast<std::size_t>(kind)];
    return kind;
  }
  ++counters.answers[static_cast<std::size_t>(kind)];
  latency.record(now_ns - outstanding.sent_ns(*slot));
  outstanding.release(*slot);
  if (kind == AnswerKind::Redirect) {
    std::string gw = gateway_text(v.redirect_gw_type, v.redirect_gw);
    auto it = counters.redirect_targets.find(gw);
    if (it != counters.redirect_targets.end()) {
      ++it->second;
    } else if (counters.redirect_targets.size() < LoadCounters::kMaxTargets) {
      counters.redirect_targets.emplace(std::move(gw), 1);
    } else {
      ++counters.redirect_targets["(others)"];
    }
  } else if (kind == AnswerKind::ErrorNotify) {
    ++counters.error_notifies[*v.first_error_notify];
  }
  return kind;
}

namespace {
double per_second(std::uint64_t n, double seconds) {
  return seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
}
}  // namespace

nlohmann::json report_json(const RunInfo& info, const LoadCounters& c,
                           const LatencyHistogram& latency) {
  nlohmann::json j;
  j["tool"] = "mip6-load";
  j["mode"] = "ike-init";
  j["target"] = info.target;
  j["duration_s"] = info.duration_s;
  if (info.window != 0) {
    j["window"] = info.window;
  } else {
    j["rate"] = info.rate;
  }
  j["redirect_supported"] = info.redirect_supported;
  j["sent"] = c.sent;
  j["send_errors"] = c.send_errors;
  j["received"] = c.received;
  j["answered"] = c.answered();
  j["unmatched"] = c.unmatched;
  j["none"] = c.timeouts;
  nlohmann::json answers = nlohmann::json::object();
  for (std::size_t k = 0; k < c.answers.size(); ++k) {
    answers[std::string(to_string(static_cast<AnswerKind>(k)))] = c.answers[k];
  }
  j["answers"] = answers;
  nlohmann::json malformed = nlohmann::json::object();
  for (std::size_t k = 1; k < c.malformed.size(); ++k) {
    if (c.malformed[k] != 0) {
      malformed[std::string(to_string(static_cast<MalformedReason>(k)))] = c.malformed[k];
    }
  }
  j["malformed"] = malformed;
  nlohmann::json errors = nlohmann::json::object();
  for (const auto& [type, n] : c.error_notifies) {
    errors[std::to_string(type)] = n;
  }
  j["error_notifies"] = errors;
  j["redirect_targets"] = c.redirect_targets;
  j["rates"] = {{"sent_per_s", per_second(c.sent, info.duration_s)},
                {"answered_per_s", per_second(c.answered(), info.duration_s)},
                {"redirects_per_s", per_second(c.of(AnswerKind::Redirect), info.duration_s)}};
  j["latency_us"] = {{"samples", latency.count()},
                     {"mean", latency.mean_us()},
                     {"p50", latency.percentile_us(50)},
                     {"p99", latency.percentile_us(99)},
                     {"max", latency.max_us()}};
  if (info.target_cpu_pct) {
    j["target_cpu_pct"] = *info.target_cpu_pct;
  }
  j["load_cpu_pct"] = info.load_cpu_pct;
  return j;
}

std::string report_line(const RunInfo& info, const LoadCounters& c,
                        const LatencyHistogram& latency) {
  char buf[512];
  const std::string mode = info.window != 0 ? "window " + std::to_string(info.window)
                                            : "rate " + std::to_string(static_cast<long>(info.rate));
  std::snprintf(buf, sizeof buf,
                "mip6-load ike-init %s %.1f s %s: sent %.0f/s, answered %.0f/s, redirects %.0f/s "
                "(bad nonce %llu), responses %llu, cookies %llu, errors %llu, none %llu; "
                "latency mean %.0f us p99 %.0f us",
                info.target.c_str(), info.duration_s, mode.c_str(),
                per_second(c.sent, info.duration_s), per_second(c.answered(), info.duration_s),
                per_second(c.of(AnswerKind::Redirect), info.duration_s),
                static_cast<unsigned long long>(c.of(AnswerKind::RedirectBadNonce)),
                static_cast<unsigned long long>(c.of(AnswerKind::InitResponse)),
                static_cast<unsigned long long>(c.of(AnswerKind::Cookie)),
                static_cast<unsigned long long>(c.of(AnswerKind::ErrorNotify)),
                static_cast<unsigned long long>(c.timeouts), latency.mean_us(),
                latency.percentile_us(99));
  std::string line = buf;
  if (info.target_cpu_pct) {
    std::snprintf(buf, sizeof buf, "; target CPU %.0f %%", *info.target_cpu_pct);
    line += buf;
  }
  return line;
}

}  // namespace mip6load
