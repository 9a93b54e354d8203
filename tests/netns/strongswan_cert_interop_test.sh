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

check_prerequisites
need openssl
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
# ---- A: our initiator -> charon responder, ECDSA ---------------------------------------------
export SWANCTL_DIR
SWANCTL_DIR=$(swanctl_dir gw gw-ecdsa ca-ecdsa)
charon_gateway "$GW" cert=gw-ecdsa.pem
grep -q "loaded certificate" "$TMP/load.txt" && grep -q "loaded ecdsa key\|loaded private key" \
    "$TMP/load.txt" || { cat "$TMP/load.txt" >&2; fail "charon did not load its certificate/key"; }

run_initiator initiate --cert "$PKI/mn-ecdsa.pem" --key "$PKI/mn-ecdsa.key" \
    --ca "$PKI/ca-ecdsa.pem" || fail "mip6-ike initiate (ECDSA certificate) exited $?"
python3 - "$TMP/initiate.json" "$POOL_FIRST" "$POOL_LAST" "$HA_ID" <<'PY' || fail "initiator JSON"
import ipaddress, sys
from ike_result import checker, established, result, signatures_both_ways
r = result(sys.argv[1])
first, last = (ipaddress.IPv6Address(a) for a in sys.argv[2:4])
check = checker(r, "initiator result")
addr = established(r, check, sys.argv[4])
a = signatures_both_ways(r, check)
check(2 in a.get("peer_signature_hashes", []), "charon announced no SHA2-256")
check(first <= addr <= last, "CP address outside charon's pool")
c = r.get("child_sa")
check(c is not None and c["mode"] == "tunnel", "Child SA")
print("A: established with ECDSA certificates, address", addr)
PY
SPI_I=$(json_field "$TMP/initiate.json" spi_i)
poll 10 sas_show "ESTABLISHED, IKEv2, ${SPI_I}_i" "remote '$MN_ID' @ $MN\[" "$CHILD_INSTALLED" ||
    fail "A: swanctl --list-sas does not show our IKE SA and CHILD_SA"
cat "$TMP/list-sas.txt"
charon_spis_crossed "$TMP/initiate.json"
grep -q "authentication of '$MN_ID' with ECDSA.* successful" "$TMP/charon.log" ||
    fail "A: charon did not log our ECDSA signature as verified"

# A certificate from a CA charon does not know: AUTHENTICATION_FAILED (R7296-53).
run_initiator rogue --cert "$PKI/mn-rogue.pem" --key "$PKI/mn-rogue.key" \
    --ca "$PKI/ca-ecdsa.pem"
rc=$?
[ $rc = 1 ] || fail "mip6-ike initiate with an untrusted certificate exited $rc, expected 1"
python3 - "$TMP/rogue.json" <<'PY' || fail "untrusted_certificate JSON"
import json, sys
r = json.load(open(sys.argv[1]))
if (r.get("result"), r.get("reason"), r.get("notify")) != \
        ("failed", "authentication_failed", 24):
    sys.exit("untrusted certificate: unexpected result " + json.dumps(r))
PY
stop_charon responder

# ---- B: charon initiator -> our responder, RSA ---------------------------------------------
start_responder "$NS_GW" "$GW" respond --cert "$PKI/gw-rsa.pem" --key "$PKI/gw-rsa.key" \
    --ca "$PKI/ca-rsa.pem" --rsa-pss --once --timeout 60

SWANCTL_DIR=$(swanctl_dir mn mn-rsa ca-rsa)
initiate_from_mn "$GW" cert=mn-rsa.pem

finished "$RESPONDER_PID" 20 "mip6-ike respond"
cat "$TMP/respond.json"
python3 - "$TMP/respond.json" "$MN_ID" <<'PY' || fail "responder JSON"
import ipaddress, sys
from ike_result import checker, established, result, signatures_both_ways
r = result(sys.argv[1], skip_summary=True)
check = checker(r, "responder result")
addr = established(r, check, sys.argv[2])
signatures_both_ways(r, check)
check(addr in ipaddress.IPv6Network("2001:db8:3::/64"), "CP address outside our pool")
check(r.get("child_sa") is not None, "Child SA")
print("B: established with RSA certificates, address", addr)
PY
SPI_I=$(json_field "$TMP/respond.json" spi_i)
poll 10 sas_show "ESTABLISHED, IKEv2, ${SPI_I}_i\*" "remote '$HA_ID' @ $GW\[" "$CHILD_INSTALLED" ||
    fail "B: swanctl --list-sas does not show the IKE SA and CHILD_SA"
cat "$TMP/list-sas.txt"
grep -q "authentication of '$HA_ID' with RSA_EMSA_PSS_SHA2_256[_A-Z0-9]* successful" "$TMP/charon.log" ||
    fail "B: charon did not log our RSASSA-PSS signature as verified"
echo "PASS: certificate authentication interop with strongSwan:" \
    "ECDSA (mip6-ike initiator), RSA-PSS/PKCS#1 (mip6-ike responder), untrusted CA refused"
