"""The lab's data model: records, zones, name-server hosts and the address plan.

Everything is derived from the lab's /16 (``net``, e.g. "127.53"), so several labs can run side by
side on different /16s of the loopback range.
"""

import ipaddress

DEFAULT_TTL = 3600
SOA_MINIMUM = 300  # negative TTL = min(SOA TTL, SOA minimum) = 300 (RFC 2308 §5)


def check_net(net):
    """Return net ("127.53") if it names a /16 inside 127.0.0.0/8, else raise ValueError."""
    parts = net.split(".")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"--net must look like 127.53, got {net!r}")
    a, b = int(parts[0]), int(parts[1])
    if a != 127 or not 0 <= b <= 255:
        raise ValueError(f"--net {net}: the lab only binds inside 127.0.0.0/8 (loopback)")
    if b == 0:
        raise ValueError("--net 127.0 is refused: 127.0.0.x is where resolvers under test listen")
    return f"{a}.{b}"


def addr(net, third, fourth):
    ip = f"{net}.{third}.{fourth}"
    if not ipaddress.ip_address(ip).is_loopback:
        raise ValueError(f"{ip} is outside 127.0.0.0/8")
    return ip


class Record:
    __slots__ = ("owner", "ttl", "rtype", "rdata")

    def __init__(self, owner, rtype, rdata, ttl=DEFAULT_TTL):
        if not owner.endswith("."):
            raise ValueError(f"owner must be absolute: {owner}")
        self.owner, self.rtype, self.rdata, self.ttl = owner, rtype, rdata, ttl

    def text(self):
        return f"{self.owner} {self.ttl} IN {self.rtype} {self.rdata}"


class Zone:
    """One zone: its records in file order; the SOA and apex NS come first."""

    def __init__(self, origin, ns_names, primary=None):
        self.origin = origin
        self.records = []
        mname = primary or ns_names[0]
        self.soa = f"{mname} hostmaster.{origin if origin != '.' else ''} 1 3600 900 604800 {SOA_MINIMUM}"
        self.add(origin, "SOA", self.soa)
        for ns in ns_names:
            self.add(origin, "NS", ns)

    def add(self, owner, rtype, rdata, ttl=DEFAULT_TTL):
        rec = Record(owner, rtype, rdata, ttl)
        self.records.append(rec)
        return rec

    def find(self, owner, rtype):
        low = owner.lower()
        return [r for r in self.records if r.owner.lower() == low and r.rtype == rtype]

    def file_name(self):
        return "root.zone" if self.origin == "." else self.origin.rstrip(".") + ".zone"

    def text(self):
        return "".join(r.text() + "\n" for r in self.records)


class Host:
    """One authoritative server: a name, an address, and what plays it (nsd or fault)."""

    def __init__(self, key, name, address, kind="nsd"):
        self.key, self.name, self.address, self.kind = key, name, address, kind
        self.zones = []  # origins, for nsd hosts

    def serve(self, zone):
        self.zones.append(zone.origin)
