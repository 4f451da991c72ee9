// One DNS-over-HTTPS connection's HTTP/2 server session (RFC 8484 over RFC 9113) through nghttp2
// (Debian libnghttp2-dev): bytes in, bytes out, no socket and no clock of its own, so the same
// code runs under TLS in ternd and in-process against nghttp2's client in the unit tests. Each
// complete request is decided by decide_doh_request (doh_request.h); a query goes to the owner's
// callback and its answer comes back through respond(), in any order.
//
// Bounds (doh_limits.h; config keys server.https-*): streams open at once (advertised as
// SETTINGS_MAX_CONCURRENT_STREAMS, and nghttp2 refuses more), header bytes per request (the stream
// is reset), body bytes per request (413), and the time a request may take to arrive complete
// (the stream is reset). Request bodies are held against HTTP/2 flow control: the session gives
// window back only when a body is used or dropped, so the bytes a peer can make it hold are
// bounded by the connection window whatever it sends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "resolver/server/doh_limits.h"

struct nghttp2_session;

namespace tern::server {

struct DohSettings {
  std::string path = std::string(kDohDefaultPath);
  uint32_t max_streams = kDohMaxStreams;
  uint32_t max_header_bytes = kDohMaxHeaderBytes;
  uint32_t max_body = kDohMaxBody;
  uint32_t stream_timeout_ms = kDohStreamTimeoutMs;
};

// What happened on a session, for the front end's counters (stats.h https_*).
struct DohCounters {
  uint64_t queries = 0;            // requests handed to the owner as DNS queries
  uint64_t refused = 0;            // requests answered 4xx by the session itself
  uint64_t streams_timed_out = 0;  // requests that did not arrive complete in time
  uint64_t streams_reset = 0;      // header limit passed
  uint64_t not_http2 = 0;          // the peer spoke something else (HTTP/1.x): 505 and close
};

class DohSession {
 public:
  // `on_query(stream, message)`: a DNS query to answer with respond(stream, ...).
  using OnQuery = std::function<void(int32_t stream, std::vector<uint8_t> message)>;

  DohSession(const DohSettings& settings, OnQuery on_query);
  ~DohSession();
  DohSession(const DohSession&) = delete;
  DohSession& operator=(const DohSession&) = delete;

  // Bytes read from the peer at `now_ms` (monotonic). false: the connection is finished with
  // (a protocol error or a peer that does not speak HTTP/2): write what take_output() still
  // gives, then close.
  bool receive(std::span<const uint8_t> bytes, uint64_t now_ms);
  // Appends the bytes to write to the peer.
  void take_output(std::vector<uint8_t>& out);
  // The answer to the query handed out for `stream`; ignored when the stream is gone (the peer
  // reset it). An empty response means the backend dropped the query: 503.
  void respond(int32_t stream, std::span<const uint8_t> response);
  // Answers 408 to the streams whose request has not arrived complete within stream_timeout_ms
  // of its first frame, and resets those answered early whose client is still sending.
  void expire(uint64_t now_ms);
  // GOAWAY: no new streams; those open are answered.
  void shutdown();

  bool finished() const;               // nothing more to read or write: close
  size_t open_streams() const { return streams_.size(); }
  size_t pending_queries() const { return pending_; }  // handed out, not yet answered
  const DohCounters& counters() const { return counters_; }

 private:
  struct Stream {
    uint64_t started_ms = 0;
    std::string method, path, content_type;
    std::vector<uint8_t> body;
    size_t header_bytes = 0;
    bool too_large = false;
    bool decided = false;   // the request is complete (or refused early): nothing more to collect
    bool awaiting = false;  // handed to on_query, not yet answered
    bool response_sent = false;  // the response's last frame is out
    // The response being sent: its body and the header values nghttp2 points into.
    std::vector<uint8_t> response;
    size_t sent = 0;
    std::string status, content_length, cache_control;
  };
  struct Callbacks;
  friend struct Callbacks;

  void decide(int32_t id, Stream& s);
  void submit(int32_t id, Stream& s, uint16_t status, std::vector<uint8_t> body, std::string_view type,
              uint32_t max_age);
  void give_back(int32_t id, size_t bytes);
  bool check_preface(std::span<const uint8_t>& bytes);

  DohSettings settings_;
  OnQuery on_query_;
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, Stream> streams_;
  size_t pending_ = 0;
  uint64_t now_ms_ = 0;
  size_t preface_seen_ = 0;  // bytes of the HTTP/2 client preface matched so far
  bool failed_ = false;      // not HTTP/2, or a fatal session error
  std::vector<uint8_t> raw_out_;  // bytes written outside nghttp2 (the HTTP/1.1 refusal)
  DohCounters counters_;
};

}  // namespace tern::server
