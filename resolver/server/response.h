// Turns a ClientQuery and the sections of its answer into the bytes sent back: header echo,
// the client's question, EDNS (RFC 6891: OPT only when the client sent one, extended rcode,
// BADVERS), and truncation at an RRset boundary with TC when it does not fit (RFC 2181 §9).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "resolver/server/client_query.h"

namespace tern::server {

// The largest UDP response for this client: 512 without EDNS, else its buffer size clamped to
// [512, cap] (cap: the server's configured maximum, 1232 by default).
size_t udp_response_limit(const ClientQuery& q, uint16_t cap);
constexpr size_t kTcpResponseLimit = 65535;

// `our_udp_size` is the buffer size we advertise in our own OPT. `s.ede` goes into the OPT when the
// client sent EDNS, its EXTRA-TEXT only when `ede_text` (the client may see it).
std::vector<uint8_t> build_response(const ClientQuery& q, const Sections& s, size_t max_size,
                                    uint16_t our_udp_size, bool ede_text = false);

// An answer with no records and `rcode` (FORMERR, REFUSED, SERVFAIL...).
std::vector<uint8_t> build_error(const ClientQuery& q, wire::Rcode rcode, size_t max_size,
                                 uint16_t our_udp_size);

// The smallest TTL over the answer and authority records (what a cached copy may live for).
uint32_t min_ttl(const Sections& s);

}  // namespace tern::server
