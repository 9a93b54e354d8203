#pragma once
// The HA's answer to the IKEv2 responder front at IKE_SA_INIT (RFC 5685 3, HA side): adapts
// ha::policy::AdmissionPolicy to ike::engine::InitDecision and keeps the Binding Cache
// reservations the policy takes in step with the responder SAs' lives.
//
// The engine carries an opaque uint64 tag per served SA; the tag is the reservation's value
// and the adapter maps it back to the ReservationId (whose uint64 constructor is private to
// the cache). Lifecycle, fed by on_responder_event():
//  - InitDecided HalfOpenLimit / ServeRejectedBySa: no SA was made, the slot is released;
//  - ResponderSaRemoved{established = false}: IKE_AUTH failed or timed out, released;
//  - SaEstablished of a served SA: forgotten here. The reservation stays live in the cache
//    until the Binding Update consumes it (the HA binding engine commits it) or its TTL
//    expires; an established SA removed later no longer owns the slot.
#include <cstdint>
#include <optional>
#include <unordered_map>

#include "ha/policy/admission_policy.h"
#include "ike/base/clock.h"
#include "ike/engine/ike_responder.h"
#include "mip6/binding/binding_cache.h"

namespace ha::ike_admission {

// The REDIRECT's gateway identity for a policy target (R5685-35): the FQDN when the policy
// names one (GW Ident Type 3), an IPv4-mapped address as IPv4 (type 1), else IPv6 (type 2).
[[nodiscard]] ::ike::wire::GwIdentity gateway_identity(const base::Ip6Addr& address,
                                                       std::string_view fqdn);

class AdmissionInitDecision final : public ::ike::engine::InitDecision {
 public:
  // `policy` and `cache` must outlive the adapter; `cache` is the one the policy reserves in.
  AdmissionInitDecision(ha::policy::AdmissionPolicy& policy, mip6::binding::BindingCache& cache)
      : policy_(&policy), cache_(&cache) {}

  [[nodiscard]] ::ike::engine::InitAnswer decide(const ::ike::engine::InitRequest& context,
                                                 base::TimePoint now) override;

  // Every non-datagram output of the responder goes through here (others are ignored).
  void on_responder_event(const ::ike::engine::ResponderOutput& output, base::TimePoint now);

  // Reservations held for SAs not yet established (or Serve verdicts not yet reported).
  [[nodiscard]] std::size_t pending() const { return by_tag_.size(); }
  [[nodiscard]] bool holds(std::uint64_t tag) const { return by_tag_.count(tag) != 0; }
  [[nodiscard]] std::uint64_t released() const { return released_; }
  // The reservation behind `tag` while this adapter holds it (the daemon takes it over when
  // the SA is established, the IKE_AUTH adapter hands it to the policy).
  [[nodiscard]] std::optional<mip6::binding::ReservationId> reservation(std::uint64_t tag) const {
    const auto it = by_tag_.find(tag);
    return it == by_tag_.end() ? std::nullopt : std::optional(it->second);
  }
  // Someone else released (or took over) the reservation: stop tracking it.
  void forget_tag(std::uint64_t tag) { forget(tag); }

 private:
  void release(std::uint64_t tag);
  void forget(std::uint64_t tag) { by_tag_.erase(tag); }

  ha::policy::AdmissionPolicy* policy_;
  mip6::binding::BindingCache* cache_;
  std::unordered_map<std::uint64_t, mip6::binding::ReservationId> by_tag_;
  // SPIr -> tag of SAs still holding a reservation (SaEstablished names only the SPIr).
  std::unordered_map<std::uint64_t, std::uint64_t> tag_by_spi_r_;
  // Serve verdicts without a reservation (ExistingBinding) carry tag 0, which is never mapped.
  std::uint64_t released_ = 0;
};

}  // namespace ha::ike_admission
