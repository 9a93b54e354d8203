#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (run as root):
#   tools/setup.sh main    install what is missing, build, run the main job
#   tools/setup.sh test    install what is missing, build, run the whole test suite:
#                          g++ -Werror build + ctest, the same suite under ASan+UBSan,
#                          and a clang/libFuzzer smoke run of every fuzz target
#   tools/setup.sh deps [LIST...]  only install what is missing (of debian-packages.txt, or of
#                          the given package lists, e.g. tools/deps/tools-packages.txt)
#   tools/setup.sh libreswan  unpack libreswan's pluto into /opt/libreswan (it conflicts with
#                          strongSwan in apt) with its runtime deps; `test` does this too
#   tools/setup.sh build   deps + the default build (build/)
# Environment: MIP6_JOBS (parallel jobs, default nproc), MIP6_FUZZ_SECONDS (per fuzz
# target in the smoke run, default 10), MIP6_SKIP_SANITIZE=1 / MIP6_SKIP_FUZZ=1 to shorten
# a local run (CI sets neither).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=${MIP6_JOBS:-$(nproc)}

log() { printf '\n== %s\n' "$*"; }

# install_deps [PACKAGE_LIST]: the missing packages of a list (default: debian-packages.txt).
install_deps() {
  local list=${1:-tools/deps/debian-packages.txt}
  local wanted missing=()
  wanted=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list" | awk '{print $1}')
  for p in $wanted; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "all Debian packages present"
    return
  fi
  log "installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages and not root: run as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# build <dir> <cmake args...>; MIP6_TARGETS limits what is built (default: everything)
build() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  # shellcheck disable=SC2086  # word splitting of the target list is intended
  cmake --build "$dir" -j "$jobs" ${MIP6_TARGETS:+--target $MIP6_TARGETS}
}

# Sums ctest's "N tests failed out of M" lines so the run ends with one plain total.
total_passed=0
total_failed=0
run_ctest() {
  local dir=$1
  shift
  local out status
  out=$(mktemp)
  set +e
  (cd "$dir" && ctest --output-on-failure -j "$jobs" "$@") 2>&1 | tee "$out"
  status=${PIPESTATUS[0]}
  set -e
  local line failed total
  line=$(grep -E '[0-9]+ tests failed out of [0-9]+' "$out" | tail -n 1 || true)
  if [ -n "$line" ]; then
    failed=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
    total=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$line")
    total_failed=$((total_failed + failed))
    total_passed=$((total_passed + total - failed))
  elif [ "$status" -ne 0 ]; then
    total_failed=$((total_failed + 1))
  fi
  rm -f "$out"
  return "$status"
}

# libreswan's pluto (4.10) for tools/bench-redirect-udp.sh and the libreswan netns tests.
# The package Conflicts with strongSwan in apt, so its .deb is only unpacked into
# $MIP6_LIBRESWAN_ROOT (default /opt/libreswan); pluto has /usr/libexec/ipsec compiled in
# ("FATAL ERROR: /usr/libexec/ipsec/addconn: missing"), hence the symlink (Debian's strongSwan
# uses /usr/lib/ipsec, no clash). Idempotent.
install_libreswan() {
  local lsroot=${MIP6_LIBRESWAN_ROOT:-/opt/libreswan}
  install_deps tools/deps/libreswan-packages.txt
  if [ ! -x "$lsroot/usr/libexec/ipsec/pluto" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "libreswan missing and not root: run as root" >&2
      exit 1
    fi
    log "unpacking libreswan into $lsroot"
    local d
    d=$(mktemp -d)
    chmod 0777 "$d"  # apt downloads as user _apt
    (cd "$d" && apt-get download -q libreswan) || { rm -rf "$d"; echo "apt-get download libreswan failed" >&2; exit 1; }
    mkdir -p "$lsroot"
    dpkg -x "$d"/libreswan_*.deb "$lsroot"
    rm -rf "$d"
  fi
  if [ ! -e /usr/libexec/ipsec ]; then
    ln -s "$lsroot/usr/libexec/ipsec" /usr/libexec/ipsec
  fi
  "$lsroot/usr/libexec/ipsec/pluto" --version
}

main_job() {
  log "main job"
  tools/main-job.sh build
}

test_suite() {
  local rc=0
  log "g++ build (-Werror) and test suite"
  build build -DMIP6_WERROR=ON
  run_ctest build || rc=1

  if [ "${MIP6_SKIP_SANITIZE:-0}" != 1 ]; then
    log "test suite under AddressSanitizer + UndefinedBehaviorSanitizer"
    build build-asan -DMIP6_WERROR=ON -DMIP6_SANITIZE=ON -DMIP6_BENCH=OFF \
      -DCMAKE_BUILD_TYPE=Debug
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
      run_ctest build-asan || rc=1
  fi

  if [ "${MIP6_SKIP_FUZZ:-0}" != 1 ]; then
    log "libFuzzer smoke (clang-14, ${MIP6_FUZZ_SECONDS:-10} s per target)"
    build build-fuzz -DMIP6_FUZZ=ON -DMIP6_BENCH=OFF -DCMAKE_C_COMPILER=clang-14 \
      -DCMAKE_CXX_COMPILER=clang++-14 -DMIP6_FUZZ_SMOKE_SECONDS="${MIP6_FUZZ_SECONDS:-10}"
    run_ctest build-fuzz || rc=1
  fi

  echo
  echo "all suites: ${total_passed} passed, ${total_failed} failed"
  return "$rc"
}

cmd=${1:-main}
case "$cmd" in
  deps)
    shift
    for list in "${@:-tools/deps/debian-packages.txt}"; do
      install_deps "$list"
    done
    ;;
  build) install_deps; build build ;;
  main) install_deps; MIP6_TARGETS="mip6-ha mip6ctl mip6-ike mip6-sim mip6-dissect" build build; main_job ;;
  test) install_deps; install_libreswan; test_suite ;;
  libreswan) install_libreswan ;;
  *) echo "usage: $0 main|test|deps|build|libreswan" >&2; exit 2 ;;
esac
