// 0x20 on the query bytes: randomise the case of the question name's letters before sending, and
// put the name the engine asked for back into an accepted answer, so the engine, the cache and
// the client never see the random case. Both work on the name's wire form right after the
// 12-byte header, which is never compressed in a query (and which the filter has checked in the
// answer).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "resolver/engine/world.h"

namespace tern::net {

// Flips each letter of the question name to upper or lower case at random. Returns the number of
// letters (0: nothing to randomise, e.g. the root).
size_t randomise_qname_case(std::span<uint8_t> query, engine::Random& random);

// Writes `original_qname` (wire form) over the question name of `response`. The caller has
// checked that the response's question name is the same name in some case, uncompressed.
void restore_qname(std::span<uint8_t> response, std::span<const uint8_t> original_qname);

// Also writes it over every later literal copy of `sent_qname` (the randomised wire form, all
// labels and the root byte): a server that does not compress spells the answer's owner name out,
// and the random case must not reach the cache that way either. A byte run equal to a whole
// randomised name is that name; the question's copy is restored first.
void restore_qname_everywhere(std::span<uint8_t> response, std::span<const uint8_t> sent_qname,
                              std::span<const uint8_t> original_qname);

}  // namespace tern::net
