#!/bin/bash
# RFC 5685 section 6 interop, libreswan as the redirected *initiator* (issue 4): a libreswan
# 4.10 pluto (tools/libreswan/initiator.conf.in: accept-redirect=yes, PSK, ID_RFC822_ADDR)
# contacts our home agent HA1 (mip6-ha). HA1 serves its IKE_SA_INIT, authenticates it in
# IKE_AUTH and, because its "assignments" send that identity to HA2, answers
# SK{IDr, AUTH, N(REDIRECT, HA2)}. pluto follows: Delete to HA1, new IKE_SA_INIT to HA2 with
# N(REDIRECTED_FROM, HA1), IKE_AUTH there. Bridge: ha1 2001:db8:1::1, ha2 2001:db8:1::2,
# mn 2001:db8:1::100 (pluto; bridge port p3, captured).
# Two passes, because this kernel has no ESP and libreswan 4.10 treats a Child SA it cannot
# install as fatal to its IKE SA (deleted without a Delete to the peer):
#   A  childless IKE_AUTH (pluto's test impairment omit-v2-ike-auth-child; 4.10 has no config
#      option for it): the IKE SA with HA2 is ESTABLISHED on both sides;
#   B  the mobile node's full request, CP INTERNAL_IP6_ADDRESS + Child SA: HA2 hands out a home
#      address that pluto receives; then pluto's Child SA install fails in the kernel (or, on a
#      kernel with ESP, succeeds: both are accepted).
# Asserts, per pass, from four sources:
#  - HA1's event log and mip6ctl status counters: IKE_SA_INIT served, decision ike_auth /
#    redirected / assigned_elsewhere -> HA2 (R5685-41: after authenticating the client), no
#    IKE SA and no reservation kept (R5685-21).
#  - HA2's events and mip6ctl peers: the client's identity, redirected_from = HA1
#    (R5685-07/38), and in pass B its CP home address from HA2's prefix.
#  - pluto's debug log, our view inside SK{}: HA1's IKE_AUTH response is exactly
#    {IDr, AUTH, N(REDIRECT)} (no SA/TS: R5685-21), the REDIRECT is 26 octets = IPv6 GW
#    identity without Nonce Data (R5685-37); pluto verified HA1's AUTH before acting on it
#    (R5685-22) and established the IKE SA with HA2 (whack --showstates in pass A).
#  - tshark on the client's port: IKE_SA_INIT to HA1 with REDIRECT_SUPPORTED (R5685-01) and no
#    REDIRECT in its answer; IKE_AUTH with HA1; INFORMATIONAL Delete to HA1 (R5685-23);
#    IKE_SA_INIT to HA2 with a new SPIi and N(REDIRECTED_FROM) = HA1 instead of
#    REDIRECT_SUPPORTED (R5685-07/38), notify protocol 0 / SPI size 0 (R5685-34); IKE_AUTH
#    answered by HA2.
# libreswan followed RFC 5685 in everything checked here.
# covers: R5685-01, R5685-07, R5685-21, R5685-22, R5685-23, R5685-34, R5685-37, R5685-38, R5685-41
#
# Usage: libreswan_auth_redirect_test.sh MIP6_HA MIP6CTL (needs root, tshark). Exits 77 (skip)
# with the reason when libreswan is not installed (`tools/setup.sh libreswan`).
set -u -o pipefail
MIP6_HA=${1:?usage: $0 MIP6_HA MIP6CTL}
MIP6CTL=${2:?usage: $0 MIP6_HA MIP6CTL}
NETNS_TEST=ls-auth-redirect
. "$(dirname "$0")/netns_lib.sh"
. "$(dirname "$0")/ha_pool_lib.sh"
. "$(dirname "$0")/../../tools/libreswan/pluto.sh"

libreswan_or_skip
check_pool_prerequisites
need tshark
dump_logs() {
    local f
    stop_pluto  # its log is block-buffered until it exits
    for f in "$TMP"/*.log "$TMP"/*.events "$TMP"/pluto-*/pluto.log "$TMP"/*.txt; do
        [ -f "$f" ] && { echo "---- $f (tail)" >&2; tail -n 40 "$f" >&2; }
    done
    return 0
}
trap 'rc=$?; stop_pluto; (exit $rc); cleanup_pool' EXIT

HA1=2001:db8:1::1
HA2=2001:db8:1::2
LS_ID=mn-ls@mip6.example  # an ID_RFC822_ADDR, as libreswan spells it (no leading @)
POOL_HAS="$HA1:100 $HA2:200"
pool_topology "ha1:$HA1" "ha2:$HA2" "mn:$MN"  # mn on bridge port p3
home_network "$(ns_of ha1)" "$(ns_of ha2)"
write_psk
ha_config ha1 "$HA1" 10 "\"assignments\": {\"$LS_ID\": \"$HA2\"}"
ha_config ha2 "$HA2" 10
# Capture first: its readiness probe goes to HA2's port 500 before anything listens there.
start_tshark "$NS_POOL_BR" p3 p3 "$(ns_of mn)" "$MN" "$HA2"
start_ha ha1
start_ha ha2

sa_established_events() { grep -c '"event":"sa_established"' "$TMP/ha2.events"; }
events_reach() { [ "$(sa_established_events)" -ge "$1" ]; }
pluto_states() { pluto_whack --showstates >"$PLUTO_DIR/showstates.txt" 2>&1; }
ls_established_with_ha2() {
    pluto_states && grep -F "$HA2" "$PLUTO_DIR/showstates.txt" | grep -q "ESTABLISHED_IKE_SA"
}
# settled: HA2's IKE SA is up in pluto, or pluto gave it up (a kernel without ESP)
ls_settled() { ls_established_with_ha2 || ! grep -q "#" "$PLUTO_DIR/showstates.txt"; }

# run_pass NAME childless|child: one pluto initiates against HA1 and is redirected to HA2.
#   childless: pluto's impairment omit-v2-ike-auth-child leaves SA, TSi, TSr (and, in 4.10,
#     CP) out of IKE_AUTH. This kernel has no ESP, and libreswan treats a Child SA it cannot
#     install as fatal for the IKE SA (it deletes it without telling the peer), so this is
#     the pass where the IKE SA with HA2 stays ESTABLISHED on both sides.
#   child: the full mobile-node request (CP INTERNAL_IP6_ADDRESS + Child SA): HA2 hands out a
#     home address; on a kernel without ESP pluto then fails to install the Child SA.
run_pass() {
    local pass=$1 mode=$2 want
    want=$(($(sa_established_events) + 1))
    echo "== pass $pass ($mode): libreswan contacts HA1"
    start_pluto_initiator "$(ns_of mn)" "$TMP/pluto-$pass" "$MN" "$HA1" "$LS_ID" "$HA_ID" \
        "$(cat "$TMP/psk")" || fail "pluto ($pass)"
    # Debug logging puts the decrypted IKE_AUTH payloads into its log: our view inside SK{}.
    pluto_whack --debug base >/dev/null 2>&1 || fail "whack --debug base"
    if [ "$mode" = childless ]; then
        pluto_whack --impair omit-v2-ike-auth-child >/dev/null 2>&1 ||
            fail "whack --impair omit-v2-ike-auth-child"
    fi
    pluto_whack --name mn --initiate --asynchronous >"$PLUTO_DIR/initiate.txt" 2>&1 ||
        fail "whack --initiate ($pass)"
    poll 30 events_reach "$want" || fail "pass $pass: HA2 established no IKE SA"
    if [ "$mode" = childless ]; then
        poll 20 ls_established_with_ha2 || fail "pass $pass: pluto has no IKE SA with HA2"
        cp "$PLUTO_DIR/showstates.txt" "$TMP/showstates-$pass.txt"
        poll 10 field_is ha2 1 established_sas || fail "pass $pass: HA2 holds no IKE SA"
    else
        poll 20 ls_settled || fail "pass $pass: pluto neither established nor gave up"
        cp "$PLUTO_DIR/showstates.txt" "$TMP/showstates-$pass.txt"
    fi
    ctl ha2 peers >"$TMP/ha2-peers-$pass.json" || fail "mip6ctl peers (HA2, $pass)"
    echo "---- pluto --showstates"; cat "$TMP/showstates-$pass.txt"
    stop_pluto  # flushes its (block-buffered) log; deletes the IKE SA it still has
    cp "$TMP/pluto-$pass/pluto.log" "$TMP/pluto-$pass.txt"
}

run_pass A childless
# pluto's Delete on shutdown (or, after a kernel failure, nothing) ends HA2's SA from pass A.
poll 15 field_is ha2 0 established_sas || echo "note: HA2 still holds pass A's IKE SA"
run_pass B child
# Both passes on the wire before the capture stops: HA2's IKE_AUTH answers, HA1's answers to
# the Deletes.
captured() { [ "$(grep -c " $1 [^ ]* $MN .* $2 MID=.* Response" "$TMP/p3.out")" -ge 2 ]; }
poll 10 captured "$HA2" IKE_AUTH || fail "HA2's IKE_AUTH answers not captured"
poll 10 captured "$HA1" INFORMATIONAL || fail "HA1's INFORMATIONAL answers not captured"
stop_pid "$TSHARK_PID"
for h in ha1 ha2; do
    ctl $h status >"$TMP/$h-status.json" || fail "mip6ctl status $h"
done
tshark -n -r "$TMP/p3.pcap" -Y isakmp -T fields -E occurrence=a -E aggregator=, \
    -e frame.number -e ipv6.src -e ipv6.dst -e isakmp.ispi -e isakmp.rspi \
    -e isakmp.exchangetype -e isakmp.flag_r -e isakmp.notify.msgtype -e isakmp.notify.protoid \
    -e isakmp.spisize -e isakmp.notify.data.redirect.org_resp_gw_ident.ipv6 \
    >"$TMP/wire.tsv" 2>"$TMP/tshark-r.err" || fail "tshark -r"

python3 - "$TMP" "$HA1" "$HA2" "$MN" "$LS_ID" <<'PY' || fail "expectations"
import ipaddress, json, re, sys
tmp, ha1, ha2, mn, ls_id = sys.argv[1:6]
A = ipaddress.ip_address
ok = True
def check(cond, what):
    global ok
    print(("ok:   " if cond else "FAIL: ") + what)
    ok = ok and bool(cond)
def events(h):
    return [json.loads(l) for l in open(f"{tmp}/{h}.events") if l.strip()]
ev1, ev2 = events("ha1"), events("ha2")
st1, st2 = (json.load(open(f"{tmp}/{h}-status.json")) for h in ("ha1", "ha2"))

# ---- HA1: served the IKE_SA_INIT, redirected at IKE_AUTH (after authentication) ----
d1 = [e for e in ev1 if e.get("event") == "decision"]
init_served = [e for e in d1 if e["point"] == "ike_sa_init" and e["outcome"] == "served"]
auth_redir = [e for e in d1 if e["point"] == "ike_auth" and e["outcome"] == "redirected"]
check(len(init_served) == 2 and all(A(e["peer"]) == A(mn) for e in init_served),
      "HA1 served both IKE_SA_INITs (not redirected there): " + json.dumps(init_served))
check(len(auth_redir) == 2 and all(A(e["peer"]) == A(mn) and A(e["target"]) == A(ha2) and
                                   e["reason"] == "assigned_elsewhere" for e in auth_redir),
      "HA1 decided at IKE_AUTH: redirected, reason assigned_elsewhere, target HA2 (R5685-41)")
check(not [e for e in ev1 if e.get("event") == "sa_established"],
      "HA1 established no IKE SA for the client (R5685-21)")
adm1 = st1["counters"]["admission"]
check(adm1.get("auth_redirected") == 2 and adm1.get("init_served") == 2,
      "HA1 counters: init_served 2, auth_redirected 2: " + json.dumps(adm1))
check(st1["counters"]["reasons"].get("assigned_elsewhere") == 2,
      "HA1 reason counter assigned_elsewhere 2")
check(st1["established_sas"] == 0 and st1["reservations"] == 0,
      "HA1 keeps no SA and no reservation after the redirect")

# ---- HA2: the client arrived with REDIRECTED_FROM = HA1 ----
est = [e for e in ev2 if e.get("event") == "sa_established"]
check(len(est) == 2, "HA2 established two IKE SAs (one per pass)")
for e in est:
    check(e["identity"] == ls_id and A(e["peer"]) == A(mn) and
          A(e.get("redirected_from", "::")) == A(ha1) and e["redirect_supported"],
          "HA2 sa_established: identity, REDIRECTED_FROM = HA1 (R5685-07/38): " + json.dumps(e))
check(not [e for e in ev2 if e.get("event") == "decision" and e["outcome"] == "redirected"],
      "HA2 redirected nobody")
pa = json.load(open(f"{tmp}/ha2-peers-A.json"))["peers"]
pb = json.load(open(f"{tmp}/ha2-peers-B.json"))["peers"]
check(any(p["identity"] == ls_id and p["spi_i"] == est[0]["spi_i"] for p in pa),
      "pass A: mip6ctl peers on HA2 lists the libreswan peer")
hoa = est[1].get("home_address")
check(hoa is not None and A(hoa) in ipaddress.ip_network("2001:db8:3::/64"),
      "pass B: HA2 assigned a home address by CP: %s" % hoa)
check(any(p["identity"] == ls_id and p["spi_i"] == est[1]["spi_i"] and
          p.get("home_address") == hoa for p in pb),
      "pass B: mip6ctl peers on HA2 lists the libreswan peer with that address")

# ---- pluto's side (its debug log shows the decrypted IKE_AUTH response) ----
for pas, e in zip("AB", est):
    log = open(f"{tmp}/pluto-{pas}.txt", errors="replace").read().splitlines()
    def first(pattern):
        for i, l in enumerate(log):
            if re.search(pattern, l):
                return i
        return -1
    auth1 = first(r"2001:db8:1::1 #\d+: initiator established IKE SA; authenticated peer")
    redir = first(r"redirect: received v2N_REDIRECT in authenticated IKE_AUTH reply")
    follow = first(r"initiating IKE_AUTH redirect to new gateway \(address: %s\)" % re.escape(ha2))
    check(0 <= auth1 < redir < follow,
          f"pass {pas}: pluto verified HA1's AUTH, then acted on the REDIRECT (R5685-22)")
    check(first(r"IKE_AUTH response: SK\{IDr,AUTH,N\(REDIRECT\)\}") >= 0,
          f"pass {pas}: HA1's IKE_AUTH response is SK{{IDr,AUTH,N(REDIRECT)}}: no SA, TS, CP (R5685-21)")
    n = first(r"Notify Message Type: v2N_REDIRECT \(0x4017\)")
    lengths = [re.search(r"length: (\d+)", l) for l in log[max(0, n - 6):n]]
    lengths = [int(m.group(1)) for m in lengths if m]
    # 4 payload header + 4 (protocol, SPI size, type) + 2 + 16 (IPv6 GW ident): no Nonce Data
    check(n >= 0 and lengths and lengths[-1] == 26,
          f"pass {pas}: REDIRECT in IKE_AUTH is 26 octets, without Nonce Data (R5685-37): {lengths}")
    check(first(r"GW Identity IP: %s$" % re.escape(ha2)) >= 0, f"pass {pas}: REDIRECT names HA2")
    check(first(r"%s #\d+: initiator established IKE SA; authenticated peer" % re.escape(ha2)) > follow,
          f"pass {pas}: pluto established an IKE SA with HA2")
    if pas == "A":
        st = open(f"{tmp}/showstates-A.txt").read()
        check(re.search(r"%s:500 STATE_V2_ESTABLISHED_IKE_SA" % re.escape(ha2), st),
              "pass A: whack --showstates: IKE SA with HA2 ESTABLISHED")
    else:
        got = first(r"received INTERNAL_IP6_ADDRESS %s$" % re.escape(hoa or "-"))
        check(got >= 0, "pass B: pluto received HA2's CP address %s" % hoa)
        kernel = first(r"netlink response for Add SA esp.*\(errno")
        child = first(r"(established Child SA|IPsec SA established)")
        check(kernel >= 0 or child >= 0,
              "pass B: the Child SA was installed or the kernel refused ESP (%s)" %
              ("kernel without ESP" if kernel >= 0 else "installed"))

# ---- the wire, on the client's bridge port ----
rows = []
for line in open(f"{tmp}/wire.tsv"):
    f = line.rstrip("\n").split("\t")
    f += [""] * (11 - len(f))
    rows.append(dict(frame=int(f[0]), src=A(f[1]), dst=A(f[2]), ispi=f[3], rspi=f[4],
                     xchg=f[5], resp=f[6] in ("1", "True", "true"),
                     notes=[x for x in f[7].split(",") if x], protos=[x for x in f[8].split(",") if x],
                     spisizes=[x for x in f[9].split(",") if x],
                     from_=[A(x) for x in f[10].split(",") if x]))
for pas, e in zip("AB", est):
    new_spi = e["spi_i"]
    init2 = [r for r in rows if r["dst"] == A(ha2) and r["xchg"] == "34" and not r["resp"] and
             r["ispi"] == new_spi]
    check(init2, f"pass {pas}: IKE_SA_INIT to HA2 with SPIi {new_spi} captured")
    if not init2:
        continue
    r2 = init2[0]
    check("16408" in r2["notes"] and r2["from_"] == [A(ha1)] and "16406" not in r2["notes"],
          f"pass {pas}: it carries N(REDIRECTED_FROM) = HA1 instead of REDIRECT_SUPPORTED (R5685-07/38)")
    check(set(r2["protos"]) <= {"0"} and set(r2["spisizes"]) <= {"0"},
          f"pass {pas}: its notifies have protocol 0 and SPI size 0 (R5685-34)")
    before = [r for r in rows if r["dst"] == A(ha1) and r["xchg"] == "34" and not r["resp"] and
              r["frame"] < r2["frame"]]
    check(before and "16406" in before[-1]["notes"],
          f"pass {pas}: the IKE_SA_INIT to HA1 announced REDIRECT_SUPPORTED (R5685-01)")
    if not before:
        continue
    old_spi = before[-1]["ispi"]
    check(old_spi != new_spi, f"pass {pas}: a new SPIi for HA2 ({old_spi} -> {new_spi})")
    with_ha1 = [r for r in rows if r["ispi"] == old_spi and A(ha1) in (r["src"], r["dst"])]
    def has(xchg, resp, src):
        return any(r["xchg"] == xchg and r["resp"] == resp and r["src"] == A(src) for r in with_ha1)
    check(not any("16407" in r["notes"] for r in with_ha1 if r["xchg"] == "34"),
          f"pass {pas}: no REDIRECT at IKE_SA_INIT (HA1 served it)")
    check(has("35", False, mn) and has("35", True, ha1),
          f"pass {pas}: IKE_AUTH request and response with HA1 (REDIRECT inside SK{{}})")
    check(has("37", False, mn) and has("37", True, ha1),
          f"pass {pas}: libreswan deleted its IKE SA with HA1 (INFORMATIONAL, R5685-23)")
    check(any(r["ispi"] == new_spi and r["xchg"] == "35" and r["resp"] and r["src"] == A(ha2)
              for r in rows), f"pass {pas}: IKE_AUTH answered by HA2")
sys.exit(0 if ok else 1)
PY
echo "PASS: libreswan followed our IKE_AUTH redirect from HA1 to HA2 and established there"
