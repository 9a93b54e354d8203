#pragma once
// Book-keeping of mip6-load, free of sockets so it can be tested: the table of outstanding
// requests (matched by SPIi, which carries the slot index in its low bits), the latency
// histogram, and the counters that end up in the JSON report.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/mip6-load/answer_classifier.h"

namespace mip6load {

// Requests in flight. Capacity is a power of two; SPIi = random high bits | slot index, so an
// answer finds its slot in O(1) and a stale answer (slot reused since) does not match.
class Outstanding {
 public:
  Outstanding(std::size_t min_capacity, std::size_t nonce_size);

  [[nodiscard]] std::size_t capacity() const { return spis_.size(); }
  [[nodiscard]] std::size_t in_flight() const { return capacity() - free_.size(); }
  [[nodiscard]] std::size_t free_slots() const { return free_.size(); }

  // Takes a free slot for a request sent at `sent_ns`; `random` gives the SPI's high bits.
  // Returns the slot, its SPI and the place for its nonce (to be filled by the caller).
  struct Claimed {
    std::uint32_t slot;
    std::uint64_t spi;
    std::span<std::uint8_t> nonce;
  };
  [[nodiscard]] std::optional<Claimed> claim(std::uint64_t random, std::int64_t sent_ns);
  // Gives back a slot whose request was never sent.
  void unclaim(std::uint32_t slot);

  // The slot waiting for an answer with this SPIi, if any.
  [[nodiscard]] std::optional<std::uint32_t> match(std::uint64_t spi_i) const;
  [[nodiscard]] std::span<const std::uint8_t> nonce(std::uint32_t slot) const;
  [[nodiscard]] std::int64_t sent_ns(std::uint32_t slot) const { return sent_ns_[slot]; }
  void release(std::uint32_t slot);

  // Releases every request sent before `deadline_ns`; returns how many.
  std::size_t expire(std::int64_t deadline_ns);

 private:
  std::uint64_t mask_;
  std::size_t nonce_size_;
  std::vector<std::uint64_t> spis_;  // 0 = free
  std::vector<std::int64_t> sent_ns_;
  std::vector<std::uint8_t> nonces_;
  std::vector<std::uint32_t> free_;
};

// Latency in microseconds: 1 us buckets up to 100 ms, one overflow bucket.
class LatencyHistogram {
 public:
  LatencyHistogram();
  void record(std::int64_t ns);
  [[nodiscard]] std::uint64_t count() const { return count_; }
  [[nodiscard]] double mean_us() const;
  [[nodiscard]] double percentile_us(double p) const;  // p in (0, 100]
  [[nodiscard]] double max_us() const { return static_cast<double>(max_ns_) / 1000.0; }

 private:
  static constexpr std::size_t kBuckets = 100000;
  std::vector<std::uint32_t> buckets_;
  std::uint64_t overflow_ = 0;
  std::uint64_t count_ = 0;
  double sum_ns_ = 0;
  std::int64_t max_ns_ = 0;
};

struct LoadCounters {
  std::uint64_t sent = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t received = 0;
  std::uint64_t unmatched = 0;  // no request in flight with that SPIi (late, duplicate, foreign)
  std::uint64_t timeouts = 0;   // "none": no answer within the timeout
  std::array<std::uint64_t, static_cast<std::size_t>(AnswerKind::kCount)> answers{};
  std::array<std::uint64_t, static_cast<std::size_t>(MalformedReason::kCount)> malformed{};
  std::map<std::uint16_t, std::uint64_t> error_notifies;  // by notify type
  std::map<std::string, std::uint64_t> redirect_targets;  // at most kMaxTargets names

  static constexpr std::size_t kMaxTargets = 16;

  [[nodiscard]] std::uint64_t answered() const;  // matched answers of every kind
  [[nodiscard]] std::uint64_t of(AnswerKind k) const {
    return answers[static_cast<std::size_t>(k)];
  }
};

// Counts one answer: parses, matches it to its request, classifies and records latency.
// Returns the kind (Malformed also for unmatched answers, which are counted separately).
AnswerKind account_answer(std::span<const std::uint8_t> datagram, std::int64_t now_ns,
                          Outstanding& outstanding, LoadCounters& counters,
                          LatencyHistogram& latency);

// RFC 5685 9.4 GW identity as text: an address, or the FQDN (non-printable octets as '?').
[[nodiscard]] std::string gateway_text(std::uint8_t type, std::span<const std::uint8_t> value);

struct RunInfo {
  std::string target;  // "[addr]:port"
  double duration_s = 0;
  std::size_t window = 0;  // 0 in rate mode
  double rate = 0;         // 0 in window mode
  bool redirect_supported = true;
  std::optional<double> target_cpu_pct;  // CPU of --pid during the run
  double load_cpu_pct = 0;
};

[[nodiscard]] nlohmann::json report_json(const RunInfo& info, const LoadCounters& c,
                                         const LatencyHistogram& latency);
[[nodiscard]] std::string report_line(const RunInfo& info, const LoadCounters& c,
                                      const LatencyHistogram& latency);

}  // namespace mip6load
