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

POOL_FIRST=2001:db8:2::10
POOL_LAST=2001:db8:2::ff

check_prerequisites
make_topology
swanctl_gateway_conf "$GW" pool="$POOL_FIRST-$POOL_LAST" >"$TMP/swanctl.conf"
start_charon "$NS_GW" "$TMP/swanctl.conf"

# ---- our initiator -------------------------------------------------------------------------
ip netns exec "$NS_MN" timeout 60 "$MIP6_IKE" initiate --local $MN --remote $GW \
    --psk-file "$TMP/psk" --id $MN_ID --remote-id $HA_ID --request-address --timeout 30 \
    >"$TMP/initiate.json" 2>"$TMP/initiate.err"
rc=$?
cat "$TMP/initiate.json"
[ $rc = 0 ] || fail "mip6-ike initiate exited $rc"

python3 - "$TMP/initiate.json" "$POOL_FIRST" "$POOL_LAST" "$HA_ID" <<'PY' || fail "initiator JSON"
import ipaddress, json, sys
r = json.load(open(sys.argv[1]))
first, last = (ipaddress.IPv6Address(a) for a in sys.argv[2:4])
def check(cond, what):
    if not cond:
        sys.exit("initiator result: " + what + ": " + json.dumps(r))
check(r.get("result") == "established" and r.get("state") == "ESTABLISHED", "not established")
check(r.get("peer_id") == sys.argv[4], "peer identity")
addr = ipaddress.IPv6Address(r.get("assigned_address", "::"))
check(first <= addr <= last, "CP address outside charon's pool")
s = r.get("suite", {})
check((s.get("encr"), s.get("key_bits"), s.get("prf"), s.get("dh")) ==
      ("ENCR_AES_GCM_16", 256, "PRF_HMAC_SHA2_256", "CURVE25519"), "IKE suite")
c = r.get("child_sa")
check(c is not None and c["mode"] == "tunnel" and c["key_bits"] == 256, "Child SA")
# charon narrows TSi to the virtual IP and TSr to its home network.
check(c["ts_local"] == [{"start": str(addr), "end": str(addr), "protocol": 0,
                         "ports": "0-65535"}], "TSi not narrowed to the CP address")
check(c["ts_remote"][0]["start"] == "2001:db8:ff::", "TSr")
check("keys" not in r and "keys" not in c, "keys printed without --dump-keys")
print("initiator: established, address", addr, "child", c["spi_in"], c["spi_out"])
PY

# ---- charon's view -------------------------------------------------------------------------
ADDR=$(json_field "$TMP/initiate.json" assigned_address)
SPI_IN=$(json_field "$TMP/initiate.json" child_sa spi_in)
SPI_OUT=$(json_field "$TMP/initiate.json" child_sa spi_out)
SPI_I=$(json_field "$TMP/initiate.json" spi_i)
list_ok() {
    "$SWANCTL" --list-sas --uri "$VICI" >"$TMP/list-sas.txt" 2>&1 || return 1
    grep -q "ESTABLISHED, IKEv2, ${SPI_I}_i" "$TMP/list-sas.txt" &&
        grep -q "remote '$MN_ID' @ $MN\[4500\]" "$TMP/list-sas.txt" &&
        grep -q "home: #[0-9]*, reqid [0-9]*, INSTALLED, TUNNEL" "$TMP/list-sas.txt"
}
poll 10 list_ok || fail "swanctl --list-sas does not show our IKE SA and CHILD_SA"
cat "$TMP/list-sas.txt"
# charon's SPIs are ours crossed: its inbound SPI is the one we send with.
grep -q "in  *${SPI_OUT}" "$TMP/list-sas.txt" || fail "charon inbound SPI != our outbound SPI"
grep -q "out *${SPI_IN}" "$TMP/list-sas.txt" || fail "charon outbound SPI != our inbound SPI"
grep -q "remote $ADDR/128" "$TMP/list-sas.txt" || fail "charon's remote TS is not $ADDR/128"

# ---- wrong PSK: charon answers IKE_AUTH with AUTHENTICATION_FAILED (24), we fail cleanly --------
printf '%s\n' 'not-the-right-psk' >"$TMP/wrong-psk"
ip netns exec "$NS_MN" timeout 60 "$MIP6_IKE" initiate --local $MN --remote $GW \
    --psk-file "$TMP/wrong-psk" --id $MN_ID --remote-id $HA_ID --request-address --timeout 30 \
    >"$TMP/wrong-psk.json" 2>"$TMP/wrong-psk.err"
rc=$?
cat "$TMP/wrong-psk.json"
[ $rc = 1 ] || fail "mip6-ike initiate with a wrong PSK exited $rc, expected 1"
python3 - "$TMP/wrong-psk.json" <<'PY' || fail "wrong-PSK JSON"
import json, sys
r = json.load(open(sys.argv[1]))
if (r.get("result"), r.get("state"), r.get("reason"), r.get("notify")) != \
        ("failed", "FAILED", "authentication-failed", 24):
    sys.exit("wrong PSK: unexpected result " + json.dumps(r))
PY
echo "PASS: strongSwan responder established IKE SA and CHILD_SA with mip6-ike;" \
    "a wrong PSK fails with AUTHENTICATION_FAILED"
