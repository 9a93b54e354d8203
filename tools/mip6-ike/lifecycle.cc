#include "tools/mip6-ike/lifecycle.h"

#include <iostream>
#include <utility>

#include "tools/mip6-ike/tool_setup.h"

namespace mip6_ike {

using namespace ike;

std::optional<LifecycleOptions> parse_lifecycle(const Args& a) {
  LifecycleOptions out;
  for (const auto& [name, field] :
       {std::pair{"rekey-child-after", &LifecycleOptions::rekey_child_after},
        std::pair{"rekey-ike-after", &LifecycleOptions::rekey_ike_after},
        std::pair{"create-child-after", &LifecycleOptions::create_child_after}}) {
    if (!seconds_option(a, name, 1, out.*field)) {
      return std::nullopt;
    }
  }
  return out;
}

void apply_lifecycle(const LifecycleOptions& o, engine::IkeSaConfig& cfg) {
  if (o.rekey_child_after) {
    cfg.child.rekey_after = std::chrono::seconds(*o.rekey_child_after);
  }
  if (o.rekey_ike_after) {
    cfg.ike_rekey_after = std::chrono::seconds(*o.rekey_ike_after);
  }
}

std::optional<json> lifecycle_event(const engine::IkeSa& sa, const engine::Output& out,
                                    bool dump_keys) {
  json j;
  if (const auto* c = std::get_if<engine::InstallChildSa>(&out)) {
    j = child_json(*c, dump_keys);
    j["event"] = "child_installed";
  } else if (const auto* r = std::get_if<engine::ChildSaRekeyed>(&out)) {
    j = {{"event", "child_rekeyed"},
         {"old_spi_in", spi32(r->old_spi_in)},
         {"old_spi_out", spi32(r->old_spi_out)},
         {"spi_in", spi32(r->new_spi_in)},
         {"spi_out", spi32(r->new_spi_out)},
         {"by_peer", r->by_peer}};
  } else if (const auto* d = std::get_if<engine::ChildSaDeleted>(&out)) {
    j = {{"event", "child_deleted"},
         {"spi_in", spi32(d->spi_in)},
         {"spi_out", spi32(d->spi_out)},
         {"by_peer", d->by_peer}};
  } else if (const auto* f = std::get_if<engine::ChildSaCreateFailed>(&out)) {
    j = {{"event", "child_create_failed"}, {"detail", std::string(f->detail)}};
    if (f->notify) {
      j["notify"] = std::string(wire::to_string(*f->notify));
    }
    if (f->rekeyed_spi_in != 0) {
      j["rekeyed_spi_in"] = spi32(f->rekeyed_spi_in);
    }
  } else if (const auto* k = std::get_if<engine::IkeSaRekeyed>(&out)) {
    j = {{"event", "ike_rekeyed"},
         {"old_spi_i", wire::to_string(k->old_spis.spi_i)},
         {"old_spi_r", wire::to_string(k->old_spis.spi_r)},
         {"by_peer", k->by_peer}};
  } else if (const auto* g = std::get_if<engine::IkeSpisRetired>(&out)) {
    j = {{"event", "ike_spis_retired"},
         {"old_spi_i", wire::to_string(g->spis.spi_i)},
         {"old_spi_r", wire::to_string(g->spis.spi_r)}};
  } else {
    return std::nullopt;
  }
  // The IKE SA as it is now (after an IKE rekey: the new SPIs and our role in it).
  j["spi_i"] = wire::to_string(sa.spi_i());
  j["spi_r"] = wire::to_string(sa.spi_r());
  j["role"] = std::string(engine::to_string(sa.role()));
  return j;
}

void schedule_create_child(boost::asio::io_context& io, io::IkeDriver& driver,
                           const engine::IkeSa& sa, const engine::ChildSaConfig& child, int seconds,
                           std::vector<std::unique_ptr<boost::asio::steady_timer>>& timers) {
  auto timer = std::make_unique<boost::asio::steady_timer>(io, std::chrono::seconds(seconds));
  const engine::IkeSa* target = &sa;
  engine::ChildSaConfig config = child;
  if (config.ts_i.empty() || config.ts_r.empty()) {
    config.ts_i = any_ipv6();  // a responder's config has no selectors of its own
    config.ts_r = any_ipv6();
  }
  timer->async_wait(
      [&driver, target, child = std::move(config)](const boost::system::error_code& ec) {
        if (ec) {
          return;
        }
        auto done = driver.with_sa(
            io::IkeDriver::key_of(*target),
            [&](engine::IkeSa& s, base::TimePoint now) { return s.create_child(child, now); });
        if (!done) {
          std::cerr << "mip6-ike: create child: " << done.error() << "\n";
        }
      });
  timers.push_back(std::move(timer));
}

}  // namespace mip6_ike
