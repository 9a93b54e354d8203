#pragma once
// pcap input and output for mip6-dissect (libpcap), and the link layers a Mobile IPv6 lab
// captures on: Ethernet (with up to two VLAN tags), raw IP (LINKTYPE_RAW / LINKTYPE_IPV6),
// Linux cooked SLL and SLL2, and BSD loopback (NULL / LOOP).
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ike/base/result.h"

namespace mip6::dissect {

class IkeKeyTable;  // dissect_ike_keys.h

// One captured record. `data` is valid only during the callback.
struct PcapFrame {
  std::uint64_t number = 0;  // 1-based, in file order
  std::int64_t ts_sec = 0;
  std::int64_t ts_usec = 0;
  std::uint32_t wire_length = 0;  // original length; data.size() is the captured length
  std::span<const std::uint8_t> data;
};

struct PcapError {
  std::string code;    // "pcap_open_failed", "unsupported_linktype", "pcap_read_failed", ...
  std::string detail;  // libpcap's message or the link type name
  std::uint64_t frame = 0;  // the record that failed to read (0: the file header)
  int linktype = -1;        // DLT value, when known
};

// libpcap DLT values this reader understands.
[[nodiscard]] bool is_supported_linktype(int dlt);
[[nodiscard]] std::string linktype_name(int dlt);

// Reads every record of a pcap (or pcapng) file and calls `on_frame` with the file's DLT.
// Returns the number of records read. Frames before a read error are still delivered.
[[nodiscard]] base::Result<std::uint64_t, PcapError> read_pcap(
    const std::string& path, const std::function<void(int dlt, const PcapFrame&)>& on_frame);

// Writes `frames` to a new pcap file with link type `dlt` (DLT_RAW for bare IPv6 packets;
// libpcap stores it as LINKTYPE_RAW = 101). Record i gets timestamp i seconds, so files are
// reproducible.
[[nodiscard]] base::Result<void, PcapError> write_pcap(
    const std::string& path, int dlt, const std::vector<std::vector<std::uint8_t>>& frames);

// Strips the link layer and dissects what it carries: {"link": {...}} plus the output of
// dissect_ipv6 (dissect_ipv4 for IPv4 frames), or {"skipped": ...} for other frames, or an
// error object (layer "link"). `ike_keys` as for dissect_ikev2.
[[nodiscard]] nlohmann::json dissect_frame(int dlt, std::span<const std::uint8_t> frame,
                                           const IkeKeyTable* ike_keys = nullptr);

}  // namespace mip6::dissect
