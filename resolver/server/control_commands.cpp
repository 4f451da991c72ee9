#include "resolver/server/control_commands.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>

#include "cache/caches.h"
#include "resolver/server/cache_persist.h"
#include "resolver/server/control.h"
#include "resolver/server/local_policy.h"
#include "resolver/server/server.h"

namespace tern::server {
namespace {

// Commands that show state and change nothing: the only ones a read-only socket accepts.
// `lookup` is Unbound's read-only cache query (another part of issue #16 adds it).
constexpr std::array<std::string_view, 7> kReadOnlyCommands = {
    "help", "status", "stats", "dump", "lookup", "list-local-zones", "list-forwards"};

std::string uptime_text(std::chrono::steady_clock::duration d) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  return fmt::format("{}d {:02}:{:02}:{:02} ({} s)", s / 86400, s / 3600 % 24, s / 60 % 60, s % 60, s);
}

std::string status(ControlContext& ctx) {
  const config::Config& cfg = ctx.config();
  const cache::Caches& c = ctx.caches;
  size_t budget = size_t(cfg.cache.size_mib) << 20;
  size_t used = c.memory_bytes();
  std::string listen;
  for (const auto& a : cfg.server.listen) {
    if (!listen.empty()) listen += ' ';
    listen += a.to_string();
  }
  std::string out;
  out += fmt::format("version: ternd {}\n", ctx.version);
  out += fmt::format("uptime: {}\n", uptime_text(std::chrono::steady_clock::now() - ctx.started));
  out += fmt::format("threads: {}\n", ctx.server.threads());
  out += fmt::format("config-file: {}\n", cfg.config_file.empty() ? "(none: defaults and flags)" : cfg.config_file);
  out += fmt::format("listen: {}\n", listen);
  out += fmt::format("log-level: {}\n", config::to_string(ctx.log.level()));
  out += fmt::format("cache-size: {} bytes ({} MiB)\n", budget, cfg.cache.size_mib);
  out += fmt::format("cache-used: {} bytes ({:.1f}% of the shared caches' budget; packet caches apart)\n", used,
                     budget ? 100.0 * double(used) / double(budget) : 0.0);
  out += fmt::format("cache-rrsets: {}\n", c.rrsets().size());
  out += fmt::format("cache-negative: {}\n", c.negative().size());
  out += fmt::format("cache-answers: {}\n", c.answers().size());
  out += fmt::format("cache-failures: {}\n", c.failures().size());
  out += fmt::format("persist-file: {}\n", cfg.cache.persist_file.empty() ? "(none)" : cfg.cache.persist_file);
  return out;
}

std::string list_local_zones(ControlContext& ctx) {
  auto policy = ctx.local_policy();
  if (!policy) return "none configured\n";
  auto zones = policy->zones();
  if (zones.empty()) return "none configured\n";
  std::string out;
  for (const auto& z : zones)
    out += fmt::format("{} {} {} record{}\n", z.apex.to_text(), to_string(z.type), z.records,
                       z.records == 1 ? "" : "s");
  return out;
}

}  // namespace

std::string control_help() {
  return "status                    version, uptime, threads, config file, cache size and use\n"
         "stats                     every counter, as the metrics endpoint serves them\n"
         "reload                    re-read the configuration (as SIGHUP); says what changed and what needs a restart\n"
         "set-log-level LEVEL       debug, info, warning, error or off, until the next reload\n"
         "flush NAME [TYPE]         drop a name (or one type of it) from the caches\n"
         "flush-subtree NAME        drop a name and everything below it\n"
         "flush-negative            drop every cached NXDOMAIN and NODATA\n"
         "flush-bogus               drop every cached failure (SERVFAIL; bogus answers once DNSSEC validation runs)\n"
         "flush-all                 drop every cached answer (server RTTs are kept)\n"
         "dump                      the caches as zone-file text\n"
         "cache-save FILE           write the RRset and negative caches to FILE (docs/cache.md, cache file)\n"
         "cache-load FILE           load a file written by cache-save (checked whole first)\n"
         "list-local-zones          the locally served zones, their type and record count\n"
         "list-forwards             the forward zones\n"
         "help                      this list\n"
         "A read-only socket (server.control-socket-read-only) takes: help status stats dump lookup "
         "list-local-zones list-forwards\n";
}

std::string list_forwards(const config::Config& cfg) {
  // One line per [[forward-zone]] / [[stub-zone]], as configured (the running table is built
  // from the same configuration on every reload).
  std::string out;
  for (const auto& z : cfg.upstream_zones) {
    out += fmt::format("{} {} {}", z.name, z.stub ? "stub" : "forward", fmt::join(z.addresses, " "));
    if (!z.stub && z.first) out += " first";
    if (z.stub && z.prime) out += " prime";
    if (!z.stub && z.tls) out += fmt::format(" tls={}", z.tls_name);
    if (z.insecure) out += " insecure";
    out += "\n";
  }
  return out.empty() ? "none configured\n" : out;
}

bool is_read_only_command(std::string_view line) {
  auto words = split_control_words(line);
  if (words.empty()) return false;
  return std::find(kReadOnlyCommands.begin(), kReadOnlyCommands.end(), words[0]) != kReadOnlyCommands.end();
}

std::string read_only_refusal(std::string_view line) {
  auto words = split_control_words(line);
  std::string cmd = words.empty() ? std::string() : words[0];
  if (cmd.size() > 64) cmd = cmd.substr(0, 64) + "...";
  return fmt::format("error: '{}' is not allowed on the read-only control socket (allowed: help status "
                     "stats dump lookup list-local-zones list-forwards)\n",
                     cmd);
}

std::optional<std::string> run_daemon_command(std::string_view line, ControlContext& ctx) {
  auto words = split_control_words(line);
  if (words.empty()) return std::nullopt;
  const std::string& cmd = words[0];
  auto usage = [](std::string_view what) { return fmt::format("error: usage: {}\n", what); };
  if (cmd == "help") return control_help();
  if (cmd == "status") return words.size() == 1 ? status(ctx) : usage("status");
  if (cmd == "reload") return words.size() == 1 ? ctx.reload() : usage("reload");
  if (cmd == "set-log-level") {
    if (words.size() != 2) return usage("set-log-level debug|info|warning|error|off");
    auto level = config::log_level_from_text(words[1]);
    if (!level) return fmt::format("error: not a log level: '{}' (debug, info, warning, error, off)\n", words[1]);
    ctx.log.set_level(*level);
    return fmt::format("ok log level {} (until the next reload, which applies log.level)\n", config::to_string(*level));
  }
  if (cmd == "flush-negative") {
    if (words.size() != 1) return usage("flush-negative");
    size_t n = ctx.caches.negative().size();
    ctx.caches.negative().clear();
    ctx.server.clear_packet_caches();
    return fmt::format("ok flushed {} negative entries\n", n);
  }
  if (cmd == "flush-bogus") {
    if (words.size() != 1) return usage("flush-bogus");
    size_t n = ctx.caches.failures().size();
    ctx.caches.failures().clear();
    ctx.server.clear_packet_caches();
    return fmt::format("ok flushed {} failure entries\n", n);
  }
  if (cmd == "list-local-zones") return words.size() == 1 ? list_local_zones(ctx) : usage("list-local-zones");
  if (cmd == "list-forwards") return words.size() == 1 ? list_forwards(ctx.config()) : usage("list-forwards");
  if (cmd == "cache-save") {
    if (words.size() != 2) return usage("cache-save FILE");
    auto r = save_cache_file(ctx.caches, words[1]);
    if (!r.error.empty()) return "error: " + r.error + "\n";
    return fmt::format("ok saved {} rrsets, {} negative entries to {}\n", r.rrsets, r.negative, words[1]);
  }
  if (cmd == "cache-load") {
    if (words.size() != 2) return usage("cache-load FILE");
    auto r = load_cache_file(ctx.caches, words[1]);
    if (!r.error.empty()) return "error: " + r.error + "\n";
    ctx.server.clear_packet_caches();
    return fmt::format("ok loaded {} rrsets, {} negative entries from {} ({} expired since the save, skipped)\n",
                       r.rrsets, r.negative, words[1], r.expired);
  }
  return std::nullopt;
}

}  // namespace tern::server
