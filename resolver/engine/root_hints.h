// Root hints: the NS set of the root zone and the addresses of those servers, parsed from
// zone-file text (IANA's named.root, compiled in, or the operator's --root-hints file). Used only
// to prime (RFC 8109) and as the last resort when the cached root servers have no address.
#pragma once

#include <string_view>
#include <vector>

#include "resolver/engine/world.h"
#include "wire/name.h"
#include "wire/result.h"
#include "wire/rrset.h"

namespace tern::engine {

struct RootHints {
  wire::RRset ns;                   // ". NS a.root-servers.net. ..."
  std::vector<wire::RRset> addrs;   // A / AAAA of the NS names
};

enum class RootHintsError : uint8_t {
  BadLine,        // a line that is not a resource record
  NotRoot,        // an NS record whose owner is not the root
  UnexpectedType, // anything but NS, A, AAAA
  NoNameServers,  // no NS record
  NoAddresses,    // no NS name has an address
  TooLarge,       // more lines / records than any sane hints file
};
std::string_view to_string(RootHintsError e);

// Lines are "owner [ttl] [class] type rdata"; ';' comments and blank lines are skipped; $ORIGIN /
// $TTL directives are accepted (only the root origin makes sense). A / AAAA records of names that
// are not NS targets are ignored.
Result<RootHints, RootHintsError> parse_root_hints(std::string_view text);

// The addresses of one hinted server name, on `port`.
std::vector<Address> hint_addresses(const RootHints& hints, const wire::Name& ns_name,
                                    uint16_t port);

}  // namespace tern::engine
