"""The manifest: questions and the answers a correct resolver gives, computed from the lab's own
zone data by a small model of authoritative lookup (CNAME/DNAME chains, wildcards, NXDOMAIN vs.
NODATA), or stated explicitly where the outcome depends on reachability (lame, dead, faults)."""

from .model import Record, SOA_MINIMUM


def _labels(name):
    return [] if name == "." else name.rstrip(".").lower().split(".")


def _is_under(name, origin):
    o = _labels(origin)
    n = _labels(name)
    return len(n) >= len(o) and (not o or n[-len(o):] == o)


class Manifest:
    def __init__(self):
        self.entries = []
        self.ids = set()

    def _add(self, entry):
        if entry["id"] in self.ids:
            raise ValueError(f"manifest id {entry['id']} used twice")
        self.ids.add(entry["id"])
        self.entries.append(entry)
        return entry

    def fixed(self, eid, case, qname, qtype, rcode, answer=None, note=None, after=None):
        """An outcome stated by hand: rcode, and the answer RRs (None: answer not checked)."""
        e = {"id": eid, "case": case, "qname": qname, "qtype": qtype, "rcode": rcode,
             "answer": None if answer is None else [r.text() for r in answer]}
        if note:
            e["note"] = note
        if after:
            e["after"] = after
        return self._add(e)

    def answer(self, lab, eid, case, qname, qtype, note=None, after=None):
        """An outcome computed from the zone data, as the authoritative servers would give it."""
        rcode, answer, neg_zone = lookup(lab, qname, qtype)
        e = self.fixed(eid, case, qname, qtype, rcode, answer, note, after)
        if neg_zone is not None:
            soa = neg_zone.records[0]
            e["negative"] = {"soa_owner": neg_zone.origin, "ttl": min(soa.ttl, SOA_MINIMUM)}
        return e


def zone_for(lab, name):
    best = None
    for origin, z in lab.zones.items():
        if _is_under(name, origin) and (best is None or len(_labels(origin)) > len(_labels(best.origin))):
            best = z
    return best


def _exists(zone, name):
    low = name.lower()
    return any(r.owner.lower() == low or r.owner.lower().endswith("." + low) for r in zone.records)


def _wildcard(zone, name):
    """The wildcard owner that would match name (RFC 4592 closest encloser), or None."""
    n = _labels(name)
    o = _labels(zone.origin)
    for cut in range(1, len(n) - len(o) + 1):
        encloser = ".".join(n[cut:]) + "."
        if _exists(zone, encloser):
            star = "*." + encloser
            return star if zone.find(star, "A") or _exists(zone, star) else None
    return None


def _dname(zone, name):
    n = _labels(name)
    for cut in range(1, len(n) - len(_labels(zone.origin)) + 1):
        recs = zone.find(".".join(n[cut:]) + ".", "DNAME")
        if recs:
            return recs[0], n[:cut]
    return None


def lookup(lab, qname, qtype, max_chain=12):
    """(rcode, answer records, zone whose SOA goes in the authority section or None)."""
    answer, seen, name = [], set(), qname
    for _ in range(max_chain):
        if name.lower() in seen:
            return "SERVFAIL", answer, None  # CNAME loop
        seen.add(name.lower())
        z = zone_for(lab, name)
        recs = z.find(name, qtype)
        if recs:
            return "NOERROR", answer + recs, None
        cname = z.find(name, "CNAME")
        if cname and qtype != "CNAME":
            answer += cname
            name = cname[0].rdata
            continue
        dn = _dname(z, name)
        if dn:
            rec, prefix = dn
            target = ".".join(prefix) + "." + rec.rdata
            answer += [rec, Record(name, "CNAME", target, rec.ttl)]
            name = target
            continue
        if _exists(z, name):
            return "NOERROR", answer, z
        star = _wildcard(z, name)
        if star:
            recs = z.find(star, qtype)
            if recs:
                return "NOERROR", answer + [Record(name, r.rtype, r.rdata, r.ttl) for r in recs], None
            cname = z.find(star, "CNAME")
            if cname:
                answer.append(Record(name, "CNAME", cname[0].rdata, cname[0].ttl))
                name = cname[0].rdata
                continue
            return "NOERROR", answer, z
        return "NXDOMAIN", answer, z
    return "SERVFAIL", answer, None
