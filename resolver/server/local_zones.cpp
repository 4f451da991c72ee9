#include "resolver/server/local_zones.h"

#include <string>

namespace tern::server {
namespace {

using wire::Name;
using wire::RRClass;
using wire::RRset;
using wire::RRType;

// Same values Unbound uses for its built-in local zones.
constexpr uint32_t kLocalTtl = 10800;

Name name(std::string_view text) { return *Name::from_text(text); }

void append(std::vector<uint8_t>& out, std::span<const uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

void append_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(v >> shift));
}

RRset soa_for(const Name& apex) {
  // "apex. SOA localhost. nobody.invalid. 1 3600 1200 604800 10800" (RFC 6303 §3).
  std::vector<uint8_t> rdata;
  append(rdata, name("localhost.").wire());
  append(rdata, name("nobody.invalid.").wire());
  for (uint32_t v : {1u, 3600u, 1200u, 604800u, kLocalTtl}) append_u32(rdata, v);
  RRset s(apex, RRType::SOA, RRClass::IN, kLocalTtl);
  s.add(rdata);
  return s;
}

RRset single(const Name& owner, RRType type, std::span<const uint8_t> rdata) {
  RRset s(owner, type, RRClass::IN, kLocalTtl);
  s.add(rdata);
  return s;
}

std::vector<Name> local_zone_apexes() {
  std::vector<std::string> texts = {
      "localhost.", "invalid.",
      // Loopback reverse zones.
      "127.in-addr.arpa.",
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.",
      // RFC 6303 §4.1: RFC 1918 networks.
      "10.in-addr.arpa.", "168.192.in-addr.arpa.",
      // RFC 6303 §4.2-4.5: this network, link local, test networks, broadcast.
      "0.in-addr.arpa.", "254.169.in-addr.arpa.", "2.0.192.in-addr.arpa.",
      "100.51.198.in-addr.arpa.", "113.0.203.in-addr.arpa.", "255.255.255.255.in-addr.arpa.",
      // RFC 6303 §4.6-4.9: the unspecified address, ULA, link local, site local, documentation.
      "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.",
      "d.f.ip6.arpa.", "8.e.f.ip6.arpa.", "9.e.f.ip6.arpa.", "a.e.f.ip6.arpa.", "b.e.f.ip6.arpa.",
      "8.b.d.0.1.0.0.2.ip6.arpa.",
  };
  for (int i = 16; i <= 31; ++i) texts.push_back(std::to_string(i) + ".172.in-addr.arpa.");
  // RFC 7793: the RFC 6598 shared address space 100.64.0.0/10.
  for (int i = 64; i <= 127; ++i) texts.push_back(std::to_string(i) + ".100.in-addr.arpa.");
  std::vector<Name> out;
  for (const auto& t : texts) out.push_back(name(t));
  return out;
}

}  // namespace

LocalZones::LocalZones(const std::vector<std::string>& disabled)
    : zones_(local_zone_apexes()),
      localhost_(name("localhost.")),
      invalid_(name("invalid.")),
      tlds_{name("arpa."), name("localhost."), name("invalid.")},
      loopback_v4_reverse_(name("1.0.0.127.in-addr.arpa.")),
      loopback_v6_reverse_(name(
          "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.")) {
  for (const auto& text : disabled) {
    auto n = Name::from_text(text);
    if (!n) continue;
    std::erase_if(zones_, [&](const Name& z) { return z == *n; });
  }
}

Sections LocalZones::negative(const Name& apex, bool nxdomain) const {
  Sections s;
  s.authoritative = true;
  s.rcode = nxdomain ? wire::Rcode::NXDomain : wire::Rcode::NoError;
  RRset soa = soa_for(apex);
  s.authority.push_back(std::move(soa));
  return s;
}

std::optional<Sections> LocalZones::answer_localhost(const ClientQuery& q, const Name& apex) const {
  // RFC 6761 §6.3: every name at or below localhost. is the loopback address.
  static constexpr uint8_t kV4[] = {127, 0, 0, 1};
  static constexpr uint8_t kV6[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  Sections s;
  s.authoritative = true;
  bool any = q.qtype == RRType::ANY;
  if (q.qtype == RRType::A || any) s.answer.push_back(single(q.qname, RRType::A, kV4));
  if (q.qtype == RRType::AAAA || any) s.answer.push_back(single(q.qname, RRType::AAAA, kV6));
  if (q.qname == apex && (q.qtype == RRType::SOA || any)) s.answer.push_back(soa_for(apex));
  if (q.qname == apex && (q.qtype == RRType::NS || any))
    s.answer.push_back(single(q.qname, RRType::NS, localhost_.wire()));
  if (s.answer.empty()) return negative(apex, false);
  return s;
}

std::optional<Sections> LocalZones::answer(const ClientQuery& q) const {
  const Name* apex = nullptr;
  // Every built-in zone sits under one of three TLDs: most questions are out after one label
  // comparison, before the walk over the zone list.
  bool maybe_local = false;
  if (q.qname.label_count() > 0) {
    Name tld = q.qname.suffix(1);
    for (const Name& t : tlds_) maybe_local |= tld == t;
  }
  for (const Name& z : zones_) {
    if (!maybe_local) break;
    if (q.qname.is_subdomain_of(z) && (!apex || z.label_count() > apex->label_count())) apex = &z;
  }
  if (apex) {
    if (*apex == localhost_) return answer_localhost(q, *apex);
    bool any = q.qtype == RRType::ANY;
    // RFC 6761 §6.4: every invalid. name, the apex included, does not exist.
    if (*apex == invalid_) return negative(*apex, true);
    if (q.qname == loopback_v4_reverse_ || q.qname == loopback_v6_reverse_) {
      if (q.qtype != RRType::PTR && !any) return negative(*apex, false);
      Sections s;
      s.authoritative = true;
      s.answer.push_back(single(q.qname, RRType::PTR, localhost_.wire()));
      return s;
    }
    if (q.qname == *apex) {
      Sections s;
      s.authoritative = true;
      if (q.qtype == RRType::SOA || any) s.answer.push_back(soa_for(*apex));
      if (q.qtype == RRType::NS || any) s.answer.push_back(single(q.qname, RRType::NS, localhost_.wire()));
      if (s.answer.empty()) return negative(*apex, false);
      return s;
    }
    return negative(*apex, true);
  }
  // ANY for any other name is resolved: whether the name exists decides the answer
  // (any_answer.h).
  return std::nullopt;
}

}  // namespace tern::server
