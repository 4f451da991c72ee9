// Reads a .rpl scenario (testbound / Deckard format) into a Scenario. Malformed text is an error
// value naming the line; a well-formed feature the replayer does not play lands in
// Scenario::unsupported instead, so the caller can skip the scenario with the feature named.
#pragma once

#include <string>
#include <string_view>

#include "scenario.h"
#include "wire/result.h"

namespace tern::replay {

struct ParseError {
  int line = 0;  // 1-based; 0 = the file as a whole
  std::string message;
};

Result<Scenario, ParseError> parse_rpl(std::string_view text);
Result<Scenario, ParseError> parse_rpl_file(const std::string& path);

// One config header line ("stub-addr: 1.2.3.4", "query-minimization: off", "server:"), applied to
// `config`; options the replayer cannot honour are appended to `unsupported`, named. Exposed for
// the unit tests.
void apply_config_line(std::string_view key, std::string_view value, ScenarioConfig& config,
                       std::vector<std::string>& unsupported);

}  // namespace tern::replay
