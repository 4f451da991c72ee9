// AnswerCache: question -> answer, where the answer is a list of references to cached RRsets (and,
// for NXDOMAIN/NODATA, to a NegativeCache entry), as Unbound's message cache refers to its RRset
// cache. The engine stores the answer it built (a CNAME chain, then the final RRset) once, and a
// later question is answered by one lookup here plus one RRset lookup per reference, instead of
// walking the chain name by name.
//
// Key: lower-cased qname, qtype, qclass, and the DO and CD bits (they change what the answer holds).
// Consistency: every reference records the generation of the RRset copy cached when the answer was
// stored. An answer is a miss (and is removed) when a referenced RRset is gone, dead, or was
// replaced since (even by a refresh with the same data: the engine then stores a new answer), or
// when its denial is gone or changed kind. So an answer never mixes data of different ages, and
// it never outlives its RRsets: its expiry is the smallest expiry of the copies it refers to.
//
// Sharded, one mutex and one SIEVE store per shard, bounded in bytes (its own share of the one
// budget). Lock order: an answer shard lock may be held while RRset or negative shard locks are
// taken, never the other way round.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <vector>

#include "cache/answer_entry.h"
#include "cache/cache_limits.h"
#include "cache/negative_cache.h"
#include "cache/rrset_cache.h"
#include "cache/sharded.h"
#include "cache/time.h"
#include "wire/name.h"
#include "wire/rr_type.h"

namespace tern::cache {

// What an answer is made of, by key. `answer` in response order (a CNAME chain, then the final
// RRset). For NXDOMAIN, and for NOERROR without data at the end of the chain (NODATA), `negative`
// is the NegativeCache key that holds the denial and its SOA: the chain's last name and the qtype.
struct AnswerRefs {
  std::vector<RRsetKey> answer;
  std::vector<RRsetKey> authority;
  std::vector<RRsetKey> additional;
  std::optional<RRsetKey> negative;
};

// A materialised answer. Every RRset's TTL is its remaining TTL (kStaleTtl when stale).
struct Answer {
  wire::Rcode rcode = wire::Rcode::NoError;
  std::vector<CachedRRset> answer;
  std::vector<CachedRRset> authority;
  std::vector<CachedRRset> additional;
  std::optional<CachedNegative> negative;  // NXDOMAIN / NODATA: kind, SOA for the authority section
  uint32_t ttl = 0;           // smallest remaining TTL of the parts
  bool stale = false;         // some part served from expired data (lookup_stale only)
  bool prefetch_due = false;  // some part asked for a refresh (once per stored copy)
};

class AnswerCache {
 public:
  AnswerCache(const CacheLimits& limits, size_t budget_bytes, RRsetCache& rrsets,
              NegativeCache& negative);

  // Stores the answer if every reference is cached and fresh now, every RRset of the answer
  // section is answer-grade (RFC 2181 §5.4.1), and the shape is an answer: NOERROR with an answer
  // section or a NODATA denial, or NXDOMAIN with an NXDOMAIN denial. Returns false otherwise
  // (including more than kMaxAnswerRefs references or an entry larger than a shard).
  bool insert(const Question& q, AnswerFlags flags, wire::Rcode rcode, const AnswerRefs& refs,
              Instant now);

  // Fresh answers only; a miss removes an answer that can no longer be materialised.
  std::optional<Answer> lookup(const Question& q, AnswerFlags flags, Instant now);
  // RFC 8767: as lookup, else from parts within the stale window (stale parts carry kStaleTtl).
  std::optional<Answer> lookup_stale(const Question& q, AnswerFlags flags, Instant now);

  // Remove every answer whose question or any reference is at this name / name and type / at or
  // under this name. Each returns the number removed.
  size_t flush_name(const wire::Name& name);
  size_t flush_name_type(const wire::Name& name, wire::RRType type, wire::RRClass rclass);
  size_t flush_subtree(const wire::Name& apex);
  void clear();

  // One comment line per live answer (answers have no zone-file form): the question and flags,
  // the rcode, the seconds left, and the RRsets it refers to by section.
  void dump(std::ostream& out, Instant now) const;

  size_t memory_bytes() const { return store_.bytes(); }
  size_t size() const { return store_.count(); }
  uint64_t evictions() const { return store_.evictions(); }

 private:
  std::optional<Answer> find(const Question& q, AnswerFlags flags, Instant now, bool allow_stale);

  CacheLimits limits_;
  Sharded<AnswerEntry> store_;
  RRsetCache& rrsets_;
  NegativeCache& negative_;
};

}  // namespace tern::cache
