// DohSession driven in-process by nghttp2's own client: every byte goes client -> session ->
// client through memory, so the HTTP/2 a real client sees is what is checked, with no socket.
#include <nghttp2/nghttp2.h>

#include <catch2/catch.hpp>
#include <deque>
#include <map>
#include <string>

#include "resolver/server/doh_request.h"
#include "resolver/server/doh_session.h"
#include "resolver/server/query_check.h"
#include "resolver/server/response.h"
#include "test_util.h"

using namespace tern;
using namespace tern::server;
using namespace tern::server::test;
using wire::RRType;

namespace {

struct Reply {
  std::string status, content_type, cache_control;
  std::vector<uint8_t> body;
  bool closed = false;
  uint32_t error_code = 0;
};

// An nghttp2 client session wired to a DohSession through memory.
class Client {
 public:
  explicit Client(DohSettings settings = {}, bool answer_now = false)
      : server_(settings, [this, answer_now](int32_t id, std::vector<uint8_t> q) {
          queries_[id] = q;
          if (answer_now) server_.respond(id, answer_for(q, 300));
        }) {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_header_callback(
        cb, [](nghttp2_session*, const nghttp2_frame* f, const uint8_t* n, size_t nl, const uint8_t* v,
               size_t vl, uint8_t, void* u) {
          auto& r = static_cast<Client*>(u)->replies_[f->hd.stream_id];
          std::string name(reinterpret_cast<const char*>(n), nl), value(reinterpret_cast<const char*>(v), vl);
          if (name == ":status") r.status = value;
          if (name == "content-type") r.content_type = value;
          if (name == "cache-control") r.cache_control = value;
          return 0;
        });
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
        cb, [](nghttp2_session*, uint8_t, int32_t id, const uint8_t* d, size_t len, void* u) {
          auto& r = static_cast<Client*>(u)->replies_[id];
          r.body.insert(r.body.end(), d, d + len);
          return 0;
        });
    nghttp2_session_callbacks_set_on_stream_close_callback(
        cb, [](nghttp2_session*, int32_t id, uint32_t error, void* u) {
          auto& r = static_cast<Client*>(u)->replies_[id];
          r.closed = true;
          r.error_code = error;
          return 0;
        });
    nghttp2_session_client_new(&client_, cb, this);
    nghttp2_session_callbacks_del(cb);
    nghttp2_submit_settings(client_, NGHTTP2_FLAG_NONE, nullptr, 0);
  }
  ~Client() { nghttp2_session_del(client_); }

  // Moves bytes both ways until neither side has anything more to say.
  void pump(uint64_t now_ms = 0) {
    for (int round = 0; round < 5000; ++round) {
      std::vector<uint8_t> up;
      for (;;) {
        const uint8_t* data = nullptr;
        ssize_t n = nghttp2_session_mem_send(client_, &data);
        if (n <= 0) break;
        up.insert(up.end(), data, data + n);
      }
      // In reads of at most read_size_ bytes, as TLS records arrive.
      for (size_t off = 0; off < up.size(); off += read_size_) {
        size_t n = std::min(read_size_, up.size() - off);
        server_ok_ = server_.receive(std::span(up).subspan(off, n), now_ms) && server_ok_;
        server_.take_output(pending_down_);
      }
      std::vector<uint8_t> down;
      down.swap(pending_down_);
      server_.take_output(down);
      if (!down.empty()) REQUIRE(nghttp2_session_mem_recv(client_, down.data(), down.size()) == ssize_t(down.size()));
      if (up.empty() && down.empty()) return;
    }
    FAIL("the sessions never went quiet");
  }

  int32_t get(const std::string& path, std::vector<nghttp2_nv> extra = {}) {
    std::vector<nghttp2_nv> nva = {nv(":method", "GET"), nv(":scheme", "https"),
                                   nv(":authority", "resolver.test"), nv(":path", path)};
    nva.insert(nva.end(), extra.begin(), extra.end());
    return nghttp2_submit_request(client_, nullptr, nva.data(), nva.size(), nullptr, nullptr);
  }

  // A POST whose body is sent from `body_` (kept until the stream ends); `end` false leaves the
  // request open after the body.
  int32_t post(const std::string& type, std::vector<uint8_t> body, bool end = true,
               std::string content_length = "") {
    strings_.push_back(type);
    std::vector<nghttp2_nv> nva = {nv(":method", "POST"), nv(":scheme", "https"),
                                   nv(":authority", "resolver.test"), nv(":path", "/dns-query"),
                                   nv("content-type", strings_.back())};
    strings_.push_back(content_length);
    if (!content_length.empty()) nva.push_back(nv("content-length", strings_.back()));
    nghttp2_data_provider p{};
    p.read_callback = [](nghttp2_session*, int32_t id, uint8_t* buf, size_t len, uint32_t* flags,
                         nghttp2_data_source*, void* u) -> ssize_t {
      auto& b = static_cast<Client*>(u)->bodies_[id];
      size_t n = std::min(len, b.data.size() - b.sent);
      std::memcpy(buf, b.data.data() + b.sent, n);
      b.sent += n;
      if (b.sent == b.data.size()) {
        if (!b.end) return n == 0 ? ssize_t(NGHTTP2_ERR_DEFERRED) : ssize_t(n);
        *flags |= NGHTTP2_DATA_FLAG_EOF;
      }
      return ssize_t(n);
    };
    int32_t id = nghttp2_submit_request(client_, nullptr, nva.data(), nva.size(), &p, nullptr);
    bodies_[id] = Body{std::move(body), 0, end};
    return id;
  }

  // Points at the strings: literals, or strings that outlive the submit (which copies them).
  static nghttp2_nv nv(std::string_view n, std::string_view v) {
    return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(n.data())),
                      reinterpret_cast<uint8_t*>(const_cast<char*>(v.data())), n.size(), v.size(),
                      NGHTTP2_NV_FLAG_NONE};
  }

  static std::vector<uint8_t> answer_for(const std::vector<uint8_t>& query, uint32_t ttl) {
    auto c = check_query(query, true);
    Sections s;
    wire::RRset a(c.query.qname, RRType::A, wire::RRClass::IN, ttl);
    a.add(std::vector<uint8_t>{192, 0, 2, 1});
    s.answer.push_back(a);
    return build_response(c.query, s, 65535, 1232);
  }

  DohSession server_;
  nghttp2_session* client_ = nullptr;
  std::map<int32_t, std::vector<uint8_t>> queries_;
  std::map<int32_t, Reply> replies_;
  bool server_ok_ = true;
  size_t read_size_ = 1 << 20;
  std::vector<uint8_t> pending_down_;

 private:
  struct Body {
    std::vector<uint8_t> data;
    size_t sent = 0;
    bool end = true;
  };
  std::map<int32_t, Body> bodies_;
  std::deque<std::string> strings_;  // stable addresses for the headers
};

std::vector<uint8_t> query(const std::string& qname) { return make_query(qname, RRType::A, std::nullopt, 0); }

}  // namespace

TEST_CASE("GET ?dns= reaches the owner and the answer comes back with type and max-age") {
  Client c;
  auto q = query("example.com.");
  int32_t id = c.get("/dns-query?dns=" + base64url_encode(q));
  c.pump();
  REQUIRE(c.queries_.count(id) == 1);
  CHECK(c.queries_[id] == q);
  CHECK(c.server_.pending_queries() == 1);
  auto answer = Client::answer_for(q, 77);
  c.server_.respond(id, answer);
  c.pump();
  const Reply& r = c.replies_[id];
  CHECK(r.status == "200");
  CHECK(r.content_type == "application/dns-message");
  CHECK(r.cache_control == "max-age=77");
  CHECK(r.body == answer);
  CHECK(r.closed);
  CHECK(r.error_code == 0);
  CHECK(c.server_.pending_queries() == 0);
  CHECK(c.server_.open_streams() == 0);
  CHECK(c.server_.counters().queries == 1);
}

TEST_CASE("POST queries on one connection are answered out of order, each on its stream") {
  Client c;
  auto q1 = query("one.example."), q2 = query("two.example.");
  int32_t a = c.post("application/dns-message", q1);
  int32_t b = c.post("application/dns-message", q2);
  c.pump();
  REQUIRE(c.queries_.size() == 2);
  CHECK(c.queries_[a] == q1);
  CHECK(c.queries_[b] == q2);
  c.server_.respond(b, Client::answer_for(q2, 20));
  c.pump();
  CHECK(c.replies_[b].status == "200");
  CHECK_FALSE(c.replies_[a].closed);
  c.server_.respond(a, Client::answer_for(q1, 30));
  c.pump();
  CHECK(c.replies_[a].body == Client::answer_for(q1, 30));
  CHECK(c.replies_[a].cache_control == "max-age=30");
}

TEST_CASE("an answer given inside the query callback (a cache hit) is sent") {
  Client c({}, true);
  auto q = query("hit.example.");
  int32_t id = c.get("/dns-query?dns=" + base64url_encode(q));
  c.pump();
  CHECK(c.replies_[id].status == "200");
  CHECK(c.replies_[id].body == Client::answer_for(q, 300));
}

TEST_CASE("bad requests get their status and never reach the owner") {
  Client c;
  auto q = query("example.com.");
  int32_t wrong_type = c.post("application/json", q);
  int32_t no_dns = c.get("/dns-query?name=example.com");
  int32_t bad_b64 = c.get("/dns-query?dns=Zg==");
  int32_t wrong_path = c.get("/resolve?dns=" + base64url_encode(q));
  c.pump();
  CHECK(c.queries_.empty());
  CHECK(c.replies_[wrong_type].status == "415");
  CHECK(c.replies_[no_dns].status == "400");
  CHECK(c.replies_[bad_b64].status == "400");
  CHECK(c.replies_[wrong_path].status == "404");
  CHECK(c.replies_[wrong_path].cache_control == "no-store");
  CHECK(c.server_.counters().refused == 4);
}

TEST_CASE("a body over the limit is 413 at once; a client that goes on sending is reset later") {
  DohSettings s;
  s.max_body = 512;
  s.stream_timeout_ms = 1000;
  Client c(s);
  c.pump();  // the client knows the windows first: the body cannot overrun them
  int32_t big = c.post("application/dns-message", std::vector<uint8_t>(4000, 0x41), false);
  c.pump(10);
  CHECK(c.queries_.empty());
  CHECK(c.replies_[big].status == "413");
  CHECK_FALSE(c.replies_[big].closed);  // the rest of the body is read and dropped meanwhile
  c.server_.expire(1010);
  c.pump(1010);
  CHECK(c.replies_[big].closed);
  CHECK(c.replies_[big].error_code == NGHTTP2_NO_ERROR);
  CHECK(c.server_.open_streams() == 0);
  // The connection still serves.
  auto q = query("after.example.");
  int32_t next = c.post("application/dns-message", q);
  c.pump();
  CHECK(c.queries_[next] == q);
}

TEST_CASE("a body of exactly the limit is a query; one byte more is 413, not a stalled window") {
  DohSettings s;
  s.max_body = 600;
  Client c(s);
  c.pump();
  std::vector<uint8_t> fits = query("fits.example.");
  fits.resize(600, 0);  // trailing bytes: the pipeline judges them, the session only counts
  int32_t a = c.post("application/dns-message", fits);
  std::vector<uint8_t> over(601, 0);
  int32_t b = c.post("application/dns-message", over);
  c.pump();
  CHECK(c.queries_[a].size() == 600);
  CHECK(c.replies_[b].status == "413");
  // As curl sends it: a content-length far past the limit, the body as the windows allow.
  int32_t big = c.post("application/dns-message", std::vector<uint8_t>(200000, 0), true, "200000");
  c.pump();
  CHECK(c.replies_[big].status == "413");
  CHECK(c.replies_[big].closed);
}

TEST_CASE("a request that never finishes is answered 408 after the stream timeout") {
  DohSettings s;
  s.stream_timeout_ms = 1000;
  Client c(s);
  int32_t open = c.post("application/dns-message", query("slow.example."), false);
  c.pump(10);
  c.server_.expire(500);
  c.pump(500);
  CHECK_FALSE(c.replies_[open].closed);
  c.server_.expire(1010);
  c.pump(1010);
  CHECK(c.replies_[open].status == "408");
  c.server_.expire(1020);  // the client still has not finished: its stream is reset
  c.pump(1020);
  CHECK(c.replies_[open].closed);
  CHECK(c.server_.counters().streams_timed_out == 1);
  CHECK(c.queries_.empty());
  CHECK(c.server_.open_streams() == 0);
}

TEST_CASE("headers over the limit reset the stream; others go on") {
  DohSettings s;
  s.max_header_bytes = 1024;
  Client c(s);
  std::string cookie(4000, 'c');
  int32_t fat = c.get("/dns-query?dns=" + base64url_encode(query("fat.example.")),
                      {Client::nv("cookie", cookie)});
  auto q = query("thin.example.");
  int32_t thin = c.get("/dns-query?dns=" + base64url_encode(q));
  c.pump();
  CHECK(c.replies_[fat].closed);
  CHECK(c.replies_[fat].status.empty());
  CHECK(c.replies_[fat].error_code != 0);
  CHECK(c.server_.counters().streams_reset == 1);
  CHECK(c.queries_.count(fat) == 0);
  CHECK(c.queries_[thin] == q);
}

TEST_CASE("the session advertises its stream and header limits") {
  DohSettings s;
  s.max_streams = 7;
  Client c(s);
  c.pump();
  CHECK(nghttp2_session_get_remote_settings(c.client_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS) == 7);
  CHECK(nghttp2_session_get_remote_settings(c.client_, NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE) ==
        kDohMaxHeaderBytes);
}

TEST_CASE("an answer for a stream the client reset is dropped") {
  Client c;
  auto q = query("gone.example.");
  int32_t id = c.get("/dns-query?dns=" + base64url_encode(q));
  c.pump();
  REQUIRE(c.server_.pending_queries() == 1);
  nghttp2_submit_rst_stream(c.client_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
  c.pump();
  CHECK(c.server_.pending_queries() == 0);
  c.server_.respond(id, Client::answer_for(q, 60));
  c.pump();
  CHECK(c.replies_[id].status.empty());
}

TEST_CASE("HTTP/1.1 gets a clear 505 and the session is finished") {
  DohSession s(DohSettings{}, [](int32_t, std::vector<uint8_t>) { FAIL("no query expected"); });
  std::string req = "GET /dns-query?dns=AAAB HTTP/1.1\r\nHost: x\r\n\r\n";
  CHECK_FALSE(s.receive(std::span(reinterpret_cast<const uint8_t*>(req.data()), req.size()), 0));
  std::vector<uint8_t> out;
  s.take_output(out);
  std::string text(out.begin(), out.end());
  CHECK(text.rfind("HTTP/1.1 505 ", 0) == 0);
  CHECK(text.find("HTTP/2 only") != std::string::npos);
  CHECK(s.finished());
  CHECK(s.counters().not_http2 == 1);
}

TEST_CASE("garbage frames after the preface end the connection with GOAWAY") {
  DohSession s(DohSettings{}, [](int32_t, std::vector<uint8_t>) { FAIL("no query expected"); });
  std::string bytes = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  // A frame header claiming a 16 MiB HEADERS frame on stream 0, then junk.
  bytes += std::string("\xff\xff\xff\x01\x05\x00\x00\x00\x00", 9) + std::string(64, '\x7f');
  s.receive(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), 0);
  std::vector<uint8_t> out;
  s.take_output(out);
  CHECK_FALSE(out.empty());  // SETTINGS, then GOAWAY
  CHECK(s.finished());
}

TEST_CASE("GOAWAY on shutdown lets the open stream finish") {
  Client c;
  auto q = query("last.example.");
  int32_t id = c.get("/dns-query?dns=" + base64url_encode(q));
  c.pump();
  c.server_.shutdown();
  c.pump();
  CHECK_FALSE(c.server_.finished());
  c.server_.respond(id, Client::answer_for(q, 60));
  c.pump();
  CHECK(c.replies_[id].status == "200");
  CHECK(c.server_.finished());
}

TEST_CASE("with the default limits, a 200 kB POST is 413") {
  Client c;
  c.read_size_ = GENERATE(size_t(16384), size_t(1000), size_t(1) << 20);
  if (GENERATE(true, false)) c.pump();  // the windows known before the request, or not
  int32_t big = c.post("application/dns-message", std::vector<uint8_t>(200000, 0), true, "200000");
  c.pump();
  CHECK(c.replies_[big].status == "413");
  CHECK(c.replies_[big].closed);
  CHECK(c.replies_[big].error_code == 0);
}
