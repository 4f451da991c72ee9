// A tiny DNS server on 127.0.0.1 (random port, UDP and TCP) for the transport tests. For each
// query it runs a script that says what to send back, and from which socket: the right one, or a
// second socket (another source port) to play an off-path attacker.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "wire/message_builder.h"
#include "wire/message_view.h"

namespace tern::nettest {

struct Reply {
  std::vector<uint8_t> bytes;
  bool from_other_port = false;
};

// A response to `query` with the given tweaks (answer A 192.0.2.1 for the asked name).
std::vector<uint8_t> make_response(std::span<const uint8_t> query, int id_delta = 0,
                                   bool tc = false, const char* other_qname = nullptr);

class FakeServer {
 public:
  using Script = std::function<std::vector<Reply>(std::span<const uint8_t> query, bool tcp)>;
  FakeServer(uv_loop_t* loop, Script script);
  ~FakeServer();
  uint16_t port() const { return port_; }
  void stop();  // closes every handle; the loop then ends when the test's work is done
  int udp_queries = 0;
  int tcp_queries = 0;
  // Where each query came from, in arrival order ("127.0.0.1", port).
  struct Peer {
    std::string host;
    uint16_t port = 0;
    bool tcp = false;
  };
  std::vector<Peer> peers;

 private:
  struct Conn;
  static void on_udp_recv(uv_udp_t*, ssize_t, const uv_buf_t*, const sockaddr*, unsigned);
  static void on_connection(uv_stream_t*, int);
  void send_udp(uv_udp_t* from, const sockaddr* to, std::vector<uint8_t> bytes);

  uv_loop_t* loop_;
  Script script_;
  uv_udp_t* udp_;
  uv_udp_t* other_;
  uv_tcp_t* tcp_;
  uint16_t port_ = 0;
  bool stopped_ = false;
  std::vector<uint8_t> buf_ = std::vector<uint8_t>(65536);
};

}  // namespace tern::nettest
