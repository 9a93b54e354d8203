#!/usr/bin/env bash
# The main job: the most complete scenario the project runs today (README "Main job").
# Today that is the home-registration scenario in virtual time (tools/mip6-sim): the real
# home-agent and mobile-node engines exchange real packets; the capture is then read back by
# mip6-dissect and, as an independent check, by tshark.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-build}
cd "$root"
out="$build/main-job"
mkdir -p "$out"
pcap="$out/home_registration.pcap"

"$build/tools/mip6-sim/mip6-sim" --pcap "$pcap"

echo
echo "== mip6-dissect --pcap $pcap (first two packets)"
"$build/tools/mip6-dissect/mip6-dissect" --pcap "$pcap" --jsonl | head -n 2

if command -v tshark >/dev/null 2>&1; then
  echo
  echo "== tshark -r $pcap"
  HOME=${TMPDIR:-/tmp} tshark -r "$pcap" 2>/dev/null
fi
echo
echo "main job done: capture in $pcap"
