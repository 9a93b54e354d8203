#pragma once
// Home Agents List for one served link (RFC 6275 10.1, 10.5.1): built from the Router
// Advertisements of other home agents (H = 1) plus configured (static) entries such as the
// home agent's own. Plain data: time comes in as an argument, randomness through an injected
// generator, so DHAAD Reply ordering is deterministic in tests.
//
// It also feeds the IKEv2 redirect target choice (RFC 5685): choose_target() picks the best
// preference with free capacity, never an excluded gateway, spreading load across equals.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/counters.h"
#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "mip6/wire/icmpv6_mobility.h"

namespace mip6::binding {

// Uniform 64-bit values. Shells pass a CSPRNG-backed or std::mt19937_64-backed function;
// tests pass a fixed sequence.
using RandomSource = std::function<std::uint64_t()>;

// The most Home Agent Addresses a DHAAD Reply can carry inside the IPv6 minimum MTU:
// 1280 - 40 (IPv6 header) - 8 (ICMPv6 header up to Reserved) = 1232 octets = 77 addresses
// (RFC 6275 10.5.1, R6275-53).
inline constexpr std::size_t kIpv6MinimumMtu = 1280;
inline constexpr std::size_t kMaxDhaadReplyAddresses = (kIpv6MinimumMtu - 40 - 8) / 16;

struct HomeAgentAddress {
  base::Ip6Addr address;
  // When the prefix advertised with R = 1 stops being valid (R6275-51); kNever for an
  // infinite valid lifetime or a configured address.
  base::TimePoint valid_until = base::kNever;
  friend bool operator==(const HomeAgentAddress&, const HomeAgentAddress&) = default;
};

struct HomeAgentEntry {
  base::Ip6Addr link_local;  // the key: source address of the HA's Router Advertisements
  std::vector<HomeAgentAddress> addresses;  // global addresses, from PIOs with R = 1
  std::uint16_t preference = 0;             // higher is better
  base::TimePoint expires_at = base::kNever;  // kNever for configured entries
  bool configured = false;  // static entry: never expires, not touched by RAs, never evicted
  bool self = false;        // this node's own entry (excluded from redirect targets)
};

enum class HaListCounter : std::uint8_t {
  RaNotLinkLocalSource,     // RA source is not link-local (RFC 4861 6.1.2): ignored
  RaWithoutHomeAgentFlag,   // H = 0: the sender's entry (if any) was deleted
  RaZeroLifetime,           // HA lifetime 0: the sender's entry (if any) was deleted
  RaForConfiguredEntry,     // RA from a configured entry's link-local address: ignored
  EntryCreated,
  EntryRefreshed,
  EntryExpired,
  EvictedForCapacity,       // an older, worse entry was dropped to make room
  RejectedForCapacity,      // the newcomer itself ranked worst and was not added
  AddressAdded,
  AddressInvalidated,       // PIO valid lifetime 0 or expired (R6275-51)
  AddressesCapped,          // an RA carried more R = 1 addresses than we keep per entry
  AddressNotGlobal,         // R = 1 PIO whose address is not global unicast: skipped
  kCount,
};
MIP6_COUNTER_NAMES(HaListCounter, RaNotLinkLocalSource, RaWithoutHomeAgentFlag, RaZeroLifetime,
                   RaForConfiguredEntry, EntryCreated, EntryRefreshed, EntryExpired,
                   EvictedForCapacity, RejectedForCapacity, AddressAdded, AddressInvalidated,
                   AddressesCapped, AddressNotGlobal);
using HaListCounters =
    base::CounterSet<HaListCounter, static_cast<std::size_t>(HaListCounter::kCount)>;

struct HomeAgentsListConfig {
  // Bound on RA-learned entries: an RA flood from spoofed link-local sources must not grow
  // the table without limit. Configured entries do not count against it.
  std::size_t max_entries = 64;
  std::size_t max_addresses_per_entry = 8;
};

// Options for choose_target(): addresses whose home agent must not be chosen (for example the
// gateway named in REDIRECTED_FROM), whether to skip our own entry, and an optional capacity
// test supplied by the load policy.
struct ChooseTargetOptions {
  std::span<const base::Ip6Addr> exclude;
  bool exclude_self = true;
  std::function<bool(const HomeAgentEntry&)> has_capacity;  // empty: every HA has capacity
};

class HomeAgentsList {
 public:
  HomeAgentsList(HomeAgentsListConfig config, RandomSource rng);

  // RFC 6275 10.5.1 processing of a valid Router Advertisement received on this link from
  // `source` (its link-local address).
  void on_router_advertisement(const base::Ip6Addr& source, const wire::RouterAdvertisement& ra,
                               base::TimePoint now);

  // Adds or replaces a configured entry (e.g. this HA's own, with its configured preference).
  void set_configured(const base::Ip6Addr& link_local, std::vector<base::Ip6Addr> addresses,
                      std::uint16_t preference, bool self);
  // Removes a configured or learned entry. Returns true when one was removed.
  bool remove(const base::Ip6Addr& link_local);

  // Earliest entry or address expiry; kNever when nothing expires.
  [[nodiscard]] base::TimePoint next_deadline() const;
  // Deletes entries whose lifetime ran out and addresses whose prefix is no longer valid.
  void expire(base::TimePoint now);

  // Entries still valid at `now`, by decreasing preference; equal preferences in random order
  // and each entry's addresses shuffled, re-randomised on every call (R6275-53).
  [[nodiscard]] std::vector<HomeAgentEntry> ordered(base::TimePoint now);
  // The flattened address list of ordered(), trimmed to `max_addresses`.
  [[nodiscard]] std::vector<base::Ip6Addr> ordered_addresses(
      base::TimePoint now, std::size_t max_addresses = kMaxDhaadReplyAddresses);
  // A DHAAD Reply body: identifier copied from the Request, addresses as ordered_addresses()
  // trimmed so the reply fits the IPv6 minimum MTU (R6275-53).
  [[nodiscard]] wire::DhaadReply build_dhaad_reply(std::uint16_t identifier, base::TimePoint now);

  // A global address of the best home agent that is not excluded and has capacity; equals are
  // chosen at random to spread load. nullopt when none qualifies.
  [[nodiscard]] std::optional<base::Ip6Addr> choose_target(const ChooseTargetOptions& options,
                                                          base::TimePoint now);

  [[nodiscard]] const HomeAgentEntry* find(const base::Ip6Addr& link_local) const;
  [[nodiscard]] const std::vector<HomeAgentEntry>& entries() const { return entries_; }
  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] const HaListCounters& counters() const { return counters_; }

 private:
  HomeAgentEntry* find_mutable(const base::Ip6Addr& link_local);
  void erase(const base::Ip6Addr& link_local);
  std::size_t learned_count() const;
  // Makes room for one more learned entry with the given rank; false if the newcomer is the
  // worst and must not be added.
  bool make_room(std::uint16_t preference, base::TimePoint expires_at);
  void add_addresses(HomeAgentEntry& entry, const wire::RouterAdvertisement& ra,
                     base::TimePoint now);
  std::size_t random_below(std::size_t n);
  template <typename T>
  void shuffle(std::vector<T>& v);

  HomeAgentsListConfig config_;
  RandomSource rng_;
  std::vector<HomeAgentEntry> entries_;  // small (tens): linear scans are fine
  HaListCounters counters_;
};

}  // namespace mip6::binding
