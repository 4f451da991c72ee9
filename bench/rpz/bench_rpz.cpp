// bench_rpz: what a large response policy zone costs to load and to ask.
//
//   bench_rpz [rules=1000000] [lookups=2000000] [--write FILE]
//
// Generates an RPZ zone of `rules` rules the shape block lists have (90% exact QNAME NXDOMAIN
// rules, 9% wildcards, 1% response-IP rules), then: parse time (parse_rpz, one thread), the
// rule tables' bytes per rule, the process's resident memory growth per rule (the zone text
// already freed), and ns per match_query for names in the zone and names outside it.
// --write FILE only writes the zone text (for rpz_reload.py) and exits.
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "resolver/server/rpz_parser.h"
#include "resolver/server/rpz_policy.h"

namespace {

using namespace tern;

double cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

size_t rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long pages = 0, resident = 0;
  if (std::fscanf(f, "%lu %lu", &pages, &resident) != 2) resident = 0;
  std::fclose(f);
  return size_t(resident) * size_t(sysconf(_SC_PAGESIZE));
}

// Names like block-lists hold: a random-looking label under a few thousand registrable domains.
std::string rule_name(size_t i) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "t%zx-ads.d%zu.example%zu.com", i * 2654435761u % 0xfffffff, i % 4099, i % 7);
  return buf;
}

std::string make_zone(size_t rules) {
  std::string text = "$TTL 300\n@ SOA ns.rpz.bench. admin.rpz.bench. 1 3600 600 86400 60\n  NS ns.rpz.bench.\n";
  text.reserve(rules * 48);
  for (size_t i = 0; i < rules; ++i) {
    if (i % 100 == 99) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "32.%zu.%zu.%zu.10.rpz-ip CNAME .\n", i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff);
      text += buf;
    } else if (i % 100 >= 90) {
      text += "*.";
      text += rule_name(i);
      text += " CNAME .\n";
    } else {
      text += rule_name(i);
      text += " CNAME .\n";
    }
  }
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  size_t rules = 1000000, lookups = 2000000;
  const char* write_to = nullptr;
  std::vector<const char*> pos;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--write") == 0 && i + 1 < argc) {
      write_to = argv[++i];
    } else {
      pos.push_back(argv[i]);
    }
  }
  if (pos.size() > 0) rules = std::strtoull(pos[0], nullptr, 10);
  if (pos.size() > 1) lookups = std::strtoull(pos[1], nullptr, 10);
  if (write_to) {
    std::string text = make_zone(rules);
    std::ofstream(write_to, std::ios::binary) << text;
    std::printf("wrote %zu rules (%zu bytes) to %s\n", rules, text.size(), write_to);
    return 0;
  }

  auto origin = *wire::Name::from_text("rpz.bench.");
  size_t rss_before = rss_bytes();
  std::shared_ptr<const server::RpzZone> zone;
  double parse_ms = 0, parse_cpu_ms = 0;
  size_t text_bytes = 0;
  {
    std::string text = make_zone(rules);
    text_bytes = text.size();
    auto t0 = std::chrono::steady_clock::now();
    double c0 = cpu_ns();
    server::RpzParseResult r = server::parse_rpz(text, origin, rules + 1);
    parse_cpu_ms = (cpu_ns() - c0) / 1e6;
    parse_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!r.zone) {
      std::fprintf(stderr, "line %zu: %s\n", r.error_line, r.error.c_str());
      return 1;
    }
    zone = std::make_shared<const server::RpzZone>(std::move(*r.zone));
  }
  size_t rss_after = rss_bytes();
  std::vector<server::RpzPolicyZone> zones(1);
  zones[0].name = "rpz.bench.";
  zones[0].data = zone;
  zones[0].counters = std::make_shared<server::RpzCounters>();
  server::RpzPolicy policy(std::move(zones));

  std::vector<wire::Name> hit_names, miss_names;
  for (size_t i = 0; i < 4096; ++i) {
    size_t k = (i * 7919) % rules;
    if (k % 100 >= 90) k -= k % 100;  // an exact rule
    hit_names.push_back(*wire::Name::from_text(rule_name(k)));
    char miss[64];
    std::snprintf(miss, sizeof miss, "www.site%zu.example.org", i);
    miss_names.push_back(*wire::Name::from_text(miss));
  }
  auto time_lookups = [&](const std::vector<wire::Name>& names, size_t& matched) {
    matched = 0;
    double t0 = cpu_ns();
    for (size_t i = 0; i < lookups; ++i) matched += policy.match_query(names[i % names.size()], nullptr).has_value();
    return (cpu_ns() - t0) / double(lookups);
  };
  size_t hits = 0, misses = 0;
  double hit_ns = time_lookups(hit_names, hits);
  double miss_ns = time_lookups(miss_names, misses);

  std::printf("rules                 %zu (zone text %.1f MB)\n", zone->rule_count(), double(text_bytes) / 1e6);
  std::printf("parse                 %.0f ms wall, %.0f ms CPU (%.2f us CPU/rule)\n", parse_ms, parse_cpu_ms,
              parse_cpu_ms * 1000 / double(rules));
  std::printf("rule tables           %.1f MB (%.1f bytes/rule)\n", double(zone->memory_bytes()) / 1e6,
              double(zone->memory_bytes()) / double(rules));
  std::printf("resident growth       %.1f MB (%.1f bytes/rule)\n", double(rss_after - rss_before) / 1e6,
              double(rss_after - rss_before) / double(rules));
  std::printf("match_query hit       %.0f ns (%zu of %zu matched)\n", hit_ns, hits, lookups);
  std::printf("match_query miss      %.0f ns (%zu of %zu matched)\n", miss_ns, misses, lookups);
  return 0;
}
