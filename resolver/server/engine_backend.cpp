#include "resolver/server/engine_backend.h"
#include "resolver/server/zone_routes_config.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "cache/cache_limits.h"
#include "cache/caches.h"
#include "wire/rdata.h"
#include "resolver/validator/trust_anchor.h"
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
  s.secure = a.secure;
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

// What the fleet may reuse: a finished resolution's answer, not one from this instance's caches
// (it was stored when it was resolved), not stale data, not a failure.
bool shareable(const engine::Answer& a) {
  return cacheable(a) && !a.from_cache && !a.failure;
}

SharedKey shared_key(const engine::Query& q) {
  return SharedKey{q.qname, q.qtype, q.qclass, q.dnssec_ok, q.cd};
}

}  // namespace

EngineBackend::EngineBackend(EngineParts parts, engine::EngineConfig config, cache::Caches& caches,
                             std::unique_ptr<SharedCache> shared)
    : parts_(std::move(parts)), caches_(caches), shared_(std::move(shared)) {
  engine::World world{*parts_.transport, *parts_.clock, *parts_.random};
  engine_ = std::make_unique<engine::Engine>(std::move(config), world, caches);
  if (auto* t = dynamic_cast<net::UvTransport*>(parts_.transport.get()))
    t->set_tls_peers(tls_peers(engine_->zone_routes()));
}

void EngineBackend::set_zone_routes(engine::ZoneRoutesPtr routes) {
  if (auto* t = dynamic_cast<net::UvTransport*>(parts_.transport.get())) t->set_tls_peers(tls_peers(routes));
  engine_->set_zone_routes(std::move(routes));
}

NameServers EngineBackend::name_servers(const wire::Name& name) {
  // The engine cached the delegation it followed to this answer (NS at AuthorityNonAuth or
  // better) and the servers' addresses: the closest NS set above the name is the zone that
  // answered it, unless it expired meanwhile (then the next one up, as the engine would use).
  NameServers out;
  cache::Instant now = parts_.clock->now();
  for (size_t labels = name.label_count(); labels > 0; --labels) {
    wire::Name zone = name.suffix(labels);
    auto ns = caches_.rrsets().lookup(zone, wire::RRType::NS, wire::RRClass::IN, now);
    if (!ns) continue;
    for (auto rdata : ns->rrset) {
      auto target = wire::rdata_target(wire::RRType::NS, rdata);
      if (!target) continue;
      out.names.push_back(*target);
      for (wire::RRType t : {wire::RRType::A, wire::RRType::AAAA})
        if (auto a = caches_.rrsets().lookup(*target, t, wire::RRClass::IN, now)) out.addresses.push_back(a->rrset);
    }
    break;
  }
  return out;
}

EngineBackend::~EngineBackend() {
  // The shared cache first: its pending lookups' callbacks refer to the engine (they are not
  // called). Then the engine: it holds references to the transport, clock and random source.
  shared_.reset();
  engine_.reset();
}

uint64_t EngineBackend::now_unix() const {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(parts_.clock->now().time_since_epoch());
  return uint64_t(std::max<int64_t>(s.count(), 0));
}

void EngineBackend::resolve(const ClientQuery& q, const sockaddr* client, Done done) {
  engine::Query eq = engine_query(q);
  std::optional<engine::Address> addr = client ? config::address_of(client) : std::nullopt;
  // Redis is asked only when this instance knows nothing: not while the same question is being
  // resolved here (it merges), not when the engine's caches answer.
  if (!shared_ || engine_->resolving(eq)) {
    resolve_with_engine(eq, addr, std::move(done), /*store=*/false, std::nullopt);
    return;
  }
  if (engine_->answer_cached(eq, [&](const engine::Answer& a) {
        count(a);
        done(sections_of(a), cacheable(a));
      }))
    return;
  uint64_t now = now_unix();
  shared_->lookup(shared_key(eq), now,
                  [this, eq, addr, done = std::move(done)](SharedLookup found) mutable {
    if (found.fresh) {
      // Into the packet cache too (cacheable), with the TTLs Redis's copy has left.
      done(*found.fresh, true);
      return;
    }
    resolve_with_engine(eq, addr, std::move(done), /*store=*/true, std::move(found.stale));
  });
}

void EngineBackend::resolve_with_engine(const engine::Query& eq, std::optional<engine::Address> client,
                                        Done done, bool store, std::optional<Sections> shared_stale) {
  // A question merged into a resolution in flight: whoever started it stores the answer.
  store = store && shared_ && !engine_->resolving(eq);
  engine_->resolve(
      eq,
      [this, eq, store, stale = std::move(shared_stale), done = std::move(done)](const engine::Answer& a) {
        count(a);
        if (stale && a.failure && !a.stale && !a.dropped) {
          // RFC 8767: the fleet's expired copy beats SERVFAIL, with the stale TTL, once (not
          // into the packet cache).
          Sections s = *stale;
          for (auto* part : {&s.answer, &s.authority, &s.additional})
            for (auto& rr : *part) rr.ttl = cache::kStaleTtl;
          s.source = BackendSource::Stale;
          shared_->count_stale_answer();
          done(s, false);
          return;
        }
        Sections s = sections_of(a);
        if (store && shareable(a)) shared_->store(shared_key(eq), s, now_unix());
        done(s, cacheable(a));
      },
      client);
}

void EngineBackend::prefetch(const ClientQuery& q, Done done) {
  engine::Query eq = engine_query(q);
  // The refreshed answer is written to the shared cache as well, so one instance's refresh renews
  // the fleet's copy. Redis is not read first: a prefetch exists to get a fresh upstream answer.
  const bool store = shared_ && !engine_->resolving(eq);
  // Engine::prefetch starts a resolution that skips the cached answer for the question (the
  // RRsets behind a nearly expired packet-cache entry are nearly expired too) but has no
  // callback. resolve() right after joins that resolution as a waiter (identical questions in
  // flight merge), so `done` gets the fresh answer. When the prefetch did not stay in flight (the
  // engine is at max_in_flight, or it completed at once), resolve() answers as it would a client.
  engine_->prefetch(eq);
  engine_->resolve(eq, [this, eq, store, done = std::move(done)](const engine::Answer& a) {
    count(a);
    Sections s = sections_of(a);
    if (store && shareable(a)) shared_->store(shared_key(eq), s, now_unix());
    done(s, cacheable(a));
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
  if (shared_) mine.shared_cache = shared_->stats();
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
  e.zone_routes = make_zone_routes(cfg);
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
  e.dnssec = dnssec_config(cfg);
  return e;
}

engine::DnssecConfig dnssec_config(const config::Config& cfg) {
  engine::DnssecConfig d;
  const auto& c = cfg.dnssec;
  d.validation = c.validation;
  for (const auto& path : c.trust_anchor_files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config::ConfigError("trust-anchor-files: " + path + ": cannot open");
    std::ostringstream text;
    text << in.rdbuf();
    auto anchors = validator::parse_trust_anchors(text.str());
    if (!anchors)
      throw config::ConfigError("trust-anchor-files: " + path + ":" +
                                std::to_string(anchors.error().line) + ": " +
                                std::string(validator::to_string(anchors.error().error)));
    for (auto& a : *anchors) d.trust_anchors.push_back(std::move(a));
  }
  for (const auto& text : c.negative_trust_anchors) {
    auto n = wire::Name::from_text(text);
    if (!n) throw config::ConfigError("negative-trust-anchors: '" + text + "' is not a domain name");
    d.negative_trust_anchors.push_back(*n);
  }
  d.bogus_ttl = std::chrono::seconds(c.val_bogus_ttl);
  d.max_signature_validations = c.max_signature_validations_per_query;
  d.max_nsec3_hashes = c.max_nsec3_hash_computations_per_query;
  return d;
}

net::TransportConfig transport_config(const config::Config& cfg, config::Log& log) {
  net::TransportConfig t;
  const auto& r = cfg.resolver;
  t.case_randomisation = r.case_randomisation;
  t.near_miss_limit = r.near_miss_limit;
  t.unwanted_reply_threshold = r.unwanted_reply_threshold;
  t.port_low = r.outgoing_port_low;
  t.port_high = r.outgoing_port_high;
  t.port_bind_attempts = static_cast<int>(r.outgoing_port_bind_attempts);
  t.case_memory_size = r.case_memory_servers;
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
