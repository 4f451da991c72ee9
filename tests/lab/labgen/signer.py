"""Signs the lab's zones after writer.write: keys, DS in the parents, the crafted cases, the
trust anchor.

Keys come from dnssec-keygen (bind9-utils) and are kept in <state>/keys/<zone>/<role>/, so a
regenerated lab reuses them (and its trust anchor stays the same); only a missing key is
generated. Zones are signed children first (a parent needs its children's DS) with
dnssec-signzone, or ldns-signzone (ldnsutils) where dnssec-signzone refuses: NSEC3 iterations
above 150 and the KeyTrap zone's malformed keys. The bogus cases are made by editing the signed
output (signer.TAMPERS), never by hand-written cryptography: only the DS digests and key tags of
crafted keys are computed here (SHA-256 from hashlib, the RFC 4034 appendix B checksum).
"""

import base64
import datetime
import glob
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
from concurrent.futures import ThreadPoolExecutor

from .dnssec_cases import (KEYTRAP_KEYS, KEYTRAP_SIGS, UNSUPPORTED_ALG, UNSUPPORTED_DIGEST)
from .manifest import zone_for

ALG_NAMES = {8: "RSASHA256", 10: "RSASHA512", 13: "ECDSAP256SHA256", 14: "ECDSAP384SHA384",
             15: "ED25519", 16: "ED448"}
RSA_BITS = 2048
DNSKEY_TTL = 3600
# PRIVATEDNS (algorithm 253) keys and signatures start with the name of the private algorithm.
PRIVATE_ALG_NAME = "tern-lab-private.example."
# Signature validity, relative to signing time. The lab is regenerated at least weekly (the `lab`
# stamp holds the week), so normal signatures never run out while a lab is up.
VALID = (datetime.timedelta(hours=-1), datetime.timedelta(days=30))
EXPIRED = (datetime.timedelta(days=-30), datetime.timedelta(days=-1))
NOT_YET = (datetime.timedelta(days=365), datetime.timedelta(days=400))
BIND_MAX_ITERATIONS = 150  # dnssec-signzone 9.18 refuses more
PARALLEL = 2


class ToolMissing(Exception):
    pass


class SigningFailed(Exception):
    pass


def find_tools():
    tools = {}
    for name, pkg in (("dnssec-keygen", "bind9-utils"), ("dnssec-signzone", "bind9-utils"),
                      ("ldns-signzone", "ldnsutils")):
        path = shutil.which(name) or next((p for p in (f"/usr/bin/{name}", f"/usr/sbin/{name}")
                                           if os.access(p, os.X_OK)), None)
        if not path:
            raise ToolMissing(f"{name} is not installed (apt-get install {pkg}; `make deps-test` "
                              f"does it): the lab signs its zones with it")
        tools[name] = path
    return tools


# --- wire helpers (key tags, DS digests) -------------------------------------------------------
def name_wire(name):
    if name == ".":
        return b"\0"
    out = b""
    for label in name.rstrip(".").lower().split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def key_tag(rdata):
    """RFC 4034 appendix B."""
    ac = 0
    for i, b in enumerate(rdata):
        ac += b if i & 1 else b << 8
    ac += (ac >> 16) & 0xFFFF
    return ac & 0xFFFF


def dnskey_rdata(flags, proto, alg, key):
    return struct.pack("!HBB", flags, proto, alg) + key


def parse_dnskey(rdata_text):
    f = rdata_text.split()
    return int(f[0]), int(f[1]), int(f[2]), base64.b64decode("".join(f[3:]))


def ds_line(owner, flags, proto, alg, key, digest_type=2, digest=None):
    rdata = dnskey_rdata(flags, proto, alg, key)
    if digest is None:
        digest = hashlib.sha256(name_wire(owner) + rdata).hexdigest().upper()
    return f"{owner} {DNSKEY_TTL} IN DS {key_tag(rdata)} {alg} {digest_type} {digest}"


# --- keys --------------------------------------------------------------------------------------
def _stem(origin):
    return "root" if origin == "." else origin.rstrip(".")


def key_path(tools, state, origin, role, alg):
    """Base path (without .key/.private) of the zone's key for this role, made if missing."""
    d = os.path.join(state, "keys", _stem(origin), role)
    found = sorted(glob.glob(os.path.join(d, f"K*+{alg:03d}+*.key")))
    if found:
        return found[0][:-4]
    os.makedirs(d, exist_ok=True)
    cmd = [tools["dnssec-keygen"], "-q", "-K", d, "-a", ALG_NAMES[alg], "-n", "ZONE"]
    if alg in (8, 10):
        cmd += ["-b", str(RSA_BITS)]
    if role.startswith("ksk"):
        cmd += ["-f", "KSK"]
    out = subprocess.run(cmd + [origin], capture_output=True, text=True, check=True,
                         stdin=subprocess.DEVNULL)
    return os.path.join(d, out.stdout.split()[-1])


def read_key(base):
    """(flags, proto, alg, key bytes) from a .key file."""
    with open(base + ".key") as f:
        for line in f:
            if line.startswith(";") or "DNSKEY" not in line:
                continue
            return parse_dnskey(line.split("DNSKEY", 1)[1])
    raise ValueError(f"no DNSKEY in {base}.key")


def dnskey_line(origin, flags, proto, alg, key):
    return f"{origin} {DNSKEY_TTL} IN DNSKEY {flags} {proto} {alg} {base64.b64encode(key).decode()}"


# --- signed zone text --------------------------------------------------------------------------
def _strip_comment(line):
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            return line[:i]
    return line


def parse_records(text):
    """[owner, ttl, class, type, rdata] per record of a signer's one-record-a-line output."""
    recs = []
    for line in text.splitlines():
        line = _strip_comment(line).strip()
        if not line or line.startswith("$"):
            continue
        owner, ttl, cls, rtype, rdata = line.split(None, 4)
        recs.append([owner, ttl, cls, rtype, rdata.strip()])
    return recs


def records_text(recs):
    return "".join(f"{o} {t} {c} {ty} {r}\n" for o, t, c, ty, r in recs)


def _is_sig(rec, owner, covered):
    return (rec[3] == "RRSIG" and rec[0].lower() == owner.lower()
            and rec[4].split()[0] == covered)


# --- tampering: each makes one bogus or unsupported case from a correctly signed zone ---------
def _tamper_nosig(ctx, recs, owner):
    return [r for r in recs if not _is_sig(r, owner, "A")]


def _tamper_wrongkey(ctx, recs, owner):
    """www's RRSIG replaced by one from a second signing with a ZSK the zone does not publish."""
    other = ctx["sign_again"]("zsk-unpublished")
    sigs = [r for r in other if _is_sig(r, owner, "A")]
    return [r for r in recs if not _is_sig(r, owner, "A")] + sigs


def _tamper_keytrap(ctx, recs, owner):
    """www's RRSIG replaced by KEYTRAP_SIGS signatures claiming the ZSK's tag, none valid (the
    fake DNSKEYs sharing the tag went into the zone before signing, see _keytrap_keys)."""
    sig = next(r for r in recs if _is_sig(r, owner, "A"))
    f = sig[4].split()
    rng = random.Random(f"keytrap-sigs-{owner}")
    out = [r for r in recs if not _is_sig(r, owner, "A")]
    for _ in range(KEYTRAP_SIGS):
        junk = base64.b64encode(bytes(rng.randrange(256) for _ in range(64))).decode()
        out.append(sig[:4] + [" ".join(f[:8] + [junk])])
    return out


def _tamper_alg253(ctx, recs, owner):
    """Every DNSKEY and RRSIG becomes algorithm 253 (PRIVATEDNS): the key and signature fields
    are prefixed with the private algorithm's name (RFC 4034 appendix A.1.1), the key tags
    follow. No validator can check them; with only such DS in the parent the zone is insecure."""
    prefix = name_wire(PRIVATE_ALG_NAME)
    tags = {}
    out = []
    for r in recs:
        if r[3] == "DNSKEY":
            flags, proto, alg, key = parse_dnskey(r[4])
            old = key_tag(dnskey_rdata(flags, proto, alg, key))
            new_key = prefix + key
            tags[old] = key_tag(dnskey_rdata(flags, proto, UNSUPPORTED_ALG, new_key))
            out.append(r[:4] + [f"{flags} {proto} {UNSUPPORTED_ALG} {base64.b64encode(new_key).decode()}"])
        else:
            out.append(r)
    for r in out:
        if r[3] == "RRSIG":
            f = r[4].split()
            sig = base64.b64decode("".join(f[8:]))
            f[1] = str(UNSUPPORTED_ALG)
            f[6] = str(tags[int(f[6])])
            r[4] = " ".join(f[:8] + [base64.b64encode(prefix + sig).decode()])
    return out


TAMPERS = {"nosig": _tamper_nosig, "wrongkey": _tamper_wrongkey, "keytrap": _tamper_keytrap,
           "alg253": _tamper_alg253}


def _keytrap_keys(origin, zsk):
    """KEYTRAP_KEYS - 1 DNSKEY records (not valid keys) whose key tag equals the ZSK's."""
    flags, proto, alg, key = zsk
    want = key_tag(dnskey_rdata(flags, proto, alg, key))
    rng = random.Random(f"keytrap-keys-{origin}")
    lines = []
    while len(lines) < KEYTRAP_KEYS - 1:
        body = bytes(rng.randrange(256) for _ in range(len(key) - 2))
        # The last 16-bit word fixes the checksum (the RDATA is 68 octets: it is a whole word).
        head = sum(b if i & 1 else b << 8 for i, b in enumerate(dnskey_rdata(flags, proto, alg, body)))
        w = next(w for w in range(65536)
                 if (head + w + ((head + w) >> 16)) & 0xFFFF == want)
        cand = body + struct.pack("!H", w)
        assert key_tag(dnskey_rdata(flags, proto, alg, cand)) == want
        lines.append(dnskey_line(origin, flags, proto, alg, cand))
    return lines


# --- signing -----------------------------------------------------------------------------------
def _stamp(t):
    return t.strftime("%Y%m%d%H%M%S")


def _sign_run(tools, plan, origin, infile, outfile, ksk, zsk, now, verify=True):
    inc, exp = {"normal": VALID, "expired": EXPIRED, "notyet": NOT_YET}[plan.validity]
    inc, exp = _stamp(now + inc), _stamp(now + exp)
    ldns = (plan.nsec3 is not None and plan.nsec3 > BIND_MAX_ITERATIONS) or any(
        t.startswith("keytrap") for t in plan.tamper)
    if ldns:
        cmd = [tools["ldns-signzone"], "-f", outfile, "-o", origin, "-i", inc, "-e", exp]
        if plan.nsec3 is not None:
            cmd += ["-n", "-t", str(plan.nsec3), "-s", ""] + (["-p"] if plan.optout else [])
        cmd += [infile, ksk, zsk]
    else:
        # -d: its dsset-<zone> files go to the work directory, not the caller's.
        cmd = [tools["dnssec-signzone"], "-q", "-O", "full", "-o", origin, "-f", outfile,
               "-d", os.path.dirname(outfile), "-s", inc, "-e", exp]
        if plan.nsec3 is not None:
            cmd += ["-3", "-", "-H", str(plan.nsec3)] + (["-A"] if plan.optout else [])
        if not verify:
            cmd.append("-P")
        cmd += ["-k", ksk + ".key", infile, zsk + ".key"]
    r = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise SigningFailed(f"signing {origin} failed: {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    with open(outfile) as f:
        return parse_records(f.read())


def _sign_zone(tools, state, lab, origin, plan, child_ds, keys, now):
    """Signs one zone in place; returns the DS lines for its parent."""
    zone = lab.zones[origin]
    path = os.path.join(state, "zones", zone.file_name())
    work = os.path.join(state, "dnssec", "work")
    with open(path) as f:
        text = f.read()
    ksk, zsk = keys[(origin, "ksk")], keys[(origin, "zsk")]
    kk, zk = read_key(ksk), read_key(zsk)
    lines = list(child_ds) + [dnskey_line(origin, *kk), dnskey_line(origin, *zk)]
    if any(t.startswith("keytrap") for t in plan.tamper):
        lines += _keytrap_keys(origin, zk)
    infile = os.path.join(work, zone.file_name())
    with open(infile, "w") as f:
        f.write(text + "".join(line + "\n" for line in lines))
    crafted = plan.validity != "normal" or bool(plan.tamper)
    out = os.path.join(work, zone.file_name() + ".signed")
    recs = _sign_run(tools, plan, origin, infile, out, ksk, zsk, now, verify=not crafted)
    ctx = {"sign_again": lambda role: _sign_run(tools, plan, origin, infile, out + "." + role,
                                                ksk, keys[(origin, role)], now, verify=False)}
    for t in plan.tamper:
        name, _, label = t.partition(":")
        recs = TAMPERS[name](ctx, recs, f"{label}.{origin}" if label else origin)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(records_text(recs))
    os.replace(tmp, path)

    if plan.ds == "nomatch":
        return [ds_line(origin, *read_key(keys[(origin, "ksk-unpublished")]))]
    if plan.ds == "alg253":
        apex = [r for r in recs if r[3] == "DNSKEY" and r[0].lower() == origin.lower()]
        return [ds_line(origin, *parse_dnskey(r[4])) for r in apex if parse_dnskey(r[4])[0] & 1]
    if plan.ds == "digest200":
        digest = hashlib.sha256(b"unassigned digest type " + name_wire(origin)).hexdigest().upper()
        return [ds_line(origin, *kk, digest_type=UNSUPPORTED_DIGEST, digest=digest)]
    return [ds_line(origin, *kk)]


def _roles(plan):
    roles = ["ksk", "zsk"]
    if plan.ds == "nomatch":
        roles.append("ksk-unpublished")
    if any(t.startswith("wrongkey") for t in plan.tamper):
        roles.append("zsk-unpublished")
    return roles


def sign(lab, state, manifest):
    """Signs every zone in lab.signing; writes <state>/trust-anchor.ds; records both in the
    manifest (and rewrites manifest.json). Returns the manifest."""
    tools = find_tools()
    os.makedirs(os.path.join(state, "dnssec", "work"), exist_ok=True)
    plans = lab.signing
    wanted = [(o, role, p.alg) for o, p in plans.items() for role in _roles(p)]
    with ThreadPoolExecutor(PARALLEL) as pool:
        paths = list(pool.map(lambda w: key_path(tools, state, *w), wanted))
    keys = {(o, role): p for (o, role, _), p in zip(wanted, paths)}

    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    depth = lambda o: 0 if o == "." else o.rstrip(".").count(".") + 1  # noqa: E731
    ds_for = {}  # parent origin -> DS lines of its signed children
    anchor = []  # the root KSK's DS
    for d in sorted({depth(o) for o in plans}, reverse=True):
        level = sorted(o for o in plans if depth(o) == d)
        with ThreadPoolExecutor(PARALLEL) as pool:
            results = list(pool.map(lambda o: _sign_zone(tools, state, lab, o, plans[o],
                                                         ds_for.get(o, []), keys, now), level))
        for o, ds in zip(level, results):
            if o != ".":
                parent = zone_for(lab, o.split(".", 1)[1] or ".").origin
                ds_for.setdefault(parent, []).extend(ds)
            else:
                anchor = ds
    if not anchor:
        raise SigningFailed("the root is not signed: no trust anchor")
    anchor_path = os.path.join(state, "trust-anchor.ds")
    with open(anchor_path + ".tmp", "w") as f:
        f.write("; The offline lab's trust anchor: the DS of its root KSK (tests/lab/labgen/signer.py)\n")
        for line in anchor:
            owner, _ttl, rest = line.split(" ", 2)
            f.write(f"{owner} {rest}\n")
    os.replace(anchor_path + ".tmp", anchor_path)
    manifest["trust_anchor"] = anchor_path
    manifest["signed_at"] = now.isoformat()
    manifest["signed_zones"] = {o: p.describe() for o, p in sorted(plans.items())}
    tmp = os.path.join(state, "manifest.json.tmp")
    with open(tmp, "w") as f:
        f.write(json.dumps(manifest, indent=1) + "\n")
    os.replace(tmp, os.path.join(state, "manifest.json"))
    return manifest
