// fuzz-libs: tern_testsupport tern_engine
//
// The upstream response path, driven through the real engine in the simulated world
// (tests/support Harness: SimNetwork + ManualClock): the example.com servers answer
// `www.example.com. A` with the input, as response classification and the scrubber see it.
// Input: 12 bytes of header (QR and QDCOUNT=1 forced, the ID patched to the query's), then the
// question the engine asked is inserted, then the rest of the input follows as the sections.
// Properties: the resolution always ends (no hang); nothing the example.com servers say about
// victim.net. (outside their bailiwick) is ever answered from the cache afterwards.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "tests/support/harness.h"

using namespace tern;
using namespace tern::testsupport;

namespace {

constexpr const char* kComServer = "192.5.6.30";
constexpr const char* kNs1 = "198.51.100.1";
constexpr const char* kNs2 = "198.51.100.2";

std::vector<uint8_t> response_from(std::span<const uint8_t> data) {
  static const uint8_t question[] = {3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
                                     3, 'c', 'o', 'm', 0, 0, 1, 0, 1};
  const size_t rest = data.size() > 12 ? data.size() - 12 : 0;
  // Sized once and filled in place (GCC 12 -O3 misreads inserts after a small vector).
  std::vector<uint8_t> out(12 + sizeof question + rest, 0);
  std::copy(data.begin(), data.begin() + long(std::min<size_t>(12, data.size())), out.begin());
  out[2] |= 0x80;  // QR
  out[4] = 0;
  out[5] = 1;  // QDCOUNT
  std::copy(std::begin(question), std::end(question), out.begin() + 12);
  if (rest) std::copy(data.begin() + 12, data.end(), out.begin() + 12 + long(sizeof question));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  auto cfg = Harness::default_config();
  cfg.qname_minimisation = false;
  Harness h(cfg);
  h.serve_priming();
  h.net.on_subdomain(h.root(), "com.", referral("com.", {"ns.com."}, {{"ns.com.", kComServer}}));
  h.net.on_subdomain(addr(kComServer), "example.com.",
                     referral("example.com.", {"ns1.example.com.", "ns2.example.com."},
                              {{"ns1.example.com.", kNs1}, {"ns2.example.com.", kNs2}}));
  SimReply fuzzed;
  fuzzed.raw = response_from({data, size});
  h.net.on_any(addr(kNs1), fuzzed);
  h.net.on_any(addr(kNs2), fuzzed);

  if (!h.resolve("www.example.com.", wire::RRType::A)) std::abort();  // a hang

  // Nobody answers for victim.net.: any answer for it can only come from the cache, i.e. from
  // records the scrubber should have dropped.
  auto victim = h.resolve("www.victim.net.", wire::RRType::A);
  if (!victim) std::abort();
  if (!victim->answer.empty()) std::abort();
  return 0;
}
