// The Prometheus endpoint ([metrics] listen): a small HTTP/1.1 server on its own thread and libuv
// loop, so a scrape never runs on a worker's loop. GET /metrics answers the exposition text,
// GET /healthz "ok"; one request per connection (Connection: close). Requests are read with
// http_parser (http_request.h); a malformed or oversized request gets 400 and the connection is
// closed; a client that does not finish its request within the timeout is dropped.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "resolver/config/address.h"
#include "resolver/server/http_request.h"

namespace tern::server {

struct MetricsHttpSettings {
  config::SocketAddress listen;
  size_t max_request_bytes = 8192;
  uint32_t request_timeout_ms = 5000;
  uint32_t max_connections = 16;
};

// The full response (status line, headers, body) to one request as read so far: 400 for a Bad
// request, 405 for a method other than GET/HEAD, 404 for an unknown path. `metrics_text` is
// called only for GET/HEAD /metrics. Pure: the fuzz target drives it.
std::string http_response_for(const HttpRequestReader& request,
                              const std::function<std::string()>& metrics_text);

class MetricsHttpServer {
 public:
  using TextFn = std::function<std::string()>;  // called on the endpoint's thread
  // Binds the address (throws std::runtime_error naming it) and starts the thread.
  MetricsHttpServer(MetricsHttpSettings settings, TextFn metrics_text);
  ~MetricsHttpServer();  // stops the thread, closing every connection
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  struct Connection;

 private:
  void on_connection();
  void close_all();

  MetricsHttpSettings settings_;
  TextFn metrics_text_;
  uv_loop_t loop_{};
  uv_tcp_t* listener_ = nullptr;
  uv_async_t* stop_ = nullptr;
  uint32_t connections_ = 0;
  std::thread thread_;

  friend struct Connection;
};

}  // namespace tern::server
