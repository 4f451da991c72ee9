// tern_replay: plays .rpl scenarios against the engine.
//
//   tern_replay [--strict] [--qmin on|off|both] [--unmatched timeout|servfail] [--xfail FILE]
//               [--missing-ok] [-v] (SCENARIO.rpl... | --all DIR)
//
// --unmatched: what a query no entry answers gets: nothing (timeout, the default) or Deckard's
// SERVFAIL. Strict mode fails on such a query either way.
//
// One line per scenario, then (for --all) a closing "N passed, M failed". Exit status: 0 when
// everything passed (or failed as listed in the expected-failure file), 1 on a failure, 77 when
// everything was skipped (ctest's SKIP_RETURN_CODE) for unsupported features. A missing scenario
// folder or file is a failure unless --missing-ok (CMake TERN_REPLAY_MISSING_OK) makes it a skip.
// Under CI=true a skip is a failure: a suite that played nothing must not pass there.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "expected_failures.h"
#include "replay_driver.h"
#include "rpl_parser.h"

namespace {

using namespace tern::replay;
namespace fs = std::filesystem;

constexpr int kExitSkip = 77;

// CI=true (set by .ci/run, and by the usual CI services): every skip becomes a failure.
bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci && (std::string(ci) == "true" || std::string(ci) == "1");
}

int skip_exit(const std::string& why) {
  if (in_ci()) {
    std::cout << "FAIL: " << why << " (CI is set: a skip is a failure there)\n";
    return 1;
  }
  std::cout << "SKIPPED: " << why << "\n";
  return kExitSkip;
}

struct Options {
  bool strict = false;
  std::vector<bool> qmin = {true, false};
  std::string xfail_file;
  bool verbose = false;
  bool missing_ok = false;
  Unmatched unmatched = Unmatched::Timeout;
  std::string all_dir;
  std::vector<std::string> files;
};

enum class Outcome : uint8_t { Pass, Fail, Skip, XFail, XPass };

const char* outcome_text(Outcome o) {
  switch (o) {
    case Outcome::Pass: return "PASS";
    case Outcome::Fail: return "FAIL";
    case Outcome::Skip: return "SKIP";
    case Outcome::XFail: return "XFAIL";
    case Outcome::XPass: return "XPASS";
  }
  return "?";
}

Outcome play_file(const std::string& path, const Options& opt, const ExpectedFailures& xfail) {
  const std::string name = fs::path(path).stem().string();
  const char* mode = opt.strict ? "strict" : "lenient";
  auto parsed = parse_rpl_file(path);
  if (!parsed) {
    std::cout << "FAIL " << name << " [" << mode << "]: parse error at line " << parsed.error().line
              << ": " << parsed.error().message << "\n";
    return Outcome::Fail;
  }
  const tern::replay::Scenario& s = *parsed;
  std::vector<bool> variants = opt.qmin;
  if (s.config.qname_minimisation) variants = {*s.config.qname_minimisation};

  Outcome total = Outcome::Pass;
  std::string notes;
  for (bool qmin : variants) {
    const std::string variant = std::string(mode) + (qmin ? " qmin on" : " qmin off");
    RunOptions ro;
    ro.strict = opt.strict;
    ro.qname_minimisation = qmin;
    ro.unmatched = opt.unmatched;
    RunResult r = run_scenario(s, ro);
    if (r.verdict == Verdict::Skip) {
      std::cout << "SKIP " << name << " [" << variant << "]: unsupported:";
      for (const auto& u : r.failures) std::cout << " " << u << ";";
      std::cout << "\n";
      return Outcome::Skip;
    }
    const auto reason = xfail.find(name, opt.strict, qmin);
    if (r.verdict == Verdict::Fail || opt.verbose) {
      std::cout << "---- " << name << " [" << variant << "] log ----\n" << r.log;
    }
    if (r.verdict == Verdict::Fail) {
      for (const auto& f : r.failures) std::cout << "  failure: " << f << "\n";
      if (reason) {
        notes += " [" + variant + "] expected failure: " + *reason;
        if (total == Outcome::Pass) total = Outcome::XFail;
      } else {
        notes += " [" + variant + "] " + r.failures.front();
        total = Outcome::Fail;
      }
    } else if (reason) {
      notes += " [" + variant + "] passes but is listed as an expected failure";
      total = Outcome::XPass;
    }
  }
  std::cout << outcome_text(total) << " " << name << " [" << mode << "]" << notes << "\n";
  return total;
}

int usage() {
  std::cerr << "usage: tern_replay [--strict] [--qmin on|off|both] [--unmatched timeout|servfail] "
               "[--xfail FILE] [--missing-ok] [-v] "
               "(--all DIR | SCENARIO.rpl...)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto next = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (a == "--strict") {
      opt.strict = true;
    } else if (a == "--lenient") {
      opt.strict = false;
    } else if (a == "--missing-ok") {
      opt.missing_ok = true;
    } else if (a == "-v" || a == "--verbose") {
      opt.verbose = true;
    } else if (a == "--qmin") {
      auto v = next();
      if (!v) return usage();
      if (*v == "on") opt.qmin = {true};
      else if (*v == "off") opt.qmin = {false};
      else if (*v == "both") opt.qmin = {true, false};
      else return usage();
    } else if (a == "--unmatched") {
      auto v = next();
      if (!v) return usage();
      if (*v == "timeout") opt.unmatched = Unmatched::Timeout;
      else if (*v == "servfail") opt.unmatched = Unmatched::ServFail;
      else return usage();
    } else if (a == "--xfail") {
      auto v = next();
      if (!v) return usage();
      opt.xfail_file = *v;
    } else if (a == "--all") {
      auto v = next();
      if (!v) return usage();
      opt.all_dir = *v;
    } else if (!a.empty() && a[0] == '-') {
      return usage();
    } else {
      opt.files.push_back(a);
    }
  }
  if (opt.all_dir.empty() == opt.files.empty()) return usage();

  ExpectedFailures xfail;
  if (!opt.xfail_file.empty()) {
    auto loaded = ExpectedFailures::load(opt.xfail_file);
    if (!loaded) {
      std::cout << "FAIL: expected-failure list " << opt.xfail_file << ": " << loaded.error() << "\n";
      return 1;
    }
    xfail = std::move(*loaded);
  }

  auto missing = [&](const std::string& what) {
    const std::string why = what + " not found (set -DTERN_DECKARD_SCENARIOS=...)";
    if (opt.missing_ok) return skip_exit(why);
    std::cout << "FAIL: " << why << "; a replay that plays nothing is not a pass "
                 "(configure with -DTERN_REPLAY_MISSING_OK=ON to skip instead)\n";
    return 1;
  };
  std::vector<std::string> files = opt.files;
  if (!opt.all_dir.empty()) {
    if (!fs::is_directory(opt.all_dir)) return missing("Deckard scenario folder " + opt.all_dir);
    for (const auto& f : fs::directory_iterator(opt.all_dir)) {
      if (f.path().extension() == ".rpl") files.push_back(f.path().string());
    }
    std::sort(files.begin(), files.end());
  }
  for (const auto& f : files) {
    if (!fs::is_regular_file(f)) return missing("scenario " + f);
  }

  size_t passed = 0, failed = 0, skipped = 0, xfailed = 0;
  for (const auto& f : files) {
    switch (play_file(f, opt, xfail)) {
      case Outcome::Pass: ++passed; break;
      case Outcome::Skip: ++skipped; break;
      case Outcome::XFail: ++xfailed; break;
      case Outcome::Fail:
      case Outcome::XPass: ++failed; break;
    }
  }
  if (!opt.all_dir.empty()) {
    if (skipped || xfailed) {
      std::cout << "(" << skipped << " skipped, " << xfailed << " expected failures)\n";
    }
    std::cout << passed << " passed, " << failed << " failed\n";
  }
  if (failed) return 1;
  if (passed == 0 && xfailed == 0 && skipped > 0) return skip_exit("every scenario was skipped");
  return 0;
}
