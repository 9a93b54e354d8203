"""mip6-ike's JSON results, for the Python checks inside the netns tests (netns_lib.sh puts this
directory on PYTHONPATH). Each check exits with a message naming what differs."""

import ipaddress
import json
import sys


def result(path, skip_summary=False):
    """The result in PATH: the one object `mip6-ike initiate` prints, or the one SA line of
    `mip6-ike respond` (JSON lines; with skip_summary its summary line is not counted)."""
    text = open(path).read()
    try:
        return json.loads(text)
    except ValueError:
        pass
    lines = [l for l in text.splitlines()
             if l.strip() and not (skip_summary and '"summary"' in l)]
    if len(lines) != 1:
        sys.exit("expected one JSON line, got %d" % len(lines))
    return json.loads(lines[0])


def checker(r, what):
    """check(cond, detail): exits with WHAT, the detail and the result unless cond holds."""
    def check(cond, detail):
        if not cond:
            sys.exit(what + ": " + detail + ": " + json.dumps(r))
    return check


def established(r, check, peer_id, role=None):
    """ESTABLISHED with PEER_ID (and in ROLE); returns the CP address."""
    check(r.get("result") == "established" and r.get("state") == "established",
          "not established")
    if role is not None:
        check(r.get("role") == role, "role")
    check(r.get("peer_id") == peer_id, "peer identity")
    return ipaddress.IPv6Address(r.get("assigned_address", "::"))


def signatures_both_ways(r, check):
    a = r.get("auth", {})
    check(a.get("local") == "digital_signature" and a.get("peer") == "digital_signature",
          "AUTH methods (RFC 7427 method 14 expected both ways)")
    return a


def default_suites(r, check):
    """The default proposals: AES-GCM-16-256 with X25519 for the IKE SA, a 256-bit tunnel
    Child SA, and no keys printed (no --dump-keys)."""
    s = r.get("suite", {})
    check((s.get("encr"), s.get("key_bits"), s.get("prf"), s.get("dh")) ==
          ("aes_gcm16", 256, "hmac_sha2_256", "curve25519"), "IKE suite")
    c = r.get("child_sa")
    check(c is not None and c["mode"] == "tunnel" and c["key_bits"] == 256, "Child SA")
    check("keys" not in r and "keys" not in c, "keys printed without --dump-keys")
    return c


def check_obj(cond, what, obj):
    if not cond:
        sys.exit(what + ": " + json.dumps(obj))


def redirect_flood(load, target, source):
    """mip6-load's JSON after flooding a redirecting gateway (SOURCE names it): redirects
    came, each with the request's nonce (R5685-04/36) and to TARGET; nothing malformed or
    unmatched, no other answer. Returns the answer counts."""
    a = load["answers"]
    check_obj(a["redirect"] > 0, "no redirects from " + source, load)
    check_obj(a["redirect_bad_nonce"] == 0, "a REDIRECT without the request's nonce", load)
    check_obj(a["malformed"] == 0 and load["unmatched"] == 0, "malformed or unmatched answers",
              load)
    check_obj(sum(a.values()) == a["redirect"], "answers other than REDIRECT", load)
    targets = load["redirect_targets"]
    check_obj(len(targets) == 1 and ipaddress.ip_address(next(iter(targets))) == target,
              "REDIRECT names another gateway", load)
    return a
