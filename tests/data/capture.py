#!/usr/bin/env python3
"""Regenerates the real-traffic corpus in tests/data/nsd/.

Starts NSD (Debian's nsd) on 127.0.9.1:5399 serving corpus.zone, puts a small recording proxy on
127.0.9.1:5398 (UDP and TCP), and asks dig through the proxy. For each exchange it stores the
exact bytes dig sent (<name>.query.hex), the exact bytes NSD answered (<name>.response.hex) and
dig's own rendering of that answer (<name>.dig: `+noall +comments +question +answer +authority
+additional`). NSD is stopped by its PID at
the end. Loopback only; nothing else is contacted.

Run from anywhere:  python3 tests/data/capture.py
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "nsd")
ADDR = "127.0.9.1"
NSD_PORT = 5399
PROXY_PORT = 5398

# (file name, dig arguments). Without +noedns dig sends EDNS (udp 1232) and a cookie.
QUERIES = [
    ("soa_noedns", ["corpus.test", "SOA", "+noedns"]),
    ("ns", ["corpus.test", "NS"]),
    ("mx_additional", ["corpus.test", "MX"]),
    ("txt", ["info.corpus.test", "TXT"]),
    ("hinfo", ["info.corpus.test", "HINFO", "+noedns"]),
    ("caa", ["corpus.test", "CAA"]),
    ("dnskey_do", ["corpus.test", "DNSKEY", "+dnssec"]),
    ("nsec3param", ["corpus.test", "NSEC3PARAM"]),
    ("https", ["corpus.test", "HTTPS"]),
    ("a_rrsig_do", ["www.corpus.test", "A", "+dnssec"]),
    ("aaaa", ["www.corpus.test", "AAAA", "+noedns"]),
    ("nsec", ["www.corpus.test", "NSEC"]),
    ("rrsig", ["www.corpus.test", "RRSIG", "+dnssec"]),
    ("cname_chain", ["alias.corpus.test", "A"]),
    ("dname_synth", ["host.old.corpus.test", "A"]),
    ("ptr", ["1.2.0.192.in-addr.corpus.test", "PTR"]),
    ("srv", ["_sip._udp.corpus.test", "SRV"]),
    ("ds", ["child.corpus.test", "DS"]),
    ("referral_glue", ["www.child.corpus.test", "A", "+norec"]),
    ("nsec3", ["2t7b4g4vsa5smi47k61mv5bv1a22bojr.corpus.test", "NSEC3"]),
    ("svcb", ["svc.corpus.test", "SVCB"]),
    ("unknown_type", ["unknown.corpus.test", "TYPE65280"]),
    ("nxdomain", ["nope.corpus.test", "A"]),
    ("long_owner", ["a-very-long-owner-name-to-check-columns.corpus.test", "A"]),
    ("big_truncated_udp", ["big.corpus.test", "TXT", "+noedns", "+ignore"]),
    ("big_tcp", ["big.corpus.test", "TXT", "+tcp"]),
    ("big_edns_udp", ["big.corpus.test", "TXT", "+bufsize=4096"]),
]

NSD_CONF = """server:
  ip-address: {addr}@{port}
  port: {port}
  do-ip6: no
  username: ""
  chroot: ""
  server-count: 1
  zonesdir: "{dir}"
  pidfile: "{dir}/nsd.pid"
  database: ""
  zonelistfile: "{dir}/zone.list"
  xfrdfile: "{dir}/xfrd.state"
  xfrdir: "{dir}"
  logfile: "{dir}/nsd.log"
remote-control:
  control-enable: no
zone:
  name: corpus.test
  zonefile: "{zone}"
"""


class Recorder:
    def __init__(self):
        self.last = None  # (query bytes, response bytes)
        self.lock = threading.Lock()

    def record(self, q, r):
        with self.lock:
            self.last = (q, r)


def udp_proxy(rec, stop):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ADDR, PROXY_PORT))
    s.settimeout(0.2)
    while not stop.is_set():
        try:
            q, client = s.recvfrom(65535)
        except socket.timeout:
            continue
        up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        up.settimeout(2)
        up.sendto(q, (ADDR, NSD_PORT))
        r, _ = up.recvfrom(65535)
        up.close()
        rec.record(q, r)
        s.sendto(r, client)
    s.close()


def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def tcp_proxy(rec, stop):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ADDR, PROXY_PORT))
    s.listen(4)
    s.settimeout(0.2)
    while not stop.is_set():
        try:
            c, _ = s.accept()
        except socket.timeout:
            continue
        c.settimeout(3)
        try:
            q = read_exact(c, struct.unpack("!H", read_exact(c, 2))[0])
            up = socket.create_connection((ADDR, NSD_PORT), timeout=3)
            up.sendall(struct.pack("!H", len(q)) + q)
            r = read_exact(up, struct.unpack("!H", read_exact(up, 2))[0])
            up.close()
            rec.record(q, r)
            c.sendall(struct.pack("!H", len(r)) + r)
        except (EOFError, OSError):
            pass
        c.close()
    s.close()


def wait_for_nsd():
    for _ in range(50):
        try:
            t = socket.create_connection((ADDR, NSD_PORT), timeout=0.2)
            t.close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def main():
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tern-corpus-") as tmp:
        conf = os.path.join(tmp, "nsd.conf")
        with open(conf, "w") as f:
            f.write(NSD_CONF.format(addr=ADDR, port=NSD_PORT, dir=tmp,
                                    zone=os.path.join(HERE, "corpus.zone")))
        nsd = subprocess.Popen(["nsd", "-d", "-c", conf])
        print("nsd pid", nsd.pid)
        stop = threading.Event()
        rec = Recorder()
        threads = [threading.Thread(target=udp_proxy, args=(rec, stop)),
                   threading.Thread(target=tcp_proxy, args=(rec, stop))]
        try:
            if not wait_for_nsd():
                sys.exit("nsd did not start; see " + tmp + "/nsd.log")
            for t in threads:
                t.start()
            for name, args in QUERIES:
                rec.last = None
                out = subprocess.run(["dig", "@" + ADDR, "-p", str(PROXY_PORT), "+tries=1",
                                      "+time=2", "+noall", "+comments", "+question",
                                      "+answer", "+authority", "+additional"] + args,
                                     capture_output=True, text=True, timeout=10)
                if rec.last is None:
                    sys.exit("no exchange recorded for " + name + ": " + out.stderr)
                q, r = rec.last
                for suffix, data in ((".query.hex", q.hex()), (".response.hex", r.hex())):
                    with open(os.path.join(OUT, name + suffix), "w") as f:
                        f.write(data + "\n")
                with open(os.path.join(OUT, name + ".dig"), "w") as f:
                    f.write(out.stdout)
                print(f"{name}: query {len(q)} bytes, response {len(r)} bytes")
        finally:
            stop.set()
            for t in threads:
                if t.is_alive():
                    t.join()
            nsd.terminate()  # our own NSD, by its PID
            nsd.wait(timeout=10)


if __name__ == "__main__":
    main()
