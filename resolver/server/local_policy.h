// The local policy (issue #15): which names this resolver answers itself, from built-in zones
// (RFC 6761/6303: localhost., invalid., private and special-use reverse zones), the configured
// [[local-zone]] / [[local-data]] entries and the hosts file. One immutable object, built from the
// configuration (local_policy_builder.h) and handed to every worker as a shared_ptr<const>; a
// reload builds a new one and swaps it in whole, so a worker never sees half of a change.
//
// Zone types follow Unbound's local-zone types of the same names.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "resolver/server/client_query.h"
#include "wire/name.h"
#include "wire/rrset.h"

namespace tern::server {

// Local CNAMEs followed inside the local data for one answer (a long chain stops here).
constexpr size_t kMaxLocalCnameHops = 8;

enum class LocalZoneType : uint8_t {
  Static,          // answer from local data; NXDOMAIN / NODATA otherwise
  Transparent,     // local data first; names (and types) without local data are resolved
  Redirect,        // every name at or below the apex gets the apex's data
  Refuse,          // REFUSED, unless local data holds the exact answer
  Deny,            // drop the query, unless local data holds the exact answer
  AlwaysNxdomain,  // NXDOMAIN, local data ignored
  AlwaysNodata,    // NOERROR with no answer, local data ignored
};

std::optional<LocalZoneType> local_zone_type_from_text(std::string_view text);
std::string_view to_string(LocalZoneType type);

// What the pipeline does with a query after asking the policy.
struct LocalDecision {
  enum class Kind : uint8_t { Resolve, Answer, Drop };
  Kind kind = Kind::Resolve;
  Sections sections;  // for Answer
};

class LocalPolicy {
 public:
  // --- building (only before the policy is shared) -------------------------------------------
  // Adds a zone, replacing any zone at the same apex and its data (a configured zone overrides a
  // built-in one).
  void add_zone(const wire::Name& apex, LocalZoneType type);
  bool has_zone(const wire::Name& apex) const { return zones_.count(apex) != 0; }
  // Adds one record to the zone at `apex` (which must exist).
  void add_record_to(const wire::Name& apex, const wire::Name& owner, wire::RRType type,
                     uint32_t ttl, std::span<const uint8_t> rdata);
  // Adds one record to the closest zone enclosing `owner`; with none, to a transparent zone at
  // `owner` itself (what Unbound does with local-data outside every local-zone).
  void add_record(const wire::Name& owner, wire::RRType type, uint32_t ttl,
                  std::span<const uint8_t> rdata);

  // --- answering (any thread, read-only) -----------------------------------------------------
  LocalDecision decide(const ClientQuery& q) const;

  // Zones and records in a canonical text form: two policies built from equal inputs compare
  // equal, so a reload that changes nothing swaps nothing and flushes no packet cache.
  std::string fingerprint() const;
  size_t zone_count() const { return zones_.size(); }
  // The closest zone enclosing `name`, if any (tests and the docs).
  std::optional<std::pair<wire::Name, LocalZoneType>> zone_of(const wire::Name& name) const;
  // Every zone with its type and number of records, in canonical order of the apex (the control
  // command list-local-zones).
  struct ZoneSummary {
    wire::Name apex;
    LocalZoneType type = LocalZoneType::Static;
    size_t records = 0;
  };
  std::vector<ZoneSummary> zones() const;

 private:
  // Owner name -> its RRsets; an empty vector marks an empty non-terminal (a name with data below
  // it), which exists: it gets NODATA, not NXDOMAIN.
  using Nodes = std::unordered_map<wire::Name, std::vector<wire::RRset>, wire::NameHash>;
  struct Zone {
    wire::Name apex;
    LocalZoneType type = LocalZoneType::Static;
    Nodes nodes;
  };

  const Zone* closest_zone(const wire::Name& qname) const;
  Sections negative(const Zone& z, wire::Rcode rcode) const;
  // The answer from `node` (owner spelled as the client asked); nullopt when the node has
  // nothing for the type.
  std::optional<Sections> from_node(const std::vector<wire::RRset>& node, const ClientQuery& q) const;
  void follow_local_cname(Sections& s, wire::RRType qtype) const;

  std::unordered_map<wire::Name, Zone, wire::NameHash> zones_;
  // Last labels of every apex ("arpa.", "example."): most questions leave after one lookup.
  std::unordered_set<wire::Name, wire::NameHash> tlds_;
  bool has_root_zone_ = false;
};

}  // namespace tern::server
