#include "resolver/server/engine_backend.h"

namespace tern::server {
namespace {

engine::Query engine_query(const ClientQuery& q) {
  engine::Query eq;
  eq.qname = q.qname;
  eq.qtype = q.qtype;
  eq.qclass = q.qclass;
  eq.dnssec_ok = q.dnssec_ok();
  eq.cd = q.header.cd;
  return eq;
}

Sections sections_of(const engine::Answer& a) {
  Sections s;
  s.dropped = a.dropped;
  s.rcode = a.rcode;
  s.answer = a.answer;
  s.authority = a.authority;
  s.additional = a.additional;
  return s;
}

// Stale data is served once with a short TTL (RFC 8767) and must not be replayed from the packet
// cache; failures are not cached here either (the engine keeps its own failure state).
bool cacheable(const engine::Answer& a) {
  return !a.stale && !a.dropped && (a.rcode == wire::Rcode::NoError || a.rcode == wire::Rcode::NXDomain);
}

}  // namespace

EngineBackend::EngineBackend(EngineParts parts, engine::EngineConfig config, cache::Caches& caches)
    : parts_(std::move(parts)) {
  engine::World world{*parts_.transport, *parts_.clock, *parts_.random};
  engine_ = std::make_unique<engine::Engine>(std::move(config), world, caches);
}

EngineBackend::~EngineBackend() {
  // The engine first: it holds references to the transport, clock and random source.
  engine_.reset();
}

void EngineBackend::resolve(const ClientQuery& q, const sockaddr* client, Done done) {
  engine_->resolve(
      engine_query(q),
      [done = std::move(done)](const engine::Answer& a) { done(sections_of(a), cacheable(a)); },
      client ? config::address_of(client) : std::nullopt);
}

void EngineBackend::prefetch(const ClientQuery& q, Done done) {
  engine::Query eq = engine_query(q);
  // Engine::prefetch starts a resolution that skips the cached answer for the question (the
  // RRsets behind a nearly expired packet-cache entry are nearly expired too) but has no
  // callback. resolve() right after joins that resolution as a waiter (identical questions in
  // flight merge), so `done` gets the fresh answer. When the prefetch did not stay in flight (the
  // engine is at max_in_flight, or it completed at once), resolve() answers as it would a client.
  engine_->prefetch(eq);
  engine_->resolve(eq, [done = std::move(done)](const engine::Answer& a) {
    done(sections_of(a), cacheable(a));
  });
}

engine::EngineConfig engine_config(const config::Config& cfg, std::string root_hints_text) {
  engine::EngineConfig e;
  e.qname_minimisation = cfg.resolver.qname_minimisation;
  e.ipv6 = cfg.resolver.ipv6;
  for (const auto& text : cfg.resolver.upstream_allow) {
    auto c = engine::Cidr::parse(text);
    if (!c) throw config::ConfigError("upstream-allow: '" + text + "' is not a network");
    e.upstream_allow.push_back(*c);
  }
  e.root_hints_text = std::move(root_hints_text);
  e.upstream_port = cfg.resolver.upstream_port;
  e.prefetch = cfg.cache.prefetch;
  e.serve_stale = cfg.cache.serve_stale;
  e.max_cname_chain = cfg.resolver.max_cname_chain;
  e.max_upstream_queries = cfg.resolver.max_upstream_queries;
  e.max_referral_depth = cfg.resolver.max_referral_depth;
  e.resolve_deadline = engine::milliseconds(cfg.resolver.resolve_deadline_ms);
  e.max_waiters_per_query = cfg.resolver.max_waiters_per_query;
  e.wait_limit = cfg.resolver.wait_limit;
  e.discard_timeout = engine::milliseconds(cfg.resolver.discard_timeout_ms);
  e.initial_timeout = engine::milliseconds(cfg.resolver.initial_timeout_ms);
  return e;
}

cache::CacheLimits cache_limits(const config::Config& cfg) {
  cache::CacheLimits l;
  l.max_ttl = cfg.cache.max_ttl;
  l.min_ttl = cfg.cache.min_ttl;
  l.max_negative_ttl = cfg.cache.max_negative_ttl;
  l.serve_stale = cfg.cache.serve_stale;
  l.stale_window = cfg.cache.stale_window;
  l.bytes = size_t(cfg.cache.size_mib) << 20;
  return l;
}

}  // namespace tern::server
