#!/bin/bash
# Interop of CREATE_CHILD_SA (RFC 7296 1.3): Child SA rekey, IKE SA rekey and a new Child SA,
# between strongSwan's charon (5.9.x) and mip6-ike, in both roles, over a veth pair between two
# fresh namespaces (netns_lib.sh).
#   Part 1, charon initiator (ns mn) + our responder (ns gw, mip6-ike respond, CP pool):
#     `swanctl --rekey --child home` -> we print child_rekeyed (by the peer) and child_deleted
#     for the old pair; charon's --list-sas shows the CHILD_SA with the new SPIs crossed and
#     the same reqid. `swanctl --rekey --ike ha` -> we print ike_rekeyed with the SPIs charon
#     lists as ESTABLISHED, the Child SA stays, charon's Delete of the old IKE SA reaches our
#     old SA (ike_spis_retired); a second child rekey then runs on the new IKE SA.
#   Part 2, our initiator (ns mn, mip6-ike initiate --create-child-after 2
#     --rekey-child-after 5 --rekey-ike-after 9) + charon responder (ns gw):
#     we print child_installed, child_rekeyed, ike_rekeyed events (none of them failed), and
#     charon's --list-sas shows the IKE SA under our latest SPIs and our latest Child SAs.
#
# Usage: strongswan_rekey_test.sh PATH/TO/mip6-ike. Fails (never skips) without root, charon
# or swanctl.
set -u -o pipefail
MIP6_IKE=${1:?usage: $0 PATH/TO/mip6-ike}
NETNS_TEST=ss-rekey
. "$(dirname "$0")/netns_lib.sh"

check_prerequisites
make_topology

# last_event FILE EVENT [KEY=VALUE...]: the last JSON line of FILE with "event" == EVENT (and
# the given string fields), printed; exit 1 when there is none.
last_event() {
    python3 - "$@" <<'PY'
import json, sys
path, event, *conds = sys.argv[1:]
want = dict(c.split("=", 1) for c in conds)
found = None
for line in open(path):
    line = line.strip()
    if not line.startswith("{"):
        continue
    j = json.loads(line)
    if j.get("event") == event and all(str(j.get(k)).lower() == v.lower()
                                       for k, v in want.items()):
        found = j
if found is None:
    sys.exit(1)
print(json.dumps(found))
PY
}
# field JSON KEY: one field of a JSON object given as text.
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$@"; }
has_event() { last_event "$@" >/dev/null; }
# charon shows the CHILD_SA with SPIs IN/OUT (its own view).
charon_child_has() { sas_show "in  *$1" "out *$2"; }
charon_ike_is() { sas_show "ESTABLISHED, IKEv2, $1_i\*\? $2_r"; }

# ==== Part 1: charon initiator, our responder ================================================
start_responder "$NS_GW" "$GW" respond --timeout 150 --rekey-child-after 3600
initiate_from_mn "$GW"
established() { grep -q '"result":"established"' "$TMP/respond.json"; }
poll 10 established || fail "our responder did not establish"
EST=$(grep '"result":"established"' "$TMP/respond.json" | head -n 1)
child_field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])["child_sa"][sys.argv[2]])' "$@"; }
SPI_IN=$(child_field "$EST" spi_in)
SPI_OUT=$(child_field "$EST" spi_out)
poll 10 charon_child_has "$SPI_OUT" "$SPI_IN" || fail "charon does not show the first CHILD_SA"
REQID=$(sed -n 's/.*home: #[0-9]*, reqid \([0-9]*\), INSTALLED.*/\1/p' "$TMP/list-sas.txt" | head -n 1)
[ -n "$REQID" ] || fail "no reqid in charon's list"
echo "part 1: established, child $SPI_IN/$SPI_OUT, charon reqid $REQID"

# ---- charon rekeys the Child SA (1.3.3) ----
"$SWANCTL" --rekey --uri "$VICI" --child home >"$TMP/rekey-child.log" 2>&1 \
    || fail "swanctl --rekey --child home"
poll 20 has_event "$TMP/respond.json" child_rekeyed old_spi_in=$SPI_IN by_peer=true \
    || fail "no child_rekeyed event for $SPI_IN"
EV=$(last_event "$TMP/respond.json" child_rekeyed old_spi_in=$SPI_IN)
NEW_IN=$(field "$EV" spi_in)
NEW_OUT=$(field "$EV" spi_out)
[ "$(field "$EV" old_spi_out)" = "$SPI_OUT" ] || fail "child_rekeyed names the wrong old pair"
poll 20 has_event "$TMP/respond.json" child_deleted spi_in=$SPI_IN by_peer=true \
    || fail "the old Child SA was not deleted by charon"
poll 20 charon_child_has "$NEW_OUT" "$NEW_IN" || fail "charon does not list the new CHILD_SA"
poll 20 sas_lack "in  *$SPI_OUT" || fail "charon still lists the old CHILD_SA"
grep -q "home: #[0-9]*, reqid $REQID, INSTALLED" "$TMP/list-sas.txt" \
    || fail "the rekeyed CHILD_SA has another reqid"
echo "part 1: child rekeyed by charon: $SPI_IN/$SPI_OUT -> $NEW_IN/$NEW_OUT"

# ---- charon rekeys the IKE SA (1.3.2, 2.18) ----
OLD_IKE=$(python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print(j["spi_i"], j["spi_r"])' "$EST")
"$SWANCTL" --rekey --uri "$VICI" --ike ha >"$TMP/rekey-ike.log" 2>&1 \
    || fail "swanctl --rekey --ike ha"
poll 20 has_event "$TMP/respond.json" ike_rekeyed by_peer=true || fail "no ike_rekeyed event"
EV=$(last_event "$TMP/respond.json" ike_rekeyed)
IKE_I=$(field "$EV" spi_i)
IKE_R=$(field "$EV" spi_r)
[ "$(field "$EV" old_spi_i) $(field "$EV" old_spi_r)" = "$OLD_IKE" ] \
    || fail "ike_rekeyed names the wrong old SA"
[ "$(field "$EV" role)" = responder ] || fail "the rekey initiator (charon) must stay initiator"
poll 20 charon_ike_is "$IKE_I" "$IKE_R" || fail "charon does not list the IKE SA $IKE_I/$IKE_R"
charon_child_has "$NEW_OUT" "$NEW_IN" || fail "the CHILD_SA did not move to the new IKE SA"
# charon deletes the old IKE SA; our old SA answers it and retires.
poll 30 has_event "$TMP/respond.json" ike_spis_retired old_spi_i="${OLD_IKE% *}" \
    || fail "the old IKE SA was not retired"
has_event "$TMP/respond.json" child_deleted spi_in=$NEW_IN && fail "child deleted with the old IKE SA"
echo "part 1: IKE SA rekeyed by charon: $OLD_IKE -> $IKE_I $IKE_R"

# ---- the new IKE SA carries the next CREATE_CHILD_SA ----
"$SWANCTL" --rekey --uri "$VICI" --child home >"$TMP/rekey-child2.log" 2>&1 \
    || fail "second swanctl --rekey --child home"
poll 20 has_event "$TMP/respond.json" child_rekeyed old_spi_in=$NEW_IN spi_i=$IKE_I \
    || fail "no child rekey on the new IKE SA"
grep -q '"event":"child_create_failed"' "$TMP/respond.json" && fail "a CREATE_CHILD_SA failed"
cat "$TMP/list-sas.txt"
stop_pid "$RESPONDER_PID"
stop_charon
echo "part 1: PASS"

# ==== Part 2: our initiator, charon responder ================================================
charon_gateway "$GW"
ip netns exec "$NS_MN" "$MIP6_IKE" initiate --local $MN --remote $GW --psk-file "$TMP/psk" \
    --id $MN_ID --remote-id $HA_ID --request-address --timeout 90 --create-child-after 2 \
    --rekey-child-after 5 --rekey-ike-after 9 >"$TMP/initiate.json" 2>"$TMP/initiate.err" &
INITIATOR_PID=$!
STARTED_PIDS+=("$INITIATOR_PID")
poll 15 grep -q '"result":"established"' "$TMP/initiate.json" || fail "our initiator failed"
# A new Child SA after 2 s (1.3.1), child rekeys from 5 s, the IKE rekey at 9 s.
poll 15 has_event "$TMP/initiate.json" child_installed || fail "no new Child SA"
poll 20 has_event "$TMP/initiate.json" child_rekeyed by_peer=false || fail "no child rekey"
poll 20 has_event "$TMP/initiate.json" ike_rekeyed by_peer=false || fail "no IKE rekey"
EV=$(last_event "$TMP/initiate.json" ike_rekeyed)
IKE_I=$(field "$EV" spi_i)
[ "$(field "$EV" role)" = initiator ] || fail "we rekeyed, we stay initiator"
# charon lists the IKE SA of our latest rekey (re-read each time: our rekeys go on meanwhile).
charon_has_our_ike() {
    local ev
    ev=$(last_event "$TMP/initiate.json" ike_rekeyed) &&
        charon_ike_is "$(field "$ev" spi_i)" "$(field "$ev" spi_r)"
}
poll 20 charon_has_our_ike || fail "charon does not list our new IKE SA"
poll 20 has_event "$TMP/initiate.json" ike_spis_retired || fail "our old IKE SA was not deleted"
# Let a child rekey run on the new IKE SA too, then compare the live Child SAs with charon's.
poll 20 has_event "$TMP/initiate.json" child_rekeyed spi_i=$IKE_I || fail "no child rekey on the new IKE SA"
grep -q '"event":"child_create_failed"' "$TMP/initiate.json" && fail "a CREATE_CHILD_SA failed"
# Our live Child SAs from the events (the rekeys go on meanwhile, so this is polled).
live_children() {
    python3 - "$TMP/initiate.json" >"$TMP/live-children.txt" <<'PY'
import json, sys
live = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("{"):
        continue
    j = json.loads(line)
    if j.get("result") == "established":
        live[j["child_sa"]["spi_in"]] = j["child_sa"]["spi_out"]
    elif j.get("event") == "child_installed":
        live[j["spi_in"]] = j["spi_out"]
    elif j.get("event") == "child_deleted":
        live.pop(j["spi_in"], None)
if len(live) != 2:
    sys.exit("expected 2 live Child SAs, have %r" % live)
for spi_in, spi_out in live.items():
    print(spi_in, spi_out)
PY
}
check_live() {
    local spi_in spi_out
    live_children || return 1
    while read -r spi_in spi_out; do
        charon_child_has "$spi_out" "$spi_in" || return 1
    done <"$TMP/live-children.txt"
}
poll 15 check_live || fail "charon's CHILD_SAs differ from ours: $(cat "$TMP/live-children.txt")"
cat "$TMP/list-sas.txt"
[ "$(grep -c 'home: #[0-9]*, reqid [0-9]*, INSTALLED' "$TMP/list-sas.txt")" -ge 2 ] \
    || fail "charon lists fewer than two CHILD_SAs"
echo "PASS: Child SA rekey, IKE SA rekey and a new Child SA interoperate with strongSwan" \
    "in both roles"
