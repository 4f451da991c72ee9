#!/usr/bin/env python3
"""Dead-zone flood (issue #13 §2): unique names under a zone whose only server never answers
(silence.fault.test. on the lab's fault authority, X.3.2), sent at a fixed rate to a ternd on
the lab. Measures upstream queries per client query and the client's wait after the warm-up,
and checks that a cached name keeps being answered meanwhile.

Bounded: --seconds of sending (default 12) plus at most 7 s for the last answers; a few hundred
queries per second; ternd is started and stopped by PID. Nothing leaves 127.0.0.0/8.

    bench/attacks/dead_zone.py --ternd build/release/resolver/ternd/ternd --net 127.64
    bench/attacks/dead_zone.py ... --check    # exit 1 unless ratio <= 0.1, median <= 50 ms,
                                              # every cached-name query answered
"""

import argparse
import json
import os
import random
import select
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
sys.path.insert(0, os.path.join(REPO, "tests", "lab"))

from ternd_harness import Ternd, control_stats as stats, lab_hints  # noqa: E402
from labgen import dnsmsg  # noqa: E402

DEAD_ZONE = "silence.fault.test."
CACHED_NAME = "www.normal.fault.test."  # answered by the fault authority's baseline server


def rcode_of(msg):
    return struct.unpack("!H", msg[2:4])[0] & 0xF


def flood(ternd, qps, seconds, warmup):
    """Sends unique dead-zone names at `qps`; every 100 ms also the cached name. Returns
    (list of (sent_at, wait or None, after_warmup)), cached (asked, answered NOERROR), and the
    instant the warm-up ended."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.setblocking(False)
    target = (ternd.address, ternd.port)
    pending = {}  # id -> (sent_at, index)
    results = []
    cached_pending = {}
    cached_asked = cached_ok = 0
    start = time.monotonic()
    warm_end = start + warmup
    stop_sending = start + seconds
    hard_end = stop_sending + 7.0
    salt = random.randrange(1 << 30)
    i = 0
    next_cached = start
    qid = 0
    while True:
        now = time.monotonic()
        if now >= hard_end or (now >= stop_sending and not pending and not cached_pending):
            break
        while now < stop_sending and start + i / qps <= now:
            qid = (qid + 1) & 0xFFFF
            _, msg = dnsmsg.build_query(f"q{i}-{salt}.{DEAD_ZONE}", "A", qid=qid)
            s.sendto(msg, target)
            pending[qid] = (time.monotonic(), len(results))
            results.append([time.monotonic(), None, time.monotonic() >= warm_end])
            i += 1
        if now < stop_sending and now >= next_cached:
            qid = (qid + 1) & 0xFFFF
            _, msg = dnsmsg.build_query(CACHED_NAME, "A", qid=qid)
            s.sendto(msg, target)
            cached_pending[qid] = time.monotonic()
            cached_asked += 1
            next_cached = now + 0.1
        r, _, _ = select.select([s], [], [], 0.002)
        if not r:
            continue
        while True:
            try:
                data = s.recv(65535)
            except BlockingIOError:
                break
            rid = struct.unpack("!H", data[:2])[0]
            t = time.monotonic()
            if rid in cached_pending:
                del cached_pending[rid]
                cached_ok += rcode_of(data) == 0
            elif rid in pending:
                sent, idx = pending.pop(rid)
                results[idx][1] = t - sent
    s.close()
    return results, (cached_asked, cached_ok), warm_end


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ternd", required=True)
    ap.add_argument("--ares", help="ignored (the e2e suite passes it to every script)")
    ap.add_argument("--net", default=os.environ.get("TERN_LAB_NET", "127.53"))
    ap.add_argument("--qps", type=int, default=300)
    ap.add_argument("--seconds", type=float, default=12.0)
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if not (0 < a.qps <= 2000 and 0 < a.seconds <= 60 and 0 <= a.warmup < a.seconds):
        raise SystemExit("bounded runs only: qps 1..2000, seconds 1..60, warmup < seconds")

    hints = lab_hints(a.net)
    sockdir = tempfile.mkdtemp(prefix="tern-attack-")
    control = os.path.join(sockdir, "control.sock")
    address = a.net + ".255." + str(random.randrange(100, 200))
    ternd = Ternd(a.ternd, address, threads=a.threads,
                  args=["--root-hints", hints, "--upstream-allow", "127.0.0.0/8", "--control", control])
    try:
        # The cached name is resolved (and cached) before the flood.
        warm = ternd.udp(dnsmsg.build_query(CACHED_NAME, "A")[1], timeout=5)
        if warm is None or rcode_of(warm) != 0:
            raise SystemExit(f"{CACHED_NAME} does not resolve on the lab: is the fault authority up?")
        before = stats(a.ternd, control)
        # The counters at the end of the warm-up, read beside the flood. Queries that resolutions
        # started during the warm-up send later count in the measured window (pessimistic).
        at_warm_end = {}
        timer = threading.Timer(a.warmup, lambda: at_warm_end.update(stats(a.ternd, control)))
        timer.start()
        results, (cached_asked, cached_ok), warm_end = flood(ternd, a.qps, a.seconds, a.warmup)
        timer.join()
        after = stats(a.ternd, control)
    finally:
        code = ternd.stop()
    if code not in (0, None):
        print(ternd.read_log()[-3000:])
        raise SystemExit(f"ternd exited with {code}")

    measured = [r for r in results if r[2]]
    waits = [r[1] for r in measured if r[1] is not None]
    unanswered = sum(1 for r in measured if r[1] is None)
    upstream_total = after.get("tern_engine_upstream_queries_total", 0) - before.get("tern_engine_upstream_queries_total", 0)
    upstream_measured = after.get("tern_engine_upstream_queries_total", 0) - at_warm_end.get("tern_engine_upstream_queries_total", 0)
    total_clients = len(results)
    figures = {
        "qps": a.qps,
        "seconds": a.seconds,
        "warmup_seconds": a.warmup,
        "client_queries": total_clients,
        "client_queries_after_warmup": len(measured),
        "upstream_queries": upstream_total,
        "upstream_per_client_query": round(upstream_total / max(1, total_clients), 4),
        "upstream_queries_after_warmup": upstream_measured,
        "upstream_per_client_query_after_warmup": round(upstream_measured / max(1, len(measured)), 4),
        "median_wait_ms_after_warmup": round(statistics.median(waits) * 1000, 2) if waits else None,
        "p99_wait_ms_after_warmup": round(sorted(waits)[int(len(waits) * 0.99) - 1] * 1000, 2) if waits else None,
        "unanswered_after_warmup": unanswered,
        "cached_name_asked": cached_asked,
        "cached_name_answered": cached_ok,
        "servers_down_failures": after.get('tern_upstream_skipped_total{reason="servers_down"}', 0) - before.get('tern_upstream_skipped_total{reason="servers_down"}', 0),
        "server_probes": after.get("tern_upstream_probes_total", 0) - before.get("tern_upstream_probes_total", 0),
    }
    if a.json:
        print(json.dumps(figures, indent=2))
    else:
        for k, v in figures.items():
            print(f"{k:55} {v}")
    if a.check:
        ok = True
        ratio = figures["upstream_per_client_query_after_warmup"]
        if ratio > 0.1:
            print(f"FAIL: {ratio} upstream queries per client query after the warm-up (> 0.1)")
            ok = False
        med = figures["median_wait_ms_after_warmup"]
        if med is None or med > 50:
            print(f"FAIL: median client wait {med} ms after the warm-up (> 50 ms)")
            ok = False
        if cached_ok != cached_asked:
            print(f"FAIL: cached name answered {cached_ok}/{cached_asked}")
            ok = False
        print("ok" if ok else "FAILED")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
