#!/bin/bash
# Delete interop (RFC 7296 1.4.1): strongSwan's charon as the initiator in ns "mn", our
# `mip6-ike respond` in ns "gw" (netns_lib.sh topology).
#   1. `swanctl --terminate --ike ha`: charon sends INFORMATIONAL{D(IKE)}; our responder
#      answers, logs the Delete and drops the SA with its Child SA (JSON "sa_deleted" by_peer,
#      "child_sa_deleted" by_peer; log "deleted by the peer"); charon's --list-sas is empty.
#   2. Our side deletes: `respond --delete-after 2`: we send D(IKE), charon answers and drops
#      the SA (its --list-sas becomes empty; our JSON "sa_deleted" by_peer false, answered).
#   3. Child SA delete by charon: `swanctl --terminate --child home` sends D(ESP, its SPI);
#      we answer with our paired SPI and report "child_sa_deleted" with exactly the SPIs our
#      established line named, while the IKE SA stays up.
# covers: R7296-55, R7296-46
#
# Usage: strongswan_delete_test.sh PATH/TO/mip6-ike. Fails (never skips) without root,
# charon or swanctl.
set -u -o pipefail
MIP6_IKE=${1:?usage: $0 PATH/TO/mip6-ike}
NETNS_TEST=ss-delete
. "$(dirname "$0")/netns_lib.sh"

check_prerequisites
make_topology

# start_responder NAME ARGS...: our responder in ns gw, JSON lines in $TMP/NAME.jsonl.
RESP_PID=
start_responder() {
    local name=$1
    shift
    ip netns exec "$NS_GW" "$MIP6_IKE" respond --listen $GW --psk-file "$TMP/psk" --id $HA_ID \
        --pool 2001:db8:2::/64 --timeout 90 --exit-when-closed "$@" \
        >"$TMP/$name.jsonl" 2>"$TMP/$name.err" &
    RESP_PID=$!
    STARTED_PIDS+=("$RESP_PID")
    # Bound when it answers nothing yet but its sockets exist.
    poll 10 sh -c "ip netns exec $NS_GW ss -Hlun | grep -q '\\[$GW\\]:500'" \
        || fail "responder did not bind"
}
# has_line FILE PYTHON-EXPR: some JSON line j of FILE satisfies the expression.
has_line() {
    python3 - "$1" "$2" <<'PY'
import json, sys
ok = False
for line in open(sys.argv[1]):
    try:
        j = json.loads(line)
    except ValueError:
        continue
    if eval(sys.argv[2], {}, {"j": j}):
        ok = True
sys.exit(0 if ok else 1)
PY
}
sas_empty() {
    "$SWANCTL" --list-sas --uri "$VICI" >"$TMP/list-sas.txt" 2>&1 || return 1
    ! grep -q "ESTABLISHED" "$TMP/list-sas.txt"
}
sas_established() {
    "$SWANCTL" --list-sas --uri "$VICI" >"$TMP/list-sas.txt" 2>&1 || return 1
    grep -q "ESTABLISHED" "$TMP/list-sas.txt"
}
wait_exit() {  # wait_exit PID S: the process ended within S seconds with status 0
    local pid=$1 end=$((SECONDS + $2))
    while kill -0 "$pid" 2>/dev/null; do
        [ $SECONDS -lt $end ] || return 1
        sleep 0.1
    done
    wait "$pid"
}

# ---- 1. charon deletes: we answer and drop the SA ---------------------------------------------
start_responder peer-delete
initiate_from_mn $GW
poll 10 has_line "$TMP/peer-delete.jsonl" 'j.get("result") == "established"' \
    || fail "our responder did not report the SA established"
"$SWANCTL" --terminate --ike ha --uri "$VICI" --timeout 10 >"$TMP/terminate.log" 2>&1 \
    || fail "swanctl --terminate --ike"
wait_exit "$RESP_PID" 15 || fail "responder did not exit 0 after charon's Delete"
cat "$TMP/peer-delete.jsonl"
has_line "$TMP/peer-delete.jsonl" 'j.get("event") == "sa_deleted" and j["by_peer"]' \
    || fail "no sa_deleted by_peer line"
has_line "$TMP/peer-delete.jsonl" 'j.get("event") == "child_sa_deleted" and j["by_peer"]' \
    || fail "the Child SA was not reported deleted with the IKE SA (R7296-55)"
grep -q "deleted by the peer" "$TMP/peer-delete.err" || fail "our log does not show the Delete"
poll 10 sas_empty || fail "charon still lists an IKE SA"

# ---- 2. we delete: charon answers and drops the SA --------------------------------------------
start_responder our-delete --delete-after 2
timeout 60 "$SWANCTL" --initiate --uri "$VICI" --ike ha --child home --timeout 30 \
    >"$TMP/initiate2.log" 2>&1 || fail "second swanctl --initiate failed"
poll 10 sas_established || fail "charon did not establish the second SA"
wait_exit "$RESP_PID" 20 || fail "responder did not exit 0 after its own Delete"
cat "$TMP/our-delete.jsonl"
has_line "$TMP/our-delete.jsonl" \
    'j.get("event") == "sa_deleted" and not j["by_peer"] and j["answered"]' \
    || fail "no answered sa_deleted line of ours"
poll 10 sas_empty || fail "charon still lists the IKE SA we deleted"
grep -q "received DELETE for IKE_SA\|deleting IKE_SA" "$TMP/charon.log" \
    || fail "charon's log does not show our Delete"

# ---- 3. charon deletes the Child SA only --------------------------------------------------------
start_responder child-delete --timeout 30
timeout 60 "$SWANCTL" --initiate --uri "$VICI" --ike ha --child home --timeout 30 \
    >"$TMP/initiate3.log" 2>&1 || fail "third swanctl --initiate failed"
poll 10 has_line "$TMP/child-delete.jsonl" 'j.get("result") == "established"' \
    || fail "third SA not established"
"$SWANCTL" --terminate --child home --uri "$VICI" --timeout 10 >"$TMP/terminate3.log" 2>&1 \
    || fail "swanctl --terminate --child"
python3 - "$TMP/child-delete.jsonl" <<'PY' || { cat "$TMP/child-delete.jsonl"; fail "child delete"; }
import json, sys, time
end = time.time() + 10
while True:
    lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
    est = [j for j in lines if j.get("result") == "established"]
    gone = [j for j in lines if j.get("event") == "child_sa_deleted"]
    if est and gone:
        break
    if time.time() > end:
        sys.exit("no child_sa_deleted line")
    time.sleep(0.1)
c = est[0]["child_sa"]
g = gone[0]
if (g["spi_in"], g["spi_out"], g["by_peer"]) != (c["spi_in"], c["spi_out"], True):
    sys.exit("deleted pair %s does not match the installed one %s" % (g, c))
if any(j.get("event") == "sa_deleted" for j in lines):
    sys.exit("the IKE SA went with the Child SA")
print("child SA", c["spi_in"], c["spi_out"], "deleted by charon, IKE SA kept")
PY
sas_established || fail "charon dropped the IKE SA with the Child SA"
echo "PASS: Delete interop with charon: its IKE and Child SA Deletes are answered and acted on;" \
    "our IKE SA Delete is answered by charon"
