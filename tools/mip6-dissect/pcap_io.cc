#include "tools/mip6-dissect/pcap_io.h"

#include <pcap/pcap.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string_view>

#include "mip6/wire/parse_error.h"
#include "tools/mip6-dissect/dissect.h"

namespace mip6::dissect {
namespace {

using nlohmann::json;

constexpr int kDltLinuxSll = 113;   // DLT_LINUX_SLL
constexpr int kDltLinuxSll2 = 276;  // DLT_LINUX_SLL2
constexpr int kDltIpv4 = 228;       // DLT_IPV4
constexpr int kDltIpv6 = 229;       // DLT_IPV6
constexpr int kDltRawOpenBsd = 14;  // DLT_RAW on OpenBSD, seen in old captures
constexpr int kLinktypeRaw = 101;   // LINKTYPE_RAW if a caller passes the file value
constexpr int kDltLoop = 108;       // DLT_LOOP (network byte order family)

constexpr std::uint16_t kEtherTypeIpv6 = 0x86dd;
constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kEtherTypeVlan = 0x8100;
constexpr std::uint16_t kEtherTypeQinQ = 0x88a8;
constexpr std::uint16_t kEtherTypeVlanOld = 0x9100;
constexpr int kMaxVlanTags = 2;
constexpr std::uint32_t kAfInet = 2;  // the same on every BSD loopback flavour

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};
struct DumperCloser {
  void operator()(pcap_dumper_t* d) const { pcap_dump_close(d); }
};
using PcapPtr = std::unique_ptr<pcap_t, PcapCloser>;
using DumperPtr = std::unique_ptr<pcap_dumper_t, DumperCloser>;

bool is_raw(int dlt) {
  return dlt == DLT_RAW || dlt == kDltRawOpenBsd || dlt == kLinktypeRaw || dlt == kDltIpv6 ||
         dlt == kDltIpv4;
}

std::uint16_t u16_at(std::span<const std::uint8_t> b, std::size_t off) {
  return static_cast<std::uint16_t>((b[off] << 8) | b[off + 1]);
}

json truncated_link(std::string_view link, std::size_t need, std::size_t have) {
  return json{{"error", std::string(wire::to_string(wire::ParseErrc::Truncated))},
              {"offset", have},
              {"layer_offset", have},
              {"layer", "link"},
              {"link", json{{"type", std::string(link)}, {"header_length", need}}}};
}

// AF_INET6 as written by the BSD loopback encapsulations of several systems.
bool is_af_inet6(std::uint32_t family) {
  return family == 10 || family == 24 || family == 28 || family == 30;
}

json dissect_payload(json link, std::span<const std::uint8_t> frame, std::size_t header,
                     std::optional<std::uint16_t> ethertype, const IkeKeyTable* ike_keys) {
  link["header_length"] = header;
  if (ethertype) {
    link["ethertype"] = *ethertype;
    if (*ethertype == kEtherTypeIpv4) {
      json out = dissect_ipv4(frame.subspan(header), ike_keys);  // IKE over IPv4
      out["link"] = std::move(link);
      return out;
    }
    if (*ethertype != kEtherTypeIpv6) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "%04x", *ethertype);
      return json{{"link", std::move(link)},
                  {"skipped", std::string("ethertype frame (ethertype 0x") + buf + ")"}};
    }
  } else if (header < frame.size() && (frame[header] >> 4) == 4) {
    json out = dissect_ipv4(frame.subspan(header), ike_keys);
    out["link"] = std::move(link);
    return out;
  }
  json out = dissect_ipv6(frame.subspan(header), ike_keys);
  out["link"] = std::move(link);
  return out;
}

}  // namespace

bool is_supported_linktype(int dlt) {
  return dlt == DLT_EN10MB || is_raw(dlt) || dlt == kDltLinuxSll || dlt == kDltLinuxSll2 ||
         dlt == DLT_NULL || dlt == kDltLoop;
}

std::string linktype_name(int dlt) {
  const char* name = pcap_datalink_val_to_name(dlt);
  return name != nullptr ? std::string(name) : "DLT-" + std::to_string(dlt);
}

base::Result<std::uint64_t, PcapError> read_pcap(
    const std::string& path, const std::function<void(int, const PcapFrame&)>& on_frame) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  PcapPtr p(pcap_open_offline(path.c_str(), errbuf));
  if (!p) {
    return base::fail(PcapError{"pcap_open_failed", errbuf, 0, -1});
  }
  const int dlt = pcap_datalink(p.get());
  if (!is_supported_linktype(dlt)) {
    return base::fail(PcapError{"unsupported_linktype", linktype_name(dlt), 0, dlt});
  }
  std::uint64_t count = 0;
  for (;;) {
    pcap_pkthdr* hdr = nullptr;
    const std::uint8_t* data = nullptr;
    const int rc = pcap_next_ex(p.get(), &hdr, &data);
    if (rc == PCAP_ERROR_BREAK) {
      return count;  // end of file
    }
    if (rc != 1) {
      return base::fail(PcapError{"pcap_read_failed", pcap_geterr(p.get()), count + 1, dlt});
    }
    ++count;
    PcapFrame frame;
    frame.number = count;
    frame.ts_sec = hdr->ts.tv_sec;
    frame.ts_usec = hdr->ts.tv_usec;
    frame.wire_length = hdr->len;
    frame.data = std::span<const std::uint8_t>(data, hdr->caplen);
    on_frame(dlt, frame);
  }
}

base::Result<void, PcapError> write_pcap(const std::string& path, int dlt,
                                         const std::vector<std::vector<std::uint8_t>>& frames) {
  constexpr int kSnapLen = 262144;
  PcapPtr p(pcap_open_dead(dlt, kSnapLen));
  if (!p) {
    return base::fail(PcapError{"pcap_open_failed", "pcap_open_dead", 0, dlt});
  }
  DumperPtr d(pcap_dump_open(p.get(), path.c_str()));
  if (!d) {
    return base::fail(PcapError{"pcap_write_failed", pcap_geterr(p.get()), 0, dlt});
  }
  std::uint64_t n = 0;
  for (const auto& f : frames) {
    pcap_pkthdr hdr{};
    hdr.ts.tv_sec = static_cast<decltype(hdr.ts.tv_sec)>(++n);
    hdr.ts.tv_usec = 0;
    hdr.caplen = static_cast<bpf_u_int32>(f.size());
    hdr.len = static_cast<bpf_u_int32>(f.size());
    pcap_dump(reinterpret_cast<u_char*>(d.get()), &hdr, f.data());
  }
  if (pcap_dump_flush(d.get()) != 0) {
    return base::fail(PcapError{"pcap_write_failed", "flush failed", n, dlt});
  }
  return {};
}

json dissect_frame(int dlt, std::span<const std::uint8_t> frame, const IkeKeyTable* ike_keys) {
  if (dlt == DLT_EN10MB) {
    constexpr std::size_t kEthHeader = 14;
    if (frame.size() < kEthHeader) {
      return truncated_link("ethernet", kEthHeader, frame.size());
    }
    std::size_t header = kEthHeader;
    std::uint16_t type = u16_at(frame, 12);
    json vlans = json::array();
    for (int i = 0; i < kMaxVlanTags &&
                    (type == kEtherTypeVlan || type == kEtherTypeQinQ || type == kEtherTypeVlanOld);
         ++i) {
      if (frame.size() < header + 4) {
        return truncated_link("ethernet", header + 4, frame.size());
      }
      vlans.push_back(u16_at(frame, header) & 0x0fff);  // TCI: VLAN id in the low 12 bits
      type = u16_at(frame, header + 2);
      header += 4;
    }
    json link{{"type", "ethernet"}};
    if (!vlans.empty()) {
      link["vlans"] = vlans;
    }
    return dissect_payload(std::move(link), frame, header, type, ike_keys);
  }
  if (dlt == kDltLinuxSll) {
    constexpr std::size_t kSll = 16;
    if (frame.size() < kSll) {
      return truncated_link("linux_sll", kSll, frame.size());
    }
    return dissect_payload(json{{"type", "linux_sll"}, {"packet_type", u16_at(frame, 0)}}, frame,
                           kSll, u16_at(frame, 14), ike_keys);
  }
  if (dlt == kDltLinuxSll2) {
    constexpr std::size_t kSll2 = 20;
    if (frame.size() < kSll2) {
      return truncated_link("linux_sll2", kSll2, frame.size());
    }
    const std::uint32_t ifindex = (std::uint32_t{frame[4]} << 24) |
                                  (std::uint32_t{frame[5]} << 16) |
                                  (std::uint32_t{frame[6]} << 8) | frame[7];
    return dissect_payload(
        json{{"type", "linux_sll2"}, {"interface_index", ifindex}, {"packet_type", frame[10]}},
        frame, kSll2, u16_at(frame, 0), ike_keys);
  }
  if (dlt == DLT_NULL || dlt == kDltLoop) {
    constexpr std::size_t kNull = 4;
    if (frame.size() < kNull) {
      return truncated_link("loopback", kNull, frame.size());
    }
    const std::uint32_t be = (std::uint32_t{frame[0]} << 24) | (std::uint32_t{frame[1]} << 16) |
                             (std::uint32_t{frame[2]} << 8) | frame[3];
    const std::uint32_t le = (std::uint32_t{frame[3]} << 24) | (std::uint32_t{frame[2]} << 16) |
                             (std::uint32_t{frame[1]} << 8) | frame[0];
    // DLT_NULL stores the family in the capturing host's byte order, DLT_LOOP in network order.
    const bool v6 = dlt == kDltLoop ? is_af_inet6(be) : (is_af_inet6(be) || is_af_inet6(le));
    const bool v4 = dlt == kDltLoop ? be == kAfInet : (be == kAfInet || le == kAfInet);
    json link{{"type", "loopback"},
              {"header_length", kNull},
              {"family", dlt == kDltLoop ? be : le}};
    if (!v6 && !v4) {
      return json{{"link", std::move(link)}, {"skipped", "loopback frame of another family"}};
    }
    return dissect_payload(std::move(link), frame, kNull, std::nullopt, ike_keys);
  }
  if (is_raw(dlt)) {
    json link{{"type", "raw"}};
    return dissect_payload(std::move(link), frame, 0, std::nullopt, ike_keys);
  }
  return json{{"error", "unsupported_linktype"},
              {"offset", 0},
              {"layer", "link"},
              {"linktype", dlt},
              {"linktype_name", linktype_name(dlt)}};
}

}  // namespace mip6::dissect
