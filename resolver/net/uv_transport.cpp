#include "resolver/net/uv_transport.h"

#include <vector>

#include "resolver/net/exchange.h"

namespace tern::net {

UvTransport::UvTransport(uv_loop_t* loop) : loop_(loop) {}

UvTransport::~UvTransport() {
  std::vector<Exchange*> all(active_.begin(), active_.end());
  active_.clear();
  for (auto* e : all) e->abandon();
}

void UvTransport::send(const engine::Address& server, engine::Protocol protocol,
                       std::vector<uint8_t> query, engine::MonoInstant deadline,
                       engine::TransportDone done) {
  auto identity = QueryIdentity::of_query(query).value_or(QueryIdentity{});
  // The deadline is on the monotonic clock; uv timers count loop time. Convert once, here.
  auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now());
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
