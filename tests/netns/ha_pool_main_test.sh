#!/bin/bash
# The interim main job of issue 4 (README's first command runs it; also ctest netns.ha_pool_main):
# three of our mip6-ha share one Home Agents List (HA2 preferred, then HA3, then HA1); HA1 is at
# capacity. Our initiator (mip6-ike initiate) and a strongSwan initiator (charon) both contact
# HA1, are redirected at IKE_SA_INIT to HA2 (RFC 5685 3) and complete there; then
# `mip6ctl drain` on HA2 moves both to HA3 with gateway-initiated REDIRECTs (RFC 5685 5; no
# binding exists in this scenario, so no Home Agent Switch). Prints every decision with its
# reason and where each peer ended up; exits non-zero if any expectation fails.
#   bridge: ha1 2001:db8:1::1, ha2 ::2, ha3 ::3, mn ::100 (charon), mn2 ::101 (mip6-ike)
# covers: R5685-04, R5685-07, R5685-15, R5685-17, R5685-19, R5685-20, R5685-38
#
# Usage: ha_pool_main_test.sh MIP6_HA MIP6CTL MIP6_IKE
set -u -o pipefail
MIP6_HA=${1:?usage: $0 MIP6_HA MIP6CTL MIP6_IKE}
MIP6CTL=${2:?}
MIP6_IKE=${3:?}
NETNS_TEST=ha-pool
. "$(dirname "$0")/netns_lib.sh"
. "$(dirname "$0")/ha_pool_lib.sh"

check_pool_prerequisites
need charon swanctl
MN2=2001:db8:1::101
POOL_HAS="$HA1:100 $HA2:300 $HA3:200"
echo "== topology: ha1 $HA1 (at capacity), ha2 $HA2, ha3 $HA3; mn $MN (charon), mn2 $MN2 (mip6-ike)"
# Each initiator in a namespace of its own: charon binds the IKE ports on every address.
pool_topology "ha1:$HA1" "ha2:$HA2" "ha3:$HA3" "mn:$MN" "mn2:$MN2"
NS_MN=$(ns_of mn)  # netns_lib's charon helpers run in NS_MN
home_network "$(ns_of ha1)" "$(ns_of ha2)" "$(ns_of ha3)"
write_psk
ha_config ha1 "$HA1" 0
ha_config ha2 "$HA2" 10
ha_config ha3 "$HA3" 10
start_ha ha1
start_ha ha2
start_ha ha3

# ---- both initiators contact HA1 -------------------------------------------------------------
echo "== our initiator (mip6-ike) and strongSwan's charon contact HA1"
ip netns exec "$(ns_of mn2)" "$MIP6_IKE" initiate --local "$MN2" --remote "$HA1" --psk-file "$TMP/psk" \
    --id mn2@mip6.example --remote-id "$HA_ID" --request-address --follow-redirects \
    --until-moved --timeout 150 >"$TMP/mn-ours.json" 2>"$TMP/mn-ours.err" &
OURS_PID=$!
STARTED_PIDS+=("$OURS_PID")
initiate_from_mn "$HA1"
poll 30 field_is ha2 2 established_sas || fail "HA2 does not hold both IKE SAs"

# ---- drain HA2 ---------------------------------------------------------------------------------
echo "== mip6ctl drain on HA2"
"$MIP6CTL" --socket "$TMP/ha2.sock" drain --grace 10 || fail "mip6ctl drain"
poll 60 field_is ha3 2 established_sas || fail "HA3 does not hold both IKE SAs"
poll 30 field_is ha2 0 established_sas || fail "HA2 still holds IKE SAs after the grace period"
# Ours exits 0 once the gateway-initiated move completed and its old SA is deleted (R5685-19).
poll 30 sh -c "! kill -0 $OURS_PID" || fail "mip6-ike did not finish its move"
wait "$OURS_PID" || fail "mip6-ike initiate --until-moved failed"
"$MIP6CTL" --socket "$TMP/ha2.sock" status
list_ok() { sas_show "remote '$HA_ID' @ $HA3\[" && ! grep -q "@ $HA2\[" "$TMP/list-sas.txt"; }
poll 20 list_ok || fail "charon's SA is not with HA3 (swanctl --list-sas)"

for h in ha1 ha2 ha3; do
    ctl $h peers >"$TMP/$h-peers.json" || fail "mip6ctl peers $h"
done
python3 - "$TMP" "$HA1" "$HA2" "$HA3" "$MN" "$MN2" <<'PY' || fail "expectations"
import ipaddress, json, sys
tmp, ha1, ha2, ha3, mn, mn2 = sys.argv[1:7]
A = ipaddress.ip_address
names = {A(ha1): "HA1", A(ha2): "HA2", A(ha3): "HA3"}
who = {A(mn): "charon", A(mn2): "mip6-ike"}
ok = True
def check(cond, what):
    global ok
    if not cond:
        print("FAIL:", what)
        ok = False
print("\n== decisions, in order, per home agent")
events = {}
for h in ("ha1", "ha2", "ha3"):
    events[h] = [json.loads(l) for l in open(tmp + "/" + h + ".events") if l.strip()]
    for e in events[h]:
        kind = e.get("event")
        peer = who.get(A(e["peer"]), e["peer"]) if "peer" in e else ""
        if kind == "decision":
            tgt = " -> " + names.get(A(e["target"]), e["target"]) if "target" in e else ""
            print("%s %-11s %-18s %-9s reason %-22s%s" % (h.upper(), e["point"], e["outcome"],
                                                       peer, e["reason"], tgt))
        elif kind == "move":
            print("%s %-30s %-9s %s (grace %s s)" % (h.upper(), "  " + e["kind"] + " " +
                                                     e["result"], peer, e.get("why", ""),
                                                     e.get("grace_s", "-")))
        elif kind in ("sa_established", "sa_removed", "admin"):
            extra = e.get("state", "") + e.get("how", "")
            if "redirected_from" in e:
                extra = "redirected from " + names.get(A(e["redirected_from"]), "unknown")
            print("%s %-30s %-9s %s" % (h.upper(), kind, peer, extra))
def decisions(h, outcome):
    return [e for e in events[h] if e.get("event") == "decision" and e["outcome"] == outcome]
r1 = decisions("ha1", "redirected")
check({who.get(A(e["peer"])) for e in r1} == {"charon", "mip6-ike"}, "HA1 redirected both")
check(all(A(e["target"]) == A(ha2) and e["reason"] == "overload" for e in r1),
      "HA1: reason overload, target HA2")
check(not decisions("ha1", "served"), "HA1 (at capacity) served nobody")
moves = [e for e in events["ha2"] if e.get("event") == "move"]
check(len(moves) == 2 and all(m["kind"] == "gateway_redirect" and m["result"] == "sent" and
                              A(m["target"]) == A(ha3) for m in moves),
      "HA2 moved both to HA3 with gateway-initiated redirects")
gone2 = [e for e in events["ha2"] if e.get("event") == "sa_removed"]
check({who.get(A(e["peer"])) for e in gone2} == {"charon", "mip6-ike"} and
      all(e["how"] == "deleted by the peer" for e in gone2),
      "both clients deleted their old SA with HA2 themselves (R5685-19)")
est3 = [e for e in events["ha3"] if e.get("event") == "sa_established"]
check({who.get(A(e["peer"])) for e in est3} == {"charon", "mip6-ike"}, "both established at HA3")
check(all(A(e.get("redirected_from", "::")) == A(ha2) for e in est3),
      "HA3 saw REDIRECTED_FROM = HA2 (R5685-07/38)")
print("\n== where each peer ended up")
for h in ("ha1", "ha2", "ha3"):
    for p in json.load(open(tmp + "/" + h + "-peers.json"))["peers"]:
        print("%-9s %-20s at %s (%s), home address %s" % (who.get(A(p["peer"]), p["peer"]),
              p["identity"], h.upper(), p["peer"], p.get("home_address", "-")))
sys.exit(0 if ok else 1)
PY
echo "PASS: both initiators were redirected HA1 -> HA2 at IKE_SA_INIT and moved HA2 -> HA3 by the drain"
