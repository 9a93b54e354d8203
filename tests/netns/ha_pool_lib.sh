# Helpers for tests that run a pool of our mip6-ha daemons (sourced after netns_lib.sh, which
# gives TMP, fail, poll, stop_pid, STARTED_PIDS and the cleanup trap). All namespaces hang off
# one bridge in a namespace of their own:
#   pool_topology NAME:ADDR...   one namespace per NAME (mip6pool-NAME-$$) with ADDR on eth0
#   ha_config NAME ADDR CAPACITY  writes $TMP/NAME.json (shared Home Agents List: POOL_HAS)
#   start_ha NAME                 mip6-ha in NAME's namespace: events $TMP/NAME.events
#   ctl NAME ARGS...              mip6ctl --socket $TMP/NAME.sock --json ARGS
#   status_field NAME KEY...      one field of `mip6ctl status --json`
# Callers set MIP6_HA, MIP6CTL (and MIP6_IKE when they run it), and POOL_HAS
# ("ADDR:PREF ADDR:PREF ..."); HA1..HA3 are the usual pool members' addresses.

NS_POOL_BR=mip6pool-br-$$
HA1=2001:db8:1::1
HA2=2001:db8:1::2
HA3=2001:db8:1::3
POOL_NAMESPACES=()

ns_of() { echo "mip6pool-$1-$$"; }

cleanup_pool() {
    local rc=$? ns
    for ns in "${POOL_NAMESPACES[@]}" "$NS_POOL_BR"; do
        ip netns del "$ns" 2>/dev/null
    done
    (exit $rc)
    cleanup
}
trap cleanup_pool EXIT

pool_topology() {
    local pair ns specs=()
    for pair in "$@"; do
        ns=$(ns_of "${pair%%:*}")
        POOL_NAMESPACES+=("$ns")
        specs+=("$ns:${pair#*:}")
    done
    bridge_topology "$NS_POOL_BR" "${specs[@]}"
}

# ha_config NAME ADDR CAPACITY [EXTRA_JSON_FIELDS]
ha_config() {
    local name=$1 addr=$2 capacity=$3 extra=${4:-} agents="" entry
    for entry in $POOL_HAS; do
        agents+="${agents:+, }{\"address\": \"${entry%:*}\", \"preference\": ${entry##*:}}"
    done
    cat >"$TMP/$name.json" <<JSON
{
  "name": "$name",
  "addresses": ["$addr"],
  "identity": "$HA_ID",
  "psks": [{"id": "*", "secret_file": "$TMP/psk"}],
  "capacity": $capacity,
  "home_prefix": "2001:db8:3::/64",
  "pool_size": 1024,
  "home_agents": [$agents],
  "drain": {"interval_ms": 500, "jitter_ms": 100, "grace_s": 15},
  "control_socket": "$TMP/$name.sock"${extra:+,
  $extra}
}
JSON
}

start_ha() {
    local name=$1 ns
    ns=$(ns_of "$name")
    ip netns exec "$ns" "$MIP6_HA" --config "$TMP/$name.json" \
        >"$TMP/$name.events" 2>"$TMP/$name.log" </dev/null &
    STARTED_PIDS+=("$!")
    eval "PID_$name=$!"
    poll 10 test -S "$TMP/$name.sock" || fail "$name: no control socket"
    poll 10 "$MIP6CTL" --socket "$TMP/$name.sock" status || fail "$name: no answer on control"
}

ctl() {
    local name=$1
    shift
    "$MIP6CTL" --socket "$TMP/$name.sock" --json "$@"
}

status_field() {
    local name=$1
    shift
    ctl "$name" status | python3 -c 'import json,sys
v = json.load(sys.stdin)
for k in sys.argv[1:]:
    v = v[k]
print(v)' "$@"
}

# field_is NAME VALUE KEY...: for poll
field_is() {
    local name=$1 want=$2
    shift 2
    [ "$(status_field "$name" "$@" 2>/dev/null)" = "$want" ]
}

check_pool_prerequisites() {
    need_root
    need ip python3
    need_built "$MIP6_HA" "$MIP6CTL" ${MIP6_IKE:+"$MIP6_IKE"}
}

# On failure, the tail of every log, event stream, error output and JSON result of a pool test
# (overrides netns_lib's dump_logs; a test that keeps other files may define its own).
dump_logs() {
    local f
    for f in "$TMP"/*.log "$TMP"/*.events "$TMP"/*.err "$TMP"/mn*.json "$TMP"/ha*.json \
        "$TMP"/list-sas.txt; do
        [ -f "$f" ] && { echo "---- $f (tail)" >&2; tail -n 40 "$f" >&2; }
    done
    return 0
}
