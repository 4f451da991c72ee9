#include "resolver/server/doh_session.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>
#include <string_view>

#include "resolver/server/doh_request.h"

namespace tern::server {
namespace {

constexpr std::string_view kClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// What a peer that does not speak HTTP/2 gets (RFC 8484 §5.2: HTTP/2 is the minimum).
constexpr std::string_view kNotHttp2Body =
    "This DNS-over-HTTPS server speaks HTTP/2 only (RFC 8484 section 5.2).\n";

nghttp2_nv header(std::string_view name, std::string_view value) {
  // The strings outlive the frame (they live in the stream, or are literals): no copies.
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                    value.size(), NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE};
}

}  // namespace

// nghttp2's C callbacks, forwarding to the session (its user_data).
struct DohSession::Callbacks {
  static DohSession& self(void* user) { return *static_cast<DohSession*>(user); }

  static int begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    DohSession& d = self(user);
    Stream& s = d.streams_[frame->hd.stream_id];
    s.started_ms = d.now_ms_;
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                       size_t namelen, const uint8_t* value, size_t valuelen, uint8_t, void* user) {
    DohSession& d = self(user);
    auto it = d.streams_.find(frame->hd.stream_id);
    if (it == d.streams_.end()) return 0;
    Stream& s = it->second;
    s.header_bytes += namelen + valuelen + 32;
    if (s.header_bytes > d.settings_.max_header_bytes) {
      // nghttp2 resets the stream (RFC 9113 §8.2.3 leaves the response to the server).
      ++d.counters_.streams_reset;
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    std::string_view n(reinterpret_cast<const char*>(name), namelen);
    std::string_view v(reinterpret_cast<const char*>(value), valuelen);
    // nghttp2 has already checked the pseudo-headers (one each, before the others, names in
    // lower case), so a plain compare suffices.
    if (n == ":method") s.method = v;
    else if (n == ":path") s.path = v;
    else if (n == "content-type") s.content_type = v;
    return 0;
  }

  static int data_chunk(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len,
                        void* user) {
    DohSession& d = self(user);
    auto it = d.streams_.find(id);
    if (it == d.streams_.end() || it->second.decided) {
      d.give_back(id, len);
      return 0;
    }
    Stream& s = it->second;
    if (s.body.size() + len > d.settings_.max_body) {
      // Answered at once (413): the rest of the body is dropped as it comes.
      s.too_large = true;
      d.give_back(id, len);
      d.decide(id, s);
      return 0;
    }
    s.body.insert(s.body.end(), data, data + len);
    return 0;
  }

  static int frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
    if (!(frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) return 0;
    DohSession& d = self(user);
    auto it = d.streams_.find(frame->hd.stream_id);
    if (it != d.streams_.end() && !it->second.decided) d.decide(it->first, it->second);
    return 0;
  }

  static int frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
    if (!(frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) return 0;
    DohSession& d = self(user);
    auto it = d.streams_.find(frame->hd.stream_id);
    if (it != d.streams_.end()) it->second.response_sent = true;
    return 0;
  }

  static int stream_close(nghttp2_session* session, int32_t id, uint32_t, void* user) {
    DohSession& d = self(user);
    auto it = d.streams_.find(id);
    if (it == d.streams_.end()) return 0;
    if (it->second.awaiting) --d.pending_;
    // A body never used still holds connection window.
    if (!it->second.body.empty())
      nghttp2_session_consume_connection(session, it->second.body.size());
    d.streams_.erase(it);
    return 0;
  }

  static ssize_t read_body(nghttp2_session*, int32_t id, uint8_t* buf, size_t length,
                           uint32_t* flags, nghttp2_data_source*, void* user) {
    DohSession& d = self(user);
    auto it = d.streams_.find(id);
    if (it == d.streams_.end()) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    Stream& s = it->second;
    size_t n = std::min(length, s.response.size() - s.sent);
    std::memcpy(buf, s.response.data() + s.sent, n);
    s.sent += n;
    if (s.sent == s.response.size()) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      std::vector<uint8_t>().swap(s.response);
      s.sent = 0;
    }
    return ssize_t(n);
  }
};

DohSession::DohSession(const DohSettings& settings, OnQuery on_query)
    : settings_(settings), on_query_(std::move(on_query)) {
  nghttp2_session_callbacks* cb = nullptr;
  nghttp2_session_callbacks_new(&cb);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb, &Callbacks::begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cb, &Callbacks::on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, &Callbacks::data_chunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &Callbacks::frame_recv);
  nghttp2_session_callbacks_set_on_frame_send_callback(cb, &Callbacks::frame_send);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, &Callbacks::stream_close);
  nghttp2_option* opt = nullptr;
  nghttp2_option_new(&opt);
  // Window is given back only when a body has been used or dropped (give_back): what a peer can
  // make this session hold is bounded by the windows, not by what it sends.
  nghttp2_option_set_no_auto_window_update(opt, 1);
  nghttp2_session_server_new2(&session_, cb, this, opt);
  nghttp2_option_del(opt);
  nghttp2_session_callbacks_del(cb);

  nghttp2_settings_entry iv[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, settings_.max_streams},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, settings_.max_header_bytes},
      // One byte more than the largest body, so a body over the limit shows as one (413)
      // rather than a stream stalled on a full window.
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, settings_.max_body + 1},
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, iv, sizeof iv / sizeof iv[0]);
  // The connection's window: two streams' worth, so one full body cannot hold up the others.
  // This is what a connection can make the session hold in bodies, whatever the peer sends.
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                        int32_t(kDohConnectionWindowStreams * (settings_.max_body + 1)));
}

DohSession::~DohSession() { nghttp2_session_del(session_); }

bool DohSession::check_preface(std::span<const uint8_t>& bytes) {
  size_t n = std::min(bytes.size(), kClientPreface.size() - preface_seen_);
  if (std::memcmp(bytes.data(), kClientPreface.data() + preface_seen_, n) == 0) {
    preface_seen_ += n;
    return true;
  }
  // HTTP/1.x (a client that did not negotiate h2 by ALPN) or garbage: one clear answer.
  ++counters_.not_http2;
  failed_ = true;
  std::string text = "HTTP/1.1 505 HTTP Version Not Supported\r\nContent-Type: text/plain\r\n"
                     "Connection: close\r\nContent-Length: " +
                     std::to_string(kNotHttp2Body.size()) + "\r\n\r\n" + std::string(kNotHttp2Body);
  raw_out_.assign(text.begin(), text.end());
  return false;
}

bool DohSession::receive(std::span<const uint8_t> bytes, uint64_t now_ms) {
  if (failed_) return false;
  now_ms_ = now_ms;
  if (preface_seen_ < kClientPreface.size() && !check_preface(bytes)) return false;
  ssize_t rv = nghttp2_session_mem_recv(session_, bytes.data(), bytes.size());
  if (rv < 0) {
    failed_ = true;  // bad client magic, flooding: nghttp2 gives up on the connection
    return false;
  }
  return true;
}

void DohSession::take_output(std::vector<uint8_t>& out) {
  out.insert(out.end(), raw_out_.begin(), raw_out_.end());
  raw_out_.clear();
  // Nothing of HTTP/2 to a peer that never sent its preface.
  if (preface_seen_ < kClientPreface.size() && (failed_ || preface_seen_ == 0)) return;
  for (;;) {
    const uint8_t* data = nullptr;
    ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n <= 0) break;
    out.insert(out.end(), data, data + n);
  }
}

void DohSession::give_back(int32_t id, size_t bytes) {
  if (bytes == 0) return;
  // Stream and connection window; only the connection's once the stream is gone.
  if (nghttp2_session_consume(session_, id, bytes) != 0)
    nghttp2_session_consume_connection(session_, bytes);
}

void DohSession::decide(int32_t id, Stream& s) {
  s.decided = true;
  DohRequest r{s.method, s.path, s.content_type, s.body, s.too_large};
  DohDecision d = decide_doh_request(r, settings_.path, settings_.max_body);
  give_back(id, s.body.size());
  std::vector<uint8_t>().swap(s.body);
  if (d.status != 200) {
    ++counters_.refused;
    std::string text = std::string(d.reason) + "\n";
    submit(id, s, d.status, std::vector<uint8_t>(text.begin(), text.end()), "text/plain", 0);
    return;
  }
  ++counters_.queries;
  s.awaiting = true;
  ++pending_;
  on_query_(id, std::move(d.query));  // may call respond() before returning (a cache hit)
}

void DohSession::respond(int32_t id, std::span<const uint8_t> response) {
  auto it = streams_.find(id);
  if (it == streams_.end() || !it->second.awaiting) return;  // reset by the peer meanwhile
  Stream& s = it->second;
  s.awaiting = false;
  --pending_;
  if (response.empty()) {
    static constexpr std::string_view kShed = "the resolver shed this query\n";
    submit(id, s, 503, std::vector<uint8_t>(kShed.begin(), kShed.end()), "text/plain", 0);
    return;
  }
  submit(id, s, 200, std::vector<uint8_t>(response.begin(), response.end()), kDohContentType,
         doh_max_age(response));
}

void DohSession::submit(int32_t id, Stream& s, uint16_t status, std::vector<uint8_t> body,
                        std::string_view type, uint32_t max_age) {
  s.status = std::to_string(status);
  s.content_length = std::to_string(body.size());
  s.cache_control = status == 200 ? "max-age=" + std::to_string(max_age) : "no-store";
  s.response = std::move(body);
  s.sent = 0;
  nghttp2_nv nva[] = {header(":status", s.status), header("content-type", type),
                      header("content-length", s.content_length),
                      header("cache-control", s.cache_control)};
  nghttp2_data_provider provider{};
  provider.read_callback = &Callbacks::read_body;
  nghttp2_submit_response(session_, id, nva, sizeof nva / sizeof nva[0], &provider);
}

void DohSession::expire(uint64_t now_ms) {
  now_ms_ = now_ms;
  for (auto& [id, s] : streams_) {
    if (now_ms - s.started_ms < settings_.stream_timeout_ms) continue;
    if (s.response_sent) {
      // Answered early (413, 408) while the client still sends: RFC 9113 §8.1 lets the server
      // reset such a stream with NO_ERROR once its response is out. Not at once: curl takes a
      // reset during its upload as a failure and drops the response it already has.
      if (nghttp2_session_get_stream_remote_close(session_, id) == 0)
        nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_NO_ERROR);
      continue;
    }
    if (s.decided) continue;
    ++counters_.streams_timed_out;
    s.decided = true;
    give_back(id, s.body.size());
    std::vector<uint8_t>().swap(s.body);
    static constexpr std::string_view kSlow = "the request did not arrive in time\n";
    submit(id, s, 408, std::vector<uint8_t>(kSlow.begin(), kSlow.end()), "text/plain", 0);
  }
}

void DohSession::shutdown() {
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                        NGHTTP2_NO_ERROR, nullptr, 0);
}

bool DohSession::finished() const {
  if (failed_) return raw_out_.empty();
  return !nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_);
}

}  // namespace tern::server
