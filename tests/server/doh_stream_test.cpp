// DnsStream carrying DNS over HTTPS (resolver/server/dns_stream.h with a DohSession) over a fake
// transport, driven by nghttp2's own client through memory: the front end's budgets and deferral
// as a DoH client sees them, without sockets or TLS (stream_rig.h).
#include <nghttp2/nghttp2.h>

#include <catch2/catch.hpp>
#include <deque>
#include <map>
#include <string>

#include "resolver/server/doh_request.h"
#include "stream_rig.h"
#include "test_util.h"

using namespace tern;
using namespace tern::server;
using namespace tern::server::test;

namespace {

// An nghttp2 client on a FakeStreamState: what it sends waits in pending_in for the session to
// read; what the session wrote is fed back to it.
class DohClient {
 public:
  explicit DohClient(std::shared_ptr<FakeStreamState> s) : s_(std::move(s)) {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_header_callback(
        cb, [](nghttp2_session*, const nghttp2_frame* f, const uint8_t* n, size_t nl, const uint8_t* v,
               size_t vl, uint8_t, void* u) {
          if (std::string_view(reinterpret_cast<const char*>(n), nl) == ":status")
            static_cast<DohClient*>(u)->status_[f->hd.stream_id] = std::string(reinterpret_cast<const char*>(v), vl);
          return 0;
        });
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, [](nghttp2_session*, int32_t id, uint32_t, void* u) {
      static_cast<DohClient*>(u)->closed_.push_back(id);
      return 0;
    });
    nghttp2_session_client_new(&client_, cb, this);
    nghttp2_session_callbacks_del(cb);
    nghttp2_submit_settings(client_, NGHTTP2_FLAG_NONE, nullptr, 0);
  }
  ~DohClient() { nghttp2_session_del(client_); }

  int32_t get(const std::vector<uint8_t>& query) {
    paths_.push_back("/dns-query?dns=" + base64url_encode(query));
    const std::string& path = paths_.back();
    nghttp2_nv nva[] = {nv(":method", "GET"), nv(":scheme", "https"), nv(":authority", "resolver.test"),
                        nv(":path", path)};
    return nghttp2_submit_request(client_, nullptr, nva, 4, nullptr, nullptr);
  }

  // Client bytes out to the fake kernel, the session's bytes back in; true if anything moved.
  bool exchange() {
    bool any = false;
    for (;;) {
      const uint8_t* data = nullptr;
      ssize_t n = nghttp2_session_mem_send(client_, &data);
      if (n <= 0) break;
      s_->pending_in.insert(s_->pending_in.end(), data, data + n);
      any = true;
    }
    any = s_->pump() || any;
    if (seen_ < s_->written.size()) {
      REQUIRE(nghttp2_session_mem_recv(client_, s_->written.data() + seen_, s_->written.size() - seen_) ==
              ssize_t(s_->written.size() - seen_));
      seen_ = s_->written.size();
      any = true;
    }
    return any;
  }

  size_t answered() const {
    size_t n = 0;
    for (int32_t id : closed_) n += status_.count(id) && status_.at(id) == "200";
    return n;
  }

 private:
  static nghttp2_nv nv(std::string_view n, std::string_view v) {
    return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(n.data())),
                      reinterpret_cast<uint8_t*>(const_cast<char*>(v.data())), n.size(), v.size(),
                      NGHTTP2_NV_FLAG_NONE};
  }

  std::shared_ptr<FakeStreamState> s_;
  nghttp2_session* client_ = nullptr;
  size_t seen_ = 0;
  std::deque<std::string> paths_;
  std::map<int32_t, std::string> status_;
  std::vector<int32_t> closed_;
};

// Loop iterations (without sleeping: nothing here waits on a timer) until `done` or `turns` ran.
template <class F>
bool turn_until(StreamRig& rig, std::vector<DohClient*> clients, F done, int turns = 500) {
  for (int i = 0; i < turns && !done(); ++i) {
    for (DohClient* c : clients) c->exchange();
    rig.turn();
  }
  for (DohClient* c : clients) c->exchange();
  return done();
}

}  // namespace

std::shared_ptr<FakeStreamState> connect_https(StreamRig& rig) {
  auto s = std::make_shared<FakeStreamState>();
  s->kind = StreamKind::Tls;
  rig.server->adopt(std::make_unique<FakeStreamTransport>(s), true);
  return s;
}

TEST_CASE("doh stream: requests beyond the per-iteration budget are answered in later iterations") {
  TcpSettings settings;
  settings.messages_per_iteration = 2;
  StreamRig rig(settings);
  auto s = connect_https(rig);
  DohClient c(s);
  const size_t n = GENERATE(5, 40);  // 40: more than the in-flight cap (32) wait in one read
  for (uint16_t i = 0; i < n; ++i) c.get(make_query("localhost.", wire::RRType::A, std::nullopt, i));
  CHECK(turn_until(rig, {&c}, [&] { return c.answered() == n; }));
  CHECK(c.answered() == n);
  CHECK(rig.stats.tcp_deferred.load() >= 1);
}

TEST_CASE("doh stream: several connections sharing a spent budget all get their answers") {
  TcpSettings settings;
  settings.messages_per_iteration = 3;
  StreamRig rig(settings);
  std::vector<std::shared_ptr<FakeStreamState>> states;
  std::vector<std::unique_ptr<DohClient>> clients;
  std::vector<DohClient*> raw;
  for (int k = 0; k < 5; ++k) {
    states.push_back(connect_https(rig));
    clients.push_back(std::make_unique<DohClient>(states.back()));
    raw.push_back(clients.back().get());
  }
  const size_t per = 25;
  // Queries keep coming while earlier ones wait: each answer lets the client send one more.
  for (auto& c : clients)
    for (uint16_t i = 0; i < per; ++i) c->get(make_query("localhost.", wire::RRType::A, std::nullopt, i));
  auto all = [&] {
    for (auto& c : clients)
      if (c->answered() != per) return false;
    return true;
  };
  CHECK(turn_until(rig, raw, all));
  for (auto& c : clients) CHECK(c->answered() == per);
}
