#!/usr/bin/env python3
"""Shared-cache and fleet figures for docs/benchmarks.md and docs/scale-out.md (issue #17). Lab
only: every resolver uses the offline lab's root hints on NET, everything listens on 127.0.0.x,
redis-server and dnsdist are started here and stopped by PID. Load: dnsperf.

  bench/scale/redis_fleet_bench.py shared --ternd build/release-check/resolver/ternd [--net 127.67]
      A local miss answered from Redis (instance B, after instance A resolved the names) against
      the same miss resolved in full (instance C, no Redis; delegations already cached), and
      instance A itself (a Redis miss, the resolution, the store): latency with one query in
      flight, throughput with 64 in flight. One worker thread each.

  bench/scale/redis_fleet_bench.py fleet --ternd ... [--instances 1,3]
      dnsdist (chashed, PROXY v2) in front of N instances (one worker thread each): throughput of
      cache hits (a fixed set of warm names, cycled) and of misses (names never asked).

Every figure is printed with the 1-minute load average when it was taken: the machine is
shared, and the figures mean little without it.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))

from ternd_harness import Ternd, free_port  # noqa: E402
from redis_server import RedisServer  # noqa: E402

DNSDIST = "127.0.0.111"
BACKENDS = ["127.0.0.112", "127.0.0.113", "127.0.0.114"]
A, B, C = "127.0.0.116", "127.0.0.117", "127.0.0.118"


def load():
    return os.getloadavg()[0]


def dnsperf(address, port, names, outstanding, seconds=None, once=True, timeout=5):
    """Runs dnsperf over `names` (A queries); returns (qps, avg latency ms, completed, lost, load)."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        for n in names:
            f.write(f"{n} A\n")
        path = f.name
    cmd = ["dnsperf", "-s", address, "-p", str(port), "-d", path, "-q", str(outstanding),
           "-t", str(timeout), "-c", "1"]
    cmd += ["-n", "1"] if once else ["-l", str(seconds)]
    la = load()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600).stdout
    os.unlink(path)
    qps = float(re.search(r"Queries per second:\s+([\d.]+)", out).group(1))
    lat = float(re.search(r"Average Latency \(s\):\s+([\d.]+)", out).group(1)) * 1000
    done = int(re.search(r"Queries completed:\s+(\d+)", out).group(1))
    lost = int(re.search(r"Queries lost:\s+(\d+)", out).group(1))
    return {"qps": round(qps), "avg_ms": round(lat, 3), "completed": done, "lost": lost,
            "load": round(max(la, load()), 1)}


def sequential(address, port, names):
    """One query in flight, timed in Python around send/receive: median, p90, p99 in ms (dnsperf
    with one query outstanding paces itself and reports little more than its own pacing)."""
    import socket
    import statistics
    sys.path.insert(0, os.path.join(REPO, "tests", "lab"))
    from labgen import dnsmsg
    la = load()
    times, lost = [], 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        for n in names:
            msg = dnsmsg.build_query(n, "A")[1]
            t0 = time.perf_counter()
            s.sendto(msg, (address, port))
            try:
                s.recvfrom(65535)
                times.append((time.perf_counter() - t0) * 1000)
            except socket.timeout:
                lost += 1
    times.sort()
    q = lambda p: round(times[min(len(times) - 1, int(p * len(times)))], 3)
    return {"qps": round(len(times) / (sum(times) / 1000)), "avg_ms": f"median {q(0.5)} / p90 {q(0.9)} / p99 {q(0.99)}",
            "completed": len(times), "lost": lost, "load": round(max(la, load()), 1)}


def lab_zones(net):
    state = os.path.join(REPO, "build", f"lab-{net}")
    with open(os.path.join(state, "manifest.json")) as f:
        manifest = json.load(f)
    zones = [e["qname"][len("cdn."):] for e in manifest["entries"] if e["id"].endswith("-cdn")]
    return manifest["root_hints"], zones


def fresh_names(zones, count, tag):
    """Names nobody asked before (NXDOMAIN under lab zones: one upstream query each once the
    zone's delegation is cached)."""
    return [f"b{i}-{tag}.{zones[i % len(zones)]}" for i in range(count)]


def base_config(hints, extra=""):
    return (f"[resolver]\nroot-hints = \"{hints}\"\nupstream-allow = [\"127.0.0.0/8\"]\n"
            f"[cache]\nsize-mib = 256\n{extra}")


def shared(args):
    hints, zones = lab_zones(args.net)
    tag = random.randrange(1 << 24)
    redis = RedisServer("127.0.0.1")
    redis_cfg = f"[cache.redis]\nserver = \"{redis.server_text()}\"\ntimeout-ms = {args.timeout_ms}\n"
    procs = []
    results = {}
    try:
        a = Ternd(args.ternd, A, config=base_config(hints, redis_cfg))
        b = Ternd(args.ternd, B, config=base_config(hints, redis_cfg))
        c = Ternd(args.ternd, C, config=base_config(hints))
        procs = [a, b, c]
        warm = [f"www.{z}" for z in zones]
        for t in procs:  # delegations of every lab zone cached everywhere
            dnsperf(t.address, t.port, warm, 4)
        for label, count in (("latency, 1 in flight", args.latency_names),
                             ("throughput, 64 in flight", args.throughput_names)):
            measure = (lambda t, names: sequential(t.address, t.port, names)) if count == args.latency_names \
                else (lambda t, names: dnsperf(t.address, t.port, names, 64))
            names_ab = fresh_names(zones, count, f"{tag}{label[0]}")
            names_c = fresh_names(zones, count, f"{tag}{label[0]}c")
            results[f"A: resolve + Redis miss + store ({label})"] = measure(a, names_ab)
            time.sleep(1)  # the SETs are fire-and-forget
            results[f"B: local miss, Redis hit ({label})"] = measure(b, names_ab)
            results[f"C: local miss, full resolution, no Redis ({label})"] = measure(c, names_c)
    finally:
        for t in procs:
            t.stop()
        redis.stop()
        shutil.rmtree(redis.dir, ignore_errors=True)
    return results


def dnsdist_config(listen, backends):
    servers = "\n".join(
        f'newServer({{address="{a}:{p}", name="ternd{i + 1}", source="{DNSDIST}", '
        f'useProxyProtocol=true, weight=1000, checkName="localhost.", checkInterval=1}})'
        for i, (a, p) in enumerate(backends))
    return (f'setLocal("{listen}")\nsetACL({{"127.0.0.0/8"}})\nsetSecurityPollSuffix("")\n'
            f'{servers}\nsetServerPolicy(chashed)\n')


def fleet(args):
    hints, zones = lab_zones(args.net)
    tag = random.randrange(1 << 24)
    results = {}
    for n in [int(x) for x in args.instances.split(",")]:
        config = base_config(hints, "") + f"[server]\nproxy-protocol-from = [\"{DNSDIST}/32\"]\n"
        backends, dd, log = [], None, None
        directory = tempfile.mkdtemp(prefix="ternd-fleet-")
        try:
            for addr in BACKENDS[:n]:
                backends.append(Ternd(args.ternd, addr, config=config))
            port = free_port(DNSDIST)
            path = os.path.join(directory, "dnsdist.conf")
            with open(path, "w") as f:
                f.write(dnsdist_config(f"{DNSDIST}:{port}", [(b.address, b.port) for b in backends]))
            log = open(os.path.join(directory, "dnsdist.log"), "w")
            dd = subprocess.Popen(["dnsdist", "--supervised", "--disable-syslog", "-C", path],
                                  stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 15
            while open(os.path.join(directory, "dnsdist.log")).read().count("as 'up'") < n:
                if time.monotonic() > deadline or dd.poll() is not None:
                    raise RuntimeError("dnsdist did not come up")
                time.sleep(0.1)
            hot = [f"{lbl}.{z}" for z in zones for lbl in ("www", "mail", "api", "cdn")] + \
                  fresh_names(zones, 2000, f"{tag}h{n}")
            dnsperf(DNSDIST, port, hot, 32)  # warm: every hot name cached on its backend
            results[f"{n} instance(s): hits through dnsdist"] = dnsperf(DNSDIST, port, hot, 100, once=False,
                                                                       seconds=args.seconds)
            if n == 1:
                # The same instance without dnsdist (no PROXY header: straight from this host),
                # for what the balancer costs: ternd's proxy-protocol-from lists only dnsdist, so
                # a direct query needs an instance of its own.
                direct = Ternd(args.ternd, A, config=base_config(hints))
                try:
                    dnsperf(direct.address, direct.port, hot, 32)
                    results["1 instance: hits, direct (no dnsdist)"] = dnsperf(
                        direct.address, direct.port, hot, 100, once=False, seconds=args.seconds)
                finally:
                    direct.stop()
            results[f"{n} instance(s): misses through dnsdist"] = dnsperf(
                DNSDIST, port, fresh_names(zones, args.throughput_names, f"{tag}m{n}"), 100)
        finally:
            if dd is not None:
                dd.terminate()
                try:
                    dd.wait(10)
                except subprocess.TimeoutExpired:
                    dd.kill()
                    dd.wait()
            if log:
                log.close()
            for t in backends:
                t.stop()
            shutil.rmtree(directory, ignore_errors=True)
    return results


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["shared", "fleet"])
    p.add_argument("--ternd", required=True)
    p.add_argument("--net", default=os.environ.get("TERN_LAB_NET", "127.53"))
    p.add_argument("--timeout-ms", type=int, default=5)
    p.add_argument("--latency-names", type=int, default=2000)
    p.add_argument("--throughput-names", type=int, default=20000)
    p.add_argument("--instances", default="1,3")
    p.add_argument("--seconds", type=int, default=10)
    args = p.parse_args()
    if shutil.which("dnsperf") is None:
        raise SystemExit("dnsperf is not installed")
    results = shared(args) if args.mode == "shared" else fleet(args)
    print(f"| {args.mode} | qps | latency ms (dnsperf: average) | completed | lost | load avg (1 min) |")
    print("|---|---|---|---|---|---|")
    for k, v in results.items():
        print(f"| {k} | {v['qps']} | {v['avg_ms']} | {v['completed']} | {v['lost']} | {v['load']} |")


if __name__ == "__main__":
    sys.exit(main())
