// The short list of scenarios that fail for a known engine limitation, each with its reason.
// File format, one entry a line ('#' comments):
//   <scenario> <lenient|strict|any> <qmin_on|qmin_off|any> <reason...>
// A strict entry covers strict runs only; lenient or any covers both (a lenient failure is a
// strict one too).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "wire/result.h"

namespace tern::replay {

class ExpectedFailures {
 public:
  static tern::Result<ExpectedFailures, std::string> load(const std::string& path);
  static tern::Result<ExpectedFailures, std::string> parse(const std::string& text);
  // The reason when (scenario, mode, qmin) is listed.
  std::optional<std::string> find(const std::string& scenario, bool strict, bool qmin) const;

 private:
  struct Item {
    std::string scenario;
    bool strict_only = false;
    std::optional<bool> qmin;
    std::string reason;
  };
  std::vector<Item> items_;
};

}  // namespace tern::replay
