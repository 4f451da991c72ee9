#!/usr/bin/env python3
"""ternd behind a load balancer: PROXY protocol v2 headers over UDP and TCP (issue #17).

A "balancer" on 127.0.0.72 (server.proxy-protocol-from) sends headers the way dnsdist does
(before the DNS message in each datagram; once at the start of a TCP connection). The ACL
allows 127.0.0.1 and, through --allow, 192.0.2.0/24 — not the balancer itself — so an answer to
`localhost. A` proves the ACL looked at the client inside the header, and REFUSED that it looked at
an address outside. Also: a header from a source not listed is dropped, a malformed or oversized
one is dropped, a query without one from the balancer is dropped (as PowerDNS Recursor does), and
the proxy-* counters and the query log show it. No address outside 127/8 is ever a socket target:
192.0.2.x, 198.51.100.x and 2001:db8:: appear only inside headers.

  e2e_proxy.py --ternd PATH
"""

import argparse
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

from ternd_harness import Ternd, blackhole_hints, dnsmsg, header, recv_exact

ADDRESS = "127.0.0.71"
BALANCER = "127.0.0.72"
SIG = b"\r\n\r\n\x00\r\nQUIT\n"
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def v4_header(src, sport, dst="198.51.100.1", dport=53, proto=0x12, tlvs=b"", command=0x21):
    body = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!HH", sport, dport) + tlvs
    return SIG + bytes([command, proto]) + struct.pack("!H", len(body)) + body


def v6_header(src, sport, dst="2001:db8::53", dport=53, proto=0x22):
    body = (socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst)
            + struct.pack("!HH", sport, dport))
    return SIG + bytes([0x21, proto]) + struct.pack("!H", len(body)) + body


LOCAL = SIG + bytes([0x20, 0x00, 0x00, 0x00])


def q(name="localhost.", qtype="A"):
    return dnsmsg.build_query(name, qtype)[1]


def rcode(resp):
    return None if resp is None else header(resp)["rcode"]


def tcp_exchange(t, source, chunks, frames=1, timeout=3.0):
    """Connects from `source`, sends each chunk (a short pause between them), reads `frames`
    answers; returns the list (None where the connection closed first)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.settimeout(timeout)
    s.connect((t.address, t.port))
    try:
        for i, c in enumerate(chunks):
            if i:
                time.sleep(0.1)
            try:
                s.sendall(c)
            except (BrokenPipeError, ConnectionResetError):
                break
        out = []
        for _ in range(frames):
            head = recv_exact(s, 2)
            out.append(None if head is None else recv_exact(s, struct.unpack("!H", head)[0]))
        return out
    finally:
        s.close()


def framed(msg):
    return struct.pack("!H", len(msg)) + msg


# `ternd control stats` sample lines (the metrics endpoint's names, docs/operations.md).
ACCEPTED = 'tern_proxy_headers_accepted_total'
NOT_ALLOWED = 'tern_proxy_dropped_total{reason="not_allowed"}'
MALFORMED = 'tern_proxy_dropped_total{reason="malformed"}'
MISSING = 'tern_proxy_dropped_total{reason="missing"}'


def stats(binary, sock):
    p = subprocess.run([binary, "control", sock, "stats"], capture_output=True, text=True, timeout=10)
    out = {}
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            out[parts[0]] = int(parts[1])
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ternd", required=True)
    args = p.parse_args()
    directory = tempfile.mkdtemp(prefix="ternd-e2e-proxy-")
    hints = blackhole_hints(directory, "127.0.0.99")
    sock = os.path.join("/tmp", f"ternd-e2e-proxy-{os.getpid()}.sock")
    config = ('[server]\nallow = ["127.0.0.1/32"]\n'
              f'proxy-protocol-from = ["{BALANCER}/32"]\n'
              f'[resolver]\nroot-hints = "{hints}"\nupstream-allow = ["127.0.0.0/8"]\n'
              '[log]\nquery-log-buffer-kib = 0\n')
    t = Ternd(args.ternd, ADDRESS, config=config,
              args=["--allow", "192.0.2.0/24", "--control", sock, "--query-log"])
    try:
        before = stats(args.ternd, sock)
        check(all(k in before for k in (ACCEPTED, NOT_ALLOWED,
                                        MALFORMED, MISSING)),
              "ternd control stats lists the PROXY counters")

        # --- UDP ---
        r = t.udp(v4_header("192.0.2.10", 5353) + q(), source=BALANCER)
        check(rcode(r) == 0 and header(r)["an"] == 1,
              "UDP: inner client 192.0.2.10 inside the ACL is served (the balancer is not in it)")
        r = t.udp(v4_header("198.51.100.9", 5353) + q(), source=BALANCER)
        check(rcode(r) == 5, "UDP: inner client 198.51.100.9 outside the ACL -> REFUSED")
        r = t.udp(v6_header("2001:db8::1", 4000) + q(), source=BALANCER)
        check(rcode(r) == 5, "UDP: inner IPv6 client outside the ACL -> REFUSED")
        r = t.udp(v4_header("192.0.2.10", 5353, tlvs=b"\xee\x00\x03abc") + q(), source=BALANCER)
        check(rcode(r) == 0, "UDP: a header with a TLV is accepted (TLV skipped)")
        r = t.udp(LOCAL + q(), source=BALANCER)
        check(rcode(r) == 5, "UDP: LOCAL uses the balancer's own address (outside the ACL) -> REFUSED")
        # Dropped: from a source not listed, malformed, oversized, missing.
        r = t.udp(v4_header("192.0.2.10", 5353) + q(), source="127.0.0.1", timeout=0.5)
        check(r is None, "UDP: a header from 127.0.0.1 (not a listed balancer) is dropped")
        bad = bytearray(v4_header("192.0.2.10", 5353))
        bad[12] = 0x11  # version 1 nibble
        r = t.udp(bytes(bad) + q(), source=BALANCER, timeout=0.5)
        check(r is None, "UDP: a malformed header (version 1) is dropped")
        r = t.udp(v4_header("192.0.2.10", 5353, tlvs=b"\xee\x02\x00" + b"x" * 512) + q(),
                  source=BALANCER, timeout=0.5)
        check(r is None, "UDP: a header over proxy-protocol-maximum-size (512) is dropped")
        r = t.udp(q(), source=BALANCER, timeout=0.5)
        check(r is None, "UDP: a query without a header from the balancer is dropped")
        r = t.udp(q(), source="127.0.0.1")
        check(rcode(r) == 0, "UDP: a plain query from 127.0.0.1 is still served")

        # --- TCP ---
        hdr = v4_header("192.0.2.10", 5353, proto=0x11)
        rs = tcp_exchange(t, BALANCER, [hdr + framed(q()) + framed(q("www.localhost.", "AAAA"))], frames=2)
        check(all(rcode(r) == 0 for r in rs),
              "TCP: header once at the start, then two queries, both served as 192.0.2.10")
        rs = tcp_exchange(t, BALANCER, [hdr[:10], hdr[10:20], hdr[20:] + framed(q())])
        check(rcode(rs[0]) == 0, "TCP: a header split over three segments")
        rs = tcp_exchange(t, BALANCER, [v4_header("198.51.100.9", 5353, proto=0x11) + framed(q())])
        check(rcode(rs[0]) == 5, "TCP: inner client outside the ACL -> REFUSED")
        rs = tcp_exchange(t, BALANCER, [framed(q())])
        check(rs[0] is None, "TCP: no header from the balancer -> closed, no answer")
        rs = tcp_exchange(t, "127.0.0.1", [hdr + framed(q())])
        check(rs[0] is None, "TCP: a header from 127.0.0.1 (not listed) -> closed, no answer")
        rs = tcp_exchange(t, "127.0.0.1", [framed(q())])
        check(rcode(rs[0]) == 0, "TCP: a plain query from 127.0.0.1 is still served")

        after = stats(args.ternd, sock)
        d = {k: after.get(k, 0) - before.get(k, 0) for k in after}
        check(d.get(ACCEPTED) == 8, f"{ACCEPTED} +8 (5 UDP, 3 TCP connections): {d.get(ACCEPTED)}")
        check(d.get(NOT_ALLOWED) == 2, f"{NOT_ALLOWED} +2: {d.get(NOT_ALLOWED)}")
        check(d.get(MALFORMED) == 2, f"{MALFORMED} +2: {d.get(MALFORMED)}")
        check(d.get(MISSING) == 2, f"{MISSING} +2: {d.get(MISSING)}")
        log = t.read_log()
        check(re.search(r"192\.0\.2\.10:5353 (udp|tcp) localhost\. A NOERROR", log) is not None, "the query log names the client inside the header")
        check(re.search(r"198\.51\.100\.9:5353 (udp|tcp) localhost\. A REFUSED", log) is not None, "... and the refused one")

        # SIGHUP with no balancer listed: the old balancer is an ordinary client again (outside
        # the ACL: REFUSED, not dropped), and its headers are now from a source not listed.
        with open(t.config_path, "w") as f:
            f.write(config.replace(f'proxy-protocol-from = ["{BALANCER}/32"]\n', ""))
        t.signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        r = None
        while time.monotonic() < deadline and rcode(r) != 5:
            r = t.udp(q(), source=BALANCER, timeout=0.5)
        check(rcode(r) == 5, "after SIGHUP without proxy-protocol-from: a plain query from the balancer -> REFUSED")
        r = t.udp(v4_header("192.0.2.10", 5353) + q(), source=BALANCER, timeout=0.5)
        check(r is None, "... and its header is dropped as not allowed")
    finally:
        check(t.stop() == 0, "exit 0 on SIGTERM")
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
