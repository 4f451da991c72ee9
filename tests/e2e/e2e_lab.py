#!/usr/bin/env python3
"""ternd against the offline lab: started with the lab's root hints and --upstream-allow
127.0.0.0/8 on <net>.255.2 (a free port), it must answer every manifest entry right, asked three
ways: the lab's own checker (UDP, TCP on TC), dig, and c-ares (tern_ares_query). Fault-authority
cases must end in the right answer or SERVFAIL within the deadline.

Entries ternd gets wrong today are listed in ternd_known_failures.json (id -> the rcode it gives
and why; the owning module fixes it). A listed entry that is now right is reported so the list
shrinks; an unlisted difference fails the test.

  e2e_lab.py --ternd PATH --ares PATH [--net 127.53] [--state DIR]
"""

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from ternd_harness import REPO, Ternd, dig, dnsmsg

sys.path.insert(0, os.path.join(REPO, "tests", "lab"))
from labgen import check  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# The lab serves these for real; ternd would answer them locally (as Unbound's nodefault).
NO_LOCAL = ["invalid.", "127.in-addr.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa."]
DEADLINE_S = 5.0 + 2.0  # the engine's resolve deadline, plus slack for a loaded machine


class Parsed:
    """What check.compare needs, built from dig's text."""

    def __init__(self, status, answer, authority):
        self.rcode = status
        self.answer = [r for r in (to_record(line) for line in answer) if r]
        self.authority = [r for r in (to_record(line) for line in authority) if r]


def to_record(line):
    try:
        return dnsmsg.record_from_text(line)
    except (ValueError, KeyError, IndexError):
        return None


class Unparseable:
    """A response the client could not parse: wrong by definition."""

    def __init__(self, why):
        self.rcode = f"UNPARSEABLE ({why})"
        self.answer, self.authority = [], []


def by_raw(t, e):
    start = time.monotonic()
    try:
        resp = dnsmsg.query(t.address, e["qname"], e["qtype"], port=t.port, timeout=10.0)
    except dnsmsg.ParseError as why:
        resp = Unparseable(why)
    return resp, time.monotonic() - start


def by_dig(t, e):
    start = time.monotonic()
    status, answer, authority = dig(t.address, t.port, e["qname"], e["qtype"], timeout=10)
    took = time.monotonic() - start
    return (Parsed(status, answer, authority) if status else None), took


def by_ares(t, binary, e):
    start = time.monotonic()
    out = subprocess.run([binary, t.address, str(t.port), e["qname"], e["qtype"], "edns"],
                         capture_output=True, text=True, timeout=30).stdout.strip()
    took = time.monotonic() - start
    if not out or out.startswith("TIMEOUT") or out.startswith("ERROR"):
        return None, took
    try:
        return dnsmsg.Response(bytes.fromhex(out)), took
    except dnsmsg.ParseError as why:
        return Unparseable(why), took


def judge(name, entries, results, known):
    right, explained, unexplained, fixed, slow = [], [], [], [], []
    for e, (resp, took) in zip(entries, results):
        problems = check.compare(e, resp)
        if took > DEADLINE_S:
            slow.append(f"{e['id']} took {took:.1f} s")
        k = known.get(e["id"])
        if not problems:
            right.append(e["id"])
            if k:
                fixed.append(e["id"])
        elif k and any((resp.rcode if resp is not None else "TIMEOUT").startswith(g) for g in k["got"]):
            explained.append(f"{e['id']}: {'; '.join(problems)} (known: {k['reason']})")
        else:
            unexplained.append(f"{e['id']} {e['qname']} {e['qtype']} ({e['case']}): {'; '.join(problems)}")
    print(f"{name}: {len(right)}/{len(entries)} right, {len(explained)} known failures, "
          f"{len(unexplained)} unexplained, {len(slow)} over {DEADLINE_S} s")
    for line in explained:
        print("  known       " + line)
    for line in unexplained:
        print("  UNEXPLAINED " + line)
    for line in slow:
        print("  SLOW        " + line)
    for eid in fixed:
        print(f"  note: {eid} is a known failure but now right: remove it from ternd_known_failures.json")
    return not unexplained and not slow


def pipelined(t, manifest):
    """Three queries on one TCP connection, the slowest first: the fault authority's 400 ms
    delay, a name the lab answers at once, and localhost (local). Answers come as each finishes."""
    import socket
    import struct
    from ternd_harness import recv_exact
    delay = [e for e in manifest["entries"] if e["id"] == "fault-delay"]
    quick = [e for e in manifest["entries"] if e["id"] == "glue-inside"]
    if not delay or not quick:
        print("pipelining: manifest entries missing; skipped")
        return True
    order = []
    with socket.create_connection((t.address, t.port), timeout=10) as s:
        for qid, (name, qtype) in ((1, (delay[0]["qname"], "A")), (2, (quick[0]["qname"], "A")),
                                   (3, ("localhost.", "A"))):
            q = dnsmsg.build_query(name, qtype, qid=qid)[1]
            s.sendall(struct.pack("!H", len(q)) + q)
        for _ in range(3):
            head = recv_exact(s, 2)
            if head is None:
                break
            msg = recv_exact(s, struct.unpack("!H", head)[0])
            order.append(dnsmsg.Response(msg).id)
    good = len(order) == 3 and order[-1] == 1 and order[0] != 1
    print(f"{'ok  ' if good else 'FAIL'} pipelined TCP answers in completion order: ids {order} (1 = 400 ms delay)")
    return good


def truncation(t, manifest):
    """The lab's TXT set larger than 1232 octets: cut with TC over UDP (512 without EDNS, 1232
    with), whole over TCP, and c-ares gets all of it by retrying over TCP."""
    big = [e for e in manifest["entries"] if e["id"] == "txt-big-tcp"]
    if not big:
        print("truncation: the manifest has no txt-big-tcp entry; skipped")
        return True
    e = big[0]
    results = []
    for edns, limit in ((None, 512), (1232, 1232)):
        _, q = dnsmsg.build_query(e["qname"], e["qtype"], edns=edns)
        r = t.udp(q, timeout=10)
        h = dnsmsg.Response(r) if r else None
        results.append(r is not None and h.tc and len(r) <= limit)
        print(f"{'ok  ' if results[-1] else 'FAIL'} UDP {'EDNS ' + str(edns) if edns else 'no EDNS'}: "
              f"TC set, {len(r) if r else 0} <= {limit} octets")
    _, q = dnsmsg.build_query(e["qname"], e["qtype"])
    r = t.tcp(q, timeout=10)
    whole = r is not None and not dnsmsg.Response(r).tc and not check.compare(e, dnsmsg.Response(r))
    print(f"{'ok  ' if whole else 'FAIL'} TCP: the whole answer ({len(r) if r else 0} octets)")
    return all(results) and whole


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ternd", required=True)
    p.add_argument("--ares", required=True)
    p.add_argument("--net", default=os.environ.get("TERN_LAB_NET", "127.53"))
    p.add_argument("--state")
    args = p.parse_args()
    state = args.state or os.environ.get("TERN_LAB_STATE") or os.path.join(REPO, "build", f"lab-{args.net}")
    with open(os.path.join(state, "manifest.json")) as f:
        manifest = json.load(f)
    with open(os.path.join(HERE, "ternd_known_failures.json")) as f:
        known = {k: v for k, v in json.load(f).items() if not k.startswith("_")}
    config = ("[server]\nno-local-zones = [" + ", ".join(f'"{z}"' for z in NO_LOCAL) + "]\n"
              f"[resolver]\nroot-hints = \"{manifest['root_hints']}\"\nupstream-allow = [\"127.0.0.0/8\"]\n")
    t = Ternd(args.ternd, f"{args.net}.255.2", config=config, threads=2)
    ok = True
    try:
        # The signed lab's bogus cases: ternd validates (the lab's anchor comes with its hints),
        # so they are SERVFAIL, not the data; e2e_dnssec judges them, as Unbound's check does.
        entries = [e for e in manifest["entries"]
                   if (e.get("dnssec") or {}).get("status") != "bogus"]
        first = [e for e in entries if not e.get("after")]
        later = [e for e in entries if e.get("after")]
        ordered = first + later

        ok &= pipelined(t, manifest)

        # 1. The lab's own client (raw UDP, TCP on TC), as the lab's checker asks Unbound.
        with ThreadPoolExecutor(8) as pool:
            raw_results = list(pool.map(lambda e: by_raw(t, e), first)) + [by_raw(t, e) for e in later]
        ok &= judge("raw UDP/TCP", ordered, raw_results, known)

        # 2. dig, 3. c-ares: the answers are cached by now except for what must not be.
        with ThreadPoolExecutor(8) as pool:
            dig_results = list(pool.map(lambda e: by_dig(t, e), first)) + [by_dig(t, e) for e in later]
        ok &= judge("dig", ordered, dig_results, known)
        with ThreadPoolExecutor(8) as pool:
            ares_results = list(pool.map(lambda e: by_ares(t, args.ares, e), first)) + \
                [by_ares(t, args.ares, e) for e in later]
        ok &= judge("c-ares", ordered, ares_results, known)
        ok &= truncation(t, manifest)
    finally:
        code = t.stop()
        if code != 0:
            print(f"FAIL ternd exit code {code}\n{t.read_log()[-3000:]}")
            ok = False
    print("ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
