#pragma once
// The echo server's second mode: libuv's own UDP receive path (a libuv loop per thread,
// UV_UDP_RECVMMSG into 20 x 64 KiB slots, replies batched with sendmmsg at the end of each
// receive batch) with nothing behind it. ternd's front end used this path until commit 2a51389;
// it now only polls through libuv and reads with its own recvmmsg, and this mode stays as the
// reference that shows what leaving libuv's read path bought (ternd answers faster than it).

#include <netinet/in.h>

#include <atomic>

namespace tern::bench {

// Serves on one SO_REUSEPORT socket until `stop` is set; returns 0, or a libuv error code when
// the socket cannot be set up.
int serve_with_libuv(int fd, const std::atomic<bool>& stop);

}  // namespace tern::bench
