#pragma once
// IkeSaManager: owns IKE SAs filed under a key and keeps every SA's next deadline in one
// DeadlineHeap, sans-IO. The owner calls touch(key) after every call into an SA
// (datagram, timer, command); next_deadline() is then the heap's top, O(1), and due(now)
// visits only the SAs whose deadline has come. Neither a datagram nor a timer event walks the
// table, so their cost does not grow with the number of SAs (a table walk per datagram made
// a flood of IKE_SA_INIT requests against many half-open SAs a denial of service).
// The key is the owner's: the responder front files by SPIr, io::IkeDriver by (role, SPIi,
// SPIr). refile() moves an SA to a new key (SPIr learnt, IKE SA rekey) without moving it in
// memory: an SA's address and heap handle stay the same for its whole life.
#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "ike/base/clock.h"
#include "ike/engine/deadline_heap.h"
#include "ike/engine/engine_types.h"
#include "ike/engine/ike_sa.h"

namespace ike::engine {

// One filed SA and what its owner keeps about it.
struct FiledSa {
  FiledSa() = default;
  explicit FiledSa(std::unique_ptr<IkeSa> s, std::uint64_t t = 0, Endpoint r = {}, bool e = false)
      : sa(std::move(s)), tag(t), remote(r), established(e) {}

  std::unique_ptr<IkeSa> sa;
  std::uint64_t tag = 0;  // the InitDecision's Serve tag (responder front)
  Endpoint remote;        // the initiator's address and port when it was filed
  bool established = false;
};

template <typename Key, template <typename...> class MapT = std::map>
class IkeSaManager {
 public:
  IkeSaManager() = default;
  IkeSaManager(const IkeSaManager&) = delete;
  IkeSaManager& operator=(const IkeSaManager&) = delete;

  // Files `filed` under `key` with its SA's current deadline; nullptr (and `filed` dropped)
  // when the key is taken.
  FiledSa* add(const Key& key, FiledSa filed) {
    auto [it, inserted] = sas_.try_emplace(key);
    if (!inserted) {
      return nullptr;
    }
    Node& node = it->second;
    node.filed = std::move(filed);
    node.key = key;
    node.handle = deadlines_.insert(read_deadline(*node.filed.sa), &node);
    return &node.filed;
  }

  [[nodiscard]] FiledSa* find(const Key& key) {
    auto it = sas_.find(key);
    return it == sas_.end() ? nullptr : &it->second.filed;
  }
  [[nodiscard]] const FiledSa* find(const Key& key) const {
    auto it = sas_.find(key);
    return it == sas_.end() ? nullptr : &it->second.filed;
  }
  [[nodiscard]] bool contains(const Key& key) const { return sas_.count(key) != 0; }

  // Files the SA under `from` under `to` instead. False when nothing is under `from` or
  // something else already is under `to`.
  bool refile(const Key& from, const Key& to) {
    auto it = sas_.find(from);
    if (it == sas_.end() || (from != to && sas_.count(to) != 0)) {
      return false;
    }
    if (from == to) {
      return true;
    }
    auto node = sas_.extract(it);
    node.key() = to;
    node.mapped().key = to;
    sas_.insert(std::move(node));
    return true;
  }

  // Re-reads the SA's next_deadline(): after every call into it. Unknown key: nothing.
  void touch(const Key& key) {
    if (auto it = sas_.find(key); it != sas_.end()) {
      deadlines_.update(it->second.handle, read_deadline(*it->second.filed.sa));
    }
  }

  // Destroys the SA.
  void erase(const Key& key) {
    if (auto it = sas_.find(key); it != sas_.end()) {
      deadlines_.erase(it->second.handle);
      sas_.erase(it);
    }
  }

  // The earliest deadline of all SAs, kNever without any: O(1).
  [[nodiscard]] base::TimePoint next_deadline() const { return deadlines_.earliest(); }
  // The keys of the SAs due at `now`, earliest first. Costs O(k log k) for k due SAs.
  [[nodiscard]] std::vector<Key> due(base::TimePoint now) const {
    std::vector<Key> keys;
    deadlines_.for_each_due(
        now, [&](typename Heap::Handle h) { keys.push_back(deadlines_.value(h)->key); });
    return keys;
  }

  [[nodiscard]] std::size_t size() const { return sas_.size(); }
  // How often an SA's next_deadline() was asked: once per add() and touch(), never per
  // timer event or lookup (tests prove a timer event touches only the due SAs).
  [[nodiscard]] std::uint64_t deadline_reads() const { return deadline_reads_; }

 private:
  struct Node;
  using Heap = DeadlineHeap<Node*>;
  struct Node {
    FiledSa filed;
    Key key{};
    typename Heap::Handle handle = Heap::kNoHandle;
  };

  base::TimePoint read_deadline(const IkeSa& sa) {
    ++deadline_reads_;
    return sa.next_deadline();
  }

  MapT<Key, Node> sas_;  // node-based: a Node never moves, the heap points at it
  Heap deadlines_;
  std::uint64_t deadline_reads_ = 0;
};

}  // namespace ike::engine
