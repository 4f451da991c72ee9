// Engine: iterative resolution from the root hints to the answer (one instance per worker thread,
// single-threaded, driven by callbacks from its Transport). See docs/architecture.md.
//
// Completion rules for resolve() (the front end relies on them):
//  - `done` is called exactly once.
//  - It is called SYNCHRONOUSLY, from inside resolve(), only when the answer is decided without
//    sending anything: the whole answer (a CNAME chain included) is in the answer cache or the
//    RRset and negative caches, the same question failed moments ago (the RFC 9520 failure
//    cache), or the resolution fails before its first query (no server it may send to: every
//    address outside the allow-list, every server of the zone down, a fetch quota reached). Every other question
//    completes later, from a Transport callback on the loop. Beyond max_in_flight resolutions a
//    new question is refused at once (SERVFAIL, synchronously).
//  - Identical questions (qname case-insensitive, qtype, qclass) in flight are merged: one
//    resolution, every `done` called with the same Answer, in the order they were registered.
//  - Waiter caps (DNSBomb): a question is shed -- `done` gets an Answer with `dropped` set, and
//    the front end sends nothing -- when its resolution already has max_waiters_per_query
//    waiters, or when its client (a UDP client: see resolve()) already has wait_limit questions
//    waiting (both synchronously, from inside resolve()), or when a merged UDP waiter has waited
//    longer than discard_timeout by the time the answer arrives (the question that started the
//    resolution is always answered).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "resolver/engine/engine_config.h"
#include "resolver/engine/failure.h"
#include "resolver/engine/fetch_limits.h"
#include "resolver/engine/key_cache.h"
#include "resolver/engine/root_hints.h"
#include "resolver/engine/trace.h"
#include "resolver/engine/world.h"
#include "resolver/engine/zone_routes.h"
#include "wire/name.h"
#include "wire/rr_type.h"
#include "wire/rrset.h"

namespace tern::cache {
class Caches;
}

namespace tern::engine {

struct Query {
  wire::Name qname;
  wire::RRType qtype = wire::RRType::A;
  wire::RRClass qclass = wire::RRClass::IN;
  bool dnssec_ok = false;
  bool cd = false;
};

struct Answer {
  wire::Rcode rcode = wire::Rcode::ServFail;
  std::vector<wire::RRset> answer, authority, additional;
  bool stale = false;  // served from expired cache data after every upstream failed (RFC 8767)
  // DNSSEC: every part validated secure (the front end sets AD when the client set DO or AD).
  bool secure = false;
  bool dropped = false;  // shed by a waiter cap or the discard timeout: send the client nothing
  // Diagnostics, not for the wire.
  std::optional<Failure> failure;  // set when rcode came from client_rcode()
  // Why and where: set with `failure` (for RecentFailure, what the failure cache kept) and on a
  // stale answer served because the upstreams failed. The front end turns it into an Extended
  // DNS Error (resolver/server/extended_error.h) and the log-servfail line.
  std::optional<FailureInfo> why;
  bool from_cache = false;         // answered without sending anything
  uint32_t upstream_queries = 0;   // queries this resolution sent (0 for a merged waiter's cache hit)
};

struct EngineStats {
  uint64_t resolutions = 0;         // resolutions started (merged questions count once)
  uint64_t merged = 0;              // questions attached to a resolution already in flight
  uint64_t cache_answers = 0;       // questions answered synchronously from the cache
  uint64_t answer_cache_hits = 0;   // of those, answered by the answer cache (no RRset walk)
  uint64_t answers_stored = 0;      // finished answers the answer cache accepted
  uint64_t upstream_queries = 0;    // queries handed to the transport
  uint64_t rejected_responses = 0;  // wrong ID / question / not a response / unparsable
  uint64_t scrubbed_records = 0;    // records dropped as out of bailiwick or unsolicited
  uint64_t servfails = 0;
  uint64_t stale_answers = 0;
  uint64_t stale_answer_cache_hits = 0;  // of those, served by the answer cache's stale lookup
  uint64_t prefetches = 0;
  uint64_t failure_cache_answers = 0;   // answered from the RFC 9520 failure cache (no resolution)
  uint64_t servers_down_failures = 0;   // tasks failed at once: every server of the zone down
  uint64_t fetch_limited = 0;           // tasks failed at once: fetches-per-zone/-server reached
  uint64_t server_probes = 0;           // queries sent to a down server whose backoff was over
  uint64_t lame_marks = 0;              // (server, zone) marked lame after repeated evidence
  uint64_t waiters_over_query_cap = 0;   // dropped: max_waiters_per_query reached
  uint64_t waiters_over_wait_limit = 0;  // dropped: wait_limit reached for the client address
  uint64_t waiters_discarded = 0;        // dropped: older than discard_timeout
};

struct Resolution;
struct Task;
struct Waiter;

class Engine {
 public:
  // Throws std::invalid_argument when config.root_hints_text (or the compiled-in hints) cannot be
  // parsed: a start-up error.
  Engine(EngineConfig config, World world, cache::Caches& caches);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  using Done = std::function<void(const Answer&)>;
  // `client`: the address of a client whose source address could be forged (UDP; the port is
  // ignored), subject to the wait limit and the discard timeout -- the amplification DNSBomb
  // needs. nullopt for TCP clients (their address is proven, their answer expected however late)
  // and internal callers: only max_waiters_per_query applies to them.
  void resolve(const Query& query, Done done, std::optional<Address> client = std::nullopt);

  // Refreshes `query` in the background, bypassing the cache for the final answer (the front end
  // calls this when its packet cache says an entry is nearly expired; the engine calls it itself
  // when the RRset cache says prefetch_due). Merged with an identical resolution in flight.
  void prefetch(const Query& query);

  // Forward and stub zones for resolutions started from now on; those in flight finish with the
  // table they started with (a SIGHUP reload, on the engine's own thread).
  void set_zone_routes(ZoneRoutesPtr routes) { routes_ = std::move(routes); }
  const ZoneRoutesPtr& zone_routes() const { return routes_; }
  // For a front end with a second-level cache of its own (the shared Redis cache,
  // resolver/server/shared_cache.h), which is asked only after this engine's caches missed and
  // only when no identical question is in flight:
  // Whether an identical question (qname case-insensitively, qtype, qclass) is being resolved.
  bool resolving(const Query& query) const;
  // resolve()'s synchronous cache fast path alone: the whole answer from the answer cache or the
  // RRset walk. Calls `done` and returns true on a hit (starting a prefetch when due); returns
  // false and calls nothing otherwise. `walked_clean` (optional): set when the walk missed with
  // no CNAME chain (for start()).
  bool answer_cached(const Query& query, const Done& done, bool* walked_clean = nullptr);
  // Resolves `query` once with every step reported to `sink` (which must outlive the
  // resolution): never merged with an identical question, no cached answer for the question
  // itself, and neither the answer cache nor the failure cache is written. Cached delegations and
  // server state are still read and written: ternd's `control trace` runs it on an engine of its
  // own with empty caches (resolver/server/control_trace.h), so the shared ones are untouched.
  void trace(const Query& query, TraceSink& sink, Done done);

  size_t in_flight() const { return resolutions_.size(); }
  const EngineStats& stats() const { return stats_; }
  const EngineConfig& config() const { return config_; }

 private:
  friend struct Iterator;
  // DO and CD change the answer (signatures, proofs; whether bogus data is served), so they are
  // part of what merges.
  struct Key {
    wire::Name qname;
    wire::RRType qtype;
    wire::RRClass qclass;
    bool dnssec_ok = false;
    bool cd = false;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };

  // `cache_walked`: the caller has just walked the cache for the question and missed with no
  // chain, so the first Init need not walk it again.
  void start(const Query& query, Done done, bool prefetch, bool cache_walked = false,
             std::optional<Address> client = std::nullopt, TraceSink* trace = nullptr);
  // Waiter accounting (the caps are in limits.h). admit_client() says whether `client` may wait
  // on one more question; make_waiter/release_waiter keep the per-address counts.
  bool admit_client(const std::optional<Address>& client);
  Waiter make_waiter(Done done, std::optional<Address> client);
  void release_waiter(const Waiter& w);
  // Sheds the waiters of `res` older than discard_timeout: removes them and returns them (the
  // caller calls them with a dropped Answer once its own state is consistent).
  std::vector<Waiter> take_expired_waiters(Resolution& res, MonoInstant now);
  void drop(const Done& done);
  // Runs task `task_index` of a resolution; completes the resolution when its client task is done.
  void drive(uint64_t resolution_id, size_t task_index);
  void complete(uint64_t resolution_id);
  static Key key_of(const Query& q);

  EngineConfig config_;
  World world_;
  cache::Caches& caches_;
  RootHints hints_;
  ZoneRoutesPtr routes_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<Resolution>> resolutions_;
  std::unordered_map<Key, uint64_t, KeyHash> by_key_;
  std::unordered_map<Address, uint32_t, AddressHash> waiting_per_client_;
  EngineStats stats_;
  FetchCounts fetches_;  // outstanding upstream queries of this engine, per zone and server
  // DNSSEC: the trust anchors in use and the validated key sets per zone (this engine's own).
  std::vector<validator::TrustAnchor> anchors_;
  KeyCache keys_;
  // Transport callbacks hold a weak reference: after the engine is gone they do nothing.
  std::shared_ptr<Engine*> alive_;
};

}  // namespace tern::engine
