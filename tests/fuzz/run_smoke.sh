#!/usr/bin/env bash
# Runs one libFuzzer target for a few seconds from a scratch copy of its seed corpus, so the
# checked-in corpus is never modified by CI. A crash fails the test and leaves the input in
# the scratch directory, named in the output.
set -euo pipefail
fuzzer=$1 corpus=$2 seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
if [ -d "$corpus" ]; then cp -r "$corpus"/. "$work/corpus/"; fi
set +e
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work/corpus" >"$work/log" 2>&1
status=$?
set -e
tail -n 25 "$work/log"
if [ "$status" -ne 0 ]; then
  echo "fuzzer failed with status $status; artifacts:"; ls -l "$work/artifacts"
  for f in "$work"/artifacts/*; do [ -f "$f" ] && od -An -tx1 "$f" | head -20; done
  exit "$status"
fi
