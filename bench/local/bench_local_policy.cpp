// bench_local_policy: what asking the local policy costs per query.
//
//   bench_local_policy [records=10000] [lookups=2000000]
//
// A policy with the built-in zones, one static zone corp.example. holding `records` A records
// (hN.corp.example.) and as many PTRs in 10.in-addr.arpa. Then `lookups` decisions each for:
// names under public TLDs (resolved: the path of every query that is not local), local A names,
// local PTR names, and NXDOMAIN names inside corp.example. ns = thread CPU time / lookups.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "resolver/server/local_policy_builder.h"

namespace {

using namespace tern;

// printf into a std::string (GCC 12 at -O3 warns falsely on "literal" + std::string).
template <class... A>
std::string text(const char* f, A... a) {
  char buf[256];
  std::snprintf(buf, sizeof buf, f, a...);
  return buf;
}

double cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

server::ClientQuery ask(const std::string& name, wire::RRType type) {
  server::ClientQuery q;
  q.has_question = true;
  q.qname = *wire::Name::from_text(name);
  q.qtype = type;
  return q;
}

void run(const char* what, const server::LocalPolicy& p, const std::vector<server::ClientQuery>& qs,
         size_t lookups, server::LocalDecision::Kind expect) {
  size_t wrong = 0;
  double t0 = cpu_ns();
  for (size_t i = 0; i < lookups; ++i) wrong += p.decide(qs[i % qs.size()]).kind != expect;
  double ns = (cpu_ns() - t0) / double(lookups);
  std::printf("%-34s %8.1f ns/decision%s\n", what, ns, wrong ? "  (UNEXPECTED DECISIONS)" : "");
}

}  // namespace

int main(int argc, char** argv) {
  size_t records = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10000;
  size_t lookups = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 2000000;
  config::Config cfg = config::default_config();
  cfg.local.zones.push_back({"corp.example.", "static", "bench:1"});
  for (size_t i = 0; i < records; ++i) {
    std::string a = text("10.%zu.%zu.%zu", i / 65536 % 256, i / 256 % 256, i % 256);
    cfg.local.data.push_back({text("h%zu.corp.example. 300 IN A %s", i, a.c_str()), false, "bench:2"});
    cfg.local.data.push_back({text("%s h%zu.corp.example.", a.c_str(), i), true, "bench:3"});
  }
  double t0 = cpu_ns();
  auto built = server::build_local_policy(cfg, "");
  if (!built.policy) {
    std::fprintf(stderr, "%s\n", built.error.c_str());
    return 1;
  }
  std::printf("built %zu A + %zu PTR records in %.1f ms\n", records, records, (cpu_ns() - t0) / 1e6);
  const auto& p = *built.policy;
  using K = server::LocalDecision::Kind;
  std::vector<server::ClientQuery> pub, local_a, local_ptr, nx;
  for (size_t i = 0; i < 1024; ++i) {
    size_t r = i % records;
    pub.push_back(ask(text("www.site%zu.example.%s.", i, i % 2 ? "com" : "org"), wire::RRType::A));
    local_a.push_back(ask(text("h%zu.corp.example.", r), wire::RRType::A));
    local_ptr.push_back(ask(text("%zu.%zu.0.10.in-addr.arpa.", r % 256, r / 256 % 256), wire::RRType::PTR));
    nx.push_back(ask(text("missing%zu.corp.example.", i), wire::RRType::A));
  }
  run("public name (resolved)", p, pub, lookups, K::Resolve);
  run("local A (answered)", p, local_a, lookups, K::Answer);
  run("local PTR in 10.in-addr.arpa.", p, local_ptr, lookups, K::Answer);
  run("NXDOMAIN in a static zone", p, nx, lookups, K::Answer);
  return 0;
}
