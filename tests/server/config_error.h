// The error a TOML text gets from apply_toml on the default configuration ("" when it is
// accepted): what the config tests compare against, one copy for all of them.
#pragma once

#include <string>

#include "resolver/config/config.h"

namespace tern::test {

inline std::string config_error_of(const std::string& toml) {
  config::Config c = config::default_config();
  try {
    config::apply_toml(c, toml, "t.toml");
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace tern::test
