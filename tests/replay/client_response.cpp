#include "client_response.h"

#include "wire/message_builder.h"
#include "wire/message_view.h"

namespace tern::replay {

namespace {
constexpr size_t kUdpCap = 1232;  // the front end's default udp_max_payload
constexpr uint16_t kDeckardBuffer = 4096;
}  // namespace

ClientQuery client_query_from_entry(const Entry& entry, uint16_t id) {
  ClientQuery q;
  q.id = id;
  q.qname = entry.question[0].qname;
  q.qtype = entry.question[0].qtype;
  q.qclass = entry.question[0].qclass;
  q.rd = entry.flags.rd;
  q.cd = entry.flags.cd;
  q.edns = true;  // Deckard's client always sends EDNS(0)
  q.do_bit = entry.flags.do_bit;
  return q;
}

std::optional<ClientQuery> client_query_from_wire(std::span<const uint8_t> packet) {
  auto parsed = wire::MessageView::parse(packet);
  if (!parsed) return std::nullopt;
  const wire::Header& h = parsed->header();
  if (h.qr || h.opcode != wire::Opcode::Query || h.qdcount != 1) return std::nullopt;
  auto name = parsed->qname().to_name();
  if (!name) return std::nullopt;
  ClientQuery q;
  q.id = h.id;
  q.qname = *name;
  q.qtype = parsed->qtype();
  q.qclass = parsed->qclass();
  q.rd = h.rd;
  q.cd = h.cd;
  if (auto e = parsed->edns()) {
    q.edns = true;
    q.do_bit = e->do_bit();
  }
  return q;
}

std::vector<uint8_t> build_client_response(const ClientQuery& q, const engine::Answer& a) {
  wire::MessageBuilder b(q.edns ? std::min<size_t>(kDeckardBuffer, kUdpCap) : 512);
  wire::Header h;
  h.id = q.id;
  h.qr = true;
  h.opcode = wire::Opcode::Query;
  h.rd = q.rd;
  h.ra = true;
  h.cd = q.cd;
  const auto rcode = uint16_t(a.rcode);
  h.rcode = uint8_t(rcode & 0x0f);
  b.set_header(h);
  if (q.edns) {
    wire::Edns e;
    e.udp_size = uint16_t(kUdpCap);
    e.ext_rcode_high = uint8_t(rcode >> 4);
    e.do_bit = q.do_bit;
    b.set_edns(e);
  }
  b.add_question(q.qname, q.qtype, q.qclass);
  bool truncated = false;
  for (const auto& rr : a.answer) {
    if (b.add_rrset(wire::Section::Answer, rr) != wire::MessageBuilder::Added::Ok) {
      truncated = true;
      break;
    }
  }
  if (!truncated) {
    for (const auto& rr : a.authority) {
      if (b.add_rrset(wire::Section::Authority, rr) != wire::MessageBuilder::Added::Ok) {
        truncated = true;
        break;
      }
    }
  }
  if (!truncated) {
    for (const auto& rr : a.additional) {
      if (b.add_rrset(wire::Section::Additional, rr) != wire::MessageBuilder::Added::Ok) break;
    }
  }
  if (truncated) b.set_tc();
  return b.finish();
}

}  // namespace tern::replay
