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

# responder NAME ARGS...: our responder in ns gw (start_responder), JSON lines in $TMP/NAME.json.
responder() {
    local name=$1
    shift
    start_responder "$NS_GW" "$GW" "$name" --pool 2001:db8:2::/64 --timeout 90 \
        --exit-when-closed "$@"
}

# ---- 1. charon deletes: we answer and drop the SA ---------------------------------------------
responder peer-delete
initiate_from_mn $GW
poll 10 has_line "$TMP/peer-delete.json" 'j.get("result") == "established"' \
    || fail "our responder did not report the SA established"
"$SWANCTL" --terminate --ike ha --uri "$VICI" --timeout 10 >"$TMP/terminate.log" 2>&1 \
    || fail "swanctl --terminate --ike"
finished "$RESPONDER_PID" 15 "responder (after charon's Delete)"
cat "$TMP/peer-delete.json"
has_line "$TMP/peer-delete.json" 'j.get("event") == "sa_deleted" and j["by_peer"]' \
    || fail "no sa_deleted by_peer line"
has_line "$TMP/peer-delete.json" 'j.get("event") == "child_sa_deleted" and j["by_peer"]' \
    || fail "the Child SA was not reported deleted with the IKE SA (R7296-55)"
grep -q "deleted by the peer" "$TMP/peer-delete.err" || fail "our log does not show the Delete"
poll 10 sas_lack "ESTABLISHED" || fail "charon still lists an IKE SA"

# ---- 2. we delete: charon answers and drops the SA --------------------------------------------
responder our-delete --delete-after 2
swanctl_initiate initiate2.log
poll 10 sas_show "ESTABLISHED" || fail "charon did not establish the second SA"
finished "$RESPONDER_PID" 20 "responder (after its own Delete)"
cat "$TMP/our-delete.json"
has_line "$TMP/our-delete.json" \
    'j.get("event") == "sa_deleted" and not j["by_peer"] and j["answered"]' \
    || fail "no answered sa_deleted line of ours"
poll 10 sas_lack "ESTABLISHED" || fail "charon still lists the IKE SA we deleted"
grep -q "received DELETE for IKE_SA\|deleting IKE_SA" "$TMP/charon.log" \
    || fail "charon's log does not show our Delete"

# ---- 3. charon deletes the Child SA only --------------------------------------------------------
responder child-delete --timeout 30
swanctl_initiate initiate3.log
poll 10 has_line "$TMP/child-delete.json" 'j.get("result") == "established"' \
    || fail "third SA not established"
"$SWANCTL" --terminate --child home --uri "$VICI" --timeout 10 >"$TMP/terminate3.log" 2>&1 \
    || fail "swanctl --terminate --child"
python3 - "$TMP/child-delete.json" <<'PY' || { cat "$TMP/child-delete.json"; fail "child delete"; }
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
sas_show "ESTABLISHED" || fail "charon dropped the IKE SA with the Child SA"
echo "PASS: Delete interop with charon: its IKE and Child SA Deletes are answered and acted on;" \
    "our IKE SA Delete is answered by charon"
