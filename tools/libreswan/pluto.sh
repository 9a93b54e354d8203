# libreswan's pluto in a network namespace, without systemd (sourced, not run). Used by
# tools/bench-redirect-udp.sh and tests/netns/libreswan_*_test.sh. libreswan is unpacked
# into $MIP6_LIBRESWAN_ROOT by `tools/setup.sh libreswan` (it conflicts with strongSwan in apt).
#   libreswan_missing        prints why pluto cannot run here (nothing when it can)
#   libreswan_or_skip        for tests: exits 77 (skip) printing that reason, if any
#   start_pluto NS DIR LISTEN REDIRECT_TO PSK
#                            global-redirect gateway on LISTEN; sets PLUTO_PID; state, NSS
#                            database and pluto.log under DIR
#   start_pluto_initiator NS DIR LOCAL GATEWAY LOCAL_ID REMOTE_ID PSK [REMOTE_SUBNET]
#                            IKEv2 initiator on LOCAL (initiator.conf.in): conn "mn" towards
#                            GATEWAY, accept-redirect=yes, CP address request; loaded, not
#                            initiated (pluto_whack --name mn --initiate); sets PLUTO_PID
#   pluto_whack ARGS...      whack on the running pluto's control socket
#   stop_pluto               TERM, then KILL after 10 s
# pluto logs one line per redirect (~150 octets); its log is capped at PLUTO_LOG_CAP octets
# (default 1 MiB) and the rest is read and thrown away, so a flood cannot fill the disk.

LIBRESWAN_ROOT=${MIP6_LIBRESWAN_ROOT:-/opt/libreswan}
PLUTO=$LIBRESWAN_ROOT/usr/libexec/ipsec/pluto
WHACK=$LIBRESWAN_ROOT/usr/libexec/ipsec/whack
LIBRESWAN_CONF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PLUTO_LOG_CAP=${PLUTO_LOG_CAP:-1048576}
PLUTO_PID=
PLUTO_DIR=

libreswan_missing() {
    if [ ! -x "$PLUTO" ]; then
        echo "libreswan is not installed ($PLUTO missing; run tools/setup.sh libreswan)"
    elif [ ! -x /usr/libexec/ipsec/addconn ]; then
        echo "/usr/libexec/ipsec/addconn missing (pluto needs it; tools/setup.sh libreswan links it)"
    elif ! command -v certutil >/dev/null; then
        echo "certutil missing (libnss3-tools; tools/setup.sh libreswan)"
    fi
}

# capped_log FILE: the first PLUTO_LOG_CAP octets of stdin go to FILE, the rest is discarded
# (reading on, so pluto never blocks or dies on a full pipe).
libreswan_or_skip() {
    local missing
    missing=$(libreswan_missing)
    [ -z "$missing" ] || { echo "SKIP: $missing"; exit 77; }
}

capped_log() {
    head -c "$PLUTO_LOG_CAP" >"$1"
    cat >/dev/null
}

start_pluto() {
    local ns=$1 dir=$2 listen=$3 redirect_to=$4 psk=$5
    PLUTO_DIR=$dir
    mkdir -p "$dir/run" "$dir/nss" "$dir/dump"
    sed -e "s|@LISTEN@|$listen|g" -e "s|@REDIRECT_TO@|$redirect_to|g" \
        "$LIBRESWAN_CONF_DIR/global-redirect.conf.in" >"$dir/ipsec.conf"
    (umask 077 && printf '%%any %%any : PSK "%s"\n' "$psk" >"$dir/ipsec.secrets")
    pluto_launch "$ns" "$dir" "$listen"
}

# pluto_launch NS DIR LISTEN: NSS database, then pluto on $DIR/ipsec.conf and
# $DIR/ipsec.secrets; returns once it listens on LISTEN:500.
pluto_launch() {
    local ns=$1 dir=$2 listen=$3
    certutil -N -d "sql:$dir/nss" --empty-password >/dev/null 2>&1 || {
        echo "certutil -N failed" >&2
        return 1
    }
    # ip netns exec execs pluto, so $! is pluto itself (for kill and CPU accounting).
    ip netns exec "$ns" "$PLUTO" --nofork --stderrlog --config "$dir/ipsec.conf" \
        --secretsfile "$dir/ipsec.secrets" --ipsecdir "$dir" --nssdir "$dir/nss" \
        --rundir "$dir/run" --dumpdir "$dir/dump" --no-dnssec \
        </dev/null > >(capped_log "$dir/pluto.log") 2>&1 &
    PLUTO_PID=$!
    # Ready once its socket on LISTEN:500 is bound (its log is block-buffered on a pipe, so
    # "listening for IKE messages" may show up late).
    local end=$((SECONDS + 20))
    until ip netns exec "$ns" ss -Hnlu "sport = :500" | grep -qF "[$listen]:500"; do
        if ! kill -0 "$PLUTO_PID" 2>/dev/null || [ $SECONDS -ge $end ]; then
            echo "pluto did not come up on [$listen]:500; its log:" >&2
            tail -n 30 "$dir/pluto.log" >&2
            return 1
        fi
        sleep 0.1
    done
}

start_pluto_initiator() {
    local ns=$1 dir=$2 local_addr=$3 gateway=$4 local_id=$5 remote_id=$6 psk=$7
    local remote_subnet=${8:-2001:db8:ff::/48}
    PLUTO_DIR=$dir
    mkdir -p "$dir/run" "$dir/nss" "$dir/dump"
    sed -e "s|@LOCAL@|$local_addr|g" -e "s|@GATEWAY@|$gateway|g" \
        -e "s|@LOCAL_ID@|$local_id|g" -e "s|@REMOTE_ID@|$remote_id|g" \
        -e "s|@REMOTE_SUBNET@|$remote_subnet|g" \
        "$LIBRESWAN_CONF_DIR/initiator.conf.in" >"$dir/ipsec.conf"
    (umask 077 && printf '%%any %%any : PSK "%s"\n' "$psk" >"$dir/ipsec.secrets")
    pluto_launch "$ns" "$dir" "$local_addr"
}

pluto_whack() {
    "$WHACK" --ctlsocket "$PLUTO_DIR/run/pluto.ctl" "$@"
}

stop_pluto() {
    local pid=$PLUTO_PID
    [ -n "$pid" ] || return 0
    PLUTO_PID=
    kill "$pid" 2>/dev/null
    local end=$((SECONDS + 10))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $end ]; do
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}
