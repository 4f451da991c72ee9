#pragma once
// The echo server's second mode: the receive/send path of ternd's UDP front end (a libuv loop
// per thread, UV_UDP_RECVMMSG into 20 x 64 KiB slots, replies batched with sendmmsg at the end
// of each receive batch) with nothing behind it, so the table can tell what libuv costs from
// what Tern's DNS work costs.

#include <netinet/in.h>

#include <atomic>

namespace tern::bench {

// Serves on one SO_REUSEPORT socket until `stop` is set; returns 0, or a libuv error code when
// the socket cannot be set up.
int serve_with_libuv(int fd, const std::atomic<bool>& stop);

}  // namespace tern::bench
