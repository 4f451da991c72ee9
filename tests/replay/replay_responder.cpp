#include "replay_responder.h"

#include "wire/message_builder.h"
#include "wire/message_view.h"

namespace tern::replay {

std::optional<std::vector<uint8_t>> build_reply(const Entry& entry,
                                                std::span<const uint8_t> query) {
  if (entry.adjust.do_not_answer) return std::nullopt;
  auto parsed = wire::MessageView::parse(query);
  if (entry.raw) {
    std::vector<uint8_t> bytes = *entry.raw;
    if (entry.adjust.raw_id && bytes.size() >= 2 && query.size() >= 2) {
      bytes[0] = query[0];
      bytes[1] = query[1];
    }
    return bytes;
  }
  if (!parsed) return std::nullopt;  // the engine's own queries always parse
  const wire::MessageView& q = *parsed;

  wire::MessageBuilder b(65535);
  wire::Header h;
  const ReplyFlags& f = entry.flags;
  h.id = entry.adjust.copy_id ? q.header().id : 0;
  h.qr = f.qr;
  h.aa = f.aa;
  h.tc = f.tc;
  h.rd = f.rd;
  h.ra = f.ra;
  h.ad = f.ad;
  h.cd = f.cd;
  h.opcode = f.opcode;
  const auto rcode = uint16_t(f.rcode);
  h.rcode = uint8_t(rcode & 0x0f);
  b.set_header(h);
  if (auto e = q.edns()) {
    // Deckard answers with the query's EDNS version and flags (so DO is echoed).
    wire::Edns edns;
    edns.udp_size = 4096;
    edns.do_bit = e->do_bit();
    edns.ext_rcode_high = uint8_t(rcode >> 4);
    b.set_edns(edns);
  }
  auto qname = q.has_question() ? q.qname().to_name() : Result<wire::Name, wire::WireError>(wire::Name());
  if (!qname) return std::nullopt;
  if (entry.adjust.copy_query) {
    if (q.has_question()) b.add_question(*qname, q.qtype(), q.qclass());
  } else {
    for (const Question& tq : entry.question) {
      // copy_id also takes the query's spelling of the name (Deckard copies the name object).
      const wire::Name& name = entry.adjust.copy_id && q.has_question() ? *qname : tq.qname;
      b.add_question(name, tq.qtype, tq.qclass);
    }
  }
  auto add = [&b](wire::Section s, const std::vector<wire::ParsedRR>& rrs) {
    for (const auto& rr : rrs) b.add_record(s, rr.owner, rr.type, rr.rclass, rr.ttl, rr.rdata);
  };
  add(wire::Section::Answer, entry.answer);
  add(wire::Section::Authority, entry.authority);
  add(wire::Section::Additional, entry.additional);
  return b.finish();
}

std::optional<std::vector<uint8_t>> servfail_reply(std::span<const uint8_t> query) {
  auto parsed = wire::MessageView::parse(query);
  if (!parsed) return std::nullopt;
  const wire::MessageView& q = *parsed;
  wire::MessageBuilder b(65535);
  wire::Header h;
  h.id = q.header().id;
  h.qr = true;
  h.rd = q.header().rd;
  h.opcode = q.header().opcode;
  h.rcode = uint8_t(wire::Rcode::ServFail);
  b.set_header(h);
  if (auto e = q.edns()) {
    wire::Edns edns;
    edns.udp_size = 4096;
    edns.do_bit = e->do_bit();
    b.set_edns(edns);
  }
  if (q.has_question()) {
    auto name = q.qname().to_name();
    if (!name) return std::nullopt;
    b.add_question(*name, q.qtype(), q.qclass());
  }
  return b.finish();
}

Responder::Responder(const Scenario& scenario, Unmatched unmatched)
    : scenario_(scenario), unmatched_(unmatched) {
  for (const Range& r : scenario.ranges) {
    std::vector<engine::Address> addrs;
    for (const auto& text : r.addresses) {
      // An address that does not parse matches nothing (a query can never be sent to it).
      if (auto a = engine::Address::parse(text, 53)) addrs.push_back(*a);
    }
    range_addresses_.push_back(std::move(addrs));
    std::vector<CompareMessage> templates;
    for (const Entry& e : r.entries) templates.push_back(from_entry(e));
    range_templates_.push_back(std::move(templates));
  }
  for (const Step& s : scenario.steps) {
    if (s.type == StepType::Reply && s.entry) {
      reply_templates_.push_back(from_entry(*s.entry));
    } else {
      reply_templates_.push_back(std::nullopt);
    }
  }
  reply_used_.assign(scenario.steps.size(), false);
}

bool Responder::entry_fits(const Entry& entry, const CompareMessage& tmpl,
                           const CompareMessage& query, engine::Protocol protocol) const {
  if (entry.match.tcp && protocol != engine::Protocol::Tcp) return false;
  if (entry.match.udp && protocol != engine::Protocol::Udp) return false;
  // An entry without MATCH answers anything (testbound's reading).
  if (!entry.has_match) return true;
  return !compare(entry.match, tmpl, query).has_value();
}

std::optional<Responder::Reply> Responder::answer(int step, const engine::Address& server,
                                                  engine::Protocol protocol,
                                                  std::span<const uint8_t> query,
                                                  std::string& why) {
  auto parsed = from_wire(query);
  if (!parsed) {
    why = "the query does not parse";
    return std::nullopt;
  }
  bool any_range = false;
  for (size_t i = 0; i < scenario_.ranges.size(); ++i) {
    const Range& r = scenario_.ranges[i];
    if (step < r.from || step > r.to) continue;
    const auto& addrs = range_addresses_[i];
    if (!addrs.empty()) {
      bool found = false;
      for (const auto& a : addrs) found = found || (a.v6 == server.v6 && a.bytes == server.bytes);
      if (!found) continue;
    }
    any_range = true;
    for (size_t j = 0; j < r.entries.size(); ++j) {
      const Entry& e = r.entries[j];
      if (!entry_fits(e, range_templates_[i][j], *parsed, protocol)) continue;
      auto bytes = build_reply(e, query);
      if (!bytes) {
        why = "entry at line " + std::to_string(e.line) + " says do_not_answer";
        return std::nullopt;
      }
      return Reply{std::move(*bytes), "range " + std::to_string(r.from) + "-" +
                                          std::to_string(r.to) + " entry at line " +
                                          std::to_string(e.line)};
    }
  }
  // One-shot replies scripted as steps (testbound style), at or after the current step.
  for (size_t i = 0; i < scenario_.steps.size(); ++i) {
    const Step& s = scenario_.steps[i];
    if (s.id < step || s.type != StepType::Reply || reply_used_[i] || !s.entry) continue;
    if (!entry_fits(*s.entry, *reply_templates_[i], *parsed, protocol)) continue;
    reply_used_[i] = true;
    auto bytes = build_reply(*s.entry, query);
    if (!bytes) {
      why = "STEP " + std::to_string(s.id) + " REPLY says do_not_answer";
      return std::nullopt;
    }
    return Reply{std::move(*bytes),
                 "STEP " + std::to_string(s.id) + " REPLY (line " + std::to_string(s.line) + ")"};
  }
  why = any_range ? "a range serves this address now but none of its entries matches"
                  : "no range serves this address at this step";
  if (unmatched_ == Unmatched::ServFail) {
    if (auto bytes = servfail_reply(query)) {
      return Reply{std::move(*bytes), "SERVFAIL stand-in (" + why + ")", false};
    }
  }
  return std::nullopt;
}

}  // namespace tern::replay
