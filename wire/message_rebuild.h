// Re-encoding a parsed message with our own builder, and comparing two parsed messages. Used by
// the real-traffic corpus test and the parser fuzz target (parse -> build -> parse gives the same
// message), and by anyone who must re-serialise a received message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "wire/message_view.h"
#include "wire/result.h"
#include "wire/wire_error.h"

namespace tern::wire {

// Same header (counts recomputed), every question, every record in order with canonical RDATA
// (names re-compressed by our rules), and the OPT record. NoSpace when our encoding does not fit
// `max_size` (a sender can compress harder than we do by pointing into arbitrary bytes).
Result<std::vector<uint8_t>, WireError> rebuild_message(const MessageView& msg,
                                                        size_t max_size = 65535);

// Same header fields, questions (the first one with its exact case), records (owner names
// without case: compression keeps the case of the earlier spelling; RDATA canonical, names of the RFC 1035 types without case) and EDNS.
bool equivalent_messages(const MessageView& a, const MessageView& b);

// Canonical RDATA with the names of the RFC 1035 types lowercased: the form in which two RDATAs
// that differ only through compression compare equal.
std::vector<uint8_t> rdata_case_folded(RRType type, std::span<const uint8_t> canonical_rdata);

}  // namespace tern::wire
