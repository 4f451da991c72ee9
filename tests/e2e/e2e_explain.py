#!/usr/bin/env python3
"""Why did this fail? (issue #16) end to end on the lab: Extended DNS Errors seen by dig, the
log-servfail line, and `ternd control lookup` / `trace`.

A ternd on the lab (its hints, --upstream-allow 127.0.0.0/8; never the real root) with
log-servfail on and EXTRA-TEXT allowed to 127.0.0.1 only is asked, with dig:

  silence.fault.test.  the only server never answers       SERVFAIL, EDE 22 No Reachable Authority
  refused.fault.test.  the only server answers REFUSED     SERVFAIL, EDE 20 Not Authoritative
  from 127.0.0.1 the EDE carries the EXTRA-TEXT naming the zone and server; from another loopback
  address (a client outside server.ede-text-allow) the code alone. A client without EDNS gets no
  OPT at all. The log has one "servfail" line per failure with the zone, server and reason.

Then control: `lookup` shows the cached data and the delegation with its server's address and
RTT; `trace` shows the servers asked from the root down and the final rcode (and, for the
REFUSED zone, the lame steps and the reason); bad input gets "error: ..." and ternd stays up.

Bounded: a dozen queries and control commands, each with a timeout; ternd started and stopped by
PID. Nothing leaves 127.0.0.0/8.

    tests/e2e/e2e_explain.py --ternd build/debug/resolver/ternd/ternd --net 127.63
"""

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from ternd_harness import Ternd, lab_hints  # noqa: E402

FAILURES = []


def check(cond, what, detail=""):
    print(("ok    " if cond else "FAIL  ") + what, flush=True)
    if not cond:
        FAILURES.append(what)
        if detail:
            print("      " + detail.replace("\n", "\n      "), flush=True)


def dig(ternd, qname, qtype="A", source="127.0.0.1", edns=True):
    """(status, [(code, text)] of the EDE lines, full output) from dig."""
    cmd = ["dig", f"@{ternd.address}", "-p", str(ternd.port), "-b", source, qname, qtype,
           "+tries=1", "+time=8"]
    if not edns:
        cmd.append("+noedns")
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=15).stdout
    status = None
    m = re.search(r"status: ([A-Z]+)", out)
    if m:
        status = m.group(1)
    # dig 9.18: "; EDE: 22 (No Reachable Authority): (zone silence.fault.test., ...)"
    edes = []
    for line in out.splitlines():
        m = re.match(r"; EDE: (\d+)(?: \([^)]*\))?(?:: \((.*)\))?$", line.strip())
        if m:
            edes.append((int(m.group(1)), m.group(2) or ""))
    return status, edes, out


def control(binary, sock, *words):
    out = subprocess.run([binary, "control", sock, *words], capture_output=True, text=True,
                         timeout=30)
    return out.returncode, out.stdout + out.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ternd", required=True)
    ap.add_argument("--ares", help="ignored (the e2e suite passes it to every script)")
    ap.add_argument("--net", default=os.environ.get("TERN_LAB_NET", "127.53"))
    a = ap.parse_args()

    hints = lab_hints(a.net)
    sockdir = tempfile.mkdtemp(prefix="tern-explain-")
    sock = os.path.join(sockdir, "control.sock")
    address = a.net + ".255." + str(random.randrange(100, 200))
    other_client = a.net + ".255." + str(random.randrange(200, 250))
    config = ('[server]\nede-text-allow = ["127.0.0.1/32"]\n'
              '[resolver]\nresolve-deadline-ms = 3000\n'
              '[log]\nlog-servfail = true\n')
    ternd = Ternd(a.ternd, address, config=config, threads=1,
                  args=["--root-hints", hints, "--upstream-allow", "127.0.0.0/8", "--control", sock])
    try:
        # EDE 22: the zone's only server is silent.
        status, edes, out = dig(ternd, "www.silence.fault.test.")
        check(status == "SERVFAIL", f"silence: SERVFAIL ({status})", out)
        check(len(edes) == 1 and edes[0][0] == 22, f"silence: EDE 22 No Reachable Authority ({edes})", out)
        check(edes and "zone silence.fault.test." in edes[0][1] and "server " in edes[0][1],
              "silence: EXTRA-TEXT names the zone and the server for an allowed client", out)

        # EDE 20: the zone's only server REFUSES.
        status, edes, out = dig(ternd, "www.refused.fault.test.")
        check(status == "SERVFAIL", f"refused: SERVFAIL ({status})", out)
        check(len(edes) == 1 and edes[0][0] == 20, f"refused: EDE 20 Not Authoritative ({edes})", out)
        check(edes and "all-servers-lame" in edes[0][1], "refused: EXTRA-TEXT gives the reason", out)

        # A client outside ede-text-allow: the code, no text (the answer comes from the failure
        # cache now, which kept the reason: still 20).
        status, edes, out = dig(ternd, "www.refused.fault.test.", source=other_client)
        check(status == "SERVFAIL" and len(edes) == 1 and edes[0][0] == 20,
              f"refused, other client: EDE 20 from the failure cache ({edes})", out)
        check(len(edes) == 1 and edes[0][1] == "", "refused, other client: no EXTRA-TEXT", out)
        opt = out.split("OPT PSEUDOSECTION")[-1].split("QUESTION SECTION")[0]
        check("refused.fault.test" not in opt and "127." not in opt,
              "refused, other client: the OPT record names neither zone nor server", out)

        status, edes, out = dig(ternd, "www.silence.fault.test.", edns=False)
        check(status == "SERVFAIL" and not edes and "OPT PSEUDOSECTION" not in out,
              "no EDNS from the client: no EDE", out)

        # log-servfail: a line per SERVFAIL with the question, zone, server and reason.
        time.sleep(0.2)
        log = ternd.read_log()
        lines = [l for l in log.splitlines() if "servfail www." in l]
        check(any("www.silence.fault.test. A IN" in l and "zone silence.fault.test." in l
                  and "server " in l for l in lines), "log-servfail: line for the silent zone", log)
        check(any("www.refused.fault.test. A IN" in l and "all-servers-lame" in l for l in lines),
              "log-servfail: line for the refusing zone with its reason", log)

        # A good name, then lookup: the cached data and the delegation with its server's state.
        status, edes, out = dig(ternd, "www.normal.fault.test.")
        check(status == "NOERROR" and not edes, f"normal: NOERROR, no EDE ({status}, {edes})", out)
        rc, out = control(a.ternd, sock, "lookup", "www.normal.fault.test.", "A")
        check(rc == 0 and "rrset www.normal.fault.test. A ttl-left=" in out,
              "lookup: the cached A RRset with its TTL left", out)
        check(re.search(r"delegation normal\.fault\.test\. ", out) is not None and
              re.search(r"127\.\d+\.\d+\.\d+:53 srtt=\d+ms", out) is not None,
              "lookup: the delegation and its server's RTT", out)
        rc, out = control(a.ternd, sock, "lookup", "www.refused.fault.test.")
        check(rc == 0 and "failure www.refused.fault.test. A stands" in out and "all-servers-lame" in out,
              "lookup: the failure cache entry with its reason", out)

        # trace: every step from the root down, without touching the shared caches.
        rc, out = control(a.ternd, sock, "trace", "www.normal.fault.test.", "A")
        zones = re.findall(r"^\s*query \S+ \S+ zone=(\S+) server=", out, re.M)
        check(rc == 0 and zones[:1] == ["."] and "normal.fault.test." in zones,
              f"trace: queries from the root down to the zone ({zones})", out)
        check(re.search(r"reply .* rtt=\d+ms", out) is not None and "referral" in out,
              "trace: replies with RTTs and referrals", out)
        check("; rcode NOERROR" in out and re.search(r"www\.normal\.fault\.test\.\s+\d+\s+IN\s+A", out),
              "trace: the final answer", out)
        rc, out = control(a.ternd, sock, "trace", "www.refused.fault.test.")
        check(rc == 0 and "lame" in out and "; rcode SERVFAIL" in out and "; EDE 20" in out,
              "trace: the REFUSED zone's lame steps, SERVFAIL and EDE 20", out)

        # Bad input: a clear error, and ternd stays up.
        for words, expect in ((["trace"], "error: usage: trace NAME [TYPE]"),
                              (["lookup", "a..b"], "error: not a domain name"),
                              (["trace", "example.", "NOTATYPE"], "error: not a type"),
                              (["lookup", "x.", "A", "extra"], "error: usage")):
            rc, out = control(a.ternd, sock, *words)
            check(rc != 0 and expect in out, f"control {' '.join(words)!r}: {expect}", out)
        status, _, out = dig(ternd, "www.normal.fault.test.")
        check(status == "NOERROR" and ternd.proc.poll() is None, "ternd still answers after bad input", out)
    finally:
        log = ternd.read_log()
        code = ternd.stop()
        check(code == 0, f"ternd exited cleanly ({code})", log[-3000:])
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
