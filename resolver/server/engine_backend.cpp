#include "resolver/server/engine_backend.h"

#include "resolver/config/address.h"
#include "resolver/net/uv_transport.h"

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
  s.ede = extended_error(a);
  s.why = a.why;
  s.source = a.stale ? BackendSource::Stale
             : a.from_cache && !a.failure ? BackendSource::RecordCache
                                          : BackendSource::Resolution;
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
      [this, done = std::move(done)](const engine::Answer& a) {
        count(a);
        done(sections_of(a), cacheable(a));
      },
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
  engine_->resolve(eq, [this, done = std::move(done)](const engine::Answer& a) {
    count(a);
    done(sections_of(a), cacheable(a));
  });
}

void EngineBackend::count(const engine::Answer& a) {
  if (a.failure) ++failures_[size_t(*a.failure)];
}

void EngineBackend::add_stats(BackendStats& s) const {
  const engine::EngineStats& e = engine_->stats();
  BackendStats mine;
  mine.engine = e;
  // The transport is the engine's interface; ternd's is the libuv one, whose counters these are
  // (tests plug in other transports, which count nothing here).
  if (const auto* t = dynamic_cast<const net::UvTransport*>(parts_.transport.get())) {
    mine.transport = t->stats();
    mine.upstream_in_flight = t->in_flight();
    mine.upstream_rtt = t->rtt();
  }
  mine.failures = failures_;
  mine.resolutions_in_flight = engine_->in_flight();
  s.add(mine);
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
  e.min_timeout = engine::milliseconds(cfg.resolver.infra_cache_min_rtt_ms);
  e.max_timeout = engine::milliseconds(cfg.resolver.infra_cache_max_rtt_ms);
  e.timeouts_before_down = cfg.resolver.timeouts_before_down;
  e.infra_backoff_base = std::chrono::seconds(cfg.resolver.infra_backoff_base);
  e.infra_backoff_max = std::chrono::seconds(cfg.resolver.infra_backoff_max);
  e.max_lame_ttl = std::chrono::seconds(cfg.resolver.infra_lame_ttl);
  e.fetches_per_zone = cfg.resolver.fetches_per_zone;
  e.fetches_per_server = cfg.resolver.fetches_per_server;
  e.failure_cache_min_ttl = std::chrono::seconds(cfg.resolver.failure_cache_min_ttl);
  e.failure_cache_max_ttl = std::chrono::seconds(cfg.resolver.failure_cache_max_ttl);
  return e;
}

net::TransportConfig transport_config(const config::Config& cfg, config::Log& log) {
  net::TransportConfig t;
  const auto& r = cfg.resolver;
  t.case_randomisation = r.case_randomisation;
  t.near_miss_limit = r.near_miss_limit;
  t.unwanted_reply_threshold = r.unwanted_reply_threshold;
  t.port_low = r.outgoing_port_low;
  t.port_high = r.outgoing_port_high;
  for (const auto& text : r.outgoing_address) {
    auto a = engine::Address::parse(text, 0);
    if (!a) throw config::ConfigError("outgoing-address: '" + text + "' is not an address");
    t.outgoing.push_back(*a);
  }
  t.warn = [&log](const std::string& line) { log.warn("{}", line); };
  return t;
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
