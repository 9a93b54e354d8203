# Shared by the netns interop tests (sourced, not run): two namespaces joined by a veth pair,
# charon instances in a private mount namespace, polling with deadlines, and a cleanup trap
# that ends only the processes this test started and deletes its namespaces and temp dir.
#   ns "gw"  veth0 2001:db8:1::1,   lo 2001:db8:ff::1 (home network, the Child SA's TS)
#   ns "mn"  veth1 2001:db8:1::100
# Callers set NETNS_TEST (a short name) before sourcing.

CHARON=${CHARON:-/usr/lib/ipsec/charon}
SWANCTL=${SWANCTL:-swanctl}
NS_GW=mip6ss-gw-$$
NS_MN=mip6ss-mn-$$
GW=2001:db8:1::1
MN=2001:db8:1::100
HA_ID=ha.mip6.example
MN_ID=mn1@mip6.example
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

# stop_pid PID: TERM, wait up to 10 s, then KILL. Only for processes this test started.
stop_pid() {
    local pid=$1
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

check_prerequisites() {
    [ "$(id -u)" = 0 ] || fail "needs root (network namespaces)"
    [ -x "$CHARON" ] || fail "$CHARON missing: install strongswan-charon (tools/setup.sh)"
    command -v "$SWANCTL" >/dev/null || fail "swanctl missing: install strongswan-swanctl"
    [ -x "$MIP6_IKE" ] || fail "mip6-ike not built: $MIP6_IKE"
    command -v ip >/dev/null || fail "ip (iproute2) missing"
    command -v python3 >/dev/null || fail "python3 missing"
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
    # The "home network" behind the gateway: the Child SA's TS on the gateway side. It must
    # not contain the peer's own address, or kernel-libipsec routes IKE into its TUN device.
    ip -n "$NS_GW" addr add 2001:db8:ff::1/128 dev lo nodad
    ip -n "$NS_GW" link set veth0 up
    ip -n "$NS_MN" link set veth1 up
    poll 10 link_up "$NS_GW" veth0 || fail "veth0 not up"
    poll 10 link_up "$NS_MN" veth1 || fail "veth1 not up"
    printf '%s\n' 'mip6-interop-psk-3f9a1c' >"$TMP/psk"
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

# start_tshark NS PORT NAME: tshark on interface PORT in NS (UDP 500/4500), writing
# $TMP/NAME.pcap and one summary line per packet to $TMP/NAME.out; sets TSHARK_PID (stopped by
# cleanup). Poll tshark_ready before sending what must be captured.
start_tshark() {
    local ns=$1 port=$2 name=$3
    ip netns exec "$ns" tshark -n -l -P -i "$port" -f "udp port 500 or udp port 4500" \
        -w "$TMP/$name.pcap" >"$TMP/$name.out" 2>"$TMP/$name.tshark.log" </dev/null &
    TSHARK_PID=$!
    STARTED_PIDS+=("$TSHARK_PID")
}

# tshark_ready NAME FROM_NS FROM_ADDR TO_ADDR: for poll; sends a probe datagram and checks that
# the capture NAME saw it (tshark takes a while to start capturing).
tshark_ready() {
    ip netns exec "$2" bash -c "echo probe >/dev/udp/$4/500" 2>/dev/null
    grep -qF "$3" "$TMP/$1.out"
}

# The kernels this runs on have XFRM but no ESP transforms, so charon installs Child SAs with
# kernel-libipsec (user-space ESP over a TUN device). That plugin makes charon fake a NAT
# (random NAT_DETECTION_SOURCE_IP) to force UDP encapsulation. CHARON_EXTRA_PLUGINS (optional)
# is appended to the plugin list, e.g. "pem pkcs1 pkcs8 x509 pubkey constraints" for certificates.
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
        }
    }
}
CONF
}

# start_charon NS SWANCTL_CONF: charon in NS with a private /run (its pid file is hard-coded
# to /run/charon.pid), then swanctl --load-all. Sets VICI.
start_charon() {
    local ns=$1 conf=$2
    write_strongswan_conf
    mkdir -p "$TMP/run"
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

# charon in $NS_MN as the mobile node (swanctl_mn_conf towards $1); loads it and initiates.
# Output of swanctl --initiate goes to $TMP/initiate.log.
initiate_from_mn() {
    local remote=$1
    swanctl_mn_conf "$remote" >"$TMP/swanctl.conf"
    start_charon "$NS_MN" "$TMP/swanctl.conf"
    timeout 60 "$SWANCTL" --initiate --uri "$VICI" --ike ha --child home --timeout 30 \
        >"$TMP/initiate.log" 2>&1 || fail "swanctl --initiate failed"
}

json_field() {
    python3 -c 'import json,sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
    v = v[k]
print(v)' "$@"
}
