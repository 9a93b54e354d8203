#!/usr/bin/env bash
# tshark (an independent dissector) must read every packet of the scenario capture as
# Mobile IPv6 with no malformed-packet or checksum warnings.
set -euo pipefail
pcap=$1
export HOME=${TMPDIR:-/tmp}  # tshark wants a writable profile directory
frames=$(tshark -r "$pcap" -T fields -e frame.number 2>/dev/null | wc -l)
mip6=$(tshark -r "$pcap" -Y mipv6 -T fields -e frame.number 2>/dev/null | wc -l)
bad=$(tshark -r "$pcap" -Y '_ws.malformed || _ws.expert.severity >= warning' \
        -T fields -e frame.number 2>/dev/null | wc -l)
echo "frames=$frames mip6=$mip6 malformed_or_warning=$bad"
[ "$frames" -gt 0 ] || { echo "no frames read"; exit 1; }
[ "$mip6" -eq "$frames" ] || { echo "not every frame dissected as MIPv6"; exit 1; }
if [ "$bad" -ne 0 ]; then
  tshark -r "$pcap" -Y '_ws.malformed || _ws.expert.severity >= warning' -V 2>/dev/null | head -60
  exit 1
fi
# tshark 4.0 shows but does not verify the MH checksum; mip6-sim itself checks every packet's
# checksum through mip6-dissect, and tests/oracle cross-checks checksums with scapy.
