#!/bin/bash
# mip6-load against our own redirecting responder (issue 4): `mip6-ike respond --redirect-to`
# in a namespace of its own, flooded for ~1 s over the namespace's loopback by
# `mip6-load ike-init`. Asserts: redirects > 0; every answer was a REDIRECT carrying the
# request's own Ni (R5685-04/36) to the configured gateway (R5685-35); nothing malformed,
# unmatched or unanswered; the responder kept no state (R5685-04) and counted as many
# redirects as the load tool matched. A second short run without REDIRECT_SUPPORTED gets
# NO_PROPOSAL_CHOSEN only, never a REDIRECT (R5685-03).
# covers: R5685-03, R5685-04, R5685-35, R5685-36
#
# Usage: mip6_load_redirect_test.sh PATH/TO/mip6-ike PATH/TO/mip6-load (needs root).
set -u -o pipefail
MIP6_IKE=${1:?usage: $0 PATH/TO/mip6-ike PATH/TO/mip6-load}
MIP6_LOAD=${2:?usage: $0 PATH/TO/mip6-ike PATH/TO/mip6-load}
NETNS_TEST=load-redirect
. "$(dirname "$0")/netns_lib.sh"

GW_ADDR=2001:db8:1::1
TARGET=2001:db8:1::2
need_root
need ip ss python3
need_built "$MIP6_IKE" "$MIP6_LOAD"
loopback_lab "$NS_GW" $GW_ADDR $MN
write_psk mip6-load-test-psk

start_responder "$NS_GW" $GW_ADDR gw --redirect-to $TARGET --quiet --timeout 60
GW_PID=$RESPONDER_PID

ip netns exec "$NS_GW" "$MIP6_LOAD" ike-init --target $GW_ADDR --source $MN --duration 1 \
    --window 64 --pid $GW_PID --json "$TMP/load.json" 2>"$TMP/load.log" ||
    fail "mip6-load failed"
ip netns exec "$NS_GW" "$MIP6_LOAD" ike-init --target $GW_ADDR --source $MN --duration 0.2 \
    --window 8 --no-redirect-supported --json "$TMP/load-nosupport.json" 2>>"$TMP/load.log" ||
    fail "mip6-load (no REDIRECT_SUPPORTED) failed"
cat "$TMP/load.log"
kill "$GW_PID"
finished "$GW_PID" 10 "responder (after SIGTERM)"

python3 - "$TMP/load.json" "$TMP/load-nosupport.json" "$TMP/gw.json" "$TARGET" <<'PY' || fail "JSON"
import ipaddress, json, sys
from ike_result import check_obj as check, redirect_flood
load = json.load(open(sys.argv[1]))
nosup = json.load(open(sys.argv[2]))
gw = [json.loads(l) for l in open(sys.argv[3]) if l.strip()]
a = redirect_flood(load, ipaddress.ip_address(sys.argv[4]), "our responder")
check(load["none"] == 0, "unanswered requests", load)
check(load["sent"] == a["redirect"], "sent != redirected", load)
check(not any("decision" in l for l in gw), "--quiet printed decision lines", gw)
summary = [l for l in gw if l.get("summary")]
check(len(summary) == 1, "no summary", gw)
s = summary[0]
check(s["sa_count"] == 0 and s["half_open"] == 0, "the redirecting gateway holds state", s)
check(s["counters"]["redirected"] == a["redirect"], "responder's redirected counter", s)
na = nosup["answers"]
check(na["redirect"] == 0 and na["redirect_bad_nonce"] == 0, "REDIRECT to a peer without support", nosup)
check(na["error_notify"] > 0 and nosup["error_notifies"].get("14", 0) == na["error_notify"],
      "no NO_PROPOSAL_CHOSEN without REDIRECT_SUPPORTED", nosup)
print(f"{a['redirect']} redirects in {load['duration_s']} s "
      f"({load['rates']['redirects_per_s']:.0f}/s, mean {load['latency_us']['mean']:.0f} us), "
      f"all with the request's nonce; {na['error_notify']} NO_PROPOSAL_CHOSEN without support")
PY
echo "PASS: mip6-load counted only nonce-correct REDIRECTs from our responder"
