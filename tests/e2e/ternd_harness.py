"""Starts and stops ternd for the end-to-end tests: its own 127.0.0.x address and a free port,
stopped by its PID, every wait bounded. Standard library only (plus the lab's dnsmsg)."""

import os
import re
import random
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "lab"))

from labgen import dnsmsg  # noqa: E402,F401


def free_port(address):
    """A port free for both UDP and TCP on address."""
    for _ in range(100):
        port = random.randrange(20000, 60000)
        ok = True
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(socket.AF_INET, kind)
            try:
                s.bind((address, port))
            except OSError:
                ok = False
            finally:
                s.close()
        if ok:
            return port
    raise RuntimeError(f"no free port on {address}")


def lab_hints(net):
    """The root hints file of the lab running on `net` (tests/lab/lab hints)."""
    out = subprocess.run([os.path.join(REPO, "tests", "lab", "lab"), "hints", "--net", net],
                         capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise SystemExit(f"lab on {net} is not up: {out.stderr.strip()}")
    return out.stdout.strip()


def lab_anchor_args(cmd, config=None):
    """A lab's root hints come with the lab's trust anchor: ternd validates DNSSEC by default, and
    the lab's root is signed with the lab's own key (tests/lab/lab anchor), not IANA's."""
    if "--trust-anchor-file" in cmd or (config and "trust-anchor-files" in config):
        return []
    if "--root-hints" in cmd:
        hints = cmd[cmd.index("--root-hints") + 1]
    else:
        m = re.search(r'root-hints\s*=\s*"([^"]+)"', config or "")
        if not m:
            return []
        hints = m.group(1)
    anchor = os.path.join(os.path.dirname(os.path.abspath(hints)), "trust-anchor.ds")
    return ["--trust-anchor-file", anchor] if os.path.exists(anchor) else []


def control_stats(binary, sock):
    """`ternd control SOCK stats` as {sample: value}, for the samples without labels."""
    out = subprocess.run([binary, "control", sock, "stats"], capture_output=True, text=True,
                         timeout=10)
    result = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            result[parts[0]] = int(parts[1])
    return result

def blackhole_hints(directory, address):
    """Root hints naming one server at `address` (a socket the test holds and never answers, or
    nothing at all): ternd never sees the real root servers in a test."""
    path = os.path.join(directory, "blackhole.hints")
    with open(path, "w") as f:
        f.write("; test root hints: a single loopback server that never answers\n"
                ".                  3600000 NS a.root-servers.net.\n"
                f"a.root-servers.net. 3600000 A  {address}\n")
    return path


class Ternd:
    def __init__(self, binary, address, args=(), config=None, env=None, threads=1, preexec_fn=None,
                 port=None):
        self.address = address
        self.port = port or free_port(address)
        self.dir = tempfile.mkdtemp(prefix="ternd-e2e-")
        self.log_path = os.path.join(self.dir, "ternd.log")
        self.config_path = os.path.join(self.dir, "ternd.toml")
        cmd = [binary, "--listen", f"{address}:{self.port}", "--threads", str(threads)]
        if config is not None:
            with open(self.config_path, "w") as f:
                f.write(config)
            cmd += ["--config", self.config_path]
        cmd += list(args)
        cmd += lab_anchor_args(cmd, config)
        full_env = dict(os.environ)
        # ASan keeps freed memory in quarantine (256 MB by default): keep RSS meaningful.
        full_env.setdefault("ASAN_OPTIONS", "quarantine_size_mb=16:detect_leaks=1")
        full_env.update(env or {})
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, env=full_env, preexec_fn=preexec_fn)
        deadline = time.monotonic() + 15
        while True:
            r = self.udp(dnsmsg.build_query("localhost.", "A")[1], timeout=0.3)
            if r is not None:
                break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"ternd did not start:\n{self.read_log()}")

    def read_log(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def udp(self, msg, timeout=2.0, source="127.0.0.1"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((source, 0))
            s.settimeout(timeout)
            s.sendto(msg, (self.address, self.port))
            try:
                return s.recvfrom(65535)[0]
            except (socket.timeout, ConnectionRefusedError):
                return None

    def tcp(self, msg, timeout=3.0):
        with socket.create_connection((self.address, self.port), timeout=timeout) as s:
            s.sendall(struct.pack("!H", len(msg)) + msg)
            head = recv_exact(s, 2)
            if head is None:
                return None
            return recv_exact(s, struct.unpack("!H", head)[0])

    def rss_kb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def signal(self, sig):
        os.kill(self.proc.pid, sig)

    def stop(self, timeout=15):
        """SIGTERM by PID; returns the exit code (None if it had to be killed)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None
        finally:
            self.log.close()


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        try:
            chunk = s.recv(n - len(buf))
        except (socket.timeout, ConnectionResetError):
            return None
        if not chunk:
            return None
        buf += chunk
    return buf


def header(msg):
    """(id, flags, qd, an, ns, ar) and the rcode of a response."""
    hid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
    return {"id": hid, "qr": bool(flags & 0x8000), "opcode": (flags >> 11) & 0xF,
            "aa": bool(flags & 0x0400), "tc": bool(flags & 0x0200), "rcode": flags & 0xF,
            "qd": qd, "an": an, "ns": ns, "ar": ar}


def dig(server, port, qname, qtype, *opts, timeout=8):
    """(status, answer lines, authority lines) from dig, or (None, [], []) when it fails."""
    cmd = ["dig", f"@{server}", "-p", str(port), qname, qtype, "+noall", "+comments", "+answer",
           "+authority", "+tries=1", f"+time={timeout}", *opts]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 5).stdout
    except subprocess.TimeoutExpired:
        return None, [], []
    status, section, answer, authority = None, None, [], []
    for line in out.splitlines():
        if "->>HEADER<<-" in line and "status:" in line:
            status = line.split("status:")[1].split(",")[0].strip()
        elif line.startswith(";; ANSWER SECTION"):
            section = answer
        elif line.startswith(";; AUTHORITY SECTION"):
            section = authority
        elif line.startswith(";") or not line.strip():
            if not line.strip():
                section = None
        elif section is not None:
            section.append(" ".join(line.split()))
    return status, answer, authority
