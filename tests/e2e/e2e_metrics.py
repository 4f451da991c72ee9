#!/usr/bin/env python3
"""The Prometheus endpoint end to end: ternd with [metrics] listen on a free port, scraped with
curl and checked with `promtool check metrics` (Debian's prometheus package); the counters move
by what was sent; `ternd control stats` prints the same values; bad, oversized, slow and
surplus requests are answered 400 or dropped and the endpoint stays up.

  e2e_metrics.py --ternd PATH --ares PATH

curl and promtool are external checkers: without them the test is skipped (exit 77), except
under CI=true, where a missing checker is a failure.
"""

import argparse
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

from ternd_harness import REPO, Ternd, blackhole_hints, dnsmsg, free_port

ADDRESS = "127.0.0.63"
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')


def parse(text):
    """{'name{labels}': value} of every sample; families with HELP and TYPE."""
    samples, helped, typed = {}, set(), {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            helped.add(line.split()[2])
        elif line.startswith("# TYPE "):
            parts = line.split()
            typed[parts[2]] = parts[3]
        elif line and not line.startswith("#"):
            m = SAMPLE.match(line)
            if not m:
                raise ValueError(f"not a sample line: {line!r}")
            samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return samples, helped, typed


def family_of(name, typed):
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and typed.get(name[: -len(suffix)]) == "histogram":
            return name[: -len(suffix)]
    return name


def curl(url, *extra):
    p = subprocess.run(["curl", "-sS", "-i", "--max-time", "10", *extra, url],
                       capture_output=True, text=True, timeout=20)
    head, _, body = p.stdout.replace("\r\n", "\n").partition("\n\n")
    status = int(head.split()[1]) if head.startswith("HTTP/") else 0
    return p.returncode, status, head, body


def raw(port, data, timeout=5.0):
    """Sends `data` on one connection; returns what came back before the server closed."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        return out


class RefusingAuthority:
    """The only "root server": answers every query with REFUSED (matching ID and question), so
    upstream responses are accepted and timed while every resolution still fails."""

    def __init__(self, address):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stopping:
            try:
                data, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            if len(data) < 12:
                continue
            off = 12
            while off < len(data) and data[off] != 0:
                off += 1 + data[off]
            question = data[12:off + 5]
            flags = 0x8000 | (struct.unpack("!H", data[2:4])[0] & 0x0100) | 5  # QR, RD echoed, REFUSED
            self.sock.sendto(data[:2] + struct.pack("!HHHHH", flags, 1, 0, 0, 0) + question, peer)

    def stop(self):
        self.stopping = True
        self.thread.join(timeout=2)
        self.sock.close()


def sum_family(samples, prefix):
    return sum(v for k, v in samples.items() if k.startswith(prefix))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ternd", required=True)
    ap.add_argument("--ares")
    args = ap.parse_args()

    ci = os.environ.get("CI") == "true"
    missing = [tool for tool in ("curl", "promtool") if shutil.which(tool) is None]
    if missing:
        print(f"{'FAIL' if ci else 'skip'}: {', '.join(missing)} not installed (make deps-test)")
        return 1 if ci else 77

    directory = tempfile.mkdtemp(prefix="ternd-metrics-")
    authority = RefusingAuthority("127.0.0.98")
    hints = blackhole_hints(directory, "127.0.0.98")
    mport = free_port("127.0.0.1")
    sock = os.path.join(directory, "control.sock")
    config = (f"[resolver]\nresolve-deadline-ms = 600\nupstream-port = {authority.port}\n"
              f"[metrics]\nlisten = \"127.0.0.1:{mport}\"\nrequest-timeout-ms = 1500\nmax-connections = 4\n")
    t = Ternd(args.ternd, ADDRESS, config=config, threads=2,
              args=["--root-hints", hints, "--upstream-allow", "127.0.0.0/8", "--control", sock])
    url = f"http://127.0.0.1:{mport}/metrics"
    try:
        rc, status, head, body = curl(url)
        check(rc == 0 and status == 200, "curl GET /metrics -> 200")
        check("text/plain; version=0.0.4" in head, "exposition content type")
        p = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True,
                           text=True, timeout=30)
        check(p.returncode == 0, f"promtool check metrics accepts the scrape {p.stdout}{p.stderr}")
        before, helped, typed = parse(body)
        fams = {family_of(k.split("{")[0], typed) for k in before}
        check(fams and all(f in helped and f in typed for f in fams), "every family has HELP and TYPE")
        check(all(f.startswith("tern_") for f in fams), "every metric is named tern_*")
        check(all(f.endswith("_total") for f in fams if typed.get(f) == "counter"), "counters end in _total")
        # The Grafana dashboard only names metrics the endpoint serves.
        with open(os.path.join(REPO, "docs", "grafana-dashboard.json")) as f:
            used = set(re.findall(r"tern_[a-z_]+", f.read()))
        unknown = sorted(u for u in used if family_of(u, typed) not in fams)
        check(used and not unknown, f"docs/grafana-dashboard.json uses served metrics only {unknown}")

        # Traffic: local answers over UDP and TCP, one question that must be resolved (the only
        # root server never answers: SERVFAIL once the deadline passes).
        n_udp, n_tcp = 7, 2
        q = dnsmsg.build_query("localhost.", "A")[1]
        got = sum(t.udp(q) is not None for _ in range(n_udp))
        got += sum(t.tcp(q) is not None for _ in range(n_tcp))
        check(got == n_udp + n_tcp, "every local query answered")
        r = t.udp(dnsmsg.build_query("www.example.", "AAAA")[1], timeout=5)
        check(r is not None and (r[3] & 0x0F) == 2, "the unresolvable question gets SERVFAIL")

        rc, status, _, body = curl(url)
        after, _, _ = parse(body)
        d = lambda k: after.get(k, 0) - before.get(k, 0)  # noqa: E731
        check(d('tern_queries_total{transport="udp"}') == n_udp + 1, "tern_queries_total{udp} += queries sent")
        check(d('tern_queries_total{transport="tcp"}') == n_tcp, "tern_queries_total{tcp} += queries sent")
        check(d('tern_queries_by_qtype_total{qtype="A"}') == n_udp + n_tcp
              and d('tern_queries_by_qtype_total{qtype="AAAA"}') == 1, "queries by qtype")
        check(d('tern_answers_total{source="local"}') == n_udp + n_tcp, "answers by source: local")
        check(d('tern_responses_total{rcode="NOERROR"}') == n_udp + n_tcp
              and d('tern_responses_total{rcode="SERVFAIL"}') == 1, "responses by rcode")
        check(sum_family(after, "tern_resolution_failures_total") - sum_family(before, "tern_resolution_failures_total") == 1,
              "one resolution failure, counted by reason")
        check(d('tern_answer_duration_seconds_count{source="resolution"}') == 1
              and d('tern_answer_duration_seconds_bucket{source="resolution",le="+Inf"}') == 1,
              "the resolution is in the latency histogram")
        check(d('tern_upstream_queries_total{transport="udp"}') >= 1, "upstream queries sent counted")
        check(d("tern_upstream_responses_total") >= 1, "upstream responses (REFUSED) accepted")
        check(d("tern_upstream_rtt_seconds_count") == d("tern_upstream_responses_total")
              and d('tern_upstream_rtt_seconds_bucket{le="+Inf"}') == d("tern_upstream_rtt_seconds_count"),
              "every accepted upstream response is in the RTT histogram")
        check(after.get("tern_workers") == 2 and after.get("tern_workers_reporting") == 2,
              "every worker reports")
        check(after.get('tern_cache_bytes{layer="rrset"}', 0) > 0, "cache bytes gauge")
        # An open client TCP connection shows in the gauge while it lasts.
        with socket.create_connection((ADDRESS, t.port), timeout=5):
            time.sleep(0.2)
            _, _, _, body = curl(url)
            check(parse(body)[0].get("tern_tcp_connections_open") == 1, "tern_tcp_connections_open counts an open connection")

        # The control channel prints the same values (the client-side families do not move
        # while nothing is sent).
        p = subprocess.run([args.ternd, "control", sock, "stats"], capture_output=True, text=True, timeout=10)
        ctl = {}
        for line in p.stdout.splitlines():
            m = SAMPLE.match(line)
            check(m is not None, f"control stats line is a sample: {line!r}") if m is None else None
            if m:
                ctl[m.group(1) + (m.group(2) or "")] = float(m.group(3))
        client_side = [k for k in after if k.startswith(("tern_queries", "tern_responses_", "tern_answers_total"))]
        check(p.returncode == 0 and client_side and all(ctl.get(k) == after[k] for k in client_side),
              "ternd control stats prints the scrape's values")

        rc, status, _, body = curl(f"http://127.0.0.1:{mport}/healthz")
        check(status == 200 and body == "ok\n", "GET /healthz -> 200 ok")
        rc, status, _, body = curl(url, "-I")
        check(status == 200 and body == "", "HEAD /metrics -> 200, no body")
        check(curl(url, "-X", "POST")[1] == 405, "POST /metrics -> 405")
        check(curl(f"http://127.0.0.1:{mport}/nope")[1] == 404, "unknown path -> 404")

        # Bad input: each gets 400 and a closed connection; the endpoint stays up.
        out = raw(mport, b"GARBAGE \x00\x01 nonsense\r\n\r\n")
        check(out.startswith(b"HTTP/1.1 400"), "a malformed request -> 400")
        out = raw(mport, b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        check(out.startswith(b"HTTP/1.1 400"), "an oversized request -> 400")
        out = raw(mport, b"GET /metrics HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"p" * 9000 + b"\r\n\r\n")
        check(out.startswith(b"HTTP/1.1 400"), "oversized headers -> 400")
        out = raw(mport, b"GET /metrics HTTP/1.1\r\nContent-Length: zz\r\n\r\n")
        check(out.startswith(b"HTTP/1.1 400"), "a bad Content-Length -> 400")
        # A client that never finishes its request is dropped after request-timeout-ms.
        start = time.monotonic()
        out = raw(mport, b"GET /metr", timeout=10)
        waited = time.monotonic() - start
        check(out == b"" and waited < 8, f"an unfinished request is dropped ({waited:.1f} s)")
        # More idle connections than max-connections: the surplus ones are closed at once, and
        # once they go, scrapes work again.
        idle = [socket.create_connection(("127.0.0.1", mport), timeout=5) for _ in range(6)]
        surplus = idle[-1]
        surplus.settimeout(3)
        try:
            closed = surplus.recv(1) == b""
        except (socket.timeout, ConnectionResetError):
            closed = False
        check(closed, "a connection over max-connections is closed")
        for s in idle:
            s.close()
        time.sleep(0.3)
        rc, status, _, body = curl(url)
        check(status == 200 and "tern_queries_total" in body, "the endpoint is still up after bad input")
        check(t.udp(q) is not None, "ternd still answers DNS")
        check(t.stop() == 0, "ternd exits 0 with the endpoint running")
    finally:
        if t.proc.poll() is None:
            t.stop()
        authority.stop()
        if failures:
            with open(t.log_path) as f:
                print(f.read())

    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
