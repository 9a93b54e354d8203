# Shared by the netns interop tests (sourced, not run): two namespaces joined by a veth pair,
# charon instances in a private mount namespace, polling with deadlines, and a cleanup trap
# that ends only the processes this test started and deletes its namespaces and temp dir.
#   ns "gw"  veth0 2001:db8:1::1,   lo 2001:db8:ff::1 (home network, the Child SA's TS)
#   ns "mn"  veth1 2001:db8:1::100
# Callers set NETNS_TEST (a short name) before sourcing. The fixtures:
#   labs       make_topology (the two above), redirect_lab, bridge_topology, loopback_lab
#   peers      charon_gateway / initiate_from_mn (strongSwan), start_responder / run_initiator
#              (mip6-ike), start_tshark; tools/libreswan/pluto.sh and ha_pool_lib.sh add
#              libreswan and a pool of mip6-ha
#   checks     need / need_built, poll, finished, sas_show / sas_lack, charon_spis_crossed,
#              has_line, json_field; ike_result.py for Python checks of mip6-ike's JSON

CHARON=${CHARON:-/usr/lib/ipsec/charon}
SWANCTL=${SWANCTL:-swanctl}
NETNS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NS_GW=mip6ss-gw-$$
NS_MN=mip6ss-mn-$$
GW=2001:db8:1::1
MN=2001:db8:1::100
HA_ID=ha.mip6.example
MN_ID=mn1@mip6.example
# charon's address pool (swanctl_gateway_conf's default) and ours (start_responder's default)
POOL_FIRST=2001:db8:2::10
POOL_LAST=2001:db8:2::ff
OUR_POOL=2001:db8:3::/64
export PYTHONPATH=$NETNS_DIR${PYTHONPATH:+:$PYTHONPATH}  # ike_result.py
TMP=$(mktemp -d "/tmp/mip6-${NETNS_TEST:-netns}.XXXXXX")
CHARON_PID=
STARTED_PIDS=()
NETNS_EXTRA=()  # namespaces made by bridge_topology; cleanup deletes them

fail() { echo "FAIL: $*" >&2; dump_logs; exit 1; }
dump_logs() {
    local f
    for f in "$TMP"/*.log "$TMP"/*.err "$TMP"/*.json "$TMP"/list-sas.txt; do
        [ -f "$f" ] && { echo "---- $f (tail)" >&2; tail -n 60 "$f" >&2; }
    done
    return 0
}

# forget_pid PID: PID ended and was waited for; cleanup must not signal it (it may be reused).
forget_pid() {
    local keep=() pid
    for pid in "${STARTED_PIDS[@]}"; do
        [ "$pid" = "$1" ] || keep+=("$pid")
    done
    STARTED_PIDS=("${keep[@]}")
}

# stop_pid PID: TERM, wait up to 10 s, then KILL. Only for processes this test started.
stop_pid() {
    local pid=$1
    forget_pid "$pid"
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    kill "$pid" 2>/dev/null
    local end=$((SECONDS + 10))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $end ]; do
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

cleanup() {
    local rc=$? pid
    for pid in "${STARTED_PIDS[@]}"; do
        stop_pid "$pid"
    done
    ip netns del "$NS_MN" 2>/dev/null
    ip netns del "$NS_GW" 2>/dev/null
    local ns
    for ns in "${NETNS_EXTRA[@]}"; do
        ip netns del "$ns" 2>/dev/null
    done
    rm -rf "$TMP"
    exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# poll DEADLINE_S CMD...: retry CMD every 0.1 s until it succeeds or the deadline passes.
poll() {
    local end=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $end ] || return 1
        sleep 0.1
    done
}

# need PROGRAM...: fails unless each program is installed, naming its Debian package from
# tools/deps/programs.txt (where tools/check-deps.sh finds the programs the tests declare here).
need() {
    local prog package path
    for prog in "$@"; do
        read -r package path < <(awk -v p="$prog" '$1 == p { print $2, $3 }' \
            "$NETNS_DIR/../../tools/deps/programs.txt")
        if [ -n "$path" ] && [ "$path" != implicit ]; then
            [ -x "$path" ] && continue
        elif command -v "$prog" >/dev/null; then
            continue
        fi
        fail "$prog missing: install ${package:-its package} (tools/setup.sh deps)"
    done
}
need_root() { [ "$(id -u)" = 0 ] || fail "needs root (network namespaces)"; }
# need_built PATH...: our programs, built by CMake (the test's arguments).
need_built() {
    local prog
    for prog in "$@"; do
        [ -x "$prog" ] || fail "$(basename "$prog") not built: $prog"
    done
}

check_prerequisites() {
    need_root
    need charon swanctl ip ss python3
    need_built "$MIP6_IKE"
}

link_up() { ip -n "$1" link show "$2" | grep -q "state UP"; }

make_topology() {
    ip netns add "$NS_GW" || fail "netns add $NS_GW"
    ip netns add "$NS_MN" || fail "netns add $NS_MN"
    ip -n "$NS_GW" link set lo up
    ip -n "$NS_MN" link set lo up
    # Created inside the namespaces, so the names cannot clash with anything on the host.
    ip -n "$NS_GW" link add veth0 type veth peer name veth1 netns "$NS_MN" || fail "veth"
    ip -n "$NS_GW" addr add $GW/64 dev veth0 nodad
    ip -n "$NS_MN" addr add $MN/64 dev veth1 nodad
    home_network "$NS_GW"
    ip -n "$NS_GW" link set veth0 up
    ip -n "$NS_MN" link set veth1 up
    poll 10 link_up "$NS_GW" veth0 || fail "veth0 not up"
    poll 10 link_up "$NS_MN" veth1 || fail "veth1 not up"
    write_psk
}

# write_psk [SECRET]: the pre-shared key every peer of the test reads from $TMP/psk.
write_psk() { printf '%s\n' "${1:-mip6-interop-psk-3f9a1c}" >"$TMP/psk"; }

# home_network NS...: the home network behind a gateway (the Child SA's TS), on lo. It must be
# outside the link prefix, or kernel-libipsec routes IKE into its TUN device.
home_network() {
    local ns
    for ns in "$@"; do
        ip -n "$ns" addr add 2001:db8:ff::1/128 dev lo nodad || fail "home network in $ns"
    done
}

# loopback_lab NS ADDR...: one namespace whose loopback holds every ADDR (/128); deleted by
# cleanup. For floods that need no link.
loopback_lab() {
    local ns=$1 addr
    shift
    ip netns add "$ns" || fail "netns add $ns"
    NETNS_EXTRA+=("$ns")
    ip -n "$ns" link set lo up
    for addr in "$@"; do
        ip -n "$ns" addr add "$addr/128" dev lo nodad
    done
}

# bridge_topology BR_NS NS:ADDR...: namespace BR_NS holding bridge br0, and per NS:ADDR a
# namespace NS (lo up) whose eth0 has ADDR/64 (nodad) and is the peer of bridge port pN, N
# counting from 1 in argument order (capture on pN in BR_NS to see what NS sends and gets).
# All of them are deleted by cleanup.
bridge_topology() {
    local br_ns=$1 port=0 pair ns addr
    shift
    ip netns add "$br_ns" || fail "netns add $br_ns"
    NETNS_EXTRA+=("$br_ns")
    ip -n "$br_ns" link add br0 type bridge || fail "bridge in $br_ns"
    ip -n "$br_ns" link set br0 up
    for pair in "$@"; do
        ns=${pair%%:*}
        addr=${pair#*:}
        port=$((port + 1))
        ip netns add "$ns" || fail "netns add $ns"
        NETNS_EXTRA+=("$ns")
        ip -n "$ns" link set lo up
        ip -n "$br_ns" link add p$port type veth peer name eth0 netns "$ns" || fail "veth p$port"
        ip -n "$br_ns" link set p$port master br0
        ip -n "$br_ns" link set p$port up
        ip -n "$ns" addr add "$addr/64" dev eth0 nodad
        ip -n "$ns" link set eth0 up
        poll 10 link_up "$ns" eth0 || fail "eth0 in $ns not up"
    done
}

# redirect_lab: a gateway, a second gateway and a client on one bridge: $NS_GW (HA1 = $GW),
# $NS_HA2 (HA2 = 2001:db8:1::2), both with the home network, and $NS_MN ($MN), on ports p1,
# p2, p3 of the bridge in $NS_BR; writes the PSK.
redirect_lab() {
    NS_HA2=mip6ss-ha2-$$
    NS_BR=mip6ss-br-$$
    HA1=$GW
    HA2=2001:db8:1::2
    bridge_topology "$NS_BR" "$NS_GW:$HA1" "$NS_HA2:$HA2" "$NS_MN:$MN"
    home_network "$NS_GW" "$NS_HA2"
    write_psk
}

# start_tshark NS PORT NAME FROM_NS FROM_ADDR TO_ADDR: tshark on interface PORT in NS (UDP
# 500/4500), writing $TMP/NAME.pcap and one summary line per packet to $TMP/NAME.out; sets
# TSHARK_PID (stopped by cleanup). Returns once the capture is live: tshark takes a while to
# start capturing, so probe datagrams from FROM_NS (FROM_ADDR) to TO_ADDR port 500 (where
# nothing listens yet) go out until one shows up in the capture.
start_tshark() {
    local ns=$1 port=$2 name=$3
    ip netns exec "$ns" tshark -n -l -P -i "$port" -f "udp port 500 or udp port 4500" \
        -w "$TMP/$name.pcap" >"$TMP/$name.out" 2>"$TMP/$name.tshark.log" </dev/null &
    TSHARK_PID=$!
    STARTED_PIDS+=("$TSHARK_PID")
    poll 30 tshark_ready "$name" "$4" "$5" "$6" || fail "tshark capture did not come up"
}

tshark_ready() {
    ip netns exec "$2" bash -c "echo probe >/dev/udp/$4/500" 2>/dev/null
    grep -qF "$3" "$TMP/$1.out"
}

# The kernels this runs on have XFRM but no ESP transforms, so charon installs Child SAs with
# kernel-libipsec (user-space ESP over a TUN device). That plugin makes charon fake a NAT
# (random NAT_DETECTION_SOURCE_IP) to force UDP encapsulation. CHARON_EXTRA_PLUGINS (optional)
# is appended to the plugin list, e.g. "pem pkcs1 pkcs8 x509 pubkey constraints" for certificates;
# CHARON_LOG_EXTRA (optional) is one more log level line, e.g. "chd = 4" (logs Child SA keys).
write_strongswan_conf() {
    cat >"$TMP/strongswan.conf" <<CONF
charon {
    load_modular = no
    load = random nonce openssl curve25519 aes sha1 sha2 hmac gcm kdf kernel-libipsec kernel-netlink socket-default vici attr ${CHARON_EXTRA_PLUGINS:-}
    retransmit_tries = 3
    retransmit_timeout = 2.0
    install_routes = no
    plugins {
        vici {
            socket = unix:///run/charon.vici
        }
        kernel-libipsec {
            allow_peer_ts = no
        }
    }
    filelog {
        stderr {
            time_format = %H:%M:%S
            ike_name = yes
            default = 1
            ike = 2
            cfg = 2
            ${CHARON_LOG_EXTRA:-}
        }
    }
}
CONF
}

# start_charon NS SWANCTL_CONF: charon in NS with a private /run (its pid file is hard-coded
# to /run/charon.pid), then swanctl --load-all. Sets VICI and CHARON_PID; the log is
# $TMP/charon.log.
start_charon() {
    local ns=$1 conf=$2
    write_strongswan_conf
    mkdir -p "$TMP/run"
    rm -f "$TMP/run/charon.vici" "$TMP/run/charon.pid"
    STRONGSWAN_CONF=$TMP/strongswan.conf \
        ip netns exec "$ns" unshare --mount --propagation private \
        sh -c 'mount --bind "$0" /run && exec "$1"' "$TMP/run" "$CHARON" \
        >"$TMP/charon.log" 2>&1 </dev/null &
    CHARON_PID=$!
    STARTED_PIDS+=("$CHARON_PID")
    VICI="unix://$TMP/run/charon.vici"
    poll 20 test -S "$TMP/run/charon.vici" || fail "charon did not open its vici socket"
    poll 10 "$SWANCTL" --stats --uri "$VICI" || fail "charon does not answer on vici"
    "$SWANCTL" --load-all --noprompt --uri "$VICI" --file "$conf" >"$TMP/load.txt" 2>&1 \
        || { cat "$TMP/load.txt" >&2; fail "swanctl --load-all"; }
}

# stop_charon [NAME]: stops the running charon (so another can start); NAME keeps its log as
# $TMP/charon-NAME.log.
stop_charon() {
    stop_pid "$CHARON_PID"
    [ -z "${1:-}" ] || mv "$TMP/charon.log" "$TMP/charon-$1.log"
}

# charon_gateway ADDR [OPTIONS...]: charon in $NS_GW as the home agent on ADDR
# (swanctl_gateway_conf with OPTIONS, written to swanctl-gw.conf in $SWANCTL_DIR if the test
# keeps credentials there (swanctl reads them beside the file), else in $TMP).
charon_gateway() {
    local conf=${SWANCTL_DIR:-$TMP}/swanctl-gw.conf
    swanctl_gateway_conf "$@" >"$conf"
    start_charon "$NS_GW" "$conf"
}

# swanctl_initiate [LOG]: the running charon initiates conn "ha" with child "home"; swanctl's
# output goes to $TMP/LOG (default initiate.log).
swanctl_initiate() {
    timeout 60 "$SWANCTL" --initiate --uri "$VICI" --ike ha --child home --timeout 30 \
        >"$TMP/${1:-initiate.log}" 2>&1 || fail "swanctl --initiate failed (${1:-initiate.log})"
}

# list_sas: charon's `swanctl --list-sas` into $TMP/list-sas.txt.
list_sas() { "$SWANCTL" --list-sas --uri "$VICI" >"$TMP/list-sas.txt" 2>&1; }
# sas_show PATTERN...: for poll; charon lists SAs matching every (grep) PATTERN.
sas_show() {
    local pattern
    list_sas || return 1
    for pattern in "$@"; do
        grep -q -- "$pattern" "$TMP/list-sas.txt" || return 1
    done
}
# sas_lack PATTERN: for poll; charon lists nothing matching PATTERN.
sas_lack() { list_sas && ! grep -q -- "$1" "$TMP/list-sas.txt"; }
# The CHILD_SA line of charon's list.
CHILD_INSTALLED="home: #[0-9]*, reqid [0-9]*, INSTALLED, TUNNEL"

# charon_spis_crossed JSON: in the last list_sas, charon's Child SA SPIs are those of our JSON
# result crossed (its inbound SPI is the one we send with).
charon_spis_crossed() {
    local spi_in spi_out
    spi_in=$(json_field "$1" child_sa spi_in)
    spi_out=$(json_field "$1" child_sa spi_out)
    grep -q "in  *${spi_out}" "$TMP/list-sas.txt" || fail "charon inbound SPI != our outbound SPI"
    grep -q "out *${spi_in}" "$TMP/list-sas.txt" || fail "charon outbound SPI != our inbound SPI"
}

psk_secrets_section() {
    cat <<CONF
secrets {
    ike-mn {
        id-mn = $MN_ID
        id-ha = $HA_ID
        secret = "$(cat "$TMP/psk")"
    }
}
CONF
}

# ike_listening NS ADDR: a process in NS listens on UDP [ADDR]:500 and [ADDR]:4500 (poll it
# before a peer sends its first IKE_SA_INIT).
ike_listening() {
    ip netns exec "$1" ss -Hnlu "sport = :500" | grep -q "$2" &&
        ip netns exec "$1" ss -Hnlu "sport = :4500" | grep -q "$2"
}

# swanctl_conf_options KEY=VALUE...: the options of swanctl_gateway_conf / swanctl_mn_conf into
# the variables below (defaults: PSK, AES-GCM-16-256 with X25519, the usual pool).
swanctl_conf_options() {
    SWAN_PROPOSALS=aes256gcm16-prfsha256-x25519 SWAN_ESP=aes256gcm16
    SWAN_POOL=2001:db8:2::10-2001:db8:2::ff SWAN_EXTRA= SWAN_CERT=
    local opt
    for opt in "$@"; do
        case "$opt" in
            proposals=*) SWAN_PROPOSALS=${opt#*=} ;;
            esp=*) SWAN_ESP=${opt#*=} ;;
            pool=*) SWAN_POOL=${opt#*=} ;;
            extra=*) SWAN_EXTRA=${opt#*=} ;;
            cert=*) SWAN_CERT=${opt#*=} ;;
            *) fail "swanctl conf: unknown option $opt" ;;
        esac
    done
}

# swanctl_auth_lines SIDE: the auth lines of a local (SIDE=local) or remote end: PSK, or
# public keys with the local certificate SWAN_CERT.
swanctl_auth_lines() {
    if [ -z "$SWAN_CERT" ]; then
        echo "            auth = psk"
    else
        echo "            auth = pubkey"
        [ "$1" = local ] && echo "            certs = $SWAN_CERT"
    fi
}

# swanctl_gateway_conf ADDR [proposals=P] [esp=E] [pool=FIRST-LAST] [extra=LINE] [cert=F]:
# prints a swanctl.conf for charon as the home agent on ADDR: conn "mn" for $MN_ID handing out
# addresses from pool mip6pool by CP, child "home" (tunnel, 2001:db8:ff::/48), and the PSK
# secrets unless cert= names charon's certificate (then both ends use public keys). extra= is
# one more line in the conn (e.g. "encap = yes").
swanctl_gateway_conf() {
    local addr=$1
    shift
    swanctl_conf_options "$@"
    cat <<CONF
connections {
    mn {
        version = 2
        local_addrs = $addr
        proposals = $SWAN_PROPOSALS
        ${SWAN_EXTRA}
        pools = mip6pool
        local {
$(swanctl_auth_lines local)
            id = $HA_ID
        }
        remote {
$(swanctl_auth_lines remote)
            id = $MN_ID
        }
        children {
            home {
                local_ts = 2001:db8:ff::/48
                esp_proposals = $SWAN_ESP
                mode = tunnel
            }
        }
    }
}
pools {
    mip6pool {
        addrs = $SWAN_POOL
    }
}
CONF
    [ -n "$SWAN_CERT" ] || psk_secrets_section
}

# swanctl_mn_conf REMOTE [proposals=P] [esp=E] [extra=LINE] [cert=F]: prints a swanctl.conf for
# charon as the mobile node $MN: conn "ha" towards REMOTE asking for a home address by CP
# (vips = ::), child "home"; PSK secrets unless cert= names charon's certificate.
swanctl_mn_conf() {
    local remote=$1
    shift
    swanctl_conf_options "$@"
    cat <<CONF
connections {
    ha {
        version = 2
        local_addrs = $MN
        remote_addrs = $remote
        proposals = $SWAN_PROPOSALS
        ${SWAN_EXTRA}
        vips = ::
        local {
$(swanctl_auth_lines local)
            id = $MN_ID
        }
        remote {
$(swanctl_auth_lines remote)
            id = $HA_ID
        }
        children {
            home {
                remote_ts = 2001:db8:ff::/48
                esp_proposals = $SWAN_ESP
                mode = tunnel
            }
        }
    }
}
CONF
    [ -n "$SWAN_CERT" ] || psk_secrets_section
}

# initiate_from_mn REMOTE [OPTIONS...]: charon in $NS_MN as the mobile node
# (swanctl_mn_conf towards REMOTE with OPTIONS, in swanctl-mn.conf as for charon_gateway);
# loads it and initiates (swanctl_initiate).
initiate_from_mn() {
    local conf=${SWANCTL_DIR:-$TMP}/swanctl-mn.conf
    swanctl_mn_conf "$@" >"$conf"
    start_charon "$NS_MN" "$conf"
    swanctl_initiate
}

# has_option OPTION ARGS...: ARGS contain OPTION.
has_option() {
    local want=$1 arg
    shift
    for arg in "$@"; do
        [ "$arg" = "$want" ] && return 0
    done
    return 1
}

# start_responder NS ADDR NAME [ARGS...]: our `mip6-ike respond` on ADDR in NS with identity
# $HA_ID, the test's PSK (unless ARGS have --cert or --psk-file) and pool $OUR_POOL (unless ARGS
# have --pool); JSON lines in $TMP/NAME.json, log in $TMP/NAME.err. Returns once it listens on
# ADDR's ports 500 and 4500; sets RESPONDER_PID.
start_responder() {
    local ns=$1 addr=$2 name=$3 defaults=()
    shift 3
    has_option --cert "$@" || has_option --psk-file "$@" || defaults+=(--psk-file "$TMP/psk")
    has_option --pool "$@" || defaults+=(--pool "$OUR_POOL")
    ip netns exec "$ns" "$MIP6_IKE" respond --listen "$addr" --id "$HA_ID" "${defaults[@]}" \
        "$@" >"$TMP/$name.json" 2>"$TMP/$name.err" &
    RESPONDER_PID=$!
    STARTED_PIDS+=("$RESPONDER_PID")
    poll 10 ike_listening "$ns" "$addr" ||
        fail "$name (mip6-ike respond) is not listening on [$addr]:500 and :4500"
}

# run_initiator NAME [ARGS...]: our `mip6-ike initiate` from $MN in $NS_MN, as $MN_ID towards
# $GW ($HA_ID) asking for an address, 30 s timeout, with the test's PSK unless ARGS have --cert
# or --psk-file (ARGS may override --remote). Prints the JSON ($TMP/NAME.json; log NAME.err) and
# returns mip6-ike's status.
run_initiator() {
    local name=$1 defaults=() rc
    shift
    has_option --cert "$@" || has_option --psk-file "$@" || defaults+=(--psk-file "$TMP/psk")
    has_option --remote "$@" || defaults+=(--remote "$GW")
    ip netns exec "$NS_MN" timeout 60 "$MIP6_IKE" initiate --local "$MN" --id "$MN_ID" \
        --remote-id "$HA_ID" --request-address --timeout 30 "${defaults[@]}" "$@" \
        >"$TMP/$name.json" 2>"$TMP/$name.err"
    rc=$?
    cat "$TMP/$name.json"
    return $rc
}

# finished PID DEADLINE_S WHAT: PID (started by this test) ends within DEADLINE_S seconds with
# status 0, or the test fails naming WHAT.
finished() {
    local pid=$1 end=$((SECONDS + $2)) what=$3 rc
    while kill -0 "$pid" 2>/dev/null; do
        [ $SECONDS -lt $end ] || fail "$what did not finish within $2 s"
        sleep 0.1
    done
    wait "$pid"
    rc=$?
    forget_pid "$pid"
    [ $rc = 0 ] || fail "$what exited $rc"
}

# has_line FILE PYTHON-EXPR: some JSON line j of FILE satisfies the expression.
has_line() {
    python3 - "$1" "$2" <<'PY'
import json, sys
ok = False
for line in open(sys.argv[1]):
    try:
        j = json.loads(line)
    except ValueError:
        continue
    if eval(sys.argv[2], {}, {"j": j}):
        ok = True
sys.exit(0 if ok else 1)
PY
}

json_field() {
    python3 -c 'import json,sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
    v = v[k]
print(v)' "$@"
}
