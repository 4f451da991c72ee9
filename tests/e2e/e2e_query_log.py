#!/usr/bin/env python3
"""The query log (issue #16 "Logs") against ternd on the lab:

- `[log] query-log = "file:PATH"`: its own file, apart from the main log; every line has an
  RFC 3339 UTC timestamp, the client, the protocol, name, type, rcode, the answer source and the
  latency;
- the source is right: a first question is `resolution`, the same question again is
  `packet_cache`, a locally served name is `local`, a TCP query says `tcp`;
- buffered, but a quiet resolver's lines still reach the file within the flush interval, and
  the last ones are written on a clean stop;
- SIGHUP after the file was moved (logrotate) starts a new file by the same name;
- `query-log = "stderr"` puts the lines into the process's stderr; `query-log = true` into the
  main log's destination.

  e2e_query_log.py --ternd PATH --ares PATH --net 127.53
"""

import argparse
import os
import random
import re
import signal
import sys
import tempfile
import time

from ternd_harness import Ternd, dig, dnsmsg, lab_hints

NAME = "www.normal.fault.test."
LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) query: (\S+) (udp|tcp) (\S+) (\S+) (\S+) (\S+) "
                  r"(\d+\.\d{3})ms( ede=\d+)?$")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def lines_in(path, want, timeout=4.0):
    """The query lines of `path` once at least `want` are there (or the timeout passed)."""
    deadline = time.monotonic() + timeout
    while True:
        got = []
        if os.path.exists(path):
            with open(path) as f:
                got = [l.rstrip("\n") for l in f if " query: " in l]
        if len(got) >= want or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def fields(line):
    m = LINE.match(line)
    return m.groups() if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ternd", required=True)
    ap.add_argument("--ares")
    ap.add_argument("--net", default=os.environ.get("TERN_LAB_NET", "127.53"))
    a = ap.parse_args()
    hints = lab_hints(a.net)
    work = tempfile.mkdtemp(prefix="tern-qlog-")
    qlog = os.path.join(work, "queries.log")
    address = a.net + ".255." + str(random.randrange(100, 200))
    args = ["--root-hints", hints, "--upstream-allow", "127.0.0.0/8"]

    t = Ternd(a.ternd, address, config=f'[log]\nquery-log = "file:{qlog}"\n', args=args)
    try:
        started = time.monotonic()
        dig(address, t.port, NAME, "A")
        dig(address, t.port, NAME, "A")
        dig(address, t.port, "localhost.", "AAAA")
        dig(address, t.port, NAME, "A", "+tcp")
        got = lines_in(qlog, 5)  # the harness's start-up probe is one more
        waited = time.monotonic() - started
        check(len(got) >= 5, f"lines reach the file while ternd runs ({len(got)} in {waited:.1f} s)")
        parsed = [fields(l) for l in got]
        check(all(parsed), f"every line: timestamp client proto name type rcode source latency ({got[:2]})")
        ours = [p for p in parsed if p and p[3] == NAME]
        check(len(ours) == 3, f"three lines for {NAME}")
        if len(ours) == 3:
            check(ours[0][6] == "resolution" and ours[0][2] == "udp" and ours[0][5] == "NOERROR",
                  f"first answer: udp, NOERROR, resolution ({ours[0]})")
            check(ours[1][6] == "packet_cache", f"the same question again: packet_cache, not resolve ({ours[1]})")
            check(ours[2][2] == "tcp", f"the TCP query says tcp ({ours[2]})")
            check(float(ours[0][7]) > float(ours[1][7]), "a resolution takes longer than a cache hit")
        local = [p for p in parsed if p and p[3] == "localhost." and p[4] == "AAAA"]
        check(local and local[0][6] == "local", f"a local name: local ({local})")
        check(" query: " not in t.read_log(), "query lines are not in the main log")

        # logrotate: move, SIGHUP, the next lines go to a new file by the same name.
        os.rename(qlog, qlog + ".1")
        t.signal(signal.SIGHUP)
        time.sleep(0.5)
        dig(address, t.port, "localhost.", "A")
        after = lines_in(qlog, 1)
        check(len(after) >= 1 and "localhost. A" in after[-1], f"after SIGHUP the query log is a new file ({after})")
        dig(address, t.port, NAME, "TXT")
    finally:
        code = t.stop()
    check(code == 0, "clean stop")
    final = lines_in(qlog, 2, timeout=0.5)
    check(any(f" {NAME} TXT " in l for l in final), "the last lines are written on a clean stop")

    # stderr, and `true` = the main log's destination.
    for setting, where in (('"stderr"', "stderr"), ("true", "main log")):
        t = Ternd(a.ternd, address, config=f"[log]\nquery-log = {setting}\n", args=args)
        try:
            dig(address, t.port, "localhost.", "A")
            deadline = time.monotonic() + 4
            while time.monotonic() < deadline and " query: " not in t.read_log():
                time.sleep(0.1)
            log = [l for l in t.read_log().splitlines() if " query: " in l]
            check(log and fields(log[-1]) and fields(log[-1])[6] == "local",
                  f"query-log = {setting}: lines in the {where} ({log[-1:]})")
        finally:
            t.stop()

    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)


if __name__ == "__main__":
    main()
