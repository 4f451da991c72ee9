// fuzz-libs: tern_validator
// Property: parse_trust_anchors never crashes on any text; when it accepts a file, every anchor
// names a distinct zone, holds at least one DS or DNSKEY whose RDATA parses, is found by
// closest_trust_anchor, and printing the anchors and parsing them again gives the same records.
// The accepted keys and DS records then go through key_tag and ds_matches (hostile RDATA).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "resolver/validator/dnssec_rdata.h"
#include "resolver/validator/ds_digest.h"
#include "resolver/validator/key_tag.h"
#include "resolver/validator/trust_anchor.h"
#include "wire/text.h"

using namespace tern;
using namespace tern::validator;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

// Bounds the digest work one input can cause.
constexpr size_t kMaxPairs = 16;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto anchors = parse_trust_anchors(text);
  if (!anchors) {
    check(!to_string(anchors.error().error).empty());
    return 0;
  }
  check(!anchors->empty());
  std::string printed;
  for (size_t i = 0; i < anchors->size(); ++i) {
    const auto& a = (*anchors)[i];
    check(!a.ds.empty() || !a.dnskey.empty());
    for (size_t j = 0; j < i; ++j) check(!((*anchors)[j].zone == a.zone));
    check(closest_trust_anchor(*anchors, a.zone) == &a);
    for (auto d : a.ds) check(parse_ds(d).has_value());
    for (auto k : a.dnskey) check(parse_dnskey(k).has_value());
    if (!a.ds.empty()) printed += wire::rrset_to_text(a.ds);
    if (!a.dnskey.empty()) printed += wire::rrset_to_text(a.dnskey);
    size_t pairs = 0;
    for (auto k : a.dnskey) {
      (void)key_tag(k);
      for (auto d : a.ds) {
        if (++pairs > kMaxPairs) break;
        (void)ds_matches(a.zone, k, d);
      }
    }
  }
  auto again = parse_trust_anchors(printed);
  check(again.ok());
  check(again->size() == anchors->size());
  for (size_t i = 0; i < anchors->size(); ++i) {
    check((*again)[i].zone == (*anchors)[i].zone);
    check((*again)[i].ds.same_data((*anchors)[i].ds) || (*anchors)[i].ds.empty());
    check((*again)[i].dnskey.same_data((*anchors)[i].dnskey) || (*anchors)[i].dnskey.empty());
  }
  return 0;
}
