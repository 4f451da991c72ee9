"""A small DNS client for the lab's own checks (readiness, manifest comparison): builds queries,
sends them over UDP (TCP on TC), parses answers into comparable records. Standard library only."""

import ipaddress
import random
import socket
import struct
import time

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28,
         "SRV": 33, "DNAME": 39, "OPT": 41, "CAA": 257}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"]


def name_to_wire(name):
    out = b""
    for label in name.rstrip(".").split(".") if name != "." else []:
        raw = label.encode()
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def build_query(qname, qtype, qid=None, rd=True, edns=1232):
    qid = random.randrange(65536) if qid is None else qid
    flags = 0x0100 if rd else 0
    msg = struct.pack("!HHHHHH", qid, flags, 1, 0, 0, 1 if edns else 0)
    msg += name_to_wire(qname) + struct.pack("!HH", TYPES[qtype], 1)
    if edns:
        msg += b"\0" + struct.pack("!HHIH", 41, edns, 0, 0)
    return qid, msg


class ParseError(Exception):
    pass


def _read_name(msg, off):
    labels, jumps, end = [], 0, None
    while True:
        if off >= len(msg):
            raise ParseError("name runs off the packet")
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if off + 1 >= len(msg) or jumps > 64:
                raise ParseError("bad compression pointer")
            if end is None:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            jumps += 1
            continue
        if n == 0:
            return (".".join(labels) + ".") if labels else ".", (end if end is not None else off + 1)
        labels.append(msg[off + 1: off + 1 + n].decode("latin-1"))
        off += 1 + n


def _canonical_rdata(msg, rtype, off, rdlen):
    """RDATA with embedded names decompressed and lower-cased, for comparison."""
    end = off + rdlen
    t = TYPE_NAMES.get(rtype)
    if t in ("NS", "CNAME", "PTR", "DNAME"):
        return name_to_wire(_read_name(msg, off)[0].lower())
    if t == "MX":
        return msg[off:off + 2] + name_to_wire(_read_name(msg, off + 2)[0].lower())
    if t == "SRV":
        return msg[off:off + 6] + name_to_wire(_read_name(msg, off + 6)[0].lower())
    if t == "SOA":
        m, o = _read_name(msg, off)
        r, o = _read_name(msg, o)
        return name_to_wire(m.lower()) + name_to_wire(r.lower()) + msg[o:end]
    return msg[off:end]


class Response:
    def __init__(self, msg):
        if len(msg) < 12:
            raise ParseError("short header")
        self.id, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
        self.aa = bool(flags & 0x0400)
        self.tc = bool(flags & 0x0200)
        self.rcode_num = flags & 0xF
        self.rcode = RCODES[self.rcode_num] if self.rcode_num < len(RCODES) else str(self.rcode_num)
        off = 12
        self.question = []
        for _ in range(qd):
            name, off = _read_name(msg, off)
            qtype, _ = struct.unpack("!HH", msg[off:off + 4])
            self.question.append((name, qtype))
            off += 4
        self.sections = []
        self.edns = False
        for count in (an, ns, ar):
            recs = []
            for _ in range(count):
                name, off = _read_name(msg, off)
                if off + 10 > len(msg):
                    raise ParseError("record header runs off the packet")
                rtype, _, ttl, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
                off += 10
                if off + rdlen > len(msg):
                    raise ParseError("rdata runs off the packet")
                if rtype == 41:
                    self.edns = True
                else:
                    recs.append((name.lower(), rtype, ttl, _canonical_rdata(msg, rtype, off, rdlen)))
                off += rdlen
            self.sections.append(recs)
        self.answer, self.authority, self.additional = self.sections


def query(server, qname, qtype, port=53, timeout=3.0, rd=True, edns=1232, tcp_on_tc=True,
          retry=None):
    """Ask server; returns a Response, or None on timeout. Falls back to TCP on TC.

    retry: resend every `retry` seconds until `timeout`, as stub resolvers do (Unbound drops a
    reply that took longer than its discard-timeout, 1.9 s, expecting the client to ask again).
    """
    qid, msg = build_query(qname, qtype, rd=rd, edns=edns)
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        next_send = time.monotonic()
        while True:
            now = time.monotonic()
            if now >= deadline:
                return None
            if now >= next_send:
                s.sendto(msg, (server, port))
                next_send = now + retry if retry else deadline
            s.settimeout(max(0.01, min(next_send, deadline) - now))
            try:
                data, _ = s.recvfrom(65535)
            except socket.timeout:
                continue
            except ConnectionRefusedError:
                return None
            if len(data) >= 2 and struct.unpack("!H", data[:2])[0] == qid:
                break
    resp = Response(data)
    if resp.tc and tcp_on_tc:
        return query_tcp(server, msg, port, timeout)
    return resp


def query_tcp(server, msg, port=53, timeout=3.0):
    try:
        with socket.create_connection((server, port), timeout=timeout) as s:
            s.sendall(struct.pack("!H", len(msg)) + msg)
            head = _recv_exact(s, 2)
            return Response(_recv_exact(s, struct.unpack("!H", head)[0]))
    except (OSError, EOFError):
        return None


def _recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed")
        buf += chunk
    return buf


# --- presentation (as the generator writes it) -> comparable record ---------------------------

def _txt_strings(text):
    out, i = [], 0
    while i < len(text):
        if text[i] == '"':
            j = text.index('"', i + 1)
            out.append(text[i + 1:j].encode())
            i = j + 1
        else:
            i += 1
    return out


def record_from_text(line):
    """"owner ttl IN TYPE rdata" (the generator's own format) -> (owner, type, ttl, rdata)."""
    owner, ttl, _, rtype, rdata = line.split(" ", 4)
    t = rtype
    if t == "A":
        wire = socket.inet_aton(rdata)
    elif t == "AAAA":
        wire = ipaddress.IPv6Address(rdata).packed
    elif t in ("NS", "CNAME", "PTR", "DNAME"):
        wire = name_to_wire(rdata.lower())
    elif t == "MX":
        pref, host = rdata.split()
        wire = struct.pack("!H", int(pref)) + name_to_wire(host.lower())
    elif t == "SRV":
        p, w, port, host = rdata.split()
        wire = struct.pack("!HHH", int(p), int(w), int(port)) + name_to_wire(host.lower())
    elif t == "TXT":
        wire = b"".join(bytes([len(s)]) + s for s in _txt_strings(rdata))
    elif t == "CAA":
        flags, tag, value = rdata.split(" ", 2)
        wire = bytes([int(flags), len(tag)]) + tag.encode() + _txt_strings(value)[0]
    elif t == "SOA":
        m, r, *nums = rdata.split()
        wire = name_to_wire(m.lower()) + name_to_wire(r.lower()) + struct.pack("!5I", *map(int, nums))
    else:
        raise ValueError(f"type {t} not supported by the lab's text parser")
    return owner.lower(), TYPES[t], int(ttl), wire
