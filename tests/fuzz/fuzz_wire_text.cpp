// fuzz-libs: tern_wire
//
// Property: rr_from_text never crashes on any line; when it accepts one, printing the record with
// rr_to_text and parsing that again gives the same owner, TTL, class, type and RDATA, and the
// RDATA is valid for its type.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "wire/rdata.h"
#include "wire/text.h"

using namespace tern::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  static const Name kOrigin = *Name::from_text("example.com.");
  auto rr = rr_from_text(line, kOrigin);
  if (!rr) return 0;
  if (validate_rdata(rr->type, rr->rdata)) std::abort();
  auto text = rr_to_text(rr->owner, rr->ttl, rr->rclass, rr->type, rr->rdata);
  auto again = rr_from_text(text, kOrigin);
  if (!again) std::abort();
  if (!std::ranges::equal(again->owner.wire(), rr->owner.wire()) || again->ttl != rr->ttl ||
      again->rclass != rr->rclass || again->type != rr->type || again->rdata != rr->rdata) {
    std::abort();
  }
  return 0;
}
