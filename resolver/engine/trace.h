// An optional observer of one resolution, step by step: what `ternd control trace` prints
// (docs/operations.md, "Debugging a SERVFAIL"). The engine calls it only for a resolution started
// with Engine::trace(); every call site tests one pointer first, so an untraced resolution builds
// no step and no string.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "resolver/engine/world.h"
#include "wire/name.h"
#include "wire/rr_type.h"

namespace tern::engine {

struct TraceStep {
  enum class Kind : uint8_t {
    Delegation,  // the zone cut a task starts from (cache, hints, priming)
    Query,       // a query handed to the transport
    Reply,       // a response accepted: RTT, rcode, what it was classified as
    NoReply,     // timeout or transport error
    Rejected,    // a reply that was not an answer to the query sent
    Scrubbed,    // records dropped from a reply, and why
    Referral,    // a delegation to a zone below
    Lame,        // lame or REFUSED: the server is passed over
    Chain,       // a CNAME/DNAME followed
    Child,       // a child question (a name server's address, priming)
    Answer,      // a task finished with data or a denial
    Failure,     // a task failed
    Done,        // the client's answer
  };
  Kind kind = Kind::Query;
  uint32_t depth = 0;  // 0 = the client's question; child questions deeper
  wire::Name qname;    // the task's current name
  wire::RRType qtype = wire::RRType::A;
  wire::Name zone;     // the zone whose servers are asked
  std::optional<Address> server;
  Protocol protocol = Protocol::Udp;
  std::chrono::milliseconds rtt{0};  // Reply only
  std::string detail;  // what happened, for a person to read
};

std::string_view to_string(TraceStep::Kind k);

// Concatenates text without `"literal" + std::string` temporaries, which GCC 12 at -O3 flags
// falsely (-Wrestrict, PR 105329). Numbers go through std::to_string first.
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}
// One line: indentation by depth, then kind, the question, zone, server, RTT and detail.
std::string to_text(const TraceStep& s);

class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void step(const TraceStep& s) = 0;
};

}  // namespace tern::engine
