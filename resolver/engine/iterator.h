// Iterator: moves the tasks of one resolution through their states (resolution_state.h). One
// handler per state, each in the iterator_*.cpp file named after what it does. The iterator is a
// short-lived view over the engine and one resolution; all state lives in Resolution / Task.
#pragma once

#include <optional>
#include <vector>

#include "resolver/engine/cache_access.h"
#include "resolver/engine/engine.h"
#include "resolver/engine/resolution_state.h"
#include "resolver/engine/response_classifier.h"

namespace tern::engine {

// What the cache knows about a question, following CNAMEs (iterator_cache.cpp).
struct CacheWalk {
  enum class Outcome : uint8_t { Answer, NxDomain, NoData, Miss } outcome = Outcome::Miss;
  std::vector<wire::RRset> chain;   // CNAMEs followed
  std::vector<wire::RRset> answer;  // the final RRset
  std::optional<wire::RRset> soa;
  std::optional<wire::RRset> zone_ns;  // negative: the zone's NS set, when authoritative data
  std::vector<wire::RRset> proof;   // negative: the denial's NSEC/NSEC3 (DNSSEC)
  wire::Name name;                  // last name looked at (the miss, or the answer's owner)
  bool prefetch_due = false;
  bool stale = false;
};
// stale = true uses RFC 8767 stale data too. refresh (prefetch): no name's answer or denial is
// taken from the cache, and a cached CNAME in the last tenth of its TTL is not followed, so what
// is about to expire (the target, and the CNAME itself when it is near expiry) is asked upstream.
CacheWalk walk_cache(CacheAccess& cache, const wire::Name& qname, wire::RRType qtype,
                     wire::RRClass qclass, Instant now, uint32_t max_chain, bool stale,
                     bool refresh);

// RFC 8767: the answer from expired data still in the serve-stale window, when cfg.serve_stale and
// the cache holds one (counts stale_answer_cache_hits). Used when every upstream failed, and when
// the failure cache says they just did.
std::optional<Answer> stale_answer(CacheAccess& cache, const Query& q, const EngineConfig& cfg,
                                   Instant now, EngineStats& stats);

struct Iterator {
  Engine& engine;
  Resolution& res;
  CacheAccess cache;
  // The clock is read once per event (a client question, a reply, a timeout): every cache
  // lookup and deadline check of that event sees the same instant. Reading it per lookup cost
  // ~23 clock_gettime calls per cache-miss resolution. Wall time for TTLs, monotonic time for
  // deadlines, RTTs and server state.
  const Instant event_time;
  const MonoInstant event_mono;

  Iterator(Engine& e, Resolution& r);

  // Runs `task` (and the parents it completes) until every touched task waits or the client's
  // task is finished. Returns true when the resolution is finished (the caller completes it).
  bool run(size_t task_index);

  // Entry point of transport callbacks (iterator_send.cpp).
  static void on_transport(Engine& e, uint64_t resolution_id, size_t task_index, uint64_t seq,
                           TransportResult result);

  // State handlers.
  State on_init(Task& t);               // iterator_cache.cpp
  State on_find_delegation(Task& t);    // iterator_delegation.cpp
  State on_prime(Task& t);              // iterator_delegation.cpp
  State on_select_server(Task& t);      // iterator_select.cpp
  State on_send_query(Task& t);         // iterator_send.cpp
  State on_handle_response(Task& t);    // iterator_response.cpp
  State on_child_done(Task& parent, Task& child);  // iterator_select.cpp
  State on_validate(Task& t);                      // iterator_validate.cpp
  State on_validation_child(Task& parent, Task& child);  // iterator_validate.cpp
  // After validation (or without it): cache what the response says and act on it.
  State act_on_response(Task& t, Classified& c);   // iterator_response.cpp
  bool needs_validation(const Task& t) const;      // iterator_validate.cpp
  // The key status of `zone` if known now; otherwise sets `need` to the question to ask next.
  const ZoneKeys* zone_keys(Task& t, const wire::Name& zone, std::optional<KeyFetch>& need);

  // Helpers.
  Instant now() const { return event_time; }
  MonoInstant mono() const { return event_mono; }
  State fail(Task& t, Failure f);
  // Trace (Engine::trace): callers test tracing() first, so untraced resolutions build nothing.
  bool tracing() const { return res.trace != nullptr; }
  void trace(const Task& t, TraceStep::Kind kind, std::string detail, bool with_server = false,
             std::chrono::milliseconds rtt = {});
  State finish_answer(Task& t, TaskResult::Kind kind, std::vector<wire::RRset> answer,
                      std::optional<wire::RRset> soa);
  // Appends CNAME/DNAME records to the task's chain and moves qname to `target`. Fails the task
  // (returns Finished) on a loop or when the chain limit is reached.
  std::optional<State> follow_chain(Task& t, const std::vector<wire::RRset>& records,
                                    const wire::Name& target);
  size_t spawn_child(Task& parent, const wire::Name& qname, wire::RRType qtype, bool priming);
  // RFC 9520 failure cache for child tasks (name-server addresses, stub priming, DS/DNSKEY):
  // a child whose question failed moments ago fails at once; a child that fails is remembered.
  bool child_failed_recently(Task& t);
  void remember_child_failure(const Task& t);
  bool allowed(const Address& a) const;  // allow-list, loopback/private rule, IPv6 switch
  // allowed(), or named by the forward/stub zone closest to `zone` (iterator_routes.cpp).
  bool allowed_for(const Address& a, const wire::Name& zone) const;
  // Forward and stub zones (iterator_routes.cpp): the configured zone for the task's start name,
  // its delegation, stub priming and the forward-first fallback.
  const ConfiguredZone* route(const Task& t, const wire::Name& start) const;
  Delegation configured_delegation(const ConfiguredZone& z);
  State use_forward(Task& t, const ConfiguredZone& z);
  State use_stub(Task& t, const ConfiguredZone& z);
  State on_stub_primed(Task& parent, Task& child);
  State fall_back_to_iteration(Task& t);
  Delegation delegation_from_ns(const wire::RRset& ns, const std::vector<wire::RRset>& glue);
  void add_hint_addresses(Delegation& dp);
  Answer client_answer(const Task& root);
};

}  // namespace tern::engine
