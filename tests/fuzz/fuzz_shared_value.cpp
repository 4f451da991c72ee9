// fuzz-libs: tern_resolver
// Property: decode_shared_value (a value read back from Redis, which anyone with access to Redis
// can write) never reads past its input, and what it accepts is consistent: no record's TTL
// above the value's remaining TTL (0 when expired), the rcode NOERROR or NXDOMAIN, and the
// sections, encoded again and decoded at the same instant, give the same counts and rcode.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "resolver/server/shared_value.h"

using namespace tern;
using namespace tern::server;

namespace {

constexpr uint64_t kNow = 1'800'000'000;

bool ttls_within(const Sections& s, uint32_t remaining) {
  for (const auto* part : {&s.answer, &s.authority, &s.additional})
    for (const auto& rr : *part)
      if (rr.ttl > remaining) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const SharedKey key{*wire::Name::from_text("www.example.com."), wire::RRType::A,
                             wire::RRClass::IN, false, false};
  std::span<const uint8_t> in(data, size);
  SharedDecode d = decode_shared_value(key, in, kNow);
  if (d.value.has_value() == d.error.has_value()) std::abort();
  if (!d.value) return 0;
  const SharedValue& v = *d.value;
  if (v.sections.rcode != wire::Rcode::NoError && v.sections.rcode != wire::Rcode::NXDomain) std::abort();
  if (v.expired != (v.remaining == 0)) std::abort();
  if (!ttls_within(v.sections, v.remaining)) std::abort();
  if (v.expired) return 0;
  std::vector<uint8_t> encoded = encode_shared_value(key, v.sections, kNow, v.remaining);
  auto again = decode_shared_value(key, encoded, kNow);
  if (!again.value) {
    // Only an answer that no longer fits in 64 KiB (written with less compression than the
    // input had) may come back refused, as a truncated message.
    bool tc = encoded.size() > 18 && (encoded[18] & 0x02);
    if (!(tc && again.error == SharedValueError::NotAnAnswer)) std::abort();
    return 0;
  }
  const Sections& a = again.value->sections;
  if (a.rcode != v.sections.rcode || a.answer.size() != v.sections.answer.size() ||
      a.authority.size() != v.sections.authority.size())
    std::abort();
  return 0;
}
