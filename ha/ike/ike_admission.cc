#include "ha/ike/ike_admission.h"

#include <variant>

namespace ha::ike_admission {

namespace engine = ::ike::engine;

engine::InitAnswer IkeAdmission::decide(const engine::InitRequest& request, base::TimePoint now) {
  return policy_->decide_at_ike_sa_init(request, now).answer;
}

engine::AuthAnswer IkeAdmission::decide(const engine::AuthRequest& request, base::TimePoint now) {
  return policy_->decide_at_ike_auth(request, now).answer;
}

void IkeAdmission::on_responder_output(const engine::ResponderOutput& output, base::TimePoint now) {
  if (const auto* decided = std::get_if<engine::InitDecided>(&output)) {
    if (decided->tag && (decided->outcome == engine::InitOutcome::HalfOpenLimit ||
                         decided->outcome == engine::InitOutcome::ServeRejectedBySa)) {
      ledger_->release(*decided->tag);
    }
  } else if (const auto* created = std::get_if<engine::ResponderSaCreated>(&output)) {
    ledger_->attach(created->tag, created->spi_r);
  } else if (const auto* removed = std::get_if<engine::ResponderSaRemoved>(&output)) {
    ledger_->release_sa(removed->spi_r);
  } else if (const auto* event = std::get_if<engine::ResponderSaEvent>(&output)) {
    if (std::holds_alternative<engine::SaEstablished>(event->output)) {
      ledger_->establish(event->spi_r, now);
    } else if (const auto* rekeyed = std::get_if<engine::IkeSaRekeyed>(&event->output)) {
      ledger_->rekey(rekeyed->old_spis.spi_r, event->spi_r);
    }
  }
}

}  // namespace ha::ike_admission
