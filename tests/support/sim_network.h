// SimNetwork: a Transport whose servers answer from canned entries, modelled on Deckard / Unbound
// .rpl scenarios: per server address (RANGE ... ADDRESS), entries matched on qname / qtype /
// subdomain (ENTRY with MATCH), a reply with header flags and sections (REPLY, SECTION), ADJUST
// copy_id / copy_query, a range of steps an entry is valid for, and no answer (a timeout) when
// nothing matches. Every query sent is recorded so tests assert what the engine asked.
// Responses and timeouts are delivered through the ManualClock: nothing is delivered from inside
// send() (the Transport contract).
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resolver/engine/world.h"
#include "tests/support/manual_clock.h"
#include "wire/name.h"
#include "wire/rr_type.h"
#include "wire/text.h"

namespace tern::testsupport {

using engine::Address;
using engine::Protocol;

// One resource record given as zone-file text ("com. 3600 IN NS a.gtld-servers.net.").
wire::ParsedRR rr(std::string_view text);

// What a matched entry sends back (REPLY + SECTION + ADJUST of .rpl).
struct SimReply {
  bool qr = true, aa = false, tc = false, rd = false, ra = false, ad = false, cd = false;
  wire::Rcode rcode = wire::Rcode::NoError;
  std::vector<wire::ParsedRR> answer, authority, additional;
  bool copy_id = true;     // ADJUST copy_id: the query's ID
  bool copy_query = true;  // ADJUST copy_query: the query's question
  uint16_t id = 0;         // without copy_id (a wrong ID, for poisoning tests)
  // Without copy_query: this question (defaults to the entry's qname/qtype); nullopt qname with
  // no_question = true sends no question at all.
  std::optional<wire::Name> question_name;
  std::optional<wire::RRType> question_type;
  bool no_question = false;
  bool edns = true;          // add OPT when the query had one
  bool drop = false;         // never answer: the engine sees a timeout
  // The transport fails with this after `delay` instead of answering (e.g. Spoofed: the
  // production transport saw near misses).
  std::optional<engine::TransportError> error;
  Millis delay{10};          // one-way "RTT" of the answer
  std::optional<std::vector<uint8_t>> raw;  // exact bytes (first two replaced by the ID if copy_id)

  // Fluent modifiers for tests.
  SimReply& with_aa(bool v = true) { aa = v; return *this; }
  SimReply& with_rcode(wire::Rcode r) { rcode = r; return *this; }
  SimReply& ans(std::string_view text) { answer.push_back(rr(text)); return *this; }
  SimReply& auth(std::string_view text) { authority.push_back(rr(text)); return *this; }
  SimReply& add(std::string_view text) { additional.push_back(rr(text)); return *this; }
  SimReply& with_id(uint16_t v) { copy_id = false; id = v; return *this; }
  SimReply& with_question(std::string_view name, wire::RRType type);
  SimReply& with_delay(Millis d) { delay = d; return *this; }
  SimReply& with_tc(bool v = true) { tc = v; return *this; }
};

struct SimMatch {
  bool qname = true;      // MATCH qname: exact (case-insensitive)
  bool qtype = true;      // MATCH qtype
  bool subdomain = false; // MATCH subdomain: the query's name is at or below the entry's qname
  std::optional<Protocol> protocol;  // MATCH tcp / udp
  std::optional<bool> edns;          // only queries with (true) / without (false) EDNS
};

struct SimEntry {
  SimMatch match;
  wire::Name qname;
  wire::RRType qtype = wire::RRType::A;
  SimReply reply;
  uint32_t uses = 0;  // how often it matched
  std::optional<uint32_t> max_uses;  // after this many matches the entry is skipped
};

struct SimRange {
  uint32_t from_step = 0;
  uint32_t to_step = std::numeric_limits<uint32_t>::max();
  std::vector<Address> addresses;
  std::vector<SimEntry> entries;
};

struct SentQuery {
  Address server;
  Protocol protocol = Protocol::Udp;
  wire::Name qname;
  wire::RRType qtype = wire::RRType::A;
  uint16_t id = 0;
  bool edns = false;
  bool rd = false;
  Instant at{};
  std::vector<uint8_t> packet;
  std::string to_string() const;  // "193.0.14.129:53 udp www.example.com. A"
};

class SimNetwork : public engine::Transport {
 public:
  explicit SimNetwork(ManualClock& clock) : clock_(clock) {}

  SimRange& add_range(SimRange range);
  // Adds an entry for `server` (in a range of its own, valid for every step) and returns it so the
  // test can adjust matching. qname/qtype are exact-match by default.
  SimEntry& on(const Address& server, std::string_view qname, wire::RRType qtype, SimReply reply);
  // Matches every query at or below `qname` (MATCH subdomain; qtype ignored).
  SimEntry& on_subdomain(const Address& server, std::string_view qname, SimReply reply);
  // Matches everything sent to `server`.
  SimEntry& on_any(const Address& server, SimReply reply);

  void set_step(uint32_t step) { step_ = step; }
  uint32_t step() const { return step_; }

  void send(const Address& server, Protocol protocol, std::vector<uint8_t> query,
            engine::MonoInstant deadline, engine::TransportDone done) override;

  const std::vector<SentQuery>& sent() const { return sent_; }
  std::vector<std::string> sent_text() const;  // SentQuery::to_string of each, in order
  void clear_sent() { sent_.clear(); }
  size_t outstanding() const { return outstanding_; }
  size_t unmatched() const { return unmatched_; }

  // Builds the response bytes `reply` gives to `query` (exposed for the replay helper).
  static std::vector<uint8_t> build_reply(const SimEntry& entry, std::span<const uint8_t> query);

 private:
  SimEntry* match(const Address& server, Protocol protocol, const SentQuery& q);

  ManualClock& clock_;
  std::deque<SimRange> ranges_;  // deque: references handed out stay valid
  std::vector<SentQuery> sent_;
  uint32_t step_ = 0;
  size_t outstanding_ = 0;
  size_t unmatched_ = 0;
};

}  // namespace tern::testsupport
