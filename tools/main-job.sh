#!/usr/bin/env bash
# The main job: the most complete scenario the project runs today (README "Main job").
# Part 1 (the interim main job): in network namespaces, three of our mip6-ha home
# agents share one Home Agents List, HA1 is at capacity; our initiator (mip6-ike) and a
# strongSwan initiator are redirected at IKE_SA_INIT to HA2 and complete there, then
# `mip6ctl drain` on HA2 moves both to HA3 with gateway-initiated redirects. Every decision is
# printed with its reason, then where each peer ended up. Needs root (namespaces).
# Part 2: the Mobile IPv6 home-registration scenario in virtual time (tools/mip6-sim), whose
# capture is read back by mip6-dissect and by tshark: it still covers what part 1 does not
# (BU/BA, DAD, refresh, expiry, BA 129 while draining) until the data plane exists.
# Exits non-zero if either part fails.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-build}
cd "$root"

echo "== part 1: mip6-ha pool, IKE_SA_INIT redirect and drain (tests/netns/ha_pool_main_test.sh)"
bash tests/netns/ha_pool_main_test.sh "$build/ha/mip6-ha" "$build/tools/mip6ctl/mip6ctl" \
  "$build/tools/mip6-ike/mip6-ike"

echo
echo "== part 2: home registration in virtual time (tools/mip6-sim)"
out="$build/main-job"
mkdir -p "$out"
pcap="$out/home_registration.pcap"

"$build/tools/mip6-sim/mip6-sim" --pcap "$pcap"

echo
echo "== mip6-dissect --pcap $pcap (first two packets)"
# Into a file first: piping into head would end mip6-dissect with SIGPIPE under pipefail.
"$build/tools/mip6-dissect/mip6-dissect" --pcap "$pcap" --jsonl >"$out/home_registration.jsonl"
head -n 2 "$out/home_registration.jsonl"

if command -v tshark >/dev/null 2>&1; then
  echo
  echo "== tshark -r $pcap"
  HOME=${TMPDIR:-/tmp} tshark -r "$pcap" 2>/dev/null
fi
echo
echo "main job done: capture in $pcap"
