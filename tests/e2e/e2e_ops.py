#!/usr/bin/env python3
"""ternd as a service sees it, without the lab:

- sd_notify: with NOTIFY_SOCKET set, READY=1 arrives once the sockets are bound (a query sent right
  after it is answered), RELOADING=1 then READY=1 around SIGHUP, STOPPING=1 on SIGTERM;
- the journal: when JOURNAL_STREAM names ternd's stderr, lines are "<N>[level] ..." with no
  timestamp; otherwise (a plain file) they start with an RFC 3339 UTC timestamp;
- log.destination = "file:PATH": lines go to PATH, and SIGHUP after the file was moved (logrotate)
  starts a new file by the same name.

ternd gets root hints naming one unused loopback address; nothing leaves 127.0.0.0/8.

  e2e_ops.py --ternd PATH --ares PATH
"""

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

from ternd_harness import Ternd, blackhole_hints, dnsmsg, free_port, header

ADDRESS = "127.0.0.68"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[(debug|info|warning|error)\] ")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def notifications(sock, until, deadline):
    """Datagrams from the notify socket until one contains `until` (or the deadline passes)."""
    got = []
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            msg = sock.recv(4096).decode()
        except socket.timeout:
            break
        got.append(msg)
        if until in msg.split("\n"):
            break
    return got


def test_notify_and_journal(binary, directory, hints):
    notify_path = os.path.join(directory, "notify.sock")
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ns.bind(notify_path)
    log_path = os.path.join(directory, "journal.log")
    log = open(log_path, "w")
    st = os.fstat(log.fileno())
    port = free_port(ADDRESS)
    env = dict(os.environ, NOTIFY_SOCKET=notify_path, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    proc = subprocess.Popen([binary, "--listen", f"{ADDRESS}:{port}", "--threads", "1", "--root-hints", hints,
                             "--upstream-allow", "127.0.0.0/8"],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        got = notifications(ns, "READY=1", time.monotonic() + 20)
        check(any("READY=1" in m.split("\n") for m in got), f"READY=1 sent ({got})")
        # Right after READY=1: one query, no retry, must be answered - the sockets were bound first.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as c:
            c.settimeout(2)
            c.sendto(dnsmsg.build_query("localhost.", "A")[1], (ADDRESS, port))
            try:
                answered = header(c.recvfrom(65535)[0])["rcode"] == 0
            except socket.timeout:
                answered = False
        check(answered, "a query sent just after READY=1 is answered")
        proc.send_signal(signal.SIGHUP)
        got = notifications(ns, "READY=1", time.monotonic() + 10)
        flat = [line for m in got for line in m.split("\n")]
        check("RELOADING=1" in flat and "READY=1" in flat and flat.index("RELOADING=1") < flat.index("READY=1"),
              f"SIGHUP: RELOADING=1 then READY=1 ({got})")
        proc.send_signal(signal.SIGTERM)
        got = notifications(ns, "STOPPING=1", time.monotonic() + 10)
        check(any("STOPPING=1" in m.split("\n") for m in got), f"SIGTERM: STOPPING=1 ({got})")
        code = proc.wait(15)
        check(code == 0, f"exit 0 after SIGTERM ({code})")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
        ns.close()
    lines = [l for l in open(log_path).read().splitlines() if l and not l.startswith("=")]
    serving = [l for l in lines if "serving on" in l]
    check(len(serving) == 1 and serving[0].startswith("<6>[info] ternd "),
          f"under the journal: '<6>[info] ...' with no timestamp ({serving})")
    warn = [l for l in lines if "reloaded" in l]
    check(len(warn) == 1 and warn[0].startswith("<4>[warning] reloaded"), f"a warning is <4> ({warn})")
    check(not any(STAMP.match(l) for l in lines), "no timestamps in the journal")


def test_timestamps_and_file(binary, directory, hints):
    # JOURNAL_STREAM inherited but naming another file: not the journal, timestamps stay.
    logfile = os.path.join(directory, "ternd-file.log")
    config = f'[log]\ndestination = "file:{logfile}"\n'
    t = Ternd(binary, ADDRESS, config=config, env={"JOURNAL_STREAM": "1:1"},
              args=["--root-hints", hints, "--upstream-allow", "127.0.0.0/8"])
    try:
        lines = open(logfile).read().splitlines()
        check(any(STAMP.match(l) and "serving on" in l for l in lines),
              f"file destination: RFC 3339 UTC timestamped lines ({lines[:2]})")
        check("serving on" not in t.read_log(), "file destination: nothing on stderr")
        os.rename(logfile, logfile + ".1")  # logrotate moves the file, then reloads ternd
        t.signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not os.path.exists(logfile):
            time.sleep(0.05)
        deadline = time.monotonic() + 10
        new = []
        while time.monotonic() < deadline:
            new = open(logfile).read().splitlines() if os.path.exists(logfile) else []
            if any("reloaded" in l for l in new):
                break
            time.sleep(0.05)
        check(any(STAMP.match(l) and "[warning] reloaded" in l for l in new), f"SIGHUP reopened the file by name ({new})")
        old = open(logfile + ".1").read()
        check("serving on" in old and "reloaded" not in old, "the moved file keeps the lines written before")
        check(oct(os.stat(logfile).st_mode & 0o777) == "0o640", "the log file is 0640")
    finally:
        code = t.stop()
    check(code == 0, f"exit 0 ({code})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ternd", required=True)
    ap.add_argument("--ares")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ternd-ops-") as directory:
        hints = blackhole_hints(directory, "127.0.0.98")
        test_notify_and_journal(args.ternd, directory, hints)
        test_timestamps_and_file(args.ternd, directory, hints)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
