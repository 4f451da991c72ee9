// The simulated servers of a scenario: picks the entry that answers an upstream query (a range
// valid at the current step whose address fits, then its first entry whose MATCH rules fit; else a
// one-shot STEP n REPLY at or after the current step) and builds the reply with ADJUST applied.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "replay_message.h"
#include "resolver/engine/world.h"
#include "scenario.h"

namespace tern::replay {

// The reply an entry gives to `query` (already parsed): header and sections from the template,
// ADJUST copy_id / copy_query / raw_id applied, EDNS echoed when the query had it (as Deckard's
// server does). nullopt for do_not_answer.
std::optional<std::vector<uint8_t>> build_reply(const Entry& entry,
                                                std::span<const uint8_t> query);

// What happens to a query no entry answers. The issue asks for a timeout (no server answers);
// Deckard's own server answers SERVFAIL instead, and some scenarios were written with that in
// mind ("servfail instead of timeouts since this is easier to encode").
enum class Unmatched : uint8_t { Timeout, ServFail };

// SERVFAIL for `query` the way Deckard's server makes it: ID, question and RD copied, QR set,
// EDNS echoed. nullopt when the query does not parse.
std::optional<std::vector<uint8_t>> servfail_reply(std::span<const uint8_t> query);

class Responder {
 public:
  explicit Responder(const Scenario& scenario, Unmatched unmatched = Unmatched::Timeout);

  struct Reply {
    std::vector<uint8_t> bytes;
    std::string source;     // "range 0-100 entry at line 25", "STEP 50 REPLY (line 80)"
    bool scripted = true;   // false: the Unmatched::ServFail stand-in, not a scenario entry
  };
  // nullopt: nothing answers, the query will time out. When no entry answers, `why` says what
  // was tried (also for the SERVFAIL stand-in).
  std::optional<Reply> answer(int step, const engine::Address& server, engine::Protocol protocol,
                              std::span<const uint8_t> query, std::string& why);

 private:
  bool entry_fits(const Entry& entry, const CompareMessage& tmpl, const CompareMessage& query,
                  engine::Protocol protocol) const;

  const Scenario& scenario_;
  Unmatched unmatched_;
  std::vector<std::vector<engine::Address>> range_addresses_;   // per range, parsed
  std::vector<std::vector<CompareMessage>> range_templates_;    // per range, per entry
  std::vector<std::optional<CompareMessage>> reply_templates_;  // per step (REPLY steps only)
  std::vector<bool> reply_used_;                                // one-shot REPLY steps consumed
};

}  // namespace tern::replay
