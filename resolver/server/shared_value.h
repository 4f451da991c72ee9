// The shared (Redis) cache's key and value format: what one ternd stores for the fleet and what
// it accepts back. Pure: no I/O, the wall-clock time is an argument.
//
// Key:   "tern:v1:" + lower-cased owner name (presentation form) + "/" + type + "/" + class +
//        "/" + DO bit + CD bit, e.g. "tern:v1:www.example.com./1/1/00". Everything that changes
//        the answer Tern gives is in it (docs/scale-out.md, "The shared Redis cache").
// Value: "TRN1" | stored (u64, Unix seconds, big-endian) | ttl (u32, seconds) | a DNS response
//        (header with the rcode, the one question, answer/authority/additional records with the
//        TTLs they had when stored, no OPT).
//
// A value comes from a network service anyone with access to Redis can write to: it is parsed
// strictly (every length checked, the question must be the key's, only NOERROR/NXDOMAIN, TTLs
// bounded, a time stored in the future refused) and never trusted to be well-formed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "resolver/server/client_query.h"
#include "wire/name.h"
#include "wire/rr_type.h"

namespace tern::server {

// The largest value accepted (and stored): one DNS message over TCP plus the 16-byte prefix.
inline constexpr size_t kSharedValueMaxBytes = 65535 + 16;
// A value stamped further in the future than this (clock skew between hosts) is refused.
inline constexpr uint32_t kSharedValueMaxSkewSeconds = 300;
// TTLs above this (RFC 2181 §8: at most 2^31-1; Tern's cache.max-ttl caps what it stores) are
// refused as garbage.
inline constexpr uint32_t kSharedValueMaxTtl = 0x7fffffff;

struct SharedKey {
  wire::Name qname;
  wire::RRType qtype = wire::RRType::A;
  wire::RRClass qclass = wire::RRClass::IN;
  bool dnssec_ok = false;
  bool cd = false;
};

std::string shared_key_text(const SharedKey& k);

// `sections`' TTLs are as of `now_unix`; `ttl` is how long the whole answer may be used (the
// smallest TTL of its answer and authority records).
std::vector<uint8_t> encode_shared_value(const SharedKey& k, const Sections& sections,
                                         uint64_t now_unix, uint32_t ttl);

enum class SharedValueError : uint8_t {
  TooShort,      // shorter than the prefix and a DNS header
  TooLong,       // over kSharedValueMaxBytes
  BadMagic,      // not "TRN1": another program's key, or a format this build does not know
  BadTtl,        // over kSharedValueMaxTtl
  FromFuture,    // stored more than kSharedValueMaxSkewSeconds ahead of now
  BadMessage,    // the DNS message does not parse
  NotAnAnswer,   // QR clear, an opcode other than QUERY, TC set, or an rcode other than NOERROR/NXDOMAIN
  WrongQuestion, // not exactly one question, or not the key's
};
const char* to_string(SharedValueError e);

struct SharedValue {
  Sections sections;   // TTLs decremented by the time since stored (0 at the least)
  uint32_t remaining = 0;  // seconds of `ttl` left; 0 when expired
  bool expired = false;    // now >= stored + ttl: usable only as stale data (RFC 8767)
};

// Decodes a value read back for `k` at `now_unix`. The Sections' source is set to SharedCache.
struct SharedDecode {
  std::optional<SharedValue> value;
  std::optional<SharedValueError> error;  // set when value is not
};
SharedDecode decode_shared_value(const SharedKey& k, std::span<const uint8_t> bytes,
                                 uint64_t now_unix);

}  // namespace tern::server
