// ServerStateCache: what the engine learns about upstream servers, per address: smoothed RTT,
// retransmission timeout with exponential backoff, EDNS support, and lame marks per (server,
// zone), on the monotonic clock. Shared by the worker threads (sharded), bounded in bytes, SIEVE eviction; entries not
// updated for kServerStateTtl are forgotten (as Unbound's infra-host-ttl).
//
// RTT smoothing follows RFC 6298 as Unbound's rtt_update() does: srtt += (rtt - srtt) / 8,
// rttvar += (|rtt - srtt| - rttvar) / 4, timeout = srtt + 4 * rttvar clamped to
// [kMinTimeout, kMaxTimeout]; each timeout doubles the timeout. Like BIND's srtt aging, the RTT
// used to *choose* a server decays towards zero while the server is not heard from (halving every
// kRttDecayHalfLife), so a server that was slow once is tried again later instead of never.
// After kTimeoutsBeforeBackoff consecutive timeouts a server is backed off (avoid unless nothing
// else is left) for kBackoffBase doubling per further timeout, at most kMaxBackoff.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "cache/sharded.h"
#include "cache/time.h"
#include "wire/name.h"

namespace tern::cache {

constexpr Millis kUnknownServerRtt{376};  // Unbound's UNKNOWN_SERVER_NICENESS
constexpr Millis kInitialServerTimeout{400};
constexpr Millis kMinTimeout{50};
constexpr Millis kMaxTimeout{12000};
constexpr Seconds kRttDecayHalfLife{60};
constexpr uint32_t kTimeoutsBeforeBackoff = 3;
constexpr Seconds kBackoffBase{5};
constexpr Seconds kMaxBackoff{120};
constexpr Seconds kServerStateTtl{900};
constexpr Seconds kLameTtl{900};

struct ServerKey {
  std::array<uint8_t, 16> addr{};  // IPv4 in the first 4 octets
  uint16_t port = 53;
  bool v6 = false;

  static ServerKey ipv4(std::array<uint8_t, 4> a, uint16_t port = 53);
  static ServerKey ipv6(std::array<uint8_t, 16> a, uint16_t port = 53);
  friend bool operator==(const ServerKey&, const ServerKey&) = default;
};

enum class EdnsSupport : uint8_t { Unknown, Supported, Unsupported };

struct ServerInfo {
  bool known = false;          // false: no sample yet (defaults below)
  Millis srtt = kUnknownServerRtt;
  Millis rttvar{0};
  Millis timeout = kInitialServerTimeout;  // what to wait for the next query to this server
  Millis selection_rtt = kUnknownServerRtt;  // srtt decayed by time since last heard from
  uint32_t consecutive_timeouts = 0;
  bool backed_off = false;     // avoid unless every candidate is backed off
  EdnsSupport edns = EdnsSupport::Unknown;
};

struct ServerEntry : SieveNode {
  ServerKey key;
  MonoInstant updated;         // last event of any kind (expiry base)
  MonoInstant heard;           // last answer (decay base)
  MonoInstant backoff_until;
  uint32_t srtt_ms = 0;
  uint32_t rttvar_ms = 0;
  uint32_t timeout_ms = 0;
  uint32_t timeouts = 0;
  bool has_rtt = false;
  EdnsSupport edns = EdnsSupport::Unknown;
  static void destroy(ServerEntry* e) { delete e; }
};

struct LameEntry : SieveNode {
  ServerKey key;
  MonoInstant expiry;
  uint8_t zone_size = 0;
  std::span<const uint8_t> zone() const { return {reinterpret_cast<const uint8_t*>(this + 1), zone_size}; }
  static LameEntry* create(const ServerKey& key, const wire::Name& zone, uint64_t hash, MonoInstant expiry);
  static void destroy(LameEntry* e);
};

class ServerStateCache {
 public:
  explicit ServerStateCache(size_t budget_bytes, size_t shards = 4);

  void record_rtt(const ServerKey& server, Millis rtt, MonoInstant now);
  void record_timeout(const ServerKey& server, MonoInstant now);
  void record_edns(const ServerKey& server, EdnsSupport edns, MonoInstant now);
  ServerInfo info(const ServerKey& server, MonoInstant now) const;

  void mark_lame(const ServerKey& server, const wire::Name& zone, MonoInstant now, Seconds ttl = kLameTtl);
  bool is_lame(const ServerKey& server, const wire::Name& zone, MonoInstant now) const;

  void clear();
  size_t memory_bytes() const { return servers_.bytes() + lame_.bytes(); }
  size_t size() const { return servers_.count(); }
  size_t lame_size() const { return lame_.count(); }

 private:
  // Runs update(entry) on the live entry for `server`, creating a fresh one first when needed.
  template <class Update>
  void update(const ServerKey& server, MonoInstant now, Update&& update);

  Sharded<ServerEntry> servers_;
  Sharded<LameEntry> lame_;
};

}  // namespace tern::cache
