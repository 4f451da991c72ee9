"""Writes a built lab to a state directory: zone files, one nsd.conf per host, root hints,
the fault authority's config, the manifest and the names file."""

import json
import os


def _write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def nsd_conf(host, state, zonesdir):
    hdir = os.path.join(state, "hosts", host.key)
    lines = [
        "# Written by tests/lab/labgen: one NSD per lab host, so a server refers where a real one would.",
        "server:",
        f"    ip-address: {host.address}",
        "    port: 53",
        "    do-ip6: no",
        "    server-count: 1",
        "    username: \"\"",
        "    chroot: \"\"",
        f"    zonesdir: \"{zonesdir}\"",
        f"    pidfile: \"{hdir}/nsd.pid\"",
        f"    logfile: \"{hdir}/nsd.log\"",
        f"    zonelistfile: \"{hdir}/zone.list\"",
        f"    xfrdfile: \"{hdir}/xfrd.state\"",
        f"    xfrdir: \"{hdir}\"",
        "    database: \"\"",
        "    verbosity: 0",
        "    hide-version: yes",
        "    refuse-any: no",
        "    tcp-count: 64",
        # Debian's NSD limits responses to 200/s per client /24 (RRL); the benchmarks' cache-miss
        # load (thousands of wildcard answers a second to one resolver) must not be throttled.
        "    rrl-ratelimit: 0",
        "remote-control:",
        "    control-enable: no",
    ]
    for origin in host.zones:
        fname = "root.zone" if origin == "." else origin.rstrip(".") + ".zone"
        lines += ["zone:", f"    name: \"{origin}\"", f"    zonefile: \"{fname}\""]
    return "\n".join(lines) + "\n"


def root_hints(lab):
    out = ["; Root hints of the offline lab (tests/lab). Never the real root servers."]
    roots = [h for h in lab.hosts.values() if h.key.startswith("root")]
    for h in roots:
        out.append(f".                        3600000      NS    {h.name}")
    for h in roots:
        out.append(f"{h.name:<24} 3600000      A     {h.address}")
    return "\n".join(out) + "\n"


def write(lab, state):
    zonesdir = os.path.join(state, "zones")
    os.makedirs(zonesdir, exist_ok=True)
    served = {o for h in lab.hosts.values() if h.kind == "nsd" for o in h.zones}
    for z in lab.zones.values():
        if z.origin in served:
            _write(os.path.join(zonesdir, z.file_name()), z.text())
    for h in lab.hosts.values():
        if h.kind != "nsd":
            continue
        hdir = os.path.join(state, "hosts", h.key)
        os.makedirs(hdir, exist_ok=True)
        _write(os.path.join(hdir, "nsd.conf"), nsd_conf(h, state, zonesdir))
    hints = os.path.join(state, "root.hints")
    _write(hints, root_hints(lab))
    _write(os.path.join(state, "faults.conf"),
           "# address behaviour zone answer-address [key=value ...] (see tests/lab/labgen/faults.py)\n"
           + "".join(line + "\n" for line in lab.faults))
    names = os.path.join(state, "names.txt")
    _write(names, "".join(f"{q} {t}\n" for q, t in lab.names))
    manifest = {
        "version": 1,
        "net": lab.net,
        "seed": lab.seed,
        "size": lab.size,
        "root_hints": hints,
        "names_file": names,
        "names_count": len(lab.names),
        "wildcard_zone": lab.wildcard_zone,
        "servers": [{"key": h.key, "name": h.name, "address": h.address, "kind": h.kind,
                     "zones": h.zones} for h in lab.hosts.values()],
        "entries": lab.manifest.entries,
    }
    _write(os.path.join(state, "manifest.json"), json.dumps(manifest, indent=1) + "\n")
    return manifest
