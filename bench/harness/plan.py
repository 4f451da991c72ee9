"""The measurement plan: every server of a group runs at once, each on its own address, and is
measured in turn; the cache-hit runs go round the group several times and keep each server's best
round, so a burst of other work on the machine lowers one round, not one server's figures."""

import os
import statistics
import tempfile
import time

from . import measure
from .processes import wait_until


class Settings:
    """Durations and loads of a run; --quick shortens every step for a smoke test."""

    def __init__(self, quick=False):
        self.rounds = 2 if quick else 3             # cache-hit rounds over the group
        self.hit_seconds = 2 if quick else 4        # dnsperf saturation slice per round
        self.loadgen_seconds = 1 if quick else 2    # tern_loadgen saturation slice per round
        self.fixed_seconds = 2 if quick else 3      # dnsperf -Q and tern_loadgen --rate runs
        self.fixed_rounds = 2 if quick else 5       # fixed-rate rounds over the group (median)
        self.miss_names = 10_000 if quick else 100_000
        self.miss_limit_s = 15 if quick else 40     # the unique-name run stops here at the latest
        self.hit_names = 10_000
        self.fixed_rate = 20_000
        self.clients = 10
        self.outstanding = 100


class Context:
    def __init__(self, procs, tmpdir, hints, hit_file, first_hit, miss_file, miss_warm, loadgen_bin,
                 cache_mb, settings, resolver_cpu, client_cpu, all_cpus, log):
        self.procs = procs
        self.tmpdir = tmpdir
        self.hints = hints
        self.hit_file = hit_file
        self.first_hit = first_hit
        self.miss_file = miss_file
        self.miss_warm = miss_warm
        self.loadgen_bin = loadgen_bin
        self.cache_mb = cache_mb
        self.s = settings
        self.resolver_cpu = resolver_cpu
        self.client_cpu = client_cpu
        self.all_cpus = all_cpus
        self.log = log


def _tail(path, n=6):
    try:
        with open(path, errors="replace") as f:
            return " | ".join(line.strip() for line in f.readlines()[-n:])
    except OSError:
        return "(no log)"


def _ready(ctx, r, proc, name, need_answer):
    def answered():
        if proc.poll() is not None:
            return True
        rcode, ancount = measure.probe(r.addr, r.port, name, timeout=1.0)
        return rcode == "NOERROR" and (ancount > 0 or not need_answer)
    wait_until(answered, timeout=20, step=0.2)
    if proc.poll() is not None:
        return "exited with status %s" % proc.returncode
    rcode, ancount = measure.probe(r.addr, r.port, name, timeout=2.0)
    if rcode != "NOERROR" or (need_answer and ancount == 0):
        return "did not answer %s within 20 s (got %s, %d answers)" % (name, rcode, ancount)
    return None


class Subject:
    """One server under test: started once, measured step by step, stopped by its PID."""

    def __init__(self, ctx, resolver, threads=1, label=None):
        self.ctx = ctx
        self.r = resolver
        self.threads = threads
        self.is_echo = resolver.name == "echo"
        self.res = {"resolver": resolver.name, "label": label or resolver.name, "threads": threads,
                    "addr": resolver.addr}
        self.proc = None
        self.log_path = None
        self.rounds_dnsperf = []
        self.rounds_loadgen = []
        self.rounds_fixed = []
        self.t0 = time.monotonic()

    @property
    def label(self):
        return self.res["label"]

    @property
    def ok(self):
        return "error" not in self.res and self.proc is not None

    def _client(self):
        return dict(clients=self.ctx.s.clients, outstanding=self.ctx.s.outstanding, nice=self.ctx.procs.nice)

    def _fail(self, what, e):
        self.res["error"] = "%s failed: %s; log: %s" % (what, str(e).splitlines()[0] if str(e) else e,
                                                         _tail(self.log_path))
        self.stop()

    def start(self):
        ctx, r = self.ctx, self.r
        why = r.missing()
        if why:
            self.res["error"] = why
            return False
        if not measure.port_free(r.addr, r.port):
            self.res["error"] = "%s:%d is already in use" % (r.addr, r.port)
            return False
        rundir = tempfile.mkdtemp(prefix="%s-%d-" % (r.name, self.threads), dir=ctx.tmpdir)
        self.log_path = os.path.join(rundir, "log")
        try:
            argv = r.command(rundir, ctx.hints, ctx.cache_mb, self.threads)
        except Exception as e:  # configuration refused: never start the resolver then
            self.res["error"] = "not started: %s" % e
            return False
        cpus = ctx.resolver_cpu if self.threads == 1 else ctx.all_cpus
        self.res["command"] = " ".join(argv)
        self.proc = ctx.procs.start(r.name, argv, cpus=cpus, cwd=r.cwd(rundir), log_path=self.log_path)
        problem = _ready(ctx, r, self.proc, ctx.first_hit, need_answer=not self.is_echo)
        if problem:
            self.res["error"] = "%s; log: %s" % (problem, _tail(self.log_path))
            self.stop()
            return False
        return True

    def stop(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.res["rss_end"] = measure.rss_bytes(self.proc.pid)
            self.ctx.procs.stop(self.proc)
            self.proc = None
            self.res["seconds"] = round(time.monotonic() - self.t0, 1)

    def miss_and_memory(self):
        """Unique names under the wildcard zone: resolutions/s, CPU per resolution, RSS growth."""
        if not self.ok or self.is_echo:
            return
        ctx, r, pid = self.ctx, self.r, self.proc.pid
        try:
            measure.probe(r.addr, r.port, ctx.miss_warm, timeout=5.0)  # the zone cut, cached once
            rss0, (u0, s0) = measure.rss_bytes(pid), measure.cpu_times(pid)
            d = measure.dnsperf(r.addr, r.port, ctx.miss_file, ctx.s.miss_limit_s, ctx.client_cpu,
                                once=True, **self._client())
            rss1, (u1, s1) = measure.rss_bytes(pid), measure.cpu_times(pid)
        except Exception as e:
            return self._fail("cache-miss run", e)
        answered = d["rcodes"].get("NOERROR", 0)
        self.res.update(miss_qps=d["qps"], miss_mean_ms=d["mean_latency_s"] * 1e3, miss_answered=answered,
                        miss_sent=d["sent"], rss_before=rss0, rss_after=rss1,
                        cpu_us_miss=(u1 + s1 - u0 - s0) / max(d["completed"], 1) * 1e6,
                        user_us_miss=(u1 - u0) / max(d["completed"], 1) * 1e6,
                        bytes_per_entry=(rss1 - rss0) / answered if answered else None)
        ctx.log("  %s: cache miss %.0f/s, %.1f us CPU each, %d names cached, RSS %.1f -> %.1f MiB"
                % (self.label, d["qps"], self.res["cpu_us_miss"], answered, rss0 / 2**20, rss1 / 2**20))

    def warm(self):
        """Each name of the cache-hit set once, so the rounds that follow are all hits."""
        if not self.ok or self.is_echo:
            return
        ctx, r = self.ctx, self.r
        try:
            w = measure.dnsperf(r.addr, r.port, ctx.hit_file, 60, ctx.client_cpu, once=True, **self._client())
        except Exception as e:
            return self._fail("warm-up", e)
        self.res["warm_noerror"] = w["rcodes"].get("NOERROR", 0)
        self.res["warm_sent"] = w["sent"]

    def hit_round(self):
        """One dnsperf slice (QPS, mean latency, CPU per query) and one tern_loadgen slice."""
        if not self.ok:
            return
        ctx, r, pid = self.ctx, self.r, self.proc.pid
        try:
            (u0, s0) = measure.cpu_times(pid)
            d = measure.dnsperf(r.addr, r.port, ctx.hit_file, ctx.s.hit_seconds, ctx.client_cpu,
                                **self._client())
            (u1, s1) = measure.cpu_times(pid)
            d["cpu_us"] = (u1 + s1 - u0 - s0) / max(d["completed"], 1) * 1e6
            # The server's own work; the rest (stime) is mostly the kernel's UDP path.
            d["user_us"] = (u1 - u0) / max(d["completed"], 1) * 1e6
            self.rounds_dnsperf.append(d)
            g = measure.loadgen(ctx.loadgen_bin, r.addr, r.port, ctx.hit_file, ctx.s.loadgen_seconds,
                                ctx.client_cpu, outstanding=ctx.s.outstanding, sockets=ctx.s.clients,
                                nice=ctx.procs.nice)
            self.rounds_loadgen.append(g)
        except Exception as e:
            return self._fail("cache-hit round", e)

    def fixed_rate(self):
        """CPU per query and latency when nothing queues: a rate below every server's saturation.
        One round of several; summarise() takes the median, since one run's p99 at this rate on a
        shared VM moves by 2x from one run to the next."""
        if not self.ok:
            return
        ctx, r, pid = self.ctx, self.r, self.proc.pid
        try:
            cpu0 = measure.cpu_seconds(pid)
            d = measure.dnsperf(r.addr, r.port, ctx.hit_file, ctx.s.fixed_seconds, ctx.client_cpu,
                                rate=ctx.s.fixed_rate, **self._client())
            cpu1 = measure.cpu_seconds(pid)
            g = measure.loadgen(ctx.loadgen_bin, r.addr, r.port, ctx.hit_file, ctx.s.fixed_seconds,
                                ctx.client_cpu, outstanding=1000, rate=ctx.s.fixed_rate,
                                sockets=ctx.s.clients, nice=ctx.procs.nice)
        except Exception as e:
            return self._fail("fixed-rate run", e)
        self.rounds_fixed.append(dict(qps=d["qps"], cpu_us=(cpu1 - cpu0) / max(d["completed"], 1) * 1e6,
                                      p50_us=g["p50_us"], p99_us=g["p99_us"]))

    def summarise(self):
        """The best round of each tool: other work on the machine only ever lowers a round."""
        if self.rounds_dnsperf:
            d = max(self.rounds_dnsperf, key=lambda x: x["qps"])
            self.res.update(hit_qps=d["qps"], hit_mean_us=d["mean_latency_s"] * 1e6, hit_lost=d["lost"],
                            hit_noerror_pct=100.0 * d["rcodes"].get("NOERROR", 0) / max(d["completed"], 1),
                            cpu_us_sat=d["cpu_us"], user_us_sat=d["user_us"],
                            hit_qps_rounds=[round(x["qps"]) for x in self.rounds_dnsperf])
        if self.rounds_loadgen:
            g = max(self.rounds_loadgen, key=lambda x: x["qps"])
            self.res.update(lg_qps=g["qps"], lg_p50_us=g["p50_us"], lg_p99_us=g["p99_us"], lg_lost=g["lost"],
                            lg_qps_rounds=[round(x["qps"]) for x in self.rounds_loadgen])
        if self.rounds_fixed:
            med = lambda k: statistics.median(x[k] for x in self.rounds_fixed)
            self.res.update(fixed_qps=med("qps"), cpu_us_fixed=med("cpu_us"), fixed_p50_us=med("p50_us"),
                            fixed_p99_us=med("p99_us"),
                            fixed_p99_rounds=[round(x["p99_us"]) for x in self.rounds_fixed])
        if "hit_qps" in self.res and "lg_qps" in self.res:
            self.ctx.log("  %s: hit %.0f qps (dnsperf), %.0f qps (loadgen), p99 %.0f us, %.2f us CPU/query"
                         % (self.label, self.res["hit_qps"], self.res["lg_qps"], self.res["lg_p99_us"],
                            self.res["cpu_us_sat"]))
        return self.res


def run_group(ctx, subjects, miss=True, fixed=True):
    """Starts every subject, measures them all, stops them all (also on failure or Ctrl-C)."""
    try:
        for s in subjects:
            ctx.log("%s (%d thread%s) on %s ..." % (s.label, s.threads, "" if s.threads == 1 else "s", s.r.addr))
            if not s.start():
                ctx.log("  %s: %s" % (s.label, s.res["error"]))
        if miss:
            for s in subjects:
                s.miss_and_memory()
        for s in subjects:
            s.warm()
        for n in range(ctx.s.rounds):
            ctx.log("cache-hit round %d of %d ..." % (n + 1, ctx.s.rounds))
            for s in subjects:
                s.hit_round()
        if fixed:
            for n in range(ctx.s.fixed_rounds):
                ctx.log("fixed rate, %d QPS, round %d of %d ..." % (ctx.s.fixed_rate, n + 1, ctx.s.fixed_rounds))
                for s in subjects:
                    s.fixed_rate()
    finally:
        for s in subjects:
            s.stop()
    return [s.summarise() for s in subjects]
