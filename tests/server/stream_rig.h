// A worker's stream front end without sockets, for DnsStream tests and the fuzz target: a libuv
// loop, a QueryPipeline over a backend whose answers the test releases in any order, and a
// TcpServer whose connections are FakeStreamTransports (fake_stream_transport.h).
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <vector>

#include "resolver/config/config.h"
#include "resolver/config/log.h"
#include "resolver/server/backend.h"
#include "resolver/server/local_policy_builder.h"
#include "resolver/server/query_pipeline.h"
#include "resolver/server/tcp_server.h"
#include "fake_stream_transport.h"

namespace tern::server::test {

// Answers nothing until told: release(i) answers the i-th question still waiting.
class HeldBackend : public Backend {
 public:
  void resolve(const ClientQuery&, const sockaddr*, Done done) override { waiting.push_back(std::move(done)); }
  void prefetch(const ClientQuery&, Done) override {}
  size_t in_flight() const override { return waiting.size(); }
  bool release(size_t i, wire::Rcode rcode = wire::Rcode::ServFail) {
    if (i >= waiting.size()) return false;
    Done d = std::move(waiting[i]);
    waiting.erase(waiting.begin() + long(i));
    Sections s;
    s.rcode = rcode;
    d(s, false);
    return true;
  }
  std::vector<Done> waiting;
};

struct StreamRig {
  explicit StreamRig(TcpSettings settings = {}) : log(config::LogLevel::Off) {
    uv_loop_init(&loop);
    pipeline = std::make_unique<QueryPipeline>(PipelineSettings{}, load_local_policy(config::default_config()).policy,
                                               backend, nullptr, stats, log);
    pipeline->set_acl(std::make_shared<const Acl>(std::vector<config::Network>{*config::Network::parse("127.0.0.0/8")}));
    pipeline->set_proxy(std::make_shared<const ProxyPolicy>());
    server = std::make_unique<TcpServer>(&loop, settings, *pipeline, stats, log);
  }
  ~StreamRig() {
    server->stop_accepting();
    server->close_all();
    backend.waiting.clear();
    // The connections' close callbacks need the server: run them before it goes.
    for (int i = 0; i < 100 && uv_run(&loop, UV_RUN_NOWAIT) != 0; ++i) {}
    server.reset();
    uv_loop_close(&loop);
  }
  std::shared_ptr<FakeStreamState> connect(bool ready = true, StreamKind kind = StreamKind::Tcp) {
    auto s = std::make_shared<FakeStreamState>();
    s->ready = ready;
    s->kind = kind;
    server->adopt(std::make_unique<FakeStreamTransport>(s));
    return s;
  }
  // One loop iteration without blocking: timers, the per-iteration budget, deferred streams.
  void turn() { uv_run(&loop, UV_RUN_NOWAIT); }

  uv_loop_t loop{};
  config::Log log;
  Stats stats;
  HeldBackend backend;
  std::unique_ptr<QueryPipeline> pipeline;
  std::unique_ptr<TcpServer> server;
};

// Splits a stream of 2-byte-framed messages (what the session wrote).
inline std::vector<std::vector<uint8_t>> frames_of(const std::vector<uint8_t>& bytes) {
  std::vector<std::vector<uint8_t>> out;
  for (size_t pos = 0; pos + 2 <= bytes.size();) {
    size_t len = size_t(bytes[pos]) << 8 | bytes[pos + 1];
    if (pos + 2 + len > bytes.size()) break;
    out.emplace_back(bytes.begin() + long(pos + 2), bytes.begin() + long(pos + 2 + len));
    pos += 2 + len;
  }
  return out;
}

}  // namespace tern::server::test
