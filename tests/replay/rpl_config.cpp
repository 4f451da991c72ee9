// The config header: both Deckard's keys (stub-addr, query-minimization, features, ...) and the
// Unbound-config style testbound uses (server: / stub-zone: name "." stub-addr ...). Every key is
// either honoured (mapped onto ScenarioConfig, later onto EngineConfig and CacheLimits), accepted
// as harmless with the reason below, or reported as unsupported so the scenario skips.
#include <string>

#include "rpl_parser.h"
#include "rpl_text.h"

namespace tern::replay {

namespace {

void bool_option(std::string_view key, std::string_view value, bool& out,
                 std::vector<std::string>& unsupported) {
  if (auto b = bool_from_text(value)) {
    out = *b;
  } else {
    unsupported.push_back("config: " + std::string(key) + ": " + std::string(value));
  }
}

// "features: min_ttl = 300" (Deckard's per-resolver tuning, here mapped onto CacheLimits).
void feature_option(std::string_view value, ScenarioConfig& config,
                    std::vector<std::string>& unsupported) {
  const auto eq = value.find('=');
  const std::string_view name = trim(value.substr(0, eq));
  const std::string_view arg = eq == std::string_view::npos ? "" : trim(value.substr(eq + 1));
  const auto n = parse_int(arg);
  if (name == "min_ttl" && n && *n >= 0) {
    config.min_ttl = uint32_t(*n);
  } else if (name == "max_ttl" && n && *n >= 0) {
    config.max_ttl = uint32_t(*n);
  } else {
    unsupported.push_back("config: features: " + std::string(value));
  }
}

}  // namespace

void apply_config_line(std::string_view key, std::string_view value, ScenarioConfig& config,
                       std::vector<std::string>& unsupported) {
  config.options.emplace_back(std::string(key), std::string(value));
  if (key == "server" || key == "stub-zone") {
    // Section headers of the Unbound style; their contents follow as ordinary keys.
    return;
  }
  if (key == "name") {
    // stub-zone name: only the root is modelled (the stub address becomes the root hints).
    if (value != ".") unsupported.push_back("config: stub-zone name " + std::string(value));
    return;
  }
  if (key == "stub-addr") {
    config.root_addresses.emplace_back(value);
    return;
  }
  if (key == "do-ip6") {
    bool_option(key, value, config.ipv6, unsupported);
    return;
  }
  if (key == "query-minimization" || key == "qname-minimisation") {
    bool b = true;
    const size_t before = unsupported.size();
    bool_option(key, value, b, unsupported);
    if (unsupported.size() == before) config.qname_minimisation = b;
    return;
  }
  if (key == "do-not-query-localhost") {
    bool_option(key, value, config.do_not_query_localhost, unsupported);
    return;
  }
  if (key == "harden-glue") {
    // Tern always hardens glue (out-of-bailiwick glue is never trusted); "no" cannot be honoured.
    bool b = true;
    bool_option(key, value, b, unsupported);
    if (!b) unsupported.push_back("config: harden-glue: no");
    return;
  }
  if (key == "target-fetch-policy") {
    // How many NS addresses Unbound fetches ahead of need. It changes which extra queries are
    // sent, never which answer is right; Tern fetches addresses only when it needs them.
    return;
  }
  if (key == "features") {
    feature_option(value, config, unsupported);
    return;
  }
  unsupported.push_back("config: " + std::string(key) + (value.empty() ? "" : ": ") +
                        std::string(value));
}

}  // namespace tern::replay
