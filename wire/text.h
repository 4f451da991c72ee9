// Presentation format: RRs in zone-file syntax and whole messages in dig's style, and the reverse
// for one zone-file line (as in Unbound .rpl scenario files).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wire/message_view.h"
#include "wire/name.h"
#include "wire/result.h"
#include "wire/rr_type.h"
#include "wire/rrset.h"
#include "wire/wire_error.h"

namespace tern::wire {

// One RR as `dig +noall +answer` prints it: owner, TTL, class, type, RDATA, aligned with tabs
// to dig's columns (24, 32, 40, 48); no trailing newline.
std::string rr_to_text(const Name& owner, uint32_t ttl, RRClass rclass, RRType type,
                       std::span<const uint8_t> canonical_rdata);
std::string rrset_to_text(const RRset& rrset);  // one line per RR, each ending in '\n'
// What `dig +noall +comments +question +answer +authority +additional` prints for the message,
// minus dig's ";; Got answer:" line: header and flags lines, the recursion warning, OPT
// PSEUDOSECTION, QUESTION / ANSWER / AUTHORITY / ADDITIONAL sections.
std::string message_to_text(const MessageView& msg);

struct ParsedRR {
  Name owner;
  uint32_t ttl = 0;
  RRClass rclass = RRClass::IN;
  RRType type = RRType::A;
  std::vector<uint8_t> rdata;
};

// "owner [ttl] [class] type rdata": ttl and class optional and in either order; text after an
// unquoted ';' is a comment; parentheses may join lines (the caller passes them as one string).
Result<ParsedRR, WireError> rr_from_text(std::string_view line, const Name& origin,
                                         uint32_t default_ttl = 3600);

}  // namespace tern::wire
