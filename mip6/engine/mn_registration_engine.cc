#include "mip6/engine/mn_registration_engine.h"

#include <algorithm>
#include <utility>

namespace mip6::engine {

using binding::BulEntry;
using binding::BulState;

namespace {

// R6275-15: every home registration BU carries the Alternate Care-of Address option. Options
// start at MH offset 12; the option needs 8n+6, so a 2-octet PadN comes first (digest 3.1
// worked example: PadN at 12, Alternate CoA at 14, total 32 octets).
wire::MobilityOptions alternate_coa_options(const base::Ip6Addr& coa) {
  wire::MobilityOptions options;
  options.emplace_back(wire::PadNOption{});
  options.emplace_back(wire::AlternateCareOfAddressOption{coa});
  return options;
}

// R6275-60: a Binding Authorization Data option, if present, must be the last option.
bool authorization_data_last(const wire::MobilityOptions& options) {
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (std::holds_alternative<wire::BindingAuthorizationDataOption>(options[i]) &&
        i + 1 != options.size()) {
      return false;
    }
  }
  return true;
}

base::Duration percent_of(base::Duration d, unsigned percent) {
  return d * static_cast<base::Duration::rep>(percent) / 100;
}

}  // namespace

MnRegistrationEngine::MnRegistrationEngine(MnRegistrationConfig config, RandomSource rng)
    : config_(config), rng_(std::move(rng)) {
  config_.max_update_rate =
      std::clamp<std::size_t>(config_.max_update_rate, 1, binding::UpdateRateWindow::kMaxRate);
  config_.refresh_percent = std::clamp(config_.refresh_percent, 1U, 100U);
}

// ---- commands ------------------------------------------------------------------------------

base::Result<void> MnRegistrationEngine::register_home(const HomeRegistration& r,
                                                       base::TimePoint now) {
  if (!r.home_agent.is_routable_unicast() || !r.home_address.is_routable_unicast() ||
      !r.care_of_address.is_routable_unicast()) {
    return base::fail(base::Error{"invalid_address", "HA, HoA and CoA must be global unicast"});
  }
  if (r.care_of_address == r.home_address) {
    return base::fail(base::Error{"care_of_is_home_address", "at home use deregister(ReturnHome)"});
  }
  if (r.lifetime <= base::Duration::zero()) {
    return base::fail(base::Error{"zero_lifetime", "a registration lifetime is non-zero"});
  }
  if (home_address_unusable(r.home_address)) {  // R6275-20
    return base::fail(base::Error{"home_address_unusable", "BA 134 condemned this address"});
  }

  // Retire the previous registration if it is another one, and acknowledge any pending
  // RFC 5142 switch now that a new home agent is chosen.
  const bool same = current_ && current_->home_agent == r.home_agent &&
                    current_->home_address == r.home_address;
  if (!same) {
    if (BulEntry* old = current_entry()) {
      old->care_of_address = r.care_of_address;  // the MN's address now, wherever it moved
      current_.reset();
      retire(*old, now);
    }
  }
  for (auto& e : bul_.entries()) {
    const bool is_target = e.home_agent == r.home_agent && e.home_address == r.home_address;
    if (e.switch_pending && !is_target && e.state != BulState::Deregistering) {
      e.care_of_address = r.care_of_address;
      start_deregistration(e, DeregisterMode::LeaveHomeAgent, now);
    }
  }
  collect_garbage();

  BulEntry& e = bul_.get_or_create(r.home_agent, r.home_address,
                                   static_cast<std::uint16_t>(rng_ ? rng_() : 0));
  current_ = Key{r.home_agent, r.home_address};
  registration_ = r;
  e.care_of_address = r.care_of_address;
  e.returning_home = false;
  e.switch_pending = false;  // an explicit registration supersedes a pending switch
  e.switch_deadline = base::kNever;
  // R6275-16: L only when the link-local IID is the HoA's, never for a privacy HoA.
  e.link_local_compat = r.link_local_address.has_value() && !r.privacy_home_address &&
                        r.link_local_address->same_iid(r.home_address);
  // R6275-17: K only with dynamic SAs and an IKE endpoint that can move; 0 with manual IPsec.
  e.key_mgmt_mobility = r.dynamic_keying && r.can_move_ike_endpoint;
  e.requested_units = requested_units(r, now);
  start_registration(e, now);
  return {};
}

base::Result<void> MnRegistrationEngine::change_care_of_address(
    const base::Ip6Addr& care_of_address, base::TimePoint now,
    std::optional<base::TimePoint> care_of_valid_until) {
  if (!care_of_address.is_routable_unicast()) {
    return base::fail(base::Error{"invalid_address", "a care-of address is global unicast"});
  }
  bool touched = false;
  if (BulEntry* cur = current_entry()) {
    if (care_of_address == cur->home_address) {
      return base::fail(
          base::Error{"care_of_is_home_address", "at home use deregister(ReturnHome)"});
    }
    touched = true;
    if (registration_) {
      registration_->care_of_address = care_of_address;
      registration_->care_of_valid_until = care_of_valid_until;
    }
    if (cur->care_of_address != care_of_address) {
      cur->care_of_address = care_of_address;
      // A failed registration stays quiet until the caller registers again (11.7.3: stop
      // sending to that HA); otherwise the binding must follow the MN, even mid-registration.
      if (cur->state != BulState::Failed) {
        if (registration_) {
          cur->requested_units = requested_units(*registration_, now);
        }
        start_registration(*cur, now);
      }
    }
  }
  for (auto& e : bul_.entries()) {
    if (current_ && e.home_agent == current_->home_agent &&
        e.home_address == current_->home_address) {
      continue;
    }
    const bool leaving = e.state == BulState::Deregistering && !e.returning_home;
    if (!leaving && !e.switch_pending) {
      continue;
    }
    touched = true;
    if (e.care_of_address != care_of_address || e.switch_pending) {
      // A BA to the old CoA would be lost: de-register again from the new one. A binding kept
      // by a switch Refresh Advice is deleted now rather than moved (the HA refuses
      // extensions, R5142-22).
      e.care_of_address = care_of_address;
      start_deregistration(e, DeregisterMode::LeaveHomeAgent, now);
    }
  }
  collect_garbage();
  if (!touched) {
    return base::fail(base::Error{"no_registration", "no binding uses a care-of address"});
  }
  return {};
}

base::Result<void> MnRegistrationEngine::deregister(base::TimePoint now, DeregisterMode mode) {
  BulEntry* e = current_entry();
  if (e == nullptr) {
    // A binding kept alive by a switch Refresh Advice is no longer current but still ours.
    for (auto& candidate : bul_.entries()) {
      if (candidate.switch_pending && candidate.state != BulState::Deregistering) {
        e = &candidate;
        break;
      }
    }
  }
  if (e == nullptr) {
    return base::fail(base::Error{"no_registration", "nothing to de-register"});
  }
  current_.reset();
  registration_.reset();
  start_deregistration(*e, mode, now);
  collect_garbage();
  return {};
}

// ---- received messages ---------------------------------------------------------------------

void MnRegistrationEngine::on_binding_ack(const BaContext& ctx, const wire::BindingAck& ba,
                                          base::TimePoint now) {
  // R6275-60: silently ignore a BA that is not authenticated, has a misplaced Binding
  // Authorization Data option, or does not match an outstanding BU.
  if (!ctx.esp_protected) {
    counters_.inc(MnCounter::BaNotProtected);
    return;
  }
  if (!authorization_data_last(ba.options)) {
    counters_.inc(MnCounter::BaAuthDataNotLast);
    return;
  }
  const bool resync = ba.status == wire::BaStatus::SequenceNumberOutOfWindow;
  BulEntry* match = nullptr;
  bool any_entry = false;
  for (auto& e : bul_.entries()) {
    if (e.home_agent != ctx.source ||
        (ctx.home_address && e.home_address != *ctx.home_address)) {
      continue;
    }
    any_entry = true;
    // A 135 carries the HA's last accepted number, not ours: it only needs a BU outstanding.
    // One whose "next" number this attempt already sent is an echo of a resync in progress.
    const bool matches =
        resync ? e.outstanding() && e.attempt_has_sent &&
                     !binding::mn_sequence_in_range(static_cast<std::uint16_t>(ba.sequence + 1),
                                                    e.attempt_first_sequence, e.last_sequence)
               : e.acknowledges_outstanding(ba.sequence);
    if (matches) {
      match = &e;
      break;
    }
  }
  if (match == nullptr) {
    counters_.inc(any_entry ? MnCounter::BaSequenceMismatch : MnCounter::BaNoMatchingEntry);
    return;
  }
  BulEntry& e = *match;

  if (resync) {
    // R6275-19: store the HA's number and continue with the next one. The ladder continues
    // (no reset), and the new BU opens a new acknowledgeable range.
    counters_.inc(MnCounter::BaResync);
    if (++e.resyncs_in_attempt > config_.max_resyncs_per_attempt) {
      if (e.state == BulState::Deregistering) {
        finish_deregistration(e, ba.status, nullptr, false);
      } else {
        fail(e, ba.status, RegistrationFailure::TooManyResyncs, now);
      }
      collect_garbage();
      return;
    }
    e.last_sequence = ba.sequence;
    e.attempt_has_sent = false;
    send_or_defer(e, now);
    return;
  }

  if (e.state == BulState::Deregistering) {
    counters_.inc(wire::is_accepted(ba.status) ? MnCounter::BaAccepted : MnCounter::BaRejected);
    // Any answer ends a de-registration: accepted, or the HA holds no binding (133), or it
    // refuses and the binding simply runs out.
    finish_deregistration(e, ba.status, &ba, false);
    collect_garbage();
    return;
  }

  if (!wire::is_accepted(ba.status)) {
    counters_.inc(MnCounter::BaRejected);
    if (ba.status == wire::BaStatus::DuplicateAddressDetectionFailed) {
      // R6275-20: this home address must never be used again.
      unusable_home_addresses_.insert(e.home_address);
      outputs_.emplace_back(HomeAddressUnusable{e.home_agent, e.home_address});
    }
    fail(e, ba.status, RegistrationFailure::Rejected, now);
    return;
  }
  counters_.inc(MnCounter::BaAccepted);
  accept_registration(e, ba, now);
}

void MnRegistrationEngine::on_home_agent_switch(const MhContext& ctx,
                                                const wire::HomeAgentSwitch& msg,
                                                base::TimePoint now) {
  if (!ctx.esp_protected) {  // R5142-24
    counters_.inc(MnCounter::HaSwitchNotProtected);
    return;
  }
  // An HA retransmits the switch until it sees our BU (R5142-14): acting on it twice would
  // restart the de-registration ladder for nothing.
  for (const auto& e : bul_.entries()) {
    const bool is_current = current_ && e.home_agent == current_->home_agent &&
                            e.home_address == current_->home_address;
    if ((e.switch_pending || (!is_current && e.state == BulState::Deregistering)) &&
        (e.home_agent == ctx.source || is_current)) {
      counters_.inc(MnCounter::HaSwitchDuplicate);
      return;
    }
  }
  BulEntry* cur = current_entry();
  if (cur == nullptr || (cur->state == BulState::Failed && !has_binding(*cur, now))) {
    counters_.inc(MnCounter::HaSwitchNoBinding);
    return;
  }
  counters_.inc(MnCounter::HaSwitchAccepted);

  const auto* bra = wire::find_option<wire::BindingRefreshAdviceOption>(msg.options);
  std::optional<base::Duration> advice;
  if (bra != nullptr && bra->refresh_interval > 0) {
    advice = binding::lifetime_from_units(bra->refresh_interval);
  }
  outputs_.emplace_back(HomeAgentSwitchRequested{
      ctx.source, cur->home_agent, cur->home_address, msg.home_agents,
      msg.home_agents.empty(),  // R5142-02/30: no candidates, discover first
      advice, ctx.source == cur->home_agent});

  // Stop using this HA (R5142-26): no more refreshes, whatever happens next.
  cur->switch_pending = true;
  cur->refresh_at = base::kNever;
  if (!config_.auto_deregister_on_ha_switch) {
    cur->switch_deadline = base::kNever;  // the caller calls deregister()
    return;
  }
  current_.reset();
  registration_.reset();
  if (advice && cur->state == BulState::Registered && has_binding(*cur, now)) {
    // R5142-28: keep the binding until the advised time, then delete it.
    cur->switch_deadline = std::min(now + *advice, *cur->binding_expires_at);
    return;
  }
  start_deregistration(*cur, DeregisterMode::LeaveHomeAgent, now);  // the acknowledgement
  collect_garbage();
}

void MnRegistrationEngine::on_binding_refresh_request(const MhContext& ctx, base::TimePoint now) {
  // RFC 6275 11.7.4: act only on a BRR from a node in the BU List; one from the home agent
  // must be IPsec-protected like the BU/BA.
  if (!ctx.esp_protected) {
    counters_.inc(MnCounter::BrrNotProtected);
    return;
  }
  BulEntry* cur = current_entry();
  if (cur == nullptr || cur->home_agent != ctx.source ||
      (ctx.home_address && *ctx.home_address != cur->home_address) ||
      cur->state != BulState::Registered || cur->switch_pending) {
    counters_.inc(MnCounter::BrrIgnored);
    return;
  }
  counters_.inc(MnCounter::BrrRefresh);
  if (registration_) {
    cur->requested_units = requested_units(*registration_, now);
  }
  start_registration(*cur, now);
}

// ---- time ----------------------------------------------------------------------------------

base::TimePoint MnRegistrationEngine::next_deadline() const { return bul_.next_deadline(); }

void MnRegistrationEngine::on_timer(base::TimePoint now) {
  // No entry is created while iterating; finished ones are erased afterwards.
  for (auto& e : bul_.entries()) {
    on_entry_timer(e, now);
  }
  collect_garbage();
}

void MnRegistrationEngine::on_entry_timer(BulEntry& e, base::TimePoint now) {
  if (e.finished) {
    return;
  }
  // 1. The binding ran out before a refresh was acknowledged.
  if (e.binding_expires_at && *e.binding_expires_at <= now) {
    e.binding_expires_at.reset();
    if (e.state != BulState::Deregistering) {
      outputs_.emplace_back(BindingExpired{e.home_agent, e.home_address});
    }
    if (e.state == BulState::Registered && !e.switch_pending && is_current(e)) {
      if (registration_) {
        e.requested_units = requested_units(*registration_, now);
      }
      start_registration(e, now);
    }
  }
  // 2. A de-registration nobody answered: past this time no binding can exist any more.
  if (e.state == BulState::Deregistering && e.binding_bound <= now) {
    finish_deregistration(e, std::nullopt, nullptr, true);
    return;
  }
  // 3. RFC 5142 Refresh Advice period over: delete the binding now.
  if (e.switch_pending && e.switch_deadline <= now) {
    start_deregistration(e, DeregisterMode::LeaveHomeAgent, now);
    if (e.finished) {
      return;
    }
  }
  // 4. Refresh before the binding expires (R6275-63 for the Refresh Advice).
  if (e.state == BulState::Registered && e.refresh_at <= now) {
    if (registration_ && is_current(e)) {
      e.requested_units = requested_units(*registration_, now);
    }
    start_registration(e, now);
  }
  // 5. A BU deferred by MAX_UPDATE_RATE.
  if (e.send_at <= now) {
    send_or_defer(e, now);
  }
  // 6. BA timeout: double the wait up to MAX_BINDACK_TIMEOUT and send a new BU (R6275-57/58).
  if (e.outstanding() && e.retransmit_at <= now) {
    if (e.backoff >= config_.max_bindack_timeout && !e.max_timeout_reported &&
        e.state == BulState::Registering) {
      // RFC 6275 11.8: SHOULD move on to the next HA; keep trying here until told to.
      e.max_timeout_reported = true;
      counters_.inc(MnCounter::RegistrationTimedOutAtMax);
      outputs_.emplace_back(MoveToNextHomeAgent{e.home_agent, e.home_address});
    }
    e.backoff = std::min(e.backoff * 2, config_.max_bindack_timeout);
    e.retransmit_at = base::kNever;
    counters_.inc(MnCounter::BuRetransmitted);
    send_or_defer(e, now);
  }
}

std::vector<MnOutput> MnRegistrationEngine::take_outputs() {
  std::vector<MnOutput> out;
  out.swap(outputs_);
  return out;
}

const BulEntry* MnRegistrationEngine::current() const {
  if (!current_) {
    return nullptr;
  }
  return bul_.find(current_->home_agent, current_->home_address);
}

// ---- internals -----------------------------------------------------------------------------

BulEntry* MnRegistrationEngine::current_entry() {
  if (!current_) {
    return nullptr;
  }
  return bul_.find(current_->home_agent, current_->home_address);
}

bool MnRegistrationEngine::is_current(const BulEntry& e) const {
  return current_ && e.home_agent == current_->home_agent &&
         e.home_address == current_->home_address;
}

bool MnRegistrationEngine::has_binding(const BulEntry& e, base::TimePoint now) const {
  return e.binding_expires_at && *e.binding_expires_at > now;
}

std::uint16_t MnRegistrationEngine::requested_units(const HomeRegistration& r,
                                                    base::TimePoint now) const {
  // R6275-18: non-zero, and no longer than the HoA and CoA stay valid.
  base::Duration lifetime = r.lifetime;
  if (r.home_address_valid_until) {
    lifetime = std::min(lifetime, *r.home_address_valid_until - now);
  }
  if (r.care_of_valid_until) {
    lifetime = std::min(lifetime, *r.care_of_valid_until - now);
  }
  return binding::registration_lifetime_units(lifetime);
}

void MnRegistrationEngine::start_registration(BulEntry& e, base::TimePoint now) {
  // R6275-57: InitialBindackTimeoutFirstReg when the HA holds no binding for us yet (it runs
  // DAD first), INITIAL_BINDACK_TIMEOUT otherwise.
  const base::Duration timeout = has_binding(e, now) ? config_.initial_bindack_timeout
                                                     : config_.initial_bindack_timeout_first_reg;
  e.begin_attempt(BulState::Registering, timeout);
  send_or_defer(e, now);
}

void MnRegistrationEngine::start_deregistration(BulEntry& e, DeregisterMode mode,
                                                base::TimePoint now) {
  e.returning_home = mode == DeregisterMode::ReturnHome;
  e.switch_pending = false;
  e.switch_deadline = base::kNever;
  if (e.binding_bound <= now) {
    // No BU of ours can have left a binding there: nothing to delete.
    finish_deregistration(e, std::nullopt, nullptr, false);
    return;
  }
  e.begin_attempt(BulState::Deregistering, config_.initial_bindack_timeout);
  send_or_defer(e, now);
}

void MnRegistrationEngine::retire(BulEntry& e, base::TimePoint now) {
  if (e.state == BulState::Failed && !has_binding(e, now)) {
    // Rejected: the HA holds nothing of ours and asked not to hear from us (11.7.3).
    e.finished = true;
    return;
  }
  if (e.state == BulState::Deregistering) {
    return;  // already on its way out
  }
  start_deregistration(e, DeregisterMode::LeaveHomeAgent, now);
}

void MnRegistrationEngine::fail(BulEntry& e, wire::BaStatus status, RegistrationFailure reason,
                                base::TimePoint now) {
  e.state = BulState::Failed;
  e.send_at = base::kNever;
  e.retransmit_at = base::kNever;
  e.refresh_at = base::kNever;
  std::optional<base::TimePoint> previous;
  if (has_binding(e, now)) {
    previous = e.binding_expires_at;
  }
  outputs_.emplace_back(RegistrationFailed{e.home_agent, e.home_address, status, reason, previous});
}

void MnRegistrationEngine::send_or_defer(BulEntry& e, base::TimePoint now) {
  // R6275-59: never more than MAX_UPDATE_RATE BUs per second to one destination.
  const base::TimePoint allowed = e.rate_window.next_allowed(now, config_.max_update_rate);
  if (allowed > now) {
    if (e.send_at == base::kNever) {
      counters_.inc(MnCounter::BuRateLimited);
    }
    e.send_at = allowed;
    e.retransmit_at = base::kNever;
    return;
  }
  e.send_at = base::kNever;
  send_bu(e, now);
}

void MnRegistrationEngine::send_bu(BulEntry& e, base::TimePoint now) {
  const bool dereg = e.state == BulState::Deregistering;
  // R6275-64: returning home, CoA = HoA and the BU goes from the HoA without a HAO.
  const base::Ip6Addr coa = e.returning_home ? e.home_address : e.care_of_address;

  wire::BindingUpdate bu;
  bu.sequence = e.take_sequence_for_send(now);  // a new number on every BU (R6275-58)
  bu.ack = true;                                // R6275-13
  bu.home_registration = true;                  // R6275-13
  bu.link_local_compat = e.link_local_compat;   // R6275-16
  bu.key_mgmt_mobility = e.key_mgmt_mobility;   // R6275-17
  bu.lifetime = dereg ? 0 : e.requested_units;  // R6275-18: non-zero for a registration
  bu.options = alternate_coa_options(coa);      // R6275-15

  if (!dereg) {
    e.binding_bound =
        std::max(e.binding_bound, now + binding::lifetime_from_units(e.requested_units));
  }
  e.retransmit_at = now + e.backoff;
  counters_.inc(MnCounter::BuSent);

  std::optional<base::Ip6Addr> hao;
  if (!e.returning_home) {
    hao = e.home_address;  // R6275-14
  }
  outputs_.emplace_back(SendBindingUpdate{e.home_agent, coa, hao, std::move(bu)});
}

void MnRegistrationEngine::accept_registration(BulEntry& e, const wire::BindingAck& ba,
                                               base::TimePoint now) {
  // R6275-61: take the smaller of granted and requested, counted from when the acknowledged BU
  // was sent (remaining = L_update - (L_update - L_ack)).
  const std::uint16_t granted = std::min(ba.lifetime, e.requested_units);
  if (granted == 0) {
    fail(e, ba.status, RegistrationFailure::ZeroLifetimeGranted, now);
    return;
  }
  const base::TimePoint sent = e.sent_time_of(ba.sequence);
  const base::Duration lifetime = binding::lifetime_from_units(granted);
  const std::optional<base::Ip6Addr> previous_coa = e.acknowledged_care_of;

  e.state = BulState::Registered;
  e.send_at = base::kNever;
  e.retransmit_at = base::kNever;  // stop retransmitting
  e.granted_units = granted;
  e.binding_expires_at = sent + lifetime;
  // Any later BU of this attempt asked for the same lifetime, so the HA holds nothing of ours
  // past the last one's send time plus the grant (older attempts were superseded).
  e.binding_bound = e.last_sent_at + lifetime;
  e.acknowledged_care_of = e.care_of_address;

  // Refresh at a share of the lifetime, or of a shorter Binding Refresh Advice (R6275-63; the
  // advice must be below the lifetime, R6275-12, else it is ignored).
  base::Duration basis = lifetime;
  if (const auto* bra = wire::find_option<wire::BindingRefreshAdviceOption>(ba.options)) {
    if (bra->refresh_interval > 0 && bra->refresh_interval < granted) {
      basis = binding::lifetime_from_units(bra->refresh_interval);
    }
  }
  // A binding the HA asked us to leave (manual switch handling) is not extended any more.
  e.refresh_at =
      e.switch_pending ? base::kNever : sent + percent_of(basis, config_.refresh_percent);

  outputs_.emplace_back(Registered{e.home_agent, e.home_address, e.care_of_address, lifetime,
                                   *e.binding_expires_at, ba.status});
  if (ba.status == wire::BaStatus::AcceptedPrefixDiscoveryNecessary) {
    outputs_.emplace_back(PrefixDiscoveryNeeded{e.home_agent, e.home_address});  // R6275-62
  }
  // R6275-63: after a move, K = 1 in the BA moves the IKE endpoint, K = 0 drops the IKE state
  // at the old address. A first registration moved nothing: IKE already runs from this CoA.
  if (previous_coa && *previous_coa != e.care_of_address) {
    if (e.key_mgmt_mobility && ba.key_mgmt_mobility) {
      outputs_.emplace_back(KeyManagementMove{e.home_agent, *previous_coa, e.care_of_address});
    } else {
      outputs_.emplace_back(KeyManagementDrop{e.home_agent, *previous_coa});
    }
  }
}

void MnRegistrationEngine::finish_deregistration(BulEntry& e,
                                                 std::optional<wire::BaStatus> status,
                                                 const wire::BindingAck* ba, bool timed_out) {
  // Returning home moves the IKE endpoint to the home address (R6275-63, the HoA is the new
  // CoA for the K rule).
  if (ba != nullptr && e.returning_home && wire::is_accepted(ba->status) &&
      e.acknowledged_care_of && *e.acknowledged_care_of != e.home_address) {
    if (e.key_mgmt_mobility && ba->key_mgmt_mobility) {
      outputs_.emplace_back(KeyManagementMove{e.home_agent, *e.acknowledged_care_of,
                                              e.home_address});
    } else {
      outputs_.emplace_back(KeyManagementDrop{e.home_agent, *e.acknowledged_care_of});
    }
  }
  // R6275-65: with returned_home the shell now multicasts the unsolicited NAs.
  outputs_.emplace_back(
      Deregistered{e.home_agent, e.home_address, status, e.returning_home, timed_out});
  if (is_current(e)) {
    current_.reset();
    registration_.reset();
  }
  e.finished = true;
  e.send_at = base::kNever;
  e.retransmit_at = base::kNever;
  e.refresh_at = base::kNever;
  e.switch_deadline = base::kNever;
  e.binding_expires_at.reset();
}

void MnRegistrationEngine::collect_garbage() {
  std::erase_if(bul_.entries(), [](const BulEntry& e) { return e.finished; });
}

}  // namespace mip6::engine
