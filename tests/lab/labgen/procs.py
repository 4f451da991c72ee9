"""Process and port handling for the lab: who holds a port, start/stop by PID file."""

import errno
import os
import re
import signal
import socket
import subprocess
import time


def port_holders(address, port):
    """Processes listening on address:port (or on a wildcard address), from `ss`."""
    holders = []
    for flags in ("-Hlnup", "-Hltnp"):
        try:
            out = subprocess.run(["ss", flags], capture_output=True, text=True, timeout=5).stdout
        except (OSError, subprocess.SubprocessError):
            return ["(ss not available: install iproute2 to see who holds the port)"]
        for line in out.splitlines():
            cols = line.split()
            local = next((c for c in cols if c.endswith(f":{port}")), None)
            if local is None:
                continue
            host = local.rsplit(":", 1)[0].strip("[]")
            if host in (address, "0.0.0.0", "*", "::"):
                users = re.findall(r'\("([^"]+)",pid=(\d+)', line)
                proto = "udp" if "u" in flags else "tcp"
                who = ", ".join(f"{n} (pid {p})" for n, p in users) or "an unknown process"
                holders.append(f"{proto} {local} held by {who}")
    return holders


def free_advice(address, port, holders, net):
    text = "\n  ".join(holders) if holders else "(no holder visible to ss; run as root to see it)"
    return (f"port {port} on {address} is taken:\n  {text}\n"
            f"To free it:\n"
            f"  - another lab on this /16: tests/lab/lab down --net {net}\n"
            f"  - Debian's nsd or unbound service (started by apt-get install): "
            f"service nsd stop / service unbound stop (or systemctl stop nsd unbound; "
            f"systemctl disable nsd unbound keeps them off)\n"
            f"  - anything else: stop the process named above (kill <pid>), or use another --net")


def check_bindable(address, port):
    """None if address:port can be bound for UDP and TCP now, else the errno name."""
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            if kind == socket.SOCK_STREAM:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((address, port))
        except OSError as e:
            return errno.errorcode.get(e.errno, str(e))
        finally:
            s.close()
    return None


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def alive(pid, marker):
    """True if pid runs and its command line contains marker (guards against a reused PID)."""
    if pid is None:
        return False
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                return False
    except OSError:
        return False
    return marker in cmd


def stop(pidfile, marker, grace=3.0):
    """Stop the process named by pidfile (only if its command line holds marker)."""
    pid = read_pid(pidfile)
    stopped = False
    if alive(pid, marker):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while alive(pid, marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        if alive(pid, marker):
            os.kill(pid, signal.SIGKILL)
        stopped = True
    try:
        os.unlink(pidfile)
    except FileNotFoundError:
        pass
    return stopped
