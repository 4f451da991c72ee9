#include "resolver/server/metrics_http.h"

#include <fmt/format.h>

#include <stdexcept>

#include "resolver/server/uv_util.h"

namespace tern::server {

namespace {

// After the response of a bad request, the rest of what the client sends is read and dropped for
// at most this long before the socket closes: closing with unread input would reset the
// connection and the client might lose the 400 it was sent.
constexpr uint32_t kLingerMs = 1000;

std::string response(int status, std::string_view reason, std::string_view content_type,
                     std::string_view body, bool head = false) {
  std::string out = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
      status, reason, content_type, body.size());
  if (!head) out += body;
  return out;
}

}  // namespace

std::string http_response_for(const HttpRequestReader& request,
                              const std::function<std::string()>& metrics_text) {
  constexpr std::string_view kText = "text/plain; charset=utf-8";
  if (request.state() != HttpRequestReader::State::Complete)
    return response(400, "Bad Request", kText, "bad request: " + request.error() + "\n");
  bool head = request.method() == "HEAD";
  if (request.method() != "GET" && !head)
    return response(405, "Method Not Allowed", kText, "only GET and HEAD\n");
  if (request.path() == "/metrics")
    return response(200, "OK", "text/plain; version=0.0.4; charset=utf-8", metrics_text(), head);
  if (request.path() == "/healthz") return response(200, "OK", kText, "ok\n", head);
  return response(404, "Not Found", kText, "not found (try /metrics or /healthz)\n", head);
}

struct MetricsHttpServer::Connection {
  MetricsHttpServer* server;
  uv_tcp_t tcp{};
  uv_timer_t timer{};
  uv_write_t write{};
  uv_shutdown_t shutdown{};
  HttpRequestReader reader;
  std::string reply;
  int open_handles = 2;
  bool answered = false;
  bool eof = false;     // the client has finished sending
  bool any_input = false;

  Connection(MetricsHttpServer* s) : server(s), reader(s->settings_.max_request_bytes) {}

  void close() {
    for (uv_handle_t* h : {reinterpret_cast<uv_handle_t*>(&tcp), reinterpret_cast<uv_handle_t*>(&timer)}) {
      if (uv_is_closing(h)) continue;
      uv_close(h, [](uv_handle_t* h) {
        auto* c = static_cast<Connection*>(h->data);
        if (--c->open_handles == 0) {
          --c->server->connections_;
          delete c;
        }
      });
    }
  }

  void answer() {
    answered = true;
    reply = http_response_for(reader, server->metrics_text_);
    uv_buf_t buf = uv_buf_init(reply.data(), static_cast<unsigned>(reply.size()));
    write.data = this;
    auto* stream = reinterpret_cast<uv_stream_t*>(&tcp);
    if (uv_write(&write, stream, &buf, 1, [](uv_write_t* w, int status) {
          auto* c = static_cast<Connection*>(w->data);
          if (status != 0 || c->eof) return c->close();
          c->shutdown.data = c;
          // FIN after the response; then drain until the client closes or the linger timer fires.
          if (uv_shutdown(&c->shutdown, reinterpret_cast<uv_stream_t*>(&c->tcp),
                          [](uv_shutdown_t*, int) {}) != 0)
            return c->close();
          uv_timer_start(&c->timer, [](uv_timer_t* t) { static_cast<Connection*>(t->data)->close(); },
                         kLingerMs, 0);
        }) != 0)
      close();
  }

  void on_read(ssize_t nread, const uv_buf_t* buf) {
    if (nread > 0 && !answered) {
      any_input = true;
      reader.feed({reinterpret_cast<const uint8_t*>(buf->base), size_t(nread)});
    } else if (nread < 0 && !answered) {
      // An error, or a client that connected and left without asking anything: nothing to answer.
      if (nread != UV_EOF || !any_input) return close();
      eof = true;
      reader.finish();
    } else if (nread < 0) {
      return close();  // answered: the client is done
    }
    if (!answered && reader.state() != HttpRequestReader::State::NeedMore) answer();
  }
};

MetricsHttpServer::MetricsHttpServer(MetricsHttpSettings settings, TextFn metrics_text)
    : settings_(std::move(settings)), metrics_text_(std::move(metrics_text)) {
  uv_loop_init(&loop_);
  listener_ = new uv_tcp_t;
  uv_tcp_init(&loop_, listener_);
  listener_->data = this;
  int rc = uv_tcp_bind(listener_, settings_.listen.sa(), 0);
  if (rc == 0)
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener_), 64, [](uv_stream_t* s, int status) {
      if (status == 0) static_cast<MetricsHttpServer*>(s->data)->on_connection();
    });
  stop_ = new uv_async_t;
  uv_async_init(&loop_, stop_, [](uv_async_t* a) { static_cast<MetricsHttpServer*>(a->data)->close_all(); });
  stop_->data = this;
  if (rc != 0) {
    close_all();
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
    throw std::runtime_error("metrics listen " + settings_.listen.to_string() + ": " + uv_strerror(rc));
  }
  thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
}

MetricsHttpServer::~MetricsHttpServer() {
  if (thread_.joinable()) {
    uv_async_send(stop_);
    thread_.join();
    uv_loop_close(&loop_);
  }
}

void MetricsHttpServer::close_all() {
  if (listener_) {
    close_and_delete(listener_);
    listener_ = nullptr;
  }
  if (stop_) {
    close_and_delete(stop_);
    stop_ = nullptr;
  }
  uv_walk(&loop_, [](uv_handle_t* h, void*) {
    if (!uv_is_closing(h) && h->type == UV_TCP) static_cast<Connection*>(h->data)->close();
  }, nullptr);
}

void MetricsHttpServer::on_connection() {
  auto* c = new Connection(this);
  ++connections_;
  uv_tcp_init(&loop_, &c->tcp);
  uv_timer_init(&loop_, &c->timer);
  c->tcp.data = c;
  c->timer.data = c;
  if (uv_accept(reinterpret_cast<uv_stream_t*>(listener_), reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0 ||
      connections_ > settings_.max_connections) {
    c->close();  // over the cap: accepted only to be closed at once
    return;
  }
  uv_timer_start(&c->timer, [](uv_timer_t* t) { static_cast<Connection*>(t->data)->close(); },
                 settings_.request_timeout_ms, 0);
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&c->tcp),
      [](uv_handle_t*, size_t, uv_buf_t* buf) {
        // Small reads: a request is at most max_request_bytes and is fed piecewise.
        *buf = uv_buf_init(new char[4096], 4096);
      },
      [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
        auto* c = static_cast<Connection*>(s->data);
        if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(s))) c->on_read(nread, buf);
        delete[] buf->base;
      });
}

}  // namespace tern::server
