#!/bin/bash
# RFC 5685 4 at the daemon: mip6-ha listens on its unicast address and on the pool's anycast
# address ("anycast" in its config). Our initiator (`mip6-ike initiate --follow-redirects`)
# contacts the anycast address; the HA answers from the anycast address with a REDIRECT to its
# own unicast address (R5685-12/13/14, reason anycast_to_self) and keeps no state; the
# initiator starts over at the unicast address, naming the anycast address in REDIRECTED_FROM
# (R5685-07/38), and ends ESTABLISHED there. The HA's event log shows each decision with its
# reason. The HA's ike_keylog holds the keys of that SA, as the MN's --ike-keylog does.
#   bridge: ha1 2001:db8:1::1 + anycast 2001:db8:1::a, mn 2001:db8:1::100
# covers: R5685-07, R5685-12, R5685-13, R5685-14, R5685-38
#
# Usage: ha_anycast_test.sh MIP6_HA MIP6CTL MIP6_IKE
set -u -o pipefail
MIP6_HA=${1:?usage: $0 MIP6_HA MIP6CTL MIP6_IKE}
MIP6CTL=${2:?}
MIP6_IKE=${3:?}
NETNS_TEST=ha-anycast
. "$(dirname "$0")/netns_lib.sh"
. "$(dirname "$0")/ha_pool_lib.sh"

check_pool_prerequisites
ANYCAST=2001:db8:1::a
# HA2 (in POOL_HAS) never answers: the anycast rule must pick us
POOL_HAS="$HA1:100 $HA2:50"
pool_topology "ha1:$HA1" "mn:$MN"
# The anycast address: on every HA of the pool in real life, on ours here.
ip -n "$(ns_of ha1)" addr add "$ANYCAST/64" dev eth0 nodad || fail "anycast address"
home_network "$(ns_of ha1)"
write_psk
ha_config ha1 "$HA1" 10 "\"anycast\": \"$ANYCAST\", \"ike_keylog\": \"$TMP/ha1.keys\""
start_ha ha1

echo "== mip6-ike initiate --follow-redirects to the anycast address $ANYCAST"
ip netns exec "$(ns_of mn)" "$MIP6_IKE" initiate --local "$MN" --remote "$ANYCAST" \
    --psk-file "$TMP/psk" --id mn1@mip6.example --remote-id "$HA_ID" --request-address \
    --follow-redirects --timeout 30 --ike-keylog "$TMP/mn1.keys" >"$TMP/mn1.json" \
    2>"$TMP/mn1.err" ||
    fail "mip6-ike did not establish through the anycast address"
cat "$TMP/mn1.json"

# The HA's "ike_keylog" (issue 3: the daemons export every IKE SA's keys in Wireshark's
# table): one line, for the SA on the unicast address (the anycast redirect made none), equal to
# the line the MN wrote for the same SA, and only the owner may read it.
[ "$(stat -c %a "$TMP/ha1.keys")" = 600 ] || fail "HA keylog mode $(stat -c %a "$TMP/ha1.keys")"
[ "$(wc -l <"$TMP/ha1.keys")" = 1 ] || fail "want one HA keylog line, got $(wc -l <"$TMP/ha1.keys")"
cmp -s "$TMP/ha1.keys" "$TMP/mn1.keys" || fail "HA and MN keylogs differ"

ctl ha1 status >"$TMP/ha1-status.json" || fail "mip6ctl status"
ctl ha1 peers >"$TMP/ha1-peers.json" || fail "mip6ctl peers"

python3 - "$TMP" "$HA1" "$ANYCAST" "$MN" <<'PY' || fail "anycast expectations"
import ipaddress, json, sys
tmp, ha1, anycast, mn = sys.argv[1:5]
A = ipaddress.ip_address
def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)
out = [json.loads(l) for l in open(tmp + "/mn1.json") if l.strip()]
redirected = [o for o in out if o.get("event") == "redirected"]
check(len(redirected) == 1, "one redirect followed, got %d" % len(redirected))
check(A(redirected[0]["from"]) == A(anycast) and A(redirected[0]["to"]) == A(ha1),
      "redirected from the anycast address to HA1's unicast address: %s" % redirected[0])
established = [o for o in out if o.get("event") == "established"]
check(len(established) == 1 and A(established[0]["gateway"]) == A(ha1),
      "established with HA1's unicast address")
check(out[-1].get("result") == "established", "mip6-ike result: %s" % out[-1])
events = [json.loads(l) for l in open(tmp + "/ha1.events") if l.strip()]
decisions = [e for e in events if e.get("event") == "decision" and e["point"] == "ike_sa_init"]
for d in decisions:
    print("ha1 decision:", d["outcome"], "reason", d["reason"], "peer", d["peer"],
          "-> " + d["target"] if "target" in d else "")
check(len(decisions) == 2, "two IKE_SA_INIT decisions, got %d" % len(decisions))
check(decisions[0]["outcome"] == "redirected" and decisions[0]["reason"] == "anycast_to_self" and
      A(decisions[0]["target"]) == A(ha1), "first: anycast_to_self redirect to HA1")
check(decisions[1]["outcome"] == "served" and decisions[1]["reason"] == "room",
      "second (on unicast): served, reason room")
est = [e for e in events if e.get("event") == "sa_established"]
check(len(est) == 1 and A(est[0].get("redirected_from", "::")) == A(anycast),
      "HA1 recorded REDIRECTED_FROM = the anycast address (R5685-07/38)")
status = json.load(open(tmp + "/ha1-status.json"))
check(status["established_sas"] == 1 and status["reservations"] == 1,
      "one SA, one reservation: the anycast answers kept no state")
peers = json.load(open(tmp + "/ha1-peers.json"))["peers"]
check(len(peers) == 1 and A(peers[0]["peer"]) == A(mn), "HA1 serves the MN")
print("PASS: anycast IKE_SA_INIT redirected to the HA's unicast address and established there")
PY
