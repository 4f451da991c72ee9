"""The markdown table and the PNG chart of one run."""

import os
import subprocess

PEERS = ["unbound", "pdns_recursor", "kresd"]

# (label, key, format, which way is better)
ROWS = [
    ("cache-hit QPS, dnsperf -c 10 -q 100", "hit_qps", "{:,.0f}", "higher"),
    ("cache-hit mean latency (us), dnsperf", "hit_mean_us", "{:,.0f}", "lower"),
    ("cache-hit QPS, tern_loadgen 100 in flight", "lg_qps", "{:,.0f}", "higher"),
    ("cache-hit p50 latency (us), tern_loadgen saturated", "lg_p50_us", "{:,.0f}", "lower"),
    ("cache-hit p99 latency (us), tern_loadgen saturated", "lg_p99_us", "{:,.0f}", "lower"),
    ("cache-hit p50 latency (us) at {rate} QPS, median of rounds", "fixed_p50_us", "{:,.0f}", "lower"),
    ("cache-hit p99 latency (us) at {rate} QPS, median of rounds", "fixed_p99_us", "{:,.0f}", "lower"),
    ("  the same, each round in order", "fixed_p99_list", "{}", None),
    ("CPU us per answered query, saturated", "cpu_us_sat", "{:.2f}", "lower"),
    ("of which user CPU us (the server's own work), saturated", "user_us_sat", "{:.2f}", "lower"),
    ("CPU us per answered query at {rate} QPS, median of rounds", "cpu_us_fixed", "{:.2f}", "lower"),
    ("cache-hit answers NOERROR (%)", "hit_noerror_pct", "{:.1f}", "higher"),
    ("cache-miss resolutions/s (unique wildcard names)", "miss_qps", "{:,.0f}", "higher"),
    ("cache-miss mean latency (ms)", "miss_mean_ms", "{:.2f}", "lower"),
    ("CPU us per resolution (cache miss)", "cpu_us_miss", "{:.1f}", "lower"),
    ("of which user CPU us (the server's own work), cache miss", "user_us_miss", "{:.1f}", "lower"),
    ("names cached for the memory figure", "miss_answered", "{:,.0f}", None),
    ("RSS before / after (MiB)", "rss_pair", "{}", None),
    ("bytes per cached entry (RSS growth / names)", "bytes_per_entry", "{:,.0f}", "lower"),
]


# The figures an echo server has: no cache, so no misses and no memory per entry.
ECHO_KEYS = ("hit_qps", "lg_qps", "hit_mean_us", "lg_p50_us", "lg_p99_us", "cpu_us_sat", "user_us_sat",
             "cpu_us_fixed", "fixed_p50_us", "fixed_p99_us", "fixed_p99_list")


def _fmt(fmt, value):
    if value is None:
        return "—"
    return fmt.format(value)


def _ratio(a, b):
    if a is None or b is None or not isinstance(a, (int, float)) or not b:
        return "—"
    return "%.2f" % (a / b)


def _prepare(r):
    if r and r.get("rss_before") is not None:
        r["rss_pair"] = "%.1f / %.1f" % (r["rss_before"] / 2**20, r["rss_after"] / 2**20)
    if r and r.get("fixed_p99_rounds"):
        r["fixed_p99_list"] = " / ".join(str(v) for v in r["fixed_p99_rounds"])
    return r


def table(results, scaling, echo, settings):
    """results: {name: dict} for ternd and the peers (1 thread); scaling: [ternd dicts by threads];
    echo: [echo dicts by threads]."""
    for r in list(results.values()) + scaling + echo:
        _prepare(r)
    ternd = results.get("ternd") or {}
    echo1 = next((e for e in echo if e.get("threads") == 1 and e.get("label") == "echo"), {})
    echo_uv = next((e for e in echo if e.get("label") == "echo-libuv"), {})
    head = ["metric", "better", "ternd"]
    for p in PEERS:
        head += [p, "ternd/" + p]
    head += ["echo ceiling", "echo via libuv"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, key, fmt, better in ROWS:
        label = label.format(rate="{:,}".format(settings.fixed_rate))
        cells = [label, better or "", _fmt(fmt, ternd.get(key))]
        for p in PEERS:
            peer = results.get(p) or {}
            cells += [_fmt(fmt, peer.get(key)), _ratio(ternd.get(key), peer.get(key))]
        for e in (echo1, echo_uv):
            cells += [_fmt(fmt, e.get(key)) if key in ECHO_KEYS else ""]
        lines.append("| " + " | ".join(cells) + " |")
    # ternd against the echo ceiling, and its scaling: the peers have no column here.
    by_threads = {t.get("threads"): t for t in ([ternd] if ternd else []) + scaling}
    echo_by_threads = {e.get("threads"): e for e in echo if e.get("label") == "echo"}
    for n in sorted(set(by_threads) | set(echo_by_threads)):
        t, e = by_threads.get(n, {}), echo_by_threads.get(n, {})
        for key, tool in (("hit_qps", "dnsperf"), ("lg_qps", "tern_loadgen")):
            uv = echo_uv if n == 1 else {}
            cells = ["cache-hit QPS, %d thread%s, %s" % (n, "" if n == 1 else "s", tool), "higher",
                     _fmt("{:,.0f}", t.get(key))] + [""] * (2 * len(PEERS)) + [_fmt("{:,.0f}", e.get(key)),
                                                                               _fmt("{:,.0f}", uv.get(key))]
            lines.append("| " + " | ".join(cells) + " |")
            pct = 100.0 * t[key] / e[key] if t.get(key) and e.get(key) else None
            pct_uv = 100.0 * t[key] / uv[key] if t.get(key) and uv.get(key) else None
            cells = ["ternd as %% of echo, %d thread%s, %s" % (n, "" if n == 1 else "s", tool),
                     "higher", _fmt("{:.1f}%", pct)] + [""] * (2 * len(PEERS)) + ["100%",
                                                                                  _fmt("{:.1f}%", pct_uv)]
            lines.append("| " + " | ".join(cells) + " |")
    # What the QPS rows cannot show when the client is the limit: on one core, ternd's CPU-bound
    # rate over echo's is echo's CPU per query over ternd's.
    if ternd.get("cpu_us_sat") and echo1.get("cpu_us_sat"):
        pct = 100.0 * echo1["cpu_us_sat"] / ternd["cpu_us_sat"]
        pct_uv = 100.0 * echo_uv["cpu_us_sat"] / ternd["cpu_us_sat"] if echo_uv.get("cpu_us_sat") else None
        cells = ["ternd as % of echo by CPU per query (echo CPU/query / ternd CPU/query), 1 thread",
                 "higher", _fmt("{:.1f}%", pct)] + [""] * (2 * len(PEERS)) + ["100%", _fmt("{:.1f}%", pct_uv)]
        lines.append("| " + " | ".join(cells) + " |")
    notes = []
    for r in list(results.values()) + scaling + echo:
        if r.get("error"):
            notes.append("- **%s** (%d thread%s): not measured — %s"
                         % (r["label"], r.get("threads", 1), "" if r.get("threads", 1) == 1 else "s",
                            r["error"]))
        elif r.get("warm_sent") and r.get("warm_noerror") is not None and r["warm_noerror"] < r["warm_sent"]:
            notes.append("- %s: %d of %d warm-up queries answered NOERROR"
                         % (r["label"], r["warm_noerror"], r["warm_sent"]))
    return "\n".join(lines), notes


def chart(results, scaling, echo, png_path, workdir):
    """Six bar charts: cache-hit QPS, cache-miss rate, CPU per query, p99 latency, bytes per
    entry, and ternd's thread scaling against the echo ceiling."""
    names = ["ternd"] + PEERS
    echo1 = next((e for e in echo if e.get("threads") == 1 and e.get("label") == "echo"), {})
    echo_uv = next((e for e in echo if e.get("label") == "echo-libuv"), {})
    data = os.path.join(workdir, "chart.dat")
    scale = os.path.join(workdir, "scaling.dat")

    def v(r, key):
        x = (r or {}).get(key)
        return "%.3f" % x if isinstance(x, (int, float)) else "NaN"

    rows = [(n.replace("pdns_recursor", "pdns"), results.get(n)) for n in names] + [("echo", echo1),
                                                                                      ("echo-libuv", echo_uv)]
    with open(data, "w") as f:
        f.write("name hit_dnsperf hit_loadgen miss cpu_sat cpu_fixed bytes p99_sat p99_fixed\n")
        for n, r in rows:
            f.write(" ".join([n] + [v(r, k) for k in ("hit_qps", "lg_qps", "miss_qps", "cpu_us_sat",
                                                      "cpu_us_fixed", "bytes_per_entry", "lg_p99_us",
                                                      "fixed_p99_us")]) + "\n")
    ternd_by_threads = {t.get("threads"): t for t in [results.get("ternd") or {}] + scaling}
    with open(scale, "w") as f:
        f.write("threads ternd_dnsperf ternd_loadgen echo_dnsperf echo_loadgen\n")
        for e in (e for e in echo if e.get("label") == "echo"):
            t = ternd_by_threads.get(e.get("threads"), {})
            f.write("%s %s %s %s %s\n" % (e.get("threads"), v(t, "hit_qps"), v(t, "lg_qps"),
                                          v(e, "hit_qps"), v(e, "lg_qps")))
    script = os.path.join(workdir, "chart.gp")
    with open(script, "w") as f:
        f.write("""set terminal pngcairo size 1800,1000 font ",11" noenhanced
set output '{png}'
set datafile missing 'NaN'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top left
set yrange [0:*]
set multiplot layout 2,3 title "Tern benchmark: one worker thread each, resolver on CPU 0, load generator on CPU 1 (same run)"
set title "Cache-hit QPS (higher is better)"
plot '{dat}' using 2:xtic(1) title 'dnsperf -c 10 -q 100', '' using 3 title 'tern_loadgen, 100 in flight'
set title "Cache-miss resolutions/s, unique names (higher is better)"
plot '{dat}' using 4:xtic(1) title 'dnsperf, wildcard zone' lc 3
set title "CPU us per answered query (lower is better)"
plot '{dat}' using 5:xtic(1) title 'saturated', '' using 6 title 'fixed rate'
set title "Cache-hit p99 latency, us (lower is better)"
plot '{dat}' using 8:xtic(1) title 'saturated' lc 4, '' using 9 title 'fixed rate' lc 6
set title "Bytes per cached entry (lower is better)"
plot '{dat}' using 7:xtic(1) notitle lc 7
set title "ternd vs echo ceiling by threads (QPS)"
plot '{scale}' using 2:xtic(1) title 'ternd, dnsperf', '' using 3 title 'ternd, tern_loadgen', \\
     '' using 4 title 'echo, dnsperf', '' using 5 title 'echo, tern_loadgen'
unset multiplot
""".format(png=png_path, dat=data, scale=scale))
    done = subprocess.run(["gnuplot", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    if done.returncode != 0:
        raise RuntimeError("gnuplot: " + done.stdout.decode(errors="replace")[-500:])
