// Harness: an Engine wired to a SimNetwork, a ManualClock, a deterministic Random and fresh
// caches, with a tiny root (root hints naming one root server) so scenarios stay short.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cache/caches.h"
#include "resolver/engine/engine.h"
#include "tests/support/builders.h"
#include "tests/support/manual_clock.h"
#include "tests/support/sim_network.h"

namespace tern::testsupport {

// The root server of every harness scenario: k.root-servers.net at 193.0.14.129.
inline constexpr std::string_view kRootServerName = "k.root-servers.net.";
inline constexpr std::string_view kRootServerAddress = "193.0.14.129";
std::string test_root_hints();  // zone-file text naming that server

class Harness {
 public:
  // `configure` may change the EngineConfig (limits, switches) before the engine is built.
  // `limits`: the caches' TTL limits and budget (the defaults unless a test is about them).
  explicit Harness(engine::EngineConfig cfg = default_config(), cache::CacheLimits limits = {});
  static engine::EngineConfig default_config();

  Address root() const { return addr(kRootServerAddress); }
  // The priming exchange for the harness's root server: ". NS" answered with the root NS set
  // and the server's address.
  void serve_priming();

  // Asks the engine and runs the simulated world until the answer arrives (or nothing is left to
  // run). nullopt when `done` was never called: a hang, which tests treat as a failure.
  std::optional<engine::Answer> resolve(std::string_view qname, wire::RRType qtype);
  // Same, without running the clock (for merging tests); the answer lands in *out when it comes.
  void resolve_async(std::string_view qname, wire::RRType qtype, std::optional<engine::Answer>* out);

  ManualClock clock;
  SimNetwork net{clock};
  SequenceRandom random;
  cache::Caches caches;
  engine::EngineConfig config;
  std::unique_ptr<engine::Engine> engine;
};

// Answer records as zone-file text lines (TTL included), for easy assertions.
std::vector<std::string> records_text(const std::vector<wire::RRset>& sets);
// Just "owner type rdata" per record, no TTL / class (TTLs move with the clock).
std::vector<std::string> records_brief(const std::vector<wire::RRset>& sets);

}  // namespace tern::testsupport
