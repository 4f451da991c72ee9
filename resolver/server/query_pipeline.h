// One worker's path for a client message, shared by UDP and TCP: checks and ACL → locally served
// zones → packet cache → backend (the engine). See docs/architecture.md.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <chrono>
#include <functional>
#include <optional>
#include <chrono>
#include <memory>
#include <span>
#include <vector>

#include "resolver/config/log.h"
#include "resolver/config/query_log.h"
#include "resolver/server/acl.h"
#include "resolver/server/backend.h"
#include "resolver/server/hit_cache.h"
#include "resolver/server/identity.h"
#include "resolver/server/local_policy.h"
#include "resolver/server/proxy_policy.h"
#include "resolver/server/query_check.h"
#include "resolver/server/rpz_policy.h"
#include "resolver/server/stats.h"

namespace tern::server {

enum class Outcome : uint8_t {
  Drop,   // send nothing
  Now,    // the response is in `out`
  Later,  // `later` will be called exactly once with the response (or an empty vector: drop)
};

struct PipelineSettings {
  uint16_t udp_max_payload = 1232;
  // Background refreshes asked by packet-cache hits, in flight at once per worker; further ones
  // are dropped (and counted) so a flood of hits on many expiring names cannot flood upstreams.
  // 0 = no prefetch.
  size_t max_prefetches = 16;
  IdentitySettings identity;  // CH TXT id.server / version.bind (identity.h)
  // Clients that get the EXTRA-TEXT of an Extended DNS Error (zone and server names):
  // server.ede-text-allow, loopback by default. Everyone else gets the INFO-CODE alone.
  std::vector<config::Network> ede_text_allow;
};

// log-servfail: at most one line per this interval per worker (WarningLimiter), the rest counted
// and reported with the next line, so a flood of failures cannot flood the log.
inline constexpr std::chrono::milliseconds kServfailLogInterval{10};

class QueryPipeline {
 public:
  QueryPipeline(PipelineSettings settings, std::shared_ptr<const LocalPolicy> policy,
                Backend& backend, HitCache* cache, Stats& stats, config::Log& log);

  void set_acl(std::shared_ptr<const Acl> acl) { acl_ = std::move(acl); }
  // A new local policy (reload). The caller clears the packet cache with it; answers to
  // resolutions started under the old policy are then not stored (policy_generation_).
  void set_local_policy(std::shared_ptr<const LocalPolicy> policy) {
    policy_ = std::move(policy);
    ++policy_generation_;
  }
  // A new response policy (RPZ reload), with the same packet-cache rule as the local policy.
  void set_rpz_policy(std::shared_ptr<const RpzPolicy> rpz) {
    rpz_ = rpz && !rpz->empty() ? std::move(rpz) : nullptr;
    ++policy_generation_;
  }
  // Read by the UDP listener and TCP connections before a message reaches handle().
  void set_proxy(std::shared_ptr<const ProxyPolicy> proxy) { proxy_ = std::move(proxy); }
  const ProxyPolicy& proxy() const { return *proxy_; }

  using Later = std::function<void(std::vector<uint8_t>)>;
  // Answers at once when it can (checks, local zones, packet cache) and returns Now or Drop;
  // otherwise hands the question to the backend with the callback `make_later()` builds (only
  // then: a cache hit allocates no callback) and returns Later.
  template <class MakeLater>
  Outcome handle(std::span<const uint8_t> packet, const sockaddr* client, bool tcp,
                 std::vector<uint8_t>& out, MakeLater&& make_later) {
    Checked c;
    RpzPending rpz;
    Outcome o = answer_now(packet, client, tcp, out, c, rpz);
    if (o == Outcome::Later) resolve(c.query, packet, client, tcp, std::move(rpz), Later(make_later()));
    return o;
  }

 private:
  // What the response policy still has to do once the backend answers (rpz_policy.h).
  struct RpzPending {
    std::shared_ptr<const RpzPolicy> policy;  // null: no policy applies to this answer
    size_t check_before = SIZE_MAX;  // response triggers of zones before this one still apply
    std::optional<RpzHit> hit;       // a QNAME / client-IP hit applied if no earlier zone's does
    std::optional<Sections> prefix;  // a walled-garden CNAME: the answer for its target follows it
    std::optional<wire::Name> follow;
  };
  Outcome answer_now(std::span<const uint8_t> packet, const sockaddr* client, bool tcp,
                     std::vector<uint8_t>& out, Checked& c, RpzPending& rpz);
  bool answer_from_cache(std::span<const uint8_t> packet, const sockaddr* client, bool tcp,
                         std::vector<uint8_t>& out, Checked& c, bool allowed,
                         std::chrono::steady_clock::time_point arrived);
  // Applies an RPZ verdict that needs no backend; false when the query goes on (Passthru).
  bool answer_rpz(const RpzVerdict& v, const ClientQuery& q, const sockaddr* client,
                  size_t limit, std::vector<uint8_t>& out, Outcome& outcome, bool tcp,
                  std::chrono::steady_clock::time_point arrived);
  void resolve(const ClientQuery& q, std::span<const uint8_t> packet, const sockaddr* client,
               bool tcp, RpzPending rpz, Later later);
  void prefetch(const ClientQuery& q, std::span<const uint8_t> packet, bool tcp);
  // Builds the response for `q` from the backend's sections and stores it in the packet cache
  // when it may be replayed; returns it.
  // `ede_text`: the client may see EXTRA-TEXT.
  std::vector<uint8_t> respond(const ClientQuery& q, const std::vector<uint8_t>& query_copy,
                               bool tcp, const Sections& s, bool cacheable, uint64_t generation,
                               bool ede_text = false);
  // log-servfail: one line with the question, the client, the zone, the server and the reason.
  void log_servfail(const sockaddr* client, const ClientQuery& q, const Sections& s);
  void count_rcode(wire::Rcode r);
  void log_query(const sockaddr* client, const ClientQuery& q, wire::Rcode rcode,
                 std::string_view source, bool tcp, std::chrono::steady_clock::time_point started,
                 std::optional<uint16_t> ede = std::nullopt) const;

  PipelineSettings settings_;
  std::shared_ptr<const LocalPolicy> policy_;
  std::shared_ptr<const RpzPolicy> rpz_;  // null when no policy zone is configured
  uint64_t policy_generation_ = 0;
  Backend& backend_;
  HitCache* cache_;
  Stats& stats_;
  config::Log& log_;
  std::shared_ptr<const Acl> acl_;
  std::shared_ptr<const ProxyPolicy> proxy_;
  Acl ede_text_;
  config::WarningLimiter servfail_lines_;
  size_t prefetches_in_flight_ = 0;
  std::shared_ptr<config::QueryLog::Writer> query_log_;  // this worker's query-log buffer
};

}  // namespace tern::server
