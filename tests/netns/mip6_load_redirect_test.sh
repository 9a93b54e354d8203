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
[ "$(id -u)" = 0 ] || fail "needs root (network namespaces)"
[ -x "$MIP6_IKE" ] || fail "mip6-ike not built: $MIP6_IKE"
[ -x "$MIP6_LOAD" ] || fail "mip6-load not built: $MIP6_LOAD"
ip netns add "$NS_GW" || fail "netns add $NS_GW"
ip -n "$NS_GW" link set lo up
ip -n "$NS_GW" addr add $GW_ADDR/128 dev lo nodad
ip -n "$NS_GW" addr add $MN/128 dev lo nodad
printf '%s\n' 'mip6-load-test-psk' >"$TMP/psk"

ip netns exec "$NS_GW" "$MIP6_IKE" respond --listen $GW_ADDR --psk-file "$TMP/psk" \
    --id $HA_ID --pool 2001:db8:3::/64 --redirect-to $TARGET --quiet --timeout 60 \
    >"$TMP/gw.json" 2>"$TMP/gw.err" &
GW_PID=$!
STARTED_PIDS+=("$GW_PID")
bound() { ip netns exec "$NS_GW" ss -Hnlu "sport = :500" | grep -qF "[$GW_ADDR]:500"; }
poll 10 bound || fail "responder did not bind [$GW_ADDR]:500"

ip netns exec "$NS_GW" "$MIP6_LOAD" ike-init --target $GW_ADDR --source $MN --duration 1 \
    --window 64 --pid $GW_PID --json "$TMP/load.json" 2>"$TMP/load.log" ||
    fail "mip6-load failed"
ip netns exec "$NS_GW" "$MIP6_LOAD" ike-init --target $GW_ADDR --source $MN --duration 0.2 \
    --window 8 --no-redirect-supported --json "$TMP/load-nosupport.json" 2>>"$TMP/load.log" ||
    fail "mip6-load (no REDIRECT_SUPPORTED) failed"
cat "$TMP/load.log"
kill "$GW_PID"
poll 10 sh -c "! kill -0 $GW_PID" || fail "responder did not stop on SIGTERM"
wait "$GW_PID"
rc=$?
[ $rc = 0 ] || fail "responder exited $rc"

python3 - "$TMP/load.json" "$TMP/load-nosupport.json" "$TMP/gw.json" "$TARGET" <<'PY' || fail "JSON"
import ipaddress, json, sys
load = json.load(open(sys.argv[1]))
nosup = json.load(open(sys.argv[2]))
gw = [json.loads(l) for l in open(sys.argv[3]) if l.strip()]
target = ipaddress.ip_address(sys.argv[4])
def check(cond, what, obj):
    if not cond:
        sys.exit(what + ": " + json.dumps(obj))
a = load["answers"]
check(a["redirect"] > 0, "no redirects", load)
check(a["redirect_bad_nonce"] == 0, "a REDIRECT without the request's nonce", load)
check(a["malformed"] == 0 and load["unmatched"] == 0, "malformed or unmatched answers", load)
check(load["none"] == 0, "unanswered requests", load)
check(sum(a.values()) == a["redirect"], "answers other than REDIRECT", load)
check(load["sent"] == a["redirect"], "sent != redirected", load)
targets = load["redirect_targets"]
check(len(targets) == 1 and ipaddress.ip_address(next(iter(targets))) == target,
      "REDIRECT names another gateway", load)
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
