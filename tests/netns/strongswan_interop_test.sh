#!/bin/bash
# Interop: our IKEv2 initiator (mip6-ike initiate) against strongSwan's charon (5.9.x) as the
# responder, over a veth pair between two fresh network namespaces (netns_lib.sh):
#   ns "mn"  2001:db8:1::100  mip6-ike initiate (PSK, ID mn1@mip6.example, CP request)
#   ns "gw"  2001:db8:1::1    charon with a config written here: PSK, IKEv2,
#                             aes256gcm16-prfsha256-x25519, ESP aes256gcm16, IPv6 pool
# Asserts: mip6-ike reports "established" with the expected suite, an address from charon's
# pool and a Child SA whose TSi charon narrowed to that address; `swanctl --list-sas` shows
# the IKE SA ESTABLISHED with our identity and the CHILD_SA INSTALLED with our SPIs crossed.
# Then a second run with a wrong PSK must exit 1 with AUTHENTICATION_FAILED (24) from charon.
# charon installs the Child SA through kernel-libipsec (no kernel ESP here), which fakes a NAT
# to force UDP encapsulation; our initiator detects it and floats IKE to port 4500 from
# IKE_AUTH on (RFC 7296 2.23; strongswan_natt_test.sh checks that in detail).
#
# Usage: strongswan_interop_test.sh PATH/TO/mip6-ike. Fails (never skips) without root,
# charon or swanctl.
set -u -o pipefail
MIP6_IKE=${1:?usage: $0 PATH/TO/mip6-ike}
NETNS_TEST=ss-responder
. "$(dirname "$0")/netns_lib.sh"

check_prerequisites
make_topology
charon_gateway "$GW"

# ---- our initiator -------------------------------------------------------------------------
run_initiator initiate || fail "mip6-ike initiate exited $?"

python3 - "$TMP/initiate.json" "$POOL_FIRST" "$POOL_LAST" "$HA_ID" <<'PY' || fail "initiator JSON"
import ipaddress, sys
from ike_result import checker, default_suites, established, result
r = result(sys.argv[1])
first, last = (ipaddress.IPv6Address(a) for a in sys.argv[2:4])
check = checker(r, "initiator result")
addr = established(r, check, sys.argv[4])
check(first <= addr <= last, "CP address outside charon's pool")
c = default_suites(r, check)
# charon narrows TSi to the virtual IP and TSr to its home network.
check(c["ts_local"] == [{"start": str(addr), "end": str(addr), "protocol": 0,
                         "ports": "0-65535"}], "TSi not narrowed to the CP address")
check(c["ts_remote"][0]["start"] == "2001:db8:ff::", "TSr")
print("initiator: established, address", addr, "child", c["spi_in"], c["spi_out"])
PY

# ---- charon's view -------------------------------------------------------------------------
ADDR=$(json_field "$TMP/initiate.json" assigned_address)
SPI_I=$(json_field "$TMP/initiate.json" spi_i)
poll 10 sas_show "ESTABLISHED, IKEv2, ${SPI_I}_i" "remote '$MN_ID' @ $MN\[4500\]" \
    "$CHILD_INSTALLED" || fail "swanctl --list-sas does not show our IKE SA and CHILD_SA"
cat "$TMP/list-sas.txt"
charon_spis_crossed "$TMP/initiate.json"
grep -q "remote $ADDR/128" "$TMP/list-sas.txt" || fail "charon's remote TS is not $ADDR/128"

# ---- wrong PSK: charon answers IKE_AUTH with AUTHENTICATION_FAILED (24), we fail cleanly --------
printf '%s\n' 'not-the-right-psk' >"$TMP/wrong-psk"
run_initiator wrong-psk --psk-file "$TMP/wrong-psk"
rc=$?
[ $rc = 1 ] || fail "mip6-ike initiate with a wrong PSK exited $rc, expected 1"
python3 - "$TMP/wrong-psk.json" <<'PY' || fail "wrong-PSK JSON"
import json, sys
r = json.load(open(sys.argv[1]))
if (r.get("result"), r.get("state"), r.get("reason"), r.get("notify")) != \
        ("failed", "failed", "authentication_failed", 24):
    sys.exit("wrong PSK: unexpected result " + json.dumps(r))
PY
echo "PASS: strongSwan responder established IKE SA and CHILD_SA with mip6-ike;" \
    "a wrong PSK fails with AUTHENTICATION_FAILED"
