// The iterator's driver: the dispatch loop over the state enum, task completion and hand-over to
// the parent task, and the answer the client gets.
#include "resolver/engine/iterator.h"

#include <algorithm>

#include "cache/caches.h"
#include "resolver/engine/upstream_policy.h"
#include "wire/rdata.h"

namespace tern::engine {

namespace {

// A task that moves through more states than this without waiting is stuck in a bug; failing is
// better than spinning the worker thread.
constexpr int kMaxStepsWithoutWaiting = 10000;

// Failures that belong to the whole client query, not to the one task that noticed them: a parent
// must not try something else when its child ran into them.
bool fatal(Failure f) {
  return f == Failure::UpstreamBudget || f == Failure::Deadline || f == Failure::ReferralDepth;
}

}  // namespace

std::string_view to_string(State s) {
  switch (s) {
    case State::Init: return "init";
    case State::FindDelegation: return "find-delegation";
    case State::Prime: return "prime";
    case State::SelectServer: return "select-server";
    case State::SendQuery: return "send-query";
    case State::WaitResponse: return "wait-response";
    case State::HandleResponse: return "handle-response";
    case State::Validate: return "validate";
    case State::WaitChild: return "wait-child";
    case State::Finished: return "finished";
  }
  return "unknown";
}

Iterator::Iterator(Engine& e, Resolution& r)
    : engine(e), res(r), cache(e.caches_), event_time(e.world_.clock.now()),
      event_mono(e.world_.clock.mono()) {}

bool Iterator::run(size_t idx) {
  int steps = 0;
  for (;;) {
    Task& t = *res.tasks[idx];
    while (t.state != State::WaitResponse && t.state != State::WaitChild &&
           t.state != State::Finished) {
      if (mono() >= res.deadline) {
        t.state = fail(t, Failure::Deadline);
        break;
      }
      if (++steps > kMaxStepsWithoutWaiting) {
        t.state = fail(t, Failure::Internal);
        break;
      }
      switch (t.state) {
        case State::Init:
          t.state = child_failed_recently(t) ? State::Finished : on_init(t);
          break;
        case State::FindDelegation: t.state = on_find_delegation(t); break;
        case State::Prime: t.state = on_prime(t); break;
        case State::SelectServer: t.state = on_select_server(t); break;
        case State::SendQuery: t.state = on_send_query(t); break;
        case State::HandleResponse: t.state = on_handle_response(t); break;
        case State::Validate: t.state = on_validate(t); break;
        case State::WaitResponse:
        case State::WaitChild:
        case State::Finished: break;
      }
    }
    if (t.state == State::WaitChild && t.child && res.tasks[*t.child]->state == State::Init) {
      idx = *t.child;  // a fresh child: run it now
      continue;
    }
    if (t.state != State::Finished) return false;
    if (!t.parent) return true;
    Task& parent = *res.tasks[*t.parent];
    if (parent.state != State::WaitChild || parent.child != idx) return false;
    parent.child.reset();
    remember_child_failure(t);  // here, where the parent takes the result: once per child
    if (t.result.kind == TaskResult::Kind::Failed && fatal(t.result.failure))
      parent.state = fail(parent, t.result.failure);
    else if (t.key_fetch != KeyFetch::None)
      parent.state = on_validation_child(parent, t);
    else
      parent.state = on_child_done(parent, t);
    idx = parent.index;
  }
}

State Iterator::fail(Task& t, Failure f) {
  t.result = TaskResult{};
  t.result.kind = TaskResult::Kind::Failed;
  t.result.failure = f;
  if (t.have_dp) t.result.failed_zone = t.dp.zone;
  if (t.send_seq > 0) t.result.failed_server = t.server;
  if (tracing()) trace(t, TraceStep::Kind::Failure, std::string(to_string(f)), t.send_seq > 0);
  return State::Finished;
}

void Iterator::trace(const Task& t, TraceStep::Kind kind, std::string detail, bool with_server,
                     std::chrono::milliseconds rtt) {
  TraceStep s;
  s.kind = kind;
  s.depth = t.depth;
  s.qname = t.qname;
  s.qtype = t.qtype;
  if (t.have_dp) s.zone = t.dp.zone;
  if (with_server) s.server = t.server;
  s.protocol = t.protocol;
  s.rtt = rtt;
  s.detail = std::move(detail);
  res.trace->step(s);
}

State Iterator::finish_answer(Task& t, TaskResult::Kind kind, std::vector<wire::RRset> answer,
                              std::optional<wire::RRset> soa) {
  t.result = TaskResult{};
  t.result.kind = kind;
  t.result.answer = t.chain;
  for (auto& a : answer) t.result.answer.push_back(std::move(a));
  t.result.soa = std::move(soa);
  t.result.security = t.val_security;
  t.result.reason = t.val_reason;
  if (tracing()) {
    std::string what = kind == TaskResult::Kind::NxDomain ? "NXDOMAIN"
                       : kind == TaskResult::Kind::NoData ? "NODATA"
                       : kind == TaskResult::Kind::YxDomain ? "YXDOMAIN" : "data";
    for (const auto& set : t.result.answer)
      what += cat(" | ", set.owner.to_text(), " ", wire::type_to_text(set.type), " (",
                  std::to_string(set.size()), " records, TTL ", std::to_string(set.ttl), ")");
    trace(t, TraceStep::Kind::Answer, std::move(what), true);
  }
  return State::Finished;
}

std::optional<State> Iterator::follow_chain(Task& t, const std::vector<wire::RRset>& records,
                                            const wire::Name& target) {
  for (const auto& r : records) {
    if (r.type == wire::RRType::CNAME &&
        std::find(t.visited.begin(), t.visited.end(), r.owner) == t.visited.end())
      t.visited.push_back(r.owner);
    t.chain.push_back(r);
    // A DNAME and the CNAME synthesised from it are one hop.
    if (r.type == wire::RRType::CNAME) ++t.cname_hops;
  }
  if (t.cname_hops > engine.config_.max_cname_chain) return fail(t, Failure::CnameChainTooLong);
  if (std::find(t.visited.begin(), t.visited.end(), target) != t.visited.end())
    return fail(t, Failure::CnameLoop);
  t.visited.push_back(target);
  if (tracing()) trace(t, TraceStep::Kind::Chain, cat("follow to ", target.to_text()));
  t.qname = target;
  // A new name starts a new walk from its own closest delegation.
  t.have_dp = false;
  t.minimise = engine.config_.qname_minimisation && !t.priming;
  t.minimise_labels = 0;
  t.minimise_queries = 0;
  return std::nullopt;
}

size_t Iterator::spawn_child(Task& parent, const wire::Name& qname, wire::RRType qtype,
                             bool priming) {
  auto child = std::make_unique<Task>();
  child->index = res.tasks.size();
  child->parent = parent.index;
  child->depth = parent.depth + 1;
  child->priming = priming;
  child->qname = qname;
  child->qtype = qtype;
  child->qclass = parent.qclass;
  child->visited.push_back(qname);
  child->minimise = engine.config_.qname_minimisation && !priming;
  child->forward_failed = parent.forward_failed;
  size_t idx = child->index;
  if (tracing())
    trace(parent, TraceStep::Kind::Child,
          cat(priming ? "priming: " : "ask ", qname.to_text(), " ", wire::type_to_text(qtype)));
  res.tasks.push_back(std::move(child));
  parent.child = idx;
  return idx;
}

// RFC 9520 §3.2 keys the failure cache by (name, type, class) of any resolution, not only the
// client's: without this a glueless name server whose own name cannot be resolved is resolved
// again, with its timeouts, for every client question under its zone. Engine::resolve and
// Engine::complete do the same for the client's question (tasks[0]); these two do it for the
// children. Neither for root priming (its failure is the hints', PrimingFailed says so) nor for a
// trace (it shows a full resolution and must not change what clients get). A prefetch reads but
// does not write, as for its own question.
namespace {

bool child_uses_failure_cache(const Engine& e, const Resolution& res, const Task& t) {
  return t.parent && !t.priming && !res.trace && e.config().failure_cache_min_ttl.count() > 0;
}

}  // namespace

bool Iterator::child_failed_recently(Task& t) {
  // Only the task's own question: after a CNAME it is back at Init with a chain, for a name the
  // cache key does not hold (visited.front() is the question it was spawned for).
  if (!child_uses_failure_cache(engine, res, t) || !t.chain.empty() || t.visited.empty() ||
      t.qname != t.visited.front())
    return false;
  auto failed = cache.recently_failed(t.qname, t.qtype, t.qclass, mono());
  if (!failed) return false;
  // Nothing is sent and nothing is recorded again (RecentFailure is not remembered()): the
  // parent treats it as the failure it stands for and moves on to what else it can try.
  fail(t, Failure::RecentFailure);
  t.result.failed_zone = failed->zone;
  t.result.failed_server = failed->server;
  return true;
}

void Iterator::remember_child_failure(const Task& t) {
  if (!child_uses_failure_cache(engine, res, t) || res.prefetch ||
      t.result.kind != TaskResult::Kind::Failed || !remembered(t.result.failure) || t.visited.empty())
    return;
  // Failures that belong to this resolution rather than to the child's question: its budget,
  // deadline and referral count run across every task, its depth is where the child was spawned,
  // and an inherited forward-first fallback is not how a fresh resolution asks.
  if (fatal(t.result.failure) || t.result.failure == Failure::SubqueryDepth || t.forward_failed)
    return;
  // The same child of another resolution in flight at the same time failed already: one failure,
  // not a second one that would double the period.
  if (cache.recently_failed(t.visited.front(), t.qtype, t.qclass, mono())) return;
  cache.record_failure(t.visited.front(), t.qtype, t.qclass, mono(),
                       engine.config_.failure_cache_min_ttl, engine.config_.failure_cache_max_ttl,
                       FailureInfo{t.result.failure, t.result.failed_zone, t.result.failed_server});
}

bool Iterator::allowed(const Address& a) const { return upstream_allowed(engine.config_, a); }

std::optional<Answer> stale_answer(CacheAccess& cache, const Query& q, const EngineConfig& cfg,
                                   Instant now, EngineStats& stats) {
  if (!cfg.serve_stale) return std::nullopt;
  Answer a;
  // The answer cache first (the answer as it was given, even if its chain's RRsets expired),
  // then the RRset walk.
  if (auto hit = cache.answer(q.qname, q.qtype, q.qclass, q.dnssec_ok, q.cd, now, /*stale=*/true)) {
    ++stats.stale_answer_cache_hits;
    a.rcode = hit->rcode;
    a.answer = std::move(hit->answer);
    a.authority = std::move(hit->authority);
    // Stale even when every part is still fresh, as for the walk below: no upstream confirmed it.
    a.stale = true;
    return a;
  }
  auto walk = walk_cache(cache, q.qname, q.qtype, q.qclass, now, cfg.max_cname_chain,
                         /*stale=*/true, /*refresh=*/false);
  if (walk.outcome == CacheWalk::Outcome::Miss) return std::nullopt;
  a.stale = true;
  a.answer = walk.chain;
  for (auto& s : walk.answer) a.answer.push_back(s);
  if (walk.soa) a.authority.push_back(*walk.soa);
  if (walk.soa && walk.zone_ns) a.authority.push_back(*walk.zone_ns);
  a.rcode = walk.outcome == CacheWalk::Outcome::NxDomain ? wire::Rcode::NXDomain : wire::Rcode::NoError;
  return a;
}

Answer Iterator::client_answer(const Task& root) {
  Answer a;
  a.upstream_queries = res.upstream_queries;
  const auto& r = root.result;
  switch (r.kind) {
    case TaskResult::Kind::Answer:
      a.rcode = wire::Rcode::NoError;
      a.answer = r.answer;
      // A wildcard answer's proof that no closer name exists (RFC 4035 §3.1.3.3).
      if (res.query.dnssec_ok)
        for (const auto& p : r.proof) a.authority.push_back(p);
      return a;
    case TaskResult::Kind::NxDomain:
    case TaskResult::Kind::NoData:
      a.rcode = r.kind == TaskResult::Kind::NxDomain ? wire::Rcode::NXDomain : wire::Rcode::NoError;
      a.answer = r.answer;
      if (r.soa) a.authority.push_back(*r.soa);
      if (r.soa && r.zone_ns) a.authority.push_back(*r.zone_ns);
      // RFC 4035 §3.1.3: a DO client gets the denial's proof.
      if (res.query.dnssec_ok)
        for (const auto& p : r.proof) a.authority.push_back(p);
      return a;
    case TaskResult::Kind::YxDomain:
      a.rcode = wire::Rcode::YXDomain;
      a.answer = r.answer;
      return a;
    case TaskResult::Kind::Failed: break;
  }
  // Every upstream failed: RFC 8767 serve-stale, if the cache still holds something.
  FailureInfo why{r.failure, r.failed_zone, r.failed_server};
  if (auto stale = stale_answer(cache, res.query, engine.config_, now(), engine.stats_)) {
    stale->upstream_queries = res.upstream_queries;
    stale->why = std::move(why);
    return *stale;
  }
  a.failure = r.failure;
  a.why = std::move(why);
  a.rcode = client_rcode(r.failure);
  // A chain that looped or grew too long is shown as far as it was followed (as Knot does), so
  // the client can see why it failed.
  if (r.failure == Failure::CnameLoop || r.failure == Failure::CnameChainTooLong) a.answer = root.chain;
  return a;
}

}  // namespace tern::engine
