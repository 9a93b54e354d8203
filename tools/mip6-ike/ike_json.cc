#include "tools/mip6-ike/ike_json.h"

#include <cstdio>
#include <vector>

#include "ike/base/hex.h"
#include "ike/io/udp_transport.h"

namespace mip6_ike {
namespace {

using namespace ike;

std::string hex_of(const base::SecretBytes& s) {
  return base::to_hex(s.view());
}

json ts_json(const std::vector<wire::TrafficSelector>& list) {
  json out = json::array();
  for (const auto& ts : list) {
    json t;
    if (ts.start_address.size() == 16 && ts.end_address.size() == 16) {
      t["start"] =
          base::Ip6Addr::from_span(std::span<const std::uint8_t, 16>(ts.start_address.data(), 16))
              .to_string();
      t["end"] =
          base::Ip6Addr::from_span(std::span<const std::uint8_t, 16>(ts.end_address.data(), 16))
              .to_string();
    } else {
      t["start"] = base::to_hex(ts.start_address);
      t["end"] = base::to_hex(ts.end_address);
    }
    t["protocol"] = ts.ip_protocol;
    t["ports"] = std::to_string(ts.start_port) + "-" + std::to_string(ts.end_port);
    out.push_back(t);
  }
  return out;
}

}  // namespace

std::string spi32(std::uint32_t spi) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", spi);
  return buf;
}

std::string gw_text(const wire::GwIdentity& gw) {
  if (const auto a = gw.address()) {
    return gw.type == wire::GwIdentType::Ipv6 ? a->to_string() : io::address_to_string(*a);
  }
  return std::string(gw.fqdn_text());
}

json child_json(const engine::InstallChildSa& c, bool dump_keys) {
  json j;
  j["spi_in"] = spi32(c.spi_in);
  j["spi_out"] = spi32(c.spi_out);
  j["mode"] = std::string(engine::to_string(c.mode));
  j["encr"] = std::string(crypto::to_string(c.encr));
  j["key_bits"] = c.encr_key_bits;
  j["integ"] = std::string(crypto::to_string(c.integ));
  j["esn"] = c.esn;
  j["udp_encap"] = c.udp_encap;  // RFC 3948 ESP-in-UDP between these ports
  j["local_port"] = c.path.local.port;
  j["remote_port"] = c.path.remote.port;
  j["ts_local"] = ts_json(c.ts_local);
  j["ts_remote"] = ts_json(c.ts_remote);
  if (dump_keys) {
    j["keys"] = {{"encr_in", hex_of(c.encr_in())}, {"encr_out", hex_of(c.encr_out())}};
    if (c.integ != crypto::IntegAlgorithm::None) {
      j["keys"]["integ_in"] = hex_of(c.integ_in());
      j["keys"]["integ_out"] = hex_of(c.integ_out());
    }
  }
  return j;
}

json sa_json(const engine::IkeSa& sa, bool dump_keys) {
  json j;
  j["role"] = std::string(engine::to_string(sa.role()));
  j["state"] = std::string(engine::to_string(sa.state()));
  j["spi_i"] = wire::to_string(sa.spi_i());
  j["spi_r"] = wire::to_string(sa.spi_r());
  if (auto s = sa.suite()) {
    j["suite"] = {{"encr", std::string(crypto::to_string(s->transforms.encr))},
                  {"key_bits", s->transforms.encr_key_bits},
                  {"prf", std::string(crypto::to_string(s->transforms.prf))},
                  {"integ", std::string(crypto::to_string(s->transforms.integ))},
                  {"dh", std::string(crypto::to_string(s->dh))}};
  }
  // AUTH methods (RFC 7296 3.8 / RFC 7427), and the hashes the peer announced.
  if (sa.local_auth_method() || sa.peer_auth_method()) {
    json auth;
    if (auto m = sa.local_auth_method()) {
      auth["local"] = std::string(wire::to_string(*m));
    }
    if (auto m = sa.peer_auth_method()) {
      auth["peer"] = std::string(wire::to_string(*m));
    }
    auth["peer_signature_hashes"] = sa.peer_signature_hashes();
    j["auth"] = auth;
  }
  j["nat_detected"] = sa.nat_detected();
  j["nat"] = {{"local_behind_nat", sa.nat_status().local_behind_nat},
              {"peer_behind_nat", sa.nat_status().peer_behind_nat}};
  j["local_port"] = sa.path().local.port;  // 4500 after a NAT-T float
  j["remote_port"] = sa.path().remote.port;
  if (sa.role() == engine::Role::Responder) {
    j["redirect_supported"] = sa.peer_redirect_supported();
    if (const auto& from = sa.peer_redirected_from()) {
      j["redirected_from"] = gw_text(*from);
    }
  }
  if (dump_keys && sa.keys() != nullptr) {
    const auto& k = *sa.keys();
    j["keys"] = {{"sk_d", hex_of(k.sk_d)},   {"sk_ai", hex_of(k.sk_ai)}, {"sk_ar", hex_of(k.sk_ar)},
                 {"sk_ei", hex_of(k.sk_ei)}, {"sk_er", hex_of(k.sk_er)}, {"sk_pi", hex_of(k.sk_pi)},
                 {"sk_pr", hex_of(k.sk_pr)}};
  }
  return j;
}

void SaReport::add(const engine::IkeSa& sa, const engine::Output& out, bool dump_keys) {
  if (const auto* e = std::get_if<engine::SaEstablished>(&out)) {
    established = true;
    j["peer_id"] = e->peer_id.to_text();
    if (e->assigned_address) {
      j["assigned_address"] = e->assigned_address->address.to_string();
      j["assigned_prefix_len"] = e->assigned_address->prefix_len;
    }
    if (e->home_prefix) {
      j["home_prefix"] =
          e->home_prefix->prefix.to_string() + "/" + std::to_string(e->home_prefix->prefix_len);
    }
  } else if (const auto* c = std::get_if<engine::InstallChildSa>(&out)) {
    j["child_sa"] = child_json(*c, dump_keys);
  } else if (const auto* f = std::get_if<engine::SaFailed>(&out)) {
    failed = true;
    j["reason"] = std::string(engine::to_string(f->reason));
    if (!f->detail.empty()) {
      j["detail"] = std::string(f->detail);
    }
    if (f->notify) {
      j["notify"] = static_cast<unsigned>(*f->notify);
    }
  } else {
    return;
  }
  j.update(sa_json(sa, dump_keys));
}

std::optional<json> event_json(const engine::Output& out) {
  json j;
  if (const auto* d = std::get_if<engine::SaDeleted>(&out)) {
    j["event"] = "sa_deleted";
    j["by_peer"] = d->by_peer;
    j["answered"] = d->answered;
    j["detail"] = std::string(d->detail);
  } else if (const auto* c = std::get_if<engine::ChildSaDeleted>(&out)) {
    j["event"] = "child_sa_deleted";
    j["spi_in"] = spi32(c->spi_in);
    j["spi_out"] = spi32(c->spi_out);
    j["by_peer"] = c->by_peer;
  } else if (const auto* r = std::get_if<engine::RedirectSent>(&out)) {
    j["event"] = "redirect_sent";
    j["target"] = gw_text(r->gateway);
    j["at_auth"] = r->at_auth;
  } else if (const auto* a = std::get_if<engine::RedirectAcknowledged>(&out)) {
    j["event"] = "redirect_acknowledged";
    j["target"] = gw_text(a->gateway);
  } else if (const auto* g = std::get_if<engine::GatewayRedirectReceived>(&out)) {
    j["event"] = "gateway_redirect_received";
    j["gateway"] = gw_text(g->gateway);
  } else if (const auto* rr = std::get_if<engine::RedirectReceived>(&out)) {
    j["event"] = "redirect_received";
    j["gateway"] = gw_text(rr->gateway);
  } else if (const auto* n = std::get_if<engine::InformationalNote>(&out)) {
    j["event"] = "informational_note";
    j["what"] = std::string(n->what);
    if (n->notify) {
      j["notify"] = std::string(wire::to_string(*n->notify));
    }
    if (n->spi != 0) {
      j["spi"] = spi32(n->spi);
    }
  } else {
    return std::nullopt;
  }
  return j;
}

}  // namespace mip6_ike
