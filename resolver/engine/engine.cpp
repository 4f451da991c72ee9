// Engine: the entry points (resolve, prefetch), in-flight merging, and completion. The iteration
// itself lives in iterator*.cpp.
#include "resolver/engine/engine.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "cache/caches.h"
#include "resolver/engine/answer_ttl.h"
#include "resolver/engine/iterator.h"
#include "resolver/engine/resolution_state.h"
#include "resolver/engine/validation_answer.h"
#include "root-hints/compiled_root_hints.h"
#include "root-hints/compiled_trust_anchors.h"

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

std::vector<validator::TrustAnchor> load_anchors(const EngineConfig& cfg) {
  if (!cfg.dnssec.validation) return {};
  if (!cfg.dnssec.trust_anchors.empty()) return cfg.dnssec.trust_anchors;
  auto anchors = validator::parse_trust_anchors(tern::compiled_trust_anchors());
  if (!anchors) throw std::invalid_argument("compiled trust anchors do not parse");
  return std::move(*anchors);
}

}  // namespace

size_t Engine::KeyHash::operator()(const Key& k) const {
  return k.qname.hash() ^ (size_t(k.qtype) << 16) ^ (size_t(k.qclass) << 40) ^
         (size_t(k.dnssec_ok) << 56) ^ (size_t(k.cd) << 57);
}

Engine::Key Engine::key_of(const Query& q) {
  return Key{q.qname, q.qtype, q.qclass, q.dnssec_ok, q.cd};
}

Engine::Engine(EngineConfig config, World world, cache::Caches& caches)
    : config_(std::move(config)),
      world_(world),
      caches_(caches),
      hints_(load_hints(config_)),
      routes_(config_.zone_routes),
      anchors_(load_anchors(config_)),
      keys_(kMaxKeyCacheZones),
      alive_(std::make_shared<Engine*>(this)) {}

Engine::~Engine() {
  // Pending transport callbacks see alive_ expired and do nothing; waiters are not called.
  alive_.reset();
}

void Engine::resolve(const Query& query, Done done, std::optional<Address> client) {
  if (client) client->port = 0;
  if (auto it = by_key_.find(key_of(query)); it != by_key_.end()) {
    auto r = resolutions_.find(it->second);
    if (r != resolutions_.end() && !r->second->finished) {
      Resolution& res = *r->second;
      // Full: first shed the waiters the answer would be too late for anyway, so an old burst
      // does not keep a fresh client out.
      std::vector<Waiter> expired;
      if (config_.max_waiters_per_query && res.waiters.size() >= config_.max_waiters_per_query)
        expired = take_expired_waiters(res, world_.clock.mono());
      bool admitted = false;
      if (config_.max_waiters_per_query && res.waiters.size() >= config_.max_waiters_per_query) {
        ++stats_.waiters_over_query_cap;
      } else if (!admit_client(client)) {
        ++stats_.waiters_over_wait_limit;
      } else {
        ++stats_.merged;
        res.waiters.push_back(make_waiter(std::move(done), client));
        admitted = true;
      }
      for (const auto& w : expired) drop(w.done);
      if (!admitted) drop(done);
      return;
    }
  }
  bool cache_walked = false;
  if (answer_cached(query, done, &cache_walked)) return;
  CacheAccess cache(caches_);
  const Instant now = world_.clock.now();
  // RFC 9520: the same question failed moments ago; do not send the same doomed queries again.
  std::optional<FailureInfo> failed;
  if (config_.failure_cache_min_ttl.count() > 0)
    failed = cache.recently_failed(query.qname, query.qtype, query.qclass, world_.clock.mono());
  if (failed) {
    ++stats_.failure_cache_answers;
    Answer a;
    if (auto stale = stale_answer(cache, query, config_, now, stats_)) {
      a = std::move(*stale);
      ++stats_.stale_answers;
    } else {
      a.failure = Failure::RecentFailure;
      a.rcode = client_rcode(Failure::RecentFailure);
      ++stats_.servfails;
    }
    a.why = std::move(failed);
    a.from_cache = true;
    done(a);
    return;
  }
  if (!admit_client(client)) {
    ++stats_.waiters_over_wait_limit;
    drop(done);
    return;
  }
  start(query, std::move(done), /*prefetch=*/false, cache_walked, client);
}

bool Engine::resolving(const Query& query) const {
  auto it = by_key_.find(key_of(query));
  if (it == by_key_.end()) return false;
  auto r = resolutions_.find(it->second);
  return r != resolutions_.end() && !r->second->finished;
}

bool Engine::answer_cached(const Query& query, const Done& done, bool* walked_clean) {
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
    apply_dnssec(a, query, validator::Security::Secure, validator::Reason::None);
    bool refresh = hit->prefetch_due && config_.prefetch;
    done(a);
    if (refresh) prefetch(query);
    return true;
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
    if (query.dnssec_ok)
      for (auto& p : walk.proof) a.authority.push_back(std::move(p));
    apply_dnssec(a, query, validator::Security::Secure, validator::Reason::None);
    bool refresh = walk.prefetch_due && config_.prefetch;
    done(a);
    if (refresh) prefetch(query);
    return true;
  }
  if (walked_clean) *walked_clean = walk.chain.empty();
  return false;
}

bool Engine::admit_client(const std::optional<Address>& client) {
  if (!client || config_.wait_limit == 0) return true;
  auto it = waiting_per_client_.find(*client);
  return it == waiting_per_client_.end() || it->second < config_.wait_limit;
}

Waiter Engine::make_waiter(Done done, std::optional<Address> client) {
  if (client) ++waiting_per_client_[*client];
  return Waiter{std::move(done), world_.clock.mono(), client};
}

void Engine::release_waiter(const Waiter& w) {
  if (!w.client) return;
  auto it = waiting_per_client_.find(*w.client);
  if (it == waiting_per_client_.end()) return;
  if (--it->second == 0) waiting_per_client_.erase(it);
}

std::vector<Waiter> Engine::take_expired_waiters(Resolution& res, MonoInstant now) {
  std::vector<Waiter> expired, kept;
  // The question that started the resolution is answered however late: one reply per
  // resolution is what a resolver without merging sends too, so it amplifies nothing, and a
  // client asking a slow name alone (dig with one try) still learns SERVFAIL. The merged ones
  // are the burst.
  auto late = [&](const Waiter& w) {
    return w.client && !w.started_it && now - w.since > config_.discard_timeout;
  };
  if (config_.discard_timeout.count() == 0 ||
      std::none_of(res.waiters.begin(), res.waiters.end(), late))
    return expired;
  for (auto& w : res.waiters) {
    if (late(w)) {
      release_waiter(w);
      expired.push_back(std::move(w));
    } else {
      kept.push_back(std::move(w));
    }
  }
  res.waiters = std::move(kept);
  stats_.waiters_discarded += expired.size();
  return expired;
}

void Engine::drop(const Done& done) {
  if (!done) return;
  Answer a;
  a.dropped = true;
  done(a);
}

void Engine::prefetch(const Query& query) {
  if (by_key_.count(key_of(query))) return;  // already being resolved: that refreshes it
  ++stats_.prefetches;
  start(query, nullptr, /*prefetch=*/true);
}

void Engine::trace(const Query& query, TraceSink& sink, Done done) {
  // Like a prefetch, the question's own cached answer is skipped; unlike one, it has a waiter and
  // is not registered for merging (start() with a trace sink).
  start(query, std::move(done), /*prefetch=*/false, /*cache_walked=*/false, std::nullopt, &sink);
}

void Engine::start(const Query& query, Done done, bool prefetch, bool cache_walked,
                   std::optional<Address> client, TraceSink* trace) {
  if (resolutions_.size() >= config_.max_in_flight) {
    ++stats_.servfails;
    if (done) {
      Answer a;
      a.failure = Failure::Overloaded;
      a.rcode = client_rcode(Failure::Overloaded);
      a.why = FailureInfo{Failure::Overloaded, {}, std::nullopt};
      done(a);
    }
    return;
  }
  auto res = std::make_unique<Resolution>();
  res->id = next_id_++;
  res->query = query;
  if (done) {
    res->waiters.push_back(make_waiter(std::move(done), client));
    res->waiters.back().started_it = true;
  }
  res->started = world_.clock.mono();
  res->deadline = res->started + config_.resolve_deadline;
  res->budget = validator::ValidationBudget(config_.dnssec.max_signature_validations,
                                            config_.dnssec.max_nsec3_hashes);
  res->prefetch = prefetch;
  res->routes = routes_;
  res->trace = trace;
  auto root = std::make_unique<Task>();
  root->qname = query.qname;
  root->qtype = query.qtype;
  root->qclass = query.qclass;
  root->visited.push_back(query.qname);
  root->minimise = config_.qname_minimisation;
  root->skip_cache_answer = prefetch || trace != nullptr;
  root->cache_walked = cache_walked;
  res->tasks.push_back(std::move(root));
  auto id = res->id;
  if (!trace) by_key_[key_of(query)] = id;  // a trace is never merged with anything
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
  const auto& client_task = res->tasks.front()->result;
  apply_dnssec(answer, res->query, client_task.security, client_task.reason);
  // The answer cache keeps what the client got, by reference to the RRsets just stored: the next
  // identical question skips the walk. Stale answers and failures are not kept.
  if (!answer.stale && !answer.failure && !res->trace &&
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
  const auto& root = res->tasks.front()->result;
  if (root.kind == TaskResult::Kind::Failed && remembered(root.failure) && !res->prefetch &&
      !res->trace && config_.failure_cache_min_ttl.count() > 0)
    iter.cache.record_failure(res->query.qname, res->query.qtype, res->query.qclass, iter.mono(),
                              config_.failure_cache_min_ttl, config_.failure_cache_max_ttl,
                              FailureInfo{root.failure, root.failed_zone, root.failed_server});
  if (res->trace) {
    TraceStep done;
    done.kind = TraceStep::Kind::Done;
    done.qname = res->query.qname;
    done.qtype = res->query.qtype;
    done.detail = wire::rcode_to_text(answer.rcode);
    if (answer.stale) done.detail += " (stale data, RFC 8767)";
    if (answer.why)
      done.detail += cat(answer.failure ? " failure=" : " after failure=",
                         to_string(answer.why->reason), " zone=", answer.why->zone.to_text(),
                         answer.why->server ? " server=" : "",
                         answer.why->server ? answer.why->server->to_string() : std::string());
    done.detail += cat(", ", std::to_string(res->upstream_queries), " upstream queries");
    res->trace->step(done);
  }
  if (answer.stale) ++stats_.stale_answers;
  if (answer.failure) ++stats_.servfails;
  std::vector<Waiter> late = take_expired_waiters(*res, iter.mono());
  for (const auto& w : res->waiters) release_waiter(w);
  for (auto& w : res->waiters)
    if (w.done) w.done(answer);
  for (const auto& w : late) drop(w.done);
}

}  // namespace tern::engine
