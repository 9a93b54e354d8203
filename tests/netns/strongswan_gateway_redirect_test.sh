#!/bin/bash
# RFC 5685 redirects after IKE_SA_INIT, interop with strongSwan's charon (5.9.x). Three
# namespaces on one bridge (a fourth holds the bridge): client 2001:db8:1::100, HA1 ::1,
# HA2 ::2; HA2 is always our `mip6-ike respond`.
#   A. Gateway-initiated (section 5), charon gateway: our `initiate --follow-redirects
#      --until-moved` establishes with charon at HA1; `swanctl --redirect --gateway HA2` sends
#      INFORMATIONAL N(REDIRECT); we answer, establish with HA2 carrying REDIRECTED_FROM = HA1
#      (HA2's JSON), and only then delete the SA at HA1: charon's --list-sas becomes empty.
#   B. Gateway-initiated, our gateway: charon initiates to our HA1 running
#      `respond --redirect-established-to HA2 --after 1`; charon answers (redirect_acknowledged),
#      establishes with HA2 (REDIRECTED_FROM = HA1) and deletes its SA with HA1 (HA1 reports
#      sa_deleted by_peer); charon's --list-sas shows the SA with HA2.
#   C. In IKE_AUTH (section 6), our client and gateways over real sockets: HA1 runs
#      `respond --redirect-at-auth ID=HA2` and answers IDr, AUTH, N(REDIRECT) with no Child SA
#      (R5685-21); `initiate --follow-redirects` verifies the AUTH (R5685-22), deletes the IKE SA
#      at HA1 (R5685-23) and establishes with HA2 (REDIRECTED_FROM = HA1).
# covers: R5685-07, R5685-15, R5685-17, R5685-18, R5685-19, R5685-21, R5685-22, R5685-23
#
# Usage: strongswan_gateway_redirect_test.sh PATH/TO/mip6-ike. Fails (never skips) without
# root, charon or swanctl.
set -u -o pipefail
MIP6_IKE=${1:?usage: $0 PATH/TO/mip6-ike}
NETNS_TEST=ss-gwredirect
. "$(dirname "$0")/netns_lib.sh"

check_prerequisites
redirect_lab

# our_responder NS ADDR NAME ARGS...: start_responder with this test's pool and timeout.
our_responder() {
    local ns=$1 addr=$2 name=$3
    shift 3
    start_responder "$ns" "$addr" "$name" --pool 2001:db8:2::/64 --timeout 60 "$@"
}
established_with_redirected_from() {  # FILE: HA2 established our client, REDIRECTED_FROM = HA1
    has_line "$1" "j.get('result') == 'established' and j.get('redirected_from') == '$HA1'"
}

# ---- A. charon gateway redirects our initiator ----------------------------------------------
charon_gateway "$HA1"
our_responder "$NS_HA2" $HA2 a-ha2 --once
HA2_PID=$RESPONDER_PID
ip netns exec "$NS_MN" "$MIP6_IKE" initiate --follow-redirects --until-moved --local $MN \
    --remote $HA1 --psk-file "$TMP/psk" --id $MN_ID --remote-id $HA_ID --request-address \
    --timeout 40 >"$TMP/a-initiate.json" 2>"$TMP/a-initiate.err" &
INIT_PID=$!
STARTED_PIDS+=("$INIT_PID")
poll 15 has_line "$TMP/a-initiate.json" "j.get('event') == 'established'" \
    || fail "A: our initiator did not establish with charon"
"$SWANCTL" --redirect --ike mn --gateway $HA2 --uri "$VICI" >"$TMP/redirect.log" 2>&1 \
    || { cat "$TMP/redirect.log" >&2; fail "A: swanctl --redirect"; }
finished "$INIT_PID" 30 "A: our initiator (the move)"
cat "$TMP/a-initiate.json"
python3 - "$TMP/a-initiate.json" "$HA1" "$HA2" <<'PY' || fail "A: initiator JSON"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
ha1, ha2 = sys.argv[2:4]
def find(pred, what):
    for i, j in enumerate(lines):
        if pred(j):
            return i
    sys.exit("missing: " + what)
got = find(lambda j: j.get("event") == "gateway_redirect_received" and j["gateway"] == ha2,
           "gateway_redirect_received HA2 (R5685-15/18)")
red = find(lambda j: j.get("event") == "redirected" and j["point"] == "informational" and
           j["from"] == ha1 and j["to"] == ha2, "redirected informational")
est2 = find(lambda j: j.get("event") == "established" and j["gateway"] == ha2,
            "established with HA2")
chg = find(lambda j: j.get("event") == "gateway_changed" and j["from"] == ha1 and
           j["to"] == ha2, "gateway_changed (R5685-33 note)")
old = find(lambda j: j.get("event") == "old_sa_deleted" and j["answered"], "old_sa_deleted")
if not (got < red < chg < est2 < old):
    sys.exit("wrong order: make-before-break means HA2 up before the HA1 Delete (R5685-19)")
if lines[-1].get("result") != "moved":
    sys.exit("result " + json.dumps(lines[-1]))
print("A: moved from", ha1, "to", ha2)
PY
finished "$HA2_PID" 10 "A: HA2"
established_with_redirected_from "$TMP/a-ha2.json" || { cat "$TMP/a-ha2.json"; \
    fail "A: HA2 did not see REDIRECTED_FROM = HA1 (R5685-07)"; }
poll 10 sas_lack "ESTABLISHED" || fail "A: charon still lists the old IKE SA (R5685-19)"
grep -q "received DELETE for IKE_SA" "$TMP/charon.log" || fail "A: charon saw no Delete"
stop_charon a

# ---- B. our gateway redirects charon (gateway-initiated) -------------------------------------
our_responder "$NS_GW" $HA1 b-ha1 --redirect-established-to $HA2 --after 1 --grace 20 \
    --exit-when-closed
HA1_PID=$RESPONDER_PID
our_responder "$NS_HA2" $HA2 b-ha2 --once
HA2_PID=$RESPONDER_PID
initiate_from_mn $HA1
finished "$HA1_PID" 30 "B: HA1 (its SA deleted)"
cat "$TMP/b-ha1.json"
has_line "$TMP/b-ha1.json" "j.get('event') == 'redirect_sent' and j['target'] == '$HA2' and \
not j['at_auth']" || fail "B: HA1 sent no REDIRECT"
has_line "$TMP/b-ha1.json" "j.get('event') == 'redirect_acknowledged'" \
    || fail "B: charon's answer did not acknowledge (R5685-17/18)"
has_line "$TMP/b-ha1.json" "j.get('event') == 'sa_deleted' and j['by_peer']" \
    || fail "B: charon did not delete its SA with HA1 (R5685-19)"
finished "$HA2_PID" 10 "B: HA2"
established_with_redirected_from "$TMP/b-ha2.json" || { cat "$TMP/b-ha2.json"; \
    fail "B: HA2 did not see REDIRECTED_FROM = HA1"; }
poll 10 sas_show "ESTABLISHED" "remote '$HA_ID' @ $HA2\[" ||
    fail "B: charon does not list its SA with HA2"
stop_charon b

# ---- C. redirect in IKE_AUTH: our initiator, our gateways ----------------------------------------
# (charon 5.9.8 as the initiator here crashed intermittently with "double free" while
# restarting its IKE_SA towards the new gateway, so this part runs our own client.)
our_responder "$NS_GW" $HA1 c-ha1 --redirect-at-auth "$MN_ID=$HA2" --exit-when-closed
HA1_PID=$RESPONDER_PID
our_responder "$NS_HA2" $HA2 c-ha2 --once
HA2_PID=$RESPONDER_PID
run_initiator c-initiate --follow-redirects --stay 2 --remote $HA1 ||
    fail "C: our initiator did not establish"
python3 - "$TMP/c-initiate.json" "$HA1" "$HA2" <<'PY' || fail "C: initiator JSON"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
ha1, ha2 = sys.argv[2:4]
def has(pred, what):
    if not any(pred(j) for j in lines):
        sys.exit("missing: " + what)
has(lambda j: j.get("event") == "redirected" and j["point"] == "ike_auth" and
    j["from"] == ha1 and j["to"] == ha2, "redirected at IKE_AUTH (R5685-22)")
has(lambda j: j.get("event") == "old_sa_deleted" and j["answered"],
    "the IKE SA with HA1 deleted (R5685-23)")
has(lambda j: j.get("event") == "established" and j["gateway"] == ha2, "established with HA2")
if [j for j in lines if j.get("event") == "established" and j["gateway"] == ha1]:
    sys.exit("established with HA1 although it redirected (R5685-21)")
if lines[-1].get("result") != "established":
    sys.exit("result " + json.dumps(lines[-1]))
PY
finished "$HA1_PID" 10 "C: HA1 (its redirected SA deleted by the client)"
cat "$TMP/c-ha1.json"
has_line "$TMP/c-ha1.json" "j.get('event') == 'redirect_sent' and j['at_auth'] and \
j['target'] == '$HA2'" || fail "C: HA1 did not redirect in IKE_AUTH"
has_line "$TMP/c-ha1.json" "j.get('result') == 'established'" \
    && fail "C: HA1 established an SA it redirected (R5685-21)"
has_line "$TMP/c-ha1.json" "j.get('event') == 'sa_deleted' and j['by_peer']" \
    || fail "C: no Delete from the client (R5685-23)"
has_line "$TMP/c-ha1.json" "j.get('event') == 'child_sa_deleted'" \
    && fail "C: HA1 had a Child SA for a redirected peer (R5685-21)"
finished "$HA2_PID" 10 "C: HA2"
established_with_redirected_from "$TMP/c-ha2.json" || { cat "$TMP/c-ha2.json"; \
    fail "C: HA2 did not see REDIRECTED_FROM = HA1"; }
echo "PASS: gateway-initiated redirects interoperate with charon both ways (make-before-break," \
    "REDIRECTED_FROM, old SA deleted); the IKE_AUTH redirect works end to end"
