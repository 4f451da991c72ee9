#include "expected_failures.h"

#include <fstream>
#include <sstream>

#include "rpl_text.h"

namespace tern::replay {

tern::Result<ExpectedFailures, std::string> ExpectedFailures::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(std::string("cannot open ") + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str());
}

tern::Result<ExpectedFailures, std::string> ExpectedFailures::parse(const std::string& text) {
  ExpectedFailures out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string_view l = trim(line);
    if (l.empty() || l[0] == '#') continue;
    const auto tok = split_ws(l);
    if (tok.size() < 4) return fail("line " + std::to_string(n) + ": needs scenario, mode, qmin, reason");
    Item item;
    item.scenario = std::string(tok[0]);
    if (tok[1] == "strict") {
      item.strict_only = true;
    } else if (tok[1] != "lenient" && tok[1] != "any") {
      return fail("line " + std::to_string(n) + ": mode must be lenient, strict or any");
    }
    if (tok[2] == "qmin_on") {
      item.qmin = true;
    } else if (tok[2] == "qmin_off") {
      item.qmin = false;
    } else if (tok[2] != "any") {
      return fail("line " + std::to_string(n) + ": qmin must be qmin_on, qmin_off or any");
    }
    const size_t reason_at = size_t(tok[3].data() - l.data());
    item.reason = std::string(l.substr(reason_at));
    out.items_.push_back(std::move(item));
  }
  return out;
}

std::optional<std::string> ExpectedFailures::find(const std::string& scenario, bool strict,
                                                  bool qmin) const {
  for (const auto& i : items_) {
    if (i.scenario != scenario) continue;
    if (i.strict_only && !strict) continue;
    if (i.qmin && *i.qmin != qmin) continue;
    return i.reason;
  }
  return std::nullopt;
}

}  // namespace tern::replay
