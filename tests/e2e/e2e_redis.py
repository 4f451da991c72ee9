#!/usr/bin/env python3
"""The shared second-level cache on Redis ([cache.redis], docs/scale-out.md), with a real
redis-server started here on loopback (its own directory, a free port, stopped by PID) and two
ternd instances A and B on the offline lab:

  1. A resolves names; B, asked the same names, answers them with no upstream query (its
     tern_engine_upstream_queries_total does not move; tern_redis_hits_total counts them), with
     the same records;
  2. a corrupt value in Redis (wrong magic, garbage, another name's answer) is rejected
     (tern_redis_invalid_values_total), the name is re-resolved upstream, and the value replaced
     by a valid one;
  3. Redis stalled (SIGSTOP) then killed (SIGKILL) under a steady query stream: every client
     query is answered (none lost, none SERVFAIL), timeouts and the outage are counted, the
     outage is logged once, and after Redis is restarted on the same port the instance
     reconnects and uses it again.

  e2e_redis.py --ternd PATH [--net 127.53] [--state DIR]
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import sys
import threading
import time

from ternd_harness import REPO, Ternd, control_stats, dnsmsg, header
from redis_server import RedisServer, shared_key

A_ADDRESS = "127.0.0.91"
B_ADDRESS = "127.0.0.92"
CLIENT_ADDRESS = "127.0.0.93"
# Generous for ASan on a shared machine: the point here is correctness, not the few-ms default.
TIMEOUT_MS = 300
QPS = 40
STREAM_SECONDS = 8
QUERY_TIMEOUT = 4.0

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def ask(t, qname, qtype="A", timeout=5.0):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((CLIENT_ADDRESS, 0))
        s.settimeout(timeout)
        s.sendto(dnsmsg.build_query(qname, qtype)[1], (t.address, t.port))
        try:
            return s.recvfrom(65535)[0]
        except (socket.timeout, ConnectionRefusedError):
            return None


def records(msg):
    """The answer section as a sorted list of (owner, type, rdata) with TTLs left out."""
    resp = dnsmsg.Response(msg)
    return sorted((name, rtype, rdata) for name, rtype, _ttl, rdata in resp.answer + resp.authority)


def stats(t):
    return control_stats(t.binary, t.control)


class Instance(Ternd):
    def __init__(self, binary, address, config, directory):
        self.binary = binary
        self.control = os.path.join(directory, f"control-{address}.sock")
        super().__init__(binary, address, config=config, args=["--control", self.control])


def stream(t, names, seconds, qps, events):
    """qps queries/s for `seconds`; returns (sent, answered, servfails, lost send times)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((CLIENT_ADDRESS, 0))
    sock.settimeout(0.02)
    pending = {}
    answered = servfails = 0
    start = time.monotonic()
    n = 0
    total = int(seconds * qps)
    while True:
        now = time.monotonic()
        if n < total and now >= start + n / qps:
            qid = n & 0xFFFF
            sock.sendto(dnsmsg.build_query(names[n % len(names)], "A", qid=qid)[1], (t.address, t.port))
            pending[qid] = now
            n += 1
            continue
        if n >= total and (not pending or now > start + seconds + QUERY_TIMEOUT):
            break
        try:
            r = sock.recv(65535)
            h = header(r)
            if h["id"] in pending:
                answered += 1
                if h["rcode"] == 2:
                    servfails += 1
                    events.append((now - start, "servfail"))
                pending.pop(h["id"], None)
        except (socket.timeout, ConnectionRefusedError):
            pass
    sock.close()
    return total, answered, servfails, sorted(x - start for x in pending.values())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ternd", required=True)
    p.add_argument("--net", default=os.environ.get("TERN_LAB_NET", "127.53"))
    p.add_argument("--state")
    args = p.parse_args()
    if shutil.which("redis-server") is None:
        print("redis-server is not installed (apt-get install redis-server; make deps-test)")
        return 1 if os.environ.get("CI") == "true" else 77
    state = args.state or os.environ.get("TERN_LAB_STATE") or os.path.join(REPO, "build", f"lab-{args.net}")
    with open(os.path.join(state, "manifest.json")) as f:
        manifest = json.load(f)
    zones = [e["qname"][len("cdn."):] for e in manifest["entries"] if e["id"].endswith("-cdn")]
    random.shuffle(zones)
    tag = random.randrange(1 << 20)
    # Names that exist (www, a CNAME chain to it) and names that do not (NXDOMAIN with an SOA).
    shared_names = [f"www.{zones[0]}", f"cdn.{zones[1 % len(zones)]}", f"nx{tag}.{zones[2 % len(zones)]}"]
    corrupt_names = [f"www.{zones[3 % len(zones)]}", f"mail.{zones[4 % len(zones)]}",
                     f"api.{zones[5 % len(zones)]}"]
    # Every query of the stream a name not asked before (most of them NXDOMAIN), so that each
    # one misses the packet cache and asks Redis, whatever Redis is doing at that moment.
    stream_names = [f"s{i}-{tag}.{zones[6 + i % max(len(zones) - 6, 1)]}"
                    for i in range(STREAM_SECONDS * QPS)]

    redis = RedisServer("127.0.0.1")
    directory = redis.dir
    config = (f"[resolver]\nroot-hints = \"{manifest['root_hints']}\"\n"
              "upstream-allow = [\"127.0.0.0/8\"]\n"
              f"[cache.redis]\nserver = \"{redis.server_text()}\"\ntimeout-ms = {TIMEOUT_MS}\n")
    a = b = None
    t0 = time.monotonic()
    try:
        a = Instance(args.ternd, A_ADDRESS, config, directory)
        b = Instance(args.ternd, B_ADDRESS, config, directory)
        deadline = time.monotonic() + 10
        while (stats(a).get("tern_redis_connected") != 1 or stats(b).get("tern_redis_connected") != 1):
            if time.monotonic() > deadline:
                raise RuntimeError("ternd did not connect to redis")
            time.sleep(0.1)

        # --- 1. A resolves, B answers from Redis with no upstream query ---
        answers_a = {}
        for n in shared_names:
            r = ask(a, n)
            check(r is not None and header(r)["rcode"] in (0, 3), f"A answers {n}")
            answers_a[n] = r
        sa = stats(a)
        check(sa.get("tern_redis_stores_total", 0) >= len(shared_names),
              f"A stored its {len(shared_names)} answers in Redis ({sa.get('tern_redis_stores_total')})")
        # The SETs are fire-and-forget: wait until Redis holds them.
        deadline = time.monotonic() + 5
        while any(redis.command("GET", shared_key(n)) is None for n in shared_names):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        check(all(redis.command("GET", shared_key(n)) is not None for n in shared_names),
              "Redis holds a value under each name's key")
        ttl = redis.command("TTL", shared_key(shared_names[0]))
        check(isinstance(ttl, int) and ttl > 0, f"the value has a Redis expiry ({ttl} s)")
        before = stats(b)
        for n in shared_names:
            r = ask(b, n)
            check(r is not None and header(r)["rcode"] == header(answers_a[n])["rcode"]
                  and records(r) == records(answers_a[n]),
                  f"B answers {n} with A's records (rcode {header(r)['rcode'] if r else None})")
        after = stats(b)
        up = after.get("tern_engine_upstream_queries_total", 0) - before.get("tern_engine_upstream_queries_total", 0)
        hits = after.get("tern_redis_hits_total", 0) - before.get("tern_redis_hits_total", 0)
        check(up == 0, f"B sent no upstream query for them ({up})")
        check(hits == len(shared_names), f"B counted {len(shared_names)} Redis hits ({hits})")
        src = after.get('tern_answers_total{source="shared_cache"}', 0)
        check(src == len(shared_names), f"B's answers by source: shared_cache = {src}")

        # --- 2. a corrupt value is rejected and the name re-resolved ---
        other = redis.command("GET", shared_key(shared_names[0]))
        corruptions = [b"garbage that is not a tern value at all",
                       b"TRN1" + os.urandom(60),
                       other]  # a valid value for another name
        before = stats(b)
        for n, bad in zip(corrupt_names, corruptions):
            redis.command("SET", shared_key(n), bad)
        for n in corrupt_names:
            r = ask(b, n)
            check(r is not None and header(r)["rcode"] == 0 and header(r)["an"] > 0,
                  f"B answers {n} despite the corrupt value (rcode {header(r)['rcode'] if r else None})")
        after = stats(b)
        invalid = after.get("tern_redis_invalid_values_total", 0) - before.get("tern_redis_invalid_values_total", 0)
        up = after.get("tern_engine_upstream_queries_total", 0) - before.get("tern_engine_upstream_queries_total", 0)
        check(invalid == len(corrupt_names), f"B rejected the {len(corrupt_names)} corrupt values ({invalid})")
        check(up > 0, f"B re-resolved them upstream ({up} queries)")
        deadline = time.monotonic() + 5
        replaced = False
        while time.monotonic() < deadline and not replaced:
            replaced = all((redis.command("GET", shared_key(n)) or b"").startswith(b"TRN1")
                           and redis.command("GET", shared_key(n)) not in corruptions for n in corrupt_names)
            time.sleep(0.05)
        check(replaced, "the corrupt values were replaced by B's answers")
        check("was rejected" in b.read_log(), "the rejection is logged")

        # --- 3. Redis stalled, then killed, under a steady stream: no client query fails ---
        events = []
        log_before = len(a.read_log())

        def outage():
            time.sleep(1.5)
            redis.signal(signal.SIGSTOP)
            events.append((None, "stopped"))
            time.sleep(2.0)
            redis.kill()
            events.append((None, "killed"))

        th = threading.Thread(target=outage)
        th.start()
        before = stats(a)
        sent, answered, servfails, lost = stream(a, stream_names, STREAM_SECONDS, QPS, events)
        th.join()
        after = stats(a)
        print(f"stream: {sent} sent at {QPS}/s, {answered} answered, {servfails} SERVFAIL, "
              f"lost at {[round(x, 2) for x in lost]}", flush=True)
        check(answered == sent, f"no client query lost while Redis stalled and died ({sent - answered} lost)")
        check(servfails == 0, f"no SERVFAIL because of Redis ({servfails})")
        timeouts = after.get("tern_redis_timeouts_total", 0) - before.get("tern_redis_timeouts_total", 0)
        check(timeouts > 0, f"lookups to the stalled Redis timed out and were counted ({timeouts})")
        check(after.get("tern_redis_connected", 1) == 0,
              f"A shows Redis disconnected ({ {k: v for k, v in after.items() if 'redis' in k} })")
        warnings = [l for l in a.read_log()[log_before:].splitlines()
                    if "skipped until it reconnects" in l]
        check(1 <= len(warnings) <= 2, f"the outage is logged once, not per query ({len(warnings)} lines)")

        # Restarted on the same port: A reconnects (backoff at most 10 s) and uses Redis again.
        redis.start()
        deadline = time.monotonic() + 15
        while stats(a).get("tern_redis_connected") != 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        check(stats(a).get("tern_redis_connected") == 1, "A reconnected after Redis came back")
        check("connected again" in a.read_log(), "the recovery is logged")
        before = stats(a)
        fresh = f"api.{zones[0]}"  # asked of no instance before
        r = ask(a, fresh)
        check(r is not None and header(r)["rcode"] == 0, f"A answers {fresh} after the outage")
        deadline = time.monotonic() + 5
        while redis.command("GET", shared_key(fresh)) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        check(redis.command("GET", shared_key(fresh)) is not None, "A stores in the restarted Redis")
    finally:
        for name, t in (("A", a), ("B", b)):
            if t is not None:
                if failures:
                    print(f"--- ternd {name} log tail ---\n{t.read_log()[-2000:]}")
                code = t.stop()
                check(code == 0, f"ternd {name} exits 0 (got {code})")
        redis.stop()
        shutil.rmtree(directory, ignore_errors=True)
    print(f"total {time.monotonic() - t0:.1f} s")
    print("ok" if not failures else f"FAILED: {len(failures)}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
