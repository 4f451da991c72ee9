#include "fake_server.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "wire/rr_type.h"

namespace tern::nettest {

namespace {

FakeServer::Peer peer_of(const sockaddr* sa, bool tcp) {
  FakeServer::Peer p;
  p.tcp = tcp;
  char host[64] = {};
  if (sa->sa_family == AF_INET) {
    auto* s4 = reinterpret_cast<const sockaddr_in*>(sa);
    uv_ip4_name(s4, host, sizeof host);
    p.port = ntohs(s4->sin_port);
  } else if (sa->sa_family == AF_INET6) {
    auto* s6 = reinterpret_cast<const sockaddr_in6*>(sa);
    uv_ip6_name(s6, host, sizeof host);
    p.port = ntohs(s6->sin6_port);
  }
  p.host = host;
  return p;
}

template <class H>
void close_delete(H* h) {
  uv_close(reinterpret_cast<uv_handle_t*>(h), [](uv_handle_t* p) { delete reinterpret_cast<H*>(p); });
}

}  // namespace

std::vector<uint8_t> make_response(std::span<const uint8_t> query, int id_delta, bool tc,
                                   const char* other_qname) {
  auto q = wire::MessageView::parse(query).value();
  wire::MessageBuilder b(65535);
  wire::Header h;
  h.id = uint16_t(q.header().id + id_delta);
  h.qr = true;
  h.aa = true;
  h.tc = tc;
  b.set_header(h);
  auto name = other_qname ? wire::Name::from_text(other_qname).value() : q.qname().to_name().value();
  b.add_question(name, q.qtype(), q.qclass());
  if (!tc) {
    std::vector<uint8_t> rdata{192, 0, 2, 1};
    b.add_record(wire::Section::Answer, name, wire::RRType::A, wire::RRClass::IN, 60, rdata);
  }
  return b.finish();
}

struct FakeServer::Conn {
  FakeServer* server;
  uv_tcp_t tcp;
  std::vector<uint8_t> in;
  std::vector<uint8_t> readbuf = std::vector<uint8_t>(4096);
};

FakeServer::FakeServer(uv_loop_t* loop, Script script)
    : loop_(loop), script_(std::move(script)), udp_(nullptr), other_(new uv_udp_t), tcp_(nullptr) {
  sockaddr_in addr{};
  uv_ip4_addr("127.0.0.1", 0, &addr);
  // UDP takes an ephemeral port and TCP must get the same number. Any TCP socket on the machine
  // may already hold that number (about 1 run in 100 failed so), so on a failed TCP bind both
  // are closed and another port is drawn.
  for (int attempt = 0; attempt < 50; ++attempt) {
    udp_ = new uv_udp_t;
    uv_udp_init(loop_, udp_);
    udp_->data = this;
    uv_udp_bind(udp_, reinterpret_cast<const sockaddr*>(&addr), 0);
    sockaddr_in bound{};
    int len = sizeof bound;
    uv_udp_getsockname(udp_, reinterpret_cast<sockaddr*>(&bound), &len);
    port_ = ntohs(bound.sin_port);
    sockaddr_in taddr{};
    uv_ip4_addr("127.0.0.1", port_, &taddr);
    tcp_ = new uv_tcp_t;
    uv_tcp_init(loop_, tcp_);
    tcp_->data = this;
    if (uv_tcp_bind(tcp_, reinterpret_cast<const sockaddr*>(&taddr), 0) == 0 &&
        uv_listen(reinterpret_cast<uv_stream_t*>(tcp_), 8, on_connection) == 0)
      break;
    close_delete(udp_);
    close_delete(tcp_);
    udp_ = nullptr;
    tcp_ = nullptr;
  }
  if (udp_ == nullptr) throw std::runtime_error("FakeServer: no port free for both UDP and TCP");
  uv_udp_recv_start(
      udp_,
      [](uv_handle_t* h, size_t, uv_buf_t* b) {
        auto* self = static_cast<FakeServer*>(h->data);
        *b = uv_buf_init(reinterpret_cast<char*>(self->buf_.data()), unsigned(self->buf_.size()));
      },
      on_udp_recv);
  uv_udp_init(loop_, other_);
  uv_udp_bind(other_, reinterpret_cast<const sockaddr*>(&addr), 0);
}

FakeServer::~FakeServer() { stop(); }

void FakeServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  close_delete(udp_);
  close_delete(other_);
  close_delete(tcp_);
}

void FakeServer::send_udp(uv_udp_t* from, const sockaddr* to, std::vector<uint8_t> bytes) {
  struct Req {
    uv_udp_send_t req;
    std::vector<uint8_t> bytes;
  };
  auto* r = new Req{{}, std::move(bytes)};
  uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(r->bytes.data()), unsigned(r->bytes.size()));
  if (uv_udp_send(&r->req, from, &buf, 1, to, [](uv_udp_send_t* q, int) {
        delete reinterpret_cast<Req*>(q);
      }) != 0)
    delete r;
}

void FakeServer::on_udp_recv(uv_udp_t* h, ssize_t nread, const uv_buf_t* buf, const sockaddr* addr,
                             unsigned) {
  auto* self = static_cast<FakeServer*>(h->data);
  if (nread <= 0 || !addr || self->stopped_) return;
  ++self->udp_queries;
  self->peers.push_back(peer_of(addr, false));
  std::vector<uint8_t> query(buf->base, buf->base + nread);
  sockaddr_storage to{};
  std::memcpy(&to, addr, sizeof(sockaddr_in));
  for (auto& r : self->script_(query, false))
    self->send_udp(r.from_other_port ? self->other_ : self->udp_, reinterpret_cast<sockaddr*>(&to),
                   std::move(r.bytes));
}

void FakeServer::on_connection(uv_stream_t* s, int status) {
  auto* self = static_cast<FakeServer*>(s->data);
  if (status != 0 || self->stopped_) return;
  auto* c = new Conn{self, {}, {}};
  uv_tcp_init(self->loop_, &c->tcp);
  c->tcp.data = c;
  if (uv_accept(s, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), [](uv_handle_t* h) { delete static_cast<Conn*>(h->data); });
    return;
  }
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&c->tcp),
      [](uv_handle_t* h, size_t, uv_buf_t* b) {
        auto* c = static_cast<Conn*>(h->data);
        *b = uv_buf_init(reinterpret_cast<char*>(c->readbuf.data()), unsigned(c->readbuf.size()));
      },
      [](uv_stream_t* st, ssize_t nread, const uv_buf_t* b) {
        auto* c = static_cast<Conn*>(st->data);
        auto close = [c] {
          uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), [](uv_handle_t* h) { delete static_cast<Conn*>(h->data); });
        };
        if (nread < 0) {
          close();
          return;
        }
        c->in.insert(c->in.end(), b->base, b->base + nread);
        if (c->in.size() < 2) return;
        size_t len = size_t(c->in[0]) << 8 | c->in[1];
        if (c->in.size() < 2 + len) return;
        ++c->server->tcp_queries;
        sockaddr_storage peer{};
        int plen = sizeof peer;
        uv_tcp_getpeername(&c->tcp, reinterpret_cast<sockaddr*>(&peer), &plen);
        c->server->peers.push_back(peer_of(reinterpret_cast<sockaddr*>(&peer), true));
        std::vector<uint8_t> query(c->in.begin() + 2, c->in.begin() + 2 + long(len));
        for (auto& r : c->server->script_(query, true)) {
          struct W {
            uv_write_t req;
            std::vector<uint8_t> bytes;
          };
          // Sized once and filled in place: GCC 12 -O3 reports a false array-bounds error for
          // push_back twice then insert.
          auto* w = new W{{}, std::vector<uint8_t>(2 + r.bytes.size())};
          w->bytes[0] = uint8_t(r.bytes.size() >> 8);
          w->bytes[1] = uint8_t(r.bytes.size());
          std::copy(r.bytes.begin(), r.bytes.end(), w->bytes.begin() + 2);
          uv_buf_t wb = uv_buf_init(reinterpret_cast<char*>(w->bytes.data()), unsigned(w->bytes.size()));
          uv_write(&w->req, st, &wb, 1, [](uv_write_t* q, int) { delete reinterpret_cast<W*>(q); });
        }
        c->in.clear();
      });
}

}  // namespace tern::nettest
