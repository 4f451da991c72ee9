// A DNS message in the shape Deckard compares: header flags, rcode, opcode, the question and each
// section as a list of single RRs. Built either from an entry's template or from received wire
// bytes, so one comparison serves both "does this upstream query fit the entry" and "is the
// client's answer the expected one" (CHECK_ANSWER).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "scenario.h"
#include "wire/message_view.h"

namespace tern::replay {

struct CompareRR {
  std::string owner;  // lower-cased presentation name
  wire::RRType type = wire::RRType::A;
  wire::RRClass rclass = wire::RRClass::IN;
  uint32_t ttl = 0;
  std::string rdata;  // presentation text; lower-cased for types whose RDATA is only names
  std::string text() const;
};

struct CompareMessage {
  wire::Header header;  // id, flags, opcode; counts unused
  wire::Rcode rcode = wire::Rcode::NoError;
  std::vector<Question> question;
  std::vector<CompareRR> answer, authority, additional;
  bool edns = false;
  bool do_bit = false;
};

CompareMessage from_entry(const Entry& entry);
// nullopt when the bytes are not a parseable DNS message.
std::optional<CompareMessage> from_wire(std::span<const uint8_t> packet);

// Deckard's comparison of `got` against `expected` under `rules`: nullopt when every rule holds,
// else what differed ("rcode: expected NXDOMAIN got NOERROR").
std::optional<std::string> compare(const MatchRules& rules, const CompareMessage& expected,
                                   const CompareMessage& got);

std::string flags_to_text(const wire::Header& h);  // "QR RD RA", Deckard's order
std::string question_to_text(const std::vector<Question>& q);

}  // namespace tern::replay
