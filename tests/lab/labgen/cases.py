"""The cases resolvers get wrong, each built into the zones and listed in the manifest.

To add a case: build its zones here (pick SLD hosts so that no host serves both a zone and its
parent: a server refers only where it does not hold the child), then add manifest entries with
m.answer(...) (outcome computed from the zone data) or m.fixed(...) (outcome stated by hand).
"""

from .faults import add_fault_cases
from .manifest import zone_for


def add_cases(lab):
    _glue_and_nameservers(lab)
    _chains(lab)
    _negative(lab)
    _records(lab)
    _reachability(lab)
    _names(lab)
    add_fault_cases(lab)


def _sld(lab, origin, hosts, ns=None, glue=None):
    """A second-level (or deeper) zone served by the given SLD hosts, delegated from its parent."""
    hs = [lab.sld_host(n) for n in hosts]
    ns = ns or [h.name for h in hs]
    z = lab.zone(origin, ns, hs)
    lab.delegate(zone_for(lab, origin.split(".", 1)[1]), origin, ns, glue)
    for name, address in (glue or {}).items():
        z.add(name, "A", address)
    return z


def _glue_and_nameservers(lab):
    m = lab.manifest
    h = lab.sld_host
    z = _sld(lab, "glue-inside.com.", [3, 4], ["ns1.glue-inside.com.", "ns2.glue-inside.com."],
             {"ns1.glue-inside.com.": h(3).address, "ns2.glue-inside.com.": h(4).address})
    z.add("www.glue-inside.com.", "A", lab.data_addr(9001))
    m.answer(lab, "glue-inside", "glue inside the bailiwick", "www.glue-inside.com.", "A")

    # glueless.com's servers are named two zone cuts away, in another TLD: no glue anywhere on
    # the path; the resolver must resolve ns1.dns.glueprov.org. first.
    _sld(lab, "glueprov.org.", [5])
    dns = _sld(lab, "dns.glueprov.org.", [6], ["ns.dns.glueprov.org."],
               {"ns.dns.glueprov.org.": h(6).address})
    dns.add("ns1.dns.glueprov.org.", "A", h(7).address)
    dns.add("ns2.dns.glueprov.org.", "A", h(8).address)
    z = _sld(lab, "glueless.com.", [7, 8], ["ns1.dns.glueprov.org.", "ns2.dns.glueprov.org."])
    z.add("www.glueless.com.", "A", lab.data_addr(9002))
    m.answer(lab, "glueless", "glueless NS names outside the bailiwick (two cuts deep, other TLD)",
             "www.glueless.com.", "A")

    sib = _sld(lab, "sibling-dns.net.", [9])
    sib.add("ns1.sibling-dns.net.", "A", h(3).address)
    sib.add("ns2.sibling-dns.net.", "A", h(4).address)
    z = _sld(lab, "sibling.com.", [3, 4], ["ns1.sibling-dns.net.", "ns2.sibling-dns.net."])
    z.add("www.sibling.com.", "A", lab.data_addr(9003))
    m.answer(lab, "sibling-tld", "name servers named in a sibling TLD", "www.sibling.com.", "A")

    alias = _sld(lab, "alias-dns.net.", [5])
    alias.add("ns.alias-dns.net.", "CNAME", "real.alias-dns.net.")
    alias.add("real.alias-dns.net.", "A", h(6).address)
    z = _sld(lab, "nscname.com.", [6], ["ns.alias-dns.net."])
    z.add("www.nscname.com.", "A", lab.data_addr(9004))
    m.answer(lab, "ns-is-cname", "a delegation whose NS name is a CNAME", "www.nscname.com.", "A",
             note="RFC 2181 §10.3 forbids it; most resolvers follow the alias, a strict one may SERVFAIL")

    # The parent lists one server, the child two: the child's set is authoritative.
    z = _sld(lab, "nsdiff.com.", [6], ["ns1.nsdiff.com."], {"ns1.nsdiff.com.": h(6).address})
    z.add("nsdiff.com.", "NS", "ns2.nsdiff.com.")
    z.add("ns2.nsdiff.com.", "A", h(7).address)
    h(7).serve(z)
    z.add("www.nsdiff.com.", "A", lab.data_addr(9005))
    m.answer(lab, "nsdiff-www", "parent and child NS sets differ", "www.nsdiff.com.", "A")
    m.answer(lab, "nsdiff-ns", "parent and child NS sets differ (child set wins)", "nsdiff.com.", "NS")


def _chains(lab):
    m = lab.manifest
    z = _sld(lab, "chain.com.", [3])
    z.add("target.chain.com.", "A", lab.data_addr(9010))
    z.add("one.chain.com.", "CNAME", "target.chain.com.")
    z.add("two.chain.com.", "CNAME", "one.chain.com.")
    z.add("three.chain.com.", "CNAME", "two.chain.com.")
    for n in ("one", "two", "three"):
        m.answer(lab, f"cname-in-zone-{n}", f"CNAME chain inside a zone, length {n}",
                 f"{n}.chain.com.", "A")
    m.answer(lab, "cname-qtype-cname", "CNAME queried for directly", "three.chain.com.", "CNAME")

    a = _sld(lab, "cross-a.net.", [4])
    b = _sld(lab, "cross-b.org.", [5])
    c = _sld(lab, "cross-c.com.", [7])
    c.add("www.cross-c.com.", "A", lab.data_addr(9011))
    z.add("x1.chain.com.", "CNAME", "www.cross-c.com.")
    z.add("x2.chain.com.", "CNAME", "x.cross-b.org.")
    b.add("x.cross-b.org.", "CNAME", "www.cross-c.com.")
    z.add("x3.chain.com.", "CNAME", "y.cross-a.net.")
    a.add("y.cross-a.net.", "CNAME", "y.cross-b.org.")
    b.add("y.cross-b.org.", "CNAME", "www.cross-c.com.")
    for n in (1, 2, 3):
        m.answer(lab, f"cname-cross-zone-{n}", f"CNAME chain across zones, length {n}",
                 f"x{n}.chain.com.", "A")
    z.add("dangling.chain.com.", "CNAME", "nothing.cross-c.com.")
    m.answer(lab, "cname-to-nxdomain", "CNAME to a name that does not exist (NXDOMAIN, RFC 6604)",
             "dangling.chain.com.", "A")

    loop = _sld(lab, "loop.com.", [4])
    loop.add("a.loop.com.", "CNAME", "b.loop.com.")
    loop.add("b.loop.com.", "CNAME", "a.loop.com.")
    m.fixed("cname-loop", "a CNAME loop inside a zone", "a.loop.com.", "A", "SERVFAIL")
    loop2 = _sld(lab, "loop2.net.", [5])
    loop.add("x.loop.com.", "CNAME", "x.loop2.net.")
    loop2.add("x.loop2.net.", "CNAME", "x.loop.com.")
    m.fixed("cname-loop-cross", "a CNAME loop across zones", "x.loop.com.", "A", "SERVFAIL")

    d = _sld(lab, "dname.org.", [7])
    t = _sld(lab, "dname-target.net.", [8])
    d.add("old.dname.org.", "DNAME", "new.dname-target.net.")
    t.add("www.new.dname-target.net.", "A", lab.data_addr(9012))
    m.answer(lab, "dname", "a DNAME (answer: DNAME, synthesized CNAME, target)",
             "www.old.dname.org.", "A")
    m.answer(lab, "dname-owner", "the DNAME record itself", "old.dname.org.", "DNAME")


def _negative(lab):
    m = lab.manifest
    z = _sld(lab, "neg.com.", [9])
    z.add("www.neg.com.", "A", lab.data_addr(9020))
    m.answer(lab, "nxdomain", "NXDOMAIN with the SOA in authority", "nx.neg.com.", "A")
    m.answer(lab, "nodata", "NODATA with the SOA in authority", "www.neg.com.", "AAAA")
    m.answer(lab, "nxdomain-tld", "NXDOMAIN from a TLD server", "no-such-zone-here.com.", "A")
    m.answer(lab, "nxdomain-root", "NXDOMAIN from the root (no such TLD)", "www.example.invalid.", "A")
    e = _sld(lab, "ent.com.", [9])
    e.add("a.b.ent.com.", "A", lab.data_addr(9021))
    m.answer(lab, "empty-non-terminal", "an empty non-terminal is NODATA, not NXDOMAIN",
             "b.ent.com.", "A")
    m.answer(lab, "below-ent", "the name below the empty non-terminal", "a.b.ent.com.", "A")

    w = _sld(lab, lab.wildcard_zone, [10])
    w.add("*." + lab.wildcard_zone, "A", lab.a(254, 1))
    w.add("*." + lab.wildcard_zone, "TXT", '"wildcard"')
    w.add("exact." + lab.wildcard_zone, "A", lab.a(254, 2))
    m.answer(lab, "wildcard", "a wildcard answers unique names (cache-miss load)",
             "q-7f3a91." + lab.wildcard_zone, "A")
    m.answer(lab, "wildcard-nodata", "a wildcard with no RRset of the type: NODATA",
             "q-7f3a92." + lab.wildcard_zone, "MX")
    m.answer(lab, "wildcard-exact", "an existing name is not covered by the wildcard",
             "exact." + lab.wildcard_zone, "A")


def _records(lab):
    m = lab.manifest
    z = _sld(lab, "records.org.", [4])
    o = "records.org."
    z.add(o, "MX", "10 mail.records.org.")
    z.add(o, "MX", "20 backup-mail.records.org.")
    z.add("mail." + o, "A", lab.data_addr(9030))
    z.add("backup-mail." + o, "A", lab.data_addr(9031))
    z.add(o, "TXT", '"v=spf1 mx -all"')
    z.add("_sip._udp." + o, "SRV", "10 20 5060 sip.records.org.")
    z.add("sip." + o, "A", lab.data_addr(9032))
    z.add(o, "CAA", '0 issue "ca.lab.test"')
    z.add("www." + o, "AAAA", "2001:db8::1")
    z.add("www." + o, "A", lab.data_addr(9033))
    strings = " ".join('"' + (chr(ord("a") + i) * 250) + '"' for i in range(6))
    z.add("big." + o, "TXT", strings)  # ~1500 bytes of RDATA: over 1232, the answer needs TCP
    for eid, q, t in (("mx", o, "MX"), ("txt", o, "TXT"), ("srv", "_sip._udp." + o, "SRV"),
                      ("caa", o, "CAA"), ("aaaa", "www." + o, "AAAA")):
        m.answer(lab, eid, f"{t} records", q, t)
    m.answer(lab, "txt-big-tcp", "TXT larger than 1232 bytes (truncated over UDP, needs TCP)",
             "big." + o, "TXT")

    n1, n2 = lab.net.split(".")
    rev4 = f"{n2}.{n1}.in-addr.arpa."
    r = _sld(lab, rev4, [1, 2], [lab.sld_host(1).name, lab.sld_host(2).name])
    for key in ("root1", "gtld1"):
        h = lab.hosts[key]
        o3, o4 = h.address.split(".")[2:]
        r.add(f"{o4}.{o3}.{rev4}", "PTR", h.name)
    m.answer(lab, "ptr-v4", "PTR in a reverse zone (in-addr.arpa)", f"1.0.{rev4}", "PTR")
    rev6 = "8.b.d.0.1.0.0.2.ip6.arpa."
    r6 = _sld(lab, rev6, [1, 2], [lab.sld_host(1).name, lab.sld_host(2).name])
    ptr6 = "1." + "0." * 23 + rev6  # 2001:db8::1
    r6.add(ptr6, "PTR", "www.records.org.")
    m.answer(lab, "ptr-v6", "PTR in a reverse zone (ip6.arpa)", ptr6, "PTR")


def _reachability(lab):
    m = lab.manifest
    h = lab.sld_host
    # ns9 does not serve lame.com: NSD answers REFUSED there.
    z = _sld(lab, "lame.com.", [3], [h(3).name, h(9).name])
    z.add("www.lame.com.", "A", lab.data_addr(9040))
    m.answer(lab, "lame-one", "lame delegation: one listed server answers REFUSED",
             "www.lame.com.", "A")
    lab.delegate(lab.zones["com."], "alllame.com.", [h(7).name, h(8).name])
    m.fixed("lame-all", "lame delegation: every listed server answers REFUSED",
            "www.alllame.com.", "A", "SERVFAIL")

    dead = lab.a(9, 9)
    z = _sld(lab, "deadns.com.", [5], ["ns1.deadns.com.", "ns2.deadns.com."],
             {"ns1.deadns.com.": dead, "ns2.deadns.com.": h(5).address})
    z.add("www.deadns.com.", "A", lab.data_addr(9041))
    m.answer(lab, "dead-server", "one of several servers never answers (nothing listens there)",
             "www.deadns.com.", "A")

    # Each zone's only server is named inside the other zone, with no glue: unresolvable.
    ma = _sld(lab, "mutual-a.com.", [3], ["ns.mutual-b.net."])
    mb = _sld(lab, "mutual-b.net.", [4], ["ns.mutual-a.com."])
    ma.add("ns.mutual-a.com.", "A", h(3).address)
    mb.add("ns.mutual-b.net.", "A", h(4).address)
    ma.add("www.mutual-a.com.", "A", lab.data_addr(9042))
    m.fixed("glueless-loop", "delegation loop: each zone's server is named in the other, no glue",
            "www.mutual-a.com.", "A", "SERVFAIL")

    m.answer(lab, "root-ns", "the root NS set", ".", "NS")
    m.answer(lab, "tld-ns", "a TLD NS set (child side)", "com.", "NS")
    m.answer(lab, "rootserver-a", "a root server's address", "a.root-servers.net.", "A")


def _names(lab):
    m = lab.manifest
    z = _sld(lab, "case.org.", [8])
    z.add("MiXeD.case.org.", "A", lab.data_addr(9050))
    z.add("Host.case.org.", "TXT", '"one"')
    z.add("hOST.case.org.", "TXT", '"two"')
    m.answer(lab, "case-query", "names differing only in case (query in other case)",
             "mixed.CASE.org.", "A")
    m.answer(lab, "case-merge", "owners differing only in case are one RRset", "HOST.case.org.", "TXT")

    z = _sld(lab, "long.org.", [9])
    labels = ["a" * 63, "b" * 63, "c" * 63, "d" * 52]  # 3*64 + 53 + len("\4long\3org\0") = 255
    longest = ".".join(labels) + ".long.org."
    z.add(longest, "A", lab.data_addr(9060))
    z.add("to-long.long.org.", "CNAME", longest)
    m.answer(lab, "name-255", "a name of exactly 255 octets", longest, "A")
    m.answer(lab, "cname-to-255", "a CNAME to a 255-octet name", "to-long.long.org.", "A")
    m.answer(lab, "nx-255", "NXDOMAIN for a 255-octet name", "e" + longest[1:], "A")
