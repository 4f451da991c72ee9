// The DNS-over-HTTPS front end's limits, each the default of a `server.https-*` key
// (docs/configuration.md). Pure constants: doh_session.cpp applies them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tern::server {

// The endpoint's path when `server.https-path` is not set: RFC 8484 §4.1's example, and what
// dig, curl --doh-url and the browsers' templates use.
inline constexpr std::string_view kDohDefaultPath = "/dns-query";
// The largest DNS message (two-byte length over TCP).
inline constexpr size_t kDohMaxMessage = 65535;
// Streams open at once per connection (SETTINGS_MAX_CONCURRENT_STREAMS). RFC 9113 §6.5.2 asks
// for at least 100 so clients can pipeline; Unbound's http-max-streams is 100 too.
inline constexpr uint32_t kDohMaxStreams = 100;
// Header bytes of one request (names + values + 32 per field, RFC 9113 §6.5.2's count), advertised
// as SETTINGS_MAX_HEADER_LIST_SIZE; past it the stream is reset. A GET carries its query
// base64url in :path (a 512-byte query is ~700 characters); 16 KiB leaves room for cookies and
// user agents, as nginx's default large_client_header_buffers does.
inline constexpr uint32_t kDohMaxHeaderBytes = 16 * 1024;
// A POST body larger than this is answered 413 and dropped.
inline constexpr uint32_t kDohMaxBody = kDohMaxMessage;
// The connection's flow-control window, in largest bodies: what one connection can make the
// session hold in request bodies before it reads them (bodies are held against the window).
inline constexpr uint32_t kDohConnectionWindowStreams = 2;
// A request must arrive complete (headers and body) within this long of its first frame, or its
// stream is reset: streams that never finish cannot hold slots and buffers.
inline constexpr uint32_t kDohStreamTimeoutMs = 5000;

}  // namespace tern::server
