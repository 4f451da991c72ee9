#!/usr/bin/env python3
"""Throws random and mutated packets at ternd's UDP and TCP listeners for a bounded time while a
well-behaved client keeps asking (UDP and TCP) and must keep getting the right answer. Passes when
ternd never crashes, the good client is answered, RSS stays bounded and SIGTERM exits 0.

  e2e_fuzz.py --ternd PATH --ares PATH [--seconds 8] [--seed N]
"""

import argparse
import random
import socket
import struct
import sys
import tempfile
import threading
import time

from ternd_harness import Ternd, blackhole_hints, dnsmsg, header

ADDRESS = "127.0.0.62"
RSS_GROWTH_LIMIT_KB = 64 * 1024


def seeds():
    out = []
    for qname, qtype in (("example.com.", "A"), ("localhost.", "AAAA"), ("a.b.c.d.e.f.", "MX"),
                         ("x.invalid.", "TXT"), ("1.0.0.127.in-addr.arpa.", "PTR")):
        for edns in (None, 1232, 4096):
            out.append(dnsmsg.build_query(qname, qtype, edns=edns)[1])
    # Compression pointer to itself, a forward pointer, a name that runs off the end.
    out.append(struct.pack("!HHHHHH", 1, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c\x00\x01\x00\x01")
    out.append(struct.pack("!HHHHHH", 2, 0x0100, 1, 0, 0, 0) + b"\xc0\x20\x00\x01\x00\x01")
    out.append(struct.pack("!HHHHHH", 3, 0x0100, 1, 0, 0, 0) + b"\x3fabc")
    # Counts far beyond the packet.
    out.append(struct.pack("!HHHHHH", 4, 0x0100, 1, 0xFFFF, 0xFFFF, 0xFFFF) + b"\0\0\1\0\1")
    return out


def mutate(rng, msg):
    b = bytearray(msg)
    for _ in range(rng.randrange(1, 6)):
        op = rng.randrange(6)
        if op == 0 and b:
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1 and b:
            del b[rng.randrange(len(b)):]
        elif op == 2:
            i = rng.randrange(len(b) + 1)
            b[i:i] = rng.randbytes(rng.randrange(1, 20))
        elif op == 3 and len(b) >= 12:
            b[rng.randrange(4, 12)] = rng.randrange(256)  # counts
        elif op == 4 and len(b) >= 4:
            b[2] = rng.randrange(256)  # QR, opcode, flags
            b[3] = rng.randrange(256)
        elif op == 5 and len(b) > 13:
            i = rng.randrange(12, len(b) - 1)
            b[i] = 0xC0 | rng.randrange(64)  # a compression pointer anywhere
    return bytes(b)


def packet(rng, corpus):
    if rng.random() < 0.2:
        return rng.randbytes(rng.randrange(0, 600))
    return mutate(rng, rng.choice(corpus))


def udp_fuzzer(stop, rng, corpus, target, counter):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    while not stop.is_set():
        # Bounded rate (about 3000 packets a second): this checks robustness, not capacity, on a
        # machine that also runs a sanitizer build and other tests.
        for _ in range(16):
            try:
                s.sendto(packet(rng, corpus), target)
                counter[0] += 1
            except (BlockingIOError, ConnectionRefusedError):
                pass
        try:
            while True:
                s.recv(65535)
        except (BlockingIOError, ConnectionRefusedError):
            pass
        time.sleep(0.005)
    s.close()


def tcp_fuzzer(stop, rng, corpus, target, counter):
    held = []
    while not stop.is_set():
        try:
            c = socket.create_connection(target, timeout=1)
        except OSError:
            time.sleep(0.01)
            continue
        try:
            mode = rng.randrange(4)
            if mode == 0:  # framed mutated messages
                for _ in range(rng.randrange(1, 10)):
                    m = packet(rng, corpus)
                    c.sendall(struct.pack("!H", len(m)) + m)
            elif mode == 1:  # raw garbage (framing broken)
                c.sendall(rng.randbytes(rng.randrange(1, 300)))
            elif mode == 2:  # a length that promises more than comes
                c.sendall(struct.pack("!H", rng.randrange(100, 65535)) + rng.randbytes(10))
            else:  # a valid query, then never read (held open)
                q = rng.choice(corpus)
                c.sendall(struct.pack("!H", len(q)) + q)
            counter[0] += 1
        except OSError:
            pass
        if rng.random() < 0.1 and len(held) < 40:
            held.append(c)
        else:
            c.close()
        time.sleep(0.003)
    for c in held:
        c.close()


def good_client(t, misses=None):
    """One UDP and one TCP question whose answer is known (localhost A)."""
    misses = misses if misses is not None else {}
    ok = 0
    q = dnsmsg.build_query("localhost.", "A")[1]
    # Like a stub resolver: UDP may be lost under the flood (the kernel's socket buffer is
    # shared with the fuzzer), so ask again, up to three times.
    for _ in range(3):
        r = t.udp(q, timeout=0.7)
        if r is not None:
            break
    if r is not None and header(r)["rcode"] == 0 and dnsmsg.Response(r).answer[0][3] == b"\x7f\0\0\1":
        ok += 1
    else:
        misses["udp"] = misses.get("udp", 0) + 1
    try:
        r = t.tcp(q, timeout=2.0)
        if r is not None and header(r)["rcode"] == 0 and dnsmsg.Response(r).answer[0][3] == b"\x7f\0\0\1":
            ok += 1
        else:
            misses["tcp"] = misses.get("tcp", 0) + 1
    except OSError as e:
        misses["tcp " + type(e).__name__] = misses.get("tcp " + type(e).__name__, 0) + 1
    return ok


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ternd", required=True)
    p.add_argument("--ares")
    p.add_argument("--seconds", type=float, default=8)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--root-hints", help="the lab's hints: mutated questions then reach the engine "
                                        "and the lab (default: a loopback address nothing answers)")
    args = p.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(f"seed {seed}")
    hints = args.root_hints or blackhole_hints(tempfile.mkdtemp(prefix="ternd-fuzz-"), "127.0.0.99")
    t = Ternd(args.ternd, ADDRESS, args=["--root-hints", hints, "--upstream-allow", "127.0.0.0/8"])
    target = (t.address, t.port)
    corpus = seeds()
    stop = threading.Event()
    udp_count, tcp_count = [0], [0]
    threads = [threading.Thread(target=udp_fuzzer, args=(stop, random.Random(seed), corpus, target, udp_count)),
               threading.Thread(target=tcp_fuzzer, args=(stop, random.Random(seed + 1), corpus, target, tcp_count))]
    failures = []
    asked = answered = 0
    misses = {}
    try:
        time.sleep(0.3)
        rss_start = t.rss_kb()
        for th in threads:
            th.start()
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            asked += 2
            answered += good_client(t, misses)
            if t.proc.poll() is not None:
                failures.append(f"ternd died (exit {t.proc.returncode})")
                break
            time.sleep(0.05)
        stop.set()
        for th in threads:
            th.join(10)
        rss_end = t.rss_kb() if t.proc.poll() is None else 0
        print(f"sent {udp_count[0]} UDP packets and {tcp_count[0]} TCP connections; "
              f"good client answered {answered}/{asked} (misses {misses}); RSS {rss_start} KB -> {rss_end} KB")
        if answered < asked * 0.95:
            failures.append(f"the good client was answered only {answered}/{asked} times")
        if t.proc.poll() is None and good_client(t) != 2:
            failures.append("after the flood the good client is not answered")
        if rss_end - rss_start > RSS_GROWTH_LIMIT_KB:
            failures.append(f"RSS grew by {rss_end - rss_start} KB")
    finally:
        stop.set()
        code = t.stop()
    if code != 0:
        failures.append(f"exit code {code} after SIGTERM")
    log = t.read_log() if not t.log.closed else open(t.log_path).read()
    if "ERROR: AddressSanitizer" in log or "runtime error" in log:
        failures.append("sanitizer report in the log:\n" + log[-3000:])
    for f in failures:
        print("FAIL " + f)
    print("ok" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
