#!/bin/bash
# NAT traversal interop (RFC 7296 2.23, RFC 3948; R7296-56) with strongSwan's charon (5.9.x):
# `encap = yes` makes charon fake its NAT_DETECTION_SOURCE_IP, so both ends see a NAT, IKE
# floats to UDP 4500 after IKE_SA_INIT (non-ESP marker) and the Child SA is ESP-in-UDP.
#   A: our initiator (mip6-ike initiate, ns mn) -> charon responder (ns gw)
#   B: charon initiator (ns mn) -> our responder (mip6-ike respond --once, ns gw)
# Asserts, for both: ESTABLISHED on both ends; our JSON shows the SA on 4500/4500, the NAT and
# a Child SA with udp_encap; `swanctl --list-sas` shows both IKE endpoints on [4500] and the
# CHILD_SA INSTALLED as TUNNEL-in-UDP; a tshark capture inside ns mn shows every IKE_AUTH
# message (request and response, A and B) on UDP 4500 and IKE_SA_INIT on 500 only.
# covers: R7296-07, R7296-56
#
# Usage: strongswan_natt_test.sh PATH/TO/mip6-ike. Fails (never skips) without root, charon,
# swanctl or tshark.
set -u -o pipefail
MIP6_IKE=${1:?usage: $0 PATH/TO/mip6-ike}
NETNS_TEST=ss-natt
. "$(dirname "$0")/netns_lib.sh"

check_prerequisites
need tshark
make_topology

# ---- capture on the mobile's side of the link, before any IKE traffic ----------------------
start_tshark "$NS_MN" veth1 natt "$NS_MN" "$MN" "$GW"

check_list_sas() {  # $1: the charon side's own address, $2: the peer's; both on 4500
    sas_show "ESTABLISHED, IKEv2" "local  '[^']*' @ $1\[4500\]" "remote '[^']*' @ $2\[4500\]" \
        "$CHILD_INSTALLED-in-UDP"
}

# Our JSON (one object): established, on 4500 both ways, NAT seen, Child SA UDP-encapsulated.
check_our_json() {  # $1 file, $2 role, $3 which NAT flag must be set
    python3 - "$@" <<'PY'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
r = json.loads(lines[0]) if len(lines) == 1 else json.load(open(sys.argv[1]))
def check(cond, what):
    if not cond:
        sys.exit(what + ": " + json.dumps(r))
check(r.get("result") == "established" and r.get("state") == "established", "not established")
check(r.get("role") == sys.argv[2], "role")
check(r.get("nat_detected") is True and r["nat"][sys.argv[3]] is True, "NAT not detected")
check((r.get("local_port"), r.get("remote_port")) == (4500, 4500), "IKE SA not on 4500")
c = r.get("child_sa", {})
check(c.get("udp_encap") is True, "Child SA not UDP-encapsulated")
check((c.get("local_port"), c.get("remote_port")) == (4500, 4500), "Child SA ports")
print(sys.argv[2], "on 4500, udp_encap, child", c["spi_in"], c["spi_out"])
PY
}

# ---- A: our initiator, charon responder with encap = yes -----------------------------------
charon_gateway "$GW" extra="encap = yes"
run_initiator initiate || fail "A: mip6-ike initiate exited $?"
# charon faked its own NAT_DETECTION_SOURCE_IP: we see the peer behind a NAT.
check_our_json "$TMP/initiate.json" initiator peer_behind_nat || fail "A: initiator JSON"
poll 10 check_list_sas "$GW" "$MN" || fail "A: swanctl --list-sas (gw) not on 4500 / not encap"
cat "$TMP/list-sas.txt"
stop_charon

# ---- B: charon initiator with encap = yes, our responder -----------------------------------
start_responder "$NS_GW" "$GW" respond --once --timeout 60
initiate_from_mn "$GW" extra="encap = yes"
finished "$RESPONDER_PID" 20 "B: mip6-ike respond"
cat "$TMP/respond.json"
check_our_json "$TMP/respond.json" responder peer_behind_nat || fail "B: responder JSON"
poll 10 check_list_sas "$MN" "$GW" || fail "B: swanctl --list-sas (mn) not on 4500 / not encap"
cat "$TMP/list-sas.txt"

# ---- the capture: IKE_AUTH only ever on 4500, IKE_SA_INIT only on 500 ----------------------
# Stop once the last IKE_AUTH response went through tshark (it may still be buffered).
poll 10 sh -c "[ \$(grep -c IKE_AUTH '$TMP/natt.out') -ge 4 ]" ||
    fail "capture: fewer than 4 IKE_AUTH messages seen by tshark"
stop_pid "$TSHARK_PID"
tshark -n -r "$TMP/natt.pcap" -Y "isakmp" -T fields -e ipv6.src -e udp.srcport -e udp.dstport \
    -e isakmp.exchangetype -e isakmp.flags >"$TMP/ike-pkts.txt" 2>"$TMP/tshark-read.err" ||
    fail "tshark -r"
cat "$TMP/ike-pkts.txt"
python3 - "$TMP/ike-pkts.txt" <<'PY' || fail "capture: IKE_AUTH not (only) on UDP 4500"
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
auth = [r for r in rows if len(r) >= 4 and r[3] == "35"]
init = [r for r in rows if len(r) >= 4 and r[3] == "34"]
if len(auth) < 4:
    sys.exit("expected >= 4 IKE_AUTH messages (A and B, both ways), saw %d" % len(auth))
if any((r[1], r[2]) != ("4500", "4500") for r in auth):
    sys.exit("IKE_AUTH outside 4500: %r" % [r for r in auth if (r[1], r[2]) != ("4500", "4500")])
if len(init) < 4 or any((r[1], r[2]) != ("500", "500") for r in init):
    sys.exit("IKE_SA_INIT not on 500/500: %r" % init)
print("capture: %d IKE_SA_INIT on 500, %d IKE_AUTH on 4500" % (len(init), len(auth)))
PY
echo "PASS: NAT-T interop with strongSwan (encap = yes) both ways: IKE_AUTH on 4500," \
    "Child SA ESP-in-UDP"
