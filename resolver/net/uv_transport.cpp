#include "resolver/net/uv_transport.h"

#include <fmt/format.h>

#include <vector>

#include "resolver/net/exchange.h"
#include "resolver/net/qname_case.h"
#include "resolver/net/tls_upstream.h"

namespace tern::net {

UvTransport::UvTransport(uv_loop_t* loop, TransportConfig config, config::Log* log)
    : loop_(loop), log_(log), config_(std::move(config)), case_memory_(config_.case_memory_size) {
  if (config_.port_low == 0) config_.port_low = 1;
  if (config_.port_high < config_.port_low) config_.port_high = config_.port_low;
}

void UvTransport::socket_failed(int uv_error) {
  if (!log_) return;
  bool out_of_fds = uv_error == UV_EMFILE || uv_error == UV_ENFILE;
  log_->warn_limited(socket_warnings_, "upstream: cannot open a socket for a query: {}{}",
                     uv_strerror(uv_error),
                     out_of_fds ? std::string("; ") + config::fd_limit_advice() : std::string());
}

UvTransport::~UvTransport() {
  std::vector<Exchange*> all(active_.begin(), active_.end());
  active_.clear();
  for (auto* e : all) e->abandon();
  tls_upstreams_.clear();
  for (auto& [file, ctx] : tls_contexts_) free_tls_context(ctx);
}

namespace {

// Appended, not a + " " + b: GCC 12 -O3 warns falsely there (-Wrestrict, PR 105329).
std::string tls_key(const engine::Address& server, const std::string& name) {
  std::string key = server.to_string();
  key += ' ';
  key += name;
  return key;
}

}  // namespace

void UvTransport::set_tls_peers(const std::vector<TlsPeer>& peers) {
  tls_peers_ = peers;
  // Connections to servers no longer listed (or with another name) go; the rest are kept.
  for (auto it = tls_upstreams_.begin(); it != tls_upstreams_.end();) {
    bool listed = false;
    for (const auto& p : tls_peers_) listed = listed || it->first == tls_key(p.server, p.name);
    if (listed) ++it;
    else it = tls_upstreams_.erase(it);
  }
}

TlsUpstream& UvTransport::tls_upstream(const engine::Address& server) {
  const TlsPeer* peer = nullptr;
  for (const auto& p : tls_peers_)
    if (p.server == server) peer = &p;
  std::string key = tls_key(server, peer ? peer->name : std::string());
  auto it = tls_upstreams_.find(key);
  if (it != tls_upstreams_.end()) return *it->second;
  SSL_CTX* ctx = nullptr;
  if (peer) {
    auto c = tls_contexts_.find(peer->ca_file);
    if (c == tls_contexts_.end()) {
      std::string error;
      ctx = make_tls_context(peer->ca_file, &error);
      if (!ctx && log_) log_->warn("upstream TLS to {}: {}", server.to_string(), error);
      if (ctx) tls_contexts_.emplace(peer->ca_file, ctx);
    } else {
      ctx = c->second;
    }
  }
  // Without a peer entry or a context the upstream refuses every query (never cleartext).
  auto up = std::make_unique<TlsUpstream>(*this, server, peer ? peer->name : std::string(), ctx);
  return *tls_upstreams_.emplace(key, std::move(up)).first->second;
}

void UvTransport::count_unwanted() {
  if (config_.unwanted_reply_threshold == 0) return;
  if (++unwanted_since_warning_ < config_.unwanted_reply_threshold) return;
  unwanted_since_warning_ = 0;
  ++stats_.unwanted_reply_warnings;
  if (config_.warn)
    config_.warn(fmt::format("unwanted-reply-threshold: {} unwanted upstream replies on this worker;"
                             " possible spoofing attempt",
                             config_.unwanted_reply_threshold));
}

uint16_t UvTransport::draw_port() {
  uint32_t span = uint32_t(config_.port_high) - config_.port_low + 1;
  // Multiply-shift maps 32 random bits onto the range; the bias is below 2^-16.
  return uint16_t(config_.port_low + ((uint64_t(random_.next_u32()) * span) >> 32));
}

const engine::Address* UvTransport::draw_outgoing(bool v6) {
  size_t n = 0;
  for (const auto& a : config_.outgoing) n += a.v6 == v6;
  if (n == 0) return nullptr;
  size_t pick = size_t((uint64_t(random_.next_u32()) * n) >> 32);
  for (const auto& a : config_.outgoing) {
    if (a.v6 != v6) continue;
    if (pick-- == 0) return &a;
  }
  return nullptr;
}

void UvTransport::send(const engine::Address& server, engine::Protocol protocol,
                       std::vector<uint8_t> query, engine::MonoInstant deadline,
                       engine::TransportDone done) {
  auto identity = QueryIdentity::of_query(query).value_or(QueryIdentity{});
  if (protocol == engine::Protocol::Tls) {
    // An authenticated channel: no 0x20 (nothing off-path can answer on it).
    auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now());
    tls_upstream(server).send(std::move(query), std::move(identity),
                              std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now),
                              std::move(done));
    return;
  }
  // 0x20 on TCP too, although an off-path attacker cannot answer there: a wrong-case TCP answer is
  // how a server that does not keep case is recognised (and then accepted).
  std::vector<uint8_t> original_qname;
  if (config_.case_randomisation &&
      !identity.qname_wire.empty() && case_memory_.preserves_case(server)) {
    original_qname = identity.qname_wire;
    if (randomise_qname_case(query, random_) > 0) {
      identity.qname_wire.assign(query.begin() + 12,
                                 query.begin() + long(12 + original_qname.size()));
      identity.exact_case = true;
    } else {
      original_qname.clear();
    }
  }
  // The deadline is on the monotonic clock; uv timers count loop time. Convert once, here.
  auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now());
  auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
  Exchange* e;
  if (protocol == engine::Protocol::Udp)
    e = new UdpExchange(*this, server, std::move(query), std::move(identity), std::move(done));
  else
    e = new TcpExchange(*this, server, std::move(query), std::move(identity), std::move(done));
  e->set_original_qname(std::move(original_qname));
  active_.insert(e);
  e->start(delay);
}

}  // namespace tern::net
