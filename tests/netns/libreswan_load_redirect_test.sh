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
. "$(dirname "$0")/netns_lib.sh"
. "$(dirname "$0")/../../tools/libreswan/pluto.sh"

libreswan_or_skip
GW_ADDR=2001:db8:1::1
TARGET=2001:db8:1::2
need_root
need ip ss python3
need_built "$MIP6_LOAD"
trap 'rc=$?; stop_pluto; (exit $rc); cleanup' EXIT
loopback_lab "$NS_GW" $GW_ADDR $MN

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
from ike_result import check_obj as check, redirect_flood
load = json.load(open(sys.argv[1]))
nosup = json.load(open(sys.argv[2]))
a = redirect_flood(load, ipaddress.ip_address(sys.argv[3]), "libreswan")
check(nosup["answers"]["redirect"] == 0 and nosup["answered"] == 0,
      "libreswan answered a request without REDIRECT_SUPPORTED", nosup)
print(f"libreswan: {a['redirect']} redirects in {load['duration_s']} s "
      f"({load['rates']['redirects_per_s']:.0f}/s, pluto CPU {load.get('target_cpu_pct', 0):.0f} %)")
PY
echo "PASS: mip6-load counted nonce-correct REDIRECTs from libreswan's global redirect"
