#!/usr/bin/env bash
# Runs a README command in a brand-new Debian 12 root, to catch what passes only because a
# developer's machine or CI already has it (a program whose package tools/deps/ does not list).
# Run it, as root, before resolving an issue that adds a dependency; `test` takes about half an
# hour on 2 cores, so it is not part of CI.
#   tools/fresh-check.sh [test]         bash tools/setup.sh test in the fresh root
#   tools/fresh-check.sh main|deps|build|libreswan   the same for that setup.sh command
#   tools/fresh-check.sh 'CMD'          any shell command, run in the clone's top directory
# What it does:
#  1. installs tools/deps/tools-packages.txt (debootstrap, git) when missing;
#  2. once: `debootstrap --variant=minbase bookworm` with apt sources bookworm,
#     bookworm-updates and bookworm-security, kept as $MIP6_FRESH_CACHE/bookworm-minbase.tar
#     (default cache /var/cache/mip6-fresh; delete the tar to rebuild it); its package list
#     must match tools/deps/minbase-packages.txt, which tools/check-deps.sh trusts as present;
#  3. unpacks a fresh copy of that root, git-clones the committed HEAD of this checkout (not
#     the working tree) into /src/mip6 in it, and runs the command there through chroot, in a
#     private mount namespace with the root bind-mounted on itself, proc, sys, dev (+ pts) and a
#     tmpfs /run (both for `ip netns`), with a clean environment (MIP6_* variables and CI are
#     passed on);
#  4. writes the whole output to $MIP6_FRESH_CACHE/last-run.log, prints its last lines and
#     exits with the command's status. The copy is removed afterwards (MIP6_FRESH_KEEP=1 keeps
#     it), and processes left running inside it are ended, also on failure or interrupt.
# MIP6_FRESH_MIRROR overrides the Debian mirror (default http://deb.debian.org/debian).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${MIP6_FRESH_CACHE:-/var/cache/mip6-fresh}
mirror=${MIP6_FRESH_MIRROR:-http://deb.debian.org/debian}
security_mirror=${mirror%/debian}/debian-security
tarball=$cache/bookworm-minbase.tar
log=$cache/last-run.log

arg=${1:-test}
case "$arg" in
  main | test | deps | build | libreswan) cmd="bash tools/setup.sh $arg" ;;
  *) cmd=$arg ;;
esac

step_start=$SECONDS
step() {
  printf '== [%4ds] %s\n' $((SECONDS - step_start)) "$*"
}

[ "$(id -u)" -eq 0 ] || { echo "fresh-check: run as root (debootstrap, chroot)" >&2; exit 2; }
bash "$repo/tools/setup.sh" deps "$repo/tools/deps/tools-packages.txt" >/dev/null
mkdir -p "$cache"

# The root's apt sources: the same suites as a Debian 12 installation.
write_sources() {
  local root=$1
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security_mirror
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
}

build_root_tarball() {
  local build=$cache/build.$$
  rm -rf "$build"
  step "debootstrap --variant=minbase bookworm ($mirror)"
  debootstrap --variant=minbase bookworm "$build" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -n 30 "$cache/debootstrap.log" >&2; rm -rf "$build"; exit 1; }
  write_sources "$build"
  chroot "$build" apt-get clean
  tar --numeric-owner -C "$build" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  rm -rf "$build"
  step "cached $tarball"
}

[ -f "$tarball" ] || build_root_tarball

work=$(mktemp -d "$cache/run.XXXXXX")
root=$work/root

# Ends what still runs inside the copy (only processes whose root directory is the copy), then
# removes it. The mounts live in the private mount namespace of the run and are gone with it.
cleanup() {
  local rc=$? p pids=()
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && pids+=("${p#/proc/}")
  done
  if [ ${#pids[@]} -gt 0 ]; then
    echo "fresh-check: ending ${#pids[@]} processes left in the root" >&2
    kill -9 "${pids[@]}" 2>/dev/null || true
  fi
  if grep -qF " $root/" /proc/self/mountinfo; then
    echo "fresh-check: mounts left under $root; not removing it" >&2
  elif [ "${MIP6_FRESH_KEEP:-0}" = 1 ]; then
    echo "fresh-check: kept $root"
  else
    rm -rf "$work"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "unpacking a fresh root into $root"
mkdir "$root"
tar --numeric-owner -C "$root" -xf "$tarball"
chroot "$root" dpkg-query -W -f='${Package}\n' | sort >"$work/packages.txt"
if ! sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$repo/tools/deps/minbase-packages.txt" |
  diff -u - "$work/packages.txt" >"$work/packages.diff"; then
  echo "fresh-check: the root's packages differ from tools/deps/minbase-packages.txt:" >&2
  cat "$work/packages.diff" >&2
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"

rev=$(git -C "$repo" rev-parse HEAD)
step "cloning $rev into /src/mip6"
[ -z "$(git -C "$repo" status --porcelain)" ] ||
  echo "fresh-check: uncommitted changes in $repo are not part of the check" >&2
git clone -q --no-checkout "$repo" "$root/src/mip6"
git -C "$root/src/mip6" checkout -q --detach "$rev"

# Clean environment in the root: the variables a user would have, plus the project's knobs.
env_args=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  LANG=C.UTF-8 TERM=dumb)
while IFS='=' read -r name _; do
  case "$name" in MIP6_FRESH_*) ;; MIP6_* | CI) env_args+=("$name=${!name}") ;; esac
done < <(env)

step "running: $cmd (output: $log)"
set +e
unshare --mount --propagation private bash -c '
  root=$1
  shift
  trap "umount -R \"\$root\" 2>/dev/null" EXIT
  # The root a mount point of its own: `ip netns` makes / a slave mount, which needs one.
  mount --bind "$root" "$root" &&
    mount -t proc proc "$root/proc" &&
    mount -t sysfs sysfs "$root/sys" &&
    mount --rbind /dev "$root/dev" &&
    mount -t tmpfs -o mode=0755 tmpfs "$root/run" || exit 1
  chroot "$root" /usr/bin/env -i "$@"
' fresh-check "$root" "${env_args[@]}" /bin/bash -c "cd /src/mip6 && $cmd" </dev/null >"$log" 2>&1
status=$?
set -e
step "exit status $status; last lines of $log:"
tail -n 25 "$log"
exit $status
