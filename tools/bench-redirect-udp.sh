#!/usr/bin/env bash
# RFC 5685 IKE_SA_INIT redirects over UDP: libreswan's global redirect against our responder
# (`mip6-ike respond --redirect-to`), the same load (`mip6-load ike-init`), the same machine,
# the same run. Issue 4 target: ours >= 10 x libreswan.
#
# Usage: tools/bench-redirect-udp.sh [--duration S] [--window N] [--rounds N] [--json FILE]
#                                    [--build-dir DIR] [--no-build]
# Needs root (a network namespace). Builds Release mip6-ike and mip6-load in build-bench/
# (or --build-dir) unless --no-build; installs libreswan only through `tools/setup.sh
# libreswan` when it is missing. Everything runs in one namespace this script creates, on its
# own loopback: the gateway under test on 2001:db8:1::1 redirects to 2001:db8:1::2, the load
# comes from 2001:db8:1::100. Rounds alternate libreswan and ours; the figures are the best
# round of each. Prints `name value unit` lines (as tools/bench does), the commands, and the
# ratio. CPU figures come from /proc (utime + stime of the gateway process during the run):
# "per_cpu_s" (redirects per CPU-second of the gateway) does not depend on how busy the
# machine is, the plain rate does.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
duration=5 window=256 rounds=1 build_dir=build-bench build=1 json_out=
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --window) window=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --json) json_out=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "needs root (network namespace)" >&2; exit 1; }

if [ "$build" = 1 ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build_dir" --target mip6-ike mip6-load -j "${MIP6_JOBS:-$(nproc)}" >/dev/null
fi
MIP6_IKE=$root/$build_dir/tools/mip6-ike/mip6-ike
MIP6_LOAD=$root/$build_dir/tools/mip6-load/mip6-load
[ -x "$MIP6_IKE" ] && [ -x "$MIP6_LOAD" ] || { echo "mip6-ike/mip6-load not built in $build_dir" >&2; exit 1; }

. tools/libreswan/pluto.sh
if [ -n "$(libreswan_missing)" ]; then
  tools/setup.sh libreswan
fi
missing=$(libreswan_missing)
[ -z "$missing" ] || { echo "$missing" >&2; exit 1; }

NS=mip6bench-$$
GW=2001:db8:1::1
TARGET=2001:db8:1::2
SRC=2001:db8:1::100
TMP=$(mktemp -d /tmp/mip6-bench-redirect.XXXXXX)
OURS_PID=
cleanup() {
  local rc=$?
  stop_pluto
  if [ -n "$OURS_PID" ]; then
    kill "$OURS_PID" 2>/dev/null || true
    wait "$OURS_PID" 2>/dev/null || true
  fi
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ip netns add "$NS"
ip -n "$NS" link set lo up
for a in $GW $SRC; do
  ip -n "$NS" addr add "$a/128" dev lo nodad
done
printf '%s\n' 'mip6-bench-psk' >"$TMP/psk"

load_cmd() {  # load_cmd PID OUT
  echo ip netns exec "$NS" "$MIP6_LOAD" ike-init --target $GW --source $SRC \
    --duration "$duration" --window "$window" --pid "$1" --json "$2"
}

run_libreswan() {  # run_libreswan ROUND
  start_pluto "$NS" "$TMP/pluto" $GW $TARGET "$(cat "$TMP/psk")"
  LIBRESWAN_CMD=$(load_cmd "$PLUTO_PID" "$TMP/libreswan.$1.json")
  $LIBRESWAN_CMD 2>>"$TMP/lines.txt"
  stop_pluto
  rm -rf "$TMP/pluto"
}

run_ours() {  # run_ours ROUND
  ip netns exec "$NS" "$MIP6_IKE" respond --listen $GW --psk-file "$TMP/psk" \
    --id gw1.mip6.example --pool 2001:db8:3::/64 --redirect-to $TARGET --quiet \
    >"$TMP/ours.out" 2>"$TMP/ours.err" &
  OURS_PID=$!
  local end=$((SECONDS + 10))
  until ip netns exec "$NS" ss -Hnlu "sport = :500" | grep -qF "[$GW]:500"; do
    [ $SECONDS -lt $end ] || { echo "mip6-ike respond did not bind [$GW]:500" >&2; cat "$TMP/ours.err" >&2; exit 1; }
    sleep 0.1
  done
  OURS_CMD=$(load_cmd "$OURS_PID" "$TMP/ours.$1.json")
  $OURS_CMD 2>>"$TMP/lines.txt"
  kill "$OURS_PID"
  wait "$OURS_PID" || true
  OURS_PID=
}

for r in $(seq 1 "$rounds"); do
  run_libreswan "$r"
  run_ours "$r"
done

/usr/bin/python3 - "$TMP" "$rounds" "$duration" "$window" "${json_out:-}" <<'PY'
import json, os, sys
tmp, rounds, duration, window, json_out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
def best(kind):
    runs = [json.load(open(os.path.join(tmp, f"{kind}.{r}.json"))) for r in range(1, rounds + 1)]
    return max(runs, key=lambda j: j["rates"]["redirects_per_s"]), runs
out = {}
for kind in ("libreswan", "mip6"):
    j, runs = best("libreswan" if kind == "libreswan" else "ours")
    rate = j["rates"]["redirects_per_s"]
    cpu = j.get("target_cpu_pct", 0.0)
    bad = j["answers"]["redirect_bad_nonce"] + j["answers"]["malformed"] + j["unmatched"]
    per_cpu = rate / (cpu / 100.0) if cpu > 0 else 0.0
    out[kind] = {"redirects_per_s": rate, "gateway_cpu_pct": cpu, "redirects_per_cpu_s": per_cpu,
                 "latency_mean_us": j["latency_us"]["mean"], "latency_p99_us": j["latency_us"]["p99"],
                 "none": j["none"], "bad_answers": bad, "load_cpu_pct": j["load_cpu_pct"],
                 "rounds": [x["rates"]["redirects_per_s"] for x in runs]}
    print(f"redirect_udp.{kind}.rate {rate:.0f} /s")
    print(f"redirect_udp.{kind}.gateway_cpu {cpu:.0f} %")
    print(f"redirect_udp.{kind}.per_cpu_s {per_cpu:.0f} /cpu-s")
    print(f"redirect_udp.{kind}.latency_mean {j['latency_us']['mean']:.0f} us")
    print(f"redirect_udp.{kind}.latency_p99 {j['latency_us']['p99']:.0f} us")
    print(f"redirect_udp.{kind}.none {j['none']} requests")
    print(f"redirect_udp.{kind}.bad_answers {bad} answers")
ls, ours = out["libreswan"], out["mip6"]
ratio = ours["redirects_per_s"] / ls["redirects_per_s"] if ls["redirects_per_s"] else 0.0
cpu_ratio = (ours["redirects_per_cpu_s"] / ls["redirects_per_cpu_s"]
             if ls["redirects_per_cpu_s"] else 0.0)
print(f"redirect_udp.ratio {ratio:.2f} x")
print(f"redirect_udp.ratio_per_cpu_s {cpu_ratio:.2f} x")
print(f"redirect_udp.target_ratio 10 x")
print(f"redirect_udp.meets_target {'yes' if ratio >= 10 else 'no'} -")
out["ratio"] = ratio
out["ratio_per_cpu_s"] = cpu_ratio
out["duration_s"] = float(duration)
out["window"] = int(window)
out["loadavg"] = open("/proc/loadavg").read().split()[:3]
print(f"redirect_udp.loadavg {' '.join(out['loadavg'])} (1/5/15 min)")
if json_out:
    json.dump(out, open(json_out, "w"), indent=2)
PY
echo "# libreswan: pluto $("$PLUTO" --version 2>/dev/null | head -c 20) global-redirect=yes global-redirect-to=$TARGET (tools/libreswan/global-redirect.conf.in)"
echo "# ours: $MIP6_IKE respond --listen $GW --redirect-to $TARGET --quiet ..."
echo "# load: $LIBRESWAN_CMD"
echo "#       $OURS_CMD"
sed 's/^/# /' "$TMP/lines.txt"
