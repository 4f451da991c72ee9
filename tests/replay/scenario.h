// The data model of one .rpl scenario (the format Unbound's testbound and CZ.NIC's Deckard share):
// what the config header asks for, what each simulated server address answers during which steps,
// and the steps the client plays (queries, checks, time passing). Filled by rpl_parser.h, played
// by replay_driver.h. Holds parsed values only: RR lines are already wire data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "wire/name.h"
#include "wire/rr_type.h"
#include "wire/text.h"

namespace tern::replay {

// MATCH keywords: which parts of a message must agree with the entry's template.
struct MatchRules {
  bool opcode = false;
  bool qtype = false;
  bool qname = false;
  bool qcase = false;      // qname with the same letter case
  bool subdomain = false;  // the query's qname is at or below the template's
  bool flags = false;      // every header flag (QR AA TC RD RA AD CD)
  bool rcode = false;
  bool answer = false;
  bool authority = false;
  bool additional = false;
  bool ttl = false;  // the section comparisons include TTLs
  bool tcp = false;  // the entry answers only queries sent over TCP
  bool udp = false;  // ... only over UDP
};

// REPLY / FLAGS keywords: header bits, rcode and opcode of the template message.
struct ReplyFlags {
  bool qr = false, aa = false, tc = false, rd = false, ra = false, ad = false, cd = false;
  bool do_bit = false;  // EDNS DO
  wire::Rcode rcode = wire::Rcode::NoError;
  wire::Opcode opcode = wire::Opcode::Query;
};

// ADJUST keywords: how an answer template is fitted to the query it answers.
struct Adjust {
  bool copy_id = false;     // the query's ID (and the qname's letter case)
  bool copy_query = false;  // the query's whole question section
  bool raw_id = false;      // patch the query's ID into a RAW answer
  bool do_not_answer = false;
};

struct Question {
  wire::Name qname;
  wire::RRType qtype = wire::RRType::A;
  wire::RRClass qclass = wire::RRClass::IN;
};

// ENTRY_BEGIN ... ENTRY_END: a message template plus how to match and adjust it.
struct Entry {
  int line = 0;  // of ENTRY_BEGIN, for diagnostics
  bool has_match = false;
  MatchRules match;
  Adjust adjust;
  ReplyFlags flags;
  std::vector<Question> question;
  std::vector<wire::ParsedRR> answer, authority, additional;
  std::optional<std::vector<uint8_t>> raw;  // RAW: the bytes as they are, nothing else applies
};

// RANGE_BEGIN from to ... RANGE_END: between steps `from` and `to` (inclusive), queries to one of
// `addresses` (or to any address when none is listed) are answered by the first matching entry.
struct Range {
  int line = 0;
  int from = 0;
  int to = 0;
  std::vector<std::string> addresses;  // as written: "193.0.14.129", "2001:db8::1"
  std::vector<Entry> entries;
};

enum class StepType : uint8_t { Query, CheckAnswer, CheckOutQuery, Reply, TimePasses, Timeout };
std::string_view to_string(StepType t);

struct Step {
  int line = 0;
  int id = 0;
  StepType type = StepType::Query;
  uint32_t elapse_seconds = 0;  // TIME_PASSES ELAPSE n
  std::optional<Entry> entry;   // QUERY, CHECK_ANSWER, CHECK_OUT_QUERY, REPLY
};

// The config header, mapped to what the replayer can set up. Options the replayer cannot honour
// are listed in Scenario::unsupported and make the scenario skip.
struct ScenarioConfig {
  std::vector<std::string> root_addresses;     // stub-addr (the root hints' address)
  std::optional<bool> qname_minimisation;      // query-minimization: on/off; unset = both variants
  bool ipv6 = true;                            // do-ip6
  bool do_not_query_localhost = true;          // do-not-query-localhost (Deckard's default)
  std::optional<uint32_t> min_ttl, max_ttl;    // features: min_ttl = N / max_ttl = N
  std::vector<std::pair<std::string, std::string>> options;  // every key: value, as read
};

struct Scenario {
  std::string title;  // SCENARIO_BEGIN's text
  ScenarioConfig config;
  std::vector<Range> ranges;
  std::vector<Step> steps;
  // Features the replayer does not support, each named ("config: val-override-date",
  // "ADJUST sleep=5"): the scenario is skipped, never passed.
  std::vector<std::string> unsupported;
};

}  // namespace tern::replay
