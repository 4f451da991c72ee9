// Plays one scenario against the real engine (tern::engine::Engine, the code ternd runs) on the
// replay network and clock, and gives the verdict: every CHECK_ANSWER must hold; in strict mode
// every upstream query must also have been answered by some entry of the scenario.
#pragma once

#include <string>
#include <vector>

#include "replay_responder.h"
#include "scenario.h"

namespace tern::replay {

struct RunOptions {
  bool strict = false;
  bool qname_minimisation = true;  // ignored when the scenario's config pins it
  Unmatched unmatched = Unmatched::Timeout;
};

enum class Verdict : uint8_t { Pass, Fail, Skip };
std::string_view to_string(Verdict v);

struct RunResult {
  Verdict verdict = Verdict::Fail;
  std::vector<std::string> failures;  // one line each: "STEP 10 CHECK_ANSWER: rcode: ..."
  std::string log;                    // step by step: queries sent, answers, checks
};

RunResult run_scenario(const Scenario& scenario, const RunOptions& options);

}  // namespace tern::replay
