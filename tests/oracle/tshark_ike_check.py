#!/usr/bin/python3
"""Cross-checks our IKEv2 encoders and mip6-dissect's IKEv2 layer against tshark (Wireshark 4.0).

1. mip6-ike-vectors (OUR ike::wire encoders, UDP over IPv6 and IPv4, ports 500 and 4500 with
   the non-ESP marker, ESP in UDP) -> hex -> `mip6-dissect --write-pcap` (LINKTYPE_RAW).
2. `tshark -r x.pcap -T json -V` with UDP and IPv4 checksum validation on: no frame may be
   Malformed or carry an expert warning/error, and tshark's fields (isakmp.exchangetype,
   isakmp.ispi, isakmp.notify.msgtype, isakmp.notify.data.redirect.*, transforms, KE, nonce,
   IDs, AUTH, CP, TS, Delete, Vendor ID, payload types, esp.spi) must equal both the vector's
   expectations (taken from the Message struct) and what `mip6-dissect --pcap` says.
One extra frame, the first vector with one octet of its Ni flipped (UDP checksum now wrong),
must be flagged bad by tshark and by us, and still dissect as IKE on both sides.
"""

# covers: R5685-01, R5685-34, R5685-35, R5685-36, R5685-38, R7296-07

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tshark_json import (SEVERITY_WARN, Checker, all_of, first, flag, flatten, hexs,  # noqa: E402
                         num, of_type, pairs_hook)


def check_ike(c, n, f, exp, mine):
    ike = mine.get("ikev2")
    if ike is None or "error" in mine:
        c.fail(n, "mip6-dissect did not dissect IKEv2: %s" % json.dumps(mine)[:300])
        return
    h = ike["header"]
    p = ike["payloads"]
    # Header: tshark vs ours, and ours vs the vector (built from the Message struct).
    c.eq(n, "isakmp.ispi", hexs(first(f, "isakmp.ispi")), h["spi_i"])
    c.eq(n, "isakmp.rspi", hexs(first(f, "isakmp.rspi")), h["spi_r"])
    c.eq(n, "isakmp.exchangetype", first(f, "isakmp.exchangetype", num), h["exchange_type"])
    c.eq(n, "isakmp.messageid", first(f, "isakmp.messageid", num), h["message_id"])
    c.eq(n, "isakmp.length", first(f, "isakmp.length", num), h["length"])
    c.eq(n, "isakmp.flag_i", first(f, "isakmp.flag_i", flag), h["flags"]["I"])
    c.eq(n, "isakmp.flag_r", first(f, "isakmp.flag_r", flag), h["flags"]["R"])
    for key, ours in (("spi_i", h["spi_i"]), ("spi_r", h["spi_r"]),
                      ("exchange_type", h["exchange_type"]), ("message_id", h["message_id"]),
                      ("initiator", h["flags"]["I"]), ("response", h["flags"]["R"])):
        c.eq(n, "vector " + key, exp[key], ours)
    # Payload chain: isakmp.typepayload also names proposal (2) and transform (3) substructures.
    types = [t for t in all_of(f, "isakmp.typepayload", num) if t >= 33]
    c.eq(n, "isakmp.typepayload", types, [x["type"] for x in p])
    c.eq(n, "vector payload_types", exp["payload_types"], [x["type"] for x in p])

    notifies = of_type(p, 41)
    c.eq(n, "isakmp.notify.msgtype", all_of(f, "isakmp.notify.msgtype", num),
         [x["notify_type"] for x in notifies])
    c.eq(n, "vector notify_types", exp["notify_types"], [x["notify_type"] for x in notifies])
    c.eq(n, "isakmp.notify.data", [hexs(v) for v in all_of(f, "isakmp.notify.data")],
         [x["data"] for x in notifies])
    c.eq(n, "isakmp.notify.protoid", all_of(f, "isakmp.notify.protoid", num),
         [x["protocol"] for x in notifies])
    redirects = [x["redirect"] for x in notifies if "redirect" in x]
    froms = [x["redirected_from"] for x in notifies if "redirected_from" in x]
    c.eq(n, "redirect.gw_ident.type",
         all_of(f, "isakmp.notify.data.redirect.gw_ident.type", num),
         [r["gw_ident_type"] for r in redirects + froms])
    c.eq(n, "redirect.new_resp_gw_ident.ipv6",
         all_of(f, "isakmp.notify.data.redirect.new_resp_gw_ident.ipv6"),
         [r["gw_ident"] for r in redirects])
    c.eq(n, "redirect.nonce_data",
         [hexs(v) for v in all_of(f, "isakmp.notify.data.redirect.nonce_data")],
         [r["nonce"] for r in redirects if r["nonce"]])
    c.eq(n, "redirect.org_resp_gw_ident.ipv6",
         all_of(f, "isakmp.notify.data.redirect.org_resp_gw_ident.ipv6"),
         [r["gw_ident"] for r in froms])
    if "redirect" in exp:
        c.eq(n, "vector redirect", exp["redirect"],
             {k: redirects[0][k] for k in ("gw_ident_type", "gw_ident", "nonce")}
             if redirects else None)
    if "redirected_from" in exp:
        c.eq(n, "vector redirected_from", exp["redirected_from"],
             {k: froms[0][k] for k in ("gw_ident_type", "gw_ident")} if froms else None)

    # SA: transform types and IDs in order, key lengths.
    transforms = [t for sa in of_type(p, 33) for prop in sa["proposals"]
                  for t in prop["transforms"]]
    c.eq(n, "isakmp.tf.type", all_of(f, "isakmp.tf.type", num), [t["type"] for t in transforms])
    tf_ids = [num(v) for k in f if k.startswith("isakmp.tf.id.") for v in f[k]]
    c.eq(n, "isakmp.tf.id.*", sorted(tf_ids), sorted(t["id"] for t in transforms))
    c.eq(n, "isakmp.ike2.attr.key_length", all_of(f, "isakmp.ike2.attr.key_length", num),
         [t["key_length"] for t in transforms if "key_length" in t])
    c.eq(n, "isakmp.prop.protoid", all_of(f, "isakmp.prop.protoid", num),
         [prop["protocol"] for sa in of_type(p, 33) for prop in sa["proposals"]])
    c.eq(n, "isakmp.key_exchange.dh_group", all_of(f, "isakmp.key_exchange.dh_group", num),
         [x["dh_group"] for x in of_type(p, 34)])
    c.eq(n, "isakmp.nonce", [hexs(v) for v in all_of(f, "isakmp.nonce")],
         [x["nonce"] for x in of_type(p, 40)])
    ids = of_type(p, 35) + of_type(p, 36)
    c.eq(n, "isakmp.id.type", all_of(f, "isakmp.id.type", num), [x["id_type"] for x in ids])
    c.eq(n, "isakmp.id.data.ipv6_addr", all_of(f, "isakmp.id.data.ipv6_addr"),
         [x["value"] for x in ids if x["id_type"] == 5])
    c.eq(n, "isakmp.id.data.fqdn", all_of(f, "isakmp.id.data.fqdn"),
         [x["value"] for x in ids if x["id_type"] == 2])
    c.eq(n, "isakmp.auth.method", all_of(f, "isakmp.auth.method", num),
         [x["auth_method"] for x in of_type(p, 39)])
    cps = of_type(p, 47)
    attrs = [a for cp in cps for a in cp["attributes"]]
    c.eq(n, "isakmp.cfg.type", all_of(f, "isakmp.cfg.type", num), [x["cfg_type"] for x in cps])
    c.eq(n, "isakmp.cfg.attr.type", all_of(f, "isakmp.cfg.attr.type", num),
         [a["type"] for a in attrs])
    c.eq(n, "isakmp.cfg.attr.value", [hexs(v) for v in all_of(f, "isakmp.cfg.attr.value")],
         [a["value"] for a in attrs])
    ip6 = [a["internal_ip6_address"] for a in attrs if a.get("internal_ip6_address")]
    c.eq(n, "isakmp.cfg.attr.internal_ip6_address",
         all_of(f, "isakmp.cfg.attr.internal_ip6_address"), [a["address"] for a in ip6])
    c.eq(n, "isakmp.cfg.attr.internal_ip6_address.prefix",
         all_of(f, "isakmp.cfg.attr.internal_ip6_address.prefix", num),
         [a["prefix_len"] for a in ip6])
    sels = [s for ts in of_type(p, 44) + of_type(p, 45) for s in ts["selectors"]]
    c.eq(n, "isakmp.ts.type", all_of(f, "isakmp.ts.type", num), [s["ts_type"] for s in sels])
    c.eq(n, "isakmp.ts.protoid", all_of(f, "isakmp.ts.protoid", num),
         [s["ip_protocol"] for s in sels])
    c.eq(n, "isakmp.ts.start_port", all_of(f, "isakmp.ts.start_port", num),
         [s["start_port"] for s in sels])
    c.eq(n, "isakmp.ts.start_ipv6", all_of(f, "isakmp.ts.start_ipv6"),
         [s["start_address"] for s in sels])
    dels = of_type(p, 42)
    c.eq(n, "isakmp.delete.protoid", all_of(f, "isakmp.delete.protoid", num),
         [x["protocol"] for x in dels])
    c.eq(n, "isakmp.delete.spi", [hexs(v) for v in all_of(f, "isakmp.delete.spi")],
         [s for x in dels for s in x["spis"]])
    c.eq(n, "isakmp.vid_bytes", [hexs(v) for v in all_of(f, "isakmp.vid_bytes")],
         [x["data"] for x in of_type(p, 43)])
    # SK: tshark without keys shows the IV and data; we show the inner first type and length.
    for sk in of_type(p, 46):
        if "isakmp.enc.iv" not in f:
            c.fail(n, "tshark did not see the SK payload")
        c.eq(n, "SK inner_first (Next Payload of SK)",
             all_of(f, "isakmp.nextpayload", num)[-1] if f.get("isakmp.nextpayload") else None,
             sk["encrypted"]["inner_first_type"])


def check_frame(c, n, f, v, mine, corrupted):
    exp = v["expect"]
    if "ipv4" in mine:
        c.eq(n, "ip.src", first(f, "ip.src"), mine["ipv4"]["source"])
        c.eq(n, "ip.checksum.status", first(f, "ip.checksum.status", num), 1)
        c.eq(n, "ours ipv4 header_checksum_ok", mine["ipv4"]["header_checksum_ok"], True)
    else:
        c.eq(n, "ipv6.src", first(f, "ipv6.src"), mine.get("ipv6", {}).get("source"))
    udp = mine.get("udp", {})
    c.eq(n, "udp.srcport", first(f, "udp.srcport", num), udp.get("source_port"))
    c.eq(n, "udp.dstport", first(f, "udp.dstport", num), udp.get("destination_port"))
    # 1 = Good, 0 = Bad.
    c.eq(n, "udp.checksum.status", first(f, "udp.checksum.status", num), 0 if corrupted else 1)
    c.eq(n, "ours udp checksum_ok", udp.get("checksum_ok"), not corrupted)
    marker = "udpencap.non_esp_marker" in f
    c.eq(n, "udpencap.non_esp_marker", marker,
         mine.get("udp4500", {}).get("non_esp_marker", False))
    if "esp" in exp:
        esp = mine.get("esp", {})
        c.eq(n, "esp.spi", first(f, "esp.spi", num), esp.get("spi"))
        c.eq(n, "esp.sequence", first(f, "esp.sequence", num), esp.get("sequence"))
        c.eq(n, "vector esp", exp["esp"], {"spi": esp.get("spi"),
                                           "sequence": esp.get("sequence")})
        return
    check_ike(c, n, f, exp, mine)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dissect", required=True)
    ap.add_argument("--vectors", required=True)
    ap.add_argument("--tshark", default="tshark")
    args = ap.parse_args()

    r = subprocess.run([args.vectors], capture_output=True, text=True, check=True, timeout=60)
    vectors = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    if not vectors:
        sys.exit("mip6-ike-vectors printed nothing")
    # One corrupted frame: flip a Ni octet of the first vector (IPv6 40 + UDP 8 + IKE header
    # 28 + SA 48 + KE 72 + Nonce generic header 4), so only the UDP checksum is wrong.
    base = vectors[0]
    bad = bytearray.fromhex(base["hex"])
    bad[40 + 8 + 28 + 48 + 72 + 4] ^= 0x01
    vectors.append({"name": base["name"] + "_bad_udp_checksum", "hex": bad.hex(),
                    "expect": base["expect"], "corrupted": True})

    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "ike.pcap")
        hex_text = "".join("# %s\n%s\n" % (v["name"], v["hex"]) for v in vectors)
        w = subprocess.run([args.dissect, "--write-pcap", pcap], input=hex_text,
                           capture_output=True, text=True, timeout=60)
        if w.returncode != 0:
            sys.exit("mip6-dissect --write-pcap failed (%d): %s%s" % (w.returncode, w.stdout,
                                                                     w.stderr))
        t = subprocess.run([args.tshark, "-r", pcap, "-o", "udp.check_checksum:TRUE",
                            "-o", "ip.check_checksum:TRUE", "-T", "json", "-V"],
                           capture_output=True, text=True, timeout=120)
        if t.returncode != 0:
            sys.exit("tshark failed (%d): %s" % (t.returncode, t.stderr))
        frames = json.loads(t.stdout, object_pairs_hook=pairs_hook)
        ours = subprocess.run([args.dissect, "--pcap", pcap, "--jsonl"], capture_output=True,
                              text=True, timeout=60)
        if ours.returncode != 0:
            sys.exit("mip6-dissect --pcap exited %d: %s%s" % (ours.returncode, ours.stdout,
                                                             ours.stderr))
        mine_all = [json.loads(line) for line in ours.stdout.splitlines() if line.strip()]

    if len(frames) != len(vectors) or len(mine_all) != len(vectors):
        sys.exit("frame counts differ: %d vectors, %d tshark, %d ours" % (
            len(vectors), len(frames), len(mine_all)))
    c = Checker()
    for i, (v, frame, mine) in enumerate(zip(vectors, frames, mine_all), start=1):
        f = flatten(frame, {})
        corrupted = v.get("corrupted", False)
        severities = [num(s) for s in all_of(f, "_ws.expert.severity")]
        messages = all_of(f, "_ws.expert.message")
        if "_ws.malformed" in f:
            c.fail(i, "tshark flags %s as Malformed" % v["name"])
        if corrupted:
            c.eq(i, "bad checksum expert", any("checksum" in m.lower() for m in messages), True)
        else:
            for s, m in zip(severities, messages):
                if s >= SEVERITY_WARN:
                    c.fail(i, "tshark expert warning on %s: %s" % (v["name"], m))
        if "isakmp" not in f and "esp.spi" not in f:
            c.fail(i, "tshark did not dissect %s as ISAKMP or ESP" % v["name"])
        check_frame(c, i, f, v, mine, corrupted)

    if c.failures:
        print("\n".join(c.failures))
        sys.exit("%d mismatches (%d comparisons)" % (len(c.failures), c.compared))
    print("tshark_ike_check: %d frames, %d comparisons, all equal" % (len(vectors), c.compared))


if __name__ == "__main__":
    main()
