// fuzz-libs: tern_engine
// Property: parse_root_hints never crashes on any text; when it accepts a file, the result is a
// root NS set with at least one address of an NS target, and printing the result and parsing it
// again gives the same servers and addresses.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "resolver/engine/delegation.h"
#include "resolver/engine/root_hints.h"
#include "wire/text.h"

using namespace tern;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

std::string print(const engine::RootHints& h) {
  std::string out = wire::rrset_to_text(h.ns);
  for (const auto& a : h.addrs) out += wire::rrset_to_text(a);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto hints = engine::parse_root_hints(text);
  if (!hints) return 0;
  check(hints->ns.owner.is_root());
  check(!hints->ns.empty());
  check(!hints->addrs.empty());
  auto targets = engine::ns_targets(hints->ns);
  size_t addresses = 0;
  for (const auto& set : hints->addrs) {
    bool is_target = false;
    for (const auto& t : targets) is_target = is_target || t == set.owner;
    check(is_target);
    addresses += engine::hint_addresses(*hints, set.owner, 53).size();
  }
  check(addresses > 0);
  auto again = engine::parse_root_hints(print(*hints));
  check(again.ok());
  check(again->ns.same_data(hints->ns));
  check(again->addrs.size() == hints->addrs.size());
  for (size_t i = 0; i < hints->addrs.size(); ++i) check(again->addrs[i].same_data(hints->addrs[i]));
  return 0;
}
