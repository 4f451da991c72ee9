#!/usr/bin/env python3
"""Lame and slow servers on the lab (issue #13 §3 lameness, §6 timeouts), end to end.

A ternd on the lab (its hints, --upstream-allow 127.0.0.0/8; never the real root) is asked about
the fault authority's hardening cases (tests/lab/labgen/faults.py HARDENING_CASES, docs/lab.md):

  §6 silent-glueless  the glued server never answers, the zone's other server (ns1.dnshost.net)
                      is glueless and good: ternd must time out, resolve the glueless name and ask
                      it. Run first, so ns1.dnshost.net is not yet cached.
  §6 stall-glueless   the glued server answers after 150 ms, the other is glueless and good.
  §3 lame-refused     one server REFUSED to everything, the other good.
  §3 lame-noaa        one server answers with an upward referral (no AA), the other good.
  §3 refuse-once      the zone's only server sends ONE REFUSED (for refuse-1.<zone>), then answers
                      well: the zone's next names must resolve (the old rule made the server lame
                      for the whole zone for 900 s after one REFUSED: SERVFAIL for every name).

Every name of these zones must get an answer (NOERROR with the address for www, NXDOMAIN for the
unique names), never SERVFAIL or silence; the unique names are sent in parallel bursts (load).
Outcomes are asserted, not speed.

Bounded: about 300 queries in all, each client wait at most --wait seconds; ternd is started and
stopped by PID. Nothing leaves 127.0.0.0/8.

    tests/e2e/e2e_attack_lame.py --ternd build/debug/resolver/ternd/ternd --net 127.72
"""

import argparse
import os
import random
import select
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "lab"))

from ternd_harness import Ternd, control_stats as stats, lab_hints  # noqa: E402
from labgen import dnsmsg  # noqa: E402

RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
FAILURES = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what, flush=True)
    if not cond:
        FAILURES.append(what)


def burst(ternd, names, wait):
    """Sends every (qname, "A") at once from one socket; returns {qname: (rcode text, answer
    count)} with None for names not answered within `wait` seconds."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.setblocking(False)
    pending = {}
    qid = random.randrange(1 << 16)
    for name in names:
        qid = (qid + 1) & 0xFFFF
        s.sendto(dnsmsg.build_query(name, "A", qid=qid)[1], (ternd.address, ternd.port))
        pending[qid] = name
    results = {name: None for name in names}
    deadline = time.monotonic() + wait
    while pending and time.monotonic() < deadline:
        r, _, _ = select.select([s], [], [], max(0.0, deadline - time.monotonic()))
        if not r:
            break
        while True:
            try:
                data = s.recv(65535)
            except BlockingIOError:
                break
            rid, flags, _, ancount = struct.unpack("!HHHH", data[:8])
            if rid in pending:
                results[pending.pop(rid)] = (RCODES.get(flags & 0xF, str(flags & 0xF)), ancount)
    s.close()
    return results


def summary(results):
    counts = {}
    for r in results.values():
        key = r[0] if r else "no answer"
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


def zone_resolves(ternd, label, unique, wait, salt):
    """www.<label>.fault.test. answers with an address, and `unique` fresh names in the zone,
    sent together, each get NXDOMAIN (never SERVFAIL, never silence)."""
    zone = f"{label}.fault.test."
    names = [f"u{i}-{salt}.{zone}" for i in range(unique)]
    results = burst(ternd, names + [f"www.{zone}"], wait)
    www = results.pop(f"www.{zone}")
    check(www is not None and www[0] == "NOERROR" and www[1] >= 1,
          f"{label}: www.{zone} answered with an address ({www})")
    bad = [n for n, r in results.items() if r is None or r[0] not in ("NXDOMAIN", "NOERROR")]
    check(not bad, f"{label}: {unique} unique names in parallel all answered ({summary(results)})")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ternd", required=True)
    ap.add_argument("--ares", help="ignored (the e2e suite passes it to every script)")
    ap.add_argument("--net", default=os.environ.get("TERN_LAB_NET", "127.53"))
    ap.add_argument("--unique", type=int, default=40, help="unique names per zone and burst")
    ap.add_argument("--wait", type=float, default=6.0, help="seconds a burst waits for answers")
    a = ap.parse_args()
    if not (0 < a.unique <= 200 and 0 < a.wait <= 10):
        raise SystemExit("bounded runs only: unique 1..200, wait up to 10 s")

    hints = lab_hints(a.net)
    sockdir = tempfile.mkdtemp(prefix="tern-lame-")
    control = os.path.join(sockdir, "control.sock")
    address = a.net + ".255." + str(random.randrange(100, 200))
    ternd = Ternd(a.ternd, address, threads=2,
                  args=["--root-hints", hints, "--upstream-allow", "127.0.0.0/8", "--control", control])
    salt = random.randrange(1 << 30)
    try:
        before = stats(a.ternd, control)
        # §6: the two glueless cases together, so the bursts overlap (parallel load).
        zone = "silent-glueless.fault.test."
        first = burst(ternd, [f"www.{zone}"], a.wait)[f"www.{zone}"]
        check(first is not None and first[0] == "NOERROR" and first[1] >= 1,
              f"silent-glueless: first query (glueless server not yet known) answered ({first})")
        names = {label: [f"p{i}-{salt}.{label}.fault.test." for i in range(a.unique)]
                 for label in ("silent-glueless", "stall-glueless")}
        results = burst(ternd, names["silent-glueless"] + names["stall-glueless"], a.wait)
        for label, group in names.items():
            sub = {n: results[n] for n in group}
            bad = [n for n, r in sub.items() if r is None or r[0] not in ("NXDOMAIN", "NOERROR")]
            check(not bad, f"{label}: {a.unique} unique names in a {2 * a.unique}-query burst all "
                           f"answered ({summary(sub)})")
        zone_resolves(ternd, "stall-glueless", a.unique, a.wait, salt)

        # §3: a zone with a good server keeps resolving beside a lame one, twice over (the second
        # round comes after the lame server has given repeated evidence).
        for label in ("lame-refused", "lame-noaa"):
            zone_resolves(ternd, label, a.unique, a.wait, salt)
            zone_resolves(ternd, label, a.unique, a.wait, salt + 1)

        # §3: one REFUSED from a zone's only server is evidence, not a verdict.
        zone = "refuse-once.fault.test."
        warm = burst(ternd, [f"www.{zone}"], a.wait)[f"www.{zone}"]
        check(warm is not None and warm[0] == "NOERROR", f"refuse-once: www.{zone} before ({warm})")
        marks = stats(a.ternd, control).get("tern_lame_marks_total")
        check(marks is not None, "control stats has tern_lame_marks_total")
        refused = burst(ternd, [f"refuse-1.{zone}"], a.wait)[f"refuse-1.{zone}"]
        print(f"      refuse-once: the REFUSED name itself got {refused}")
        zone_resolves(ternd, "refuse-once", a.unique, a.wait, salt)
        after = stats(a.ternd, control)
        check(after.get("tern_lame_marks_total") == marks,
              f"refuse-once: one REFUSED marked nothing lame (tern_lame_marks_total {marks} -> "
              f"{after.get('tern_lame_marks_total')})")
        print(f"      upstream queries {after.get('tern_engine_upstream_queries_total', 0) - before.get('tern_engine_upstream_queries_total', 0)}, "
              f"lame marks {after.get('tern_lame_marks_total', 0) - before.get('tern_lame_marks_total', 0)}")
        check(ternd.proc.poll() is None, "ternd still running")
    finally:
        if FAILURES:
            print(ternd.read_log()[-4000:])
        code = ternd.stop()
    check(code == 0, f"ternd exited cleanly ({code})")
    print(f"{len(FAILURES)} failure(s)")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
