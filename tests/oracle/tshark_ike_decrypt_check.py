#!/usr/bin/python3
"""Oracle for SK decryption: tshark (Wireshark 4.0) decrypts OUR IKEv2 capture with the key
table WE exported, and its decrypted fields must equal mip6-dissect's.

1. mip6-ike-capture KEYLOG (or --pcap/--keys from a live run, e.g. tests/netns): packets of
   two of our engines (AES-GCM-16 256 on UDP 500, 128 on 4500 with the non-ESP marker), an
   IKE_AUTH pair under AES-CBC-256 + HMAC-SHA2-256-128, a tampered IKE_AUTH and one under
   unknown SPIs; KEYLOG written by ike::io::IkeKeylog (what `mip6-ike --ike-keylog` uses).
2. tshark runs with a PRIVATE profile: HOME and XDG_CONFIG_HOME point into a temp dir whose
   wireshark/ikev2_decryption_table is a copy of KEYLOG (never the user's configuration).
3. Every frame: no Malformed, no expert warning (except the tampered one, which tshark must
   flag "Integrity Checksum Data is incorrect" and we must report sk_integrity_check_failed);
   every SK frame with keys is decrypted by both, and the inner payloads agree field by field
   (types, IDs, AUTH, CP attributes, notifies, SA/transforms, TS), as do IV, ICV and Pad Length.
   Frames under unknown SPIs: tshark does not decrypt, we give a note.
"""

# covers: R7296-34, R7296-45

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tshark_json import (SEVERITY_WARN, Checker, all_of, first, flatten, hexs, num,  # noqa: E402
                         of_type, pairs_hook)


def check_inner(c, n, f, inner):
    """tshark's fields (outer SK + decrypted inner payloads) against our inner payloads."""
    ids = of_type(inner, 35) + of_type(inner, 36)
    c.eq(n, "isakmp.id.type", all_of(f, "isakmp.id.type", num), [x["id_type"] for x in ids])
    c.eq(n, "isakmp.id.data.fqdn", all_of(f, "isakmp.id.data.fqdn"),
         [x["value"] for x in ids if x["id_type"] == 2])
    c.eq(n, "isakmp.id.data.ipv6_addr", all_of(f, "isakmp.id.data.ipv6_addr"),
         [x["value"] for x in ids if x["id_type"] == 5])
    auths = of_type(inner, 39)
    c.eq(n, "isakmp.auth.method", all_of(f, "isakmp.auth.method", num),
         [x["auth_method"] for x in auths])
    c.eq(n, "isakmp.auth.data", [hexs(v) for v in all_of(f, "isakmp.auth.data")],
         [x["data"] for x in auths])
    cps = of_type(inner, 47)
    attrs = [a for cp in cps for a in cp["attributes"]]
    c.eq(n, "isakmp.cfg.type", all_of(f, "isakmp.cfg.type", num), [x["cfg_type"] for x in cps])
    c.eq(n, "isakmp.cfg.attr.type", all_of(f, "isakmp.cfg.attr.type", num),
         [a["type"] for a in attrs])
    c.eq(n, "isakmp.cfg.attr.value", [hexs(v) for v in all_of(f, "isakmp.cfg.attr.value")],
         [a["value"] for a in attrs if a["value"]])
    ip6 = [a["internal_ip6_address"] for a in attrs if a.get("internal_ip6_address")]
    c.eq(n, "isakmp.cfg.attr.internal_ip6_address",
         all_of(f, "isakmp.cfg.attr.internal_ip6_address"), [a["address"] for a in ip6])
    c.eq(n, "isakmp.cfg.attr.internal_ip6_address.prefix",
         all_of(f, "isakmp.cfg.attr.internal_ip6_address.prefix", num),
         [a["prefix_len"] for a in ip6])
    notifies = of_type(inner, 41)
    c.eq(n, "isakmp.notify.msgtype", all_of(f, "isakmp.notify.msgtype", num),
         [x["notify_type"] for x in notifies])
    c.eq(n, "isakmp.notify.protoid", all_of(f, "isakmp.notify.protoid", num),
         [x["protocol"] for x in notifies])
    props = [p for sa in of_type(inner, 33) for p in sa["proposals"]]
    c.eq(n, "isakmp.prop.protoid", all_of(f, "isakmp.prop.protoid", num),
         [p["protocol"] for p in props])
    c.eq(n, "isakmp.spi (proposal)", [hexs(v) for v in all_of(f, "isakmp.spi")],
         [p["spi"] for p in props if p["spi"]])
    transforms = [t for p in props for t in p["transforms"]]
    c.eq(n, "isakmp.tf.type", all_of(f, "isakmp.tf.type", num), [t["type"] for t in transforms])
    tf_ids = [num(v) for k in f if k.startswith("isakmp.tf.id.") for v in f[k]]
    c.eq(n, "isakmp.tf.id.*", sorted(tf_ids), sorted(t["id"] for t in transforms))
    c.eq(n, "isakmp.ike2.attr.key_length", all_of(f, "isakmp.ike2.attr.key_length", num),
         [t["key_length"] for t in transforms if "key_length" in t])
    sels = [s for ts in of_type(inner, 44) + of_type(inner, 45) for s in ts["selectors"]]
    c.eq(n, "isakmp.ts.type", all_of(f, "isakmp.ts.type", num), [s["ts_type"] for s in sels])
    c.eq(n, "isakmp.ts.protoid", all_of(f, "isakmp.ts.protoid", num),
         [s["ip_protocol"] for s in sels])
    c.eq(n, "isakmp.ts.start_port", all_of(f, "isakmp.ts.start_port", num),
         [s["start_port"] for s in sels])
    c.eq(n, "isakmp.ts.end_port", all_of(f, "isakmp.ts.end_port", num),
         [s["end_port"] for s in sels])
    c.eq(n, "isakmp.ts.start_ipv6", all_of(f, "isakmp.ts.start_ipv6"),
         [s["start_address"] for s in sels])
    c.eq(n, "isakmp.ts.end_ipv6", all_of(f, "isakmp.ts.end_ipv6"),
         [s["end_address"] for s in sels])


def check_frame(c, n, f, v, mine, live):
    exp = v["expect"]
    name = v["name"]
    if "_ws.malformed" in f:
        c.fail(n, "tshark flags %s as Malformed" % name)
    if "isakmp" not in f:
        c.fail(n, "tshark did not dissect %s as ISAKMP" % name)
        return
    ike = mine.get("ikev2")
    if ike is None:
        c.fail(n, "mip6-dissect did not dissect IKEv2: %s" % json.dumps(mine)[:300])
        return
    messages = all_of(f, "_ws.expert.message")
    warnings = [m for s, m in zip(all_of(f, "_ws.expert.severity", num), messages)
                if s >= SEVERITY_WARN]
    udp_good = first(f, "udp.checksum.status", num) == 1
    if live:
        # Frames captured on their way out carry the partial checksum of TX offload: both
        # sides must agree on the verdict, which is not the point of this check.
        c.eq(n, "udp checksum verdict", udp_good, mine.get("udp", {}).get("checksum_ok"))
        warnings = [m for m in warnings if "checksum" not in m.lower() or "Integrity" in m]
    else:
        c.eq(n, "udp.checksum.status", udp_good, True)
        c.eq(n, "ours udp checksum_ok", mine.get("udp", {}).get("checksum_ok"), True)
    h = ike["header"]
    c.eq(n, "isakmp.ispi", hexs(first(f, "isakmp.ispi")), h["spi_i"])
    c.eq(n, "isakmp.rspi", hexs(first(f, "isakmp.rspi")), h["spi_r"])
    c.eq(n, "isakmp.exchangetype", first(f, "isakmp.exchangetype", num), h["exchange_type"])
    c.eq(n, "isakmp.messageid", first(f, "isakmp.messageid", num), h["message_id"])
    outer = ike["payloads"]
    sks = of_type(outer, 46)
    decrypt = exp["decrypt"]
    if decrypt == "clear":
        c.eq(n, "expert warnings", warnings, [])
        c.eq(n, "SK payloads", len(sks), 0)
        c.eq(n, "ours error", mine.get("error"), None)
        return
    if len(sks) != 1:
        c.fail(n, "%s: expected one SK payload, ours has %d" % (name, len(sks)))
        return
    enc = sks[0]["encrypted"]
    tshark_decrypted = "isakmp.enc.decrypted" in f
    if decrypt == "no_key":
        c.eq(n, "expert warnings", warnings, [])
        c.eq(n, "tshark decrypted (no key)", tshark_decrypted, False)
        c.eq(n, "ours decrypt_status", enc.get("decrypt_status"), "no_key")
        c.eq(n, "ours note", "note" in mine, True)
        c.eq(n, "ours error", mine.get("error"), None)
        return
    if decrypt == "integrity":
        c.eq(n, "tshark ICV expert", any("Integrity Checksum Data is incorrect" in m
                                         for m in warnings), True)
        c.eq(n, "ours error", mine.get("error"), "sk_integrity_check_failed")
        c.eq(n, "ours decrypted", enc.get("decrypted"), False)
        c.eq(n, "ours inner payloads shown", "payloads" in enc, False)
        return
    # decrypt == "ok"
    c.eq(n, "expert warnings", warnings, [])
    c.eq(n, "ours error", mine.get("error"), None)
    c.eq(n, "tshark decrypted", tshark_decrypted, True)
    c.eq(n, "ours decrypt_status", enc.get("decrypt_status"), "ok")
    inner = enc.get("payloads", [])
    c.eq(n, "isakmp.enc.iv", hexs(first(f, "isakmp.enc.iv") or ""), enc.get("iv"))
    c.eq(n, "isakmp.enc.icd", hexs(first(f, "isakmp.enc.icd") or ""), enc.get("icv"))
    c.eq(n, "isakmp.enc.pad_length", first(f, "isakmp.enc.pad_length", num),
         enc.get("pad_length"))
    types = [t for t in all_of(f, "isakmp.typepayload", num) if t >= 33]
    c.eq(n, "isakmp.typepayload", types, [x["type"] for x in outer + inner])
    c.eq(n, "vector inner_types", exp["inner_types"], [x["type"] for x in inner])
    check_inner(c, n, f, inner)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dissect", required=True)
    ap.add_argument("--capture", help="mip6-ike-capture binary (in-process capture)")
    ap.add_argument("--pcap", help="a capture made elsewhere (with --keys)")
    ap.add_argument("--keys", help="its IKE keylog (ikev2_decryption_table format)")
    ap.add_argument("--min-decrypted", type=int, default=1,
                    help="with --pcap: at least this many SK frames must decrypt")
    ap.add_argument("--tshark", default="tshark")
    args = ap.parse_args()
    if not args.capture and not (args.pcap and args.keys):
        sys.exit("give --capture, or --pcap and --keys")

    with tempfile.TemporaryDirectory() as tmp:
        if args.capture:
            keylog = os.path.join(tmp, "keylog")
            r = run([args.capture, keylog])
            if r.returncode != 0:
                sys.exit("mip6-ike-capture failed (%d): %s" % (r.returncode, r.stderr))
            vectors = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
            pcap = os.path.join(tmp, "ike.pcap")
            hex_text = "".join("# %s\n%s\n" % (v["name"], v["hex"]) for v in vectors)
            w = run([args.dissect, "--write-pcap", pcap], input=hex_text)
            if w.returncode != 0:
                sys.exit("mip6-dissect --write-pcap failed: %s%s" % (w.stdout, w.stderr))
            mode = os.stat(keylog).st_mode & 0o777
            if mode != 0o600:
                sys.exit("keylog mode is %o, not 600" % mode)
        else:
            keylog, pcap, vectors = args.keys, args.pcap, None

        # The private profile: tshark reads $XDG_CONFIG_HOME/wireshark/ikev2_decryption_table.
        conf = os.path.join(tmp, "config")
        os.makedirs(os.path.join(conf, "wireshark"))
        shutil.copyfile(keylog, os.path.join(conf, "wireshark", "ikev2_decryption_table"))
        env = dict(os.environ, HOME=tmp, XDG_CONFIG_HOME=conf)
        t = run([args.tshark, "-r", pcap, "-o", "udp.check_checksum:TRUE", "-T", "json", "-V"],
                env=env)
        if t.returncode != 0:
            sys.exit("tshark failed (%d): %s" % (t.returncode, t.stderr))
        frames = json.loads(t.stdout, object_pairs_hook=pairs_hook)
        ours = run([args.dissect, "--pcap", pcap, "--ike-keys", keylog, "--jsonl"])
        if ours.returncode not in (0, 1):
            sys.exit("mip6-dissect --pcap exited %d: %s%s" % (ours.returncode, ours.stdout,
                                                             ours.stderr))
        mine_all = [json.loads(line) for line in ours.stdout.splitlines() if line.strip()]

    if vectors is None:
        # A live capture: classify each frame from our own dissection; the comparison with
        # tshark is what is checked. Only IKE frames are compared.
        vectors = []
        for m in mine_all:
            sks = of_type(m.get("ikev2", {}).get("payloads", []), 46)
            if "ikev2" not in m:
                decrypt = "skip"
            elif not sks:
                decrypt = "clear"
            else:
                st = sks[0]["encrypted"].get("decrypt_status")
                decrypt = {"ok": "ok", "no_key": "no_key"}.get(st, "integrity")
            inner = sks[0]["encrypted"].get("payloads", []) if sks else []
            vectors.append({"name": "frame", "expect": {"decrypt": decrypt,
                                                        "inner_types": [x["type"] for x in inner]}})
    if len(frames) != len(vectors) or len(mine_all) != len(vectors):
        sys.exit("frame counts differ: %d expected, %d tshark, %d ours" % (
            len(vectors), len(frames), len(mine_all)))
    c = Checker()
    decrypted = 0
    for i, (v, frame, mine) in enumerate(zip(vectors, frames, mine_all), start=1):
        if v["expect"]["decrypt"] == "skip":
            continue
        check_frame(c, i, flatten(frame, {}), v, mine, live=args.capture is None)
        decrypted += v["expect"]["decrypt"] == "ok"
    if decrypted < args.min_decrypted:
        c.fail(0, "only %d SK frames decrypted, want >= %d" % (decrypted, args.min_decrypted))

    if c.failures:
        print("\n".join(c.failures))
        sys.exit("%d mismatches (%d comparisons)" % (len(c.failures), c.compared))
    print("tshark_ike_decrypt_check: %d frames, %d decrypted by both, %d comparisons, all equal"
          % (len(vectors), decrypted, c.compared))


if __name__ == "__main__":
    main()
