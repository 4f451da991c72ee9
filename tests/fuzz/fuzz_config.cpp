// fuzz-libs: tern_resolver
// Property: any byte string given to the TOML config reader is either applied or rejected with a
// ConfigError whose message names the source ("fuzz.toml..."), never anything else; a rejected
// document leaves the configuration untouched, and an accepted one keeps every value in range.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "resolver/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tern::config;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Config c = default_config();
  const Config before = c;
  try {
    apply_toml(c, text, "fuzz.toml");
  } catch (const ConfigError& e) {
    if (std::string_view(e.what()).rfind("fuzz.toml", 0) != 0) std::abort();
    // All or nothing: a rejected document changed nothing.
    if (c.server.threads != before.server.threads || c.server.listen.size() != before.server.listen.size() ||
        c.cache.size_mib != before.cache.size_mib || c.log.level != before.log.level)
      std::abort();
    return 0;
  }
  if (c.server.listen.empty() || c.server.threads > 1024 || c.server.udp_max_payload < 512 ||
      c.cache.size_mib < 1 || c.cache.min_ttl > c.cache.max_ttl || c.server.tcp_max_inflight < 1)
    std::abort();
  return 0;
}
