#!/bin/bash
# RFC 5685 FQDN gateway identities at the daemon (R5685-35): HA1's configuration names the
# pool member HA2 by "ha2.mip6.example" and assigns mn1 to that name. Our initiator
# (`mip6-ike initiate --follow-redirects --resolve ha2.mip6.example=HA2`: the MN resolves the
# name, here from a static table, since the namespaces have no DNS):
#   1. mn1 -> HA1: served at IKE_SA_INIT, redirected at IKE_AUTH (assignment, R5685-21) to the
#      FQDN, resolves it and establishes at HA2;
#   2. HA1 is drained (`mip6ctl drain`); mn2 -> HA1: redirected at IKE_SA_INIT to the FQDN
#      (R5685-04) and establishes at HA2.
# Both redirects carry GW Ident Type 3 (mip6-ike prints the name it was sent to), HA1's event
# log shows each decision with its reason and target_fqdn, HA2 records REDIRECTED_FROM = HA1.
#   bridge: ha1 2001:db8:1::1, ha2 2001:db8:1::2, mn 2001:db8:1::100 and ::101
# covers: R5685-04, R5685-07, R5685-21, R5685-35
#
# Usage: ha_fqdn_redirect_test.sh MIP6_HA MIP6CTL MIP6_IKE
set -u -o pipefail
MIP6_HA=${1:?usage: $0 MIP6_HA MIP6CTL MIP6_IKE}
MIP6CTL=${2:?}
MIP6_IKE=${3:?}
NETNS_TEST=ha-fqdn
. "$(dirname "$0")/netns_lib.sh"
. "$(dirname "$0")/ha_pool_lib.sh"

check_pool_prerequisites
HA2_NAME=ha2.mip6.example
MN2=2001:db8:1::101
POOL_HAS="$HA1:100 $HA2:200"
pool_topology "ha1:$HA1" "ha2:$HA2" "mn:$MN"
ip -n "$(ns_of mn)" addr add "$MN2/64" dev eth0 nodad
home_network "$(ns_of ha1)" "$(ns_of ha2)"
write_psk
ha_config ha1 "$HA1" 10 "\"assignments\": {\"mn1@mip6.example\": \"$HA2_NAME\"}"
ha_config ha2 "$HA2" 10
# HA2's entry in HA1's Home Agents List gets its name: REDIRECTs to it carry the FQDN.
python3 - "$TMP/ha1.json" "$HA2" "$HA2_NAME" <<'PY' || fail "ha1.json"
import ipaddress, json, sys
path, ha2, name = sys.argv[1:4]
c = json.load(open(path))
for h in c["home_agents"]:
    if ipaddress.ip_address(h["address"]) == ipaddress.ip_address(ha2):
        h["fqdn"] = name
json.dump(c, open(path, "w"), indent=2)
PY
start_ha ha1
start_ha ha2

initiate() {  # initiate NAME LOCAL
    ip netns exec "$(ns_of mn)" "$MIP6_IKE" initiate --local "$2" --remote "$HA1" \
        --psk-file "$TMP/psk" --id "$1@mip6.example" --remote-id "$HA_ID" --request-address \
        --follow-redirects --resolve "$HA2_NAME=$HA2" --timeout 30 >"$TMP/$1.json" \
        2>"$TMP/$1.err"
}
echo "== mn1 (assigned to $HA2_NAME) contacts HA1"
initiate mn1 "$MN" || fail "mn1 did not establish"
cat "$TMP/mn1.json"
echo "== HA1 drains; mn2 contacts HA1"
"$MIP6CTL" --socket "$TMP/ha1.sock" drain --grace 5 || fail "mip6ctl drain"
initiate mn2 "$MN2" || fail "mn2 did not establish"
cat "$TMP/mn2.json"
ctl ha2 peers >"$TMP/ha2-peers.json" || fail "mip6ctl peers ha2"

python3 - "$TMP" "$HA1" "$HA2" "$HA2_NAME" <<'PY' || fail "FQDN expectations"
import ipaddress, json, sys
tmp, ha1, ha2, name = sys.argv[1:5]
A = ipaddress.ip_address
def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)
for mn, point in (("mn1", "ike_auth"), ("mn2", "ike_sa_init")):
    out = [json.loads(l) for l in open("%s/%s.json" % (tmp, mn)) if l.strip()]
    r = [o for o in out if o.get("event") == "redirected"]
    check(len(r) == 1 and r[0]["to"] == name and r[0]["point"] == point,
          "%s: one %s redirect to the FQDN %s: %s" % (mn, point, name, r))
    e = [o for o in out if o.get("event") == "established"]
    check(len(e) == 1 and A(e[0]["gateway"]) == A(ha2), "%s established at HA2" % mn)
events = [json.loads(l) for l in open(tmp + "/ha1.events") if l.strip()]
redirects = [e for e in events if e.get("event") == "decision" and e["outcome"] == "redirected"]
for d in redirects:
    print("ha1 decision:", d["point"], d["outcome"], "reason", d["reason"], "peer", d["peer"],
          "->", d.get("target_fqdn"), d.get("target", ""))
check(len(redirects) == 2, "HA1 redirected twice, got %d" % len(redirects))
check(redirects[0]["point"] == "ike_auth" and redirects[0]["reason"] == "assigned_elsewhere",
      "first: IKE_AUTH, assigned_elsewhere")
check(redirects[1]["point"] == "ike_sa_init" and redirects[1]["reason"] == "draining",
      "second: IKE_SA_INIT, draining")
check(all(d.get("target_fqdn") == name for d in redirects), "both name the FQDN")
ev2 = [json.loads(l) for l in open(tmp + "/ha2.events") if l.strip()]
est2 = [e for e in ev2 if e.get("event") == "sa_established"]
check(len(est2) == 2 and all(A(e.get("redirected_from", "::")) == A(ha1) for e in est2),
      "HA2 established both with REDIRECTED_FROM = HA1 (R5685-07)")
peers = json.load(open(tmp + "/ha2-peers.json"))["peers"]
check(sorted(p["identity"] for p in peers) == ["mn1@mip6.example", "mn2@mip6.example"],
      "HA2 serves mn1 and mn2")
print("PASS: FQDN gateway identity in IKE_AUTH and IKE_SA_INIT redirects, resolved by the MN")
PY
