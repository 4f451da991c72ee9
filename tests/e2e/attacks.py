"""The attacks of issue #13 sections 4 and 5 against a running ternd (ternd_harness.Ternd), each
bounded in count and time, each returning what it measured. e2e_attacks.py asserts the defences
with small counts; bench/attacks/run_attacks measures the figures with the issue's counts.
Standard library only; every socket is closed and every helper process joined before returning.
"""

import multiprocessing
import os
import resource
import selectors
import socket
import struct
import threading
import time

from ternd_harness import dnsmsg


def raise_fd_limit(want):
    """Raises the soft limit on open files towards `want` (never above the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _collect(socks, until):
    """Replies read from `socks` until the monotonic time `until`: a count per socket."""
    sel = selectors.DefaultSelector()
    counts = {}
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        counts[s] = 0
    while True:
        left = until - time.monotonic()
        if left <= 0:
            break
        for key, _ in sel.select(min(left, 0.2)):
            while True:
                try:
                    key.fileobj.recv(65535)
                except (BlockingIOError, ConnectionRefusedError):
                    break
                counts[key.fileobj] += 1
    sel.close()
    return [counts[s] for s in socks]


def dnsbomb(t, qname, count, sources, collect_s):
    """`count` identical queries for `qname` (a name that resolves slowly), spread evenly over the
    source addresses `sources`, sent as fast as possible; returns (replies, seconds from the first
    reply to the last) after listening `collect_s` seconds."""
    socks = []
    for src in sources:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((src, 0))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        socks.append(s)
    try:
        for i in range(count):
            _, msg = dnsmsg.build_query(qname, "A", qid=i & 0xFFFF)
            socks[i % len(socks)].sendto(msg, (t.address, t.port))
        start = time.monotonic()
        first = last = None
        total = 0
        sel = selectors.DefaultSelector()
        for s in socks:
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ)
        while time.monotonic() < start + collect_s:
            for key, _ in sel.select(0.1):
                while True:
                    try:
                        key.fileobj.recv(65535)
                    except BlockingIOError:
                        break
                    now = time.monotonic()
                    first = now if first is None else first
                    last = now
                    total += 1
        sel.close()
        return total, (last - first) if first is not None else 0.0
    finally:
        for s in socks:
            s.close()


def discard(t, qname, early, late_after_s, collect_s):
    """`early` queries for a slow name, then one more `late_after_s` later: returns (replies to
    the early ones, whether the late one was answered) after `collect_s` seconds in all."""
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        a.bind(("127.0.0.1", 0))
        b.bind(("127.0.0.1", 0))
        start = time.monotonic()
        for i in range(early):
            a.sendto(dnsmsg.build_query(qname, "A", qid=i)[1], (t.address, t.port))
        time.sleep(late_after_s)
        b.sendto(dnsmsg.build_query(qname, "A", qid=0xBEEF)[1], (t.address, t.port))
        counts = _collect([a, b], start + collect_s)
        return counts[0], counts[1] > 0
    finally:
        a.close()
        b.close()


CACHED_ZONE = "cached.test."


class AnsweringRoot:
    """The root named by blackhole_hints, answering only names under CACHED_ZONE (AA, one A record,
    a day's TTL) and staying silent for everything else, so an attack's questions stay slow while
    the probe can ask names ternd has cached (prime() asks each once). Runs on its own thread;
    close() stops it."""

    def __init__(self, sock):
        self.sock = sock
        self.sock.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        suffix = dnsmsg.name_to_wire(CACHED_ZONE)[:-1]
        while self.running:
            try:
                msg, peer = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            if len(msg) < 17:
                continue
            end = msg.index(0, 12) + 1 if 0 in msg[12:] else -1
            if end < 0 or len(msg) < end + 4:
                continue
            qname = msg[12:end]
            # 0x20: ternd randomises the case, so compare lowered but echo the question exactly.
            if not qname.lower().endswith(suffix + b"\0") or msg[end:end + 2] != b"\0\1":
                continue
            qid = msg[:2]
            question = msg[12:end + 4]
            answer = (b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 86400, 4) + bytes([192, 0, 2, 1]))
            reply = qid + struct.pack("!HHHHH", 0x8400, 1, 1, 0, 0) + question + answer
            try:
                self.sock.sendto(reply, peer)
            except OSError:
                pass

    def close(self):
        self.running = False
        self.thread.join(2)


def cached_names(count=8):
    return [f"n{i}.{CACHED_ZONE}" for i in range(count)]


def prime(t, names):
    """Asks each name once; returns how many got an answer with a record (now cached)."""
    ok = 0
    for n in names:
        r = t.udp(dnsmsg.build_query(n, "A")[1], timeout=3.0)
        if r is not None and struct.unpack("!H", r[6:8])[0] > 0:
            ok += 1
    return ok


def _probe(address, port, names, seconds, interval_s, out):
    """UDP probe (run in its own process so the attackers' loop cannot delay it): one query every
    `interval_s`, each waiting up to 1 s; puts (sent, answered, sorted latencies in ms) on `out`."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(1.0)
    sent = answered = 0
    lat = []
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        qid, msg = dnsmsg.build_query(names[i % len(names)], "A", qid=i & 0xFFFF)
        i += 1
        t0 = time.monotonic()
        s.sendto(msg, (address, port))
        sent += 1
        try:
            while True:
                r = s.recv(65535)
                if struct.unpack("!H", r[:2])[0] == qid:
                    answered += 1
                    lat.append((time.monotonic() - t0) * 1000)
                    break
        except socket.timeout:
            pass
        time.sleep(interval_s)
    s.close()
    out.put((sent, answered, sorted(lat)))


def start_probe(t, names, seconds, interval_s=0.005):
    q = multiprocessing.Queue()
    p = multiprocessing.Process(target=_probe, args=(t.address, t.port, names, seconds, interval_s, q))
    p.start()
    return p, q


def finish_probe(p, q):
    """(answered fraction, p99 latency in ms, sent) of a probe started by start_probe."""
    sent, answered, lat = q.get(timeout=60)
    p.join(10)
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("inf")
    return (answered / sent if sent else 0.0), p99, sent


def tcp_nonreaders(t, clients, seconds, qname="localhost.", per_send=64):
    """`clients` TCP connections that keep sending pipelined queries for `qname` and never read an
    answer (receive buffer 4 KiB), for `seconds`. Returns (peak RSS of ternd in KiB, connections
    the server closed). A connection the server closes is not reopened."""
    frame = b""
    for i in range(per_send):
        _, msg = dnsmsg.build_query(qname, "A", qid=i)
        frame += struct.pack("!H", len(msg)) + msg
    conns = []
    for _ in range(clients):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        try:
            s.connect((t.address, t.port))
        except OSError:
            s.close()
            continue
        s.setblocking(False)
        conns.append(s)
    closed = 0
    peak = t.rss_kb()
    end = time.monotonic() + seconds
    try:
        while conns and time.monotonic() < end:
            alive = []
            for s in conns:
                try:
                    s.send(frame)
                    alive.append(s)
                except BlockingIOError:
                    alive.append(s)
                except OSError:
                    closed += 1
                    s.close()
            conns = alive
            peak = max(peak, t.rss_kb())
            time.sleep(0.01)
    finally:
        for s in conns:
            s.close()
    return peak, closed


def idle_fill(t, count, query_name="localhost."):
    """`count` TCP connections that connect and send nothing; then a new client asks one query.
    Returns (whether the new client was answered, seconds it took)."""
    conns = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.connect((t.address, t.port))
            except OSError:
                s.close()
                break
            conns.append(s)
        time.sleep(0.2)  # the server has accepted them all
        _, msg = dnsmsg.build_query(query_name, "A")
        t0 = time.monotonic()
        r = None
        for _ in range(3):  # a connection the server had to turn away is retried
            try:
                r = t.tcp(msg, timeout=3.0)
            except OSError:
                r = None
            if r is not None:
                break
        return r is not None, time.monotonic() - t0
    finally:
        for s in conns:
            s.close()


def pid_alive(t):
    return t.proc.poll() is None and os.path.exists(f"/proc/{t.proc.pid}")
