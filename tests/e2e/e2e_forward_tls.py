#!/usr/bin/env python3
"""ternd end to end, DNS over TLS to a forwarder (issue #15), against the offline lab:

A test CA and a server certificate for dot.lab.test. are made here with the openssl CLI. Unbound
serves DNS over TLS only (tls-service-key / tls-service-pem) on 127.0.0.1 and resolves from the
lab's root hints. ternd forwards chain.com. to it with tls = true, tls-name = "dot.lab.test."
and the test CA: answers come back, over one reused connection. sibling.com. is forwarded to
the same server with a name the certificate does not carry: SERVFAIL, and Unbound never sees
the question (no fallback to cleartext).

  e2e_forward_tls.py --ternd PATH --ares PATH --net 127.65
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from ternd_harness import REPO, Ternd, dig, free_port

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {p.stderr}")


def make_certificates(d):
    """ca.pem, and server.key / server.pem for dot.lab.test signed by it."""
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Tern test CA"], d)
    run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=dot.lab.test"], d)
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:dot.lab.test\nbasicConstraints=CA:FALSE\n")
    run(["openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
         "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf"], d)


def start_unbound(d, hints, port, second):
    unbound = shutil.which("unbound") or ("/usr/sbin/unbound" if os.path.exists("/usr/sbin/unbound") else None)
    if not unbound:
        return None
    conf = os.path.join(d, "unbound.conf")
    with open(conf, "w") as f:
        f.write("\n".join([
            "server:",
            f"    interface: 127.0.0.1@{port}",
            f"    interface: {second}@{port}",
            f"    tls-port: {port}",
            f"    tls-service-key: \"{d}/server.key\"",
            f"    tls-service-pem: \"{d}/server.pem\"",
            "    do-ip6: no",
            "    do-udp: yes",
            "    do-not-query-localhost: no",
            f"    root-hints: \"{hints}\"",
            "    module-config: \"iterator\"",
            "    chroot: \"\"",
            "    username: \"\"",
            f"    directory: \"{d}\"",
            "    pidfile: \"\"",
            "    use-syslog: no",
            "    logfile: \"\"",
            "    log-queries: yes",
            "    verbosity: 1",
            "    num-threads: 1",
            "    access-control: 127.0.0.0/8 allow",
            "    outgoing-range: 64",
            "remote-control:",
            "    control-enable: no",
        ]) + "\n")
    log = open(os.path.join(d, "unbound.log"), "w")
    proc = subprocess.Popen([unbound, "-d", "-c", conf], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status, _, _ = dig("127.0.0.1", port, "com.", "NS", "+tls", timeout=1)
        if status == "NOERROR":
            return proc, log.name
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    proc.wait()
    raise SystemExit(f"unbound did not start; see {log.name}")


def port_free(address, port):
    import socket
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind((address, port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def connections_to(port):
    """Established TCP connections to 127.0.0.1:port (ss)."""
    out = subprocess.run(["ss", "-Htn", "state", "established", f"dst 127.0.0.1:{port}"],
                         capture_output=True, text=True, timeout=10).stdout
    return len([l for l in out.splitlines() if l.strip()])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ternd", required=True)
    ap.add_argument("--ares")
    ap.add_argument("--net", default="127.53")
    ap.add_argument("--state")
    args = ap.parse_args()
    for tool in ("dig", "openssl", "ss"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} is not installed")
            return 77
    state = args.state or os.environ.get("TERN_LAB_STATE") or os.path.join(REPO, "build", f"lab-{args.net}")
    with open(os.path.join(state, "manifest.json")) as f:
        hints = json.load(f)["root_hints"]
    d = tempfile.mkdtemp(prefix="tern-e2e-dot-")
    make_certificates(d)
    port = free_port("127.0.0.1")
    while not port_free(f"{args.net}.255.35", port):
        port = free_port("127.0.0.1")
    second = f"{args.net}.255.35"  # the same Unbound on a second address, for the wrong name
    started = start_unbound(d, hints, port, second)
    if started is None:
        print("SKIP: unbound is not installed (apt-get install unbound)")
        return 77
    unbound, unbound_log = started
    config = f"""[resolver]
root-hints = "{hints}"
upstream-allow = ["{args.net}.0.0/16"]
resolve-deadline-ms = 3000

[[forward-zone]]
name = "chain.com."
addresses = ["127.0.0.1:{port}"]
tls = true
tls-name = "dot.lab.test."
tls-ca-file = "{d}/ca.pem"

[[forward-zone]]
name = "sibling.com."
addresses = ["{second}:{port}"]
tls = true
tls-name = "wrong.lab.test."
tls-ca-file = "{d}/ca.pem"
"""
    t = None
    try:
        t = Ternd(args.ternd, f"{args.net}.255.34", config=config)
        for name in ("one.chain.com.", "two.chain.com.", "three.chain.com."):
            status, answer, _ = dig(t.address, t.port, name, "A")
            check(status == "NOERROR" and any(a.endswith(f"A {args.net}.236.11") for a in answer),
                  f"DoT forward zone: {name} -> {status} {answer[-1:] if answer else answer}")
        check(connections_to(port) == 1, f"one TLS connection reused for the queries ({connections_to(port)})")
        status, _, _ = dig(t.address, t.port, "www.sibling.com.", "A")
        check(status == "SERVFAIL", f"certificate without the tls-name: www.sibling.com. -> {status}")
        time.sleep(0.2)
        with open(unbound_log) as f:
            seen = f.read().lower()
        check("one.chain.com. a in" in seen, "Unbound saw the question over TLS")
        check("sibling.com" not in seen, "the forwarder with the wrong name was never asked (no cleartext fallback)")
        if failures:
            print(f"ternd log:\n{t.read_log()[-3000:]}")
    finally:
        if t is not None:
            code = t.stop()
            check(code == 0, f"ternd exits 0 on SIGTERM ({code})")
        unbound.terminate()
        try:
            unbound.wait(10)
        except subprocess.TimeoutExpired:
            unbound.kill()
            unbound.wait()
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    shutil.rmtree(d, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
