#!/bin/bash
# Interop with certificate authentication (RFC 7296 2.15/3.6-3.8, RFC 7427) against strongSwan's
# charon (5.9.x), over a veth pair between two fresh namespaces (netns_lib.sh). Certificates
# are made here with the openssl CLI in the test's temp dir (a CA per key type, one leaf per
# peer: HA "ha.mip6.example" as SAN dNSName, MN "mn1@mip6.example" as SAN rfc822Name).
#   A. ECDSA P-256: mip6-ike initiate (--cert/--key/--ca) -> charon responder (auth = pubkey).
#      Asserts: mip6-ike "established" with AUTH method 14 both ways (charon announced
#      SIGNATURE_HASH_ALGORITHMS) and a Child SA; charon logs our ECDSA signature as verified;
#      `swanctl --list-sas` shows the IKE SA ESTABLISHED with our identity and the CHILD_SA
#      INSTALLED with our SPIs crossed. Then the same with a certificate from a CA charon does
#      not trust: exit 1 with AUTHENTICATION_FAILED (24) from charon.
#   B. RSA-2048: charon initiator (auth = pubkey, vips = ::, send_cert = ifasked, so it sends
#      its certificate only because our IKE_SA_INIT response carries CERTREQ) -> mip6-ike
#      respond --rsa-pss (no PSK at all). Asserts: swanctl --initiate succeeds; our JSON line
#      is "established" with method 14 both ways, the peer's identity and a pool address;
#      charon logs our RSASSA-PSS signature as verified; `swanctl --list-sas` shows the
#      IKE SA ESTABLISHED and the CHILD_SA INSTALLED.
#
# Usage: strongswan_cert_interop_test.sh PATH/TO/mip6-ike. Fails (never skips) without root,
# charon, swanctl or openssl.
set -u -o pipefail
MIP6_IKE=${1:?usage: $0 PATH/TO/mip6-ike}
NETNS_TEST=ss-cert
. "$(dirname "$0")/netns_lib.sh"

# charon needs the certificate and key parsers; swanctl reads credentials from SWANCTL_DIR.
CHARON_EXTRA_PLUGINS="pem pkcs1 pkcs8 x509 pubkey constraints"
PKI=$TMP/pki
POOL_FIRST=2001:db8:2::10
POOL_LAST=2001:db8:2::ff

check_prerequisites
command -v openssl >/dev/null || fail "openssl CLI missing"
make_topology

# ---- certificates --------------------------------------------------------------------------
mkdir -p "$PKI"
genkey() {  # genkey FILE ec|rsa
    case $2 in
        ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" ;;
        rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" ;;
    esac 2>>"$PKI/openssl.log" || fail "openssl genpkey $2"
}
make_ca() {  # make_ca NAME ec|rsa
    genkey "$PKI/$1.key" "$2"
    openssl req -x509 -new -key "$PKI/$1.key" -subj "/O=mip6 interop/CN=$1" -days 2 -sha256 \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$PKI/$1.pem" 2>>"$PKI/openssl.log" || fail "openssl req -x509 $1"
}
make_leaf() {  # make_leaf NAME ec|rsa CA SUBJECT_ALT_NAME
    genkey "$PKI/$1.key" "$2"
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
        "subjectAltName=$4" >"$PKI/$1.ext"
    openssl req -new -key "$PKI/$1.key" -subj "/O=mip6 interop/CN=$1" -out "$PKI/$1.csr" \
        2>>"$PKI/openssl.log" || fail "openssl req $1"
    openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/$3.pem" -CAkey "$PKI/$3.key" \
        -set_serial "0x$(openssl rand -hex 8)" -days 2 -sha256 -extfile "$PKI/$1.ext" \
        -out "$PKI/$1.pem" 2>>"$PKI/openssl.log" || fail "openssl x509 -req $1"
}
make_ca ca-ecdsa ec
make_leaf gw-ecdsa ec ca-ecdsa "DNS:$HA_ID"
make_leaf mn-ecdsa ec ca-ecdsa "email:$MN_ID"
make_ca rogue-ca ec
make_leaf mn-rogue ec rogue-ca "email:$MN_ID"
make_ca ca-rsa rsa
make_leaf gw-rsa rsa ca-rsa "DNS:$HA_ID"
make_leaf mn-rsa rsa ca-rsa "email:$MN_ID"

# swanctl_dir NAME CERT CA: a swanctl directory with our leaf, its key and the CA in place.
swanctl_dir() {
    local d=$TMP/swanctl-$1
    mkdir -p "$d/x509" "$d/x509ca" "$d/private"
    cp "$PKI/$2.pem" "$d/x509/"
    cp "$PKI/$2.key" "$d/private/"
    cp "$PKI/$3.pem" "$d/x509ca/"
    echo "$d"
}
stop_charon() {
    stop_pid "$CHARON_PID"
    local keep=() pid
    for pid in "${STARTED_PIDS[@]}"; do
        [ "$pid" = "$CHARON_PID" ] || keep+=("$pid")
    done
    STARTED_PIDS=("${keep[@]}")
    rm -f "$TMP/run/charon.vici" "$TMP/run/charon.pid"
    mv "$TMP/charon.log" "$TMP/charon-$1.log"
}

# ---- A: our initiator -> charon responder, ECDSA ---------------------------------------------
export SWANCTL_DIR
SWANCTL_DIR=$(swanctl_dir gw gw-ecdsa ca-ecdsa)
swanctl_gateway_conf "$GW" pool="$POOL_FIRST-$POOL_LAST" cert=gw-ecdsa.pem >"$SWANCTL_DIR/swanctl.conf"
start_charon "$NS_GW" "$SWANCTL_DIR/swanctl.conf"
grep -q "loaded certificate" "$TMP/load.txt" && grep -q "loaded ecdsa key\|loaded private key" \
    "$TMP/load.txt" || { cat "$TMP/load.txt" >&2; fail "charon did not load its certificate/key"; }

ip netns exec "$NS_MN" timeout 60 "$MIP6_IKE" initiate --local $MN --remote $GW \
    --id $MN_ID --remote-id $HA_ID --cert "$PKI/mn-ecdsa.pem" --key "$PKI/mn-ecdsa.key" \
    --ca "$PKI/ca-ecdsa.pem" --request-address --timeout 30 \
    >"$TMP/initiate.json" 2>"$TMP/initiate.err"
rc=$?
cat "$TMP/initiate.json"
[ $rc = 0 ] || fail "mip6-ike initiate (ECDSA certificate) exited $rc"
python3 - "$TMP/initiate.json" "$POOL_FIRST" "$POOL_LAST" "$HA_ID" <<'PY' || fail "initiator JSON"
import ipaddress, json, sys
r = json.load(open(sys.argv[1]))
first, last = (ipaddress.IPv6Address(a) for a in sys.argv[2:4])
def check(cond, what):
    if not cond:
        sys.exit("initiator result: " + what + ": " + json.dumps(r))
check(r.get("result") == "established" and r.get("state") == "ESTABLISHED", "not established")
check(r.get("peer_id") == sys.argv[4], "peer identity")
a = r.get("auth", {})
check(a.get("local") == "DIGITAL_SIGNATURE" and a.get("peer") == "DIGITAL_SIGNATURE",
      "AUTH methods (RFC 7427 method 14 expected both ways)")
check(2 in a.get("peer_signature_hashes", []), "charon announced no SHA2-256")
addr = ipaddress.IPv6Address(r.get("assigned_address", "::"))
check(first <= addr <= last, "CP address outside charon's pool")
c = r.get("child_sa")
check(c is not None and c["mode"] == "tunnel", "Child SA")
print("A: established with ECDSA certificates, address", addr)
PY
SPI_IN=$(json_field "$TMP/initiate.json" child_sa spi_in)
SPI_OUT=$(json_field "$TMP/initiate.json" child_sa spi_out)
SPI_I=$(json_field "$TMP/initiate.json" spi_i)
list_ok_gw() {
    "$SWANCTL" --list-sas --uri "$VICI" >"$TMP/list-sas.txt" 2>&1 || return 1
    grep -q "ESTABLISHED, IKEv2, ${SPI_I}_i" "$TMP/list-sas.txt" &&
        grep -q "remote '$MN_ID' @ $MN\[" "$TMP/list-sas.txt" &&
        grep -q "home: #[0-9]*, reqid [0-9]*, INSTALLED, TUNNEL" "$TMP/list-sas.txt"
}
poll 10 list_ok_gw || fail "A: swanctl --list-sas does not show our IKE SA and CHILD_SA"
cat "$TMP/list-sas.txt"
grep -q "in  *${SPI_OUT}" "$TMP/list-sas.txt" || fail "A: charon inbound SPI != our outbound SPI"
grep -q "out *${SPI_IN}" "$TMP/list-sas.txt" || fail "A: charon outbound SPI != our inbound SPI"
grep -q "authentication of '$MN_ID' with ECDSA.* successful" "$TMP/charon.log" ||
    fail "A: charon did not log our ECDSA signature as verified"

# A certificate from a CA charon does not know: AUTHENTICATION_FAILED (R7296-53).
ip netns exec "$NS_MN" timeout 60 "$MIP6_IKE" initiate --local $MN --remote $GW \
    --id $MN_ID --remote-id $HA_ID --cert "$PKI/mn-rogue.pem" --key "$PKI/mn-rogue.key" \
    --ca "$PKI/ca-ecdsa.pem" --request-address --timeout 30 \
    >"$TMP/rogue.json" 2>"$TMP/rogue.err"
rc=$?
cat "$TMP/rogue.json"
[ $rc = 1 ] || fail "mip6-ike initiate with an untrusted certificate exited $rc, expected 1"
python3 - "$TMP/rogue.json" <<'PY' || fail "untrusted-certificate JSON"
import json, sys
r = json.load(open(sys.argv[1]))
if (r.get("result"), r.get("reason"), r.get("notify")) != \
        ("failed", "authentication-failed", 24):
    sys.exit("untrusted certificate: unexpected result " + json.dumps(r))
PY
stop_charon responder

# ---- B: charon initiator -> our responder, RSA ---------------------------------------------
ip netns exec "$NS_GW" "$MIP6_IKE" respond --listen $GW --id $HA_ID \
    --cert "$PKI/gw-rsa.pem" --key "$PKI/gw-rsa.key" --ca "$PKI/ca-rsa.pem" --rsa-pss \
    --pool 2001:db8:3::/64 --once --timeout 60 >"$TMP/respond.json" 2>"$TMP/respond.err" &
RESPONDER_PID=$!
STARTED_PIDS+=("$RESPONDER_PID")
poll 10 ike_listening "$NS_GW" "$GW" ||
    fail "mip6-ike respond is not listening on [$GW]:500 and :4500"

SWANCTL_DIR=$(swanctl_dir mn mn-rsa ca-rsa)
swanctl_mn_conf "$GW" cert=mn-rsa.pem >"$SWANCTL_DIR/swanctl.conf"
start_charon "$NS_MN" "$SWANCTL_DIR/swanctl.conf"
timeout 60 "$SWANCTL" --initiate --uri "$VICI" --ike ha --child home --timeout 30 \
    >"$TMP/initiate.log" 2>&1 || fail "B: swanctl --initiate failed"

poll 20 sh -c "! kill -0 $RESPONDER_PID" || fail "mip6-ike respond did not finish"
wait "$RESPONDER_PID"
rc=$?
cat "$TMP/respond.json"
[ $rc = 0 ] || fail "mip6-ike respond exited $rc"
python3 - "$TMP/respond.json" "$MN_ID" <<'PY' || fail "responder JSON"
import ipaddress, json, sys
lines = [l for l in open(sys.argv[1]) if l.strip() and '"summary"' not in l]
if len(lines) != 1:
    sys.exit("expected one JSON line, got %d" % len(lines))
r = json.loads(lines[0])
def check(cond, what):
    if not cond:
        sys.exit("responder result: " + what + ": " + json.dumps(r))
check(r.get("result") == "established" and r.get("state") == "ESTABLISHED", "not established")
check(r.get("peer_id") == sys.argv[2], "peer identity")
a = r.get("auth", {})
check(a.get("local") == "DIGITAL_SIGNATURE" and a.get("peer") == "DIGITAL_SIGNATURE",
      "AUTH methods (RFC 7427 method 14 expected both ways)")
addr = ipaddress.IPv6Address(r.get("assigned_address", "::"))
check(addr in ipaddress.IPv6Network("2001:db8:3::/64"), "CP address outside our pool")
check(r.get("child_sa") is not None, "Child SA")
print("B: established with RSA certificates, address", addr)
PY
SPI_I=$(json_field "$TMP/respond.json" spi_i)
list_ok_mn() {
    "$SWANCTL" --list-sas --uri "$VICI" >"$TMP/list-sas.txt" 2>&1 || return 1
    grep -q "ESTABLISHED, IKEv2, ${SPI_I}_i\*" "$TMP/list-sas.txt" &&
        grep -q "remote '$HA_ID' @ $GW\[" "$TMP/list-sas.txt" &&
        grep -q "home: #[0-9]*, reqid [0-9]*, INSTALLED, TUNNEL" "$TMP/list-sas.txt"
}
poll 10 list_ok_mn || fail "B: swanctl --list-sas does not show the IKE SA and CHILD_SA"
cat "$TMP/list-sas.txt"
grep -q "authentication of '$HA_ID' with RSA_EMSA_PSS_SHA2_256[_A-Z0-9]* successful" "$TMP/charon.log" ||
    fail "B: charon did not log our RSASSA-PSS signature as verified"
echo "PASS: certificate authentication interop with strongSwan:" \
    "ECDSA (mip6-ike initiator), RSA-PSS/PKCS#1 (mip6-ike responder), untrusted CA refused"
