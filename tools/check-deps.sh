#!/usr/bin/env bash
# The dependency check (ctest deps.check, label unit): every program the project's scripts
# and tests run is declared in tools/deps/programs.txt, comes from a package tools/setup.sh
# installs or a minimal Debian 12 root has, and (where installed) belongs to that package.
# Details and options: tools/deps/check_deps.py (--help).
set -euo pipefail
exec /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/deps/check_deps.py" "$@"
