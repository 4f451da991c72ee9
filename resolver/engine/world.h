// The engine's one seam to the world: a transport, a clock and a random source, all injected.
// Production adapters live in resolver/net/ (libuv, system_clock, getrandom); the tests plug in
// tests/support/ (SimNetwork, ManualClock). Nothing in the engine reads a clock or opens a socket.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/time.h"
#include "wire/result.h"

namespace tern::engine {

using Instant = cache::Instant;          // wall clock: TTL ages only
using MonoInstant = cache::MonoInstant;  // monotonic: deadlines, RTTs, server state

// An upstream server: IPv4 or IPv6 address plus port.
struct Address {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4
  uint16_t port = 53;

  // "127.53.0.1", "::1", "127.0.0.1:5353", "[::1]:53". A bare address takes default_port.
  static std::optional<Address> parse(std::string_view text, uint16_t default_port = 53);
  // The same grammar, but the port must be written ("127.0.0.1:53", "[::1]:53").
  static std::optional<Address> parse_with_port(std::string_view text);
  static Address v4(std::array<uint8_t, 4> a, uint16_t port = 53);
  static Address v6_from(std::array<uint8_t, 16> a, uint16_t port = 53);
  std::string to_string() const;       // "127.0.0.1:53", "[::1]:53"
  std::string host_to_string() const;  // "127.0.0.1", "::1"
  bool is_loopback() const;            // 127/8, ::1
  bool is_private() const;  // RFC 1918, 169.254/16, 100.64/10, 0/8, fc00::/7, fe80::/10, ::, ::ffff:
  friend bool operator==(const Address&, const Address&) = default;
};

struct AddressHash {
  size_t operator()(const Address& a) const;
};

// An IPv4 or IPv6 network, for the upstream allow-list.
struct Cidr {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};
  uint8_t prefix = 0;

  static std::optional<Cidr> parse(std::string_view text);  // "127.0.0.0/8", "::1/128", "1.2.3.4"
  bool contains(const Address& a) const;
  // contains(), and an IPv4-mapped IPv6 address (::ffff:a.b.c.d) also matches an IPv4 network:
  // a dual-stack socket reports IPv4 clients that way. Not used for upstreams, whose v4-mapped
  // addresses stay refused.
  bool contains_client(const Address& a) const;
  std::string to_string() const;
};

// Tls: DNS over TLS (RFC 7858) to a forwarder that asks for it; the transport knows the name
// its certificate must carry.
enum class Protocol : uint8_t { Udp, Tcp, Tls };

enum class TransportError : uint8_t {
  Timeout,           // no acceptable response before the deadline
  Unreachable,       // ICMP unreachable / send failed
  NotAllowed,        // the transport refused the destination
  Malformed,         // a response arrived but could not be used (e.g. bad TCP framing)
  ConnectionFailed,  // TCP connect or read failed
  Spoofed,           // UDP replies with a wrong ID or case came in (an attack, or a server that
                     // does not keep case): the transport stopped listening; ask again over TCP
};
std::string_view to_string(TransportError e);

using TransportResult = Result<std::vector<uint8_t>, TransportError>;
using TransportDone = std::function<void(TransportResult)>;

// Sends one query to one server. Contract every implementation keeps:
//  - `done` is called exactly once, and never from inside send() (always from the event loop), so
//    the engine may call send() while iterating its own state;
//  - `done` fires by `deadline` (monotonic clock) at the latest (TransportError::Timeout);
//  - production transports drop responses from another address/port or with another ID or
//    question and keep waiting; the engine checks ID and question again regardless.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void send(const Address& server, Protocol protocol, std::vector<uint8_t> query,
                    MonoInstant deadline, TransportDone done) = 0;
};

// Two clocks: now() is wall time, for TTL ages (cached data is stamped with it); mono() never
// steps, for deadlines, RTT measurements and server/failure state. An NTP step moves now() only.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const = 0;
  virtual MonoInstant mono() const = 0;
};

class Random {
 public:
  virtual ~Random() = default;
  virtual uint32_t next_u32() = 0;  // a CSPRNG in production
};

struct World {
  Transport& transport;
  Clock& clock;
  Random& random;
};

}  // namespace tern::engine
