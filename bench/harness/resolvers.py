"""How each resolver is configured and started for the benchmark.

Every resolver gets the LAB root hints written into its configuration before it starts, DNSSEC
off, one worker thread, the same cache budget, permission to query 127.0.0.0/8, and its own
address on 127.0.0.x. Unbound and the PowerDNS Recursor start with their built-in defaults (the
real root servers) when their configuration file cannot be read, so each start is preceded by a
check that the written configuration names the lab hints, and the Recursor also gets its hint
file on the command line.
"""

import os
import shutil
import subprocess
from string import Template

PEERS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "peers")


class Resolver:
    """name, address, and how to build its start command in a fresh run directory."""

    def __init__(self, name, addr, port=53):
        self.name = name
        self.addr = addr
        self.port = port

    def missing(self):
        """Why it cannot run here (a string), or None."""
        return None

    def command(self, rundir, hints, cache_mb, threads):
        raise NotImplementedError

    def cwd(self, rundir):
        return rundir


def _render(template_name, out_path, **values):
    with open(os.path.join(PEERS_DIR, template_name)) as f:
        text = Template(f.read()).substitute(**values)
    with open(out_path, "w") as f:
        f.write(text)
    return text


def _require_hints(text, hints, what):
    if hints not in text:
        raise RuntimeError("%s configuration does not name the lab hints %s: refusing to start" % (what, hints))


class Ternd(Resolver):
    def __init__(self, addr, binary):
        super().__init__("ternd", addr)
        self.binary = binary

    def missing(self):
        if not self.binary or not os.access(self.binary, os.X_OK):
            return "no ternd binary at %s (not built yet, or its build failed)" % self.binary
        return None

    def command(self, rundir, hints, cache_mb, threads):
        return [self.binary, "--listen", "%s:%d" % (self.addr, self.port), "--root-hints", hints,
                "--upstream-allow", "127.0.0.0/8", "--threads", str(threads),
                "--cache-size", str(cache_mb)]


class Unbound(Resolver):
    def __init__(self, addr):
        super().__init__("unbound", addr)

    def missing(self):
        return None if shutil.which("unbound") else "unbound not installed"

    def command(self, rundir, hints, cache_mb, threads):
        conf = os.path.join(rundir, "unbound.conf")
        rrset = cache_mb * 2 // 3
        text = _render("unbound.conf.in", conf, addr=self.addr, port=self.port, hints=hints,
                       rundir=rundir, rrset_cache_mb=rrset, msg_cache_mb=cache_mb - rrset)
        _require_hints(text, hints, "unbound")
        check = subprocess.run(["unbound-checkconf", "-o", "root-hints", conf],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10)
        if check.returncode != 0 or hints not in check.stdout.decode():
            raise RuntimeError("unbound-checkconf: " + check.stdout.decode().strip())
        return ["unbound", "-d", "-c", conf]


class PowerDnsRecursor(Resolver):
    def __init__(self, addr):
        super().__init__("pdns_recursor", addr)

    def missing(self):
        return None if shutil.which("pdns_recursor") else "pdns_recursor not installed"

    def command(self, rundir, hints, cache_mb, threads):
        text = _render("recursor.conf.in", os.path.join(rundir, "recursor.conf"), addr=self.addr,
                       port=self.port, hints=hints, rundir=rundir,
                       max_cache_entries=1_000_000, max_packetcache_entries=500_000)
        _require_hints(text, hints, "pdns_recursor")
        # The safety-relevant settings again on the command line: they hold even if the file is
        # not read.
        return ["pdns_recursor", "--config-dir=" + rundir, "--hint-file=" + hints, "--dnssec=off",
                "--dont-query=", "--threads=1", "--daemon=no", "--socket-dir=" + rundir,
                "--local-address=" + self.addr, "--local-port=%d" % self.port]


class KnotResolver(Resolver):
    def __init__(self, addr):
        super().__init__("kresd", addr)

    def missing(self):
        return None if shutil.which("kresd") else "kresd not installed"

    def command(self, rundir, hints, cache_mb, threads):
        conf = os.path.join(rundir, "kresd.conf")
        text = _render("kresd.conf.in", conf, addr=self.addr, port=self.port, hints=hints,
                       rundir=rundir, cache_mb=cache_mb)
        _require_hints(text, hints, "kresd")
        # kresd without a config never starts listening on our address, so a missing file fails
        # the readiness check rather than resolving anywhere.
        return ["kresd", "-n", "-c", conf, rundir]


class Echo(Resolver):
    def __init__(self, addr, binary, libuv=False):
        super().__init__("echo", addr)
        self.binary = binary
        self.libuv = libuv

    def missing(self):
        if not self.binary or not os.access(self.binary, os.X_OK):
            return "tern_echo not built (%s)" % self.binary
        return None

    def command(self, rundir, hints, cache_mb, threads):
        return [self.binary, "--listen", "%s:%d" % (self.addr, self.port), "--threads", str(threads),
                "--max-seconds", "600"] + (["--libuv"] if self.libuv else [])
