// The response policy (RPZ) decision, in one place: which policy zone's trigger matches a query
// or an answer, with BIND's precedence, and what that match makes of the response. Immutable
// once built and shared by every worker as shared_ptr<const RpzPolicy>, like the local policy;
// rpz_loader.h builds and swaps it. Where the pipeline asks it: docs/architecture.md, "Response
// policy zones".
//
// Precedence (BIND 9 ARM, "Response Policy Zone"): the first zone in configuration order with a
// matching trigger wins; within a zone client-IP, then QNAME, then response IP, then NSDNAME,
// then NSIP; an exact QNAME before a wildcard, a longer wildcard before a shorter; among IP
// triggers the longest prefix. Because a response-IP trigger can only match once the answer is
// known, a QNAME or client-IP match in zone k waits for the answer when a zone before k has
// response-IP triggers (BIND's qname-wait-recurse yes), and PASSTHRU in zone k ends the search,
// response triggers of the zones after it included.
#pragma once

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <functional>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "resolver/server/backend.h"
#include "resolver/server/client_query.h"
#include "resolver/server/rpz_zone.h"
#include "wire/name.h"

namespace tern::server {

// RFC 8914 info codes a policy answer may carry ([[rpz]] ede).
constexpr uint16_t kEdeForgedAnswer = 4;
constexpr uint16_t kEdeBlocked = 15;
constexpr uint16_t kEdeCensored = 16;
constexpr uint16_t kEdeFiltered = 17;
// "blocked", "filtered", "censored", "forged" or "none" (out = nullopt); false for other text.
bool rpz_ede_from_text(std::string_view text, std::optional<uint16_t>& out);

// Counters of one configured policy zone; they outlive reloads (the policy objects do not).
struct RpzCounters {
  std::array<std::atomic<uint64_t>, kRpzActionCount> hits{};
  std::atomic<uint64_t> rules{0};          // gauge: rules of the zone in force
  std::atomic<uint64_t> loads{0};          // successful (re)loads
  std::atomic<uint64_t> load_failures{0};  // bad or unreadable file; the previous zone stayed
};

// The counters by zone name, for the metrics collection (any thread).
class RpzStats {
 public:
  std::shared_ptr<RpzCounters> counters_for(const std::string& zone);
  std::vector<std::pair<std::string, std::shared_ptr<const RpzCounters>>> all() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, std::shared_ptr<RpzCounters>>> zones_;
};

struct RpzPolicyZone {
  std::string name;                        // as configured
  std::shared_ptr<const RpzZone> data;
  std::shared_ptr<RpzCounters> counters;   // never null
  std::optional<uint16_t> ede = kEdeBlocked;
};

struct RpzHit {
  size_t zone = 0;
  RpzTrigger trigger = RpzTrigger::Qname;
  RpzRule rule;
};

// What a hit makes of the response.
struct RpzVerdict {
  enum class Kind : uint8_t {
    Passthru,  // the normal answer, unchanged (and nothing later in the order applies)
    Answer,    // `sections`; when `follow` is set, the backend's answer for it is appended
    Drop,      // send nothing
    Truncate,  // an empty answer with TC=1 over UDP (TCP-only)
  };
  Kind kind = Kind::Passthru;
  Sections sections;
  std::optional<wire::Name> follow;  // a local-data CNAME's target (a walled garden) to resolve
};

class RpzPolicy {
 public:
  RpzPolicy() = default;
  explicit RpzPolicy(std::vector<RpzPolicyZone> zones);

  bool empty() const { return zones_.empty(); }
  size_t size() const { return zones_.size(); }
  const std::vector<RpzPolicyZone>& zones() const { return zones_; }
  // Some zone has client-IP triggers: the decision differs between clients, so it must be made
  // before the packet cache answers (query_pipeline.cpp).
  bool client_dependent() const { return client_dependent_; }
  // Some zone in [0, before) has response-IP, NSDNAME or NSIP triggers (the answer must be
  // checked).
  bool response_triggers_before(size_t before) const;

  // Client-IP and QNAME triggers, zones in order. `client` may be null (no client-IP check).
  std::optional<RpzHit> match_query(const wire::Name& qname, const sockaddr* client) const;
  // Response-IP triggers of zones [0, before) against the A/AAAA records of the answer section.
  std::optional<RpzHit> match_response(const Sections& answer, size_t before) const;
  // Some zone in [0, before) has NSDNAME or NSIP triggers (the name servers must be looked up).
  bool ns_triggers_before(size_t before) const { return first_ns_zone_ < before; }
  // NSDNAME / NSIP triggers of zones [0, before) against the name servers of the zone that
  // answered: their names and address sets (A/AAAA).
  std::optional<RpzHit> match_ns(const std::vector<wire::Name>& ns_names,
                                 const std::vector<wire::RRset>& ns_addresses, size_t before) const;

  // Everything known once the backend answered, zones [0, before) in order, each zone's
  // response-IP, then NSDNAME, then NSIP triggers. `servers` is called at most once, and only
  // when a zone with NS triggers is reached, with the name whose zone's servers are wanted (the
  // last owner of the answer's CNAME chain, else the question).
  std::optional<RpzHit> match_answer(const wire::Name& qname, const Sections& answer,
                                     const std::function<NameServers(const wire::Name&)>& servers,
                                     size_t before) const;

  // What `hit` makes of the response to `q` (counted in the zone's counters).
  RpzVerdict apply(const RpzHit& hit, const ClientQuery& q, bool tcp) const;

 private:
  std::vector<RpzPolicyZone> zones_;
  bool client_dependent_ = false;
  size_t first_response_zone_ = SIZE_MAX;  // lowest index with response-IP, NSDNAME or NSIP triggers
  size_t first_ns_zone_ = SIZE_MAX;        // lowest index with NSDNAME or NSIP triggers
};

}  // namespace tern::server
