#include "fault_responder.h"

#include <algorithm>
#include <optional>
#include <string>

#include "wire/edns.h"
#include "wire/message_builder.h"
#include "wire/message_view.h"
#include "wire/rr_type.h"

namespace tern::lab {
namespace {

using wire::Name;
using wire::RRClass;
using wire::RRType;
using wire::Section;

constexpr uint32_t kTtl = 3600;
constexpr uint32_t kNegativeTtl = 300;
constexpr size_t kPlainUdpLimit = 512;
constexpr size_t kMaxUdpLimit = 4096;
constexpr size_t kTcpLimit = 65535;

struct Query {
  uint16_t id = 0;
  bool rd = false;
  Name qname;
  RRType qtype{};
  RRClass qclass{};
  bool edns = false;
  size_t limit = kPlainUdpLimit;
  std::span<const uint8_t> question_bytes;  // the question section as received
};

std::optional<Query> read_query(std::span<const uint8_t> packet, Via via) {
  auto msg = wire::MessageView::parse(packet);
  if (!msg || msg->header().qr || msg->header().qdcount != 1) return std::nullopt;
  auto qname = msg->qname().to_name();
  if (!qname) return std::nullopt;
  Query q;
  q.id = msg->header().id;
  q.rd = msg->header().rd;
  q.qname = *qname;
  q.qtype = msg->qtype();
  q.qclass = msg->qclass();
  auto edns = msg->edns();
  q.edns = edns.has_value();
  if (via == Via::Tcp) {
    q.limit = kTcpLimit;
  } else if (edns) {
    q.limit = std::clamp<size_t>(edns->udp_size(), kPlainUdpLimit, kMaxUdpLimit);
  }
  q.question_bytes = packet.subspan(wire::kHeaderSize, msg->question_end() - wire::kHeaderSize);
  return q;
}

Name child(const Name& parent, std::string_view label) {
  auto n = parent.prepend(label);
  return n ? *n : parent;  // only too long when the zone is; then the record is simply odd
}

std::vector<uint8_t> a_rdata(const Ipv4& ip) { return {ip.begin(), ip.end()}; }

std::vector<uint8_t> name_rdata(const Name& n) { return {n.wire().begin(), n.wire().end()}; }

std::vector<uint8_t> soa_rdata(const Name& zone) {
  auto out = name_rdata(child(zone, "ns"));
  auto rname = name_rdata(child(zone, "hostmaster"));
  out.insert(out.end(), rname.begin(), rname.end());
  for (uint32_t v : {1u, 3600u, 900u, 604800u, kNegativeTtl})
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(v >> shift));
  return out;
}

// A builder with header, question and (unless told otherwise) the OPT echo in place.
wire::MessageBuilder start(const Query& q, bool aa, wire::Rcode rcode, bool with_edns = true,
                           const Name* question = nullptr) {
  wire::MessageBuilder b(q.limit);
  wire::Header h;
  h.id = q.id;
  h.qr = true;
  h.aa = aa;
  h.rd = q.rd;
  b.set_header(h);
  b.add_question(question ? *question : q.qname, q.qtype, q.qclass);
  if (with_edns && q.edns) b.set_edns(wire::Edns{});
  b.set_rcode(rcode);
  return b;
}

void add(wire::MessageBuilder& b, Section s, const Name& owner, RRType t, uint32_t ttl,
         const std::vector<uint8_t>& rdata) {
  b.add_record(s, owner, t, RRClass::IN, ttl, rdata);
}

// The zone as a proper authoritative server serves it, with www.<zone> A = www.
wire::MessageBuilder authoritative(const FaultSpec& spec, const Query& q, const Ipv4& www) {
  if (!q.qname.is_subdomain_of(spec.zone)) return start(q, false, wire::Rcode::Refused);
  const Name ns = child(spec.zone, "ns");
  const Name www_name = child(spec.zone, "www");
  std::optional<std::vector<uint8_t>> data;
  if (q.qname == spec.zone && q.qtype == RRType::SOA) data = soa_rdata(spec.zone);
  if (q.qname == ns && q.qtype == RRType::A) data = a_rdata(spec.address);
  if (q.qname == www_name && q.qtype == RRType::A) data = a_rdata(www);
  if (q.qname == spec.zone && q.qtype == RRType::NS) {
    auto b = start(q, true, wire::Rcode::NoError);
    add(b, Section::Answer, spec.zone, RRType::NS, kTtl, name_rdata(ns));
    add(b, Section::Additional, ns, RRType::A, kTtl, a_rdata(spec.address));
    return b;
  }
  if (data) {
    auto b = start(q, true, wire::Rcode::NoError);
    add(b, Section::Answer, q.qname, q.qtype, kTtl, *data);
    return b;
  }
  bool exists = q.qname == spec.zone || q.qname == ns || q.qname == www_name;
  auto b = start(q, true, exists ? wire::Rcode::NoError : wire::Rcode::NXDomain);
  add(b, Section::Authority, spec.zone, RRType::SOA, kNegativeTtl, soa_rdata(spec.zone));
  return b;
}

bool below_zone(const FaultSpec& spec, const Query& q) {
  return q.qname.is_subdomain_of(spec.zone) && !(q.qname == spec.zone) &&
         !(q.qname == child(spec.zone, "ns"));
}

// A referral of `owner` to the given servers, glue where given, without AA.
std::vector<uint8_t> referral(const Query& q, const Name& owner, const std::vector<Name>& servers,
                              const std::optional<Ipv4>& glue) {
  auto b = start(q, false, wire::Rcode::NoError);
  for (const auto& s : servers) add(b, Section::Authority, owner, RRType::NS, kTtl, name_rdata(s));
  if (glue) add(b, Section::Additional, servers.front(), RRType::A, kTtl, a_rdata(*glue));
  return b.finish();
}

// Right ID and QR, a question copied from the query, then an answer record whose RDLENGTH runs
// 196 bytes past the end of the packet.
std::vector<uint8_t> malformed(const Query& q) {
  const uint8_t header[] = {uint8_t(q.id >> 8), uint8_t(q.id), 0x84, 0x00, 0, 1, 0, 1, 0, 0, 0, 0};
  const uint8_t record[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 200, 127, 0, 0, 1};
  // Sized once, then filled: appending to a vector built from an initializer list makes GCC 12
  // at -O3 warn about its own inlined reallocation (-Warray-bounds).
  std::vector<uint8_t> out(sizeof header + q.question_bytes.size() + sizeof record);
  auto at = std::copy(std::begin(header), std::end(header), out.begin());
  at = std::copy(q.question_bytes.begin(), q.question_bytes.end(), at);
  std::copy(std::begin(record), std::end(record), at);
  return out;
}

std::vector<Reply> replies(const FaultSpec& spec, const Query& q, Via via) {
  auto proper = [&] { return authoritative(spec, q, spec.answer).finish(); };
  auto forged = [&] { return authoritative(spec, q, spec.bogus).finish(); };
  switch (spec.behaviour) {
    case Behaviour::Normal:
      return {{proper()}};
    case Behaviour::Silence:
      return {};
    case Behaviour::Delay:
      return {{proper(), false, spec.delay_ms}};
    case Behaviour::Tc: {
      if (via == Via::Tcp) return {{proper()}};
      auto b = start(q, true, wire::Rcode::NoError);
      b.set_tc();
      return {{b.finish()}};
    }
    case Behaviour::WrongId: {
      auto bad = forged();
      uint16_t id = uint16_t(q.id ^ 0x5a5a);
      bad[0] = uint8_t(id >> 8);
      bad[1] = uint8_t(id);
      return {{std::move(bad)}, {proper()}};
    }
    case Behaviour::WrongQuestion: {
      Name other = child(q.qname, "forged");
      auto b = start(q, true, wire::Rcode::NoError, true, &other);
      add(b, Section::Answer, q.qname, RRType::A, kTtl, a_rdata(spec.bogus));
      return {{b.finish()}, {proper()}};
    }
    case Behaviour::OtherPort:
      return {{forged(), true, 0}, {proper()}};
    case Behaviour::Poison: {
      auto b = authoritative(spec, q, spec.answer);
      add(b, Section::Authority, spec.victim.parent(), RRType::NS, kTtl,
          name_rdata(child(spec.zone, "ns")));
      add(b, Section::Additional, spec.victim, RRType::A, kTtl, a_rdata(spec.bogus));
      return {{b.finish()}};
    }
    case Behaviour::FormerrEdns:
      if (q.edns) return {{start(q, false, wire::Rcode::FormErr, false).finish()}};
      return {{proper()}};
    case Behaviour::ServFail:
      return {{start(q, false, wire::Rcode::ServFail).finish()}};
    case Behaviour::Refused:
      return {{start(q, false, wire::Rcode::Refused).finish()}};
    case Behaviour::Malformed:
      return {{malformed(q)}};
    case Behaviour::NoAa:
      return {{referral(q, Name(), {*Name::from_text("a.root-servers.net.")}, std::nullopt)}};
    case Behaviour::Nxns: {
      if (!below_zone(spec, q)) return {{proper()}};
      std::vector<Name> servers;
      for (uint32_t k = 1; k <= spec.count; ++k) {
        // Appended, not `"n" + std::to_string(k)`: GCC 12 at -O3 flags that operator+'s
        // inlined insert-at-front with a bogus -Wrestrict overlap.
        std::string label = "n";
        label += std::to_string(k);
        servers.push_back(child(spec.target, label));
      }
      return {{referral(q, q.qname, servers, std::nullopt)}};
    }
    case Behaviour::ReferralLoop:
      if (!below_zone(spec, q)) return {{proper()}};
      return {{referral(q, q.qname, {child(child(spec.zone, "loop-child"), "ns")}, spec.peer)}};
    case Behaviour::UpwardReferral:
      return {{referral(q, spec.parent, {child(spec.parent, "ns")}, spec.peer)}};
    case Behaviour::RefuseMarked:
      // Lowercased first: resolvers randomise the case of the query name (0x20).
      if (q.qname.label_count() > 0 && q.qname.lowercased().label(0).starts_with("refuse"))
        return {{start(q, false, wire::Rcode::Refused).finish()}};
      return {{proper()}};
  }
  return {};
}

}  // namespace

std::vector<Reply> respond(const FaultSpec& spec, std::span<const uint8_t> query, Via via) {
  auto q = read_query(query, via);
  if (!q) {
    auto h = wire::parse_header(query);
    if (!h || h->qr) return {};
    // Header only: RFC 1035 allows a FORMERR without the question it could not read.
    std::vector<uint8_t> formerr = {query[0], query[1], 0x80, 0x01, 0, 0, 0, 0, 0, 0, 0, 0};
    return {{std::move(formerr)}};
  }
  return replies(spec, *q, via);
}

}  // namespace tern::lab
