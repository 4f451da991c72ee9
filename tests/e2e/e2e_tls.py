#!/usr/bin/env python3
"""DNS over TLS (issue 18) end to end on the lab, with real clients: dig +tls (bind9-dnsutils
9.18), kdig +tls (knot-dnsutils) and Python's ssl module, against a certificate this test makes
from a throw-away CA with the openssl CLI.
  - answers over TLS 1.2 and 1.3, ALPN "dot", pipelined queries, session resumption by ticket;
  - the clients verify what ternd presents: the right name passes, a wrong name and (after a
    SIGHUP that loads an expired certificate in place) an expired one are rejected; a connection
    opened before the reload keeps working; the renewed certificate is served after the next one;
  - abuse, bounded: garbage instead of a ClientHello, TLS 1.1 only, clients that stall mid-
    handshake (past tls-max-handshakes and until tls-handshake-timeout-ms), many idle TLS
    connections -- while a UDP probe of a cached name keeps >= 99% answers, RSS stays bounded.

  e2e_tls.py --ternd PATH [--net 127.61] [--state DIR]
"""

import argparse
import json
import os
import random
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time

import attacks
from ternd_harness import REPO, Ternd, control_stats, dnsmsg, free_port, header, recv_exact

failures = []
HOST = "dot.test"


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(cmd, timeout=20):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(cmd, 124, "", "timeout")


class Pki:
    """A throw-away CA and server certificates for HOST and the listen address (openssl CLI)."""

    def __init__(self, directory, address):
        self.dir = directory
        self.ca = os.path.join(directory, "ca.pem")
        ca_key = os.path.join(directory, "ca.key")
        self._ssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                   "-keyout", ca_key, "-out", self.ca, "-days", "2", "-subj", "/CN=Tern test CA"])
        with open(os.path.join(directory, "ext.cnf"), "w") as f:
            f.write(f"subjectAltName=DNS:{HOST},IP:{address}\n")
        with open(os.path.join(directory, "ca.cnf"), "w") as f:
            f.write("[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\n"
                    "default_md=sha256\npolicy=p\ncopy_extensions=copy\nunique_subject=no\n"
                    "[p]\ncommonName=supplied\n")
        open(os.path.join(directory, "index.txt"), "w").close()
        with open(os.path.join(directory, "serial"), "w") as f:
            f.write("1000\n")
        self.key = os.path.join(directory, "server.key")
        csr = os.path.join(directory, "server.csr")
        self._ssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                   "-keyout", self.key, "-out", csr, "-subj", f"/CN={HOST}"])
        self.good = os.path.join(directory, "good.pem")
        self.expired = os.path.join(directory, "expired.pem")
        base = ["ca", "-batch", "-config", "ca.cnf", "-cert", self.ca, "-keyfile", ca_key,
                "-in", csr, "-extfile", "ext.cnf"]
        self._ssl(base + ["-out", self.good, "-days", "1"])
        self._ssl(base + ["-out", self.expired, "-startdate", "20200101000000Z",
                          "-enddate", "20200102000000Z"])
        self.cert = os.path.join(directory, "server.pem")  # what ternd is configured with
        shutil.copy(self.good, self.cert)

    def _ssl(self, args):
        r = subprocess.run(["openssl", *args], cwd=self.dir, capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise SystemExit(f"openssl {' '.join(args)}: {r.stderr}")

    def install(self, which):
        # Renewal tools rewrite the file in place; ternd re-reads it on SIGHUP.
        shutil.copy(which, self.cert + ".new")
        os.replace(self.cert + ".new", self.cert)


def tls_context(pki, version=None, alpn=("dot",)):
    ctx = ssl.create_default_context(cafile=pki.ca)
    if version:
        ctx.minimum_version = ctx.maximum_version = version
    if alpn:
        ctx.set_alpn_protocols(list(alpn))
    return ctx


def tls_connect(t, ctx, session=None, timeout=5):
    raw = socket.create_connection((t.address, t.tls_port), timeout=timeout)
    return ctx.wrap_socket(raw, server_hostname=HOST, session=session)


def tls_query(s, qname, qtype="A", qid=None):
    qid, msg = dnsmsg.build_query(qname, qtype, qid=qid if qid is not None else random.randrange(65536))
    s.sendall(struct.pack("!H", len(msg)) + msg)
    head = recv_exact(s, 2)
    if head is None:
        return None
    return recv_exact(s, struct.unpack("!H", head)[0])


def kdig(t, pki, qname, hostname, timeout=6):
    r = run(["kdig", f"@{t.address}", "-p", str(t.tls_port), "+tls-ca=" + pki.ca,
             f"+tls-hostname={hostname}", "+retry=0", f"+timeout={timeout}", qname, "A"],
            timeout=timeout + 10)
    return r.returncode == 0 and "status: NOERROR" in r.stdout, r.stdout + r.stderr


def dig_tls(t, pki, qname, hostname=None):
    cmd = ["dig", f"@{t.address}", "-p", str(t.tls_port), "+tls", "+tries=1", "+time=6", qname, "A"]
    if hostname:
        cmd += [f"+tls-ca={pki.ca}", f"+tls-hostname={hostname}"]
    r = run(cmd)
    return "status: NOERROR" in r.stdout and "(TLS)" in r.stdout, r.stdout + r.stderr


def clients(t, pki, zone):
    name = "www." + zone
    ok, out = dig_tls(t, pki, name)
    check(ok, f"dig +tls {name} -> NOERROR over TLS")
    ok, out = dig_tls(t, pki, name, HOST)
    check(ok, f"dig +tls +tls-ca +tls-hostname={HOST} verifies and answers")
    ok, out = dig_tls(t, pki, name, "wrong.test")
    check(not ok and "hostname mismatch" in out, "dig +tls-hostname=wrong.test: rejected (hostname mismatch)")
    ok, out = kdig(t, pki, name, HOST)
    check(ok, f"kdig +tls-ca +tls-hostname={HOST} verifies and answers")
    ok, out = kdig(t, pki, name, "wrong.test")
    check(not ok, "kdig +tls-hostname=wrong.test: rejected")

    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        with tls_connect(t, tls_context(pki, version)) as s:
            r = tls_query(s, name, qid=77)
            check(r is not None and header(r)["id"] == 77 and header(r)["rcode"] == 0 and header(r)["an"] >= 1,
                  f"{version.name}: answered; ALPN {s.selected_alpn_protocol()!r}")
            check(s.selected_alpn_protocol() == "dot", f"{version.name}: ALPN dot negotiated")

    # Pipelining: five queries in one write, five answers (in any order).
    with tls_connect(t, tls_context(pki)) as s:
        names = [f"{p}.{zone}" for p in ("www", "mail", "api", "cdn", "www")]
        out = b""
        for i, n in enumerate(names):
            _, msg = dnsmsg.build_query(n, "A", qid=100 + i)
            out += struct.pack("!H", len(msg)) + msg
        s.sendall(out)
        ids = set()
        for _ in names:
            head = recv_exact(s, 2)
            body = recv_exact(s, struct.unpack("!H", head)[0]) if head else None
            if body:
                ids.add(header(body)["id"])
        check(ids == {100, 101, 102, 103, 104}, f"pipelined over TLS: 5 answers ({sorted(ids)})")

    # Resumption with the server's ticket (TLS 1.3 and 1.2).
    for version in (ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2):
        ctx = tls_context(pki, version)
        with tls_connect(t, ctx) as s:
            tls_query(s, name)  # TLS 1.3 tickets arrive after the handshake
            session = s.session
        with tls_connect(t, ctx, session=session) as s:
            r = tls_query(s, name)
            check(s.session_reused and r is not None, f"{version.name}: session resumed with a ticket")

    r = run(["openssl", "s_client", "-connect", f"{t.address}:{t.tls_port}", "-tls1_1"], timeout=10)
    check("Cipher is (NONE)" in r.stdout or r.returncode != 0, "TLS 1.1 only: no handshake")


def reload_rules(t, pki, zone):
    name = "www." + zone
    before = tls_connect(t, tls_context(pki))
    check(tls_query(before, name) is not None, "a connection opened before the reload answers")
    pki.install(pki.expired)
    t.signal(1)  # SIGHUP
    time.sleep(1.0)
    ok, out = kdig(t, pki, name, HOST)
    check(not ok, "after SIGHUP with an expired certificate: kdig rejects it" + ("" if not ok else ": " + out[-300:]))
    ok, out = dig_tls(t, pki, name, HOST)
    check(not ok and "certificate has expired" in out, "... and dig +tls-ca says: certificate has expired")
    check(tls_query(before, name) is not None, "... the connection opened before the reload still answers")
    before.close()
    pki.install(pki.good)
    t.signal(1)
    time.sleep(1.0)
    ok, out = kdig(t, pki, name, HOST)
    check(ok, "after SIGHUP with the renewed certificate: kdig verifies and answers")
    with open(pki.cert, "w") as f:
        f.write("not a certificate\n")
    t.signal(1)
    time.sleep(1.0)
    check("tls: keeping the running certificate" in t.read_log(), "a certificate that does not load: logged, the running one stays")
    ok, out = kdig(t, pki, name, HOST)
    check(ok, "... and is still served")
    pki.install(pki.good)


def abuse(t, pki, zone, stats_of, idle_count):
    name = "www." + zone
    t.udp(dnsmsg.build_query(name, "A")[1])  # cached for the probe
    rss0 = t.rss_kb()
    probe = attacks.start_probe(t, [name], seconds=14 + idle_count / 100)
    time.sleep(0.3)

    # Garbage instead of a ClientHello.
    closed = 0
    for _ in range(50):
        s = socket.create_connection((t.address, t.tls_port), timeout=3)
        s.sendall(os.urandom(600))
        try:
            while s.recv(4096):
                pass
            closed += 1
        except ConnectionResetError:
            closed += 1
        except socket.timeout:
            pass
        s.close()
    check(closed == 50, f"garbage instead of a ClientHello: {closed}/50 connections closed by ternd")

    # A TLS 1.2 client that renegotiates (s_client's "R" command) is closed.
    p = subprocess.Popen(["openssl", "s_client", "-connect", f"{t.address}:{t.tls_port}", "-tls1_2"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        time.sleep(0.8)
        p.stdin.write(b"R\n")
        p.stdin.flush()
        time.sleep(0.8)
    finally:
        p.kill()
        p.wait()
    reneg = stats_of().get('tern_tls_connections_closed_total{reason="renegotiation"}', 0)
    check(reneg == 1, f"a TLS 1.2 client that renegotiates is closed ({reneg})")

    # Stalled handshakes: more than tls-max-handshakes clients that send half a ClientHello.
    stalled = []
    hello_half = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(40)
    for _ in range(60):
        s = socket.create_connection((t.address, t.tls_port), timeout=3)
        s.sendall(hello_half)
        stalled.append(s)
    time.sleep(0.3)
    refused = stats_of().get('tern_tls_handshakes_total{result="refused"}', 0)
    check(refused >= 60 - 20, f"past tls-max-handshakes (20) new TLS clients are turned away ({refused})")
    check(tls_query(socket.create_connection((t.address, t.port), timeout=3), name) is not None,
          "meanwhile plain TCP is served")
    time.sleep(1.5)  # tls-handshake-timeout-ms = 1000
    timeouts = stats_of().get('tern_tls_handshakes_total{result="timeout"}', 0)
    check(timeouts >= 20, f"stalled handshakes are closed at the handshake timeout ({timeouts})")
    for s in stalled:
        s.close()
    ok, _ = kdig(t, pki, name, HOST)
    check(ok, "after the timeouts a new TLS client is served")

    # Many idle TLS connections: they take slots like TCP ones, and idle ones give way.
    idle, failed = [], 0
    ctx = tls_context(pki)
    deadline = time.monotonic() + 8 + idle_count / 100
    while len(idle) + failed < idle_count and time.monotonic() < deadline:
        try:
            idle.append(tls_connect(t, ctx, timeout=3))
        except (OSError, ssl.SSLError):
            failed += 1
    rss_peak = t.rss_kb()
    st = stats_of()
    print(f"   {len(idle)} idle TLS connections opened ({failed} failed); ternd holds "
          f"{st.get('tern_tls_connections_open', 0)} open, RSS {rss0 // 1024} -> {rss_peak // 1024} MiB")
    ok, _ = kdig(t, pki, name, HOST)
    check(ok, "with the idle TLS connections open, a new TLS client is served")
    for s in idle:
        s.close()
    ratio, p99, sent = attacks.finish_probe(*probe)
    print(f"   UDP probe: {ratio * 100:.2f}% of {sent} answered, p99 {p99:.1f} ms")
    check(ratio >= 0.99, f"UDP keeps answering during the TLS abuse ({ratio * 100:.2f}% >= 99%)")
    growth_mib = (rss_peak - rss0) / 1024
    check(growth_mib < 64 + 32, f"RSS growth during the abuse {growth_mib:.1f} MiB (< TCP budget + 32 MiB)")
    st = stats_of()
    check(st.get('tern_tls_handshakes_total{result="failed"}', 0) >= 50, "the garbage handshakes are counted as failed")
    check(st.get('tern_queries_total{transport="tls"}', 0) > 0, "TLS queries are counted under transport=\"tls\"")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ternd", required=True)
    p.add_argument("--net", default=os.environ.get("TERN_LAB_NET", "127.53"))
    p.add_argument("--state")
    p.add_argument("--idle", type=int, default=600, help="idle TLS connections to open (bounded by time)")
    args = p.parse_args()
    for tool in ("dig", "kdig", "openssl"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} is missing")
            return 77 if os.environ.get("CI") != "true" else 1
    state = args.state or os.environ.get("TERN_LAB_STATE") or os.path.join(REPO, "build", f"lab-{args.net}")
    with open(os.path.join(state, "manifest.json")) as f:
        manifest = json.load(f)
    zone = next(e["qname"][len("cdn."):] for e in manifest["entries"] if e["id"].endswith("-cdn"))
    address = f"{args.net}.255.4"
    directory = tempfile.mkdtemp(prefix="ternd-tls-")
    pki = Pki(directory, address)
    tls_port = free_port(address)
    control = os.path.join(directory, "control.sock")
    config = (f"[server]\ntls-listen = [\"{address}:{tls_port}\"]\n"
              f"tls-certificate = \"{pki.cert}\"\ntls-key = \"{pki.key}\"\n"
              "tls-handshake-timeout-ms = 1000\ntls-max-handshakes = 20\n"
              f"control-socket = \"{control}\"\n"
              f"[resolver]\nroot-hints = \"{manifest['root_hints']}\"\nupstream-allow = [\"127.0.0.0/8\"]\n")
    bad = os.path.join(directory, "bad.toml")
    with open(bad, "w") as f:
        f.write(config.replace(pki.cert, pki.cert + ".missing"))
    r = run([args.ternd, "--config", bad, "--listen", f"{address}:{tls_port}", "--check-config"])
    check(r.returncode == 2 and "tls-certificate" in r.stderr and ".missing" in r.stderr,
          f"--check-config: a certificate that does not load is a configuration error ({r.stderr.strip()})")
    t = Ternd(args.ternd, address, config=config)
    t.tls_port = tls_port

    def stats_of():
        out = run([args.ternd, "control", control, "stats"], timeout=10).stdout
        result = {}
        for line in out.splitlines():
            parts = line.rsplit(" ", 1)
            if len(parts) == 2 and parts[1].isdigit():
                result[parts[0]] = int(parts[1])
        return result

    try:
        clients(t, pki, zone)
        reload_rules(t, pki, zone)
        abuse(t, pki, zone, stats_of, args.idle)
    finally:
        log = t.read_log()
        code = t.stop()
        check(code == 0, f"ternd exits 0 (got {code})")
        if failures:
            print(log[-3000:])
        shutil.rmtree(directory, ignore_errors=True)
    print("ok" if not failures else f"FAILED: {len(failures)}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
