#include "tools/mip6-sim/sim.h"

#include <pcap/dlt.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <variant>

#include "ha/policy/home_address_authorizer.h"
#include "ike/base/check.h"
#include "ike/base/clock.h"
#include "ike/base/ip6_addr.h"
#include "mip6/engine/ha_binding_engine.h"
#include "mip6/engine/mh_receiver.h"
#include "mip6/engine/mn_registration_engine.h"
#include "mip6/wire/ipv6_ext.h"
#include "mip6/wire/mobility_header.h"
#include "tools/mip6-dissect/dissect.h"
#include "tools/mip6-dissect/pcap_io.h"

namespace mip6::sim {
namespace {

using base::Ip6Addr;
using base::TimePoint;
using namespace std::chrono_literals;

Ip6Addr addr(const char* text) {
  auto a = Ip6Addr::parse(text);
  MIP_CHECK(a.has_value());
  return *a;
}

constexpr base::Duration kLinkDelay = 10ms;
// RFC 4861 RetransTimer (1 s) x DupAddrDetectTransmits (1): what proxy DAD takes on the link.
constexpr base::Duration kDadTime = 1s;
constexpr std::size_t kHomeAgent = 0;

struct MobileNode {
  std::string name;
  std::string identity;  // IKE identity (ID_RFC822_ADDR)
  Ip6Addr home_address;
  Ip6Addr care_of_address;
  binding::ReservationId reservation;
  std::unique_ptr<engine::MnRegistrationEngine> engine;
  bool silent = false;  // powered off: no timers, receives nothing
  bool ever_registered = false;
};

struct InFlight {
  TimePoint deliver_at;
  std::uint64_t order;  // FIFO among packets due at the same time
  std::size_t to;       // kHomeAgent or 1 + MN index
  std::size_t sender;   // whose IPsec SA protected it (identity for the HA)
  std::vector<std::uint8_t> bytes;
};

class Scenario {
 public:
  Scenario(const SimOptions& options, std::ostream& out)
      : options_(options), out_(out), now_(TimePoint{} + std::chrono::hours(1)), start_(now_) {
    ha::policy::HomeAddressAuthorizerConfig auth_config;
    for (std::uint32_t i = 0; i < options_.mobile_nodes; ++i) {
      MobileNode mn;
      mn.name = "MN" + std::to_string(i + 1);
      mn.identity = "mn" + std::to_string(i + 1) + "@mip6.example";
      mn.home_address = addr("2001:db8:1::");
      mn.home_address.bytes()[14] = 0x01;
      mn.home_address.bytes()[15] = static_cast<std::uint8_t>(i + 1);
      mn.care_of_address = addr("2001:db8:20::100");
      mn.care_of_address.bytes()[5] = static_cast<std::uint8_t>(0x20 + i);
      auth_config.static_entries.push_back({mn.identity, {mn.home_address}});
      mn.engine = std::make_unique<engine::MnRegistrationEngine>(engine::MnRegistrationConfig{},
                                                                 [this] { return rng_(); });
      mobile_nodes_.push_back(std::move(mn));
    }
    auto authorizer = ha::policy::ConfigHomeAddressAuthorizer::create(auth_config);
    MIP_CHECK(authorizer.has_value());
    authorizer_.emplace(std::move(*authorizer));

    engine::HaBindingConfig config;
    config.home_agent_addresses = {home_agent_};
    config.home_prefixes = {engine::HomePrefix{addr("2001:db8:1::"), 64}};
    config.capacity = options_.capacity;
    config.max_lifetime = std::chrono::hours(1);
    ha_.emplace(config, *authorizer_, now_);
  }

  SimReport run() {
    step("home agent " + home_agent_.to_string() + " serves 2001:db8:1::/64, capacity " +
         std::to_string(options_.capacity) + " bindings");
    admit_all();
    register_first(std::min<std::size_t>(options_.capacity, mobile_nodes_.size()));
    run_for(10s);
    if (mobile_nodes_.size() > options_.capacity) {
      register_over_capacity();
    }
    spoofed_update();
    move_node();
    silence_node();
    step("time passes: mobile nodes refresh at 80 % of the granted lifetime");
    run_for(200s);
    drain();
    return_home();
    summary();
    return report_;
  }

 private:
  // ---- scenario steps ------------------------------------------------------------------

  void admit_all() {
    step("IKE_SA_INIT admission: each MN asks for a slot before any binding exists");
    for (auto& mn : mobile_nodes_) {
      auto r = ha_->binding_cache().reserve(now_);
      const auto snap = ha_->binding_cache().snapshot();
      if (r) {
        mn.reservation = *r;
        ++report_.reservations_granted;
        say(mn.name + ": slot reserved (load " + load_text(snap) + ")");
      } else {
        ++report_.reservations_refused;
        say(mn.name + ": no slot (" + std::string(binding::to_string(r.error())) + ", load " +
            load_text(snap) + "): the IKE responder will redirect it at IKE_SA_INIT");
      }
    }
  }

  void register_first(std::size_t count) {
    step("home registration: BU (HAO, Alternate CoA) -> DAD -> BA, over a link with " +
         std::string(options_.lose_first_bu ? "the first BU lost" : "no loss"));
    for (std::size_t i = 0; i < count; ++i) {
      start_registration(i);
    }
  }

  void register_over_capacity() {
    const std::size_t i = options_.capacity;
    step(mobile_nodes_[i].name + " registers anyway, without a reservation");
    start_registration(i);
    run_for(5s);
  }

  void spoofed_update() {
    if (mobile_nodes_.size() < 3) {
      return;
    }
    auto& attacker = mobile_nodes_[2];
    auto& victim = mobile_nodes_[0];
    step(attacker.name + " sends a BU for " + victim.name + "'s home address " +
         victim.home_address.to_string() + " over its own SA");
    wire::BindingUpdate bu;
    bu.sequence = 4242;
    bu.ack = true;
    bu.home_registration = true;
    bu.lifetime = 30;
    wire::append_aligned(bu.options, 12,
                         wire::AlternateCareOfAddressOption{attacker.care_of_address});
    engine::SendBindingUpdate send{home_agent_, attacker.care_of_address, victim.home_address,
                                   std::move(bu)};
    transmit_bu(2, send);
    run_for(1s);
  }

  void move_node() {
    if (mobile_nodes_.size() < 2) {
      return;
    }
    auto& mn = mobile_nodes_[1];
    const Ip6Addr new_coa = addr("2001:db8:30:2::100");
    step(mn.name + " moves: care-of address " + mn.care_of_address.to_string() + " -> " +
         new_coa.to_string());
    mn.care_of_address = new_coa;
    if (auto r = mn.engine->change_care_of_address(new_coa, now_); !r) {
      fail("change_care_of_address refused: " + std::string(r.error().code));
    }
    drain_mn(1);
    run_for(5s);
  }

  void silence_node() {
    if (mobile_nodes_.size() < 3) {
      return;
    }
    auto& mn = mobile_nodes_[2];
    step(mn.name + " powers off: no more refreshes; its binding must expire at the HA");
    mn.silent = true;
  }

  void drain() {
    step("operator drains the home agent: no new bindings, existing ones still refreshed");
    ha_->set_admin_state(engine::HaAdminState::Draining);
    if (mobile_nodes_.size() > options_.capacity) {
      const std::size_t i = options_.capacity;
      say(mobile_nodes_[i].name + " tries again");
      start_registration(i);
    }
    run_for(5s);
  }

  void return_home() {
    auto& mn = mobile_nodes_[0];
    step(mn.name + " returns home: de-registration BU from the home address");
    if (auto r = mn.engine->deregister(now_, engine::DeregisterMode::ReturnHome); !r) {
      fail("deregister refused: " + std::string(r.error().code));
    }
    mn.care_of_address = mn.home_address;
    drain_mn(0);
    run_for(5s);
  }

  void summary() {
    step("binding cache at the end");
    for (const auto& b : ha_->binding_cache().list()) {
      say(b.home_address.to_string() + " -> " + b.care_of_address.to_string() + "  " +
          std::string(binding::to_string(b.state)) + ", seq " + std::to_string(b.sequence.value()) +
          ", lifetime " + std::to_string(b.lifetime_units * 4) + " s");
    }
    const auto snap = ha_->binding_cache().snapshot();
    say("load " + load_text(snap));
    step("home agent counters (non-zero)");
    ha_->counters().for_each([&](std::string_view name, std::uint64_t v) {
      if (v != 0) {
        say(std::string(name) + " " + std::to_string(v));
      }
    });
    for (const auto& mn : mobile_nodes_) {
      report_.bu_retransmissions +=
          static_cast<std::uint32_t>(mn.engine->counters().get(engine::MnCounter::BuRetransmitted));
    }
    report_.ba_insufficient_resources =
        static_cast<std::uint32_t>(ha_->counters().get(engine::HaCounter::BaInsufficientResources));
    report_.ba_admin_prohibited =
        static_cast<std::uint32_t>(ha_->counters().get(engine::HaCounter::BaAdminProhibited));
    report_.spoofed_bu_dropped = static_cast<std::uint32_t>(
        ha_->counters().get(engine::HaCounter::DropIdentityNotAuthorized));
    check_packets();
    check_expectations();
  }

  // ---- plumbing ------------------------------------------------------------------------

  void start_registration(std::size_t i) {
    auto& mn = mobile_nodes_[i];
    engine::HomeRegistration reg;
    reg.home_agent = home_agent_;
    reg.home_address = mn.home_address;
    reg.care_of_address = mn.care_of_address;
    reg.lifetime = 120s;
    reg.dynamic_keying = true;
    if (auto r = mn.engine->register_home(reg, now_); !r) {
      fail(mn.name + ": register_home refused: " + std::string(r.error().code));
    }
    drain_mn(i);
  }

  void run_for(base::Duration d) { run_until(now_ + d); }

  void run_until(TimePoint end) {
    while (true) {
      TimePoint next = end;
      if (!in_flight_.empty()) {
        next = std::min(next, in_flight_.begin()->first.first);
      }
      if (!dad_.empty()) {
        next = std::min(next, dad_.begin()->first);
      }
      next = std::min(next, ha_->next_deadline());
      for (const auto& mn : mobile_nodes_) {
        if (!mn.silent) {
          next = std::min(next, mn.engine->next_deadline());
        }
      }
      if (next >= end) {
        break;
      }
      now_ = std::max(now_, next);
      dispatch_due();
    }
    now_ = end;
  }

  void dispatch_due() {
    while (!in_flight_.empty() && in_flight_.begin()->first.first <= now_) {
      InFlight p = std::move(in_flight_.begin()->second);
      in_flight_.erase(in_flight_.begin());
      if (p.to == kHomeAgent) {
        receive_at_ha(p);
      } else {
        receive_at_mn(p.to - 1, p);
      }
    }
    while (!dad_.empty() && dad_.begin()->first <= now_) {
      const Ip6Addr hoa = dad_.begin()->second;
      dad_.erase(dad_.begin());
      say("DAD for " + hoa.to_string() + " on the home link: no conflict");
      ha_->on_dad_result(hoa, true, now_);
      drain_ha();
    }
    if (ha_->next_deadline() <= now_) {
      ha_->on_timer(now_);
      drain_ha();
    }
    for (std::size_t i = 0; i < mobile_nodes_.size(); ++i) {
      auto& mn = mobile_nodes_[i];
      if (!mn.silent && mn.engine->next_deadline() <= now_) {
        mn.engine->on_timer(now_);
        drain_mn(i);
      }
    }
  }

  void transmit_bu(std::size_t mn_index, const engine::SendBindingUpdate& send) {
    wire::MobilityHeader mh;
    mh.message = send.update;
    const Ip6Addr checksum_source = send.home_address_option.value_or(send.source);
    const auto mh_bytes = wire::encode_mobility_header(mh, checksum_source, send.destination);
    wire::Ipv6Build ip;
    ip.source = send.source;
    ip.destination = send.destination;
    if (send.home_address_option) {
      ip.home_address_option = wire::HomeAddressOption{*send.home_address_option};
    }
    auto packet = wire::encode_ipv6_packet(ip, wire::kIpProtoMobility, mh_bytes);
    const bool lose = options_.lose_first_bu && mn_index == 0 && !lost_one_;
    lost_one_ = lost_one_ || lose;
    say(mobile_nodes_[mn_index].name + " -> HA  BU seq " + std::to_string(send.update.sequence) +
        " lifetime " + std::to_string(send.update.lifetime * 4) + " s, CoA " +
        send.source.to_string() + (lose ? "  [lost on the link]" : ""));
    capture(packet);
    if (!lose) {
      enqueue(kHomeAgent, mn_index, std::move(packet));
    }
  }

  void receive_at_ha(const InFlight& p) {
    auto received = ha_receiver_.on_packet(p.bytes, home_agent_, now_);
    if (!received) {
      fail("HA dropped a packet: " + drop_text(ha_receiver_));
      return;
    }
    const auto* bu = std::get_if<wire::BindingUpdate>(&received->mh.message);
    if (bu == nullptr) {
      fail("HA received an unexpected MH type");
      return;
    }
    // The IPsec layer's verdict: which SA (so which IKE identity and reservation) carried it.
    const auto& sender = mobile_nodes_[p.sender];
    engine::BuContext ctx;
    ctx.source = received->ip.source;
    ctx.destination = received->ip.destination;
    ctx.home_address_option = received->home_address_option;
    ctx.security.esp_protected = true;
    ctx.security.dynamic_keying = true;
    ctx.security.ike_identity = sender.identity;
    ctx.security.identity = binding::IkeIdentityHandle{static_cast<std::uint32_t>(p.sender + 1)};
    ctx.security.reservation = sender.reservation;
    ha_->on_binding_update(ctx, *bu, now_);
    drain_ha();
  }

  void receive_at_mn(std::size_t i, const InFlight& p) {
    auto& mn = mobile_nodes_[i];
    if (mn.silent) {
      return;
    }
    auto received = mn_receiver_.on_packet(p.bytes, mn.care_of_address, now_);
    if (!received) {
      fail(mn.name + " dropped a packet: " + drop_text(mn_receiver_));
      return;
    }
    const auto* ba = std::get_if<wire::BindingAck>(&received->mh.message);
    if (ba == nullptr) {
      fail(mn.name + ": expected a BA");
      return;
    }
    engine::BaContext ctx;
    ctx.source = received->ip.source;
    ctx.esp_protected = true;
    ctx.home_address = received->type2_home_address;
    mn.engine->on_binding_ack(ctx, *ba, now_);
    drain_mn(i);
  }

  static std::string drop_text(const engine::MhReceiver& receiver) {
    std::string text(receiver.last_drop() ? engine::to_string(*receiver.last_drop()) : "?");
    if (const auto e = receiver.last_parse_error()) {
      text +=
          " (" + std::string(wire::to_string(e->code)) + " at " + std::to_string(e->offset) + ")";
    }
    return text;
  }

  void drain_ha() {
    for (auto& output : ha_->take_outputs()) {
      std::visit([&](auto& o) { on_ha_output(o); }, output);
    }
  }

  void on_ha_output(engine::SendBindingAck& o) {
    wire::MobilityHeader mh;
    mh.message = o.ack;
    const Ip6Addr checksum_dest = o.type2_home_address.value_or(o.destination);
    const auto mh_bytes = wire::encode_mobility_header(mh, o.source, checksum_dest);
    wire::Ipv6Build ip;
    ip.source = o.source;
    ip.destination = o.destination;
    ip.type2_home_address = o.type2_home_address;
    auto packet = wire::encode_ipv6_packet(ip, wire::kIpProtoMobility, mh_bytes);
    capture(packet);
    const auto to = node_for(o.destination, o.type2_home_address);
    std::string line = "HA -> " + (to ? mobile_nodes_[*to].name : o.destination.to_string()) +
                       "  BA " + std::string(wire::to_string(o.ack.status)) + " seq " +
                       std::to_string(o.ack.sequence) + " lifetime " +
                       std::to_string(o.ack.lifetime * 4) + " s";
    if (const auto* bra = wire::find_option<wire::BindingRefreshAdviceOption>(o.ack.options)) {
      line += ", refresh advice " + std::to_string(bra->refresh_interval * 4) + " s";
    }
    say(line);
    if (to) {
      enqueue(1 + *to, kHomeAgent, std::move(packet));
    }
  }
  void on_ha_output(engine::AddBindingRoute& o) {
    say("HA kernel: tunnel " + o.hoa.to_string() + " via " + o.coa.to_string());
  }
  void on_ha_output(engine::UpdateBindingRoute& o) {
    say("HA kernel: tunnel " + o.hoa.to_string() + " now via " + o.coa.to_string());
  }
  void on_ha_output(engine::DeleteBindingRoute& o) {
    say("HA kernel: remove tunnel for " + o.hoa.to_string());
  }
  void on_ha_output(engine::StartProxyNd& o) {
    say("HA kernel: proxy ND for " + o.hoa.to_string());
  }
  void on_ha_output(engine::StopProxyNd& o) {
    say("HA kernel: stop proxy ND for " + o.hoa.to_string());
  }
  void on_ha_output(engine::StartDad& o) { dad_.emplace(now_ + kDadTime, o.hoa); }
  void on_ha_output(engine::SendHomeAgentSwitch& o) {  // the scenario never asks for one
    say("HA -> " + o.destination.to_string() + "  Home Agent Switch for " +
        o.home_address.to_string());
  }
  void on_ha_output(engine::IkeEndpointUpdate& o) {
    say("HA IKE: peer " + o.hoa.to_string() + " moved to " + o.coa.to_string() +
        (o.move_endpoint ? " (endpoint moved)" : " (IKE SA must be re-run)"));
  }
  void on_ha_output(engine::HaEvent& o) {
    say("HA event: " + std::string(engine::to_string(o.kind)) + " " + o.hoa.to_string() +
        (o.reason.empty() ? "" : " (" + std::string(o.reason) + ")"));
    switch (o.kind) {
      case engine::HaEventKind::BindingMoved: ++report_.moves; break;
      case engine::HaEventKind::BindingDeregistered: ++report_.deregistered; break;
      case engine::HaEventKind::BindingExpired: ++report_.expired; break;
      default: break;
    }
  }

  void drain_mn(std::size_t i) {
    auto& mn = mobile_nodes_[i];
    for (auto& output : mn.engine->take_outputs()) {
      if (auto* send = std::get_if<engine::SendBindingUpdate>(&output)) {
        transmit_bu(i, *send);
      } else if (auto* reg = std::get_if<engine::Registered>(&output)) {
        const auto secs = std::chrono::duration_cast<std::chrono::seconds>(reg->granted_lifetime);
        if (mn.ever_registered) {
          ++report_.refreshes;
        } else {
          ++report_.registered;
          mn.ever_registered = true;
        }
        say(mn.name + ": registered, " + std::to_string(secs.count()) + " s granted");
      } else if (auto* failed = std::get_if<engine::RegistrationFailed>(&output)) {
        say(mn.name + ": registration failed: " + std::string(wire::to_string(failed->status)));
      } else if (auto* dereg = std::get_if<engine::Deregistered>(&output)) {
        say(mn.name + ": de-registered" + (dereg->returned_home ? ", at home" : ""));
      } else if (std::holds_alternative<engine::BindingExpired>(output)) {
        say(mn.name + ": binding lifetime ran out");
      } else if (std::holds_alternative<engine::MoveToNextHomeAgent>(output)) {
        say(mn.name + ": no answer within MAX_BINDACK_TIMEOUT; would try the next HA");
      }
    }
  }

  // Which simulated MN owns `destination` (its CoA, or its HoA when at home).
  std::optional<std::size_t> node_for(const Ip6Addr& destination,
                                      const std::optional<Ip6Addr>& home_address) const {
    for (std::size_t i = 0; i < mobile_nodes_.size(); ++i) {
      const auto& mn = mobile_nodes_[i];
      if (mn.care_of_address == destination || mn.home_address == destination ||
          (home_address && *home_address == mn.home_address && destination == mn.care_of_address)) {
        return i;
      }
    }
    return std::nullopt;
  }

  void enqueue(std::size_t to, std::size_t sender, std::vector<std::uint8_t> bytes) {
    const std::uint64_t order = next_order_++;
    in_flight_.emplace(std::make_pair(now_ + kLinkDelay, order),
                       InFlight{now_ + kLinkDelay, order, to, sender, std::move(bytes)});
  }

  void capture(const std::vector<std::uint8_t>& packet) {
    captured_.push_back(packet);
    ++report_.packets;
  }

  // Every packet we produced must decode cleanly in our own dissector, checksum included.
  void check_packets() {
    for (std::size_t i = 0; i < captured_.size(); ++i) {
      const auto j = dissect::dissect_ipv6(captured_[i]);
      const bool bad_checksum = j.contains("mh") && j["mh"].contains("checksum_ok") &&
                                j["mh"]["checksum_ok"].is_boolean() &&
                                !j["mh"]["checksum_ok"].get<bool>();
      if (dissect::is_error(j) || bad_checksum) {
        ++report_.packets_malformed;
        fail("packet " + std::to_string(i + 1) +
             " rejected by mip6-dissect: " + dissect::dump_line(j));
      }
    }
    if (!options_.pcap_path.empty()) {
      if (auto w = dissect::write_pcap(options_.pcap_path, DLT_RAW, captured_); !w) {
        fail("writing " + options_.pcap_path + ": " + w.error().code + " " + w.error().detail);
      } else {
        step("wrote " + std::to_string(captured_.size()) + " packets to " + options_.pcap_path +
             " (read it with: mip6-dissect --pcap " + options_.pcap_path + ")");
      }
    }
  }

  void check_expectations() {
    const std::uint32_t admitted =
        std::min<std::uint32_t>(options_.capacity, options_.mobile_nodes);
    expect(report_.reservations_granted == admitted, "every MN within capacity got a slot");
    expect(report_.reservations_refused == options_.mobile_nodes - admitted,
           "MNs beyond capacity were refused a slot");
    expect(report_.registered == admitted, "every admitted MN registered");
    if (options_.lose_first_bu) {
      expect(report_.bu_retransmissions >= 1, "the lost BU was retransmitted");
    }
    if (options_.mobile_nodes > options_.capacity) {
      expect(report_.ba_insufficient_resources == 1, "over capacity: BA 130");
      expect(report_.ba_admin_prohibited == 1, "draining: BA 129");
    }
    if (options_.mobile_nodes >= 3 && options_.capacity >= 3) {
      expect(report_.spoofed_bu_dropped == 1, "a BU for another MN's HoA is dropped");
      expect(report_.expired == 1, "the silent MN's binding expired");
    }
    if (options_.mobile_nodes >= 2 && options_.capacity >= 2) {
      expect(report_.moves == 1, "the moving MN's binding followed it");
    }
    expect(report_.refreshes >= 2, "bindings were refreshed before expiry");
    expect(report_.deregistered == 1, "the MN at home de-registered");
    expect(report_.packets_malformed == 0, "every packet decodes in mip6-dissect");
    step(report_.failures.empty() ? "scenario complete: every expectation held"
                                  : "scenario FAILED: " + std::to_string(report_.failures.size()) +
                                        " expectation(s) not met");
  }

  void expect(bool ok, const std::string& what) {
    say(std::string(ok ? "ok    " : "FAIL  ") + what);
    if (!ok) {
      report_.failures.push_back(what);
    }
  }
  void fail(const std::string& what) {
    say("FAIL  " + what);
    report_.failures.push_back(what);
  }

  static std::string load_text(const binding::AdmissionSnapshot& s) {
    return std::to_string(s.bindings) + " bound + " + std::to_string(s.reservations) +
           " reserved of " + std::to_string(s.capacity);
  }

  void step(const std::string& text) { out_ << "\n[" << clock_text() << "] == " << text << "\n"; }
  void say(const std::string& text) { out_ << "[" << clock_text() << "]    " << text << "\n"; }
  std::string clock_text() const {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now_ - start_).count();
    char buf[32];
    std::snprintf(buf, sizeof(buf), "t=%4lld.%03llds", static_cast<long long>(ms / 1000),
                  static_cast<long long>(ms % 1000));
    return buf;
  }

  SimOptions options_;
  std::ostream& out_;
  TimePoint now_;
  TimePoint start_;
  std::mt19937_64 rng_{20261127};
  const Ip6Addr home_agent_ = addr("2001:db8:1::1");
  std::optional<ha::policy::ConfigHomeAddressAuthorizer> authorizer_;
  std::optional<engine::HaBindingEngine> ha_;
  engine::MhReceiver ha_receiver_;
  engine::MhReceiver mn_receiver_;  // one receive path shared by the simulated MNs
  std::vector<MobileNode> mobile_nodes_;
  std::map<std::pair<TimePoint, std::uint64_t>, InFlight> in_flight_;
  std::multimap<TimePoint, Ip6Addr> dad_;
  std::vector<std::vector<std::uint8_t>> captured_;
  std::uint64_t next_order_ = 0;
  bool lost_one_ = false;
  SimReport report_;
};

}  // namespace

SimReport run_scenario(const SimOptions& options, std::ostream& out) {
  Scenario scenario(options, out);
  return scenario.run();
}

}  // namespace mip6::sim
