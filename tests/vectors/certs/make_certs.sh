#!/bin/bash
# Regenerates the PEM test vectors of this directory with the openssl CLI (OpenSSL 3):
#   ecdsa-ca   P-256 root;  ecdsa-ha, ecdsa-mn1 leaves (P-256) signed by it
#   rsa-ca     RSA-2048 root; rsa-ha, rsa-mn1 leaves (RSA-2048) signed by it
#   ecdsa-int  P-256 intermediate under ecdsa-ca; ecdsa-mn2 leaf (P-384) signed by it
#   other-ca   P-256 root nobody trusts; other-mn1 leaf with mn1's names signed by it
# Leaves carry subjectAltName dNSName/rfc822Name/iPAddress matching the engine tests'
# identities. Validity: 100 years from generation (openssl x509 -days 36500); the tests fix
# the verification time inside it.
# Usage: make_certs.sh [DIR] (default: this directory).
set -euo pipefail
DIR=${1:-$(dirname "$0")}
cd "$DIR"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

key() {  # key NAME ec|rsa|ec384
    case $2 in
        ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" ;;
        ec384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$1.key" ;;
        rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" ;;
    esac
}
ca() {  # ca NAME KEYTYPE SUBJECT [ISSUER]
    key "$1" "$2"
    cat >"$TMP/$1.ext" <<EXT
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
EXT
    openssl req -new -key "$1.key" -subj "$3" -out "$TMP/$1.csr"
    if [ $# -ge 4 ]; then
        openssl x509 -req -in "$TMP/$1.csr" -CA "$4.pem" -CAkey "$4.key" -set_serial 0x$RANDOM \
            -days 36500 -sha256 -extfile "$TMP/$1.ext" -out "$1.pem"
    else
        openssl x509 -req -in "$TMP/$1.csr" -signkey "$1.key" -set_serial 0x$RANDOM \
            -days 36500 -sha256 -extfile "$TMP/$1.ext" -out "$1.pem"
    fi
}
leaf() {  # leaf NAME KEYTYPE SUBJECT SAN ISSUER
    key "$1" "$2"
    cat >"$TMP/$1.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
subjectAltName=$4
EXT
    openssl req -new -key "$1.key" -subj "$3" -out "$TMP/$1.csr"
    openssl x509 -req -in "$TMP/$1.csr" -CA "$5.pem" -CAkey "$5.key" -set_serial 0x$RANDOM \
        -days 36500 -sha256 -extfile "$TMP/$1.ext" -out "$1.pem"
}

ca ecdsa-ca ec "/O=mip6 test/CN=mip6 test ECDSA CA"
leaf ecdsa-ha ec "/O=mip6 test/CN=ha.example.org" \
    "DNS:ha.example.org,IP:2001:db8:1::1" ecdsa-ca
leaf ecdsa-mn1 ec "/O=mip6 test/CN=mn1.example.org" \
    "DNS:mn1.example.org,email:mn1@example.org,IP:2001:db8:ff::10" ecdsa-ca
ca ecdsa-int ec "/O=mip6 test/CN=mip6 test ECDSA intermediate" ecdsa-ca
leaf ecdsa-mn2 ec384 "/O=mip6 test/CN=mn2.example.org" "DNS:mn2.example.org" ecdsa-int

ca rsa-ca rsa "/O=mip6 test/CN=mip6 test RSA CA"
leaf rsa-ha rsa "/O=mip6 test/CN=ha.example.org" "DNS:ha.example.org" rsa-ca
leaf rsa-mn1 rsa "/O=mip6 test/CN=mn1.example.org" \
    "DNS:mn1.example.org,email:mn1@example.org" rsa-ca

ca other-ca ec "/O=someone else/CN=untrusted CA"
leaf other-mn1 ec "/O=someone else/CN=mn1.example.org" "DNS:mn1.example.org" other-ca
echo "written to $(pwd)"
