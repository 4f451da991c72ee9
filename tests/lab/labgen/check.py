"""Checks a recursive resolver against the lab's manifest.

An entry is right when the rcode matches and, where the manifest gives them, the answer RRsets
match as sets (owner and RDATA names compared without case, TTL at most the zone's TTL), and a
negative answer carries the SOA of the right zone with a TTL at most the negative TTL.
Every difference must be explained by the allowlist (id -> what the resolver does and why);
an allowlisted entry is explained only if the resolver still shows the outcome the list names.
"""

import json
import time
from concurrent.futures import ThreadPoolExecutor

from . import dnsmsg


def outcome(resp):
    if resp is None:
        return {"rcode": "TIMEOUT", "answer": []}
    return {"rcode": resp.rcode,
            "answer": sorted(f"{o} {dnsmsg.TYPE_NAMES.get(t, t)} {d.hex()}" for o, t, _, d in resp.answer)}


def compare(entry, resp):
    """List of problems (empty when the response is right)."""
    if resp is None:
        return ["no response (timeout)"]
    problems = []
    if resp.rcode != entry["rcode"]:
        problems.append(f"rcode {resp.rcode}, expected {entry['rcode']}")
    if entry["rcode"] == "SERVFAIL" or entry["answer"] is None:
        return problems
    want = {}
    for line in entry["answer"]:
        o, t, ttl, d = dnsmsg.record_from_text(line)
        want[(o, t, d)] = ttl
    got = {(o, t, d): ttl for o, t, ttl, d in resp.answer}
    missing = [k for k in want if k not in got]
    extra = [k for k in got if k not in want]
    if missing:
        problems.append(f"{len(missing)} expected answer record(s) missing, e.g. "
                        f"{missing[0][0]} {dnsmsg.TYPE_NAMES.get(missing[0][1])}")
    if extra:
        problems.append(f"{len(extra)} unexpected answer record(s), e.g. "
                        f"{extra[0][0]} {dnsmsg.TYPE_NAMES.get(extra[0][1], extra[0][1])}")
    for k, ttl in got.items():
        if k in want and ttl > want[k]:
            problems.append(f"TTL {ttl} above the zone's {want[k]} for {k[0]}")
    neg = entry.get("negative")
    if neg:
        soas = [r for r in resp.authority if r[1] == dnsmsg.TYPES["SOA"]]
        if not soas:
            problems.append("negative answer without SOA in authority")
        elif soas[0][0] != neg["soa_owner"].lower():
            problems.append(f"SOA of {soas[0][0]}, expected {neg['soa_owner']}")
        elif soas[0][2] > neg["ttl"]:
            problems.append(f"negative SOA TTL {soas[0][2]} above {neg['ttl']}")
    return problems


def run(manifest, server, port, allowlist, timeout=40.0, parallel=12, retry=2.0):
    entries = manifest["entries"]

    def ask(e):
        t0 = time.monotonic()
        resp = dnsmsg.query(server, e["qname"], e["qtype"], port=port, timeout=timeout, retry=retry)
        seconds[e["id"]] = round(time.monotonic() - t0, 1)
        return e, resp

    seconds = {}

    first = [e for e in entries if not e.get("after")]
    later = [e for e in entries if e.get("after")]
    with ThreadPoolExecutor(parallel) as pool:
        results = list(pool.map(ask, first))
    results += [ask(e) for e in later]
    report = {"right": [], "explained": [], "unexplained": [], "allowlisted_but_right": []}
    for e, resp in results:
        problems = compare(e, resp)
        allowed = allowlist.get(e["id"])
        if not problems:
            report["right"].append(e["id"])
            if allowed:
                report["allowlisted_but_right"].append(e["id"])
            continue
        row = {"id": e["id"], "case": e["case"], "question": f"{e['qname']} {e['qtype']}",
               "problems": problems, "got": outcome(resp)["rcode"]}
        if allowed and allowed.get("got") == row["got"]:
            row["reason"] = allowed["reason"]
            report["explained"].append(row)
        else:
            if allowed:
                row["allowlist_says"] = allowed.get("got")
            report["unexplained"].append(row)
    report["total"] = len(entries)
    report["slowest"] = sorted(seconds.items(), key=lambda kv: -kv[1])[:3]
    return report


def run_names(manifest, server, port, sample=250, parallel=12):
    """Every k-th name of names.txt (the benchmark list) must resolve to an A record."""
    with open(manifest["names_file"]) as f:
        names = [line.split() for line in f if line.strip()]
    step = max(1, len(names) // sample)
    picked = names[::step][:sample]

    def ask(q):
        r = dnsmsg.query(server, q[0], q[1], port=port, timeout=10.0, retry=2.0)
        ok = r is not None and r.rcode == "NOERROR" and any(t == 1 for _, t, _, _ in r.answer)
        return q[0], ok

    with ThreadPoolExecutor(parallel) as pool:
        results = list(pool.map(ask, picked))
    return len(names), [n for n, ok in results if ok], [n for n, ok in results if not ok]


def summary(report, name):
    lines = [f"{name}: {len(report['right'])}/{report['total']} manifest entries right, "
             f"{len(report['explained'])} differences explained, "
             f"{len(report['unexplained'])} unexplained"]
    for row in report["explained"]:
        lines.append(f"  explained   {row['id']:<22} {row['question']}: {'; '.join(row['problems'])}"
                     f"\n              why: {row['reason']}")
    for row in report["unexplained"]:
        lines.append(f"  UNEXPLAINED {row['id']:<22} {row['question']} ({row['case']}): "
                     f"{'; '.join(row['problems'])}")
    lines.append("  slowest: " + ", ".join(f"{eid} {sec} s" for eid, sec in report["slowest"]))
    for eid in report["allowlisted_but_right"]:
        lines.append(f"  note: {eid} is allowlisted but now right: remove it from the allowlist")
    return "\n".join(lines)


def load_allowlist(path):
    if not path:
        return {}
    with open(path) as f:
        data = json.load(f)
    return {k: v for k, v in data.items() if not k.startswith("_")}
