#!/usr/bin/env bash
# The main job: the most complete scenario the project can run today. See README.md.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-build}
cd "$root"
if [ -x "$build/tools/mip6-sim/mip6-sim" ]; then
  exec "$build/tools/mip6-sim/mip6-sim" --pcap "$build/main-job.pcap"
fi
echo "mip6-sim is not built yet; running the unit tests instead"
exec "$build/tests/ike/base/ike_base_tests"
