// Caches: the shared caches of one resolver process under one byte budget (--cache-size), handed
// to the engine and the front end by reference. The RRset, answer, negative and server-state
// caches are shared by the worker threads (sharded locks); the packet caches are per worker thread, each
// built by its thread with packet_cache_budget() and flush_epoch().
//
// Operator API (control command / signal in the front end): flush_name, flush_name_type,
// flush_subtree, flush_all and dump. Flushes also invalidate every packet cache through the flush
// epoch, since a packet cache holds copies of the flushed data.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>

#include "cache/answer_cache.h"
#include "cache/cache_limits.h"
#include "cache/failure_cache.h"
#include "cache/negative_cache.h"
#include "cache/packet_cache.h"
#include "cache/rrset_cache.h"
#include "cache/server_state_cache.h"
#include "cache/time.h"
#include "wire/name.h"
#include "wire/rr_type.h"

namespace tern::cache {

struct FlushCount {
  size_t rrsets = 0;
  size_t negative = 0;
  size_t answers = 0;
};

class Caches {
 public:
  explicit Caches(const CacheLimits& limits);

  RRsetCache& rrsets() { return rrsets_; }
  NegativeCache& negative() { return negative_; }
  AnswerCache& answers() { return answers_; }
  ServerStateCache& servers() { return servers_; }
  // Failed resolutions (RFC 9520): a fifth of the server-state share.
  FailureCache& failures() { return failures_; }
  const FailureCache& failures() const { return failures_; }
  const RRsetCache& rrsets() const { return rrsets_; }
  const NegativeCache& negative() const { return negative_; }
  const AnswerCache& answers() const { return answers_; }
  const ServerStateCache& servers() const { return servers_; }
  // Parent-side glue (Unbound's parent-side addresses): a name server's addresses as the parent
  // zone's referral gave them, kept apart from rrsets() so that the child zone's authoritative
  // answer for the same name (which outranks and replaces glue there) does not erase them. Only
  // ever used as a server address for a delegation after its other addresses failed, never given
  // to a client. A slice of the RRset share.
  RRsetCache& parent_glue() { return parent_glue_; }
  const RRsetCache& parent_glue() const { return parent_glue_; }
  const CacheLimits& limits() const { return limits_; }

  // The byte budget of each worker thread's PacketCache (the packet share split evenly).
  size_t packet_cache_budget(size_t worker_threads) const;
  // Bumped by every flush; pass to each PacketCache.
  const std::atomic<uint64_t>* flush_epoch() const { return &flush_epoch_; }
  // A PacketCache for one worker thread, wired to this budget and flush epoch.
  PacketCache make_packet_cache(size_t worker_threads) const;

  // Stores positive data as the engine should: rrsets().insert, and then, because the RRset proves
  // that its owner exists and has this type, removes the NODATA cached for (owner, type) and any
  // NXDOMAIN cached for the owner or an ancestor (NegativeCache::remove_superseded), unless that
  // negative entry is more credible than `trust`. Returns what rrsets().insert returns.
  bool store_rrset(const wire::RRset& rrset, Trust trust, Instant now);

  // The answer cache (AnswerCache::insert / lookup / lookup_stale): store the answer the engine
  // built, after its RRsets (store_rrset) and denial; answer a later question from it.
  bool insert_answer(const Question& q, AnswerFlags flags, wire::Rcode rcode,
                     const AnswerRefs& refs, Instant now) {
    return answers_.insert(q, flags, rcode, refs, now);
  }
  std::optional<Answer> lookup_answer(const Question& q, AnswerFlags flags, Instant now) {
    return answers_.lookup(q, flags, now);
  }
  std::optional<Answer> lookup_answer_stale(const Question& q, AnswerFlags flags, Instant now) {
    return answers_.lookup_stale(q, flags, now);
  }

  // Flushes also drop the answers that refer to the flushed names.
  FlushCount flush_name(const wire::Name& name);
  FlushCount flush_name_type(const wire::Name& name, wire::RRType type,
                             wire::RRClass rclass = wire::RRClass::IN);
  FlushCount flush_subtree(const wire::Name& apex);
  void flush_all();  // RRsets, answers, negative entries, failures, packet caches; server state kept

  // Zone-file text of every live RRset, then negative entries and answers as comments.
  void dump(std::ostream& out, Instant now) const;

  // Accounted bytes of the shared caches (packet caches report their own).
  size_t memory_bytes() const;

 private:
  CacheLimits limits_;
  RRsetCache rrsets_;
  RRsetCache parent_glue_;
  NegativeCache negative_;
  AnswerCache answers_;  // refers to rrsets_ and negative_: declared after them
  ServerStateCache servers_;
  FailureCache failures_;
  std::atomic<uint64_t> flush_epoch_{0};
};

}  // namespace tern::cache
