#!/usr/bin/env python3
"""ternd end to end, local data (issue #15), without the lab: [[local-zone]] / [[local-data]]
answered by dig with AA=1, a private reverse zone, a hosts file (a temp file made here), a SIGHUP
that changes a record while queries run (no query fails), a bad record on reload (the running
policy stays, the log names file and line) and at start-up (--check-config exits 2).

  e2e_local_data.py --ternd PATH --ares PATH
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from ternd_harness import Ternd, blackhole_hints, dig, dnsmsg, header

ADDRESS = "127.0.0.65"
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def config_text(hints, hosts, printer_address, extra_data=""):
    return f"""[server]
hosts-file = "{hosts}"
[resolver]
root-hints = "{hints}"
upstream-allow = ["127.0.0.0/8"]

[[local-zone]]
name = "corp.example."
type = "static"

[[local-zone]]
name = "ads.example."
type = "always-nxdomain"

[[local-data]]
rr = [
  "corp.example. 600 IN SOA ns.corp.example. admin.corp.example. 1 3600 600 86400 300",
  "printer.corp.example. 300 IN A {printer_address}",{extra_data}
]

[[local-data]]
ptr = ["10.1.2.3 fileserver.corp.example."]
"""


def a_of(t, qname):
    """(rcode, aa, [IPv4 text]) of an A query over UDP, or None when nothing came back."""
    _, msg = dnsmsg.build_query(qname, "A")
    r = t.udp(msg, timeout=1.0)
    if r is None:
        return None
    resp = dnsmsg.Response(r)
    return resp.rcode, resp.aa, [socket.inet_ntoa(rd) for (_, rtype, _, rd) in resp.answer if rtype == 1]


def answers(t, directory):
    status, answer, _ = dig(t.address, t.port, "printer.corp.example.", "A")
    check(status == "NOERROR" and any(a.endswith("A\t192.0.2.7") or a.endswith("A 192.0.2.7") for a in answer),
          "dig printer.corp.example A -> 192.0.2.7")
    out = subprocess.run(["dig", f"@{t.address}", "-p", str(t.port), "printer.corp.example.", "A", "+tries=1"],
                         capture_output=True, text=True, timeout=10).stdout
    check(" aa" in out.split("flags:")[1].split(";")[0] if "flags:" in out else False, "dig shows the aa flag")
    status, _, authority = dig(t.address, t.port, "nothere.corp.example.", "A")
    check(status == "NXDOMAIN" and any(" SOA " in a or "\tSOA\t" in a for a in authority),
          "static zone: an unknown name -> NXDOMAIN with the zone's SOA")
    status, _, _ = dig(t.address, t.port, "tracker.ads.example.", "A")
    check(status == "NXDOMAIN", "always-nxdomain zone -> NXDOMAIN")
    status, answer, _ = dig(t.address, t.port, "3.2.1.10.in-addr.arpa.", "PTR")
    check(status == "NOERROR" and any(a.endswith("fileserver.corp.example.") for a in answer),
          "private reverse zone: 10.1.2.3 -> fileserver.corp.example.")
    status, _, _ = dig(t.address, t.port, "4.2.1.10.in-addr.arpa.", "PTR")
    check(status == "NXDOMAIN", "the rest of 10.in-addr.arpa. is still the built-in NXDOMAIN")
    status, answer, _ = dig(t.address, t.port, "nas.home.example.", "A")
    check(status == "NOERROR" and any(a.endswith("192.0.2.50") for a in answer), "hosts file: forward name")
    status, answer, _ = dig(t.address, t.port, "nas.", "A")
    check(status == "NOERROR" and any(a.endswith("192.0.2.50") for a in answer), "hosts file: alias")
    status, answer, _ = dig(t.address, t.port, "50.2.0.192.in-addr.arpa.", "PTR")
    check(status == "NOERROR" and any(a.endswith("nas.home.example.") for a in answer), "hosts file: reverse name")
    status, answer, _ = dig(t.address, t.port, "nas.home.example.", "AAAA")
    check(status == "NOERROR" and any(a.endswith("2001:db8::50") for a in answer), "hosts file: IPv6 address")
    status, answer, _ = dig(t.address, t.port, "printer.corp.example.", "A", "+tcp")
    check(status == "NOERROR" and answer, "local data over TCP")


def reload_under_load(t, write_config):
    """Queries run in a thread while SIGHUP changes the printer's address: every one answered."""
    stop = threading.Event()
    seen, failed = set(), []

    def ask():
        while not stop.is_set():
            r = a_of(t, "printer.corp.example.")
            if r is None or r[0] != "NOERROR" or not r[1] or len(r[2]) != 1:
                failed.append(r)
            else:
                seen.add(r[2][0])
            time.sleep(0.002)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for th in threads:
        th.start()
    try:
        time.sleep(0.3)
        write_config("192.0.2.8")
        t.signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "192.0.2.8" not in seen:
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        stop.set()
        for th in threads:
            th.join(10)
    check("192.0.2.8" in seen, "after SIGHUP the changed record is served")
    check(not failed, f"no query failed during the reload ({len(failed)} failed)")
    r = a_of(t, "printer.corp.example.")
    check(r is not None and r[2] == ["192.0.2.8"], "only the new record after the reload")
    check("local data changed" in t.read_log(), "the reload log says local data changed")


def bad_reload(t, write_bad):
    line = write_bad()
    t.signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    log = ""
    while time.monotonic() < deadline and "reload failed" not in log:
        time.sleep(0.05)
        log = t.read_log()
    check("reload failed" in log and f"ternd.toml:{line}" in log, f"a bad local-data line on reload names ternd.toml:{line}")
    r = a_of(t, "printer.corp.example.")
    check(r is not None and r[2] == ["192.0.2.8"], "after a bad reload the previous policy stays")


def check_config(binary, directory, hints, hosts):
    bad = os.path.join(directory, "bad.toml")
    text = config_text(hints, hosts, "192.0.2.7", '\n  "broken.corp.example. 300 IN A 192.0.2.300",')
    with open(bad, "w") as f:
        f.write(text)
    line = text.splitlines().index('  "broken.corp.example. 300 IN A 192.0.2.300",') + 1
    p = subprocess.run([binary, "--check-config", "--config", bad], capture_output=True, text=True, timeout=20)
    check(p.returncode == 2 and f"{bad}:{line}:" in p.stderr, f"--check-config fails on a bad local-data line, naming {bad}:{line}")
    good = os.path.join(directory, "good.toml")
    with open(good, "w") as f:
        f.write(config_text(hints, hosts, "192.0.2.7"))
    p = subprocess.run([binary, "--check-config", "--config", good], capture_output=True, text=True, timeout=20)
    check(p.returncode == 0, "--check-config accepts the good local data")
    with open(good, "w") as f:
        f.write(config_text(hints, os.path.join(directory, "missing-hosts"), "192.0.2.7"))
    p = subprocess.run([binary, "--check-config", "--config", good], capture_output=True, text=True, timeout=20)
    check(p.returncode == 2 and "missing-hosts" in p.stderr, "--check-config: a missing hosts file is an error")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ternd", required=True)
    p.add_argument("--ares", required=True)
    args = p.parse_args()
    directory = tempfile.mkdtemp(prefix="ternd-e2e-local-")
    # Hints at an address where nothing listens: nothing here needs an upstream answer.
    hints = blackhole_hints(directory, "127.0.0.99")
    hosts = os.path.join(directory, "hosts")
    with open(hosts, "w") as f:
        f.write("# test hosts file\n127.0.0.1 localhost\n192.0.2.50 nas.home.example nas\n"
                "2001:db8::50 nas.home.example\n")

    t = Ternd(args.ternd, ADDRESS, config=config_text(hints, hosts, "192.0.2.7"), threads=2)

    def write_config(address, extra=""):
        with open(t.config_path, "w") as f:
            f.write(config_text(hints, hosts, address, extra))

    def write_bad():
        broken = '\n  "broken.corp.example. 300 IN AAAA not-an-address",'
        write_config("192.0.2.9", broken)
        return config_text(hints, hosts, "192.0.2.9", broken).splitlines().index(broken.strip("\n")) + 1

    try:
        answers(t, directory)
        reload_under_load(t, write_config)
        bad_reload(t, write_bad)
    finally:
        check(t.stop() == 0, "exit 0 on SIGTERM")
    check_config(args.ternd, directory, hints, hosts)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
