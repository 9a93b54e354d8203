#!/bin/bash
# Issue 4 race test: N concurrent bootstraps against one mip6-ha of capacity K admit exactly K
# and redirect N-K at IKE_SA_INIT (RFC 5685 3) to a second mip6-ha, which serves them.
# Namespaces on one bridge: ha1 2001:db8:1::1 (capacity K), ha2 2001:db8:1::2 (capacity N),
# mn with N addresses 2001:db8:1::101.. . Our initiators: N `mip6-ike initiate` processes
# started together, each from its own address, all towards HA1.
# Asserts (through `mip6ctl status/peers --json` and the daemons' event lines): every
# initiator established; HA1 holds exactly K IKE SAs, served K (reason "room") and redirected
# N-K (reason "overload", target HA2); HA2 holds the N-K others, each recorded with
# REDIRECTED_FROM = HA1 (R5685-07/38); HA1's reservations equal K (taken at IKE_SA_INIT, kept
# by the established SAs: the capacity was never overshot).
# covers: R5685-02, R5685-04, R5685-07, R5685-38; issue 4 "race test"
#
# Usage: ha_admission_race_test.sh MIP6_HA MIP6CTL MIP6_IKE [N] [K]
set -u -o pipefail
MIP6_HA=${1:?usage: $0 MIP6_HA MIP6CTL MIP6_IKE [N] [K]}
MIP6CTL=${2:?}
MIP6_IKE=${3:?}
N=${4:-8}
K=${5:-3}
NETNS_TEST=ha-race
. "$(dirname "$0")/netns_lib.sh"
. "$(dirname "$0")/ha_pool_lib.sh"

check_pool_prerequisites
POOL_HAS="$HA1:100 $HA2:200"
pool_topology "ha1:$HA1" "ha2:$HA2" "mn:2001:db8:1::100"
NS_MNS=$(ns_of mn)
for i in $(seq 1 "$N"); do
    ip -n "$NS_MNS" addr add "2001:db8:1::$((100 + i))/64" dev eth0 nodad
done
home_network "$(ns_of ha1)" "$(ns_of ha2)"
write_psk

ha_config ha1 "$HA1" "$K"
ha_config ha2 "$HA2" "$N"
start_ha ha1
start_ha ha2

# ---- N bootstraps at once ------------------------------------------------------------------
MN_PIDS=()
for i in $(seq 1 "$N"); do
    ip netns exec "$NS_MNS" "$MIP6_IKE" initiate --local "2001:db8:1::$((100 + i))" \
        --remote "$HA1" --psk-file "$TMP/psk" --id "mn$i@mip6.example" --remote-id "$HA_ID" \
        --request-address --follow-redirects --timeout 40 >"$TMP/mn$i.json" 2>"$TMP/mn$i.err" &
    MN_PIDS+=("$!")
    STARTED_PIDS+=("$!")
done
failed=0
for i in $(seq 1 "$N"); do
    wait "${MN_PIDS[$((i - 1))]}" || { failed=$((failed + 1)); echo "mn$i did not establish" >&2; }
done
[ "$failed" = 0 ] || fail "$failed of $N initiators did not establish"

ctl ha1 status >"$TMP/ha1-status.json" || fail "mip6ctl status ha1"
ctl ha2 status >"$TMP/ha2-status.json" || fail "mip6ctl status ha2"
ctl ha2 peers >"$TMP/ha2-peers.json" || fail "mip6ctl peers ha2"
python3 - "$TMP" "$N" "$K" "$HA1" "$HA2" <<'PY' || fail "race expectations"
import ipaddress, json, sys
tmp, n, k, ha1, ha2 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
same = lambda a, b: ipaddress.ip_address(a) == ipaddress.ip_address(b)
def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)
s1 = json.load(open(tmp + "/ha1-status.json"))
s2 = json.load(open(tmp + "/ha2-status.json"))
peers2 = json.load(open(tmp + "/ha2-peers.json"))["peers"]
ev1 = [json.loads(l) for l in open(tmp + "/ha1.events") if l.strip()]
decisions = [e for e in ev1 if e.get("event") == "decision" and e["point"] == "ike_sa_init"]
for d in decisions:
    print("ha1 decision:", d["outcome"], "reason", d["reason"], "peer", d["peer"],
          "-> " + d["target"] if "target" in d else "")
served = [d for d in decisions if d["outcome"] == "served"]
redirected = [d for d in decisions if d["outcome"] == "redirected"]
check(len(served) == k and all(d["reason"] == "room" for d in served), "HA1 served %d" % len(served))
check(len(redirected) == n - k, "HA1 redirected %d, want %d" % (len(redirected), n - k))
check(all(d["reason"] == "overload" and same(d["target"], ha2) for d in redirected),
      "HA1 redirect reason/target")
check(len({d["peer"] for d in decisions}) == n, "one decision per initiator")
check(s1["established_sas"] == k, "HA1 holds %d SAs, want %d" % (s1["established_sas"], k))
check(s1["reservations"] == k and s1["reservations"] <= s1["capacity"], "HA1 reservations")
check(s1["counters"]["admission"]["init_served"] == k, "HA1 init_served counter")
check(s1["counters"]["admission"]["init_redirected"] == n - k, "HA1 init_redirected counter")
check(s2["established_sas"] == n - k, "HA2 holds %d SAs, want %d" % (s2["established_sas"], n - k))
ev2 = [json.loads(l) for l in open(tmp + "/ha2.events") if l.strip()]
est2 = [e for e in ev2 if e.get("event") == "sa_established"]
check(len(est2) == n - k and all(same(e.get("redirected_from", "::"), ha1) for e in est2),
      "HA2: REDIRECTED_FROM = HA1 on every SA")
redirected_peers = {ipaddress.ip_address(d["peer"]) for d in redirected}
check({ipaddress.ip_address(p["peer"]) for p in peers2} == redirected_peers,
      "HA2 serves exactly the peers HA1 redirected")
print("PASS: %d bootstraps, HA1 (capacity %d) admitted %d and redirected %d to HA2" %
      (n, k, len(served), len(redirected)))
PY
