#!/usr/bin/env python3
"""ternd end to end, without the lab: the query rules (each FORMERR / NOTIMP / REFUSED / BADVERS
case, drops), the locally served zones (dig), EDNS echo, the ACL (a client on 127.0.0.2 while
only 127.0.0.1/32 is allowed) and its SIGHUP reload, the control channel (mode 0660), --check-config
(a directory as --config, root hints outside upstream-allow), a second instance on the same address
or control socket (refused), a control socket in a missing directory, running out of file
descriptors (logged, rate-limited), and a clean SIGTERM with queries in flight (exit 0).

  e2e_frontend.py --ternd PATH --ares PATH
"""

import argparse
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import time

from ternd_harness import Ternd, blackhole_hints, dig, dnsmsg, free_port, header

ADDRESS = "127.0.0.61"
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def query(qname, qtype_code, qid=0x4242, flags=0x0100, qdcount=1, edns=None, extra=b""):
    msg = struct.pack("!HHHHHH", qid, flags, qdcount, 0, 0, 1 if edns is not None else 0)
    msg += dnsmsg.name_to_wire(qname) + struct.pack("!HH", qtype_code, 1) + extra
    if edns is not None:
        version, size = edns
        msg += b"\0" + struct.pack("!HHBBHH", 41, size, 0, version, 0, 0)
    return msg


def opt_of(resp):
    """(udp size, ext rcode, version) of the response's OPT, or None."""
    r = dnsmsg.Response(resp)
    if not r.edns:
        return None
    # Walk to the OPT record by hand: dnsmsg keeps only its presence.
    off = 12
    h = header(resp)
    for _ in range(h["qd"]):
        off = skip_name(resp, off) + 4
    for _ in range(h["an"] + h["ns"] + h["ar"]):
        off = skip_name(resp, off)
        rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", resp[off:off + 10])
        if rtype == 41:
            return rclass, ttl >> 24, (ttl >> 16) & 0xFF
        off += 10 + rdlen
    return None


def skip_name(msg, off):
    while True:
        n = msg[off]
        if n & 0xC0 == 0xC0:
            return off + 2
        if n == 0:
            return off + 1
        off += 1 + n


def rules(t):
    h = header(t.udp(query("example.com.", 1, edns=(0, 1232))))
    # Drops: nothing comes back.
    check(t.udp(b"\x01\x02\x03\x04\x05", timeout=0.5) is None, "a 5-byte packet is dropped")
    check(t.udp(query("example.com.", 1, flags=0x8100), timeout=0.5) is None, "QR=1 is dropped")
    # FORMERR: broken body, no question, two questions.
    r = t.udp(struct.pack("!HHHHHH", 7, 0x0100, 1, 0, 0, 0) + b"\x07exam")
    check(r is not None and header(r)["rcode"] == 1 and header(r)["id"] == 7, "broken body -> FORMERR")
    r = t.udp(struct.pack("!HHHHHH", 8, 0x0100, 0, 0, 0, 0))
    check(r is not None and header(r)["rcode"] == 1, "QDCOUNT=0 -> FORMERR")
    two = struct.pack("!HHHHHH", 9, 0x0100, 2, 0, 0, 0)
    two += dnsmsg.name_to_wire("a.example.") + struct.pack("!HH", 1, 1)
    two += dnsmsg.name_to_wire("b.example.") + struct.pack("!HH", 1, 1)
    r = t.udp(two)
    check(r is not None and header(r)["rcode"] == 1 and header(r)["qd"] == 0, "QDCOUNT=2 -> FORMERR")
    # NOTIMP for other opcodes.
    for opcode, name in ((4, "NOTIFY"), (5, "UPDATE"), (2, "STATUS")):
        r = t.udp(query("example.com.", 6, flags=opcode << 11))
        check(r is not None and header(r)["rcode"] == 4, f"opcode {name} -> NOTIMP")
    # REFUSED for zone transfers, over UDP and TCP.
    for code, name in ((252, "AXFR"), (251, "IXFR")):
        r = t.udp(query("example.com.", code))
        check(r is not None and header(r)["rcode"] == 5, f"{name} over UDP -> REFUSED")
        r = t.tcp(query("example.com.", code))
        check(r is not None and header(r)["rcode"] == 5, f"{name} over TCP -> REFUSED")
    # EDNS: BADVERS for version 1, OPT echoed only when sent.
    r = t.udp(query("localhost.", 1, edns=(1, 1232)))
    opt = opt_of(r) if r else None
    check(r is not None and header(r)["rcode"] == 0 and opt is not None and opt[1] == 1 and opt[2] == 0,
          "EDNS version 1 -> BADVERS (extended rcode 16, our version 0)")
    r = t.udp(query("localhost.", 1))
    check(r is not None and opt_of(r) is None, "no OPT in the query -> no OPT in the answer")
    r = t.udp(query("localhost.", 1, edns=(0, 4096)))
    opt = opt_of(r) if r else None
    check(opt is not None and opt[0] == 1232, "OPT echoed, advertising 1232")
    del h


def local_zones(t):
    status, answer, _ = dig(t.address, t.port, "localhost.", "A")
    check(status == "NOERROR" and any(a.endswith("A 127.0.0.1") for a in answer), "dig localhost A -> 127.0.0.1")
    status, answer, _ = dig(t.address, t.port, "www.localhost.", "AAAA")
    check(status == "NOERROR" and any(a.endswith("AAAA ::1") for a in answer), "dig www.localhost AAAA -> ::1")
    status, answer, _ = dig(t.address, t.port, "1.0.0.127.in-addr.arpa.", "PTR")
    check(status == "NOERROR" and any(a.endswith("PTR localhost.") for a in answer), "loopback PTR -> localhost.")
    for name in ("4.3.2.10.in-addr.arpa.", "1.1.168.192.in-addr.arpa.", "7.7.16.172.in-addr.arpa.",
                 "1.0.254.169.in-addr.arpa.", "1.8.b.d.0.1.0.0.2.ip6.arpa.", "1.d.f.ip6.arpa."):
        status, _, authority = dig(t.address, t.port, name, "PTR")
        check(status == "NXDOMAIN" and any(" SOA " in a for a in authority), f"{name} -> NXDOMAIN with SOA")
    status, _, _ = dig(t.address, t.port, "anything.invalid.", "A")
    check(status == "NXDOMAIN", "anything.invalid. -> NXDOMAIN")
    # ANY is resolved (whether the name exists decides the answer: e2e_protocol.py, with the lab);
    # a local zone answers it itself, and without RD it is REFUSED like any other question.
    status, answer, _ = dig(t.address, t.port, "localhost.", "ANY")
    check(status == "NOERROR" and any(a.endswith("A 127.0.0.1") for a in answer), "ANY localhost. -> local data")
    status, answer, _ = dig(t.address, t.port, "example.com.", "ANY", "+norec")
    check(status == "REFUSED" and not answer, "ANY example.com. with RD=0 -> REFUSED")
    status, answer, _ = dig(t.address, t.port, "localhost.", "A", "+tcp")
    check(status == "NOERROR" and answer, "dig +tcp localhost A")


def acl_and_reload(binary, hints):
    config = f'[server]\nallow = ["127.0.0.1/32"]\n[resolver]\nroot-hints = "{hints}"\nupstream-allow = ["127.0.0.0/8"]\n'
    t = Ternd(binary, ADDRESS, config=config)
    try:
        msg = query("localhost.", 1)
        r1 = t.udp(msg, source="127.0.0.1")
        r2 = t.udp(msg, source="127.0.0.2")
        check(r1 is not None and header(r1)["rcode"] == 0, "127.0.0.1 inside allow=127.0.0.1/32 is served")
        check(r2 is not None and header(r2)["rcode"] == 5, "127.0.0.2 outside the ACL -> REFUSED")
        with open(t.config_path, "w") as f:
            f.write(config.replace('"127.0.0.1/32"', '"127.0.0.0/8"') + "[cache]\nsize-mib = 32\n")
        t.signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        served = False
        while time.monotonic() < deadline and not served:
            r = t.udp(msg, source="127.0.0.2", timeout=0.5)
            served = r is not None and header(r)["rcode"] == 0
        check(served, "after SIGHUP with allow=127.0.0.0/8, 127.0.0.2 is served")
        log = t.read_log()
        check("not applied until restart: [cache]" in log, "SIGHUP says what it could not reload")
        # A broken file on reload keeps the running configuration.
        with open(t.config_path, "w") as f:
            f.write("[server]\nbogus = 1\n")
        t.signal(signal.SIGHUP)
        time.sleep(0.3)
        r = t.udp(msg, source="127.0.0.2")
        check(r is not None and header(r)["rcode"] == 0, "a bad file on SIGHUP changes nothing")
        check("reload failed" in t.read_log() and "ternd.toml:2" in t.read_log(), "the failed reload names the line")
    finally:
        check(t.stop() == 0, "ACL instance exits 0 on SIGTERM")


def tcp_limits(binary, hints):
    """Idle timeout and the connection cap on the real daemon."""
    config = ("[server]\ntcp-idle-timeout-ms = 300\ntcp-max-connections = 2\n"
              f'[resolver]\nroot-hints = "{hints}"\nupstream-allow = ["127.0.0.0/8"]\n')
    t = Ternd(binary, ADDRESS, config=config)
    try:
        q = dnsmsg.build_query("localhost.", "A")[1]
        a = socket.create_connection((t.address, t.port), timeout=5)
        b = socket.create_connection((t.address, t.port), timeout=5)
        for s in (a, b):
            s.sendall(struct.pack("!H", len(q)) + q)
            check(recv_frame(s) is not None, "a connection under the cap is served")
        c = socket.create_connection((t.address, t.port), timeout=5)
        check(closed(c, 2.0), "a third connection over tcp-max-connections = 2 is closed at once")
        c.close()
        start = time.monotonic()
        check(closed(a, 3.0), "an idle connection is closed after tcp-idle-timeout-ms = 300")
        check(time.monotonic() - start < 2.0, "... promptly")
        a.close()
        b.close()
    finally:
        check(t.stop() == 0, "TCP-limits instance exits 0")


def recv_frame(s):
    from ternd_harness import recv_exact
    head = recv_exact(s, 2)
    return None if head is None else recv_exact(s, struct.unpack("!H", head)[0])


def closed(s, timeout):
    s.settimeout(timeout)
    try:
        return s.recv(1) == b""
    except (socket.timeout, TimeoutError):
        return False
    except ConnectionResetError:
        return True


def control(binary, hints):
    sock = os.path.join("/tmp", f"ternd-e2e-{os.getpid()}.sock")
    t = Ternd(binary, ADDRESS, args=["--root-hints", hints, "--upstream-allow", "127.0.0.0/8", "--control", sock])
    try:
        def run(*cmd):
            p = subprocess.run([binary, "control", sock, *cmd], capture_output=True, text=True, timeout=10)
            return p.returncode, p.stdout
        mode = os.stat(sock).st_mode & 0o777
        check(mode == 0o660, f"the control socket is mode 0660 (owner and group), not from the umask (got {mode:o})")
        rc, out = run("stats")
        check(rc == 0 and 'tern_queries_total{transport="udp"}' in out and 'tern_answers_total{source="local"}' in out, "ternd control stats")
        rc, out = run("flush", "example.com.")
        check(rc == 0 and out.startswith("ok flushed"), "ternd control flush NAME")
        rc, out = run("flush", "example.com.", "A")
        check(rc == 0 and out.startswith("ok flushed"), "ternd control flush NAME TYPE")
        rc, out = run("flush-subtree", "com.")
        check(rc == 0 and out.startswith("ok flushed"), "ternd control flush-subtree NAME")
        rc, out = run("dump")
        check(rc == 0 and out.rstrip().endswith("; end of dump"), "ternd control dump")
        rc, out = run("frobnicate")
        check(rc == 1 and out.startswith("error"), "an unknown control command is an error")
    finally:
        check(t.stop() == 0, "control instance exits 0")
    check(not os.path.exists(sock), "the control socket is removed on exit")


def check_config(binary, directory):
    p = subprocess.run([binary, "--check-config", "--root-hints", "/nonexistent/hints"],
                       capture_output=True, text=True, timeout=10)
    check(p.returncode == 2 and "cannot open root hints" in p.stderr, "--check-config: missing hints file")
    garbage = os.path.join("/tmp", f"ternd-e2e-hints-{os.getpid()}")
    with open(garbage, "w") as f:
        f.write("this is not a zone file\n")
    p = subprocess.run([binary, "--check-config", "--root-hints", garbage], capture_output=True, text=True, timeout=10)
    os.unlink(garbage)
    check(p.returncode == 2 and garbage in p.stderr, "--check-config: unparseable root hints name the file")
    bad = os.path.join("/tmp", f"ternd-e2e-bad-{os.getpid()}.toml")
    with open(bad, "w") as f:
        f.write("[server]\nthreads = 1\n\nlisten = [\"127.0.0.1:53\", \"nope\"]\n")
    p = subprocess.run([binary, "--check-config", "--config", bad], capture_output=True, text=True, timeout=10)
    os.unlink(bad)
    check(p.returncode == 2 and f"{bad}:4:" in p.stderr, "--check-config names the bad line")
    p = subprocess.run([binary, "--check-config", "--config", "/tmp"], capture_output=True, text=True, timeout=10)
    check(p.returncode == 2 and "is a directory" in p.stderr and "configuration OK" not in p.stdout,
          f"--check-config --config DIRECTORY fails (rc {p.returncode}: {p.stderr.strip()})")
    # Root hints on a loopback address: refused unless upstream-allow holds them.
    hints = blackhole_hints(directory, "127.0.0.99")
    p = subprocess.run([binary, "--check-config", "--root-hints", hints], capture_output=True, text=True, timeout=10)
    check(p.returncode == 2 and "none of the 1 root server addresses" in p.stderr and "127.0.0.99" in p.stderr,
          f"--check-config: loopback hints without upstream-allow fail, saying so ({p.stderr.strip()})")
    p = subprocess.run([binary, "--check-config", "--root-hints", hints, "--upstream-allow", "10.0.0.0/8"],
                       capture_output=True, text=True, timeout=10)
    check(p.returncode == 2 and "upstream-allow is [10.0.0.0/8]" in p.stderr,
          f"--check-config: hints all outside upstream-allow fail, naming it ({p.stderr.strip()})")
    p = subprocess.run([binary, "--check-config", "--root-hints", hints, "--upstream-allow", "127.0.0.0/8"],
                       capture_output=True, text=True, timeout=10)
    check(p.returncode == 0 and "configuration OK" in p.stdout, "--check-config: hints inside upstream-allow pass")
    p = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
    check(p.returncode == 0 and p.stdout.startswith("ternd "), "--version")


def run_ternd(binary, args, timeout=20):
    """Runs a ternd that is expected to refuse to start: (exit code, output), or (None, output)
    when it kept running (then it is stopped by its PID)."""
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    p = subprocess.Popen([binary, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, env=env)
    try:
        out, _ = p.communicate(timeout=timeout)
        return p.returncode, out
    except subprocess.TimeoutExpired:
        p.terminate()
        out, _ = p.communicate()
        return None, out


def second_instance(binary, hints):
    """A second ternd on an address (or control socket) the first one serves refuses to start,
    names what is in use, and leaves the first one's sockets alone."""
    sock = os.path.join("/tmp", f"ternd-e2e-first-{os.getpid()}.sock")
    common = ["--root-hints", hints, "--upstream-allow", "127.0.0.0/8", "--threads", "1"]
    first = Ternd(binary, ADDRESS, args=[*common[:4], "--control", sock])
    try:
        listen = f"{ADDRESS}:{first.port}"
        other_sock = sock + ".second"
        rc, out = run_ternd(binary, ["--listen", listen, "--control", other_sock, *common])
        check(rc is not None and rc != 0 and listen in out and "already in use" in out,
              f"a second ternd on {listen} refuses to start, naming the address (rc {rc}: {out.strip()[-300:]})")
        check(not os.path.exists(other_sock), "the refused instance leaves no control socket behind")
        check("LeakSanitizer" not in out, "the refused instance exits without leaks")

        other_port = free_port(ADDRESS)
        rc, out = run_ternd(binary, ["--listen", f"{ADDRESS}:{other_port}", "--control", sock, *common])
        check(rc is not None and rc != 0 and sock in out and "another running ternd" in out,
              f"a second ternd on the same control socket refuses to start (rc {rc}: {out.strip()[-300:]})")
        check("LeakSanitizer" not in out, "... and exits without leaks")
        check(os.path.exists(sock), "the first instance's control socket is still there")
        p = subprocess.run([binary, "control", sock, "stats"], capture_output=True, text=True, timeout=10)
        check(p.returncode == 0 and "tern_queries_total" in p.stdout, "the first instance still answers on its control socket")
        answered = 0
        for i in range(20):
            if first.udp(query("localhost.", 1, qid=i)) is not None:
                answered += 1
        check(answered == 20, f"the first instance still gets every query ({answered}/20)")
    finally:
        check(first.stop() == 0, "first instance exits 0")
    check(not os.path.exists(sock), "the first instance removes its own control socket on exit")


def control_missing_directory(binary, hints):
    missing = os.path.join("/tmp", f"ternd-e2e-nodir-{os.getpid()}", "sub")
    sock = os.path.join(missing, "control.sock")
    port = free_port(ADDRESS)
    rc, out = run_ternd(binary, ["--listen", f"{ADDRESS}:{port}", "--threads", "1", "--root-hints", hints,
                                 "--upstream-allow", "127.0.0.0/8", "--control", sock])
    check(rc is not None and rc != 0 and "does not exist" in out and missing in out and "ermission" not in out,
          f"--control in a missing directory says the directory is missing (rc {rc}: {out.strip()[-300:]})")
    check("LeakSanitizer" not in out, "--control in a missing directory: exit without leaks")


def out_of_fds(binary, directory):
    """ternd with a small open-file limit: running out of descriptors is logged with what to do,
    once per interval, for TCP clients (libuv drops connections it cannot accept without telling
    anyone, so ternd warns as the accepted descriptors near the limit) and for upstream sockets."""
    import resource
    hole_addr = f"127.0.{random.randrange(100, 250)}.{random.randrange(2, 250)}"
    hole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    hole.bind((hole_addr, 0))
    hints = blackhole_hints(directory, hole_addr)
    limit = 64

    def low_nofile():
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    config = (f"[server]\ntcp-max-connections = 1000\n"
              f"[resolver]\nupstream-port = {hole.getsockname()[1]}\n")
    t = Ternd(binary, ADDRESS, config=config, args=["--root-hints", hints, "--upstream-allow", "127.0.0.0/8"],
              preexec_fn=low_nofile)
    conns = []
    try:
        # Upstream queries while descriptors are plenty: they wait on the silent root. (This also
        # runs the code the failing path shares once, which UBSan's type check needs: its first
        # check of a type opens a pipe, impossible once the process is out of descriptors.)
        for i in range(3):
            t.udp(query(f"warm{i}.example.com.", 1, qid=0x200 + i), timeout=0.2)
        time.sleep(1.5)
        # Hold connections open until ternd has no descriptor left (each accepted one costs one).
        for _ in range(limit + 16):
            try:
                conns.append(socket.create_connection((t.address, t.port), timeout=2))
            except OSError:
                break
        time.sleep(0.5)
        # Questions that need upstream: each needs a new socket, which cannot be had.
        for i in range(10):
            t.udp(query(f"fd{i}.example.com.", 1, qid=0x100 + i), timeout=0.3)
        time.sleep(0.5)
        log = t.read_log()
        tcp_lines = [line for line in log.splitlines() if "tcp: running out of file descriptors" in line]
        upstream_lines = [line for line in log.splitlines() if "cannot open a socket for a query" in line]
        check(len(tcp_lines) >= 1 and "LimitNOFILE" in tcp_lines[0] and "ulimit -n" in tcp_lines[0],
              f"out of descriptors: TCP clients near the limit are logged with the remedy ({tcp_lines[:1]})")
        check(len(tcp_lines) == 1, f"... once per interval, not per connection ({len(tcp_lines)} lines)")
        check(len(upstream_lines) >= 1 and "LimitNOFILE" in upstream_lines[0],
              f"out of descriptors: upstream socket failures are logged with the remedy ({upstream_lines[:1]})")
        check(len(upstream_lines) == 1, f"... once per interval ({len(upstream_lines)} lines)")
    finally:
        for c in conns:
            c.close()
        hole.close()
        time.sleep(0.3)
        code = t.stop()
        with open(t.log_path) as f:
            tail = f.read()[-400:]
        check(code == 0, f"the instance that ran out of descriptors exits 0 (got {code}; log: {tail})")


def shutdown_in_flight(binary, directory):
    # A root server that never answers: every question stays in flight until SIGTERM.
    # On an unprivileged port (resolver.upstream-port), so the test needs no root.
    hole_addr = f"127.0.{random.randrange(100, 250)}.{random.randrange(2, 250)}"
    hole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    hole.bind((hole_addr, 0))
    hints = blackhole_hints(directory, hole_addr)
    config = f"[resolver]\nupstream-port = {hole.getsockname()[1]}\n"
    t = Ternd(binary, ADDRESS, config=config, args=["--root-hints", hints, "--upstream-allow", "127.0.0.0/8"])
    clients = []
    try:
        for i in range(20):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.sendto(dnsmsg.build_query(f"q{i}.example.com.", "A")[1], (t.address, t.port))
            clients.append(s)
        tcp = socket.create_connection((t.address, t.port), timeout=5)
        for i in range(3):
            q = dnsmsg.build_query(f"t{i}.example.net.", "A")[1]
            tcp.sendall(struct.pack("!H", len(q)) + q)
        deadline = time.monotonic() + 3
        asked = False
        while time.monotonic() < deadline and not asked:
            try:
                hole.settimeout(0.2)
                hole.recvfrom(4096)  # the engine is asking upstream: questions are in flight
                asked = True
            except socket.timeout:
                pass
        check(asked, "the engine asks the silent upstream: questions are in flight")
        time.sleep(0.2)
        start = time.monotonic()
        code = t.stop(timeout=15)
        took = time.monotonic() - start
        check(code == 0, f"SIGTERM with queries in flight -> exit 0 (got {code}, {took:.1f} s)")
        check(took < 8, "shutdown is bounded")
        tcp.close()
    finally:
        for s in clients:
            s.close()
        hole.close()
        if t.proc.poll() is None:
            t.stop()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ternd", required=True)
    p.add_argument("--ares", required=True)
    args = p.parse_args()
    import tempfile
    directory = tempfile.mkdtemp(prefix="ternd-e2e-")
    # Hints at an address where nothing listens: nothing here needs an upstream answer.
    hints = blackhole_hints(directory, "127.0.0.99")

    t = Ternd(args.ternd, ADDRESS, args=["--root-hints", hints, "--upstream-allow", "127.0.0.0/8"])
    try:
        rules(t)
        local_zones(t)
    finally:
        check(t.stop() == 0, "exit 0 on SIGTERM")
    acl_and_reload(args.ternd, hints)
    tcp_limits(args.ternd, hints)
    control(args.ternd, hints)
    check_config(args.ternd, directory)
    second_instance(args.ternd, hints)
    control_missing_directory(args.ternd, hints)
    out_of_fds(args.ternd, directory)
    shutdown_in_flight(args.ternd, directory)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
