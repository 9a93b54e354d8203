"""Tests of tools/deps/check_deps.py: what its shell scanner takes for a program, and that the
checker fails on a fixture script running an undeclared program."""

import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tools", "deps"))

import check_deps  # noqa: E402


def programs(text, functions=()):
    scanner = check_deps.Scanner(REPO, set())
    scanner.collect_definitions(text)
    scanner.functions.update(functions)
    scanner.scan_shell(text, "t.sh")
    return sorted({u.program for u in scanner.uses} - scanner.functions - check_deps.BUILTINS)


class ShellScan(unittest.TestCase):
    def test_pipelines_lists_and_substitutions(self):
        self.assertEqual(programs('a=$(cat f | sort) && grep -q x "$(head -n1 g)" || tail f'),
                         ["cat", "grep", "head", "sort", "tail"])

    def test_wrappers_run_their_command(self):
        self.assertEqual(programs('ip netns exec "$NS" timeout -s KILL 5 env A=1 ss -l\n'
                                  'unshare --mount --propagation private sh -c "mount x && dd"'),
                         ["dd", "env", "ip", "mount", "sh", "ss", "timeout", "unshare"])

    def test_quotes_comments_and_redirections_are_not_commands(self):
        self.assertEqual(programs("echo 'rm -rf /; cat x' # | sed\n"
                                  'printf "%s | wc" >"$(mktemp)" 2>&1 <in\n'
                                  'read -r a < <(awk 1 f)\nx > >(tee f) 2>&1'),
                         ["awk", "mktemp", "tee", "x"])

    def test_heredocs(self):
        text = ("cat <<EOF\nls $(uname)\nEOF\n"
                "python3 - <<'PY'\nimport subprocess\nsubprocess.run([\"tshark\", \"-v\"])\nPY\n"
                "od x\n")
        self.assertEqual(programs(text), ["cat", "od", "python3", "tshark", "uname"])

    def test_case_patterns_functions_and_keywords(self):
        text = ('f() { stat "$1"; }\n'
                'case "$x" in\n  -h | --help) f x ;;\n  main | test) nproc ;;\nesac\n'
                'if ! cmp -s a b; then for i in $(seq 3); do wc -l; done; fi\n'
                'while [ -n "$x" ]; do sleep 1; done\n')
        self.assertEqual(programs(text), ["cmp", "nproc", "seq", "sleep", "stat", "wc"])

    def test_variables_holding_programs(self):
        text = ('SWANCTL=${SWANCTL:-swanctl}\nBIN=$ROOT/usr/libexec/ipsec/pluto\nX=$1\n'
                '"$SWANCTL" --stats\n"$BIN" --version\n"$X" run\n')
        self.assertEqual(programs(text), ["pluto", "swanctl"])

    def test_need_declares_programs(self):
        self.assertEqual(programs("need openssl charon", functions=["need"]),
                         ["charon", "openssl"])


class Checker(unittest.TestCase):
    def run_checker(self, *args):
        return subprocess.run([sys.executable, os.path.join(REPO, "tools", "deps",
                                                            "check_deps.py"), *args],
                              capture_output=True, text=True, timeout=120)

    def test_fails_on_an_undeclared_program(self):
        r = self.run_checker("--no-dpkg", "--files",
                             "tests/deps/fixtures/undeclared_program.sh")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("tests/deps/fixtures/undeclared_program.sh:10: runs 'frobnicate-mip6'",
                      r.stdout)
        self.assertIn("does not declare", r.stdout)
        for declared in ("'ip'", "'grep'", "'sed'", "'timeout'", "'log'", "'-h'"):
            self.assertNotIn(declared, r.stdout)

    @unittest.skipUnless(check_deps.locate("tail", None), "no /usr/bin/tail here")
    def test_dpkg_names_the_owner(self):
        tail = check_deps.locate("tail", None)
        owners = check_deps.dpkg_owners(check_deps.owner_candidates(tail))
        self.assertIn({"coreutils"}, owners.values())
        self.assertIn("python3-minimal", check_deps.direct_dependencies("python3"))


if __name__ == "__main__":
    unittest.main()
