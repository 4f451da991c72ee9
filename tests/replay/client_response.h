// The client side of a replay: the question a QUERY step asks (as Deckard sends it: EDNS with a
// 4096-byte buffer, the step's flags) and the bytes the front end would send back for the
// engine's Answer. Mirrors resolver/server/query_check.cpp and response.cpp (header echo, RA=1,
// AA=0, the client's question, OPT only when the client sent one, truncation at an RRset
// boundary) without linking the libuv front end into the replay.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "resolver/engine/engine.h"
#include "scenario.h"
#include "wire/name.h"
#include "wire/rr_type.h"

namespace tern::replay {

struct ClientQuery {
  uint16_t id = 0;
  wire::Name qname;
  wire::RRType qtype = wire::RRType::A;
  wire::RRClass qclass = wire::RRClass::IN;
  bool rd = false, cd = false;
  bool edns = false;
  bool do_bit = false;
};

ClientQuery client_query_from_entry(const Entry& entry, uint16_t id);
// A RAW query step: nullopt when the front end would drop it or answer it without the engine
// (not a one-question QUERY, a response, unparseable).
std::optional<ClientQuery> client_query_from_wire(std::span<const uint8_t> packet);

// What the front end answers over UDP: limit 1232 for an EDNS client (Tern's default cap), 512
// without EDNS.
std::vector<uint8_t> build_client_response(const ClientQuery& q, const engine::Answer& a);

}  // namespace tern::replay
