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

# charon in $NS_MN as the mobile node: conn "ha" towards $1 asking for a home address by CP
# (vips = ::), child "home"; loads it and initiates. Output of swanctl --initiate goes to
# $TMP/initiate.log.
initiate_from_mn() {
    local remote=$1
    cat >"$TMP/swanctl.conf" <<CONF
connections {
    ha {
        version = 2
        local_addrs = $MN
        remote_addrs = $remote
        proposals = aes256gcm16-prfsha256-x25519
        vips = ::
        local {
            auth = psk
            id = $MN_ID
        }
        remote {
            auth = psk
            id = $HA_ID
        }
        children {
            home {
                remote_ts = 2001:db8:ff::/48
                esp_proposals = aes256gcm16
                mode = tunnel
            }
        }
    }
}
$(psk_secrets_section)
CONF
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
