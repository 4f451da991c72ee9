#!/usr/bin/env python3
"""dnsdist in front of three ternd instances on the offline lab (issue #17, docs/scale-out.md):

  1. chashed: every one of NAMES distinct names, asked ROUNDS times, reaches exactly one backend
     (counted from each ternd's query log), and every backend gets some names;
  2. one backend is killed (SIGKILL by PID) under a steady stream of QPS queries/s for
     STREAM_SECONDS: the queries lost are at most what dnsdist can send it before its health
     check marks it down (bound below);
  3. the backend is restarted on the same address and port and receives queries again within
     REJOIN_BOUND seconds.

dnsdist sends PROXY v2 headers (useProxyProtocol=true) and ternd lists it in proxy-protocol-from,
so the query logs also show the real client. Everything listens on 127.0.0.x; dnsdist's console
and web server are off and its security polling is disabled (it would ask the system resolver).

  e2e_dnsdist.py --ternd PATH [--net 127.53] [--state DIR] [--print-config]
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from ternd_harness import REPO, Ternd, dnsmsg, free_port, header

DNSDIST_ADDRESS = "127.0.0.81"
BACKEND_ADDRESSES = ["127.0.0.82", "127.0.0.83", "127.0.0.84"]
CLIENT_ADDRESS = "127.0.0.85"
NAMES = 60
ROUNDS = 3
QPS = 50
STREAM_SECONDS = 6
KILL_AT = 2.0
QUERY_TIMEOUT = 1.0
# dnsdist's health check: one query every CHECK_INTERVAL s, a backend is down after
# MAX_CHECK_FAILURES failed checks (each waits at most CHECK_TIMEOUT_MS) and up again after RISE
# good ones.
CHECK_INTERVAL = 1
CHECK_TIMEOUT_MS = 500
MAX_CHECK_FAILURES = 1
RISE = 1
# Queries dnsdist forwards to a dead backend until a check fails: at most one interval plus one
# timeout, at the dead backend's share of the stream; plus one interval of slack for the check
# thread's scheduling under ASan on a loaded machine.
DETECTION_BOUND = CHECK_INTERVAL * (MAX_CHECK_FAILURES + 1) + CHECK_TIMEOUT_MS / 1000
# A restarted backend is checked within one interval and up after RISE good checks.
REJOIN_BOUND = CHECK_INTERVAL * (RISE + 1) + CHECK_TIMEOUT_MS / 1000 + 1.0

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def dnsdist_config(listen, backends):
    """The configuration docs/scale-out.md shows (same text; only the addresses differ)."""
    servers = "\n".join(
        f'newServer({{address="{a}:{p}", name="ternd{i + 1}", '
        f'id="00000000-0000-4000-8000-00000000000{i + 1}",\n'
        f'           source="{DNSDIST_ADDRESS}", useProxyProtocol=true, weight=1000,\n'
        f'           checkName="localhost.", checkType="A", checkInterval={CHECK_INTERVAL},\n'
        f'           checkTimeout={CHECK_TIMEOUT_MS}, maxCheckFailures={MAX_CHECK_FAILURES}, rise={RISE}}})'
        for i, (a, p) in enumerate(backends))
    return f"""-- dnsdist 1.7 in front of {len(backends)} ternd instances (docs/scale-out.md).
setLocal("{listen}")
setACL({{"127.0.0.0/8"}})
-- No security polling: it would send a DNS query for secpoll.powerdns.com to the system resolver.
setSecurityPollSuffix("")
-- Neither controlSocket() nor webserver() is called: no console, no web server.

{servers}

-- Consistent hashing on the query name: each name is cached on one backend.
setServerPolicy(chashed)
-- Optional: dnsdist's own packet cache (off here so that every query reaches a backend).
-- getPool(""):setCache(newPacketCache(100000, {{maxTTL=86400, minTTL=0}}))
"""


class Dnsdist:
    def __init__(self, directory, config):
        self.config_path = os.path.join(directory, "dnsdist.conf")
        with open(self.config_path, "w") as f:
            f.write(config)
        self.log_path = os.path.join(directory, "dnsdist.log")
        checked = subprocess.run(["dnsdist", "--check-config", "-C", self.config_path],
                                 capture_output=True, text=True, timeout=20)
        check(checked.returncode == 0, f"dnsdist --check-config accepts the config "
                                       f"({(checked.stdout + checked.stderr).strip()[-300:]})")
        if checked.returncode != 0:
            raise RuntimeError("bad dnsdist config")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(["dnsdist", "--supervised", "--disable-syslog",
                                      "-C", self.config_path],
                                     stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def read_log(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def ask(address, port, qname, timeout=2.0):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((CLIENT_ADDRESS, 0))
        s.settimeout(timeout)
        s.sendto(dnsmsg.build_query(qname, "A")[1], (address, port))
        try:
            return s.recvfrom(65535)[0]
        except (socket.timeout, ConnectionRefusedError):
            return None


def logged_names(t, since=0):
    """qname -> count of client queries in ternd's query log (offset `since` into the log),
    health checks (localhost.) left out."""
    counts = {}
    text = t.read_log()[since:]
    for line in text.splitlines():
        parts = line.split()
        # "... query: <client> <proto> <qname> <type> <rcode> <source> <latency>[ ede=N]"
        if "query:" not in parts:
            continue
        i = parts.index("query:")
        if len(parts) >= i + 8 and parts[i + 1].rsplit(":", 1)[0] == CLIENT_ADDRESS:
            counts[parts[i + 3]] = counts.get(parts[i + 3], 0) + 1
    return counts


def stream(address, port, names, seconds, qps, events):
    """Sends qps queries/s for `seconds` from one socket; returns (sent, answered, send times of
    the lost ones). `events` gets (time, what) from other threads for the report."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((CLIENT_ADDRESS, 0))
    sock.settimeout(0.05)
    pending = {}
    answered = 0
    start = time.monotonic()
    n = 0
    total = int(seconds * qps)
    while True:
        now = time.monotonic()
        if n < total and now >= start + n / qps:
            qid = n & 0xFFFF
            sock.sendto(dnsmsg.build_query(names[n % len(names)], "A", qid=qid)[1], (address, port))
            pending[qid] = now
            n += 1
            continue
        if n >= total and (not pending or now > start + seconds + QUERY_TIMEOUT + 0.5):
            break
        try:
            r = sock.recv(65535)
            qid = header(r)["id"]
            rcode = header(r)["rcode"]
            if qid in pending:
                events.append((now - start, f"rcode {rcode}"))
            # An answer counts if it is a real one (not dnsdist's SERVFAIL for a dead backend).
            if qid in pending and now - pending[qid] <= QUERY_TIMEOUT and rcode != 2:
                answered += 1
            pending.pop(qid, None)
        except (socket.timeout, ConnectionRefusedError):
            pass
    sock.close()
    return total, answered, sorted(t - start for t in pending.values())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ternd", required=True)
    p.add_argument("--net", default=os.environ.get("TERN_LAB_NET", "127.53"))
    p.add_argument("--state")
    p.add_argument("--print-config", action="store_true", help="print the dnsdist config and exit")
    args = p.parse_args()
    if args.print_config:
        print(dnsdist_config(f"{DNSDIST_ADDRESS}:53",
                             [(a, 53) for a in BACKEND_ADDRESSES]), end="")
        return 0
    if shutil.which("dnsdist") is None:
        print("dnsdist is not installed (apt-get install dnsdist; make deps-test)")
        # Under CI a missing dependency is a failure, not a skip.
        return 1 if os.environ.get("CI") == "true" else 77
    state = args.state or os.environ.get("TERN_LAB_STATE") or os.path.join(REPO, "build", f"lab-{args.net}")
    with open(os.path.join(state, "manifest.json")) as f:
        manifest = json.load(f)
    zone = next(e["qname"][len("cdn."):] for e in manifest["entries"] if e["id"].endswith("-cdn"))
    # docs/scale-out.md shows this very configuration (with port 53): keep the two the same.
    with open(os.path.join(REPO, "docs", "scale-out.md")) as f:
        doc = f.read()
    shown = dnsdist_config(f"{DNSDIST_ADDRESS}:53", [(a, 53) for a in BACKEND_ADDRESSES])
    check("```lua\n" + shown + "```" in doc,
          "docs/scale-out.md shows the tested dnsdist config (e2e_dnsdist.py --print-config)")
    names = [f"host{i}-{random.randrange(1 << 20)}.{zone}" for i in range(NAMES)]
    directory = tempfile.mkdtemp(prefix="ternd-e2e-dnsdist-")
    config = (f"[server]\nproxy-protocol-from = [\"{DNSDIST_ADDRESS}/32\"]\n"
              f"[resolver]\nroot-hints = \"{manifest['root_hints']}\"\n"
              "upstream-allow = [\"127.0.0.0/8\"]\n[log]\nquery-log = true\nquery-log-buffer-kib = 0\n")
    backends, dd = [], None
    t0 = time.monotonic()
    try:
        for a in BACKEND_ADDRESSES:
            backends.append(Ternd(args.ternd, a, config=config))
        port = free_port(DNSDIST_ADDRESS)
        dd = Dnsdist(directory, dnsdist_config(f"{DNSDIST_ADDRESS}:{port}",
                                               [(b.address, b.port) for b in backends]))
        deadline = time.monotonic() + 10
        while ask(DNSDIST_ADDRESS, port, "localhost.", timeout=0.3) is None:
            if dd.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("dnsdist did not start:\n" + dd.read_log())
        # Wait until every backend is up (its first check passed), so that the hash ring is
        # complete before names are counted.
        deadline = time.monotonic() + 10
        while dd.read_log().count("as 'up'") < len(backends):
            if time.monotonic() > deadline:
                raise RuntimeError("dnsdist did not mark every backend up:\n" + dd.read_log())
            time.sleep(0.1)

        # --- 1. consistent hashing ---
        offsets = [len(b.read_log()) for b in backends]
        for _ in range(ROUNDS):
            for n in names:
                r = ask(DNSDIST_ADDRESS, port, n)
                if r is None:
                    check(False, f"{n} answered through dnsdist")
        per = [logged_names(b, o) for b, o in zip(backends, offsets)]
        owners = {n: [i for i in range(3) if n in per[i]] for n in names}
        check(all(len(o) == 1 for o in owners.values()),
              f"chashed: each of {NAMES} names reached exactly one backend "
              f"({sum(len(o) == 1 for o in owners.values())} did)")
        check(all(sum(per[o[0]][n] for o in [owners[n]]) == ROUNDS for n in names if len(owners[n]) == 1),
              f"chashed: all {ROUNDS} queries of each name reached its backend")
        shares = [sum(1 for n in names if owners[n] == [i]) for i in range(3)]
        check(all(s > 0 for s in shares), f"every backend owns some names: {shares}")
        client_seen = all(CLIENT_ADDRESS in b.read_log() for b in backends)
        check(client_seen, f"PROXY v2: the query logs show the real client {CLIENT_ADDRESS}")

        # --- 2. kill a backend under a steady stream ---
        victim = max(range(3), key=lambda i: shares[i])
        victim_share = shares[victim] / NAMES
        events = []

        def killer():
            time.sleep(KILL_AT)
            backends[victim].proc.kill()  # SIGKILL by PID: nothing answers what was in flight
            events.append((0, "killed"))

        th = threading.Thread(target=killer)
        th.start()
        sent, answered, lost_times = stream(DNSDIST_ADDRESS, port, names, STREAM_SECONDS, QPS, events)
        th.join()
        backends[victim].proc.wait()
        backends[victim].log.close()
        lost = sent - answered
        bound = int(QPS * victim_share * DETECTION_BOUND) + 2
        rcodes = {}
        for _, what in events:
            if what.startswith("rcode"):
                rcodes[what] = rcodes.get(what, 0) + 1
        print(f"stream rcodes: {rcodes}")
        print(f"stream: {sent} sent at {QPS}/s, {answered} answered, {lost} lost "
              f"(victim ternd{victim + 1} owned {victim_share:.0%} of the names; lost at "
              f"{[round(x, 2) for x in lost_times]} s, kill at {KILL_AT} s)", flush=True)
        check(lost <= bound, f"killing a backend loses at most {bound} queries "
                             f"(= {QPS}/s x {victim_share:.2f} x {DETECTION_BOUND} s + 2): lost {lost}")
        check(lost_times == [] or min(lost_times) >= KILL_AT - QUERY_TIMEOUT - 0.1,
              "no query lost before the kill")

        # --- 3. restart it on the same address and port; it rejoins ---
        old = backends[victim]
        backends[victim] = Ternd(args.ternd, old.address, config=config, port=old.port)
        restarted = time.monotonic()
        victim_names = [n for n in names if owners[n] == [victim]]
        rejoined = None
        while time.monotonic() - restarted < REJOIN_BOUND + 2:
            for n in victim_names[:5]:
                ask(DNSDIST_ADDRESS, port, n, timeout=0.5)
            if logged_names(backends[victim]):
                rejoined = time.monotonic() - restarted
                break
            time.sleep(0.1)
        print(f"rejoin: restarted ternd{victim + 1} got queries {rejoined} s after it was ready",
              flush=True)
        check(rejoined is not None and rejoined <= REJOIN_BOUND,
              f"the restarted backend receives queries again within {REJOIN_BOUND} s ({rejoined})")
        check(dd.proc.poll() is None, "dnsdist still running")
    finally:
        if dd is not None:
            if failures:
                print(dd.read_log()[-3000:])
            dd.stop()
        for i, b in enumerate(backends):
            if b.proc.poll() is None:
                code = b.stop()
                check(code == 0, f"ternd{i + 1} exits 0 (got {code})")
            if failures:
                print(f"--- ternd{i + 1} log tail ---\n{b.read_log()[-1500:]}")
    print(f"total {time.monotonic() - t0:.1f} s")
    print("ok" if not failures else f"FAILED: {len(failures)}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
