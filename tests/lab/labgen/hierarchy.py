"""Builds the lab: root, TLDs, the generated second-level zones and the cases resolvers get wrong.

Deterministic: the same (net, seed, size) always gives byte-identical zone files and manifest.
The address plan (X = the lab's /16, e.g. 127.53):
  X.0.1-2    root servers a/b.root-servers.net      (., root-servers.net)
  X.1.1-2    a/b.gtld-servers.net                   (com, net, org)
  X.1.3      a.nic.test                             (test, arpa)
  X.1.4      a.in-addr-servers.arpa                 (in-addr.arpa, ip6.arpa)
  X.2.1-10   ns1..ns10.dnshost.net                  (second-level zones, the cases)
  X.3.1-..   the fault authority, one address per scripted behaviour (fault.test subzones)
  X.9.9      a listed name server where nothing listens
  X.200-254  addresses that appear only as data in answers (never bound)
  X.255.x    free for resolvers under test (the Unbound check uses X.255.1)
"""

import random

from .model import Host, Zone, addr
from .cases import add_cases
from .dnssec_cases import add_dnssec_cases
from .manifest import Manifest

SLD_HOSTS = 10
TLDS = ("com", "net", "org")
SYLLABLES = ("ka", "lo", "mi", "ne", "su", "ta", "ri", "vo", "pe", "zu", "ba", "do", "fi", "ge",
             "hu", "ja", "ke", "lu", "mo", "ny", "pa", "qi", "ro", "se", "ti", "va", "wo", "xe")


class Lab:
    def __init__(self, net, seed, size):
        self.net, self.seed, self.size = net, seed, size
        self.rng = random.Random(seed)
        self.zones = {}  # origin -> Zone
        self.hosts = {}  # key -> Host
        self.manifest = Manifest()
        self.names = []  # (qname, qtype) that resolve, for cache-hit benchmarks
        self.faults = []  # fault authority config lines
        self.wildcard_zone = "wild.test."

    # --- addresses and hosts -------------------------------------------------------------------
    def a(self, third, fourth):
        return addr(self.net, third, fourth)

    def data_addr(self, i):
        """An address that only ever appears as answer data."""
        return self.a(200 + (i // 250) % 50, 1 + i % 250)

    def host(self, key, name, address, kind="nsd"):
        h = Host(key, name, address, kind)
        self.hosts[key] = h
        return h

    def sld_host(self, n):  # 1-based
        return self.hosts[f"ns{n}"]

    def zone(self, origin, ns_names, hosts=(), primary=None):
        if origin in self.zones:
            raise ValueError(f"zone {origin} defined twice")
        z = Zone(origin, ns_names, primary)
        self.zones[origin] = z
        for h in hosts:
            h.serve(z)
        return z

    def tld_of(self, origin):
        labels = origin.rstrip(".").split(".")
        return self.zones[labels[-1] + "."]

    def delegate(self, parent, child, ns_names, glue=None):
        """NS records for child in parent, with glue A records for the names given in glue."""
        for ns in ns_names:
            parent.add(child, "NS", ns)
        for name, address in (glue or {}).items():
            parent.add(name, "A", address)

    # --- the build --------------------------------------------------------------------------------
    def build(self):
        self._infrastructure()
        add_cases(self)
        add_dnssec_cases(self)
        self._generated()
        return self

    def _infrastructure(self):
        a = self.a
        r1 = self.host("root1", "a.root-servers.net.", a(0, 1))
        r2 = self.host("root2", "b.root-servers.net.", a(0, 2))
        g1 = self.host("gtld1", "a.gtld-servers.net.", a(1, 1))
        g2 = self.host("gtld2", "b.gtld-servers.net.", a(1, 2))
        nt = self.host("nictest", "a.nic.test.", a(1, 3))
        ia = self.host("inaddr", "a.in-addr-servers.arpa.", a(1, 4))
        for n in range(1, SLD_HOSTS + 1):
            self.host(f"ns{n}", f"ns{n}.dnshost.net.", a(2, n))

        roots = [r1.name, r2.name]
        root = self.zone(".", roots, [r1, r2])
        for h in (r1, r2):
            root.add(h.name, "A", h.address)
        gtld = [g1.name, g2.name]
        for tld in TLDS:
            self.zone(tld + ".", gtld, [g1, g2])
            self.delegate(root, tld + ".", gtld)
        for h in (g1, g2):
            root.add(h.name, "A", h.address)
        test = self.zone("test.", [nt.name], [nt])
        test.add(nt.name, "A", nt.address)
        self.delegate(root, "test.", [nt.name], {nt.name: nt.address})
        arpa = self.zone("arpa.", [nt.name], [nt])
        self.delegate(root, "arpa.", [nt.name])

        net = self.zones["net."]
        for h in (g1, g2):
            net.add(h.name, "A", h.address)  # gtld-servers.net lives inside the net zone
        rs = self.zone("root-servers.net.", roots, [r1, r2])
        for h in (r1, r2):
            rs.add(h.name, "A", h.address)
        self.delegate(net, "root-servers.net.", roots, {r1.name: r1.address, r2.name: r2.address})

        for origin in ("in-addr.arpa.", "ip6.arpa."):
            self.zone(origin, [ia.name], [ia])
            self.delegate(arpa, origin, [ia.name])
        arpa.add(ia.name, "A", ia.address)

        h1, h2 = self.sld_host(1), self.sld_host(2)
        dnshost = self.zone("dnshost.net.", [h1.name, h2.name], [h1, h2])
        for n in range(1, SLD_HOSTS + 1):
            h = self.sld_host(n)
            dnshost.add(h.name, "A", h.address)
        self.delegate(net, "dnshost.net.", [h1.name, h2.name],
                      {h1.name: h1.address, h2.name: h2.address})

    def _generated(self):
        """`size` second-level zones spread over the SLD hosts; a third with in-bailiwick glue."""
        rng = self.rng
        samples = 0
        for i in range(self.size):
            word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            tld = TLDS[i % 3]
            origin = f"{word}{i}.{tld}."
            h1 = self.sld_host(1 + i % SLD_HOSTS)
            h2 = self.sld_host(1 + (i + 3) % SLD_HOSTS)
            if i % 3 == 0:
                ns = [f"ns1.{origin}", f"ns2.{origin}"]
                glue = {ns[0]: h1.address, ns[1]: h2.address}
            else:
                ns, glue = [h1.name, h2.name], {}
            z = self.zone(origin, ns, [h1, h2])
            for name, address in glue.items():
                z.add(name, "A", address)
            self.delegate(self.zones[tld + "."], origin, ns, glue)
            data = self.data_addr(i)
            for label in ("", "www.", "mail.", "api."):
                z.add(label + origin, "A", data)
            z.add("cdn." + origin, "CNAME", "www." + origin)
            z.add(origin, "MX", f"10 mail.{origin}")
            z.add(origin, "TXT", f'"v=spf1 mx -all" "zone {i}"')
            for label in ("", "www.", "mail.", "api.", "cdn."):
                self.names.append((label + origin, "A"))
            if samples < 12 and rng.random() < 0.5:
                samples += 1
                case = "generated zone, in-bailiwick glue" if glue else "generated zone, NS in dnshost.net"
                self.manifest.answer(self, f"gen-{i}-www", case, "www." + origin, "A")
                self.manifest.answer(self, f"gen-{i}-cdn", "generated zone, CNAME in zone",
                                     "cdn." + origin, "A")
                self.manifest.answer(self, f"gen-{i}-mx", "generated zone, MX", origin, "MX")


def build(net, seed, size):
    return Lab(net, seed, size).build()
