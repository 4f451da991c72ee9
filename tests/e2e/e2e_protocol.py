#!/usr/bin/env python3
"""ternd against the offline lab, for the protocol rules of issue 12: ANY is resolved before RFC
8482's short answer (NXDOMAIN with its SOA for a name that does not exist, the CNAME of a CNAME
owner, REFUSED without RD), meta and reserved query types and malformed cookies are answered
FORMERR without an upstream query, zone transfers REFUSED on both transports, and the [cache] TTL
limits hold for the first answer and for the packet cache's.

  e2e_protocol.py --ternd PATH [--net 127.53] [--state DIR]
"""

import argparse
import json
import os
import random
import struct
import sys
import time

from ternd_harness import REPO, Ternd, dig, dnsmsg, header

MAX_TTL = 10
MAX_NEGATIVE_TTL = 3
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def ttl_of(line):
    return int(line.split()[1])


def query(qname, qtype_code, flags=0x0100, options=None):
    """A query with an OPT record carrying `options` (raw bytes) when given."""
    msg = struct.pack("!HHHHHH", random.randrange(65536), flags, 1, 0, 0, 1 if options is not None else 0)
    msg += dnsmsg.name_to_wire(qname) + struct.pack("!HH", qtype_code, 1)
    if options is not None:
        msg += b"\0" + struct.pack("!HHIH", 41, 1232, 0, len(options)) + options
    return msg


def cookie(length):
    return struct.pack("!HH", 10, length) + bytes(random.randrange(256) for _ in range(length))


def any_rules(t, zone):
    missing = f"nope-{random.randrange(1 << 30)}.{zone}"
    status, answer, authority = dig(t.address, t.port, missing, "ANY")
    check(status == "NXDOMAIN" and not answer and any(" SOA " in a for a in authority),
          f"ANY {missing} (does not exist) -> NXDOMAIN with the SOA")
    status, answer, _ = dig(t.address, t.port, "cdn." + zone, "ANY")
    check(status == "NOERROR" and len(answer) == 1 and " CNAME " in answer[0],
          f"ANY cdn.{zone} (a CNAME owner) -> its CNAME")
    status, answer, _ = dig(t.address, t.port, "www." + zone, "ANY")
    check(status == "NOERROR" and len(answer) == 1 and 'HINFO "RFC8482" ""' in answer[0],
          f"ANY www.{zone} (exists) -> RFC 8482's HINFO")
    status, answer, _ = dig(t.address, t.port, "api." + zone, "ANY", "+norec")
    check(status == "REFUSED" and not answer, "ANY with RD=0 -> REFUSED")


def meta_rules(t):
    for code in (0, 128, 249, 250):
        r = t.udp(query(f"meta{code}.example.", code))
        check(r is not None and header(r)["rcode"] == 1, f"TYPE{code} -> FORMERR")
    for code, name in ((252, "AXFR"), (251, "IXFR")):
        r = t.udp(query("example.", code))
        check(r is not None and header(r)["rcode"] == 5, f"{name} over UDP -> REFUSED")
        r = t.tcp(query("example.", code))
        check(r is not None and header(r)["rcode"] == 5, f"{name} over TCP -> REFUSED")
    for length in (0, 7, 9, 41):
        r = t.udp(query("cookie.example.", 1, options=cookie(length)))
        check(r is not None and header(r)["rcode"] == 1, f"COOKIE of {length} bytes -> FORMERR")
    # Answered by the query checks, not by resolution (the query log says where each came from).
    log = t.read_log()
    sent = [line for line in log.splitlines() if "meta" in line or "cookie.example." in line]
    check(sent and all(" check " in line for line in sent),
          "meta types and bad cookies never reach the engine (query log: 'check')")


def ttl_rules(t, zone):
    status, answer, _ = dig(t.address, t.port, "mail." + zone, "A")
    check(status == "NOERROR" and answer and all(ttl_of(a) <= MAX_TTL for a in answer),
          f"first answer clamped to max-ttl {MAX_TTL}: {answer}")
    status, answer, _ = dig(t.address, t.port, "mail." + zone, "A")
    check(status == "NOERROR" and answer and all(ttl_of(a) <= MAX_TTL for a in answer),
          f"packet-cache answer clamped to max-ttl {MAX_TTL}: {answer}")
    missing = f"gone-{random.randrange(1 << 30)}.{zone}"
    status, _, authority = dig(t.address, t.port, missing, "A")
    soa = [a for a in authority if " SOA " in a]
    check(status == "NXDOMAIN" and soa and ttl_of(soa[0]) <= MAX_NEGATIVE_TTL,
          f"first NXDOMAIN's SOA clamped to max-negative-ttl {MAX_NEGATIVE_TTL}: {soa}")
    time.sleep(MAX_NEGATIVE_TTL + 2)
    status, _, authority = dig(t.address, t.port, missing, "A")
    soa = [a for a in authority if " SOA " in a]
    check(status == "NXDOMAIN" and soa and 0 < ttl_of(soa[0]) <= MAX_NEGATIVE_TTL,
          f"NXDOMAIN {MAX_NEGATIVE_TTL + 2} s later is fresh, not a cached 29x: {soa}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ternd", required=True)
    p.add_argument("--net", default=os.environ.get("TERN_LAB_NET", "127.53"))
    p.add_argument("--state")
    args = p.parse_args()
    state = args.state or os.environ.get("TERN_LAB_STATE") or os.path.join(REPO, "build", f"lab-{args.net}")
    with open(os.path.join(state, "manifest.json")) as f:
        manifest = json.load(f)
    # A generated zone (A at www/mail/api, a CNAME at cdn): its name from a manifest entry.
    zone = next(e["qname"][len("cdn."):] for e in manifest["entries"] if e["id"].endswith("-cdn"))
    config = (f"[resolver]\nroot-hints = \"{manifest['root_hints']}\"\nupstream-allow = [\"127.0.0.0/8\"]\n"
              f"[cache]\nmax-ttl = {MAX_TTL}\nmax-negative-ttl = {MAX_NEGATIVE_TTL}\n"
              "[log]\nquery-log = true\nquery-log-buffer-kib = 0\n")
    t = Ternd(args.ternd, f"{args.net}.255.3", config=config)
    try:
        any_rules(t, zone)
        meta_rules(t)
        ttl_rules(t, zone)
    finally:
        code = t.stop()
        check(code == 0, f"ternd exits 0 (got {code})")
        if failures:
            print(t.read_log()[-3000:])
    print("ok" if not failures else f"FAILED: {len(failures)}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
