// What a DNS-over-HTTPS request (RFC 8484) asks, decided from its method, path, content type and
// body alone: the DNS query it carries, or the HTTP status that refuses it. Pure (no I/O, no
// nghttp2): doh_session.cpp collects these parts from HTTP/2 frames, and the fuzz target calls it
// directly (tests/fuzz/fuzz_doh_request.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "resolver/server/doh_limits.h"

namespace tern::server {

inline constexpr std::string_view kDohContentType = "application/dns-message";

// The parts of a request that decide it, as received (pseudo-headers :method and :path, and the
// content-type header; empty when absent).
struct DohRequest {
  std::string_view method;
  std::string_view path;  // with the query string
  std::string_view content_type;
  std::span<const uint8_t> body;
  bool body_too_large = false;  // the session stopped collecting: more than max_body arrived
};

struct DohDecision {
  uint16_t status = 200;        // 200: `query` holds the DNS message to answer
  std::vector<uint8_t> query;
  std::string_view reason;      // why not 200, for the response body (a static string)
};

// `endpoint` is the configured path (without query string). The checks, in order: path (404),
// method (405: GET and POST only), then GET's `dns` parameter (400: missing, not unpadded
// base64url, shorter than a DNS header) or POST's content type (415) and body (413 / 400).
DohDecision decide_doh_request(const DohRequest& r, std::string_view endpoint,
                               size_t max_body = kDohMaxMessage);

// base64url without padding (RFC 4648 §5, RFC 8484 §4.1); nullopt on any other character, on
// '=' padding, on an impossible length or on non-zero trailing bits.
std::optional<std::vector<uint8_t>> base64url_decode(std::string_view text);
std::string base64url_encode(std::span<const uint8_t> bytes);  // for tests and the fuzz target

// Seconds an HTTP cache may keep `response` (RFC 8484 §5.1): the smallest TTL of its records
// (OPT excluded); 0 when it has none or does not parse (errors, SERVFAIL).
uint32_t doh_max_age(std::span<const uint8_t> response);

}  // namespace tern::server
