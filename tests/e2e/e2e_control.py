#!/usr/bin/env python3
"""The control tool (issue #16 "Control") against a running ternd, on the lab:

- `ternd control --config FILE CMD` finds the socket in the configuration; the old
  `ternd control PATH CMD` form still works;
- status, help, set-log-level, flush-negative, flush-bogus, list-local-zones, list-forwards;
- reload replies with what changed and what needs a restart;
- the read-only socket serves status/stats/list-* and refuses every command that changes state;
- bad input (unknown command, garbage, an over-long line, bad arguments) gets "error: ..." and
  the daemon keeps answering;
- cache-save / cache-load, a corrupt file refused whole, and [cache] persist-file: a name resolved
  on the lab is answered after a restart whose root hints lead nowhere.

  e2e_control.py --ternd PATH --ares PATH --net 127.53
"""

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile

from ternd_harness import Ternd, blackhole_hints, dig, dnsmsg, header, lab_hints

NAME = "www.normal.fault.test."  # answered by the lab's fault authority
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def control(binary, *args, timeout=10):
    out = subprocess.run([binary, "control", *args], capture_output=True, text=True, timeout=timeout)
    return out.returncode, out.stdout + out.stderr


def raw(sock_path, data, timeout=5):
    """Sends bytes on the control socket, returns the reply."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(sock_path)
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass
        reply = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                reply += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        return reply.decode(errors="replace")


def config_text(sock, ro, extra=""):
    return (f'[server]\ncontrol-socket = "{sock}"\ncontrol-socket-read-only = "{ro}"\n'
            '[[local-zone]]\nname = "corp.example."\ntype = "static"\n'
            '[[local-data]]\nrr = ["printer.corp.example. 300 IN A 192.0.2.7"]\n' + extra)


def alive(t):
    r = t.udp(dnsmsg.build_query("localhost.", "A")[1])
    return r is not None and header(r)["rcode"] == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ternd", required=True)
    ap.add_argument("--ares")
    ap.add_argument("--net", default=os.environ.get("TERN_LAB_NET", "127.53"))
    a = ap.parse_args()
    binary = a.ternd
    hints = lab_hints(a.net)
    work = tempfile.mkdtemp(prefix="tern-control-")
    sock = os.path.join(work, "control.sock")
    ro = os.path.join(work, "ro.sock")
    persist = os.path.join(work, "cache.bin")
    address = a.net + ".255." + str(random.randrange(100, 200))
    conf = config_text(sock, ro, f'[cache]\npersist-file = "{persist}"\n')
    t = Ternd(binary, address, config=conf,
              args=["--root-hints", hints, "--upstream-allow", "127.0.0.0/8"])
    cfg = t.config_path
    try:
        rc, out = control(binary, "--config", cfg, "status")
        check(rc == 0 and "version: ternd" in out and "uptime:" in out and "threads: 1" in out
              and f"config-file: {cfg}" in out and "cache-size:" in out and "cache-used:" in out,
              f"status through --config ({out.strip()[:300]})")
        rc, out = control(binary, sock, "status")
        check(rc == 0 and "version: ternd" in out, "old form: ternd control PATH status")
        rc, out = control(binary, "--config", cfg, "help")
        check(rc == 0 and all(c in out for c in ("status", "reload", "set-log-level", "flush-negative",
                                                  "flush-bogus", "cache-save", "cache-load",
                                                  "list-local-zones", "list-forwards")),
              "help lists the commands")

        rc, out = control(binary, "--config", cfg, "list-local-zones")
        check(rc == 0 and "corp.example. static 1 record" in out and "localhost. " in out,
              f"list-local-zones ({out.strip()[:200]})")
        rc, out = control(binary, "--config", cfg, "list-forwards")
        check(rc == 0 and out.strip() == "none configured", f"list-forwards ({out.strip()})")

        rc, out = control(binary, "--config", cfg, "set-log-level", "debug")
        check(rc == 0 and out.startswith("ok log level debug"), f"set-log-level debug ({out.strip()})")
        rc, out = control(binary, "--config", cfg, "status")
        check("log-level: debug" in out, "status shows the new level")
        rc, out = control(binary, "--config", cfg, "set-log-level", "loud")
        check(rc == 1 and out.startswith("error: not a log level"), f"set-log-level loud refused ({out.strip()})")

        # Resolve on the lab: a positive answer and a negative one to flush.
        status, answer, _ = dig(address, t.port, NAME, "A")
        check(status == "NOERROR" and answer, f"{NAME} resolves on the lab ({status})")
        status, _, _ = dig(address, t.port, "nonexistent-x7.normal.fault.test.", "A")
        rc, out = control(binary, "--config", cfg, "flush-negative")
        check(rc == 0 and out.startswith("ok flushed ") and "negative" in out, f"flush-negative ({out.strip()})")
        rc, out = control(binary, "--config", cfg, "flush-bogus")
        check(rc == 0 and out.startswith("ok flushed ") and "failure" in out, f"flush-bogus ({out.strip()})")

        # cache-save / cache-load.
        saved = os.path.join(work, "saved.bin")
        rc, out = control(binary, "--config", cfg, "cache-save", saved)
        check(rc == 0 and out.startswith("ok saved ") and os.path.getsize(saved) > 30, f"cache-save ({out.strip()})")
        control(binary, "--config", cfg, "flush-all")
        rc, out = control(binary, "--config", cfg, "cache-load", saved)
        check(rc == 0 and out.startswith("ok loaded ") and " 0 rrsets" not in out, f"cache-load ({out.strip()})")
        rc, out = control(binary, "--config", cfg, "dump")
        check("www.normal.fault.test." in out, "the loaded cache holds the name")
        corrupt = os.path.join(work, "corrupt.bin")
        data = bytearray(open(saved, "rb").read())
        data[len(data) // 2] ^= 0x55
        open(corrupt, "wb").write(bytes(data))
        rc, out = control(binary, "--config", cfg, "cache-load", corrupt)
        check(rc == 1 and "error:" in out and "nothing loaded" in out, f"a corrupt file is refused ({out.strip()})")
        rc, out = control(binary, "--config", cfg, "cache-load", os.path.join(work, "missing.bin"))
        check(rc == 1 and "cannot open" in out, f"a missing file is refused ({out.strip()})")

        # The read-only socket.
        rc, out = control(binary, "--config", cfg, "--read-only", "status")
        check(rc == 0 and "version: ternd" in out, "read-only socket: status")
        rc, out = control(binary, "--config", cfg, "--read-only", "stats")
        check(rc == 0 and "tern_" in out, "read-only socket: stats")
        for cmd in ("flush-all", "reload", "cache-save /tmp/x", "set-log-level off", "flush x.example."):
            rc, out = control(binary, "--config", cfg, "--read-only", *cmd.split())
            check(rc == 1 and "not allowed on the read-only control socket" in out, f"read-only socket refuses {cmd}")

        # Bad input: the daemon answers with an error and stays up.
        for data in (b"frobnicate\n", b"\x00\xff\xfe garbage\n", b"flush\n", b"status extra\n",
                     b"x" * 10000 + b"\n", b"\n", b"cache-load\n"):
            reply = raw(sock, data)
            check(reply == "" or reply.startswith("error"), f"bad input {data[:20]!r} -> {reply.strip()[:80]!r}")
        check(alive(t), "the daemon still answers after bad control input")

        # reload: what changed and what needs a restart.
        with open(cfg, "w") as f:
            f.write(config_text(sock, ro, f'[cache]\npersist-file = "{persist}"\n') +
                    '[log]\nlevel = "warning"\n')
        with open(cfg, "r+") as f:
            text = f.read().replace("[server]\n", "[server]\nudp-max-payload = 1400\n", 1)
            f.seek(0)
            f.write(text)
            f.truncate()
        rc, out = control(binary, "--config", cfg, "reload")
        check(rc == 0 and out.startswith("ok reloaded") and "log level warning" in out
              and "server.udp-*/tcp-*" in out, f"reload says what changed and what needs a restart ({out.strip()})")
        with open(cfg, "a") as f:
            f.write("[bogus-section]\n")
        rc, out = control(binary, "--config", cfg, "reload")
        check(rc == 1 and out.startswith("error: reload failed"), f"a bad file: reload refused ({out.strip()[:200]})")
        with open(cfg, "w") as f:
            f.write(conf)
        rc, out = control(binary, "--config", cfg, "reload")
        check(rc == 0 and "log level info" in out, f"reload back to the first file ({out.strip()[:200]})")
        check(alive(t), "the daemon still answers after a failed reload")
    finally:
        code = t.stop()
    check(code == 0, f"clean stop ({code})")
    log = t.read_log() if not t.log.closed else open(t.log_path).read()
    check("cache saved to" in log and os.path.exists(persist), "persist-file written on a clean stop")

    # Restart with root hints that lead nowhere: the name comes from the loaded cache.
    nowhere = blackhole_hints(work, "127.0.0.254")
    t2 = Ternd(binary, address, config=conf, args=["--root-hints", nowhere, "--upstream-allow", "127.0.0.0/8"])
    try:
        log = t2.read_log()
        check("cache loaded from" in log, "persist-file loaded at start")
        status, answer, _ = dig(address, t2.port, NAME, "A", timeout=3)
        check(status == "NOERROR" and answer, f"{NAME} answered from the persisted cache ({status}, {answer})")
    finally:
        t2.stop()
    # A corrupt persist file: logged, the daemon starts empty.
    with open(persist, "r+b") as f:
        f.seek(12)
        f.write(b"\xff\xff")
    t3 = Ternd(binary, address, config=conf, args=["--root-hints", nowhere, "--upstream-allow", "127.0.0.0/8"])
    try:
        log = t3.read_log()
        check("cache not loaded, starting empty" in log, "a corrupt persist-file is logged and skipped")
        check(alive(t3), "and the daemon serves")
    finally:
        t3.stop()

    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)


if __name__ == "__main__":
    main()
