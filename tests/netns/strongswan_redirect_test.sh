#!/bin/bash
# RFC 5685 interop: strongSwan's charon (initiator, follow_redirects = yes by default) asks
# HA1, which runs `mip6-ike respond --redirect-to HA2` and answers IKE_SA_INIT statelessly
# with N(REDIRECT, HA2, Ni); charon follows and establishes with HA2 (`mip6-ike respond`),
# announcing N(REDIRECTED_FROM, HA1). Three namespaces on one bridge (a fourth namespace holds
# the bridge and its veth ports):   client 2001:db8:1::100, HA1 ::1, HA2 ::2.
# Asserts: HA1 printed a "redirected" decision naming HA2 and holds no SA at exit (R5685-04);
# HA2 established the SA with charon's identity and saw REDIRECTED_FROM = HA1 (R5685-07/38);
# `swanctl --list-sas` shows the IKE SA ESTABLISHED with HA2's address; with tshark installed,
# the capture on HA1's bridge port shows an IKE_SA_INIT response from HA1 with N(REDIRECT)
# (type 16407) and SPIr 0 (R5685-04/34). HA1_EXTRA="--capacity 0" runs HA1 in capacity mode.
# covers: R5685-01, R5685-02, R5685-04, R5685-07, R5685-38
#
# Usage: strongswan_redirect_test.sh PATH/TO/mip6-ike. Fails (never skips) without root,
# charon or swanctl.
set -u -o pipefail
MIP6_IKE=${1:?usage: $0 PATH/TO/mip6-ike}
NETNS_TEST=ss-redirect
. "$(dirname "$0")/netns_lib.sh"

check_prerequisites
redirect_lab

# HA1's answer on the wire: the IKE_SA_INIT response carries N(REDIRECT) with SPIr 0.
TSHARK_PID=
if command -v tshark >/dev/null; then
    start_tshark "$NS_BR" p1 p1 "$NS_MN" "$MN" "$HA1"
fi

# ---- our two responders --------------------------------------------------------------------
start_responder "$NS_GW" "$HA1" ha1 --redirect-to $HA2 ${HA1_EXTRA:-} --timeout 90
HA1_PID=$RESPONDER_PID
start_responder "$NS_HA2" "$HA2" ha2 --once --timeout 90
HA2_PID=$RESPONDER_PID

# ---- charon initiator, configured for HA1 only --------------------------------------------
initiate_from_mn "$HA1"

finished "$HA2_PID" 20 "HA2 (respond --once)"
# HA1 runs until stopped; SIGTERM makes it print its summary and exit 0.
kill "$HA1_PID"
finished "$HA1_PID" 10 "HA1 (after SIGTERM)"
echo "---- HA1"; cat "$TMP/ha1.json"
echo "---- HA2"; cat "$TMP/ha2.json"

python3 - "$TMP/ha1.json" "$TMP/ha2.json" "$HA1" "$HA2" "$MN" "$MN_ID" <<'PY' || fail "JSON"
import ipaddress, json, sys
ha1 = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ha2 = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
ha1_addr, ha2_addr, mn, mn_id = (sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6])
def check(cond, what, obj):
    if not cond:
        sys.exit(what + ": " + json.dumps(obj))
decisions = [l for l in ha1 if "decision" in l]
check(len(decisions) >= 1, "HA1 printed no decision", ha1)
for d in decisions:
    check(d["decision"] == "redirected" and d["outcome"] == "redirected", "HA1 decision", d)
    check(d["redirect_supported"] is True, "charon did not announce REDIRECT_SUPPORTED", d)
    check(ipaddress.ip_address(d["target"]) == ipaddress.ip_address(ha2_addr), "target", d)
    check(ipaddress.ip_address(d["peer"]) == ipaddress.ip_address(mn), "peer", d)
check(not any("result" in l for l in ha1), "HA1 printed an SA line", ha1)
summary = [l for l in ha1 if l.get("summary")]
check(len(summary) == 1 and summary[0]["sa_count"] == 0 and summary[0]["half_open"] == 0,
      "HA1 holds an SA", ha1)
check(summary[0]["counters"]["redirected"] == len(decisions), "HA1 Redirected counter", ha1)
sas = [l for l in ha2 if "result" in l]
check(len(sas) == 1, "HA2 SA lines", ha2)
r = sas[0]
check(r["result"] == "established" and r["state"] == "established", "HA2 not established", r)
check(r.get("peer_id") == mn_id, "HA2 peer identity", r)
check(r.get("redirect_supported") is True, "HA2: REDIRECTED_FROM not recorded", r)
check(ipaddress.ip_address(r.get("redirected_from", "::")) == ipaddress.ip_address(ha1_addr),
      "HA2: REDIRECTED_FROM does not name HA1", r)
print("HA1 redirected", len(decisions), "request(s); HA2 established", r["spi_i"], "from", mn_id)
PY

SPI_I=$(python3 -c 'import json,sys
print([json.loads(l) for l in open(sys.argv[1]) if "result" in l][0]["spi_i"])' "$TMP/ha2.json")
poll 10 sas_show "ESTABLISHED, IKEv2, ${SPI_I}_i\*" "remote '$HA_ID' @ $HA2\[4500\]" \
    "$CHILD_INSTALLED" || fail "swanctl --list-sas does not show the IKE SA with HA2"
cat "$TMP/list-sas.txt"
if [ -n "$TSHARK_PID" ]; then
    # Stop only once HA1's answer went through tshark (it may still be buffered otherwise).
    poll 10 grep -q " $HA1 [^ ]* $MN " "$TMP/p1.out" || fail "HA1's answer not captured"
    stop_pid "$TSHARK_PID"
    tshark -n -r "$TMP/p1.pcap" -Y "isakmp.notify.msgtype == 16407" \
        -T fields -e ipv6.src -e isakmp.ispi -e isakmp.rspi -e isakmp.exchangetype \
        >"$TMP/redirect-pkts.txt" 2>"$TMP/tshark-read.err" || fail "tshark -r"
    cat "$TMP/redirect-pkts.txt"
    grep -q "^$HA1	[0-9a-f]*	0000000000000000	34\$" "$TMP/redirect-pkts.txt" ||
        fail "no IKE_SA_INIT response with N(REDIRECT) and SPIr 0 from HA1 on the wire"
fi
grep -q "redirect" "$TMP/charon.log" && grep -i "redirect" "$TMP/charon.log" | head -n 5
echo "PASS: strongSwan followed HA1's IKE_SA_INIT redirect and established with HA2"
