"""A throw-away redis-server for the tests and benches of the shared cache (docs/scale-out.md):
its own directory, a free loopback port, no persistence, stopped by its PID. Plus a tiny RESP
client (standard library only) to read, write and corrupt values the way an attacker with
access to Redis could."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from ternd_harness import free_port


class RedisServer:
    def __init__(self, address="127.0.0.1", port=None, directory=None):
        if shutil.which("redis-server") is None:
            raise FileNotFoundError("redis-server")
        self.address = address
        self.port = port or free_port(address)
        self.dir = directory or tempfile.mkdtemp(prefix="ternd-redis-")
        self.log_path = os.path.join(self.dir, "redis.log")
        self.proc = None
        self.start()

    def start(self):
        # No RDB/AOF files, no protected-mode surprises; only loopback.
        cmd = ["redis-server", "--bind", self.address, "--port", str(self.port), "--dir", self.dir,
               "--save", "", "--appendonly", "no", "--daemonize", "no",
               "--logfile", self.log_path, "--databases", "1"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                if self.command("PING") == b"PONG":
                    return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def server_text(self):
        return f"{self.address}:{self.port}"

    def kill(self):
        """SIGKILL by PID: connections are reset, nothing is answered."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def signal(self, sig):
        os.kill(self.proc.pid, sig)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def command(self, *args, timeout=2.0):
        """One command over a fresh connection; returns bytes, int, None (nil) or raises on -ERR."""
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        with socket.create_connection((self.address, self.port), timeout=timeout) as s:
            s.sendall(out)
            f = s.makefile("rb")
            line = f.readline()
            kind, rest = line[:1], line[1:-2]
            if kind == b"+":
                return rest
            if kind == b"-":
                raise RuntimeError(rest.decode())
            if kind == b":":
                return int(rest)
            if kind == b"$":
                n = int(rest)
                if n < 0:
                    return None
                data = f.read(n + 2)
                return data[:-2]
            if kind == b"*":
                n = int(rest)
                items = []
                for _ in range(max(n, 0)):
                    ln = f.readline()
                    m = int(ln[1:-2])
                    items.append(f.read(m + 2)[:-2] if m >= 0 else None)
                return items
            raise RuntimeError(f"unexpected reply {line!r}")


def shared_key(qname, qtype=1, qclass=1, do=False, cd=False):
    """The key ternd uses (resolver/server/shared_value.h)."""
    return f"tern:v1:{qname.lower()}/{qtype}/{qclass}/{int(do)}{int(cd)}"
