"""Fault cases: subzones of fault.test. played by the fault authority (tests/lab/fault/).

Each case gets its own address X.3.k. The fault authority reads faults.conf, one line per address:
    <address> <behaviour> <zone> <answer-address> [key=value ...]
and serves for <zone>: SOA, NS ns.<zone>, ns.<zone> A <address>, www.<zone> A <answer-address>,
bent by the behaviour. The same records are in the lab's model here, so the manifest's expected
answers are computed like every other case.
"""

from .model import Host

FAULT_ZONE = "fault.test."

# (behaviour, label, extra config, expected: "answer" or "SERVFAIL", what it shows)
CASES = [
    ("normal", "normal", "", "answer", "baseline: the fault authority answering properly"),
    ("silence", "silence", "", "SERVFAIL", "the only server never answers"),
    ("delay", "delay", "ms=400", "answer", "the server answers after 400 ms"),
    ("tc", "tc", "", "answer", "always TC over UDP; the full answer over TCP"),
    ("wrong-id", "wrong-id", "", "answer",
     "a forged reply with the wrong ID (and a bogus address) comes first; the real one follows"),
    ("wrong-question", "wrong-question", "", "answer",
     "a forged reply with the right ID but another question comes first; the real one follows"),
    ("other-port", "other-port", "port=5354", "answer",
     "a forged reply from another source port comes first; the real one follows from port 53"),
    ("poison", "poison", "", "answer",
     "the answer carries out-of-bailiwick records (a poisoning attempt) the resolver must drop"),
    ("formerr-edns", "formerr-edns", "", "answer",
     "FORMERR without OPT to any EDNS query; a plain query gets the answer"),
    ("servfail", "servfail", "", "SERVFAIL", "the only server answers SERVFAIL"),
    ("refused", "refused", "", "SERVFAIL", "the only server answers REFUSED"),
    ("malformed", "malformed", "", "SERVFAIL", "the only server answers with malformed packets"),
    ("noaa", "lame-noaa", "", "answer",
     "lame: one server answers without AA (an upward referral); the other listed server is good"),
    ("nxns", "nxns", "count=40", "SERVFAIL",
     "a referral to 40 glueless name servers that do not exist (the NXNSAttack shape)"),
    ("referral-loop", "dloop", "", "SERVFAIL",
     "a delegation loop: the child's server refers back up to the parent's"),
]

# Issue #13 §3 (lameness) and §6 (timeouts), used by tests/e2e/e2e_attack_lame.py. Numbered after
# CASES and the loop's child, so the addresses above never move.
HARDENING_CASES = [
    ("refuse-marked", "refuse-once", "", "answer",
     "the only server answers REFUSED to names whose first label starts with refuse; "
     "after one such REFUSED the zone's other names still resolve"),
    ("refused", "lame-refused", "", "answer",
     "lame: one server answers REFUSED to everything; the other listed server (glueless) is good"),
    ("delay", "stall-glueless", "ms=150", "answer",
     "the glued server stalls 150 ms; the other listed server is glueless and good"),
    ("silence", "silent-glueless", "", "answer",
     "the glued server never answers; the other listed server is glueless and good"),
]

# Cases whose zone has a second, good server: ns1.dnshost.net, out of bailiwick, so glueless.
PAIRED = {"lame-noaa", "lame-refused", "stall-glueless", "silent-glueless"}


def numbered_cases():
    """(k, case) for every case; k gives the addresses X.3.k and X.201.k. k = len(CASES) + 1 is
    the referral loop's child."""
    for k, case in enumerate(CASES, start=1):
        yield k, case
    for k, case in enumerate(HARDENING_CASES, start=len(CASES) + 2):
        yield k, case


def add_fault_cases(lab):
    m = lab.manifest
    h2 = lab.sld_host(2)
    fault = lab.zone(FAULT_ZONE, [h2.name], [h2])
    lab.delegate(lab.zones["test."], FAULT_ZONE, [h2.name])
    victim = lab.zone("poison-victim.com.", [lab.sld_host(6).name], [lab.sld_host(6)])
    lab.delegate(lab.zones["com."], "poison-victim.com.", [lab.sld_host(6).name])
    victim.add("www.poison-victim.com.", "A", lab.data_addr(9070))
    nxns_victim = lab.zone("nxns-victim.test.", [lab.sld_host(9).name], [lab.sld_host(9)])
    lab.delegate(lab.zones["test."], "nxns-victim.test.", [lab.sld_host(9).name])
    bogus = lab.a(66, 66)

    addresses = {}
    for k, (behaviour, label, extra, _, _) in numbered_cases():
        addresses[label] = lab.a(3, k)
    addresses["dloop-child"] = lab.a(3, len(CASES) + 1)

    for k, (behaviour, label, extra, expected, what) in numbered_cases():
        origin = f"{label}.{FAULT_ZONE}"
        address = addresses[label]
        host = lab.host(f"fault-{label}", f"ns.{origin}", address, kind="fault")
        ns = [host.name]
        if label in PAIRED:
            ns.append(lab.sld_host(1).name)
        z = lab.zone(origin, ns, [host])
        z.add(host.name, "A", address)
        answer = lab.a(201, k)
        z.add("www." + origin, "A", answer)
        lab.delegate(fault, origin, ns, {host.name: address})
        opts = extra
        if behaviour in ("wrong-id", "wrong-question", "other-port"):
            opts = (opts + f" bogus={bogus}").strip()
        if behaviour == "poison":
            opts = f"victim=www.poison-victim.com. bogus={bogus}"
        if behaviour == "nxns":
            opts += f" target={nxns_victim.origin}"
        if behaviour == "referral-loop":
            child = f"sub.{origin}"
            peer = addresses["dloop-child"]
            opts = f"peer={peer}"
            lab.faults.append(f"{peer} upward-referral {child} {answer} parent={origin} peer={address}")
            lab.host("fault-dloop-child", f"ns.{child}", peer, kind="fault")
        if label in PAIRED:
            lab.sld_host(1).serve(z)  # the good server of the pair
        lab.faults.append(f"{address} {behaviour} {origin} {answer} {opts}".rstrip())

        case = f"fault: {what}"
        eid = f"fault-{label}"
        if expected == "answer":
            m.answer(lab, eid, case, "www." + origin, "A")
        else:
            m.fixed(eid, case, "www." + origin, "A", "SERVFAIL")
    m.answer(lab, "poison-check", "the poisoning attempt did not stick: the victim's real address",
             "www.poison-victim.com.", "A", after=["fault-poison"])
