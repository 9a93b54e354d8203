#!/bin/bash
# Reading our IKE captures (issue 3 item 7): live traffic captured with dumpcap inside the
# test's own namespaces is decrypted with the keys WE exported (--ike-keylog), by
# mip6-dissect --ike-keys and by tshark with a private profile (the oracle script).
#   run 1: mip6-ike initiate (ns mn, --ike-keylog) against strongSwan's charon (ns gw): our
#          keys decrypt our IKE_AUTH request AND charon's response.
#   run 2: mip6-ike initiate against mip6-ike respond, both with --ike-keylog: the two files
#          hold the same line (mode 0600), and the responder's file decrypts the exchange.
# Asserts on the decrypted IKE_AUTH: IDi/IDr, AUTH, SA (ESP), TSi/TSr, CP request and reply.
#
# Usage: ike_keylog_test.sh mip6-ike mip6-dissect tshark_ike_decrypt_check.py. Fails (never
# skips) without root, charon, swanctl, dumpcap or tshark.
set -u -o pipefail
MIP6_IKE=${1:?usage: $0 mip6-ike mip6-dissect tshark_ike_decrypt_check.py}
MIP6_DISSECT=${2:?usage: $0 mip6-ike mip6-dissect tshark_ike_decrypt_check.py}
ORACLE=${3:?usage: $0 mip6-ike mip6-dissect tshark_ike_decrypt_check.py}
NETNS_TEST=ike-keylog
. "$(dirname "$0")/netns_lib.sh"

check_prerequisites
need dumpcap tshark
need_built "$MIP6_DISSECT"
make_topology

# start_capture NAME: dumpcap on the mn side of the veth pair, IKE ports only. Wireshark tools
# get HOME inside $TMP so nothing of the user's configuration is read or written.
start_capture() {
    local name=$1
    HOME=$TMP XDG_CONFIG_HOME=$TMP/config ip netns exec "$NS_MN" \
        dumpcap -i veth1 -f "udp port 500 or udp port 4500" -w "$TMP/$name.pcapng" \
        >"$TMP/$name-dumpcap.log" 2>&1 &
    CAPTURE_PID=$!
    STARTED_PIDS+=("$CAPTURE_PID")
    poll 10 grep -q "Capturing on" "$TMP/$name-dumpcap.log" || fail "dumpcap did not start"
}
# ike_frames NAME: how many IKE messages dumpcap has written so far (frames before a record
# still being written are read fine).
ike_frames() {
    "$MIP6_DISSECT" --pcap "$TMP/$1.pcapng" --jsonl 2>/dev/null | grep -c '"ikev2"'
}
# stop_capture NAME N: waits until the file holds N IKE messages, then stops dumpcap (which
# completes the file on SIGTERM).
stop_capture() {
    poll 15 sh -c "[ \$(\"$MIP6_DISSECT\" --pcap \"$TMP/$1.pcapng\" --jsonl 2>/dev/null |
        grep -c '\"ikev2\"') -ge $2 ]" || fail "capture $1 holds $(ike_frames "$1") IKE frames, want $2"
    stop_pid "$CAPTURE_PID"
}

# check_decrypted PCAP KEYS RUN: mip6-dissect decrypts both IKE_AUTH messages and shows
# what IKE_AUTH must carry (RFC 7296 1.2, RFC 4877 CP).
check_decrypted() {
    "$MIP6_DISSECT" --pcap "$1" --ike-keys "$2" --jsonl >"$TMP/$3.dissect.jsonl" \
        2>"$TMP/$3.dissect.err" || fail "$3: mip6-dissect exited $?"
    python3 - "$TMP/$3.dissect.jsonl" "$MN_ID" "$HA_ID" <<'PY' || fail "$3: decrypted IKE_AUTH"
import json, sys
frames = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mn_id, ha_id = sys.argv[2], sys.argv[3]
def fail(msg):
    sys.exit(msg)
auth = [f for f in frames if f.get("ikev2", {}).get("header", {}).get("exchange_name") == "ike_auth"]
if len(auth) < 2:
    fail("want an IKE_AUTH request and response, got %d IKE_AUTH frames" % len(auth))
seen = {}
for f in auth:
    h = f["ikev2"]["header"]
    sk = [p for p in f["ikev2"]["payloads"] if p["name"] == "encrypted"]
    if not sk or sk[0]["encrypted"].get("decrypt_status") != "ok":
        fail("IKE_AUTH frame %d not decrypted: %s" % (f["frame"], json.dumps(f)[:400]))
    inner = {p["name"]: p for p in sk[0]["encrypted"]["payloads"]}
    seen["response" if h["flags"]["R"] else "request"] = inner
req, resp = seen.get("request"), seen.get("response")
if req is None or resp is None:
    fail("missing IKE_AUTH request or response")
for name in ("id_initiator", "authentication", "security_association", "ts_initiator",
             "ts_responder", "configuration"):
    if name not in req:
        fail("IKE_AUTH request lacks %s: %s" % (name, sorted(req)))
for name in ("id_responder", "authentication", "security_association", "ts_initiator",
             "ts_responder", "configuration"):
    if name not in resp:
        fail("IKE_AUTH response lacks %s: %s" % (name, sorted(resp)))
if req["id_initiator"]["value"] != mn_id or resp["id_responder"]["value"] != ha_id:
    fail("identities: %r / %r" % (req["id_initiator"]["value"], resp["id_responder"]["value"]))
if (req["configuration"]["cfg_type_name"] != "request" or
        resp["configuration"]["cfg_type_name"] != "reply"):
    fail("CP types")
addrs = [a["internal_ip6_address"]["address"] for a in resp["configuration"]["attributes"]
         if a.get("internal_ip6_address")]
if not addrs:
    fail("CP reply carries no INTERNAL_IP6_ADDRESS")
if resp["security_association"]["proposals"][0]["protocol_name"] != "esp":
    fail("Child SA proposal is not ESP")
print("decrypted IKE_AUTH: IDi %s, IDr %s, address %s" % (req["id_initiator"]["value"],
                                                         resp["id_responder"]["value"], addrs[0]))
PY
}

keylog_mode_ok() { [ "$(stat -c %a "$1")" = 600 ]; }

# ---- run 1: mip6-ike initiate against charon ------------------------------------------------
charon_gateway "$GW"
start_capture charon
run_initiator initiate-charon --ike-keylog "$TMP/mn-charon.keys" >/dev/null ||
    fail "mip6-ike initiate against charon exited $?"
stop_capture charon 4
stop_charon
keylog_mode_ok "$TMP/mn-charon.keys" || fail "keylog mode $(stat -c %a "$TMP/mn-charon.keys")"
[ "$(wc -l <"$TMP/mn-charon.keys")" = 1 ] || fail "want one keylog line for one IKE SA"
SPI_I=$(json_field "$TMP/initiate-charon.json" spi_i)
grep -q "^$SPI_I," "$TMP/mn-charon.keys" || fail "keylog line is not for SPIi $SPI_I"
check_decrypted "$TMP/charon.pcapng" "$TMP/mn-charon.keys" charon
/usr/bin/python3 "$ORACLE" --dissect "$MIP6_DISSECT" --pcap "$TMP/charon.pcapng" \
    --keys "$TMP/mn-charon.keys" --min-decrypted 2 >"$TMP/oracle-charon.log" 2>&1 \
    || { cat "$TMP/oracle-charon.log" >&2; fail "tshark oracle (charon run)"; }
cat "$TMP/oracle-charon.log"

# ---- run 2: mip6-ike initiate against mip6-ike respond --------------------------------------
start_responder "$NS_GW" "$GW" respond --once --timeout 60 --ike-keylog "$TMP/gw.keys"
start_capture self
run_initiator initiate-self --ike-keylog "$TMP/mn-self.keys" >/dev/null ||
    fail "mip6-ike initiate against mip6-ike exited $?"
finished "$RESPONDER_PID" 20 "mip6-ike respond"
stop_capture self 4
keylog_mode_ok "$TMP/gw.keys" || fail "responder keylog mode $(stat -c %a "$TMP/gw.keys")"
cmp -s "$TMP/gw.keys" "$TMP/mn-self.keys" || fail "initiator and responder keylogs differ"
[ "$(wc -l <"$TMP/gw.keys")" = 1 ] || fail "want one responder keylog line"
check_decrypted "$TMP/self.pcapng" "$TMP/gw.keys" self
/usr/bin/python3 "$ORACLE" --dissect "$MIP6_DISSECT" --pcap "$TMP/self.pcapng" \
    --keys "$TMP/gw.keys" --min-decrypted 2 >"$TMP/oracle-self.log" 2>&1 \
    || { cat "$TMP/oracle-self.log" >&2; fail "tshark oracle (mip6-ike run)"; }
cat "$TMP/oracle-self.log"
echo "PASS: our exported IKE keys decrypt live captures in mip6-dissect and tshark"
