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
