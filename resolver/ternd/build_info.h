// What this ternd binary is: its version and the commit it was built from, for --version, the
// start-up log line and bug reports.
#pragma once

#include <string>

namespace tern::ternd {

// "0.1.0 (commit 1a2b3c4d5e6f)"; "-dirty" after the hash when the tree had uncommitted changes,
// "unknown" when built outside git without -DTERN_COMMIT.
std::string build_version();

}  // namespace tern::ternd
