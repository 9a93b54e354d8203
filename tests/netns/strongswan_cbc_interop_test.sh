#!/bin/bash
# Interop with AES-CBC + HMAC-SHA2-256-128 for the IKE SA and for ESP (issue 3 item 3: ENCR
# AES-CBC with AUTH HMAC-SHA2-256-128; RFC 3602, RFC 4868, RFC 7296 2.17 KEYMAT order), both
# directions, against strongSwan's charon (5.9.x, kernel-libipsec) in fresh namespaces
# (netns_lib.sh):
#   1. our initiator (mip6-ike initiate --ike-proposal aes256-sha256-x25519
#      --esp-proposal aes128-sha256) -> charon responder in ns "gw" offering only those;
#   2. charon initiator in ns "mn" (aes128-sha256-x25519, ESP aes256-sha256) -> our responder
#      (mip6-ike respond --once accepting aes256/aes128 CBC with sha256).
# Asserts each time: mip6-ike reports the CBC suites it negotiated (IKE: ENCR_AES_CBC, the key
# length, AUTH_HMAC_SHA2_256_128, PRF_HMAC_SHA2_256; Child SA: ENCR_AES_CBC, key length,
# AUTH_HMAC_SHA2_256_128); `swanctl --list-sas` shows the same algorithms for the IKE SA and
# the CHILD_SA (ESP:AES_CBC-*/HMAC_SHA2_256_128) and the ESP SPIs crossed with ours; the four
# Child SA keys charon logs (chd level 4) equal ours (--dump-keys): encr before integ,
# initiator->responder first (RFC 7296 2.17, R7296-26). A GCM-only ESP offer against a
# CBC-only charon gets no Child SA.
#
# Usage: strongswan_cbc_interop_test.sh PATH/TO/mip6-ike. Fails (never skips) without root,
# charon or swanctl.
set -u -o pipefail
MIP6_IKE=${1:?usage: $0 PATH/TO/mip6-ike}
NETNS_TEST=ss-cbc
. "$(dirname "$0")/netns_lib.sh"

# charon logs the Child SA keys at chd level 4: they must equal ours (--dump-keys), which
# checks the KEYMAT split of RFC 7296 2.17 against an independent implementation.
CHARON_LOG_EXTRA="chd = 4"

check_prerequisites
make_topology

# check_json FILE IKE_BITS ESP_BITS: the JSON mip6-ike printed shows the CBC suites.
check_json() {
    python3 - "$@" <<'PY'
import sys
from ike_result import checker, result
r = result(sys.argv[1])
ike_bits, esp_bits = int(sys.argv[2]), int(sys.argv[3])
check = checker(r, "mip6-ike result")
check(r.get("result") == "established" and r.get("state") == "established", "not established")
s = r.get("suite", {})
check((s.get("encr"), s.get("key_bits"), s.get("integ"), s.get("prf"), s.get("dh")) ==
      ("aes_cbc", ike_bits, "hmac_sha2_256_128", "hmac_sha2_256", "curve25519"),
      "IKE suite")
c = r.get("child_sa")
check(c is not None and (c["encr"], c["key_bits"], c["integ"]) ==
      ("aes_cbc", esp_bits, "hmac_sha2_256_128"), "Child SA suite")
print("mip6-ike: IKE AES_CBC-%d, ESP AES_CBC-%d, child %s/%s" %
      (ike_bits, esp_bits, c["spi_in"], c["spi_out"]))
PY
}

# list_ok SPI_I IKE_ALGS ESP_ALGS: charon's view of the IKE SA and CHILD_SA.
list_ok() { sas_show "ESTABLISHED, IKEv2, ${1}_i" "^ *$2\$" "INSTALLED, TUNNEL.*, ESP:$3\$"; }

# check_keys JSON ROLE: the Child SA keys mip6-ike printed (--dump-keys) equal those charon
# logged (encr/integ, initiator/responder), mapped by our ROLE in the exchange.
check_keys() {
    python3 - "$1" "$2" "$TMP/charon.log" <<'PY'
import re, sys
from ike_result import result
r = result(sys.argv[1])
ours = r["child_sa"]["keys"]
theirs, label = {}, None
for line in open(sys.argv[3]):
    m = re.search(r"(encryption|integrity) (initiator|responder) key =>", line)
    if m:
        label = m.group(1)[:5] + "_" + m.group(2)[0]  # encry_i, integ_r, ...
        theirs[label] = ""
        continue
    m = re.search(r"\[CHD\].*>\s+\d+: ((?:[0-9A-F]{2} )+)", line)
    if m and label:
        theirs[label] += m.group(1).replace(" ", "").lower()
    else:
        label = None
out, inn = ("i", "r") if sys.argv[2] == "initiator" else ("r", "i")
want = {"encr_out": theirs.get("encry_" + out), "encr_in": theirs.get("encry_" + inn),
        "integ_out": theirs.get("integ_" + out), "integ_in": theirs.get("integ_" + inn)}
for k, v in want.items():
    if not v or ours.get(k, "").lower() != v:
        sys.exit("key %s: ours %s, charon %s" % (k, ours.get(k), v))
print("Child SA keys equal charon's (encr 2x%d, integ 2x%d octets)" %
      (len(want["encr_out"]) // 2, len(want["integ_out"]) // 2))
PY
}

# ---- 1. our initiator, charon responder ----------------------------------------------------
charon_gateway "$GW" proposals=aes256-sha256-x25519 esp=aes128-sha256

run_initiator initiate --ike-proposal aes256-sha256-x25519 --esp-proposal aes128-sha256 \
    --dump-keys || fail "mip6-ike initiate exited $?"
check_json "$TMP/initiate.json" 256 128 || fail "initiator JSON"
SPI_I=$(json_field "$TMP/initiate.json" spi_i)
poll 10 list_ok "$SPI_I" "AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519" \
    "AES_CBC-128/HMAC_SHA2_256_128" ||
    fail "swanctl --list-sas does not show our CBC IKE SA and CHILD_SA"
cat "$TMP/list-sas.txt"
charon_spis_crossed "$TMP/initiate.json"
check_keys "$TMP/initiate.json" initiator || fail "Child SA keys differ from charon's"

# A mismatch fails cleanly: our GCM-only ESP offer meets charon's CBC-only child (the IKE SA
# comes up, the Child SA is refused with NO_PROPOSAL_CHOSEN).
run_initiator mismatch --ike-proposal aes256-sha256-x25519 --esp-proposal aes256gcm16
python3 - "$TMP/mismatch.json" <<'PY' || fail "ESP mismatch JSON"
import json, sys
r = json.load(open(sys.argv[1]))
if r.get("child_sa") is not None:
    sys.exit("a Child SA despite disjoint ESP proposals: " + json.dumps(r))
PY

stop_charon

# ---- 2. charon initiator, our responder ----------------------------------------------------
start_responder "$NS_GW" "$GW" respond --once --timeout 60 --dump-keys \
    --ike-proposal aes256-aes128-sha256-x25519 --esp-proposal aes256-aes128-sha256
initiate_from_mn "$GW" proposals=aes128-sha256-x25519 esp=aes256-sha256
finished "$RESPONDER_PID" 20 "mip6-ike respond"
cat "$TMP/respond.json"
check_json "$TMP/respond.json" 128 256 || fail "responder JSON"
SPI_I=$(json_field "$TMP/respond.json" spi_i)
poll 10 list_ok "$SPI_I" "AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519" \
    "AES_CBC-256/HMAC_SHA2_256_128" ||
    fail "swanctl --list-sas does not show the CBC IKE SA and CHILD_SA"
cat "$TMP/list-sas.txt"
charon_spis_crossed "$TMP/respond.json"
check_keys "$TMP/respond.json" responder || fail "Child SA keys differ from charon's"
echo "PASS: AES-CBC/HMAC-SHA2-256-128 IKE SA and Child SA with strongSwan, both directions"
