#!/usr/bin/env python3
"""DNS over HTTPS served by ternd (issue #18), with real clients and hostile ones.

A throw-away CA made by the test signs a certificate for resolver.test (and the listen address);
ternd serves DoH on server.https-listen with it. Real clients: dig +https (POST) and +https-get
(bind9-dnsutils 9.18), curl --http2 GET and POST. The names are local data (so no upstream is
needed; the root hints name a loopback address nothing answers on). A client that expects another
name rejects the certificate (dig and curl), so the test proves ternd presents what it is
configured with. Bad requests get 400/404/405/413/415 from curl; HTTP/1.1 gets 505.

Abuse, bounded (a few seconds): many TLS connections each holding HTTP/2 streams that never
finish, a body far over the limit, garbage frames after the preface, a DATA flood past the flow
control window. Meanwhile a UDP client must get >= 99% answers, ternd's RSS must stay within
64 MiB of where it started, the never-finished streams must be answered 408 after the stream
timeout, and the https counters must show it.

  e2e_doh.py --ternd PATH
"""

import argparse
import base64
import os
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

from ternd_harness import Ternd, blackhole_hints, dig, dnsmsg, header

ADDRESS = "127.0.0.83"
NAME = "resolver.test"
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


def make_certificates(d):
    """ca.pem (a throw-away CA) and server.pem/server.key for resolver.test and ADDRESS."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Tern e2e throw-away CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
            cwd=d)
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "server.key", "-out", "server.csr", "-subj", f"/CN={NAME}", cwd=d)
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write(f"subjectAltName=DNS:{NAME},IP:{ADDRESS}\nextendedKeyUsage=serverAuth\n"
                "basicConstraints=CA:FALSE\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf", cwd=d)
    # Another CA, which signed nothing ternd serves.
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "other.key", "-out", "other-ca.pem", "-days", "2", "-subj", "/CN=Another CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
            cwd=d)


def query(name, qtype="A"):
    msg = bytearray(dnsmsg.build_query(name, qtype)[1])
    msg[0:2] = b"\x00\x00"  # RFC 8484 §4.1: ID 0 so GETs cache well
    return bytes(msg)


def answer_count(resp):
    return header(resp)["an"] if resp and len(resp) >= 12 else -1


def curl(url, port, ca, *extra, data=None, timeout=10):
    """(exit code, status, headers dict, body) of one curl request to resolver.test:port."""
    cmd = ["curl", "-s", "--max-time", str(timeout), "--cacert", ca,
           "--resolve", f"{NAME}:{port}:{ADDRESS}", "--resolve", f"wrong.test:{port}:{ADDRESS}",
           "-D", "-", "-o", "-", *extra, url]
    p = subprocess.run(cmd, input=data, capture_output=True, timeout=timeout + 5)
    out = p.stdout
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = lines[0].split()[1] if lines and len(lines[0].split()) > 1 else None
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return p.returncode, status, headers, body


# --- raw HTTP/2 for the hostile clients (the test writes frames nobody well-behaved would) ---
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def frame(ftype, flags, stream, payload=b""):
    return struct.pack("!I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack("!I", stream) + payload


def literal(name, value):
    # HPACK literal header field without indexing, new name, no Huffman (RFC 7541 §6.2.2).
    assert len(name) < 127 and len(value) < 127
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


def post_headers(port):
    return b"".join([literal(b":method", b"POST"), literal(b":scheme", b"https"),
                     literal(b":authority", f"{NAME}:{port}".encode()), literal(b":path", b"/dns-query"),
                     literal(b"content-type", b"application/dns-message")])


def tls_connect(port, ca):
    ctx = ssl.create_default_context(cafile=ca)
    ctx.set_alpn_protocols(["h2"])
    raw = socket.create_connection((ADDRESS, port), timeout=5)
    s = ctx.wrap_socket(raw, server_hostname=NAME)
    return s


def read_frames(s, seconds):
    """Frames (type, flags, stream) read until `seconds` pass or the peer closes."""
    s.settimeout(0.2)
    buf, frames, end = b"", [], time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            chunk = s.recv(65536)
        except (socket.timeout, ssl.SSLWantReadError):
            continue
        except (ConnectionResetError, ssl.SSLError, OSError):
            break
        if not chunk:
            break
        buf += chunk
        while len(buf) >= 9:
            length = int.from_bytes(buf[0:3], "big")
            if len(buf) < 9 + length:
                break
            frames.append((buf[3], buf[4], int.from_bytes(buf[5:9], "big") & 0x7FFFFFFF))
            buf = buf[9 + length:]
    return frames


class UdpProbe(threading.Thread):
    """Asks localhost. A over UDP every 10 ms until stopped; counts answers."""

    def __init__(self, t):
        super().__init__(daemon=True)
        self.t, self.sent, self.answered, self.stop = t, 0, 0, threading.Event()

    def run(self):
        q = dnsmsg.build_query("localhost.", "A")[1]
        while not self.stop.is_set():
            self.sent += 1
            if self.t.udp(q, timeout=1.0) is not None:
                self.answered += 1
            time.sleep(0.01)


def stats_text(binary, sock):
    return subprocess.run([binary, "control", sock, "stats"], capture_output=True, text=True,
                          timeout=10).stdout


def sample(text, name):
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == name:
            return int(float(parts[1]))
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ternd", required=True)
    p.add_argument("--ares")  # accepted for the common E2E_ARGS; unused
    args = p.parse_args()
    for tool in ("openssl", "curl", "dig"):
        if not shutil.which(tool):
            print(f"{tool} not found: skipped")
            return 77
    d = tempfile.mkdtemp(prefix="ternd-e2e-doh-")
    make_certificates(d)
    ca = os.path.join(d, "ca.pem")
    hints = blackhole_hints(d, "127.0.0.99")
    sock = os.path.join("/tmp", f"ternd-e2e-doh-{os.getpid()}.sock")
    from ternd_harness import free_port
    port = free_port(ADDRESS)
    config = (f'[server]\ntls-certificate = "{d}/server.pem"\ntls-key = "{d}/server.key"\n'
              f'https-listen = ["{ADDRESS}:{port}"]\nhttps-stream-timeout-ms = 1000\n'
              f'[resolver]\nroot-hints = "{hints}"\nupstream-allow = ["127.0.0.0/8"]\n'
              '[[local-zone]]\nname = "doh.test."\ntype = "static"\n'
              '[[local-data]]\nrr = ["doh.test. 600 IN SOA ns.doh.test. admin.doh.test. 1 3600 600 86400 30",\n'
              '      "www.doh.test. 123 IN A 192.0.2.80", "www.doh.test. 45 IN AAAA 2001:db8::80"]\n')
    t = Ternd(args.ternd, ADDRESS, config=config, args=["--control", sock])
    url = f"https://{NAME}:{port}/dns-query"
    try:
        # --- dig +https, POST and GET ---
        tls = [f"+tls-ca={ca}", f"+tls-hostname={NAME}"]
        status, answer, _ = dig(ADDRESS, port, "www.doh.test.", "A", "+https", *tls)
        check(status == "NOERROR" and any("192.0.2.80" in a for a in answer),
              f"dig +https (POST): NOERROR with the A record ({status}, {answer})")
        status, answer, _ = dig(ADDRESS, port, "www.doh.test.", "AAAA", "+https-get", *tls)
        check(status == "NOERROR" and any("2001:db8::80" in a for a in answer),
              f"dig +https-get: NOERROR with the AAAA record ({status}, {answer})")
        status, _, authority = dig(ADDRESS, port, "nope.doh.test.", "A", "+https", *tls)
        check(status == "NXDOMAIN" and authority, f"dig +https: NXDOMAIN with the SOA ({status})")
        status, _, _ = dig(ADDRESS, port, "www.doh.test.", "A", "+https", f"+tls-ca={ca}",
                           "+tls-hostname=wrong.test", timeout=3)
        check(status is None, "dig +https expecting another name rejects the certificate")

        # --- curl --http2 ---
        q = query("www.doh.test.")
        dns = base64.urlsafe_b64encode(q).rstrip(b"=").decode()
        rc, st, h, body = curl(f"{url}?dns={dns}", port, ca, "--http2")
        check(rc == 0 and st == "200", f"curl --http2 GET: 200 ({rc}, {st})")
        check(h.get("content-type") == "application/dns-message", f"GET: content-type {h.get('content-type')}")
        check(h.get("cache-control") == "max-age=123", f"GET: cache-control max-age=123 ({h.get('cache-control')})")
        check(answer_count(body) == 1 and body[0:2] == b"\x00\x00", "GET: the answer, ID 0 echoed")
        rc, st, h, body = curl(url, port, ca, "--http2", "-H", "content-type: application/dns-message",
                               "--data-binary", "@-", data=query("www.doh.test.", "AAAA"))
        check(rc == 0 and st == "200" and answer_count(body) == 1, f"curl --http2 POST: 200 with one answer ({rc}, {st})")
        check(h.get("cache-control") == "max-age=45", f"POST: cache-control max-age=45 ({h.get('cache-control')})")
        rc, st, _, _ = curl(f"https://wrong.test:{port}/dns-query?dns={dns}", port, ca, "--http2")
        check(rc == 60, f"curl to another name rejects the certificate (exit {rc}, 60 expected)")
        rc, st, _, _ = curl(f"{url}?dns={dns}", port, os.path.join(d, "other-ca.pem"), "--http2")
        check(rc == 60, f"curl trusting only another CA rejects the certificate (exit {rc})")

        # --- bad requests ---
        _, st, _, _ = curl(url, port, ca, "--http2", "-H", "content-type: text/plain", "--data-binary", "@-", data=q)
        check(st == "415", f"POST text/plain: 415 ({st})")
        _, st, _, _ = curl(f"{url}?name=www.doh.test", port, ca, "--http2")
        check(st == "400", f"GET without dns=: 400 ({st})")
        _, st, _, _ = curl(f"{url}?dns={dns}==", port, ca, "--http2")
        check(st == "400", f"GET with padded base64: 400 ({st})")
        _, st, _, _ = curl(f"https://{NAME}:{port}/resolve?dns={dns}", port, ca, "--http2")
        check(st == "404", f"another path: 404 ({st})")
        _, st, _, _ = curl(url, port, ca, "--http2", "-X", "PUT", "-H", "content-type: application/dns-message",
                           "--data-binary", "@-", data=q)
        check(st == "405", f"PUT: 405 ({st})")
        _, st, _, _ = curl(url, port, ca, "--http2", "-H", "content-type: application/dns-message",
                           "--data-binary", "@-", data=b"\x00" * 200000)
        check(st == "413", f"a 200 kB body: 413 ({st})")
        _, st, _, body = curl(f"{url}?dns={dns}", port, ca, "--http1.1")
        check(st == "505" and b"HTTP/2" in body, f"HTTP/1.1: 505 saying HTTP/2 only ({st})")
        rc, st, _, _ = curl(f"{url}?dns={dns}", port, ca, "--http2")
        check(st == "200", "still serving after the bad requests")

        # --- abuse, with a UDP probe running ---
        rss0 = t.rss_kb()
        probe = UdpProbe(t)
        probe.start()
        hostile = []
        streams_per_conn = 50
        for _ in range(20):
            s = tls_connect(port, ca)
            out = PREFACE + frame(4, 0, 0)
            for i in range(streams_per_conn):
                out += frame(1, 4, 2 * i + 1, post_headers(port))  # END_HEADERS, never END_STREAM
            s.sendall(out)
            hostile.append(s)
        garbage = tls_connect(port, ca)
        garbage.sendall(PREFACE + bytes(range(256)) * 8)
        flood = tls_connect(port, ca)
        flood.sendall(PREFACE + frame(4, 0, 0) + frame(1, 4, 1, post_headers(port)))
        flooded = True
        try:
            for _ in range(64):  # 1 MiB of DATA on one stream, far past its 64 KiB window
                flood.sendall(frame(0, 0, 1, b"\x00" * 16384))
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            flooded = False  # closed by ternd before all of it went: what we want
        gframes = read_frames(garbage, 1.0)
        check(any(f[0] == 7 for f in gframes), "garbage after the preface: GOAWAY")
        fframes = read_frames(flood, 1.0)
        check(any(f[0] in (3, 7) for f in fframes) or not flooded,
              "a DATA flood past the window: the stream or connection is shut")
        # Past the 1 s stream timeout every never-finished stream is answered 408 (a HEADERS frame).
        answered = 0
        for s in hostile:
            fr = read_frames(s, 0.6 if answered else 2.5)
            answered += len({f[2] for f in fr if f[0] == 1 and f[2] != 0})
        check(answered >= 20 * streams_per_conn * 0.99,
              f"never-finished streams answered after the stream timeout ({answered} of {20 * streams_per_conn})")
        rss1 = t.rss_kb()
        probe.stop.set()
        probe.join(5)
        ratio = probe.answered / max(1, probe.sent)
        check(probe.sent >= 50 and ratio >= 0.99, f"UDP answered {probe.answered}/{probe.sent} meanwhile")
        check(rss1 - rss0 < 64 * 1024, f"RSS grew {(rss1 - rss0) // 1024} MiB (< 64)")
        for s in hostile + [garbage, flood]:
            s.close()
        rc, st, _, _ = curl(f"{url}?dns={dns}", port, ca, "--http2")
        check(st == "200", "DoH still serves after the abuse")

        # --- counters name the transport ---
        text = stats_text(args.ternd, sock)
        https = sample(text, 'tern_queries_total{transport="https"}')
        check(https is not None and https >= 5, f'tern_queries_total{{transport="https"}} counts DoH queries ({https})')
        timed_out = sample(text, "tern_https_streams_timed_out_total")
        check(timed_out is not None and timed_out >= 20 * streams_per_conn * 0.99,
              f"tern_https_streams_timed_out_total ({timed_out})")
        refused = sample(text, 'tern_https_refused_total')
        check(refused is not None and refused >= 6, f"tern_https_refused_total ({refused})")
    finally:
        code = t.stop()
        check(code == 0, f"ternd exits 0 on SIGTERM ({code})")
        if failures:
            with open(t.log_path) as f:
                print(f.read()[-4000:])
        shutil.rmtree(d, ignore_errors=True)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
