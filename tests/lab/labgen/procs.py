"""Process and port handling for the lab: who holds a port, start/stop by PID file."""

import errno
import os
import re
import signal
import socket
import subprocess
import time


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
    cmd = " ".join(cmd.split())
    return cmd if len(cmd) <= 120 else cmd[:117] + "..."


def _full_cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def _advice_for(name, pid):
    """How to free a port from this particular holder."""
    name = name.split(":")[0]  # nsd names its processes "nsd: main", "nsd: xfrd", ...
    cmd = _cmdline(pid)
    full = _full_cmdline(pid)
    if name == "nsd" and "/hosts/" in full and full.endswith("nsd.conf"):
        cmd = full
        state = cmd.split(" -c ", 1)[-1].rsplit("/hosts/", 1)[0]
        return f"a lab's NSD (state {state}): tests/lab/lab down --state {state}"
    if name == "tern_lab_fault":
        state = os.path.dirname(cmd.split()[-1]) if cmd else "?"
        return f"a lab's fault authority (state {state}): tests/lab/lab down --state {state}"
    if name in ("nsd", "unbound", "named", "pdns_recursor", "kresd", "systemd-resolve"):
        service = {"named": "named", "pdns_recursor": "pdns-recursor", "kresd": "kresd@1",
                   "systemd-resolve": "systemd-resolved"}.get(name, name)
        return (f"{name} `{cmd or '?'}`: if it is Debian's {service} service (apt-get install starts it), "
                f"stop it with `systemctl stop {service}` (no systemd: `service {service} stop`), and "
                f"`systemctl disable {service}` keeps it off; if you started it yourself: kill {pid}")
    return f"{name} `{cmd or '?'}`: stop it (kill {pid}) or use another --net"


def port_holders(address, port):
    """[(description, advice)] for processes listening on address:port or a wildcard, from `ss`."""
    holders = []
    for flags in ("-Hlnup", "-Hltnp"):
        try:
            out = subprocess.run(["ss", flags], capture_output=True, text=True, timeout=5).stdout
        except (OSError, subprocess.SubprocessError):
            return [("(ss not available: install iproute2 to see who holds the port)", "")]
        for line in out.splitlines():
            cols = line.split()
            local = next((c for c in cols if c.endswith(f":{port}")), None)
            if local is None:
                continue
            host = local.rsplit(":", 1)[0].strip("[]")
            if host in (address, "0.0.0.0", "*", "::"):
                proto = "udp" if "u" in flags else "tcp"
                users = re.findall(r'\("([^"]+)",pid=(\d+)', line)
                for n, pid in users or [("an unknown process", "?")]:
                    holders.append((f"{proto} {local} held by {n} (pid {pid})", _advice_for(n, pid)))
    return holders


def free_advice(address, port, holders, net):
    if not holders:
        return (f"port {port} on {address} is taken, by a process ss cannot show (run as root "
                f"to see it); or use another --net than {net}")
    seen, lines = set(), []
    for desc, advice in holders:
        lines.append(f"  {desc}")
        if advice and advice not in seen:
            seen.add(advice)
            lines.append(f"    to free it: {advice}")
    return f"port {port} on {address} is taken:\n" + "\n".join(lines)


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


def leftovers(state):
    """PIDs whose command line names a config under state: whatever a stop missed (NSD children
    whose parent died, a fault authority started by hand)."""
    pids = []
    markers = (os.path.join(state, "hosts") + "/", os.path.join(state, "faults.conf"),
               os.path.join(state, "unbound", "unbound.conf"))
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            cmd = _full_cmdline(entry)
            if any(m in cmd for m in markers):
                pids.append(int(entry))
    return pids


def stop_pids(pids, grace=3.0):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{p}") and _state(p) != "Z" for p in pids):
        time.sleep(0.05)
    for pid in pids:
        if os.path.exists(f"/proc/{pid}") and _state(pid) != "Z":
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"
