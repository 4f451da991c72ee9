// The fault authority's answers: a pure function from (spec, query bytes, transport) to the
// replies to send, so every behaviour is tested without sockets.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "fault_spec.h"

namespace tern::lab {

enum class Via : uint8_t { Udp, Tcp };

struct Reply {
  std::vector<uint8_t> bytes;
  bool from_other_port = false;  // sent from the spec's other_port instead of port 53
  uint32_t delay_ms = 0;         // sent this long after the query arrived
};

// Replies in the order they are to be sent; empty means silence. A query that does not parse
// gets a bare FORMERR when its header is readable, nothing otherwise.
std::vector<Reply> respond(const FaultSpec& spec, std::span<const uint8_t> query, Via via);

}  // namespace tern::lab
