"""Measurements: a DNS probe, /proc readers, and the two load generators (dnsperf, tern_loadgen)."""

import json
import os
import random
import re
import socket
import struct

from .processes import run_tool

CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- one query, to check a server answers before it is measured -------------------------------

def encode_query(name, qtype=1, qid=None):
    qid = random.randrange(65536) if qid is None else qid
    out = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\x00" + struct.pack(">HH", qtype, 1)


RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}


def probe(addr, port, name, timeout=2.0):
    """Returns (rcode name, answer count), or (None, 0) when nothing came back in time."""
    query = encode_query(name)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.connect((addr, port))
        s.send(query)
        try:
            while True:
                data = s.recv(4096)
                if len(data) >= 12 and data[:2] == query[:2]:
                    flags, ancount = struct.unpack(">H", data[2:4])[0], struct.unpack(">H", data[6:8])[0]
                    return RCODES.get(flags & 0xF, str(flags & 0xF)), ancount
        except (socket.timeout, ConnectionRefusedError):
            return None, 0


def port_free(addr, port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind((addr, port))
            return True
        except OSError:
            return False


# --- /proc -----------------------------------------------------------------------------------

def cpu_times(pid):
    """(utime, stime) of every thread of the process, in seconds (clock-tick resolution)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK  # fields 14 and 15 of proc(5)


def cpu_seconds(pid):
    """utime + stime of every thread of the process, in seconds."""
    return sum(cpu_times(pid))


def rss_bytes(pid):
    """VmRSS: resident anonymous memory plus resident pages of mapped files (kresd's cache is an
    LMDB file it writes through a shared mapping; those pages count here as heap does for the
    others)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


# --- dnsperf ---------------------------------------------------------------------------------

def _field(text, label, cast=float):
    m = re.search(r"^\s*" + re.escape(label) + r":\s+([0-9.]+)", text, re.M)
    return cast(m.group(1)) if m else None


def parse_dnsperf(text):
    codes = {}
    m = re.search(r"^\s*Response codes:\s+(.*)$", text, re.M)
    if m:
        for code, count in re.findall(r"([A-Z]+) (\d+) \(", m.group(1)):
            codes[code] = int(count)
    result = {
        "sent": _field(text, "Queries sent", int),
        "completed": _field(text, "Queries completed", int),
        "lost": _field(text, "Queries lost", int),
        "run_time_s": _field(text, "Run time (s)"),
        "qps": _field(text, "Queries per second"),
        "mean_latency_s": _field(text, "Average Latency (s)"),
        "rcodes": codes,
    }
    if result["qps"] is None:
        raise RuntimeError("dnsperf gave no result:\n" + text[-800:])
    return result


def dnsperf(addr, port, names_file, seconds, cpus, clients=10, outstanding=100, rate=None,
            once=False, timeout_s=5, nice=0):
    argv = ["dnsperf", "-s", addr, "-p", str(port), "-d", names_file, "-c", str(clients),
            "-q", str(outstanding), "-l", str(seconds), "-t", str(timeout_s)]
    if rate:
        argv += ["-Q", str(rate)]
    if once:
        argv += ["-n", "1"]
    code, out = run_tool(argv, timeout=seconds + timeout_s + 15, cpus=cpus, nice=nice)
    return parse_dnsperf(out)


# --- tern_loadgen ----------------------------------------------------------------------------

def loadgen(binary, addr, port, names_file, seconds, cpus, outstanding=100, rate=None, sockets=10,
            nice=0):
    argv = [binary, "--server", "%s:%d" % (addr, port), "--names", names_file, "--duration",
            str(seconds), "--outstanding", str(outstanding), "--sockets", str(sockets)]
    if rate:
        argv += ["--rate", str(rate)]
    code, out = run_tool(argv, timeout=seconds + 15, cpus=cpus, nice=nice)
    for line in out.splitlines():
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError("tern_loadgen gave no result:\n" + out[-800:])
