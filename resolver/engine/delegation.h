// A delegation point: the zone we are asking about, its name servers, what we know of their
// addresses, and what we have tried so far in this resolution (Unbound's delegpt).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "resolver/engine/world.h"
#include "resolver/engine/zone_routes.h"
#include "wire/name.h"
#include "wire/rrset.h"

namespace tern::engine {

struct NameServer {
  wire::Name name;
  std::vector<Address> addresses;
  // Parent-side glue remembered from an earlier referral and not in `addresses`: joins them only
  // when every address of the delegation failed (Unbound's parent-side fallback).
  std::vector<Address> parent_side;
  bool a_looked_up = false;     // a child query for A was made (or glue/cache covered it)
  bool aaaa_looked_up = false;  // same for AAAA
};

struct ServerAttempt {
  // How its last failed exchange ended: decides the failure when every server failed (lame
  // everywhere: AllServersLame; network errors everywhere: NetworkError).
  enum class End : uint8_t { None, Timeout, Network, Lame, Other };
  Address address;
  End last_end = End::None;
  uint32_t attempts = 0;  // failed exchanges with it (timeouts, rejected responses) here
  bool done = false;      // lame, failed, or used up: never again for this delegation
  bool timed_out = false;  // its last failed exchange was a timeout: worth another round
};

struct Delegation {
  wire::Name zone;
  std::vector<NameServer> servers;
  std::vector<ServerAttempt> tried;
  uint32_t glueless_lookups = 0;
  uint32_t skipped_not_allowed = 0;  // addresses dropped by the allow-list / IPv6 switch
  bool from_hints = false;
  bool parent_side_added = false;  // the servers' parent_side addresses joined their addresses
  uint32_t rounds = 0;  // times every used-up server was given another round (timeouts only)
  // Built from a [[forward-zone]] / [[stub-zone]] (the resolution's ZoneRoutes keeps it alive).
  const ConfiguredZone* configured = nullptr;
  bool forward = false;  // the servers are forwarders: RD=1, no minimisation, no lameness

  NameServer* find(const wire::Name& ns);
  ServerAttempt& attempt(const Address& a);
  const ServerAttempt* find_attempt(const Address& a) const;
  bool has_address() const;
};

// The NS names of an NS RRset (targets that do not parse are skipped).
std::vector<wire::Name> ns_targets(const wire::RRset& ns);

// Addresses held in A / AAAA RRsets, on `port`.
std::vector<Address> addresses_of(const wire::RRset& rrset, uint16_t port);

}  // namespace tern::engine
