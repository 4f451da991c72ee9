#!/usr/bin/env python3
"""ternd end to end, forward and stub zones (issue #15), against the offline lab:

- a forward zone to Unbound on loopback (Unbound itself resolves from the lab's root hints; it
  listens on 127.0.0.1, outside ternd's upstream-allow, so only the zone's naming it lets ternd
  ask it), with a CNAME leaving the zone resolved by ternd itself;
- a stub zone to a lab authority: www.mutual-a.com., which iteration cannot resolve (its
  delegation is a glueless loop), is answered through the stub;
- a forwarder that never answers: SERVFAIL within resolve-deadline-ms, or, with first = true,
  the name resolved by iteration;
- a SIGHUP that turns the dead forward zone into a stub zone while queries run: none fails, and
  the zone answers afterwards.

  e2e_forward.py --ternd PATH --ares PATH --net 127.65
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from ternd_harness import REPO, Ternd, dig, free_port

failures = []
DEADLINE_MS = 3000


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def start_unbound(workdir, hints, port):
    unbound = shutil.which("unbound") or ("/usr/sbin/unbound" if os.path.exists("/usr/sbin/unbound") else None)
    if not unbound:
        return None
    conf = os.path.join(workdir, "unbound.conf")
    with open(conf, "w") as f:
        f.write("\n".join([
            "server:",
            "    interface: 127.0.0.1",
            f"    port: {port}",
            "    do-ip6: no",
            "    do-not-query-localhost: no",
            f"    root-hints: \"{hints}\"",
            "    module-config: \"iterator\"",
            "    chroot: \"\"",
            "    username: \"\"",
            f"    directory: \"{workdir}\"",
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
    log = open(os.path.join(workdir, "unbound.log"), "w")
    proc = subprocess.Popen([unbound, "-d", "-c", conf], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status, _, _ = dig("127.0.0.1", port, "com.", "NS", timeout=1)
        if status == "NOERROR":
            return proc, log.name
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    proc.wait()
    raise SystemExit(f"unbound did not start; see {log.name}")


def config_text(hints, unbound_port, silent, sibling_as_stub):
    sibling = (f'[[stub-zone]]\nname = "sibling.com."\naddresses = ["{NET}.2.3"]\n' if sibling_as_stub
               else f'[[forward-zone]]\nname = "sibling.com."\naddresses = ["{silent}"]\n')
    return f"""[resolver]
root-hints = "{hints}"
upstream-allow = ["{NET}.0.0/16"]
resolve-deadline-ms = {DEADLINE_MS}

[[forward-zone]]
name = "chain.com."
addresses = ["127.0.0.1:{unbound_port}"]

[[forward-zone]]
name = "glue-inside.com."
addresses = ["{silent}"]
first = true

[[stub-zone]]
name = "mutual-a.com."
addresses = ["{NET}.2.3"]

{sibling}"""


def timed_dig(t, qname, qtype="A"):
    start = time.monotonic()
    status, answer, authority = dig(t.address, t.port, qname, qtype, timeout=DEADLINE_MS // 1000 + 3)
    return status, answer, authority, time.monotonic() - start


def main():
    global NET
    ap = argparse.ArgumentParser()
    ap.add_argument("--ternd", required=True)
    ap.add_argument("--ares")
    ap.add_argument("--net", default="127.53")
    ap.add_argument("--state")
    args = ap.parse_args()
    NET = args.net
    if not shutil.which("dig"):
        print("SKIP: dig is not installed")
        return 77
    state = args.state or os.environ.get("TERN_LAB_STATE") or os.path.join(REPO, "build", f"lab-{args.net}")
    with open(os.path.join(state, "manifest.json")) as f:
        manifest = json.load(f)
    hints = manifest["root_hints"]
    workdir = tempfile.mkdtemp(prefix="tern-e2e-forward-")

    # A forwarder that never answers: a UDP socket held open and never read.
    silent_addr = f"{args.net}.255.33"
    silent_port = free_port(silent_addr)
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind((silent_addr, silent_port))
    silent_text = f"{silent_addr}:{silent_port}"

    unbound_port = free_port("127.0.0.1")
    started = start_unbound(workdir, hints, unbound_port)
    if started is None:
        print("SKIP: unbound is not installed (apt-get install unbound)")
        return 77
    unbound, unbound_log = started
    t = None
    try:
        t = Ternd(args.ternd, f"{args.net}.255.30", config=config_text(hints, unbound_port, silent_text, False))
        # Forward zone: asked of Unbound with RD=1 (Unbound refuses to recurse otherwise).
        status, answer, _, _ = timed_dig(t, "one.chain.com.")
        check(status == "NOERROR" and any(a.endswith("A 127.65.236.11".replace("127.65", args.net)) for a in answer),
              f"forward zone: one.chain.com. via Unbound -> {answer}")
        with open(unbound_log) as f:
            # 0x20: the name goes out in random case.
            check("one.chain.com. a in" in f.read().lower(), "Unbound logged the forwarded question")
        # A CNAME out of the zone: the target is resolved by ternd (not taken from the forwarder).
        status, answer, _, _ = timed_dig(t, "x1.chain.com.")
        check(status == "NOERROR" and any(" CNAME www.cross-c.com." in a for a in answer)
              and any(a.startswith("www.cross-c.com.") and " A " in a for a in answer),
              f"forward zone: a CNAME leaving the zone is followed -> {answer}")
        # Stub zone: the delegation loop of mutual-a.com. is bypassed by naming its server.
        status, answer, _, _ = timed_dig(t, "www.mutual-a.com.")
        check(status == "NOERROR" and any(a.endswith(f"A {args.net}.236.43") for a in answer),
              f"stub zone: www.mutual-a.com. from {args.net}.2.3 -> {status} {answer}")
        # Forwarder down, first = false: SERVFAIL within the deadline, no iteration.
        status, _, _, took = timed_dig(t, "www.sibling.com.")
        check(status == "SERVFAIL", f"forwarder down: www.sibling.com. -> {status}")
        check(took < DEADLINE_MS / 1000 + 0.5, f"forwarder down: answered in {took:.2f} s (deadline {DEADLINE_MS} ms)")
        # Forwarder down, first = true: resolved by iteration within the deadline.
        status, answer, _, took = timed_dig(t, "www.glue-inside.com.")
        check(status == "NOERROR" and any(a.endswith(f"A {args.net}.236.2") for a in answer),
              f"forward-first: www.glue-inside.com. by iteration -> {status} {answer}")
        check(took < DEADLINE_MS / 1000 + 0.5, f"forward-first: answered in {took:.2f} s")

        # SIGHUP: sibling.com. becomes a stub zone; queries keep being answered meanwhile.
        stop = threading.Event()
        failed, answered = [], [0]

        def ask():
            while not stop.is_set():
                status, _, _ = dig(t.address, t.port, "one.chain.com.", "A", timeout=2)
                if status != "NOERROR":
                    failed.append(status)
                else:
                    answered[0] += 1
                time.sleep(0.01)

        th = threading.Thread(target=ask)
        th.start()
        try:
            time.sleep(0.3)
            with open(t.config_path, "w") as f:
                f.write(config_text(hints, unbound_port, silent_text, True))
            t.signal(signal.SIGHUP)
            time.sleep(0.8)
        finally:
            stop.set()
            th.join(10)
        check(answered[0] > 0 and not failed, f"queries during the reload: {answered[0]} answered, {len(failed)} failed")
        log = t.read_log()
        check("forward/stub zones changed" in log, "the reload log says the zones changed")
        status, answer, _, _ = timed_dig(t, "nothere.sibling.com.")
        check(status == "NXDOMAIN", f"after SIGHUP sibling.com. is a stub zone: nothere.sibling.com. -> {status}")
        status, _, _ = dig(t.address, t.port, "one.chain.com.", "A")
        check(status == "NOERROR", "the forward zone still answers after the reload")
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
        silent.close()
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
