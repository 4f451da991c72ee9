#!/usr/bin/env python3
"""ternd validates the signed lab as Unbound does: ternd is started with the lab's root hints and
the lab's trust anchor (tests/lab/lab anchor), then tests/lab/dnssec_check --server judges it
case by case (dig +dnssec: AD where secure, the plain answer where insecure, SERVFAIL where
bogus, the data again with +cd; delv through ternd must agree), the same checks Unbound passes.
Differences still open are explained in ternd_dnssec_allowlist.json (key "resolver").

  e2e_dnssec.py --ternd PATH [--net 127.53]
"""

import argparse
import os
import subprocess
import sys

from ternd_harness import REPO, Ternd, lab_hints

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77


def main(argv):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--ternd", required=True)
    p.add_argument("--net", default=os.environ.get("TERN_LAB_NET", "127.53"))
    args = p.parse_args(argv)
    lab = os.path.join(REPO, "tests", "lab", "lab")
    anchor = subprocess.run([lab, "anchor", "--net", args.net], capture_output=True, text=True,
                            timeout=30)
    if anchor.returncode != 0:
        print(f"no signed lab on {args.net}: {anchor.stderr.strip()}")
        return SKIP
    hints = lab_hints(args.net)
    address = f"{args.net}.255.4"
    t = Ternd(args.ternd, address,
              args=["--root-hints", hints, "--trust-anchor-file", anchor.stdout.strip(),
                    "--upstream-allow", "127.0.0.0/8"],
              config='[server]\nno-local-zones = ["test.", "invalid.", "127.in-addr.arpa.", '
                     '"8.b.d.0.1.0.0.2.ip6.arpa."]\n')
    try:
        cmd = [os.path.join(REPO, "tests", "lab", "dnssec_check"), "--net", args.net,
               "--server", address, "--port", str(t.port),
               "--allowlist", os.path.join(HERE, "ternd_dnssec_allowlist.json"),
               "--plain-allowlist", os.path.join(HERE, "ternd_dnssec_plain_allowlist.json")]
        rc = subprocess.run(cmd, timeout=300).returncode
    finally:
        t.stop()
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
