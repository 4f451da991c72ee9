#!/usr/bin/env python3
"""CH TXT identity (issue #16 "Identity") through dig against ternd, without the lab:

- by default id.server, hostname.bind, version.bind and version.server are REFUSED;
- hide-version = false: version.bind and version.server say "ternd VERSION", or `version`;
- hide-identity = false: id.server and hostname.bind say the host name, or `identity`;
- an IN question for the same names is resolved as usual (not answered with the identity).

  e2e_identity.py --ternd PATH --ares PATH
"""

import argparse
import socket
import sys
import tempfile

from ternd_harness import Ternd, blackhole_hints, dig

ADDRESS = "127.0.0.71"
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def chaos(t, name):
    status, answer, _ = dig(t.address, t.port, name, "TXT", "-c", "CH", timeout=3)
    return status, answer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ternd", required=True)
    ap.add_argument("--ares")
    a = ap.parse_args()
    hints = blackhole_hints(tempfile.mkdtemp(prefix="tern-identity-"), "127.0.0.254")
    args = ["--root-hints", hints, "--upstream-allow", "127.0.0.0/8"]

    t = Ternd(a.ternd, ADDRESS, args=args)
    try:
        for name in ("id.server.", "hostname.bind.", "version.bind.", "version.server."):
            status, answer = chaos(t, name)
            check(status == "REFUSED" and not answer, f"default: {name} CH TXT refused ({status})")
    finally:
        t.stop()

    t = Ternd(a.ternd, ADDRESS, args=args, config="[server]\nhide-version = false\nhide-identity = false\n")
    try:
        status, answer = chaos(t, "version.bind.")
        check(status == "NOERROR" and answer and '"ternd ' in answer[0] and " CH TXT " in answer[0],
              f"hide-version = false: version.bind says ternd's version ({answer})")
        status, answer = chaos(t, "id.server.")
        check(status == "NOERROR" and answer and f'"{socket.gethostname()}"' in answer[0],
              f"hide-identity = false: id.server says the host name ({answer})")
    finally:
        t.stop()

    t = Ternd(a.ternd, ADDRESS, args=args,
              config='[server]\nhide-version = false\nversion = "resolver 7"\nhide-identity = false\n'
                     'identity = "ns-a.example"\n')
    try:
        for name, want in (("version.server.", "resolver 7"), ("hostname.bind.", "ns-a.example"),
                           ("id.server.", "ns-a.example")):
            status, answer = chaos(t, name)
            check(status == "NOERROR" and answer and f'"{want}"' in answer[0], f"{name} says {want} ({answer})")
        status, answer, _ = dig(t.address, t.port, "version.bind.", "TXT", timeout=3)
        check(not any('"resolver 7"' in line for line in answer), f"an IN question does not get the version ({status})")
    finally:
        t.stop()

    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)


if __name__ == "__main__":
    main()
