"""Checks that every program the project's scripts and tests run comes from a Debian package
the project installs or that a minimal Debian 12 root already has.

  (a) finds the programs each script runs: shell scripts (command words, also behind
      `ip netns exec`, `timeout`, `env`, `unshare`, `sh -c '...'`, `$(...)`, `poll N ...`, and
      variables assigned a program such as CHARON=${CHARON:-/usr/lib/ipsec/charon}), Python
      (subprocess calls with a literal program, argparse defaults such as --tshark tshark) and
      CMake (add_test/execute_process COMMAND, find_program); each must be declared in
      tools/deps/programs.txt;
  (b) each declared program's package must be in debian-packages.txt or libreswan-packages.txt
      (tools/setup.sh installs them), be "libreswan" (setup.sh unpacks it), or be in
      minbase-packages.txt (what `debootstrap --variant=minbase bookworm` installs); scripts
      that install tools-packages.txt themselves may also use those;
  (c) where a declared program is installed on this machine, dpkg must say it belongs to the
      declared package (or to a package that one depends on directly).
Programs built by the project (CMake add_executable), scripts of the repository, shell
builtins and functions defined in the scanned scripts need no declaration.
"""

import argparse
import os
import re
import subprocess
import sys

BUILTINS = set("""
. : [ alias bg bind break builtin caller cd command compgen complete continue declare dirs
disown echo enable eval exec exit export false fc fg getopts hash help history jobs kill let
local logout mapfile popd printf pushd pwd read readarray readonly return set shift shopt source
suspend test times trap true type typeset ulimit umask unalias unset wait
""".split())
# Words that open or close a compound command; what follows is in command position.
KEYWORDS = {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "time",
            "{", "}", "esac"}
# Wrappers: a program (or builtin) that runs the command given in its arguments.
# name -> (options that take a separate argument, number of positional words before the command)
WRAPPERS = {
    "timeout": ({"-s", "--signal", "-k", "--kill-after"}, 1),
    "env": ({"-u", "--unset", "-C", "--chdir", "-S"}, 0),
    "unshare": ({"--propagation", "--setgroups", "--map-user", "--map-group", "-S", "-G",
                 "--setuid", "--setgid", "-R", "--root", "-w", "--wd"}, 0),
    "nice": ({"-n", "--adjustment"}, 0),
    "nohup": (set(), 0),
    "setsid": (set(), 0),
    "chroot": ({"--userspec", "--groups"}, 1),
    "xargs": ({"-I", "-n", "-P", "-d", "-E", "-L", "-s", "-a"}, 0),
    "exec": ({"-a"}, 0),
    "command": (set(), 0),
    "time": (set(), 0),
    # the netns lib's poll DEADLINE CMD...
    "poll": (set(), 1),
}
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=")
PROGRAM_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")


class ShellLexer:
    """Splits shell text into words and operators, enough to find command words: quotes,
    $(...), `...`, <(...), ${...}, $((...)), here-documents, comments and redirections. The text
    of command substitutions, unquoted here-documents and process substitutions is lexed again
    as commands of its own (self.nested); quoted here-document bodies go to self.heredocs."""

    def __init__(self, text, line=1):
        self.s = text
        self.i = 0
        self.line = line
        self.tokens = []  # (kind, text, line, quoted); kind "word" or "op"
        self.nested = []  # (text, line)
        self.heredocs = []  # (body, line)
        self.pending = []  # here-documents to read after the current line: (delim, strip, raw)
        self.lex()

    def peek(self, n=0):
        j = self.i + n
        return self.s[j] if j < len(self.s) else ""

    def skip(self, j, in_double):
        """Index just past the construct at j that hides its characters (an escape, $(...), and
        outside double quotes a quoted string); None at an ordinary character."""
        c = self.s[j]
        if c == "\\":
            return j + 2
        if c == "$" and self.s[j + 1:j + 2] == "(":
            return self.matching(j + 2, "(", ")")
        if in_double:
            return None
        if c == "'":
            return self.s.find("'", j + 1) + 1 or len(self.s)
        if c == '"':
            return self.end_of_double(j + 1)
        return None

    def matching(self, start, open_ch, close_ch):
        """Index just past the close_ch matching the open_ch before start (quotes skipped)."""
        depth, j = 1, start
        while j < len(self.s):
            nxt = self.skip(j, False)
            if nxt is not None:
                j = nxt
                continue
            if self.s[j] == open_ch:
                depth += 1
            elif self.s[j] == close_ch:
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        return len(self.s)

    def end_of_double(self, j):
        """Index just past the closing quote of a double-quoted string starting at j."""
        while j < len(self.s):
            nxt = self.skip(j, True)
            if nxt is not None:
                j = nxt
                continue
            if self.s[j] == '"':
                return j + 1
            j += 1
        return len(self.s)

    def substitution(self, start):
        """At '$(' or '<(' / '>(' (self.i at '$' or '<'): records the inner text as nested."""
        inner_start = start + 2
        end = self.matching(inner_start, "(", ")")
        self.nested.append((self.s[inner_start:end - 1], self.line))
        self.line += self.s.count("\n", start, end)
        self.i = end

    def double_quoted(self):
        """self.i just past the opening quote; returns the content (substitutions recorded)."""
        out = []
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == "\\":
                nxt = self.peek(1)
                out.append(nxt if nxt in '$`"\\' else "\\" + nxt)
                self.i += 2
                continue
            if c == '"':
                self.i += 1
                break
            if c == "$" and self.peek(1) == "(":
                if self.peek(2) == "(":
                    end = self.matching(self.i + 3, "(", ")") + 1
                    out.append(self.s[self.i:end])
                    self.i = end
                else:
                    self.substitution(self.i)
                    out.append("$(...)")
                continue
            if c == "`":
                end = self.s.find("`", self.i + 1)
                end = len(self.s) if end < 0 else end
                self.nested.append((self.s[self.i + 1:end], self.line))
                self.i = end + 1
                out.append("$(...)")
                continue
            if c == "\n":
                self.line += 1
            out.append(c)
            self.i += 1
        return "".join(out)

    def read_heredocs(self):
        for delim, strip, raw in self.pending:
            start_line = self.line
            body = []
            while self.i < len(self.s):
                end = self.s.find("\n", self.i)
                end = len(self.s) if end < 0 else end
                text = self.s[self.i:end]
                self.i = end + 1
                self.line += 1
                if (text.lstrip("\t") if strip else text) == delim:
                    break
                body.append(text)
            body = "\n".join(body)
            if raw:
                self.heredocs.append((body, start_line + 1))
            else:
                # an unquoted here-document expands $(...) as a double-quoted string does
                quoted = '"' + body.replace('"', '\\"') + '"'
                self.nested.extend(ShellLexer(quoted, start_line + 1).nested)
        self.pending = []

    def lex(self):
        word, quoted, word_line = None, False, self.line

        def flush():
            nonlocal word, quoted
            if word is not None:
                self.tokens.append(("word", word, word_line, quoted))
            word, quoted = None, False

        def op(text):
            flush()
            self.tokens.append(("op", text, self.line, False))

        while self.i < len(self.s):
            c = self.s[self.i]
            if word is None:
                word_line = self.line
            if c == "\\" and self.peek(1) == "\n":
                self.i += 2
                self.line += 1
                continue
            if c == "\\":
                word = (word or "") + self.s[self.i + 1:self.i + 2]
                self.i += 2
                continue
            if c == "\n":
                op("\n")
                self.i += 1
                self.line += 1
                self.read_heredocs()
                continue
            if c in " \t":
                flush()
                self.i += 1
                continue
            if c == "#" and word is None:
                end = self.s.find("\n", self.i)
                self.i = len(self.s) if end < 0 else end
                continue
            if c == "'":
                end = self.s.find("'", self.i + 1)
                end = len(self.s) if end < 0 else end
                word = (word or "") + self.s[self.i + 1:end]
                self.line += self.s.count("\n", self.i, end)
                quoted = True
                self.i = end + 1
                continue
            if c == '"':
                self.i += 1
                word = (word or "") + self.double_quoted()
                quoted = True
                continue
            if c == "`":
                end = self.s.find("`", self.i + 1)
                end = len(self.s) if end < 0 else end
                self.nested.append((self.s[self.i + 1:end], self.line))
                word = (word or "") + "$(...)"
                self.i = end + 1
                continue
            if c == "$" and self.peek(1) == "(":
                if self.peek(2) == "(":  # arithmetic
                    end = self.matching(self.i + 3, "(", ")") + 1
                    word = (word or "") + self.s[self.i:end]
                    self.i = end
                else:
                    self.substitution(self.i)
                    word = (word or "") + "$(...)"
                continue
            if c == "$" and self.peek(1) == "{":
                end = self.matching(self.i + 2, "{", "}")
                word = (word or "") + self.s[self.i:end]
                self.i = end
                continue
            if c == "(" and word is not None and ASSIGNMENT.match(word) and word.endswith("="):
                end = self.matching(self.i + 1, "(", ")")  # array assignment
                word += self.s[self.i:end]
                self.line += self.s.count("\n", self.i, end)
                self.i = end
                continue
            if c in "<>" and self.peek(1) == "(":
                flush()
                self.substitution(self.i)
                self.tokens.append(("word", "$(...)", self.line, False))
                continue
            if c == "(" and self.peek(1) == "(" and (not self.tokens or
                                                     self.tokens[-1][0] == "op") and word is None:
                end = self.matching(self.i + 2, "(", ")") + 1  # (( arithmetic ))
                self.i = end
                continue
            if c in "<>" or (c == "&" and self.peek(1) == ">"):
                if word is not None and word.isdigit():
                    word = None  # fd number of a redirection
                flush()
                if self.s.startswith("<<<", self.i):
                    self.i += 3
                    self.skip_word()
                    continue
                if self.s.startswith("<<", self.i):
                    self.i += 2
                    strip = self.peek() == "-"
                    if strip:
                        self.i += 1
                    while self.peek() in " \t":
                        self.i += 1
                    m = re.match(r"""(['"]?)([A-Za-z_0-9]+)\1""", self.s[self.i:])
                    if m:
                        self.pending.append((m.group(2), strip, bool(m.group(1))))
                        self.i += m.end()
                    continue
                m = re.match(r"&?[<>]{1,2}[&|]?", self.s[self.i:])
                self.i += m.end()
                if self.s[self.i - 1] == "&" and re.match(r"[0-9-]", self.peek()):
                    self.i += 1  # 2>&1, >&-
                    continue
                self.skip_word()
                continue
            if c in ";&|()":
                two = self.s[self.i:self.i + 2]
                if two in ("&&", "||", ";;", "|&"):
                    op(two)
                    self.i += 2
                else:
                    op(c)
                    self.i += 1
                continue
            word = (word or "") + c
            self.i += 1
        flush()
        self.tokens.append(("op", "\n", self.line, False))
        self.read_heredocs()

    def skip_word(self):
        """Skips the target word of a redirection; substitutions in it are still recorded."""
        while self.peek() in " \t":
            self.i += 1
        j = self.i
        while j < len(self.s) and self.s[j] not in " \t\n;&|)":
            if self.s[j] == "'":
                j = self.s.find("'", j + 1)
                j = len(self.s) if j < 0 else j + 1
            elif self.s[j] == '"':
                j = self.end_of_double(j + 1)
            elif self.s[j] in "$<>" and self.s[j + 1:j + 2] == "(":
                j = self.matching(j + 2, "(", ")")
            elif self.s.startswith("${", j):
                j = self.matching(j + 2, "{", "}")
            else:
                j += 1
        self.nested.extend(ShellLexer(self.s[self.i:j], self.line).nested)
        self.i = j


class Use:
    def __init__(self, program, path, line, how):
        self.program, self.path, self.line, self.how = program, path, line, how


class Scanner:
    """Collects the programs scripts run. Variable values and function names are gathered from
    every scanned shell file first (the netns tests source their libraries)."""

    def __init__(self, repo, project_programs):
        self.repo = repo
        self.project_programs = project_programs
        self.functions = set()
        self.variables = {}  # name -> set of literal values
        self.dynamic = set()  # variables also assigned something computed ($1, $(...))
        self.uses = []

    # ---- shell ---------------------------------------------------------------------------
    def collect_definitions(self, text):
        for m in re.finditer(r"^\s*(?:function\s+)?([A-Za-z_][A-Za-z0-9_-]*)\s*\(\)\s*\{?",
                             text, re.M):
            self.functions.add(m.group(1))
        for m in re.finditer(r"^\s*(?:local\s+|export\s+|readonly\s+)?([A-Za-z_][A-Za-z0-9_]*)="
                             r"\"?([^\s\"]*)", text, re.M):
            name, value = m.group(1), m.group(2)
            default = re.match(r"^\$\{" + name + r":-([^}]*)\}$", value)
            if default:
                value = default.group(1)
            if re.match(r"^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/", value) or \
                    (value and not value.startswith("$") and not value.startswith("(")):
                self.variables.setdefault(name, set()).add(value)
            elif value.startswith("$"):
                self.dynamic.add(name)

    def resolve(self, word):
        """The program names a command word may stand for (none for unknown variables)."""
        if not word or word.startswith("$(") or word.startswith("$(("):
            return []
        m = re.match(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?(/.*)?$", word)
        if m:
            if m.group(2):
                return [os.path.basename(m.group(2))]
            names = []
            if m.group(1) in self.dynamic:
                return []
            for value in self.variables.get(m.group(1), ()):
                names.extend(self.resolve(value))
            return names
        if "$" in word:
            tail = word.rsplit("/", 1)[-1]
            return [tail] if "/" in word and "$" not in tail else []
        return [os.path.basename(word) if "/" in word else word]

    def scan_shell(self, text, path, line=1):
        for m in re.finditer(r"-DCMAKE_(?:C|CXX)_COMPILER=([A-Za-z0-9_.+-]+)", text):
            at = line + text.count("\n", 0, m.start())
            self.uses.append(Use(m.group(1), path, at, m.group(0)))
        lexer = ShellLexer(text, line)
        self.scan_tokens(lexer.tokens, path)
        for inner, inner_line in lexer.nested:
            self.scan_shell(inner, path, inner_line)
        for body, body_line in lexer.heredocs:
            self.scan_python(body, path, body_line)

    def scan_tokens(self, tokens, path):
        """Splits the tokens into simple commands; skips case headers and patterns."""
        words, paren_depth, case_depth, state, i = [], 0, 0, None, 0
        while i < len(tokens):
            kind, text, line, quoted = tokens[i]
            i += 1
            bare = kind == "word" and not quoted
            if state == "header":  # case WORD in
                state = "pattern" if bare and text == "in" else "header"
                continue
            if state == "pattern":  # PATTERN | PATTERN )  or  esac
                if bare and text == "esac":
                    case_depth, state = case_depth - 1, None
                elif kind == "op" and text == ")":
                    state = None
                continue
            if kind == "word":
                if bare and not words and text == "case":
                    case_depth, state = case_depth + 1, "header"
                    continue
                words.append((text, line, quoted))
                continue
            # function definition: NAME ( )
            if text == "(" and len(words) == 1 and i < len(tokens) and tokens[i][1] == ")":
                self.functions.add(words[0][0])
                words = []
                i += 1
                continue
            if text == "(":
                paren_depth += 1
            elif text == ")" and paren_depth > 0:
                paren_depth -= 1
            self.simple_command(words, path)
            words = []
            if text == ";;" and case_depth > 0:
                state = "pattern"
            if text == "\n" and case_depth > 0 and state is None:
                # the next line may start a pattern (or be esac); a command starts otherwise
                j = i
                while j < len(tokens) and tokens[j][1] == "\n":
                    j += 1
                if j < len(tokens) and tokens[j][0] == "word" and self.pattern_ahead(tokens, j):
                    state = "pattern"
        self.simple_command(words, path)

    @staticmethod
    def pattern_ahead(tokens, j):
        """True when tokens[j:] is PATTERN [| PATTERN]... ) before any other operator."""
        while j < len(tokens):
            kind, text = tokens[j][0], tokens[j][1]
            if kind == "op":
                if text == ")":
                    return True
                if text != "|":
                    return False
            j += 1
        return False

    def simple_command(self, words, path):
        while words and words[0][0] in KEYWORDS and not words[0][2]:
            words = words[1:]
        if not words:
            return
        first = words[0][0]
        if first in ("for", "select", "case", "function", "[[", "in") and not words[0][2]:
            return
        while words and ASSIGNMENT.match(words[0][0]):
            words = words[1:]
        if not words:
            return
        self.command(words, path)

    def command(self, words, path):
        word, line, _ = words[0]
        args = words[1:]
        names = self.resolve(word)
        for name in names:
            self.uses.append(Use(name, path, line, word))
        name = names[0] if names else None
        if name == "need":  # netns_lib's need PROGRAM...: the script runs these
            self.uses.extend(Use(a[0], path, a[1], "need") for a in args)
            return
        if name in ("sh", "bash") and len(args) >= 2 and args[0][0] == "-c":
            self.scan_shell(args[1][0], path, args[1][1])
            return
        if name == "ip" and [a[0] for a in args[:2]] == ["netns", "exec"] and len(args) > 3:
            self.command(args[3:], path)
            return
        if name in WRAPPERS:
            with_arg, positional = WRAPPERS[name]
            j = 0
            while j < len(args) and (args[j][0].startswith("-") or
                                     (name == "env" and ASSIGNMENT.match(args[j][0]))):
                j += 2 if args[j][0] in with_arg else 1
            j += positional
            if name == "command" and any(a[0] in ("-v", "-V") for a in args[:1]):
                return
            if j < len(args):
                self.command(args[j:], path)

    # ---- python --------------------------------------------------------------------------
    def scan_python(self, text, path, line=1):
        patterns = [
            r"subprocess\.(?:run|Popen|call|check_call|check_output)\(\s*\[\s*[\"']([^\"']+)",
            r"add_argument\(\s*[\"']--([A-Za-z0-9_-]+)[\"'][^)]*default=[\"']([^\"']+)[\"']",
        ]
        for k, pattern in enumerate(patterns):
            for m in re.finditer(pattern, text):
                if k == 1 and m.group(1) != os.path.basename(m.group(2)):
                    continue  # a default that is not a program named like its option
                prog = m.group(2 if k == 1 else 1)
                at = line + text.count("\n", 0, m.start())
                self.uses.append(Use(os.path.basename(prog), path, at, prog))

    # ---- cmake ---------------------------------------------------------------------------
    def scan_cmake(self, text, path):
        for m in re.finditer(r"\bCOMMAND\s+(\S+)((?:\s+\S+){0,4})", text):
            prog, rest = m.group(1), m.group(2).split()
            at = text.count("\n", 0, m.start()) + 1
            if prog == "${CMAKE_COMMAND}":
                self.uses.append(Use("cmake", path, at, prog))
                if rest[:2] == ["-E", "env"]:
                    rest = [w for w in rest[2:] if not ASSIGNMENT.match(w)]
                    prog = rest[0] if rest else ""
                else:
                    continue
            if not prog or prog.startswith("$<") or prog.startswith("${"):
                continue
            self.uses.append(Use(os.path.basename(prog), path, at, prog))
        for m in re.finditer(r"find_program\(\s*\w+\s+(?:NAMES\s+)?([A-Za-z0-9_.+-]+)", text):
            at = text.count("\n", 0, m.start()) + 1
            self.uses.append(Use(m.group(1), path, at, m.group(1)))


def read_list(path):
    """Package names of a tools/deps list: the first word of each line, comments dropped."""
    names = []
    with open(path) as f:
        for raw in f:
            fields = raw.split("#", 1)[0].split()
            if fields:
                names.append(fields[0])
    return names


def read_programs(path):
    """programs.txt: PROGRAM PACKAGE [PATH] per line -> {program: (package, path, line)}."""
    programs = {}
    with open(path) as f:
        for n, raw in enumerate(f, 1):
            fields = raw.split("#", 1)[0].split()
            if not fields:
                continue
            if len(fields) not in (2, 3):
                sys.exit(f"{path}:{n}: expected PROGRAM PACKAGE [PATH]")
            programs[fields[0]] = (fields[1], fields[2] if len(fields) == 3 else None, n)
    return programs


def unused_programs_check(programs, used):
    """Declared programs no script runs (implicit ones excepted)."""
    return [f"tools/deps/programs.txt:{n}: {name} is declared but no script runs it"
            for name, (package, path, n) in sorted(programs.items())
            if name not in used and path != "implicit"]


def repo_files(repo):
    """The repository's files, without .git and the build trees (build*/ at the top)."""
    files = []
    for d, dirs, names in os.walk(repo):
        if d == repo:
            dirs[:] = [x for x in dirs if x != ".git" and not x.startswith("build")]
        files.extend(os.path.relpath(os.path.join(d, n), repo) for n in names)
    return sorted(files)


def kind_of(repo, rel):
    if rel.endswith(".py"):
        return "python"
    if os.path.basename(rel) == "CMakeLists.txt" or rel.endswith(".cmake"):
        return "cmake"
    if rel.endswith(".sh"):
        return "shell"
    try:
        with open(os.path.join(repo, rel), "rb") as f:
            head = f.readline()
    except OSError:
        return None
    if head.startswith(b"#!") and re.search(rb"\b(ba)?sh\b", head):
        return "shell"
    if head.startswith(b"#!") and b"python" in head:
        return "python"
    return None


def owner_candidates(path):
    """The names dpkg may know a program by: the path, its target and their /usr-merged twins."""
    candidates = [path, os.path.realpath(path)]
    for p in list(candidates):
        candidates.append(p[4:] if p.startswith("/usr/") else "/usr" + p)
    return candidates


def dpkg_owners(paths):
    """{path: packages dpkg says own it} for the paths it knows, in one dpkg-query (each query
    reads every package's file list)."""
    out = subprocess.run(["dpkg-query", "-S", *paths], capture_output=True, text=True)
    owners = {}
    for line in out.stdout.splitlines():
        if line.startswith("diversion by"):
            continue
        pkgs, _, listed = line.partition(": ")
        owners.setdefault(listed.strip(), set()).update(x.strip() for x in pkgs.split(","))
    return owners


def direct_dependencies(package):
    out = subprocess.run(["dpkg-query", "-W", "-f=${Depends}, ${Pre-Depends}", package],
                         capture_output=True, text=True)
    return {re.split(r"[\s:(]", d.strip())[0] for alt in out.stdout.split(",")
            for d in alt.split("|") if d.strip()}


def locate(program, path):
    if path and path != "implicit":
        return path if os.access(path, os.X_OK) else None
    for d in ("/usr/sbin", "/usr/bin", "/sbin", "/bin"):
        p = os.path.join(d, program)
        if os.access(p, os.X_OK) and not os.path.isdir(p):
            return p
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repo", default=os.path.normpath(os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "..", "..")))
    ap.add_argument("--files", nargs="+", help="scan only these files (default: the repository)")
    ap.add_argument("--no-dpkg", action="store_true", help="skip (c)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every use found")
    args = ap.parse_args()
    repo = args.repo
    deps = os.path.join(repo, "tools", "deps")
    programs = read_programs(os.path.join(deps, "programs.txt"))
    installed = set(read_list(os.path.join(deps, "debian-packages.txt")))
    installed |= set(read_list(os.path.join(deps, "libreswan-packages.txt")))
    installed.add("libreswan")  # unpacked by tools/setup.sh libreswan
    minbase = set(read_list(os.path.join(deps, "minbase-packages.txt")))
    tools_only = set(read_list(os.path.join(deps, "tools-packages.txt")))

    files = repo_files(repo)
    project = set()
    for rel in files:
        if kind_of(repo, rel) == "cmake":
            with open(os.path.join(repo, rel)) as f:
                project.update(re.findall(r"add_executable\(\s*([A-Za-z0-9_.+-]+)", f.read()))
    project.update(os.path.basename(rel) for rel in files)  # the repository's own scripts

    scan = args.files or [rel for rel in files if not rel.startswith("tests/deps/fixtures/")]
    scanner = Scanner(repo, project)
    texts = {}
    for rel in scan:
        kind = kind_of(repo, rel)
        if kind is None:
            continue
        with open(os.path.join(repo, rel), errors="replace") as f:
            texts[rel] = (kind, f.read())
        if kind == "shell":
            scanner.collect_definitions(texts[rel][1])
    for rel, (kind, text) in texts.items():
        {"shell": scanner.scan_shell, "python": scanner.scan_python,
         "cmake": scanner.scan_cmake}[kind](text, rel)

    problems = {}  # message -> places
    used = set()
    for use in scanner.uses:
        name = use.program
        if name in project or name in scanner.functions or name in BUILTINS:
            continue
        if args.verbose:
            print(f"{use.path}:{use.line}: {name} ({use.how})")
        used.add(name)
        if name not in programs:
            message = (f"runs {name!r}, which tools/deps/programs.txt does not declare "
                       f"(add: {name} PACKAGE)")
        else:
            package = programs[name][0]
            allowed = installed | minbase
            if "tools-packages.txt" in texts.get(use.path, ("", ""))[1]:
                allowed = allowed | tools_only
            if package in allowed:
                continue
            message = (f"runs {name!r} from package {package}, which is neither in "
                       "debian-packages.txt, libreswan-packages.txt nor a minbase root")
            if package in tools_only:
                message += " (tools-packages.txt is only for scripts that install it)"
        problems.setdefault(message, []).append(f"{use.path}:{use.line}")
    errors = []
    for message, places in problems.items():
        more = f" and {len(places) - 3} more" if len(places) > 3 else ""
        errors.append(f"{', '.join(places[:3])}{more}: {message}")
    if not args.files:
        errors.extend(unused_programs_check(programs, used))
    if not args.no_dpkg:
        found = {}
        for name, (package, path, n) in sorted(programs.items()):
            where = locate(name, path)
            if package != "libreswan" and where is not None:  # libreswan: unpacked, not dpkg's
                found[name] = where
        candidates = {name: owner_candidates(where) for name, where in found.items()}
        owners_of = dpkg_owners(sorted({p for c in candidates.values() for p in c}))
        for name, where in found.items():
            package, _, n = programs[name]
            owners = next((owners_of[p] for p in candidates[name] if p in owners_of), set())
            if not owners:
                errors.append(f"tools/deps/programs.txt:{n}: {where} belongs to no Debian "
                              "package on this machine")
            elif package not in owners and not owners & direct_dependencies(package):
                errors.append(f"tools/deps/programs.txt:{n}: {name} is declared from {package}"
                              f", but dpkg says {where} belongs to {', '.join(sorted(owners))}")
    for e in errors:
        print(e)
    print(f"check-deps: {len(texts)} files, {len(scanner.uses)} program uses, "
          f"{len(programs)} declared programs: "
          + ("ok" if not errors else f"{len(errors)} problems"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
