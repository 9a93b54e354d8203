#include "mip6/binding/home_agents_list.h"

#include <algorithm>
#include <utility>

namespace mip6::binding {

namespace {

constexpr std::uint32_t kInfiniteLifetime = 0xffffffff;  // RFC 4861 4.6.2

base::TimePoint add_seconds(base::TimePoint now, std::uint32_t seconds) {
  return now + std::chrono::seconds(seconds);
}

// Ranking for eviction: lower preference is worse, then the sooner-expiring one.
bool worse_than(std::uint16_t pref_a, base::TimePoint exp_a, std::uint16_t pref_b,
                base::TimePoint exp_b) {
  if (pref_a != pref_b) {
    return pref_a < pref_b;
  }
  return exp_a < exp_b;
}

bool contains(std::span<const base::Ip6Addr> list, const base::Ip6Addr& a) {
  return std::find(list.begin(), list.end(), a) != list.end();
}

}  // namespace

HomeAgentsList::HomeAgentsList(HomeAgentsListConfig config, RandomSource rng)
    : config_(config), rng_(std::move(rng)) {}

void HomeAgentsList::on_router_advertisement(const base::Ip6Addr& source,
                                             const wire::RouterAdvertisement& ra,
                                             base::TimePoint now) {
  if (!source.is_link_local()) {
    counters_.inc(HaListCounter::RaNotLinkLocalSource);
    return;
  }
  HomeAgentEntry* entry = find_mutable(source);
  if (entry != nullptr && entry->configured) {
    // Configured entries (our own in particular) are not overridden by what arrives on the
    // wire, e.g. our own RA looped back.
    counters_.inc(HaListCounter::RaForConfiguredEntry);
    return;
  }
  if (!ra.home_agent) {  // R6275-49: H = 0 deletes the sender's entry
    counters_.inc(HaListCounter::RaWithoutHomeAgentFlag);
    if (entry != nullptr) {
      erase(source);
    }
    return;
  }
  // R6275-50: preference from the HA Information option else 0; lifetime from it else
  // Router Lifetime.
  std::uint16_t preference = 0;
  std::uint32_t lifetime_s = ra.router_lifetime;
  for (const auto& option : ra.options) {
    if (const auto* hai = std::get_if<wire::HomeAgentInformationOption>(&option)) {
      preference = hai->preference;
      lifetime_s = hai->lifetime;
      break;
    }
  }
  if (lifetime_s == 0) {  // R6275-49: lifetime 0 deletes an existing entry
    counters_.inc(HaListCounter::RaZeroLifetime);
    if (entry != nullptr) {
      erase(source);
    }
    return;
  }
  const base::TimePoint expires_at = add_seconds(now, lifetime_s);
  if (entry == nullptr) {
    if (!make_room(preference, expires_at)) {
      return;
    }
    entries_.push_back(HomeAgentEntry{source, {}, preference, expires_at, false, false});
    entry = &entries_.back();
    counters_.inc(HaListCounter::EntryCreated);
  } else {
    entry->preference = preference;
    entry->expires_at = expires_at;
    counters_.inc(HaListCounter::EntryRefreshed);
  }
  add_addresses(*entry, ra, now);
}

void HomeAgentsList::add_addresses(HomeAgentEntry& entry, const wire::RouterAdvertisement& ra,
                                   base::TimePoint now) {
  for (const auto& option : ra.options) {
    const auto* pio = std::get_if<wire::PrefixInformationOption>(&option);
    if (pio == nullptr || !pio->router_address) {
      continue;
    }
    const base::Ip6Addr& address = pio->prefix;  // with R = 1 the field is a full address
    auto it = std::find_if(entry.addresses.begin(), entry.addresses.end(),
                           [&](const HomeAgentAddress& a) { return a.address == address; });
    if (pio->valid_lifetime == 0) {  // R6275-51: the prefix is no longer valid
      if (it != entry.addresses.end()) {
        entry.addresses.erase(it);
        counters_.inc(HaListCounter::AddressInvalidated);
      }
      continue;
    }
    if (!address.is_routable_unicast()) {
      counters_.inc(HaListCounter::AddressNotGlobal);
      continue;
    }
    const base::TimePoint valid_until = pio->valid_lifetime == kInfiniteLifetime
                                            ? base::kNever
                                            : add_seconds(now, pio->valid_lifetime);
    if (it != entry.addresses.end()) {
      it->valid_until = valid_until;
      continue;
    }
    if (entry.addresses.size() >= config_.max_addresses_per_entry) {
      counters_.inc(HaListCounter::AddressesCapped);
      continue;
    }
    entry.addresses.push_back(HomeAgentAddress{address, valid_until});
    counters_.inc(HaListCounter::AddressAdded);
  }
}

void HomeAgentsList::set_configured(const base::Ip6Addr& link_local,
                                    std::vector<base::Ip6Addr> addresses,
                                    std::uint16_t preference, bool self) {
  HomeAgentEntry entry{link_local, {}, preference, base::kNever, true, self};
  for (const auto& a : addresses) {
    entry.addresses.push_back(HomeAgentAddress{a, base::kNever});
  }
  if (HomeAgentEntry* existing = find_mutable(link_local)) {
    *existing = std::move(entry);
  } else {
    entries_.push_back(std::move(entry));
  }
}

bool HomeAgentsList::remove(const base::Ip6Addr& link_local) {
  const std::size_t before = entries_.size();
  erase(link_local);
  return entries_.size() != before;
}

base::TimePoint HomeAgentsList::next_deadline() const {
  base::TimePoint deadline = base::kNever;
  for (const auto& e : entries_) {
    deadline = std::min(deadline, e.expires_at);
    for (const auto& a : e.addresses) {
      deadline = std::min(deadline, a.valid_until);
    }
  }
  return deadline;
}

void HomeAgentsList::expire(base::TimePoint now) {
  for (auto& e : entries_) {
    const auto removed = std::erase_if(
        e.addresses, [&](const HomeAgentAddress& a) { return a.valid_until <= now; });
    counters_.inc(HaListCounter::AddressInvalidated, removed);
  }
  const auto expired =
      std::erase_if(entries_, [&](const HomeAgentEntry& e) { return e.expires_at <= now; });
  counters_.inc(HaListCounter::EntryExpired, expired);
}

std::vector<HomeAgentEntry> HomeAgentsList::ordered(base::TimePoint now) {
  std::vector<HomeAgentEntry> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) {
    if (e.expires_at <= now) {
      continue;  // the caller has not run expire() yet; never hand out a dead entry
    }
    HomeAgentEntry copy = e;
    std::erase_if(copy.addresses, [&](const HomeAgentAddress& a) { return a.valid_until <= now; });
    shuffle(copy.addresses);
    out.push_back(std::move(copy));
  }
  // Shuffle, then a stable sort by preference: equal preferences keep the random order.
  shuffle(out);
  std::stable_sort(out.begin(), out.end(), [](const HomeAgentEntry& a, const HomeAgentEntry& b) {
    return a.preference > b.preference;
  });
  return out;
}

std::vector<base::Ip6Addr> HomeAgentsList::ordered_addresses(base::TimePoint now,
                                                             std::size_t max_addresses) {
  std::vector<base::Ip6Addr> out;
  for (const auto& e : ordered(now)) {
    for (const auto& a : e.addresses) {
      if (out.size() >= max_addresses) {
        return out;  // trimmed from the tail: the lowest preferences go first
      }
      out.push_back(a.address);
    }
  }
  return out;
}

wire::DhaadReply HomeAgentsList::build_dhaad_reply(std::uint16_t identifier,
                                                   base::TimePoint now) {
  wire::DhaadReply reply;
  reply.identifier = identifier;
  reply.home_agents = ordered_addresses(now, kMaxDhaadReplyAddresses);
  return reply;
}

std::optional<base::Ip6Addr> HomeAgentsList::choose_target(const ChooseTargetOptions& options,
                                                           base::TimePoint now) {
  // ordered() already randomises equal preferences and each HA's addresses, so the first
  // eligible entry is a uniform pick among the best eligible equals.
  for (const auto& e : ordered(now)) {
    if (e.self && options.exclude_self) {
      continue;
    }
    if (e.addresses.empty()) {
      continue;
    }
    // Excluding any address of a home agent excludes the whole home agent: it is the same
    // gateway (REDIRECTED_FROM may name any of its addresses).
    bool excluded = contains(options.exclude, e.link_local);
    for (const auto& a : e.addresses) {
      excluded = excluded || contains(options.exclude, a.address);
    }
    if (excluded) {
      continue;
    }
    if (options.has_capacity && !options.has_capacity(e)) {
      continue;
    }
    return e.addresses.front().address;
  }
  return std::nullopt;
}

const HomeAgentEntry* HomeAgentsList::find(const base::Ip6Addr& link_local) const {
  for (const auto& e : entries_) {
    if (e.link_local == link_local) {
      return &e;
    }
  }
  return nullptr;
}

HomeAgentEntry* HomeAgentsList::find_mutable(const base::Ip6Addr& link_local) {
  for (auto& e : entries_) {
    if (e.link_local == link_local) {
      return &e;
    }
  }
  return nullptr;
}

void HomeAgentsList::erase(const base::Ip6Addr& link_local) {
  std::erase_if(entries_, [&](const HomeAgentEntry& e) { return e.link_local == link_local; });
}

std::size_t HomeAgentsList::learned_count() const {
  return static_cast<std::size_t>(std::count_if(
      entries_.begin(), entries_.end(), [](const HomeAgentEntry& e) { return !e.configured; }));
}

bool HomeAgentsList::make_room(std::uint16_t preference, base::TimePoint expires_at) {
  if (learned_count() < config_.max_entries) {
    return true;
  }
  auto worst = entries_.end();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->configured) {
      continue;
    }
    if (worst == entries_.end() ||
        worse_than(it->preference, it->expires_at, worst->preference, worst->expires_at)) {
      worst = it;
    }
  }
  if (worst == entries_.end() ||
      !worse_than(worst->preference, worst->expires_at, preference, expires_at)) {
    // max_entries == 0, or the newcomer ranks no better than the worst we hold.
    counters_.inc(HaListCounter::RejectedForCapacity);
    return false;
  }
  entries_.erase(worst);
  counters_.inc(HaListCounter::EvictedForCapacity);
  return true;
}

std::size_t HomeAgentsList::random_below(std::size_t n) {
  // Without a generator (misconfiguration) the order is simply kept: still correct, just not
  // spread. Modulo bias is irrelevant for tens of entries.
  if (!rng_ || n == 0) {
    return 0;
  }
  return static_cast<std::size_t>(rng_() % n);
}

template <typename T>
void HomeAgentsList::shuffle(std::vector<T>& v) {
  // Fisher-Yates with the injected generator (std::shuffle would need a URBG object).
  for (std::size_t i = v.size(); i > 1; --i) {
    const std::size_t j = random_below(i);
    std::swap(v[i - 1], v[j]);
  }
}

}  // namespace mip6::binding
