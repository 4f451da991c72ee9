// A response policy zone from its primary server by zone transfer over TCP (RFC 5936 AXFR): the
// SOA serial asked first, the whole zone transferred when it changed. Blocking, with a deadline
// per exchange: run on the RPZ loader's own thread, never on a worker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "resolver/server/rpz_zone.h"
#include "wire/name.h"

namespace tern::server {

// How long one transfer exchange (connect, each read) may take.
inline constexpr uint32_t kRpzTransferTimeoutMs = 10000;
// The longest a zone's SOA refresh may make the loader wait before asking again, and the
// shortest (a zero or tiny refresh must not turn into a query loop).
inline constexpr uint32_t kRpzMaxRefreshSeconds = 86400;
inline constexpr uint32_t kRpzMinRefreshSeconds = 1;

struct RpzSoa {
  uint32_t serial = 0;
  uint32_t refresh = 3600;  // seconds, clamped to [kRpzMinRefreshSeconds, kRpzMaxRefreshSeconds]
  uint32_t retry = 600;
};

// The zone's SOA from `primary` ("127.0.0.1:53", "[::1]:5353", or a bare address for port 53),
// over TCP. On failure nullopt and `error` says why.
std::optional<RpzSoa> rpz_query_soa(const std::string& primary, const wire::Name& zone, std::string& error);

struct RpzTransferResult {
  std::shared_ptr<const RpzZone> zone;  // null on failure
  RpzSoa soa;
  std::string error;  // "primary 127.0.0.1:53: ..." or a bad record
};
RpzTransferResult rpz_axfr(const std::string& primary, const wire::Name& zone, size_t max_rules);

// SOA fields of canonical SOA RDATA (tests and the transfer).
std::optional<RpzSoa> rpz_soa_of(std::span<const uint8_t> rdata);

}  // namespace tern::server
