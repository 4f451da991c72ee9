// Engine: the entry points (resolve, prefetch), in-flight merging, and completion. The iteration
// itself lives in iterator*.cpp.
#include "resolver/engine/engine.h"

#include <stdexcept>
#include <string>

#include "cache/caches.h"
#include "resolver/engine/answer_ttl.h"
#include "resolver/engine/iterator.h"
#include "resolver/engine/resolution_state.h"
#include "root-hints/compiled_root_hints.h"

namespace tern::engine {

namespace {

RootHints load_hints(const EngineConfig& cfg) {
  std::string_view text = cfg.root_hints_text.empty() ? tern::compiled_root_hints()
                                                      : std::string_view(cfg.root_hints_text);
  auto hints = parse_root_hints(text);
  if (!hints)
    throw std::invalid_argument("root hints: " + std::string(to_string(hints.error())));
  return std::move(*hints);
}

}  // namespace

size_t Engine::KeyHash::operator()(const Key& k) const {
  return k.qname.hash() ^ (size_t(k.qtype) << 16) ^ (size_t(k.qclass) << 40);
}

Engine::Key Engine::key_of(const Query& q) { return Key{q.qname, q.qtype, q.qclass}; }

Engine::Engine(EngineConfig config, World world, cache::Caches& caches)
    : config_(std::move(config)),
      world_(world),
      caches_(caches),
      hints_(load_hints(config_)),
      alive_(std::make_shared<Engine*>(this)) {}

Engine::~Engine() {
  // Pending transport callbacks see alive_ expired and do nothing; waiters are not called.
  alive_.reset();
}

void Engine::resolve(const Query& query, Done done) {
  if (auto it = by_key_.find(key_of(query)); it != by_key_.end()) {
    auto r = resolutions_.find(it->second);
    if (r != resolutions_.end() && !r->second->finished) {
      ++stats_.merged;
      r->second->waiters.push_back(std::move(done));
      return;
    }
  }
  // The fast path: the whole answer from the cache, synchronously. First the answer cache (one
  // lookup plus one per RRset it refers to), then the RRset walk name by name.
  CacheAccess cache(caches_);
  const Instant now = world_.clock.now();
  if (auto hit = cache.answer(query.qname, query.qtype, query.qclass, query.dnssec_ok, query.cd,
                              now, /*stale=*/false)) {
    ++stats_.cache_answers;
    ++stats_.answer_cache_hits;
    Answer a;
    a.from_cache = true;
    a.rcode = hit->rcode;
    a.answer = std::move(hit->answer);
    a.authority = std::move(hit->authority);
    bool refresh = hit->prefetch_due && config_.prefetch;
    done(a);
    if (refresh) prefetch(query);
    return;
  }
  auto walk = walk_cache(cache, query.qname, query.qtype, query.qclass, now,
                         config_.max_cname_chain, /*stale=*/false, /*refresh=*/false);
  if (walk.outcome != CacheWalk::Outcome::Miss) {
    ++stats_.cache_answers;
    Answer a;
    a.from_cache = true;
    a.rcode = walk.outcome == CacheWalk::Outcome::NxDomain ? wire::Rcode::NXDomain
                                                            : wire::Rcode::NoError;
    a.answer = std::move(walk.chain);
    for (auto& s : walk.answer) a.answer.push_back(std::move(s));
    if (walk.soa) a.authority.push_back(std::move(*walk.soa));
    if (!a.authority.empty() && walk.zone_ns) a.authority.push_back(std::move(*walk.zone_ns));
    bool refresh = walk.prefetch_due && config_.prefetch;
    done(a);
    if (refresh) prefetch(query);
    return;
  }
  start(query, std::move(done), /*prefetch=*/false, /*cache_walked=*/walk.chain.empty());
}

void Engine::prefetch(const Query& query) {
  if (by_key_.count(key_of(query))) return;  // already being resolved: that refreshes it
  ++stats_.prefetches;
  start(query, nullptr, /*prefetch=*/true);
}

void Engine::start(const Query& query, Done done, bool prefetch, bool cache_walked) {
  if (resolutions_.size() >= config_.max_in_flight) {
    ++stats_.servfails;
    if (done) {
      Answer a;
      a.failure = Failure::Overloaded;
      a.rcode = client_rcode(Failure::Overloaded);
      done(a);
    }
    return;
  }
  auto res = std::make_unique<Resolution>();
  res->id = next_id_++;
  res->query = query;
  if (done) res->waiters.push_back(std::move(done));
  res->started = world_.clock.now();
  res->deadline = res->started + config_.resolve_deadline;
  res->prefetch = prefetch;
  auto root = std::make_unique<Task>();
  root->qname = query.qname;
  root->qtype = query.qtype;
  root->qclass = query.qclass;
  root->visited.push_back(query.qname);
  root->minimise = config_.qname_minimisation;
  root->skip_cache_answer = prefetch;
  root->cache_walked = cache_walked;
  res->tasks.push_back(std::move(root));
  auto id = res->id;
  by_key_[key_of(query)] = id;
  resolutions_.emplace(id, std::move(res));
  ++stats_.resolutions;
  drive(id, 0);
}

void Engine::drive(uint64_t resolution_id, size_t task_index) {
  auto it = resolutions_.find(resolution_id);
  if (it == resolutions_.end()) return;
  Iterator iter(*this, *it->second);
  if (iter.run(task_index)) complete(resolution_id);
}

void Engine::complete(uint64_t resolution_id) {
  auto it = resolutions_.find(resolution_id);
  if (it == resolutions_.end()) return;
  // Detach first: a waiter may call resolve() again for the same question.
  std::unique_ptr<Resolution> res = std::move(it->second);
  resolutions_.erase(it);
  res->finished = true;
  auto key = by_key_.find(key_of(res->query));
  if (key != by_key_.end() && key->second == resolution_id) by_key_.erase(key);
  Iterator iter(*this, *res);
  Answer answer = iter.client_answer(*res->tasks.front());
  // The answer cache keeps what the client got, by reference to the RRsets just stored: the next
  // identical question skips the walk. Stale answers and failures are not kept.
  if (!answer.stale && !answer.failure &&
      iter.cache.store_answer(res->query.qname, res->query.qtype, res->query.qclass,
                              res->query.dnssec_ok, res->query.cd, answer.rcode, answer.answer,
                              answer.authority, iter.now()))
    ++stats_.answers_stored;
  // The operator's TTL limits, which the caches applied to what they stored, hold for this
  // answer too: it comes from the upstream response as sent (answer_ttl.h).
  if (answer.stale)
    cap_stale_ttls(answer.answer, answer.authority, answer.additional, caches_.limits());
  else if (!answer.failure)
    clamp_fresh_ttls(answer.answer, answer.authority, answer.additional, caches_.limits());
  if (answer.stale) ++stats_.stale_answers;
  if (answer.failure) ++stats_.servfails;
  for (auto& waiter : res->waiters)
    if (waiter) waiter(answer);
}

}  // namespace tern::engine
