"""Helpers shared by the tshark oracle scripts: reading tshark's -T json output, which
repeats field names inside one object, into a flat field -> [values] map."""

SEVERITY_WARN = 0x00600000  # epan/proto.h PI_WARN; PI_ERROR is 0x00800000


def pairs_hook(pairs):
    return pairs  # keep duplicate keys: tshark repeats field names inside one object


def flatten(node, out):
    """Collects every (field, value) of a tshark JSON tree, in order, keeping repeats."""
    if isinstance(node, list):
        for item in node:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                key, value = item
                if isinstance(value, (list, dict)):
                    out.setdefault(key, []).append("<tree>")
                    flatten(value, out)
                else:
                    out.setdefault(key, []).append(value)
            else:
                flatten(item, out)
    return out


def num(v):
    return int(v, 0)


def flag(v):
    return v in ("1", "True", "true")


def hexs(v):
    """tshark's colon-separated bytes as plain hex."""
    return v.replace(":", "")


def all_of(f, key, conv=str):
    """Every value of field `key` in a flattened frame (subtree markers left out)."""
    return [conv(v) for v in f.get(key, []) if v != "<tree>"]


def first(f, key, conv=str):
    """The first value of field `key`, or None."""
    vals = [v for v in f.get(key, []) if v != "<tree>"]
    return conv(vals[0]) if vals else None


def of_type(payloads, t):
    """mip6-dissect's payload objects of type `t`."""
    return [p for p in payloads if p["type"] == t]


class Checker:
    """Collects field comparisons between tshark and us; failures are reported at the end."""

    def __init__(self):
        self.failures = []
        self.compared = 0

    def eq(self, frame, what, tshark_value, ours):
        self.compared += 1
        if tshark_value != ours:
            self.failures.append("frame %d %s: tshark %r, ours %r" % (frame, what, tshark_value,
                                                                   ours))

    def fail(self, frame, msg):
        self.failures.append("frame %d: %s" % (frame, msg))
