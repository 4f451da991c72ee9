// ServerStateCache: what the engine learns about upstream servers, per address: smoothed RTT,
// consecutive timeouts, EDNS support, and lameness per (server, zone). Shared by the worker
// threads (sharded), bounded in bytes, SIEVE eviction; entries not updated for kServerStateTtl
// are forgotten (as Unbound's infra-host-ttl). Time is the monotonic clock.
//
// It stores facts, not policy: the retransmission timeout, when a server counts as down and how
// long it is backed off are computed from these facts by one module, the engine's
// server_selection (Unbound keeps both in its infra cache; Tern keeps the numbers where the
// config is).
//
// RTT smoothing follows RFC 6298 as Unbound's rtt_update() does: srtt += (rtt - srtt) / 8,
// rttvar += (|rtt - srtt| - rttvar) / 4. Like BIND's srtt aging, the RTT used to *choose* a server
// decays towards zero while the server is not heard from (halving every kRttDecayHalfLife), so a
// server that was slow once is tried again later instead of never.
//
// A timeout counts only when the query was sent with the server's current backoff exponent
// (Unbound's rtt_lost() check): a burst of queries sent together and timing out together is one
// piece of evidence, not a hundred, so a server that stalls once under load is not taken for dead.
//
// Lameness (RFC 9520 §3, issue #13 §3) needs repeated evidence: kLameStrikes lame replies from the
// server for the zone within kLameEvidenceWindow mark it lame for kLameTtlBase, doubling with each
// repetition up to the caller's maximum. One spoofed REFUSED marks nothing.
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
constexpr Millis kMaxRttSample{120000};   // Unbound's TOP_TIMEOUT: longer samples are clamped
constexpr Seconds kRttDecayHalfLife{60};
constexpr Seconds kServerStateTtl{900};   // Unbound's infra-host-ttl
constexpr uint32_t kLameStrikes = 2;
constexpr Seconds kLameEvidenceWindow{60};
constexpr Seconds kLameTtlBase{30};
constexpr Seconds kMaxLameTtl{900};  // Unbound's old infra-lame-ttl

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
  bool known = false;          // false: no sample and no timeout yet (defaults below)
  bool has_rtt = false;        // at least one RTT sample
  uint32_t samples = 0;        // RTT samples (saturates at 255)
  Millis srtt = kUnknownServerRtt;
  Millis rttvar{0};
  Millis selection_rtt = kUnknownServerRtt;  // srtt decayed by time since last heard from
  uint32_t consecutive_timeouts = 0;  // the backoff exponent (see record_timeout)
  MonoInstant last_timeout{};  // when the last counted timeout (or probe claim) happened
  EdnsSupport edns = EdnsSupport::Unknown;
};

struct ServerEntry : SieveNode {
  ServerKey key;
  MonoInstant updated;         // last event of any kind (expiry base)
  MonoInstant heard;           // last answer (decay base)
  MonoInstant last_timeout;
  uint32_t srtt_ms = 0;
  uint32_t rttvar_ms = 0;
  uint32_t timeouts = 0;
  uint8_t samples = 0;
  bool has_rtt = false;
  EdnsSupport edns = EdnsSupport::Unknown;
  static void destroy(ServerEntry* e) { delete e; }
};

struct LameEntry : SieveNode {
  ServerKey key;
  MonoInstant lame_until;       // lame while now < lame_until
  MonoInstant window_until;     // strikes older than this are forgotten
  MonoInstant forget_at;        // the repetition count is forgotten after this
  uint8_t strikes = 0;          // lame replies in the current window
  uint8_t repetitions = 0;      // times marked lame so far (the TTL doubles with each)
  uint8_t zone_size = 0;
  std::span<const uint8_t> zone() const { return {reinterpret_cast<const uint8_t*>(this + 1), zone_size}; }
  static LameEntry* create(const ServerKey& key, const wire::Name& zone, uint64_t hash);
  static void destroy(LameEntry* e);
};

class ServerStateCache {
 public:
  explicit ServerStateCache(size_t budget_bytes, size_t shards = 4);

  // An answer (any parseable reply) arrived after `rtt`: clears the timeouts.
  void record_rtt(const ServerKey& server, Millis rtt, MonoInstant now);
  // A query sent when the server's backoff exponent was `sent_exponent` timed out. Counted (the
  // exponent grows by one) only when no other timeout has been counted since it was sent.
  void record_timeout(const ServerKey& server, uint32_t sent_exponent, MonoInstant now);
  // A probe of a backed-off server is being sent: restarts its backoff period so that the
  // queries arriving meanwhile do not probe it too. False when another probe claimed it since
  // `last_timeout` (the value the caller saw).
  bool claim_probe(const ServerKey& server, MonoInstant seen_last_timeout, MonoInstant now);
  void record_edns(const ServerKey& server, EdnsSupport edns, MonoInstant now);
  ServerInfo info(const ServerKey& server, MonoInstant now) const;

  // One piece of evidence that `server` is lame for `zone` (REFUSED, an upward or sideways
  // referral...). Returns true when this marks it lame (kLameStrikes within the window).
  bool record_lame(const ServerKey& server, const wire::Name& zone, MonoInstant now,
                   Seconds max_ttl = kMaxLameTtl);
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
