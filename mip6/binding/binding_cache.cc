#include "mip6/binding/binding_cache.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <utility>

#include "ike/base/check.h"

namespace mip6::binding {

namespace {

constexpr std::uint32_t kChunkBits = 12;
constexpr std::uint32_t kChunkSize = 1U << kChunkBits;
constexpr std::uint32_t kChunkMask = kChunkSize - 1;

// 2^18 one-second slots: 72.8 h, just above the longest lifetime a BA can grant
// (0xffff x 4 s = 262140 s). Longer expiries still work (the slot is revisited a revolution
// later), they just cost one extra visit.
constexpr std::uint32_t kWheelBits = 18;
constexpr std::uint32_t kWheelSlots = 1U << kWheelBits;
constexpr std::uint32_t kWheelMask = kWheelSlots - 1;
constexpr std::uint32_t kWheelWords = kWheelSlots / 64;  // 4096 level-0 words
static_assert(kWheelWords / 64 == 64, "summary level is one std::array<uint64_t, 64>");

constexpr std::uint8_t kFlagHome = 0x01;
constexpr std::uint8_t kFlagLinkLocal = 0x02;
constexpr std::uint8_t kFlagKeyMgmt = 0x04;
constexpr std::uint8_t kFlagInUse = 0x80;

constexpr std::uint32_t kMaxSeconds = std::numeric_limits<std::uint32_t>::max() - 1;

std::uint32_t tag_of(const base::Ip6Addr& a) {
  const auto h = static_cast<std::uint64_t>(base::Ip6AddrHash{}(a));
  return static_cast<std::uint32_t>(h ^ (h >> 32));
}

std::uint8_t pack_flags(const BindingFlags& f) {
  return static_cast<std::uint8_t>((f.home_registration ? kFlagHome : 0) |
                                   (f.link_local ? kFlagLinkLocal : 0) |
                                   (f.key_mgmt ? kFlagKeyMgmt : 0));
}

BindingFlags unpack_flags(std::uint8_t bits) {
  return BindingFlags{(bits & kFlagHome) != 0, (bits & kFlagLinkLocal) != 0,
                      (bits & kFlagKeyMgmt) != 0};
}

}  // namespace

// One binding: 56 bytes. Links are entry indices (32-bit) rather than pointers.
struct BindingCache::Entry {
  base::Ip6Addr hoa;
  base::Ip6Addr coa;
  std::uint32_t expiry = 0;  // seconds from epoch; wheel slot = expiry & kWheelMask
  std::uint32_t timer_next = kNil;  // wheel list, or free-list link
  std::uint32_t timer_prev = kNil;
  std::uint32_t identity = 0;
  std::uint16_t sequence = 0;
  std::uint16_t lifetime_units = 0;
  std::uint8_t flags = 0;
  BindingState state = BindingState::Active;
};

BindingCache::BindingCache(const Config& config, base::TimePoint epoch)
    : epoch_(epoch),
      capacity_(config.capacity),
      reservation_ttl_(config.reservation_ttl),
      delete_hold_(config.delete_hold),
      wheel_heads_(kWheelSlots, kNil),
      wheel_bits_(kWheelWords, 0) {
  static_assert(sizeof(Entry) <= 56, "keep entries compact (<= 128 B per binding)");
}

BindingCache::~BindingCache() = default;
BindingCache::BindingCache(BindingCache&&) noexcept = default;
BindingCache& BindingCache::operator=(BindingCache&&) noexcept = default;

// ---------------------------------------------------------------------------------- time

std::uint32_t BindingCache::ceil_seconds(base::TimePoint t) const {
  if (t <= epoch_) {
    return 0;
  }
  const auto s = std::chrono::ceil<std::chrono::seconds>(t - epoch_).count();
  return s >= static_cast<std::int64_t>(kMaxSeconds) ? kMaxSeconds
                                                     : static_cast<std::uint32_t>(s);
}

std::uint32_t BindingCache::floor_seconds(base::TimePoint t) const {
  if (t <= epoch_) {
    return 0;
  }
  const auto s = std::chrono::floor<std::chrono::seconds>(t - epoch_).count();
  return s >= static_cast<std::int64_t>(kMaxSeconds) ? kMaxSeconds
                                                     : static_cast<std::uint32_t>(s);
}

base::TimePoint BindingCache::to_time(std::uint32_t seconds) const {
  return epoch_ + std::chrono::seconds(seconds);
}

// ------------------------------------------------------------------------------- storage

BindingCache::Entry& BindingCache::entry(std::uint32_t index) {
  return chunks_[index >> kChunkBits][index & kChunkMask];
}

const BindingCache::Entry& BindingCache::entry(std::uint32_t index) const {
  return chunks_[index >> kChunkBits][index & kChunkMask];
}

std::uint32_t BindingCache::allocate_entry() {
  if (free_head_ != kNil) {
    const std::uint32_t index = free_head_;
    free_head_ = entry(index).timer_next;
    return index;
  }
  MIP_CHECK(next_unused_ < kNil - kChunkSize);
  if (next_unused_ == chunks_.size() * kChunkSize) {
    chunks_.push_back(std::make_unique<Entry[]>(kChunkSize));
  }
  return next_unused_++;
}

void BindingCache::free_entry(std::uint32_t index) {
  Entry& e = entry(index);
  e = Entry{};
  e.timer_next = free_head_;
  free_head_ = index;
}

BindingInfo BindingCache::info(const Entry& e) const {
  BindingInfo out;
  out.home_address = e.hoa;
  out.care_of_address = e.coa;
  out.sequence = BindingSequence(e.sequence);
  out.lifetime_units = e.lifetime_units;
  out.expires = to_time(e.expiry);
  out.flags = unpack_flags(e.flags);
  out.identity = IkeIdentityHandle{e.identity};
  out.state = e.state;
  return out;
}

// -------------------------------------------------------------------------------- hash

std::uint32_t BindingCache::lookup(const base::Ip6Addr& hoa) const {
  if (table_.empty()) {
    return kNil;
  }
  const std::uint32_t tag = tag_of(hoa);
  for (std::uint32_t pos = tag & mask_;; pos = (pos + 1) & mask_) {
    const HashSlot& s = table_[pos];
    if (s.index == kNil) {
      return kNil;
    }
    if (s.tag == tag && entry(s.index).hoa == hoa) {
      return s.index;
    }
  }
}

void BindingCache::hash_insert(std::uint32_t index, const base::Ip6Addr& hoa) {
  // Grow at 3/4 load: linear probing stays short and the table costs ~11-21 B per binding.
  if ((hash_count_ + 1) * 4 > table_.size() * 3) {
    hash_grow();
  }
  const std::uint32_t tag = tag_of(hoa);
  std::uint32_t pos = tag & mask_;
  while (table_[pos].index != kNil) {
    pos = (pos + 1) & mask_;
  }
  table_[pos] = HashSlot{index, tag};
  ++hash_count_;
}

void BindingCache::hash_erase(const base::Ip6Addr& hoa) {
  const std::uint32_t tag = tag_of(hoa);
  std::uint32_t hole = tag & mask_;
  while (true) {
    const HashSlot& s = table_[hole];
    MIP_ASSERT(s.index != kNil);
    if (s.index == kNil) {
      return;
    }
    if (s.tag == tag && entry(s.index).hoa == hoa) {
      break;
    }
    hole = (hole + 1) & mask_;
  }
  // Backward-shift deletion: no tombstones, so lookups never slow down with churn.
  for (std::uint32_t j = (hole + 1) & mask_; table_[j].index != kNil; j = (j + 1) & mask_) {
    const std::uint32_t home = table_[j].tag & mask_;
    if (((j - home) & mask_) >= ((j - hole) & mask_)) {
      table_[hole] = table_[j];
      hole = j;
    }
  }
  table_[hole] = HashSlot{};
  --hash_count_;
}

void BindingCache::hash_grow() {
  const std::size_t size = table_.empty() ? 16 : table_.size() * 2;
  MIP_CHECK(size <= (std::size_t{1} << 32));
  std::vector<HashSlot> old;
  old.swap(table_);
  table_.assign(size, HashSlot{});
  mask_ = static_cast<std::uint32_t>(size - 1);
  for (const HashSlot& s : old) {
    if (s.index == kNil) {
      continue;
    }
    std::uint32_t pos = s.tag & mask_;
    while (table_[pos].index != kNil) {
      pos = (pos + 1) & mask_;
    }
    table_[pos] = s;
  }
}

// ------------------------------------------------------------------------- calendar wheel

void BindingCache::set_slot_bit(std::uint32_t slot) {
  const std::uint32_t word = slot >> 6;
  wheel_bits_[word] |= std::uint64_t{1} << (slot & 63);
  wheel_summary_[word >> 6] |= std::uint64_t{1} << (word & 63);
}

void BindingCache::clear_slot_bit(std::uint32_t slot) {
  const std::uint32_t word = slot >> 6;
  wheel_bits_[word] &= ~(std::uint64_t{1} << (slot & 63));
  if (wheel_bits_[word] == 0) {
    wheel_summary_[word >> 6] &= ~(std::uint64_t{1} << (word & 63));
  }
}

std::uint32_t BindingCache::find_next_slot(std::uint32_t from) const {
  if (from >= kWheelSlots) {
    return kWheelSlots;
  }
  std::uint32_t word = from >> 6;
  const std::uint64_t bits = wheel_bits_[word] & (~std::uint64_t{0} << (from & 63));
  if (bits != 0) {
    return (word << 6) | static_cast<std::uint32_t>(std::countr_zero(bits));
  }
  // Walk the summary (64 words at most) for the next non-empty level-0 word.
  for (std::uint32_t next = word + 1; next < kWheelWords;) {
    const std::uint32_t sw = next >> 6;
    const std::uint64_t summary = wheel_summary_[sw] & (~std::uint64_t{0} << (next & 63));
    if (summary != 0) {
      word = (sw << 6) | static_cast<std::uint32_t>(std::countr_zero(summary));
      return (word << 6) | static_cast<std::uint32_t>(std::countr_zero(wheel_bits_[word]));
    }
    next = (sw + 1) << 6;
  }
  return kWheelSlots;
}

void BindingCache::schedule(std::uint32_t index, std::uint32_t expiry) {
  Entry& e = entry(index);
  // Something already due (only with callers' clocks disagreeing) fires at the next tick.
  e.expiry = std::max(expiry, cursor_ + 1);
  const std::uint32_t slot = e.expiry & kWheelMask;
  e.timer_prev = kNil;
  e.timer_next = wheel_heads_[slot];
  if (e.timer_next != kNil) {
    entry(e.timer_next).timer_prev = index;
  }
  wheel_heads_[slot] = index;
  set_slot_bit(slot);
}

void BindingCache::unschedule(std::uint32_t index) {
  Entry& e = entry(index);
  const std::uint32_t slot = e.expiry & kWheelMask;
  if (e.timer_prev != kNil) {
    entry(e.timer_prev).timer_next = e.timer_next;
  } else {
    wheel_heads_[slot] = e.timer_next;
    if (e.timer_next == kNil) {
      clear_slot_bit(slot);
    }
  }
  if (e.timer_next != kNil) {
    entry(e.timer_next).timer_prev = e.timer_prev;
  }
  e.timer_next = kNil;
  e.timer_prev = kNil;
}

void BindingCache::process_slot(std::uint32_t slot, std::uint32_t now_s,
                                std::vector<ExpiredBinding>& out, std::size_t& appended) {
  std::uint32_t index = wheel_heads_[slot];
  while (index != kNil) {
    Entry& e = entry(index);
    const std::uint32_t next = e.timer_next;
    counters_.inc(BindingCacheCounter::ExpiryVisits);
    if (e.expiry <= now_s) {  // otherwise it belongs to a later revolution of the wheel
      unschedule(index);
      ExpiredBinding rec;
      rec.home_address = e.hoa;
      rec.care_of_address = e.coa;
      rec.flags = unpack_flags(e.flags);
      rec.identity = IkeIdentityHandle{e.identity};
      if (e.state == BindingState::Active) {
        rec.kind = ExpiryKind::LifetimeEnded;
        coa_erase(index);
        --bindings_;
        counters_.inc(BindingCacheCounter::BindingsExpired);
      } else {
        rec.kind = ExpiryKind::HoldEnded;
        --held_;
        counters_.inc(BindingCacheCounter::HoldsEnded);
      }
      hash_erase(e.hoa);
      free_entry(index);
      --live_entries_;
      out.push_back(rec);
      ++appended;
    }
    index = next;
  }
}

// -------------------------------------------------------------------- care-of index

void BindingCache::coa_insert(std::uint32_t index) {
  // Same scheme as the home-address table (3/4 load, linear probing, backward-shift erase),
  // but keys may repeat, so a slot is identified by its entry index.
  if ((coa_count_ + 1) * 4 > coa_table_.size() * 3) {
    const std::size_t size = coa_table_.empty() ? 16 : coa_table_.size() * 2;
    MIP_CHECK(size <= (std::size_t{1} << 32));
    std::vector<HashSlot> old;
    old.swap(coa_table_);
    coa_table_.assign(size, HashSlot{});
    coa_mask_ = static_cast<std::uint32_t>(size - 1);
    for (const HashSlot& s : old) {
      if (s.index == kNil) {
        continue;
      }
      std::uint32_t pos = s.tag & coa_mask_;
      while (coa_table_[pos].index != kNil) {
        pos = (pos + 1) & coa_mask_;
      }
      coa_table_[pos] = s;
    }
  }
  const std::uint32_t tag = tag_of(entry(index).coa);
  std::uint32_t pos = tag & coa_mask_;
  while (coa_table_[pos].index != kNil) {
    pos = (pos + 1) & coa_mask_;
  }
  coa_table_[pos] = HashSlot{index, tag};
  ++coa_count_;
}

void BindingCache::coa_erase(std::uint32_t index) {
  if (coa_table_.empty()) {
    return;
  }
  const std::uint32_t tag = tag_of(entry(index).coa);
  std::uint32_t hole = tag & coa_mask_;
  while (true) {
    const HashSlot& s = coa_table_[hole];
    MIP_ASSERT(s.index != kNil);
    if (s.index == kNil) {
      return;
    }
    if (s.index == index) {
      break;
    }
    hole = (hole + 1) & coa_mask_;
  }
  for (std::uint32_t j = (hole + 1) & coa_mask_; coa_table_[j].index != kNil;
       j = (j + 1) & coa_mask_) {
    const std::uint32_t home = coa_table_[j].tag & coa_mask_;
    if (((j - home) & coa_mask_) >= ((j - hole) & coa_mask_)) {
      coa_table_[hole] = coa_table_[j];
      hole = j;
    }
  }
  coa_table_[hole] = HashSlot{};
  --coa_count_;
}

bool BindingCache::has_binding_for_address(const base::Ip6Addr& addr) const {
  const std::uint32_t index = lookup(addr);
  if (index != kNil && entry(index).state == BindingState::Active) {
    return true;
  }
  if (coa_table_.empty()) {
    return false;
  }
  const std::uint32_t tag = tag_of(addr);
  for (std::uint32_t pos = tag & coa_mask_;; pos = (pos + 1) & coa_mask_) {
    const HashSlot& s = coa_table_[pos];
    if (s.index == kNil) {
      return false;
    }
    if (s.tag == tag && entry(s.index).coa == addr) {
      return true;
    }
  }
}

// --------------------------------------------------------------------------- reservations

BindingCache::Reservation* BindingCache::live_reservation(ReservationId id) {
  return const_cast<Reservation*>(std::as_const(*this).live_reservation(id));
}

const BindingCache::Reservation* BindingCache::live_reservation(ReservationId id) const {
  if (!id.valid()) {
    return nullptr;
  }
  const auto index = static_cast<std::uint32_t>(id.value() & 0xffffffffU);
  const auto generation = static_cast<std::uint32_t>(id.value() >> 32);
  if (index >= reservations_pool_.size()) {
    return nullptr;
  }
  const Reservation& r = reservations_pool_[index];
  return (r.live && r.generation == generation) ? &r : nullptr;
}

void BindingCache::append_reservation(std::uint32_t index) {
  Reservation& r = reservations_pool_[index];
  // Keep the FIFO sorted even if callers' clocks disagree slightly: never before the tail.
  if (res_tail_ != kNil) {
    r.expiry = std::max(r.expiry, reservations_pool_[res_tail_].expiry);
  }
  r.prev = res_tail_;
  r.next = kNil;
  if (res_tail_ != kNil) {
    reservations_pool_[res_tail_].next = index;
  } else {
    res_head_ = index;
  }
  res_tail_ = index;
}

void BindingCache::unlink_reservation(std::uint32_t index) {
  Reservation& r = reservations_pool_[index];
  if (r.prev != kNil) {
    reservations_pool_[r.prev].next = r.next;
  } else {
    res_head_ = r.next;
  }
  if (r.next != kNil) {
    reservations_pool_[r.next].prev = r.prev;
  } else {
    res_tail_ = r.prev;
  }
  r.prev = kNil;
  r.next = kNil;
}

void BindingCache::free_reservation(std::uint32_t index) {
  unlink_reservation(index);
  Reservation& r = reservations_pool_[index];
  r.live = false;
  r.generation = r.generation == std::numeric_limits<std::uint32_t>::max() ? 1 : r.generation + 1;
  r.next = res_free_;
  res_free_ = index;
  --reservations_;
}

void BindingCache::expire_reservations(std::uint32_t now_s) {
  while (res_head_ != kNil && reservations_pool_[res_head_].expiry <= now_s) {
    counters_.inc(BindingCacheCounter::ExpiryVisits);
    counters_.inc(BindingCacheCounter::ReservationsExpired);
    free_reservation(res_head_);
  }
}

base::Result<ReservationId, CacheError> BindingCache::reserve(base::TimePoint now) {
  expire_reservations(floor_seconds(now));
  if (static_cast<std::uint64_t>(bindings_) + reservations_ >= capacity_) {
    counters_.inc(BindingCacheCounter::ReservationsRejectedFull);
    return base::fail(CacheError::NoCapacity);
  }
  std::uint32_t index = res_free_;
  if (index != kNil) {
    res_free_ = reservations_pool_[index].next;
  } else {
    MIP_CHECK(reservations_pool_.size() < kNil);
    index = static_cast<std::uint32_t>(reservations_pool_.size());
    reservations_pool_.emplace_back();
  }
  Reservation& r = reservations_pool_[index];
  r.live = true;
  r.expiry = ceil_seconds(now + reservation_ttl_);
  append_reservation(index);
  ++reservations_;
  counters_.inc(BindingCacheCounter::Reserved);
  return ReservationId((static_cast<std::uint64_t>(r.generation) << 32) | index);
}

bool BindingCache::release(ReservationId id) {
  if (live_reservation(id) == nullptr) {
    return false;
  }
  free_reservation(static_cast<std::uint32_t>(id.value() & 0xffffffffU));
  counters_.inc(BindingCacheCounter::ReservationsReleased);
  return true;
}

bool BindingCache::refresh_reservation(ReservationId id, base::TimePoint now) {
  expire_reservations(floor_seconds(now));
  Reservation* r = live_reservation(id);
  if (r == nullptr) {
    return false;
  }
  const auto index = static_cast<std::uint32_t>(id.value() & 0xffffffffU);
  unlink_reservation(index);
  r->expiry = ceil_seconds(now + reservation_ttl_);
  append_reservation(index);
  return true;
}

bool BindingCache::is_reserved(ReservationId id) const { return live_reservation(id) != nullptr; }

AdmissionSnapshot BindingCache::snapshot() const {
  return AdmissionSnapshot{bindings_, reservations_, capacity_, held_};
}

// ------------------------------------------------------------------------------ bindings

std::optional<BindingInfo> BindingCache::find(const base::Ip6Addr& hoa) const {
  const std::uint32_t index = lookup(hoa);
  if (index == kNil) {
    return std::nullopt;
  }
  return info(entry(index));
}

base::Result<CommitResult, CacheError> BindingCache::commit(const BindingParams& params,
                                                            ReservationId reservation,
                                                            base::TimePoint now) {
  if (params.lifetime_units == 0) {
    return base::fail(CacheError::InvalidLifetime);
  }
  expire_reservations(floor_seconds(now));
  const std::uint32_t expiry =
      ceil_seconds(now + std::chrono::seconds(std::uint32_t{params.lifetime_units} * 4));
  std::uint32_t index = lookup(params.home_address);
  CommitResult result;

  if (index != kNil && entry(index).state == BindingState::Active) {
    Entry& e = entry(index);
    result.outcome = CommitOutcome::Updated;
    result.previous_coa = e.coa;
    result.previous_flags = unpack_flags(e.flags);
    if (e.coa != params.care_of_address) {
      coa_erase(index);
      e.coa = params.care_of_address;
      coa_insert(index);
    }
    e.sequence = params.sequence.value();
    e.lifetime_units = params.lifetime_units;
    e.flags = static_cast<std::uint8_t>(pack_flags(params.flags) | kFlagInUse);
    e.identity = params.identity.value;
    unschedule(index);
    schedule(index, expiry);
    // The MN already holds a slot through its binding: a reservation it carries is surplus.
    if (live_reservation(reservation) != nullptr) {
      free_reservation(static_cast<std::uint32_t>(reservation.value() & 0xffffffffU));
      counters_.inc(BindingCacheCounter::ReservationsUnneeded);
    }
    counters_.inc(BindingCacheCounter::BindingsUpdated);
    return result;
  }

  // A new binding (or re-registration during the hold) needs a slot.
  if (live_reservation(reservation) != nullptr) {
    free_reservation(static_cast<std::uint32_t>(reservation.value() & 0xffffffffU));
    counters_.inc(BindingCacheCounter::ReservationsCommitted);
    result.reservation_consumed = true;
  } else if (static_cast<std::uint64_t>(bindings_) + reservations_ >= capacity_) {
    counters_.inc(BindingCacheCounter::CommitsRejectedFull);
    return base::fail(CacheError::NoCapacity);
  }

  if (index != kNil) {  // in its hold: reuse the entry
    unschedule(index);
    --held_;
  } else {
    index = allocate_entry();
    entry(index).hoa = params.home_address;
    hash_insert(index, params.home_address);
    ++live_entries_;
  }
  Entry& e = entry(index);
  e.coa = params.care_of_address;
  e.sequence = params.sequence.value();
  e.lifetime_units = params.lifetime_units;
  e.flags = static_cast<std::uint8_t>(pack_flags(params.flags) | kFlagInUse);
  e.identity = params.identity.value;
  e.state = BindingState::Active;
  coa_insert(index);
  schedule(index, expiry);
  ++bindings_;
  counters_.inc(BindingCacheCounter::BindingsCreated);
  result.outcome = CommitOutcome::Created;
  return result;
}

bool BindingCache::deregister(const base::Ip6Addr& hoa, BindingSequence sequence,
                              base::TimePoint now) {
  const std::uint32_t index = lookup(hoa);
  if (index == kNil || entry(index).state != BindingState::Active) {
    return false;
  }
  coa_erase(index);
  Entry& e = entry(index);
  e.state = BindingState::DeregisteredHold;
  e.sequence = sequence.value();
  e.lifetime_units = 0;
  unschedule(index);
  schedule(index, ceil_seconds(now + delete_hold_));
  --bindings_;
  ++held_;
  counters_.inc(BindingCacheCounter::BindingsDeregistered);
  return true;
}

bool BindingCache::remove(const base::Ip6Addr& hoa) {
  const std::uint32_t index = lookup(hoa);
  if (index == kNil) {
    return false;
  }
  unschedule(index);
  if (entry(index).state == BindingState::Active) {
    coa_erase(index);
    --bindings_;
  } else {
    --held_;
  }
  hash_erase(hoa);
  free_entry(index);
  --live_entries_;
  counters_.inc(BindingCacheCounter::BindingsRemoved);
  return true;
}

std::vector<BindingInfo> BindingCache::list() const {
  std::vector<BindingInfo> out;
  out.reserve(live_entries_);
  for (std::uint32_t i = 0; i < next_unused_; ++i) {
    const Entry& e = entry(i);
    if ((e.flags & kFlagInUse) != 0) {
      out.push_back(info(e));
    }
  }
  return out;
}

// --------------------------------------------------------------------------------- expiry

base::TimePoint BindingCache::next_deadline() const {
  std::uint64_t best = std::numeric_limits<std::uint64_t>::max();
  if (res_head_ != kNil) {
    best = reservations_pool_[res_head_].expiry;
  }
  const std::uint32_t start = (cursor_ + 1) & kWheelMask;
  std::uint32_t slot = find_next_slot(start);
  if (slot == kWheelSlots) {
    slot = find_next_slot(0);  // wrapped; finds nothing at or after `start` by construction
  }
  if (slot != kWheelSlots) {
    const std::uint64_t at = std::uint64_t{cursor_} + 1 + ((slot - start) & kWheelMask);
    best = std::min(best, at);
  }
  if (best == std::numeric_limits<std::uint64_t>::max()) {
    return base::kNever;
  }
  return to_time(static_cast<std::uint32_t>(std::min<std::uint64_t>(best, kMaxSeconds)));
}

std::size_t BindingCache::expire(base::TimePoint now, std::vector<ExpiredBinding>& out) {
  const std::uint32_t now_s = floor_seconds(now);
  expire_reservations(now_s);
  std::size_t appended = 0;
  if (now_s <= cursor_) {
    return appended;
  }
  // Examine the slots for seconds cursor_+1 .. now_s, at most one revolution, jumping over
  // empty slots with the bitmap.
  const std::uint64_t span = std::uint64_t{now_s} - cursor_;
  const std::uint32_t limit =
      span >= kWheelSlots ? kWheelSlots : static_cast<std::uint32_t>(span);
  const std::uint32_t start = (cursor_ + 1) & kWheelMask;
  std::uint32_t offset = 0;
  while (offset < limit) {
    const std::uint32_t pos = (start + offset) & kWheelMask;
    std::uint32_t slot = find_next_slot(pos);
    if (slot == kWheelSlots) {
      slot = find_next_slot(0);
      if (slot == kWheelSlots || slot >= pos) {
        break;  // the wheel is empty
      }
    }
    offset += (slot - pos) & kWheelMask;
    if (offset >= limit) {
      break;
    }
    process_slot(slot, now_s, out, appended);
    ++offset;
  }
  cursor_ = now_s;
  return appended;
}

}  // namespace mip6::binding
