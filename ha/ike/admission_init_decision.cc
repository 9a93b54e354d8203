#include "ha/ike/admission_init_decision.h"

#include <algorithm>
#include <type_traits>
#include <variant>

namespace ha::ike_admission {

namespace engine = ::ike::engine;
namespace wire = ::ike::wire;

wire::GwIdentity gateway_identity(const base::Ip6Addr& address, std::string_view fqdn) {
  return fqdn.empty() ? wire::GwIdentity::from_address(address) : wire::GwIdentity::fqdn(fqdn);
}

engine::InitAnswer AdmissionInitDecision::decide(const engine::InitRequest& context,
                                                 base::TimePoint now) {
  ha::policy::InitRequest request;
  request.initiator = context.initiator;
  request.local = context.local;
  request.redirect_supported = context.redirect_supported;
  if (context.redirected_from) {
    // An FQDN cannot appear in REDIRECTED_FROM (R5685-38); without an address the policy just
    // cannot exclude that gateway, support is still implied by the front's flag.
    request.redirected_from = context.redirected_from->address();
  }
  request.half_open_ike_sas = context.half_open;

  const auto decision = policy_->decide_at_ike_sa_init(request, now);
  if (const auto* serve = std::get_if<ha::policy::Serve>(&decision)) {
    const std::uint64_t tag = serve->reservation.value();
    if (serve->reservation.valid()) {
      by_tag_[tag] = serve->reservation;
    }
    return engine::Serve{tag};
  }
  if (const auto* redirect = std::get_if<ha::policy::Redirect>(&decision)) {
    return engine::Redirect{gateway_identity(redirect->target, redirect->target_fqdn)};
  }
  const auto& refuse = std::get<ha::policy::Refuse>(decision);
  if (refuse.action == ha::policy::RefuseAction::Drop) {
    return engine::Refuse{std::nullopt};
  }
  return engine::Refuse{wire::NotifyType::NoProposalChosen};
}

void AdmissionInitDecision::on_responder_event(const engine::ResponderOutput& output,
                                               base::TimePoint /*now*/) {
  if (const auto* decided = std::get_if<engine::InitDecided>(&output)) {
    // Serve verdicts that made no SA: the slot is free again.
    if (decided->tag && (decided->outcome == engine::InitOutcome::HalfOpenLimit ||
                         decided->outcome == engine::InitOutcome::ServeRejectedBySa)) {
      release(*decided->tag);
    }
    return;
  }
  if (const auto* created = std::get_if<engine::ResponderSaCreated>(&output)) {
    if (by_tag_.count(created->tag) != 0) {
      tag_by_spi_r_[created->spi_r.value()] = created->tag;
    }
    return;
  }
  if (const auto* removed = std::get_if<engine::ResponderSaRemoved>(&output)) {
    tag_by_spi_r_.erase(removed->spi_r.value());
    if (removed->established) {
      forget(removed->tag);  // the slot went with the SA's establishment; BU or TTL owns it
    } else {
      release(removed->tag);
    }
    return;
  }
  if (const auto* event = std::get_if<engine::ResponderSaEvent>(&output)) {
    if (std::holds_alternative<engine::SaEstablished>(event->output)) {
      const auto it = tag_by_spi_r_.find(event->spi_r.value());
      if (it != tag_by_spi_r_.end()) {
        forget(it->second);
        tag_by_spi_r_.erase(it);
      }
    }
  }
}

void AdmissionInitDecision::release(std::uint64_t tag) {
  const auto it = by_tag_.find(tag);
  if (it == by_tag_.end()) {
    return;
  }
  if (cache_->release(it->second)) {
    ++released_;
  }
  by_tag_.erase(it);
}

}  // namespace ha::ike_admission
