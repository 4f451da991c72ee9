"""The measurement sequence for one resolver (or the echo ceiling) in one run."""

import os
import tempfile
import time

from . import measure
from .processes import wait_until


class Settings:
    """Durations and loads of a run; --quick shortens every step for a smoke test."""

    def __init__(self, quick=False):
        self.hit_seconds = 3 if quick else 10       # dnsperf saturation run on the warm set
        self.loadgen_seconds = 2 if quick else 5    # tern_loadgen saturation and fixed-rate runs
        self.fixed_seconds = 2 if quick else 5      # dnsperf -Q run for CPU per query
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


def run(ctx, r, threads=1, miss=True, fixed_rate=True, label=None):
    """Starts r, measures it, stops it. Returns a dict of figures, or with 'error' set."""
    res = {"resolver": r.name, "label": label or r.name, "threads": threads, "addr": r.addr}
    why = r.missing()
    if why:
        res["error"] = why
        return res
    if not measure.port_free(r.addr, r.port):
        res["error"] = "%s:%d is already in use" % (r.addr, r.port)
        return res
    rundir = tempfile.mkdtemp(prefix="%s-%d-" % (r.name, threads), dir=ctx.tmpdir)
    log_path = os.path.join(rundir, "log")
    try:
        argv = r.command(rundir, ctx.hints, ctx.cache_mb, threads)
    except Exception as e:  # configuration refused: never start the resolver then
        res["error"] = "not started: %s" % e
        return res
    cpus = ctx.resolver_cpu if threads == 1 else ctx.all_cpus
    res["command"] = " ".join(argv)
    proc = ctx.procs.start(r.name, argv, cpus=cpus, cwd=r.cwd(rundir), log_path=log_path)
    t0 = time.monotonic()
    try:
        is_echo = r.name == "echo"
        problem = _ready(ctx, r, proc, ctx.first_hit, need_answer=not is_echo)
        if problem:
            res["error"] = "%s; log: %s" % (problem, _tail(log_path))
            return res
        pid = proc.pid
        client = dict(clients=ctx.s.clients, outstanding=ctx.s.outstanding, nice=ctx.procs.nice)
        nice = ctx.procs.nice

        if miss and not is_echo:
            measure.probe(r.addr, r.port, ctx.miss_warm, timeout=5.0)  # the zone cut, cached once
            rss0 = measure.rss_bytes(pid)
            cpu0 = measure.cpu_seconds(pid)
            d = measure.dnsperf(r.addr, r.port, ctx.miss_file, ctx.s.miss_limit_s, ctx.client_cpu,
                                once=True, **client)
            rss1 = measure.rss_bytes(pid)
            cpu1 = measure.cpu_seconds(pid)
            answered = d["rcodes"].get("NOERROR", 0)
            res.update(miss_qps=d["qps"], miss_mean_ms=d["mean_latency_s"] * 1e3,
                       miss_answered=answered, miss_sent=d["sent"], rss_before=rss0, rss_after=rss1,
                       cpu_us_miss=(cpu1 - cpu0) / max(d["completed"], 1) * 1e6,
                       bytes_per_entry=(rss1 - rss0) / answered if answered else None)
            ctx.log("  %s: cache miss %.0f/s, %d names cached, RSS %.1f -> %.1f MiB"
                    % (res["label"], d["qps"], answered, rss0 / 2**20, rss1 / 2**20))

        if not is_echo:
            w = measure.dnsperf(r.addr, r.port, ctx.hit_file, 60, ctx.client_cpu, once=True, **client)
            res["warm_noerror"] = w["rcodes"].get("NOERROR", 0)
            res["warm_sent"] = w["sent"]

        cpu0 = measure.cpu_seconds(pid)
        d = measure.dnsperf(r.addr, r.port, ctx.hit_file, ctx.s.hit_seconds, ctx.client_cpu, **client)
        cpu1 = measure.cpu_seconds(pid)
        res.update(hit_qps=d["qps"], hit_mean_us=d["mean_latency_s"] * 1e6, hit_lost=d["lost"],
                   hit_noerror_pct=100.0 * d["rcodes"].get("NOERROR", 0) / max(d["completed"], 1),
                   cpu_us_sat=(cpu1 - cpu0) / max(d["completed"], 1) * 1e6)

        g = measure.loadgen(ctx.loadgen_bin, r.addr, r.port, ctx.hit_file, ctx.s.loadgen_seconds,
                            ctx.client_cpu, outstanding=ctx.s.outstanding, sockets=ctx.s.clients,
                            nice=nice)
        res.update(lg_qps=g["qps"], lg_p50_us=g["p50_us"], lg_p99_us=g["p99_us"], lg_lost=g["lost"])

        if fixed_rate:
            cpu0 = measure.cpu_seconds(pid)
            d = measure.dnsperf(r.addr, r.port, ctx.hit_file, ctx.s.fixed_seconds, ctx.client_cpu,
                                rate=ctx.s.fixed_rate, **client)
            cpu1 = measure.cpu_seconds(pid)
            res.update(fixed_qps=d["qps"], cpu_us_fixed=(cpu1 - cpu0) / max(d["completed"], 1) * 1e6)
            g = measure.loadgen(ctx.loadgen_bin, r.addr, r.port, ctx.hit_file, ctx.s.loadgen_seconds,
                                ctx.client_cpu, outstanding=1000, rate=ctx.s.fixed_rate,
                                sockets=ctx.s.clients, nice=nice)
            res.update(fixed_p50_us=g["p50_us"], fixed_p99_us=g["p99_us"])
        ctx.log("  %s: hit %.0f qps (dnsperf), %.0f qps (loadgen), p99 %.0f us, %.2f us CPU/query"
                % (res["label"], res["hit_qps"], res["lg_qps"], res["lg_p99_us"], res["cpu_us_sat"]))
    except Exception as e:
        res["error"] = "measurement failed: %s; log: %s" % (str(e).splitlines()[0], _tail(log_path))
    finally:
        res["rss_end"] = measure.rss_bytes(proc.pid) if proc.poll() is None else None
        ctx.procs.stop(proc)
        res["seconds"] = round(time.monotonic() - t0, 1)
    return res
