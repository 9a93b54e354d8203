#!/bin/bash
# mip6-load against libreswan's global redirect (the baseline of tools/bench-redirect-udp.sh):
# pluto with global-redirect=yes in a namespace of its own (tools/libreswan/), flooded for
# ~1 s. Asserts: redirects > 0, each carrying the request's own Ni (R5685-04/36) and naming
# the configured gateway; nothing malformed. Requests without REDIRECT_SUPPORTED get no
# REDIRECT (libreswan 4.10 drops them, R5685-03).
# covers: R5685-03, R5685-04, R5685-36
#
# Usage: libreswan_load_redirect_test.sh PATH/TO/mip6-load (needs root). Exits 77 (skip) with
# the reason when libreswan is not installed (`tools/setup.sh libreswan`; `tools/setup.sh
# test` installs it, so CI runs this).
set -u -o pipefail
MIP6_LOAD=${1:?usage: $0 PATH/TO/mip6-load}
NETNS_TEST=ls-load-redirect
MIP6_IKE=unused
. "$(dirname "$0")/netns_lib.sh"
. "$(dirname "$0")/../../tools/libreswan/pluto.sh"

missing=$(libreswan_missing)
if [ -n "$missing" ]; then
    echo "SKIP: $missing"
    exit 77
fi
GW_ADDR=2001:db8:1::1
TARGET=2001:db8:1::2
[ "$(id -u)" = 0 ] || fail "needs root (network namespaces)"
[ -x "$MIP6_LOAD" ] || fail "mip6-load not built: $MIP6_LOAD"
trap 'rc=$?; stop_pluto; (exit $rc); cleanup' EXIT
ip netns add "$NS_GW" || fail "netns add $NS_GW"
ip -n "$NS_GW" link set lo up
ip -n "$NS_GW" addr add $GW_ADDR/128 dev lo nodad
ip -n "$NS_GW" addr add $MN/128 dev lo nodad

start_pluto "$NS_GW" "$TMP/pluto" $GW_ADDR $TARGET mip6-load-test-psk || fail "pluto"
ip netns exec "$NS_GW" "$MIP6_LOAD" ike-init --target $GW_ADDR --source $MN --duration 1 \
    --window 32 --pid "$PLUTO_PID" --json "$TMP/load.json" 2>"$TMP/load.log" ||
    fail "mip6-load failed"
ip netns exec "$NS_GW" "$MIP6_LOAD" ike-init --target $GW_ADDR --source $MN --duration 0.2 \
    --window 8 --timeout 0.3 --no-redirect-supported --json "$TMP/load-nosupport.json" \
    2>>"$TMP/load.log" || fail "mip6-load (no REDIRECT_SUPPORTED) failed"
cat "$TMP/load.log"
kill -0 "$PLUTO_PID" || fail "pluto died under load"
stop_pluto

python3 - "$TMP/load.json" "$TMP/load-nosupport.json" "$TARGET" <<'PY' || fail "JSON"
import ipaddress, json, sys
load = json.load(open(sys.argv[1]))
nosup = json.load(open(sys.argv[2]))
target = ipaddress.ip_address(sys.argv[3])
def check(cond, what, obj):
    if not cond:
        sys.exit(what + ": " + json.dumps(obj))
a = load["answers"]
check(a["redirect"] > 0, "no redirects from libreswan", load)
check(a["redirect_bad_nonce"] == 0, "a REDIRECT without the request's nonce", load)
check(a["malformed"] == 0 and load["unmatched"] == 0, "malformed or unmatched answers", load)
check(sum(a.values()) == a["redirect"], "answers other than REDIRECT", load)
targets = load["redirect_targets"]
check(len(targets) == 1 and ipaddress.ip_address(next(iter(targets))) == target,
      "REDIRECT names another gateway", load)
check(nosup["answers"]["redirect"] == 0 and nosup["answered"] == 0,
      "libreswan answered a request without REDIRECT_SUPPORTED", nosup)
print(f"libreswan: {a['redirect']} redirects in {load['duration_s']} s "
      f"({load['rates']['redirects_per_s']:.0f}/s, pluto CPU {load.get('target_cpu_pct', 0):.0f} %)")
PY
echo "PASS: mip6-load counted nonce-correct REDIRECTs from libreswan's global redirect"
