#!/usr/bin/env python3
"""What the query log costs on cache hits (issue #16: under 5% of hit throughput).

One ternd (one worker thread, pinned to CPU 0) on the lab; dnsperf (pinned to CPU 1) asks a
fixed set of names that are all cached; the query log is switched off and on between rounds by
rewriting the config and `ternd control reload`, so both settings run in the same process with
the same cache, interleaved (off, on, off, on, ...) so drift on a shared machine falls on both.

  bench/query_log_cost.py --ternd build/release-check/resolver/ternd --net 127.64 \\
      [--rounds 4] [--seconds 5] [--names 200]

Bounded: rounds x seconds of load, every process stopped by its PID. Prints one line per round
and the medians; docs/benchmarks.md, "Query log", has a run.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
sys.path.insert(0, HERE)

from ternd_harness import Ternd, dig, lab_hints  # noqa: E402
from harness.measure import dnsperf  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ternd", required=True)
    ap.add_argument("--net", default=os.environ.get("TERN_LAB_NET", "127.53"))
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--names", type=int, default=200)
    a = ap.parse_args()
    if not (1 <= a.rounds <= 10 and 1 <= a.seconds <= 30):
        raise SystemExit("bounded runs only: rounds 1..10, seconds 1..30")
    hints = lab_hints(a.net)
    state = os.path.join(REPO, "build", f"lab-{a.net}", "names.txt")
    with open(state) as f:
        lab_names = [l.split()[0] for l in f if l.strip() and not l.startswith("#")]
    work = tempfile.mkdtemp(prefix="tern-qlog-bench-")
    sock = os.path.join(work, "control.sock")
    qlog = os.path.join(work, "queries.log")
    base = f'[server]\ncontrol-socket = "{sock}"\n[cache]\nprefetch = false\n'
    on = base + f'[log]\nquery-log = "file:{qlog}"\n'
    address = a.net + ".255." + str(random.randrange(100, 200))
    t = Ternd(a.ternd, address, config=base, args=["--root-hints", hints, "--upstream-allow", "127.0.0.0/8",
                                                   "--cache-size", "256"],
              preexec_fn=lambda: os.sched_setaffinity(0, {0}))
    try:
        # The names that resolve (NOERROR with an answer) become the hit set.
        rng = random.Random(7)
        hits = []
        for n in rng.sample(lab_names, min(len(lab_names), a.names * 3)):
            status, answer, _ = dig(address, t.port, n, "A", timeout=3)
            if status == "NOERROR" and answer:
                hits.append(n)
            if len(hits) >= a.names:
                break
        names_file = os.path.join(work, "names")
        with open(names_file, "w") as f:
            f.writelines(f"{n} A\n" for n in hits)
        dnsperf(address, t.port, names_file, 2, cpus="1")  # warm the packet cache
        results = {"off": [], "on": []}
        for r in range(a.rounds):
            for mode in ("off", "on"):
                with open(t.config_path, "w") as f:
                    f.write(on if mode == "on" else base)
                subprocess.run([a.ternd, "control", "--config", t.config_path, "reload"], check=True,
                               capture_output=True, timeout=10)
                res = dnsperf(address, t.port, names_file, a.seconds, cpus="1")
                results[mode].append(res["qps"])
                print(f"round {r + 1} query log {mode:3}: {res['qps']:10.0f} q/s  "
                      f"(completed {res['completed']}, lost {res['lost']}, {res['rcodes']})", flush=True)
    finally:
        t.stop()
    off = statistics.median(results["off"])
    on_ = statistics.median(results["on"])
    lines = sum(1 for _ in open(qlog)) if os.path.exists(qlog) else 0
    print(f"{len(hits)} names, all cache hits; median off {off:.0f} q/s, on {on_:.0f} q/s: "
          f"cost {100 * (off - on_) / off:.1f}% ({lines} lines logged)")


if __name__ == "__main__":
    main()
