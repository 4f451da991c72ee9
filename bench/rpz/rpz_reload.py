#!/usr/bin/env python3
"""Large response policy zones on a running ternd: ternd starts with a one-rule RPZ file, which is
then replaced by a 1,000,000-rule file (a background load picked up by the mtime poll) while a
probe asks the name the policy answers every 5 ms over UDP. Reports the load time and table bytes
from ternd's log, ternd's resident memory before and after, and the probe's answers, losses and
worst latency during the load. No network: the root hints name an address nothing listens
on; every probe answer comes from the policy itself. Bounded: one reload, at most 120 s.

  bench/rpz/rpz_reload.py --ternd build/release-check/resolver/ternd \
      --bench-rpz build/release-check/bench/rpz/bench_rpz [--rules 1000000]
"""

import argparse
import os
import re
import shutil
import socket
import struct
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "e2e"))
from ternd_harness import Ternd, blackhole_hints, dnsmsg  # noqa: E402

ADDRESS = "127.0.0.67"


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def wait_for(pred, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ternd", required=True)
    p.add_argument("--bench-rpz", required=True)
    p.add_argument("--rules", type=int, default=1000000)
    args = p.parse_args()
    d = tempfile.mkdtemp(prefix="tern-rpz-bench-")
    try:
        zone = os.path.join(d, "policy.rpz")
        big = os.path.join(d, "big.rpz")
        os.system(f"{args.bench_rpz} {args.rules} --write {big} > /dev/null")
        with open(big, "a") as f:
            f.write("probe.test A 192.0.2.1\n")
        # ternd starts with the probe rule alone; the big file then replaces it.
        with open(zone, "w") as f:
            f.write("probe.test A 192.0.2.1\n")
        hints = blackhole_hints(d, "127.0.0.99")
        config = (f'[resolver]\nroot-hints = "{hints}"\nupstream-allow = ["127.0.0.0/8"]\n'
                  f'[[rpz]]\nname = "rpz.bench."\nfile = "{zone}"\npoll-interval = 1\n')
        t0 = time.monotonic()
        t = Ternd(args.ternd, ADDRESS, config=config, threads=2)
        started_s = time.monotonic() - t0
        try:
            rss_small = rss_mib(t.proc.pid)
            loads = lambda: re.findall(r"loaded (\d+) rules from .* in (\d+) ms \((\d+) bytes", t.read_log())
            # Replace the file (a new inode): the loader reads it again in the background.
            results, stop = [], threading.Event()

            def probe():
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.settimeout(1.0)
                    while not stop.is_set():
                        _, msg = dnsmsg.build_query("probe.test.", "A")
                        sent = time.monotonic()
                        s.sendto(msg, (ADDRESS, t.port))
                        try:
                            r = s.recv(4096)
                            ok = struct.unpack("!H", r[6:8])[0] == 1
                            results.append((time.monotonic() - sent, ok))
                        except socket.timeout:
                            results.append((None, False))
                        time.sleep(0.005)

            th = threading.Thread(target=probe)
            th.start()
            time.sleep(0.5)
            before_reload = len(results)
            os.rename(big, zone)
            reloaded = wait_for(lambda: len(loads()) >= 2, 90)
            time.sleep(0.5)
            stop.set()
            th.join(10)
            rss_after = rss_mib(t.proc.pid)
            during = results[before_reload:]
            lost = sum(1 for lat, ok in during if not ok)
            worst = max((lat for lat, ok in during if lat is not None), default=0)
            all_loads = loads()
        finally:
            t.stop()
        print(f"rules: {args.rules} (+1 probe rule), zone file {os.path.getsize(zone) / 1e6:.1f} MB")
        print(f"start-up with the probe rule only: answering after {started_s:.1f} s, RSS {rss_small:.0f} MiB")
        if reloaded:
            n, ms, table = all_loads[1]
            print(f"background load of {n} rules: {ms} ms; rule tables {int(table) / 1e6:.1f} MB "
                  f"({int(table) / int(n):.1f} bytes/rule); RSS after {rss_after:.0f} MiB "
                  f"(+{(rss_after - rss_small) * 1048576 / int(n):.0f} bytes/rule, whole process)")
        else:
            print("background load: not seen within 90 s")
        print(f"probe during the reload: {len(during)} queries, {lost} lost or wrong, worst latency {worst * 1000:.1f} ms")
        return 0 if reloaded and lost == 0 else 1
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
