#!/usr/bin/env python3
"""ternd end to end, response policy zones (issue #15), against the offline lab: an RPZ file with
11 rules (QNAME, wildcard, PASSTHRU, client IP, response IP, NODATA, DROP, TCP-only, local data, a
walled garden, NSDNAME) checked with dig, EDE 15 on a blocked answer, the per-zone counters, a change of one
rule picked up by the mtime poll while queries run (no query fails), a bad line (the log names
file and line, the previous rules stay), and SIGHUP.

  e2e_rpz.py --ternd PATH [--net 127.53] [--state DIR]
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time

from ternd_harness import REPO, Ternd, dig

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def answer_of(manifest, qname):
    for e in manifest["entries"]:
        if e["qname"] == qname and e["qtype"] == "A" and e["rcode"] == "NOERROR":
            return e["answer"][0].split()[-1]
    raise SystemExit(f"lab manifest has no A entry for {qname}")


def nsdname_pair(state, m):
    """(name server host, a www name in a zone it serves, a www name in a zone it does not)."""
    zones = {}
    for e in m["entries"]:
        if e["id"].startswith("gen-") and e["id"].endswith("-www"):
            zone = e["qname"][len("www."):]
            path = os.path.join(state, "zones", zone + "zone")
            if os.path.exists(path):
                with open(path) as f:
                    zones[e["qname"]] = {l.split()[-1] for l in f if l.split()[:1] == [zone] and " NS " in l}
    for www, hosts in zones.items():
        for host in sorted(hosts):
            other = next((w for w, h in zones.items() if host not in h), None)
            if other:
                return host, www, other
    raise SystemExit("lab: no two generated zones with different name servers")


def rpz_text(glueless_ip, local_ip, client_ip, nsdname, extra=""):
    reversed_ip = ".".join(reversed(glueless_ip.split(".")))
    reversed_client = ".".join(reversed(client_ip.split(".")))
    return f"""$TTL 60
@ SOA ns.rpz.test. admin.rpz.test. ( 1 3600 600
      86400 30 )   ; minimum 30
  NS ns.rpz.test.
www.glue-inside.com        CNAME .                     ; 1 QNAME -> NXDOMAIN
*.sibling.com              CNAME .                     ; 2 wildcard
www.sibling.com            CNAME rpz-passthru.         ; 3 exact PASSTHRU beats the wildcard
32.{reversed_client}.rpz-client-ip CNAME .             ; 4 one client gets NXDOMAIN for everything
32.{reversed_ip}.rpz-ip    CNAME .                     ; 5 response IP of www.glueless.com
nodata.test                CNAME *.                    ; 6 NODATA
drop.test                  CNAME rpz-drop.             ; 7 DROP
www.nscname.com            CNAME rpz-tcp-only.         ; 8 TCP-only
local.test                 A     {local_ip}            ; 9 local data
garden.test                CNAME www.nsdiff.com.       ; 10 walled garden
{nsdname[:-1]}.rpz-nsdname CNAME .                     ; 11 every zone this name server serves
{extra}"""


def write_atomic(path, text):
    with open(path + ".new", "w") as f:
        f.write(text)
    os.rename(path + ".new", path)


def dig_full(t, qname, qtype, *opts):
    cmd = ["dig", f"@{t.address}", "-p", str(t.port), qname, qtype, "+tries=1", "+time=2", *opts]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout


def rules(t, m, client_ip, ns_case):
    status, _, authority = dig(t.address, t.port, "www.glue-inside.com.", "A")
    check(status == "NXDOMAIN" and any(" SOA " in a for a in authority),
          "QNAME rule: www.glue-inside.com -> NXDOMAIN with the policy zone's SOA")
    out = dig_full(t, "www.glue-inside.com.", "A")
    check("EDE: 15" in out, "the blocked answer carries EDE 15 (Blocked)")
    status, _, _ = dig(t.address, t.port, "anything.sibling.com.", "A")
    check(status == "NXDOMAIN", "wildcard rule: anything.sibling.com -> NXDOMAIN")
    status, answer, _ = dig(t.address, t.port, "www.sibling.com.", "A")
    check(status == "NOERROR" and any(a.endswith(answer_of(m, "www.sibling.com.")) for a in answer),
          "PASSTHRU: www.sibling.com resolves despite the wildcard")
    status, answer, _ = dig(t.address, t.port, "www.nsdiff.com.", "A")
    check(status == "NOERROR" and answer, "www.nsdiff.com resolves for an ordinary client")
    status, _, _ = dig(t.address, t.port, "www.nsdiff.com.", "A", "-b", client_ip)
    check(status == "NXDOMAIN", f"client-IP rule: {client_ip} gets NXDOMAIN for the same (cached) name")
    status, _, _ = dig(t.address, t.port, "www.glueless.com.", "A")
    check(status == "NXDOMAIN", "response-IP rule: www.glueless.com (answer in the rpz-ip net) -> NXDOMAIN")
    status, answer, _ = dig(t.address, t.port, "nodata.test.", "A")
    check(status == "NOERROR" and not answer, "NODATA rule: nodata.test -> NOERROR, no answer")
    status, _, _ = dig(t.address, t.port, "drop.test.", "A", timeout=1)
    check(status is None, "DROP rule: drop.test gets no answer")
    out = dig_full(t, "www.nscname.com.", "A", "+ignore", "+notcp")
    check(" tc" in out.split("flags:")[1].split(";")[0] if "flags:" in out else False,
          "TCP-only rule: over UDP the answer is truncated")
    status, answer, _ = dig(t.address, t.port, "www.nscname.com.", "A", "+tcp")
    check(status == "NOERROR" and any(a.endswith(answer_of(m, "www.nscname.com.")) for a in answer),
          "TCP-only rule: over TCP it resolves")
    status, answer, _ = dig(t.address, t.port, "local.test.", "A")
    check(status == "NOERROR" and any(a.endswith("192.0.2.80") for a in answer), "local data: local.test A 192.0.2.80")
    status, answer, _ = dig(t.address, t.port, "garden.test.", "A")
    check(status == "NOERROR" and any(" CNAME www.nsdiff.com." in a for a in answer)
          and any(a.endswith(answer_of(m, "www.nsdiff.com.")) for a in answer),
          "walled garden: garden.test -> CNAME www.nsdiff.com. and its address")
    host, served, other = ns_case
    status, _, _ = dig(t.address, t.port, served, "A")
    check(status == "NXDOMAIN", f"NSDNAME rule: {served} (zone served by {host}) -> NXDOMAIN")
    status, answer, _ = dig(t.address, t.port, other, "A")
    check(status == "NOERROR" and answer, f"NSDNAME rule: {other} (other servers) resolves")


def counters(t, binary, sock):
    out = subprocess.run([binary, "control", sock, "stats"], capture_output=True, text=True, timeout=10).stdout
    hits = {}
    for line in out.splitlines():
        if line.startswith("tern_rpz_hits_total{"):
            labels, value = line.rsplit(" ", 1)
            hits[labels] = int(float(value))
    key = 'tern_rpz_hits_total{zone="rpz.test.",action="nxdomain"}'
    check(hits.get(key, 0) >= 4, f"counters: {key} = {hits.get(key)}")
    check(hits.get('tern_rpz_hits_total{zone="rpz.test.",action="drop"}', 0) >= 1, "counters: drop counted")
    check(f'tern_rpz_rules{{zone="rpz.test."}} 11' in out, "counters: 11 rules in force")


def a_records(t, qname):
    status, answer, _ = dig(t.address, t.port, qname, "A", timeout=2)
    if status != "NOERROR":
        return None
    return [a.split()[-1] for a in answer if " A " in a]


def reload_under_load(t, path, texts):
    stop = threading.Event()
    seen, failed = set(), []

    def ask(qname):
        while not stop.is_set():
            r = a_records(t, qname)
            if not r:
                failed.append((qname, r))
            elif qname == "local.test.":
                seen.add(r[0])
            time.sleep(0.01)

    threads = [threading.Thread(target=ask, args=(q,)) for q in ("local.test.", "local.test.", "www.sibling.com.")]
    for th in threads:
        th.start()
    try:
        time.sleep(0.5)
        write_atomic(path, texts("192.0.2.81"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "192.0.2.81" not in seen:
            time.sleep(0.05)
        time.sleep(0.5)
    finally:
        stop.set()
        for th in threads:
            th.join(20)
    check("192.0.2.81" in seen, "the changed rule is served after the poll picks the file up")
    check(not failed, f"no query failed while the file was reloaded ({len(failed)} failed: {failed[:3]})")
    check(a_records(t, "local.test.") == ["192.0.2.81"], "only the new rule afterwards")


def bad_then_sighup(t, path, texts):
    bad = texts("192.0.2.82", extra="broken.test CNAME\n")
    write_atomic(path, bad)
    line = bad.splitlines().index("broken.test CNAME") + 1
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and f"{path}:{line}:" not in t.read_log():
        time.sleep(0.1)
    check(f"{path}:{line}:" in t.read_log(), f"a bad line is logged as {os.path.basename(path)}:{line}")
    check(a_records(t, "local.test.") == ["192.0.2.81"], "after the bad file the previous rules stay in force")
    # poll-interval 0 from here: only SIGHUP reads the file.
    with open(t.config_path) as f:
        config = f.read()
    with open(t.config_path, "w") as f:
        f.write(config.replace("poll-interval = 1", "poll-interval = 0"))
    t.signal(signal.SIGHUP)
    time.sleep(1.5)
    write_atomic(path, texts("192.0.2.83"))
    time.sleep(2.5)
    check(a_records(t, "local.test.") == ["192.0.2.81"], "with poll-interval 0 a changed file waits for SIGHUP")
    t.signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and a_records(t, "local.test.") != ["192.0.2.83"]:
        time.sleep(0.1)
    check(a_records(t, "local.test.") == ["192.0.2.83"], "SIGHUP reads the changed file")


def check_config(binary, directory, hints, path, texts):
    bad = os.path.join(directory, "bad.rpz")
    text = texts("192.0.2.80", extra="oops.test IN BOGUS 1\n")
    with open(bad, "w") as f:
        f.write(text)
    line = text.splitlines().index("oops.test IN BOGUS 1") + 1
    conf = os.path.join(directory, "bad.toml")
    with open(conf, "w") as f:
        f.write(f'[resolver]\nroot-hints = "{hints}"\nupstream-allow = ["127.0.0.0/8"]\n'
                f'[[rpz]]\nname = "rpz.test."\nfile = "{bad}"\n')
    p = subprocess.run([binary, "--check-config", "--config", conf], capture_output=True, text=True, timeout=20)
    check(p.returncode == 2 and f"{bad}:{line}:" in p.stderr, f"--check-config names {os.path.basename(bad)}:{line}")


def start_nsd(directory, address, port, serial, names):
    zone = os.path.join(directory, "xfr.test.zone")
    with open(zone, "w") as f:
        f.write(f"$TTL 60\n@ SOA ns.xfr.test. admin.xfr.test. {serial} 1 1 86400 30\n  NS ns.xfr.test.\n")
        for n in names:
            f.write(f"{n} CNAME .\n")
        f.write("walled.test CNAME www.nsdiff.com.\n")
    conf = os.path.join(directory, "nsd.conf")
    with open(conf, "w") as f:
        f.write(f"""server:
    ip-address: {address}
    port: {port}
    do-ip6: no
    server-count: 1
    username: ""
    chroot: ""
    zonesdir: "{directory}"
    pidfile: "{directory}/nsd.pid"
    logfile: "{directory}/nsd.log"
    zonelistfile: "{directory}/zone.list"
    xfrdfile: "{directory}/xfrd.state"
    xfrdir: "{directory}"
    database: ""
    verbosity: 0
remote-control:
    control-enable: no
zone:
    name: "xfr.test."
    zonefile: "xfr.test.zone"
    provide-xfr: 127.0.0.0/8 NOKEY
""")
    proc = subprocess.Popen(["nsd", "-d", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait = time.monotonic() + 10
    while time.monotonic() < wait:
        status, _, _ = dig(address, port, "xfr.test.", "SOA", "+tcp", timeout=1)
        if status == "NOERROR":
            break
        time.sleep(0.1)
    return proc


def transfer(binary, net, hints):
    """[[rpz]] primary: AXFR from NSD on loopback, then a new serial transferred again."""
    import tempfile
    from ternd_harness import free_port
    directory = tempfile.mkdtemp(prefix="ternd-e2e-rpz-xfr-")
    address = f"{net}.255.20"
    port = free_port(address)
    nsd = start_nsd(directory, address, port, 1, ["one.test"])
    config = (f'[resolver]\nroot-hints = "{hints}"\nupstream-allow = ["127.0.0.0/8"]\n'
              f'[[rpz]]\nname = "xfr.test."\nprimary = "{address}:{port}"\n')
    t = Ternd(binary, f"{net}.255.3", config=config, threads=1)
    try:
        status, _, _ = dig(t.address, t.port, "one.test.", "A")
        check(status == "NXDOMAIN", "primary: the rule transferred from NSD (AXFR) is in force")
        status, answer, _ = dig(t.address, t.port, "walled.test.", "A")
        check(status == "NOERROR" and any(" CNAME " in a for a in answer), "primary: local data from the transfer")
        nsd.terminate()
        nsd.wait(10)
        nsd = start_nsd(directory, address, port, 2, ["one.test", "two.test"])
        deadline = time.monotonic() + 15
        status = None
        # Wait for the transfer itself (its log line), not only for an NXDOMAIN: the lab may answer
        # two.test. NXDOMAIN on its own, before the new serial is in force.
        transferred = False
        while time.monotonic() < deadline:
            transferred = "transferred 3 rules (serial 2)" in t.read_log()
            status, _, _ = dig(t.address, t.port, "two.test.", "A", timeout=1)
            if transferred and status == "NXDOMAIN":
                break
            time.sleep(0.3)
        check(status == "NXDOMAIN", "primary: a new serial is transferred after the SOA refresh")
        check(transferred, "primary: the log names the rules and the serial")
    finally:
        nsd.terminate()
        nsd.wait(10)
        check(t.stop() == 0, "ternd exits 0 after the transfer test")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ternd", required=True)
    p.add_argument("--net", default=os.environ.get("TERN_LAB_NET", "127.53"))
    p.add_argument("--state")
    args = p.parse_args()
    state = args.state or os.environ.get("TERN_LAB_STATE") or os.path.join(REPO, "build", f"lab-{args.net}")
    with open(os.path.join(state, "manifest.json")) as f:
        m = json.load(f)
    glueless_ip = answer_of(m, "www.glueless.com.")
    client_ip = f"{args.net}.255.9"

    ns_case = nsdname_pair(state, m)

    def texts(local_ip, extra=""):
        return rpz_text(glueless_ip, local_ip, client_ip, ns_case[0], extra)

    sock_dir = __import__("tempfile").mkdtemp(prefix="ternd-e2e-rpz-")
    path = os.path.join(sock_dir, "rpz.test.zone")
    write_atomic(path, texts("192.0.2.80"))
    sock = os.path.join(sock_dir, "control.sock")
    config = (f'[server]\ncontrol-socket = "{sock}"\nallow = ["127.0.0.0/8"]\n'
              f'[resolver]\nroot-hints = "{m["root_hints"]}"\nupstream-allow = ["127.0.0.0/8"]\n'
              f'[[rpz]]\nname = "rpz.test."\nfile = "{path}"\npoll-interval = 1\n')
    t = Ternd(args.ternd, f"{args.net}.255.3", config=config, threads=2)
    try:
        rules(t, m, client_ip, ns_case)
        counters(t, args.ternd, sock)
        reload_under_load(t, path, texts)
        bad_then_sighup(t, path, texts)
    finally:
        code = t.stop()
        check(code == 0, f"ternd exits 0 (got {code})")
        if failures:
            print(t.read_log()[-3000:])
    check_config(args.ternd, sock_dir, m["root_hints"], path, texts)
    transfer(args.ternd, args.net, m["root_hints"])
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
