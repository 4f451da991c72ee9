// Builds the LocalPolicy from the configuration: the built-in RFC 6761/6303 zones (minus
// server.no-local-zones), then [[local-zone]] (a configured zone replaces a built-in one at the
// same apex, data and all), then [[local-data]] and the hosts file.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "resolver/config/config.h"
#include "resolver/server/local_policy.h"

namespace tern::server {

struct LocalPolicyBuild {
  std::shared_ptr<const LocalPolicy> policy;  // null when `error` is set
  std::string error;                          // "ternd.toml:12: local-data: '...': bad RDATA"
  std::vector<std::string> warnings;          // hosts-file lines skipped
};

// Pure: the hosts file's text is passed in (empty = none).
LocalPolicyBuild build_local_policy(const config::Config& cfg, std::string_view hosts_text);
// Reads cfg.local.hosts_file (a read failure is an error) and builds.
LocalPolicyBuild load_local_policy(const config::Config& cfg);

}  // namespace tern::server
