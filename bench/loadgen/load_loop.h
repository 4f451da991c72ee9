#pragma once
// The send/receive loop: keeps a window of queries outstanding (closed loop, like dnsperf -q)
// or sends at a fixed rate (open loop, like dnsperf -Q), in batches of sendmmsg/recvmmsg.

#include <netinet/in.h>

#include <chrono>
#include <cstdint>

#include "latency_histogram.h"
#include "query_set.h"

namespace tern::bench {

struct LoadOptions {
  sockaddr_in server{};
  int sockets = 10;            // distinct source ports, so SO_REUSEPORT spreads the load
  int outstanding = 100;       // most queries in flight at once
  double rate = 0;             // queries per second; 0 = as fast as the window allows
  double duration_s = 10;      // stop sending after this long
  uint64_t max_queries = 0;    // stop sending after this many; 0 = no limit
  bool once = false;           // send each query of the set at most once
  std::chrono::milliseconds timeout{2000};  // an answer later than this is counted lost
};

struct LoadResult {
  uint64_t sent = 0;
  uint64_t answered = 0;
  uint64_t lost = 0;           // timed out or still unanswered at the end
  uint64_t unexpected = 0;     // responses matching no query in flight (late or forged)
  uint64_t rcodes[16] = {};
  double elapsed_s = 0;        // first send to last answer
  LatencyHistogram latency;
};

// Returns false (with errno set) only when the sockets cannot be opened.
bool run_load(const QuerySet& queries, const LoadOptions& options, LoadResult& result);

}  // namespace tern::bench
