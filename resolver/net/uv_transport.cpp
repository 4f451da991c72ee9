#include "resolver/net/uv_transport.h"

#include <vector>

#include "resolver/net/exchange.h"

namespace tern::net {

UvTransport::UvTransport(uv_loop_t* loop, config::Log* log) : loop_(loop), log_(log) {}

void UvTransport::socket_failed(int uv_error) {
  if (!log_) return;
  auto held = socket_warnings_.admit(std::chrono::milliseconds(uv_now(loop_)));
  if (!held) return;
  bool out_of_fds = uv_error == UV_EMFILE || uv_error == UV_ENFILE;
  log_->error("upstream: cannot open a socket for a query: {}{}{}", uv_strerror(uv_error),
              out_of_fds ? std::string("; ") + config::fd_limit_advice() : std::string(),
              *held ? fmt::format(" ({} more since the last message)", *held) : std::string());
}

UvTransport::~UvTransport() {
  std::vector<Exchange*> all(active_.begin(), active_.end());
  active_.clear();
  for (auto* e : all) e->abandon();
}

void UvTransport::send(const engine::Address& server, engine::Protocol protocol,
                       std::vector<uint8_t> query, engine::Instant deadline,
                       engine::TransportDone done) {
  auto identity = QueryIdentity::of_query(query).value_or(QueryIdentity{});
  // The deadline is wall-clock; uv timers count loop time. Convert once, here.
  auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
  Exchange* e;
  if (protocol == engine::Protocol::Udp)
    e = new UdpExchange(*this, server, std::move(query), std::move(identity), std::move(done));
  else
    e = new TcpExchange(*this, server, std::move(query), std::move(identity), std::move(done));
  active_.insert(e);
  e->start(delay);
}

}  // namespace tern::net
