#!/bin/bash
# RFC 5685 interop, libreswan as the redirecting gateway (issue 4): our initiator
# (`mip6-ike initiate --follow-redirects`) asks a libreswan 4.10 gateway running the global
# redirect (tools/libreswan/global-redirect.conf.in), which answers IKE_SA_INIT with
# N(REDIRECT, HA2, Ni); our initiator checks the nonce copy, starts over with HA2 (our own
# `mip6-ike respond`) announcing N(REDIRECTED_FROM, libreswan's address) and gets an IKE SA
# and a CP address there. Four namespaces: a bridge and its ports for the client
# 2001:db8:1::100, libreswan 2001:db8:1::1 and HA2 2001:db8:1::2.
# Asserts: the initiator reported the IKE_SA_INIT redirect from libreswan to HA2 and ended
# ESTABLISHED with HA2 with an address from HA2's pool (R5685-05/07); HA2 saw REDIRECTED_FROM
# naming libreswan (R5685-38); on the wire (tshark on the client's bridge port): an IKE_SA_INIT
# response from libreswan with N(REDIRECT) and SPIr 0 (R5685-04/34), and our IKE_SA_INIT to
# HA2 with N(REDIRECTED_FROM) = 2001:db8:1::1 and a new SPIi (R5685-07/38).
# covers: R5685-04, R5685-05, R5685-07, R5685-38
#
# Usage: libreswan_redirect_test.sh PATH/TO/mip6-ike (needs root, tshark). Exits 77 (skip)
# with the reason when libreswan is not installed (`tools/setup.sh libreswan`; `tools/setup.sh
# test` installs it).
set -u -o pipefail
MIP6_IKE=${1:?usage: $0 PATH/TO/mip6-ike}
NETNS_TEST=ls-redirect
. "$(dirname "$0")/netns_lib.sh"
. "$(dirname "$0")/../../tools/libreswan/pluto.sh"

libreswan_or_skip
need_root
need ip ss python3 tshark
need_built "$MIP6_IKE"

trap 'rc=$?; stop_pluto; (exit $rc); cleanup' EXIT
# libreswan is HA1 (in $NS_GW); the client is on bridge port p3 (captured below).
redirect_lab
LSGW=$HA1

# Everything the client sends and receives, on its bridge port.
start_tshark "$NS_BR" p3 p3 "$NS_MN" "$MN" "$HA2"

start_pluto "$NS_GW" "$TMP/pluto" $LSGW $HA2 "$(cat "$TMP/psk")" || fail "pluto"
start_responder "$NS_HA2" $HA2 ha2 --once --timeout 60
HA2_PID=$RESPONDER_PID

echo "---- initiator"
run_initiator mn --remote $LSGW --follow-redirects || fail "initiator exited $?"
finished "$HA2_PID" 20 "HA2 (respond --once)"
echo "---- HA2"; cat "$TMP/ha2.json"

python3 - "$TMP/mn.json" "$TMP/ha2.json" "$LSGW" "$HA2" "$MN_ID" <<'PY' || fail "JSON"
import ipaddress, json, sys
mn = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ha2 = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
lsgw, ha2_addr, mn_id = ipaddress.ip_address(sys.argv[3]), ipaddress.ip_address(sys.argv[4]), sys.argv[5]
def check(cond, what, obj):
    if not cond:
        sys.exit(what + ": " + json.dumps(obj))
redirects = [l for l in mn if l.get("event") == "redirected"]
check(len(redirects) == 1, "initiator redirects", mn)
r = redirects[0]
check(r["point"].lower().replace("_", "").replace("-", "") == "ikesainit", "redirect point", r)
check(ipaddress.ip_address(r["from"]) == lsgw and ipaddress.ip_address(r["to"]) == ha2_addr,
      "redirect from libreswan to HA2", r)
est = [l for l in mn if l.get("event") == "established"]
check(len(est) == 1 and ipaddress.ip_address(est[0]["gateway"]) == ha2_addr,
      "initiator not established with HA2", mn)
check(ipaddress.ip_address(est[0].get("assigned_address", "::")) in
      ipaddress.ip_network("2001:db8:3::/64"), "no CP address from HA2's pool", est[0])
check(mn[-1].get("result") == "established", "initiator result", mn)
sas = [l for l in ha2 if "result" in l]
check(len(sas) == 1 and sas[0]["result"] == "established" and sas[0]["state"] == "established",
      "HA2 not established", ha2)
check(sas[0].get("peer_id") == mn_id, "HA2 peer identity", sas[0])
check(ipaddress.ip_address(sas[0].get("redirected_from", "::")) == lsgw,
      "HA2: REDIRECTED_FROM does not name libreswan", sas[0])
check(ipaddress.ip_address(sas[0]["assigned_address"]) == ipaddress.ip_address(est[0]["assigned_address"]),
      "CP address differs between the two sides", sas[0])
print("libreswan redirected us to", r["to"], "; established with HA2, address",
      est[0]["assigned_address"])
PY

# The wire: libreswan's REDIRECT (SPIr 0) and our REDIRECTED_FROM to HA2 with a new SPIi.
poll 10 grep -q " $HA2 [^ ]* $MN " "$TMP/p3.out" || fail "HA2's answers not captured"
stop_pid "$TSHARK_PID"
tshark -n -r "$TMP/p3.pcap" -Y "isakmp.notify.msgtype == 16407" \
    -T fields -e ipv6.src -e isakmp.ispi -e isakmp.rspi -e isakmp.exchangetype \
    -e isakmp.notify.data.redirect.new_resp_gw_ident.ipv6 >"$TMP/redirect.txt" 2>"$TMP/r.err" ||
    fail "tshark -r"
tshark -n -r "$TMP/p3.pcap" -Y "isakmp.notify.msgtype == 16408" \
    -T fields -e ipv6.src -e ipv6.dst -e isakmp.ispi -e isakmp.exchangetype \
    -e isakmp.notify.data.redirect.org_resp_gw_ident.ipv6 >"$TMP/redirected-from.txt" \
    2>>"$TMP/r.err" || fail "tshark -r"
echo "---- N(REDIRECT)"; cat "$TMP/redirect.txt"
echo "---- N(REDIRECTED_FROM)"; cat "$TMP/redirected-from.txt"
grep -q "^$LSGW	[0-9a-f]*	0000000000000000	34	$HA2\$" "$TMP/redirect.txt" ||
    fail "no IKE_SA_INIT response from libreswan with N(REDIRECT -> $HA2) and SPIr 0"
grep -q "^$MN	$HA2	[0-9a-f]*	34	$LSGW\$" "$TMP/redirected-from.txt" ||
    fail "no IKE_SA_INIT to HA2 with N(REDIRECTED_FROM = $LSGW)"
old_spi=$(cut -f2 "$TMP/redirect.txt" | head -n 1)
new_spi=$(cut -f3 "$TMP/redirected-from.txt" | head -n 1)
[ "$old_spi" != "$new_spi" ] || fail "the request to HA2 reused SPIi $old_spi"
echo "PASS: our initiator followed libreswan's IKE_SA_INIT redirect to HA2 and established there"
