#!/bin/bash
# Interop, reverse direction: strongSwan's charon (5.9.x) as the initiator ("mobile node",
# virtual IPv6 address requested with vips = ::) against our responder (mip6-ike respond
# --once, CP pool 2001:db8:3::/64), over a veth pair between two fresh namespaces
# (netns_lib.sh). charon uses kernel-libipsec, which fakes a NAT, so it floats to UDP 4500
# after IKE_SA_INIT: this also exercises our port-4500 transport (non-ESP marker).
# Asserts: `swanctl --initiate` succeeds; mip6-ike prints one "established" line with the
# peer's identity, an address from our pool and the Child SA; `swanctl --list-sas` shows the
# IKE SA ESTABLISHED on port 4500 with that virtual address and the CHILD_SA INSTALLED with
# our SPIs crossed.
#
# Usage: strongswan_initiator_interop_test.sh PATH/TO/mip6-ike. Fails (never skips) without
# root, charon or swanctl.
set -u -o pipefail
MIP6_IKE=${1:?usage: $0 PATH/TO/mip6-ike}
NETNS_TEST=ss-initiator
. "$(dirname "$0")/netns_lib.sh"

check_prerequisites
make_topology

# ---- our responder -------------------------------------------------------------------------
ip netns exec "$NS_GW" "$MIP6_IKE" respond --listen $GW --psk-file "$TMP/psk" --id $HA_ID \
    --pool 2001:db8:3::/64 --once --timeout 60 >"$TMP/respond.json" 2>"$TMP/respond.err" &
RESPONDER_PID=$!
STARTED_PIDS+=("$RESPONDER_PID")
poll 10 ike_listening "$NS_GW" "$GW" ||
    fail "mip6-ike respond is not listening on [$GW]:500 and :4500"

# ---- charon initiator ----------------------------------------------------------------------
initiate_from_mn "$GW"

# --once: the responder exits after its first SA settles.
poll 20 sh -c "! kill -0 $RESPONDER_PID" || fail "mip6-ike respond did not finish"
wait "$RESPONDER_PID"
rc=$?
cat "$TMP/respond.json"
[ $rc = 0 ] || fail "mip6-ike respond exited $rc"

python3 - "$TMP/respond.json" "$MN_ID" <<'PY' || fail "responder JSON"
import ipaddress, json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
if len(lines) != 1:
    sys.exit("expected one JSON line, got %d" % len(lines))
r = json.loads(lines[0])
def check(cond, what):
    if not cond:
        sys.exit("responder result: " + what + ": " + json.dumps(r))
check(r.get("result") == "established" and r.get("state") == "ESTABLISHED", "not established")
check(r.get("role") == "responder", "role")
check(r.get("peer_id") == sys.argv[2], "peer identity")
addr = ipaddress.IPv6Address(r.get("assigned_address", "::"))
check(addr in ipaddress.IPv6Network("2001:db8:3::/64"), "CP address outside our pool")
s = r.get("suite", {})
check((s.get("encr"), s.get("key_bits"), s.get("prf"), s.get("dh")) ==
      ("ENCR_AES_GCM_16", 256, "PRF_HMAC_SHA2_256", "CURVE25519"), "IKE suite")
c = r.get("child_sa")
check(c is not None and c["mode"] == "tunnel" and c["key_bits"] == 256, "Child SA")
check("keys" not in r and "keys" not in c, "keys printed without --dump-keys")
print("responder: established, address", addr, "child", c["spi_in"], c["spi_out"])
PY

ADDR=$(json_field "$TMP/respond.json" assigned_address)
SPI_IN=$(json_field "$TMP/respond.json" child_sa spi_in)
SPI_OUT=$(json_field "$TMP/respond.json" child_sa spi_out)
SPI_I=$(json_field "$TMP/respond.json" spi_i)
list_ok() {
    "$SWANCTL" --list-sas --uri "$VICI" >"$TMP/list-sas.txt" 2>&1 || return 1
    grep -q "ESTABLISHED, IKEv2, ${SPI_I}_i\*" "$TMP/list-sas.txt" &&
        grep -q "local  '$MN_ID' @ $MN\[4500\] \[$ADDR\]" "$TMP/list-sas.txt" &&
        grep -q "remote '$HA_ID' @ $GW\[4500\]" "$TMP/list-sas.txt" &&
        grep -q "home: #[0-9]*, reqid [0-9]*, INSTALLED, TUNNEL" "$TMP/list-sas.txt"
}
poll 10 list_ok || fail "swanctl --list-sas does not show the IKE SA and CHILD_SA"
cat "$TMP/list-sas.txt"
grep -q "in  *${SPI_OUT}" "$TMP/list-sas.txt" || fail "charon inbound SPI != our outbound SPI"
grep -q "out *${SPI_IN}" "$TMP/list-sas.txt" || fail "charon outbound SPI != our inbound SPI"
echo "PASS: mip6-ike responder established IKE SA and CHILD_SA with a strongSwan initiator"
