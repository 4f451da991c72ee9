// The checks every client message passes before anything else looks at it (issue 5, "Bad input"):
// what to drop silently, what to answer with an error straight away, and what goes on to the
// local zones, the packet cache and the engine.
#pragma once

#include <cstdint>
#include <span>

#include "resolver/server/client_query.h"

namespace tern::server {

enum class Verdict : uint8_t {
  Drop,     // no reply at all (unparseable header, a response sent to us)
  Reply,    // reply at once with `rcode` and no records
  Proceed,  // a well-formed QUERY for one question: answer it
};

enum class DropReason : uint8_t { None, ShortHeader, IsResponse };

struct Checked {
  Verdict verdict = Verdict::Drop;
  wire::Rcode rcode = wire::Rcode::NoError;
  DropReason drop_reason = DropReason::None;
  ClientQuery query;
};

// `allowed` is the ACL result for the client's address: clients outside it get REFUSED.
Checked check_query(std::span<const uint8_t> packet, bool allowed);

}  // namespace tern::server
