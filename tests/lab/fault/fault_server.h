// FaultServer: the sockets of the fault authority. One UDP socket and one TCP listener on port 53
// of every configured address (plus the other-port socket where a spec needs one), driven by
// poll(2). Delayed UDP replies wait in a queue; SIGTERM/SIGINT arrive through a signalfd, so
// there is no global state. A lab test tool: small and plain rather than fast.
#pragma once

#include <chrono>
#include <netinet/in.h>
#include <string>
#include <vector>

#include "fault_spec.h"

namespace tern::lab {

class FaultServer {
 public:
  explicit FaultServer(std::vector<FaultSpec> specs);
  ~FaultServer();
  FaultServer(const FaultServer&) = delete;
  FaultServer& operator=(const FaultServer&) = delete;

  // Binds every socket; on failure returns a message naming the address and the reason.
  std::string open();
  // Serves until SIGTERM or SIGINT.
  void run();

 private:
  enum class Kind { Udp, UdpOther, TcpListen, TcpConn, Signal };
  struct Socket {
    int fd;
    Kind kind;
    size_t spec;
  };
  struct Pending {
    std::chrono::steady_clock::time_point due;
    int fd;
    sockaddr_in to;
    std::vector<uint8_t> bytes;
  };

  void on_udp(const Socket& s);
  void on_accept(const Socket& s);
  bool on_tcp(const Socket& s);  // false: close the connection
  int other_port_fd(size_t spec) const;
  int poll_timeout_ms() const;
  void send_due();

  std::vector<FaultSpec> specs_;
  std::vector<Socket> sockets_;
  std::vector<Pending> pending_;
};

}  // namespace tern::lab
