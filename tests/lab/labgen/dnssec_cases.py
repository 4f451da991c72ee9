"""The signed lab: which zones are signed and how, and one zone per DNSSEC case of issue #14.

The root and the TLDs are signed (ECDSA P-256, NSEC); the DNSSEC case zones below com. are signed
each in the way its case needs; every other zone stays unsigned, an insecure delegation from a
signed parent (no DS). The signing itself happens after the zone files are written
(labgen/signer.py); here each signed zone gets a Signing plan in lab.signing and each case its
manifest entries, with the outcome a validating resolver must give in entry["dnssec"]:

  {"status": "secure" | "insecure" | "bogus", "ede": code or None, "ede_also": [codes]}

secure: NOERROR/NXDOMAIN with AD; insecure: the plain answer without AD; bogus: SERVFAIL with
Extended DNS Error `ede` (RFC 8914; `ede_also`: codes a resolver may rightly give instead), and
with CD=1 the plain answer. The entry's rcode and answer are always the plain answer (what a
non-validating resolver, or a validating one asked with CD=1, returns).
"""

from .cases import _sld

# RFC 8914 Extended DNS Error codes used by the cases.
EDE_UNSUPPORTED_DNSKEY_ALG = 1
EDE_UNSUPPORTED_DS_DIGEST = 2
EDE_DNSSEC_BOGUS = 6
EDE_SIGNATURE_EXPIRED = 7
EDE_SIGNATURE_NOT_YET_VALID = 8
EDE_DNSKEY_MISSING = 9
EDE_RRSIGS_MISSING = 10
EDE_NSEC_MISSING = 12
EDE_UNSUPPORTED_NSEC3_ITERATIONS = 27

ALGORITHMS = (8, 10, 13, 14, 15, 16)  # RSASHA256, RSASHA512, ECDSAP256, ECDSAP384, ED25519, ED448
TOO_MANY_ITERATIONS = 500  # RFC 9276: validators treat > 150 (BIND, Unbound) or > 100 as insecure
KEYTRAP_KEYS = 16  # DNSKEYs sharing one key tag (bounded: a test of limits, not an attack)
KEYTRAP_SIGS = 16  # RRSIGs over www.keytrap.com. A, all claiming that tag, none valid
UNSUPPORTED_ALG = 253  # PRIVATEDNS: no validator implements an unnamed private algorithm
UNSUPPORTED_DIGEST = 200  # an unassigned DS digest type


class Signing:
    """How one zone is signed.

    alg: DNSSEC algorithm number; nsec3: None (NSEC) or the NSEC3 iterations; optout: NSEC3
    opt-out; validity: "normal", "expired" or "notyet"; ds: what the parent gets ("normal",
    "nomatch": the DS of a key the zone does not hold, "alg253": the DS of the crafted
    PRIVATEDNS key, "digest200": an unassigned digest type); tamper: edits of the signed zone
    (see signer.TAMPERS)."""

    def __init__(self, alg=13, nsec3=None, optout=False, validity="normal", ds="normal",
                 tamper=()):
        self.alg, self.nsec3, self.optout = alg, nsec3, optout
        self.validity, self.ds, self.tamper = validity, ds, tuple(tamper)

    def describe(self):
        return {"alg": self.alg, "nsec3": self.nsec3, "optout": self.optout,
                "validity": self.validity, "ds": self.ds, "tamper": list(self.tamper)}


def _expect(entry, status, ede=None, also=()):
    entry["dnssec"] = {"status": status, "ede": ede, "ede_also": list(also)}
    return entry


def add_dnssec_cases(lab):
    lab.signing = {}
    for origin in (".", "com.", "net.", "org.", "test.", "arpa."):
        lab.signing[origin] = Signing(13)
    m = lab.manifest
    n = iter(range(9100, 9200))  # answer-data addresses of the DNSSEC cases

    def zone(origin, host, signing=None, www=True):
        z = _sld(lab, origin, [host])
        if www:
            z.add("www." + origin, "A", lab.data_addr(next(n)))
        if signing:
            lab.signing[origin] = signing
        return z

    def entry(eid, case, qname, qtype, status, ede=None, also=()):
        return _expect(m.answer(lab, eid, case, qname, qtype), status, ede, also)

    entry("dnssec-root", "DNSSEC: the signed root's SOA", ".", "SOA", "secure")
    entry("dnssec-tld", "DNSSEC: a signed TLD (DS in the root)", "com.", "SOA", "secure")

    # Secure, one zone per algorithm: root (13) -> com. (13) -> algN.com. via DS.
    hosts = iter([1, 2, 3, 4, 5, 6])
    for alg in ALGORITHMS:
        zone(f"alg{alg}.com.", next(hosts), Signing(alg))
        entry(f"dnssec-alg{alg}", f"DNSSEC: secure zone signed with algorithm {alg}",
              f"www.alg{alg}.com.", "A", "secure")
    entry("dnssec-nsec-nxdomain", "DNSSEC: NXDOMAIN proven by NSEC", "nx.alg13.com.", "A", "secure")
    entry("dnssec-nsec-nodata", "DNSSEC: NODATA proven by NSEC", "www.alg13.com.", "AAAA", "secure")

    zone("nsec3.com.", 7, Signing(13, nsec3=0))
    entry("dnssec-nsec3-www", "DNSSEC: secure answer from an NSEC3 zone", "www.nsec3.com.", "A",
          "secure")
    entry("dnssec-nsec3-nxdomain", "DNSSEC: NXDOMAIN proven by NSEC3", "nx.nsec3.com.", "A", "secure")
    entry("dnssec-nsec3-nodata", "DNSSEC: NODATA proven by NSEC3", "www.nsec3.com.", "AAAA", "secure")

    # Insecure delegation: a signed parent (com.) without DS for the child.
    zone("insecure.com.", 8)
    entry("dnssec-insecure", "DNSSEC: insecure delegation (no DS in the signed parent)",
          "www.insecure.com.", "A", "insecure")

    # NSEC3 with opt-out: an unsigned child covered by opt-out, a signed child with DS.
    zone("optout.com.", 9, Signing(13, nsec3=0, optout=True))
    zone("unsigned.optout.com.", 10)
    zone("signed.optout.com.", 1, Signing(13))
    entry("dnssec-optout-www", "DNSSEC: NSEC3 opt-out zone, signed data", "www.optout.com.", "A",
          "secure")
    entry("dnssec-optout-insecure", "DNSSEC: NSEC3 with opt-out, unsigned delegation (insecure)",
          "www.unsigned.optout.com.", "A", "insecure")
    entry("dnssec-optout-signed-child", "DNSSEC: NSEC3 opt-out zone, signed child with DS",
          "www.signed.optout.com.", "A", "secure")
    # RFC 5155 §9.2: an opt-out NSEC3 covering the next closer name cannot prove that no
    # (insecure) delegation exists there, so the NXDOMAIN is not authenticated.
    entry("dnssec-optout-nxdomain", "DNSSEC: NXDOMAIN under NSEC3 opt-out (RFC 5155 9.2: no AD)",
          "nx.optout.com.", "A", "insecure")

    # Wildcards, with NSEC and with NSEC3: the expansion needs the proof that no closer name exists.
    for origin, sig, tag in (("wild-nsec.com.", Signing(13), "NSEC"),
                             ("wild-nsec3.com.", Signing(13, nsec3=0), "NSEC3")):
        z = zone(origin, 2 if tag == "NSEC" else 3, sig)
        z.add("*." + origin, "A", lab.data_addr(next(n)))
        z.add("*." + origin, "TXT", '"wildcard"')
        stem = origin.split(".")[0]
        entry(f"dnssec-{stem}", f"DNSSEC: wildcard expansion ({tag})", "any-name." + origin, "A",
              "secure")
        entry(f"dnssec-{stem}-nodata", f"DNSSEC: wildcard NODATA ({tag})", "any-name." + origin,
              "MX", "secure")

    # A CNAME from a signed zone into an unsigned one: the answer as a whole is insecure.
    z = zone("cname-out.com.", 4, Signing(13), www=False)
    z.add("www.cname-out.com.", "CNAME", "www.insecure.com.")
    entry("dnssec-cname-to-unsigned", "DNSSEC: CNAME from a signed zone into an unsigned one",
          "www.cname-out.com.", "A", "insecure")

    # Bogus.
    zone("expired.com.", 5, Signing(13, validity="expired"))
    entry("dnssec-expired", "DNSSEC: expired signatures", "www.expired.com.", "A", "bogus",
          EDE_SIGNATURE_EXPIRED, [EDE_DNSSEC_BOGUS])
    zone("notyet.com.", 6, Signing(13, validity="notyet"))
    entry("dnssec-not-yet-valid", "DNSSEC: signatures not yet valid", "www.notyet.com.", "A",
          "bogus", EDE_SIGNATURE_NOT_YET_VALID, [EDE_DNSSEC_BOGUS])
    zone("wrongkey.com.", 7, Signing(13, tamper=["wrongkey:www"]))
    entry("dnssec-wrong-key", "DNSSEC: signature by a key not in the DNSKEY set",
          "www.wrongkey.com.", "A", "bogus", EDE_DNSSEC_BOGUS, [EDE_DNSKEY_MISSING, EDE_RRSIGS_MISSING])
    zone("ds-nomatch.com.", 8, Signing(13, ds="nomatch"))
    entry("dnssec-ds-nomatch", "DNSSEC: DS that matches no DNSKEY", "www.ds-nomatch.com.", "A",
          "bogus", EDE_DNSKEY_MISSING, [EDE_DNSSEC_BOGUS])
    zone("nosig.com.", 9, Signing(13, tamper=["nosig:www"]))
    entry("dnssec-missing-rrsig", "DNSSEC: missing RRSIGs", "www.nosig.com.", "A", "bogus",
          EDE_RRSIGS_MISSING, [EDE_DNSSEC_BOGUS])

    # Unsupported: algorithm 253 (PRIVATEDNS) in DS and DNSKEY; an unassigned DS digest type.
    zone("unsupported-alg.com.", 10, Signing(13, ds="alg253", tamper=["alg253"]))
    entry("dnssec-unsupported-alg", "DNSSEC: unsupported algorithm (253) is insecure",
          "www.unsupported-alg.com.", "A", "insecure", EDE_UNSUPPORTED_DNSKEY_ALG)
    zone("unsupported-digest.com.", 1, Signing(13, ds="digest200"))
    entry("dnssec-unsupported-digest", "DNSSEC: unsupported DS digest type (200) is insecure",
          "www.unsupported-digest.com.", "A", "insecure", EDE_UNSUPPORTED_DS_DIGEST)

    # RFC 9276: NSEC3 with 500 iterations; the denial is insecure, the signed data still secure.
    zone("nsec3-iter.com.", 2, Signing(13, nsec3=TOO_MANY_ITERATIONS))
    entry("dnssec-nsec3-iterations", f"DNSSEC: NSEC3 with {TOO_MANY_ITERATIONS} iterations "
          "(NXDOMAIN insecure, RFC 9276)", "nx.nsec3-iter.com.", "A", "insecure",
          EDE_UNSUPPORTED_NSEC3_ITERATIONS)
    entry("dnssec-nsec3-iterations-www", "DNSSEC: signed data in a zone with too many NSEC3 "
          "iterations", "www.nsec3-iter.com.", "A", "secure")

    # KeyTrap-shaped (CVE-2023-50387): 16 DNSKEYs with one key tag, 16 RRSIGs all claiming it,
    # none valid. A validator must give up within its limits: bogus, quickly.
    zone("keytrap.com.", 3, Signing(13, tamper=["keytrap:www"]))
    entry("dnssec-keytrap", f"DNSSEC: KeyTrap-shaped ({KEYTRAP_KEYS} DNSKEYs with one key tag, "
          f"{KEYTRAP_SIGS} RRSIGs)", "www.keytrap.com.", "A", "bogus", EDE_DNSSEC_BOGUS,
          [EDE_DNSKEY_MISSING])
