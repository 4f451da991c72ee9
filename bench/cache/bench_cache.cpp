// bench_cache: what a cache hit costs and what a cached name weighs.
//
//   bench_cache [names=200000] [lookups=2000000]
//   bench_cache flood [budget_mib=32] [names=2000000]
//
// Hit cost: N distinct names are inserted, then `lookups` lookups walk them in a shuffled order
// with the query's ID and qname case varied (so the patching does real work); ns = thread CPU
// time / lookups, one thread, warm.
// Bytes per entry, two ways: the accounted bytes the budget sees (memory_bytes() / entries), and
// RSS growth (resident pages from /proc/self/statm before and after inserting N distinct names
// into a budget large enough that nothing is evicted) divided by N. The same RSS method applies to
// any resolver process: RSS after N distinct names minus RSS before, divided by N.
//
// Answer cache: N CNAME answers (www.hostN.example.com. CNAME edge.hostN.cdn.example.net., then
// the A set), each hit materialising both RRsets; compared with the walk the engine does without
// it (CNAME lookup, parse the target, A lookup). Bytes per answer entry: accounted, and the RSS
// growth of inserting the answers alone (their RRsets are cached first). Insert cost: ns per
// rrsets().insert and per Caches::store_rrset (which also removes contradicted denials).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vector>

#include "cache/caches.h"
#include "cache/packet_cache.h"
#include "cache/rrset_cache.h"
#include "wire/name.h"
#include "wire/rdata.h"
#include "wire/rrset.h"

namespace {

using namespace tern;
using namespace tern::cache;

// CPU time of this thread: the machine is shared, so wall time would count other processes.
struct Clock {
  using duration = std::chrono::nanoseconds;
  static std::chrono::nanoseconds now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  }
};

const Instant kNow = Instant(std::chrono::seconds(1'700'000'000));

size_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * size_t(sysconf(_SC_PAGESIZE));
}

std::string name_text(size_t i) { return "www.host" + std::to_string(i) + ".example.com."; }

wire::RRset a_rrset(size_t i, int rrs) {
  wire::RRset s(wire::Name::from_text(name_text(i)).value(), wire::RRType::A, wire::RRClass::IN, 3600);
  for (int r = 0; r < rrs; ++r) {
    s.add(std::vector<uint8_t>{192, 0, uint8_t(i >> 8), uint8_t(i + size_t(r))});
  }
  return s;
}

void put16(std::vector<uint8_t>& p, uint16_t v) {
  p.push_back(uint8_t(v >> 8));
  p.push_back(uint8_t(v));
}
void put32(std::vector<uint8_t>& p, uint32_t v) {
  put16(p, uint16_t(v >> 16));
  put16(p, uint16_t(v));
}

// A dig-like query: RD, EDNS 1232, no options.
std::vector<uint8_t> make_query(const std::string& qname, uint16_t id) {
  std::vector<uint8_t> p;
  put16(p, id);
  p.push_back(0x01);
  p.push_back(0x00);
  put16(p, 1);
  put16(p, 0);
  put16(p, 0);
  put16(p, 1);
  auto n = wire::Name::from_text(qname).value();
  p.insert(p.end(), n.wire().begin(), n.wire().end());
  put16(p, 1);
  put16(p, 1);
  p.push_back(0);
  put16(p, 41);
  put16(p, 1232);
  put32(p, 0);
  put16(p, 0);
  return p;
}

// The answer a resolver sends: question, `rrs` A records with the owner compressed to the
// question (pointer 0xc00c), OPT.
std::vector<uint8_t> make_response(const std::vector<uint8_t>& q, size_t i, int rrs) {
  size_t qend = 12;
  while (q[qend] != 0) qend += size_t(q[qend]) + 1;
  qend += 5;
  std::vector<uint8_t> p(q.begin(), q.begin() + long(qend));
  p[2] = 0x81;
  p[3] = 0x80;
  p[7] = uint8_t(rrs);
  p[11] = 1;
  for (int r = 0; r < rrs; ++r) {
    put16(p, 0xc00c);
    put16(p, 1);
    put16(p, 1);
    put32(p, 3600);
    put16(p, 4);
    p.insert(p.end(), {192, 0, uint8_t(i >> 8), uint8_t(i + size_t(r))});
  }
  p.push_back(0);
  put16(p, 41);
  put16(p, 1232);
  put32(p, 0);
  put16(p, 0);
  return p;
}

// Flips the case of some letters, as a client using 0x20 randomisation does.
std::vector<uint8_t> mixed_case(std::vector<uint8_t> q, std::mt19937& rng) {
  for (size_t off = 12; q[off] != 0; off += size_t(q[off]) + 1) {
    for (size_t k = 1; k <= q[off]; ++k) {
      uint8_t& c = q[off + k];
      if (c >= 'a' && c <= 'z' && (rng() & 1)) c = uint8_t(c - 32);
    }
  }
  return q;
}

double ns_per(Clock::duration d, size_t n) {
  return double(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()) / double(n);
}

void bench_packet_hits(size_t names, size_t lookups) {
  PacketCache pc(size_t(2) << 30);
  std::mt19937 rng(1);
  std::vector<std::vector<uint8_t>> queries;
  queries.reserve(names);
  for (size_t i = 0; i < names; ++i) {
    auto q = make_query(name_text(i), uint16_t(i));
    pc.insert(q, make_response(q, i, 1), kNow);
    queries.push_back(mixed_case(q, rng));
  }
  std::vector<uint32_t> order(lookups);
  for (auto& o : order) o = uint32_t(rng() % names);
  std::vector<uint8_t> out;
  out.reserve(512);
  size_t hits = 0;
  auto start = Clock::now();
  for (size_t k = 0; k < lookups; ++k) {
    auto& q = queries[order[k]];
    q[0] = uint8_t(k);  // a new ID each time
    hits += pc.lookup(q, kNow + std::chrono::seconds(k % 3000), out) ? 1 : 0;
  }
  auto took = Clock::now() - start;
  std::printf("packet cache hit (key parse + lookup + copy + ID/case/TTL patch): %.1f ns  (%zu names, %zu lookups, %zu hits)\n",
              ns_per(took, lookups), names, lookups, hits);
}

void bench_rrset_hits(size_t names, size_t lookups) {
  CacheLimits limits;
  RRsetCache cache(limits, size_t(2) << 30);
  std::vector<wire::Name> owners;
  owners.reserve(names);
  for (size_t i = 0; i < names; ++i) {
    cache.insert(a_rrset(i, 1), Trust::AnswerAuth, kNow);
    owners.push_back(wire::Name::from_text(name_text(i)).value());
  }
  std::mt19937 rng(2);
  std::vector<uint32_t> order(lookups);
  for (auto& o : order) o = uint32_t(rng() % names);
  size_t hits = 0;
  auto start = Clock::now();
  for (size_t k = 0; k < lookups; ++k) {
    auto hit = cache.lookup(owners[order[k]], wire::RRType::A, wire::RRClass::IN,
                            kNow + std::chrono::seconds(k % 3000));
    hits += hit ? 1 : 0;
  }
  auto took = Clock::now() - start;
  std::printf("RRset cache hit (lock + lookup + RRset copy out):                %.1f ns  (%zu names, %zu lookups, %zu hits)\n",
              ns_per(took, lookups), names, lookups, hits);
}

void bytes_rrset(size_t names, int rrs) {
  CacheLimits limits;
  limits.bytes = size_t(4) << 30;
  size_t before = rss_bytes();
  {
    Caches caches(limits);
    size_t base = caches.rrsets().memory_bytes();
    for (size_t i = 0; i < names; ++i) caches.rrsets().insert(a_rrset(i, rrs), Trust::AnswerAuth, kNow);
    size_t after = rss_bytes();
    std::printf("RRset cache, %d-RR A set: accounted %.1f B/entry, RSS growth %.1f B/entry  (%zu entries)\n",
                rrs, double(caches.rrsets().memory_bytes() - base) / double(caches.rrsets().size()),
                double(after - before) / double(names), caches.rrsets().size());
  }
}

void bytes_packet(size_t names, int rrs) {
  size_t before = rss_bytes();
  {
    PacketCache pc(size_t(4) << 30);
    size_t base = pc.memory_bytes();
    for (size_t i = 0; i < names; ++i) {
      auto q = make_query(name_text(i), uint16_t(i));
      pc.insert(q, make_response(q, i, rrs), kNow);
    }
    size_t after = rss_bytes();
    std::printf("packet cache, %d-RR A answer: accounted %.1f B/entry, RSS growth %.1f B/entry  (%zu entries)\n",
                rrs, double(pc.memory_bytes() - base) / double(pc.size()),
                double(after - before) / double(names), pc.size());
  }
}

std::string target_text(size_t i) { return "edge.host" + std::to_string(i) + ".cdn.example.net."; }

// www.hostN.example.com. CNAME edge.hostN.cdn.example.net. (TTL 3600), the target's A set with
// `rrs` records, and the answer referring to both. Returns false if the answer was not stored.
bool store_cname_answer(Caches& caches, size_t i, int rrs) {
  auto owner = wire::Name::from_text(name_text(i)).value();
  auto target = wire::Name::from_text(target_text(i)).value();
  wire::RRset cname(owner, wire::RRType::CNAME, wire::RRClass::IN, 3600);
  cname.add(target.wire());
  wire::RRset a(target, wire::RRType::A, wire::RRClass::IN, 3600);
  for (int r = 0; r < rrs; ++r) a.add(std::vector<uint8_t>{192, 0, uint8_t(i >> 8), uint8_t(i + size_t(r))});
  caches.store_rrset(cname, Trust::AnswerAuth, kNow);
  caches.store_rrset(a, Trust::AnswerAuth, kNow);
  AnswerRefs refs;
  refs.answer = {RRsetKey{owner, wire::RRType::CNAME, wire::RRClass::IN},
                 RRsetKey{target, wire::RRType::A, wire::RRClass::IN}};
  return caches.insert_answer(Question{owner, wire::RRType::A, wire::RRClass::IN}, {},
                              wire::Rcode::NoError, refs, kNow);
}

void bench_answer_hits(size_t names, size_t lookups) {
  CacheLimits limits;
  limits.bytes = size_t(4) << 30;
  Caches caches(limits);
  std::vector<Question> questions;
  questions.reserve(names);
  for (size_t i = 0; i < names; ++i) {
    store_cname_answer(caches, i, 1);
    questions.push_back(Question{wire::Name::from_text(name_text(i)).value(), wire::RRType::A,
                                 wire::RRClass::IN});
  }
  std::mt19937 rng(3);
  std::vector<uint32_t> order(lookups);
  for (auto& o : order) o = uint32_t(rng() % names);

  size_t hits = 0, parts = 0;
  auto start = Clock::now();
  for (size_t k = 0; k < lookups; ++k) {
    auto hit = caches.lookup_answer(questions[order[k]], {}, kNow + std::chrono::seconds(k % 3000));
    if (hit) {
      ++hits;
      parts += hit->answer.size();
    }
  }
  auto took = Clock::now() - start;
  std::printf("answer cache hit, CNAME + A materialised (3 locked lookups):     %.1f ns  (%zu names, %zu lookups, %zu hits, %zu RRsets)\n",
              ns_per(took, lookups), names, lookups, hits, parts);

  // The same answers found the way the engine walks the cache without an answer cache.
  hits = 0;
  start = Clock::now();
  for (size_t k = 0; k < lookups; ++k) {
    auto now = kNow + std::chrono::seconds(k % 3000);
    const auto& q = questions[order[k]];
    auto cname = caches.rrsets().lookup(q.qname, wire::RRType::CNAME, q.qclass, now);
    if (!cname) continue;
    auto target = wire::rdata_target(wire::RRType::CNAME, *cname->rrset.begin());
    if (!target) continue;
    auto a = caches.rrsets().lookup(*target, wire::RRType::A, q.qclass, now);
    hits += a ? 1 : 0;
  }
  took = Clock::now() - start;
  std::printf("RRset walk for the same answer (CNAME lookup, target, A lookup):  %.1f ns  (%zu names, %zu lookups, %zu hits)\n",
              ns_per(took, lookups), names, lookups, hits);
}

void bytes_answer(size_t names) {
  CacheLimits limits;
  limits.bytes = size_t(4) << 30;
  Caches caches(limits);
  // The RRsets first, so the RSS growth measured below is the answers' alone.
  for (size_t i = 0; i < names; ++i) {
    auto owner = wire::Name::from_text(name_text(i)).value();
    auto target = wire::Name::from_text(target_text(i)).value();
    wire::RRset cname(owner, wire::RRType::CNAME, wire::RRClass::IN, 3600);
    cname.add(target.wire());
    wire::RRset a(target, wire::RRType::A, wire::RRClass::IN, 3600);
    a.add(std::vector<uint8_t>{192, 0, uint8_t(i >> 8), uint8_t(i)});
    caches.store_rrset(cname, Trust::AnswerAuth, kNow);
    caches.store_rrset(a, Trust::AnswerAuth, kNow);
  }
  std::vector<Question> questions;
  questions.reserve(names);
  for (size_t i = 0; i < names; ++i) {
    questions.push_back(Question{wire::Name::from_text(name_text(i)).value(), wire::RRType::A,
                                 wire::RRClass::IN});
  }
  size_t base = caches.answers().memory_bytes();
  size_t before = rss_bytes();
  for (size_t i = 0; i < names; ++i) {
    AnswerRefs refs;
    refs.answer = {RRsetKey{questions[i].qname, wire::RRType::CNAME, wire::RRClass::IN},
                   RRsetKey{wire::Name::from_text(target_text(i)).value(), wire::RRType::A,
                            wire::RRClass::IN}};
    caches.insert_answer(questions[i], {}, wire::Rcode::NoError, refs, kNow);
  }
  size_t after = rss_bytes();
  std::printf("answer cache, CNAME + A answer (2 refs): accounted %.1f B/entry, RSS growth %.1f B/entry  (%zu entries)\n",
              double(caches.answers().memory_bytes() - base) / double(caches.answers().size()),
              double(after - before) / double(names), caches.answers().size());
  // A plain A answer: one reference, owned by the qname (stored as 0 name bytes).
  Caches plain(limits);
  for (size_t i = 0; i < names; ++i) plain.store_rrset(a_rrset(i, 1), Trust::AnswerAuth, kNow);
  base = plain.answers().memory_bytes();
  for (size_t i = 0; i < names; ++i) {
    AnswerRefs refs;
    refs.answer = {RRsetKey{questions[i].qname, wire::RRType::A, wire::RRClass::IN}};
    plain.insert_answer(questions[i], {}, wire::Rcode::NoError, refs, kNow);
  }
  std::printf("answer cache, 1-RRset A answer (1 ref):  accounted %.1f B/entry  (%zu entries)\n",
              double(plain.answers().memory_bytes() - base) / double(plain.answers().size()),
              plain.answers().size());
}

// What an insert costs: rrsets().insert alone, and Caches::store_rrset, which also looks for the
// NODATA at (owner, type) and an NXDOMAIN at the owner and each ancestor to remove.
void bench_inserts(size_t names) {
  std::vector<wire::RRset> sets;
  sets.reserve(names);
  for (size_t i = 0; i < names; ++i) sets.push_back(a_rrset(i, 1));
  CacheLimits limits;
  limits.bytes = size_t(4) << 30;
  // Both caches hold as many unrelated denials as there are names, so the probes search a
  // populated negative cache (they all miss, as they mostly do in service).
  wire::RRset soa(wire::Name::from_text("example.com.").value(), wire::RRType::SOA,
                  wire::RRClass::IN, 3600);
  std::vector<uint8_t> soa_rdata = {3, 'n', 's', '1', 0, 4, 'h', 'o', 's', 't', 0};
  for (int k = 0; k < 20; ++k) soa_rdata.push_back(k % 4 == 3 ? 60 : 0);
  soa.add(soa_rdata);
  auto deny = [&](Caches& caches) {
    for (size_t i = 0; i < names; ++i) {
      caches.negative().insert_nxdomain(wire::Name::from_text("nx" + name_text(i)).value(),
                                        wire::RRClass::IN, soa, Trust::AuthorityAuth, kNow);
    }
  };
  {
    Caches caches(limits);
    deny(caches);
    auto start = Clock::now();
    for (const auto& s : sets) caches.rrsets().insert(s, Trust::AnswerAuth, kNow);
    std::printf("insert, rrsets().insert:                                         %.1f ns  (%zu names)\n",
                ns_per(Clock::now() - start, names), names);
  }
  {
    Caches caches(limits);
    deny(caches);
    auto start = Clock::now();
    for (const auto& s : sets) caches.store_rrset(s, Trust::AnswerAuth, kNow);
    std::printf("insert, Caches::store_rrset (+ NODATA and 4 NXDOMAIN probes):     %.1f ns  (%zu names)\n",
                ns_per(Clock::now() - start, names), names);
  }
  {
    Caches caches(limits);
    deny(caches);
    auto start = Clock::now();
    for (const auto& s : sets) caches.store_rrset(s, Trust::Glue, kNow);
    std::printf("insert, Caches::store_rrset of glue (below every denial: no probe): %.1f ns  (%zu names)\n",
                ns_per(Clock::now() - start, names), names);
  }
}

// A unique-name flood against the whole budget: every name new (the random-subdomain attack
// shape), positive, negative and packet entries all growing, far past what fits. RSS growth must
// stay near the budget: eviction frees real memory, and the allocator reuses it.
void flood(size_t budget_mib, size_t names) {
  CacheLimits limits;
  limits.bytes = budget_mib << 20;
  size_t before = rss_bytes();
  Caches caches(limits);
  PacketCache pc = caches.make_packet_cache(1);
  wire::RRset soa(wire::Name::from_text("example.com.").value(), wire::RRType::SOA,
                  wire::RRClass::IN, 3600);
  std::vector<uint8_t> soa_rdata = {3, 'n', 's', '1', 0, 4, 'h', 'o', 's', 't', 0};
  for (int k = 0; k < 5; ++k) {
    for (int b = 3; b >= 0; --b) soa_rdata.push_back(uint8_t(3600u >> (8 * b)));
  }
  soa.add(soa_rdata);
  size_t peak = 0;
  for (size_t i = 0; i < names; ++i) {
    auto a = a_rrset(i, 1 + int(i % 3));
    caches.store_rrset(a, Trust::AnswerAuth, kNow);
    AnswerRefs refs;
    refs.answer = {RRsetKey{a.owner, a.type, a.rclass}};
    caches.insert_answer(Question{a.owner, a.type, a.rclass}, {}, wire::Rcode::NoError, refs, kNow);
    caches.negative().insert_nxdomain(wire::Name::from_text("nx" + name_text(i)).value(),
                                      wire::RRClass::IN, soa, Trust::AnswerAuth, kNow);
    auto q = make_query(name_text(i), uint16_t(i));
    pc.insert(q, make_response(q, i, 1 + int(i % 3)), kNow);
    if (i % 10000 == 0) peak = std::max(peak, rss_bytes() - before);
  }
  peak = std::max(peak, rss_bytes() - before);
  size_t accounted = caches.memory_bytes() + pc.memory_bytes();
  std::printf("flood: budget %zu MiB, %zu unique names x (RRset + answer + NXDOMAIN + packet): accounted %.1f MiB, "
              "RSS growth peak %.1f MiB (%zu RRsets, %zu answers, %zu negative, %zu packets kept)\n",
              budget_mib, names, double(accounted) / (1 << 20), double(peak) / (1 << 20),
              caches.rrsets().size(), caches.answers().size(), caches.negative().size(), pc.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "flood") {
    size_t mib = argc > 2 ? size_t(std::strtoull(argv[2], nullptr, 10)) : 32;
    size_t n = argc > 3 ? size_t(std::strtoull(argv[3], nullptr, 10)) : 2000000;
    flood(mib == 0 ? 1 : mib, n);
    return 0;
  }
  size_t names = argc > 1 ? size_t(std::strtoull(argv[1], nullptr, 10)) : 200000;
  size_t lookups = argc > 2 ? size_t(std::strtoull(argv[2], nullptr, 10)) : 2000000;
  if (names == 0 || lookups == 0) {
    std::fprintf(stderr, "usage: bench_cache [names>0] [lookups>0]\n");
    return 2;
  }
  // Each measurement in its own child process: a fresh heap, so memory freed by an earlier
  // measurement cannot hide RSS growth, and timings do not inherit a fragmented heap.
  auto in_child = [](auto&& fn) {
    std::fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      fn();
      std::fflush(stdout);
      _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
  };
  in_child([&] { bytes_rrset(names, 1); });
  in_child([&] { bytes_rrset(names, 3); });
  in_child([&] { bytes_packet(names, 1); });
  in_child([&] { bytes_packet(names, 3); });
  in_child([&] { bytes_answer(names); });
  in_child([&] { bench_inserts(names); });
  // A hot set that stays in the CPU caches, and the full set (memory-bound).
  for (size_t n : {size_t(1000), names}) {
    in_child([&] { bench_packet_hits(n, lookups); });
    in_child([&] { bench_rrset_hits(n, lookups); });
    in_child([&] { bench_answer_hits(n, lookups); });
  }
  return 0;
}
