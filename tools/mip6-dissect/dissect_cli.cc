#include "tools/mip6-dissect/dissect_cli.h"

#include <pcap/pcap.h>

#include <cstdio>
#include <istream>
#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ike/base/hex.h"
#include "ike/base/ip6_addr.h"
#include "tools/mip6-dissect/dissect.h"
#include "tools/mip6-dissect/dissect_ike_keys.h"
#include "tools/mip6-dissect/pcap_io.h"

namespace mip6::dissect {
namespace {

using nlohmann::json;

struct Options {
  InputKind kind = InputKind::Auto;
  bool jsonl = false;
  bool pretty = false;
  std::optional<std::string> pcap_in;
  std::optional<std::string> pcap_out;
  std::optional<base::Ip6Addr> src;
  std::optional<base::Ip6Addr> dst;
  std::optional<std::string> ike_keys_file;
  std::optional<IkeKeyTable> ike_keys;  // loaded from ike_keys_file
};

// Writes the packets either as one JSON array or as JSON lines.
class Emitter {
 public:
  Emitter(std::ostream& out, const Options& o) : out_(out), jsonl_(o.jsonl), pretty_(o.pretty) {}
  void emit(const json& j) {
    if (is_error(j)) {
      malformed_ = true;
    }
    if (jsonl_) {
      out_ << dump_line(j) << '\n';
      return;
    }
    out_ << (first_ ? "[\n" : ",\n");
    first_ = false;
    out_ << (pretty_ ? j.dump(2, ' ', false, json::error_handler_t::replace) : dump_line(j));
  }
  void finish() {
    if (!jsonl_) {
      out_ << (first_ ? "[]\n" : "\n]\n");
    }
    out_.flush();
  }
  [[nodiscard]] bool malformed() const { return malformed_; }

 private:
  std::ostream& out_;
  bool jsonl_;
  bool pretty_;
  bool first_ = true;
  bool malformed_ = false;
};

// Explains why base::from_hex refused a line: the first bad character, or an odd count.
json hex_error(std::string_view line) {
  bool in_comment = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_comment) {
      continue;
    }
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                    c == ' ' || c == '\t' || c == '\r' || c == ':';
    if (c == '#') {
      in_comment = true;
    } else if (!ok) {
      return json{{"error", "invalid_hex_character"}, {"offset", i}, {"layer", "hex"}};
    }
  }
  return json{{"error", "odd_hex_digit_count"}, {"offset", line.size()}, {"layer", "hex"}};
}

std::optional<std::string> parse_args(std::span<const std::string> args, Options& o,
                                      bool& help) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& v) {
      if (i + 1 >= args.size()) {
        return false;
      }
      v = args[++i];
      return true;
    };
    std::string v;
    if (a == "-h" || a == "--help") {
      help = true;
    } else if (a == "--mh") {
      o.kind = InputKind::MobilityHeader;
    } else if (a == "--icmpv6") {
      o.kind = InputKind::Icmpv6;
    } else if (a == "--ipv6") {
      o.kind = InputKind::Ipv6;
    } else if (a == "--jsonl") {
      o.jsonl = true;
    } else if (a == "--pretty") {
      o.pretty = true;
    } else if (a == "--pcap") {
      if (!value(v)) {
        return "--pcap needs a file name";
      }
      o.pcap_in = v;
    } else if (a == "--write-pcap") {
      if (!value(v)) {
        return "--write-pcap needs a file name";
      }
      o.pcap_out = v;
    } else if (a == "--ike-keys") {
      if (!value(v)) {
        return "--ike-keys needs a file name";
      }
      o.ike_keys_file = v;
    } else if (a == "--src" || a == "--dst") {
      if (!value(v)) {
        return a + " needs an IPv6 address";
      }
      auto parsed = base::Ip6Addr::parse(v);
      if (!parsed) {
        return a + ": not an IPv6 address: " + v;
      }
      (a == "--src" ? o.src : o.dst) = *parsed;
    } else {
      return "unknown argument: " + a;
    }
  }
  if (o.pcap_in && o.pcap_out) {
    return "--pcap and --write-pcap cannot be combined";
  }
  if (o.pcap_out && (o.kind == InputKind::MobilityHeader || o.kind == InputKind::Icmpv6)) {
    return "--write-pcap stores full IPv6 packets; --mh/--icmpv6 input cannot be written";
  }
  if (o.src.has_value() != o.dst.has_value()) {
    return "--src and --dst go together";
  }
  return std::nullopt;
}

int run_pcap(const Options& o, std::ostream& out, std::ostream& err) {
  Emitter emitter(out, o);
  auto result = read_pcap(*o.pcap_in, [&](int dlt, const PcapFrame& f) {
    json j = dissect_frame(dlt, f.data, o.ike_keys ? &*o.ike_keys : nullptr);
    j["frame"] = f.number;
    char ts[48];
    std::snprintf(ts, sizeof(ts), "%lld.%06lld", static_cast<long long>(f.ts_sec),
                  static_cast<long long>(f.ts_usec));
    j["time"] = ts;
    j["captured_length"] = f.data.size();
    j["wire_length"] = f.wire_length;
    if (f.data.size() < f.wire_length) {
      j["capture_truncated"] = true;
    }
    emitter.emit(j);
  });
  int rc = kExitOk;
  if (!result) {
    const PcapError& e = result.error();
    json j{{"error", e.code}, {"detail", e.detail}, {"layer", "pcap"}, {"offset", 0},
           {"file", *o.pcap_in}};
    if (e.frame != 0) {
      j["frame"] = e.frame;
    }
    if (e.linktype >= 0) {
      j["linktype"] = e.linktype;
      j["linktype_name"] = linktype_name(e.linktype);
    }
    emitter.emit(j);
    err << "mip6-dissect: " << *o.pcap_in << ": " << e.code << ": " << e.detail << '\n';
    rc = e.code == "pcap_open_failed" ? kExitUsage : kExitMalformed;
  }
  emitter.finish();
  if (rc != kExitOk) {
    return rc;
  }
  return emitter.malformed() ? kExitMalformed : kExitOk;
}

// Reads one packet per line. Blank and comment-only lines are not packets.
template <typename F>
void for_each_hex_line(std::istream& in, F&& f) {
  std::string line;
  std::uint64_t line_no = 0;
  std::uint64_t frame = 0;
  while (std::getline(in, line)) {
    ++line_no;
    auto bytes = base::from_hex(line);
    if (bytes && bytes->empty()) {
      continue;
    }
    ++frame;
    if (!bytes) {
      json e = hex_error(line);
      e["line"] = line_no;
      e["frame"] = frame;
      f(frame, line_no, nullptr, &e);
      continue;
    }
    f(frame, line_no, &*bytes, nullptr);
  }
}

int run_write_pcap(const Options& o, std::istream& in, std::ostream& out, std::ostream& err) {
  std::vector<std::vector<std::uint8_t>> packets;
  json errors = json::array();
  for_each_hex_line(in, [&](std::uint64_t, std::uint64_t, const std::vector<std::uint8_t>* bytes,
                            const json* error) {
    if (error != nullptr) {
      errors.push_back(*error);
    } else {
      packets.push_back(*bytes);
    }
  });
  auto written = write_pcap(*o.pcap_out, DLT_RAW, packets);
  if (!written) {
    json j{{"error", written.error().code}, {"detail", written.error().detail},
           {"layer", "pcap"}, {"offset", 0}, {"file", *o.pcap_out}};
    out << dump_line(j) << '\n';
    err << "mip6-dissect: " << *o.pcap_out << ": " << written.error().detail << '\n';
    return kExitUsage;
  }
  out << dump_line(json{{"wrote", *o.pcap_out},
                        {"packets", packets.size()},
                        {"linktype", "LINKTYPE_RAW"},
                        {"errors", errors}})
      << '\n';
  return errors.empty() ? kExitOk : kExitMalformed;
}

int run_hex(const Options& o, std::istream& in, std::ostream& out) {
  Emitter emitter(out, o);
  std::optional<PseudoHeader> pseudo;
  if (o.src && o.dst) {
    pseudo = PseudoHeader{*o.src, *o.dst};
  }
  for_each_hex_line(in, [&](std::uint64_t frame, std::uint64_t line,
                            const std::vector<std::uint8_t>* bytes, const json* error) {
    if (error != nullptr) {
      emitter.emit(*error);
      return;
    }
    json j = dissect(*bytes, o.kind, pseudo, o.ike_keys ? &*o.ike_keys : nullptr);
    j["frame"] = frame;
    j["line"] = line;
    emitter.emit(j);
  });
  emitter.finish();
  return emitter.malformed() ? kExitMalformed : kExitOk;
}

}  // namespace

std::string usage_text() {
  return R"(usage: mip6-dissect [options] < packets.hex
       mip6-dissect --pcap FILE [options]
       mip6-dissect --write-pcap FILE < packets.hex

Dissects Mobile IPv6 packets into JSON: the IPv6 header, Home Address option, type 2
routing header, every Mobility Header message (BRR, HoTI/CoTI/HoT/CoT, BU, BA, BE,
Home Agent Switch) with all mobility options and a checked checksum, and the ICMPv6
messages DHAAD Request/Reply, Mobile Prefix Solicitation/Advertisement and Router
Advertisement with their ND options. IKEv2 on UDP 500/4500 (over IPv6 or IPv4): the
header and every payload, REDIRECT / REDIRECTED_FROM decoded, the non-ESP marker,
ESP-in-UDP and NAT keepalives; SK contents are decrypted with --ike-keys.

Input (default): hex on stdin, one packet per line; whitespace and ':' are ignored and
'#' starts a comment. Blank lines are not packets.
  --ipv6          every line is a full IPv6 packet
  --mh            every line is a bare Mobility Header
  --icmpv6        every line is a bare ICMPv6 message
                  (default: auto: IPv6 if the version nibble is 6, IPv4 if it is 4,
                  a bare MH if the first octet is 59, a bare ICMPv6 message if it is
                  134 or 144-147)
  --src ADDR --dst ADDR
                  pseudo-header addresses for the checksum of a bare MH / ICMPv6
                  message (home address as source when the packet had a HAO)
  --pcap FILE     read a pcap or pcapng file instead (Ethernet, raw IP, Linux cooked
                  SLL/SLL2, BSD loopback)
  --ike-keys FILE IKE SA keys in Wireshark's ikev2_decryption_table format (as written
                  by `mip6-ike --ike-keylog`): SK payloads of those SAs are decrypted,
                  their ICV verified, and the inner payloads dissected under
                  "encrypted": {"payloads": [...]}. A failed ICV is an error
                  ("sk_integrity_check_failed", layer "ikev2_sk"); SPIs without keys
                  give a "note"

Output: a JSON array with one object per packet, or with
  --jsonl         one JSON object per line
  --pretty        indented array
A malformed packet gives {"error": <name>, "offset": N, "layer": ...} (offsets count
from the start of the IP packet or bare message); other traffic gives
{"skipped": <reason>}.

  --write-pcap FILE
                  convert the hex packets (full IPv6 or IPv4) into a pcap file with
                  LINKTYPE_RAW; prints {"wrote": FILE, "packets": N, "errors": [...]}

Exit status:
  0  every packet was dissected or skipped
  1  at least one packet, hex line or pcap record was malformed, or the pcap's
     link type is not supported
  2  usage error, or a file could not be opened or written
  3  internal error (a bug; please report it with the input)
)";
}

int run_cli(std::span<const std::string> args, std::istream& in, std::ostream& out,
            std::ostream& err) {
  Options o;
  bool help = false;
  if (auto problem = parse_args(args, o, help)) {
    err << "mip6-dissect: " << *problem << "\n\n" << usage_text();
    return kExitUsage;
  }
  if (help) {
    out << usage_text();
    return kExitOk;
  }
  if (o.ike_keys_file) {
    auto table = IkeKeyTable::load(*o.ike_keys_file);
    if (!table) {
      err << "mip6-dissect: --ike-keys: " << table.error() << '\n';
      return kExitUsage;
    }
    o.ike_keys = std::move(*table);
  }
  if (o.pcap_in) {
    return run_pcap(o, out, err);
  }
  if (o.pcap_out) {
    return run_write_pcap(o, in, out, err);
  }
  return run_hex(o, in, out);
}

}  // namespace mip6::dissect
