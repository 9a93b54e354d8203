#!/bin/bash
# Interop, reverse direction: strongSwan's charon (5.9.x) as the initiator ("mobile node",
# virtual IPv6 address requested with vips = ::) against our responder (mip6-ike respond
# --once, CP pool 2001:db8:3::/64), over a veth pair between two fresh namespaces
# (netns_lib.sh). charon uses kernel-libipsec, which fakes a NAT, so it floats to UDP 4500
# after IKE_SA_INIT: this also exercises our port-4500 transport (non-ESP marker).
# Asserts: `swanctl --initiate` succeeds; mip6-ike prints one "established" line with the
# peer's identity, an address from our pool and the Child SA; `swanctl --list-sas` shows the
# IKE SA ESTABLISHED on port 4500 with that virtual address and the CHILD_SA INSTALLED with
# our SPIs crossed.
#
# Usage: strongswan_initiator_interop_test.sh PATH/TO/mip6-ike. Fails (never skips) without
# root, charon or swanctl.
set -u -o pipefail
MIP6_IKE=${1:?usage: $0 PATH/TO/mip6-ike}
NETNS_TEST=ss-initiator
. "$(dirname "$0")/netns_lib.sh"

check_prerequisites
make_topology

# ---- our responder -------------------------------------------------------------------------
start_responder "$NS_GW" "$GW" respond --once --timeout 60

# ---- charon initiator ----------------------------------------------------------------------
initiate_from_mn "$GW"

# --once: the responder exits after its first SA settles.
finished "$RESPONDER_PID" 20 "mip6-ike respond"
cat "$TMP/respond.json"

python3 - "$TMP/respond.json" "$MN_ID" <<'PY' || fail "responder JSON"
import ipaddress, sys
from ike_result import checker, default_suites, established, result
r = result(sys.argv[1])
check = checker(r, "responder result")
addr = established(r, check, sys.argv[2], role="responder")
check(addr in ipaddress.IPv6Network("2001:db8:3::/64"), "CP address outside our pool")
c = default_suites(r, check)
print("responder: established, address", addr, "child", c["spi_in"], c["spi_out"])
PY

ADDR=$(json_field "$TMP/respond.json" assigned_address)
SPI_I=$(json_field "$TMP/respond.json" spi_i)
poll 10 sas_show "ESTABLISHED, IKEv2, ${SPI_I}_i\*" "local  '$MN_ID' @ $MN\[4500\] \[$ADDR\]" \
    "remote '$HA_ID' @ $GW\[4500\]" "$CHILD_INSTALLED" ||
    fail "swanctl --list-sas does not show the IKE SA and CHILD_SA"
cat "$TMP/list-sas.txt"
charon_spis_crossed "$TMP/respond.json"
echo "PASS: mip6-ike responder established IKE SA and CHILD_SA with a strongSwan initiator"
