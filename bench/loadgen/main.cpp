// tern_loadgen — batched DNS load over UDP with a latency histogram.
//
//   tern_loadgen --server 127.0.0.1:5300 --names FILE [--duration 10] [--outstanding 100]
//                [--rate QPS] [--sockets 10] [--max-queries N] [--once] [--timeout-ms 2000]
//
// Prints one JSON object: sent, answered, lost, qps, latency mean/p50/p99/p999/max in
// microseconds, and the rcodes seen. Every run is bounded by --duration (at most 600 s) plus
// the timeout.

#include <arpa/inet.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "load_loop.h"
#include "query_set.h"

namespace {

using tern::bench::LoadOptions;
using tern::bench::LoadResult;
using tern::bench::QuerySet;

constexpr double kMaxDuration = 600;

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "tern_loadgen: %s\nusage: tern_loadgen --server ADDR:PORT --names FILE [--duration S] "
               "[--outstanding N] [--rate QPS] [--sockets N] [--max-queries N] [--once] [--timeout-ms MS]\n",
               why.c_str());
  std::exit(2);
}

template <typename Number>
Number number(std::string_view text, const char* what) {
  Number value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) usage(std::string("bad ") + what);
  return value;
}

sockaddr_in server_address(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) usage("bad --server (IPv4 ADDR:PORT)");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  int port = number<int>(text.substr(colon + 1), "--server port");
  if (port <= 0 || port > 65535) usage("bad --server port");
  address.sin_port = htons(static_cast<uint16_t>(port));
  std::string host(text.substr(0, colon));
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) usage("bad --server address");
  // Load is for the local machine only: the benchmark never sends outside loopback.
  if ((ntohl(address.sin_addr.s_addr) >> 24) != 127) usage("--server must be in 127.0.0.0/8");
  return address;
}

void print_result(const LoadResult& r) {
  double qps = r.elapsed_s > 0 ? static_cast<double>(r.answered) / r.elapsed_s : 0;
  auto us = [](double ns) { return ns / 1000.0; };
  std::printf(
      "{\"sent\": %llu, \"answered\": %llu, \"lost\": %llu, \"unexpected\": %llu, \"elapsed_s\": %.3f, "
      "\"qps\": %.1f, \"mean_us\": %.1f, \"p50_us\": %.1f, \"p99_us\": %.1f, \"p999_us\": %.1f, "
      "\"max_us\": %.1f, \"noerror\": %llu, \"servfail\": %llu, \"nxdomain\": %llu, \"refused\": %llu}\n",
      static_cast<unsigned long long>(r.sent), static_cast<unsigned long long>(r.answered),
      static_cast<unsigned long long>(r.lost), static_cast<unsigned long long>(r.unexpected), r.elapsed_s,
      qps, us(r.latency.mean()), us(static_cast<double>(r.latency.quantile(0.50))),
      us(static_cast<double>(r.latency.quantile(0.99))), us(static_cast<double>(r.latency.quantile(0.999))),
      us(static_cast<double>(r.latency.max())), static_cast<unsigned long long>(r.rcodes[0]),
      static_cast<unsigned long long>(r.rcodes[2]), static_cast<unsigned long long>(r.rcodes[3]),
      static_cast<unsigned long long>(r.rcodes[5]));
}

}  // namespace

int main(int argc, char** argv) {
  LoadOptions options;
  std::string names;
  bool have_server = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--once") {
      options.once = true;
      continue;
    }
    if (i + 1 >= argc) usage("missing value for " + std::string(arg));
    std::string_view value = argv[++i];
    if (arg == "--server") {
      options.server = server_address(value);
      have_server = true;
    } else if (arg == "--names") {
      names = value;
    } else if (arg == "--duration") {
      options.duration_s = number<double>(value, "--duration");
    } else if (arg == "--outstanding") {
      options.outstanding = number<int>(value, "--outstanding");
    } else if (arg == "--rate") {
      options.rate = number<double>(value, "--rate");
    } else if (arg == "--sockets") {
      options.sockets = number<int>(value, "--sockets");
    } else if (arg == "--max-queries") {
      options.max_queries = number<uint64_t>(value, "--max-queries");
    } else if (arg == "--timeout-ms") {
      options.timeout = std::chrono::milliseconds(number<int>(value, "--timeout-ms"));
    } else {
      usage("unknown option " + std::string(arg));
    }
  }
  if (!have_server || names.empty()) usage("--server and --names are required");
  if (options.duration_s <= 0 || options.duration_s > kMaxDuration) usage("--duration must be in (0, 600]");
  if (options.outstanding < 1 || options.outstanding > 60000) usage("--outstanding must be in [1, 60000]");
  if (options.sockets < 1 || options.sockets > 1000) usage("--sockets must be in [1, 1000]");

  QuerySet queries;
  std::string error;
  if (!tern::bench::load_query_set(names, queries, error)) {
    std::fprintf(stderr, "tern_loadgen: %s\n", error.c_str());
    return 1;
  }
  LoadResult result;
  if (!tern::bench::run_load(queries, options, result)) {
    std::fprintf(stderr, "tern_loadgen: cannot open sockets: %s\n", std::strerror(errno));
    return 1;
  }
  print_result(result);
  return 0;
}
