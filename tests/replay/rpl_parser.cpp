// .rpl reader: a line-oriented state machine (top level, range, entry) in the same shape as the
// format itself. Comments start at an unquoted ';'. RR lines go through wire::rr_from_text so the
// scenarios exercise the same presentation parser as the rest of Tern.
#include "rpl_parser.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include "rpl_text.h"
#include "wire/wire_error.h"

namespace tern::replay {

std::string_view to_string(StepType t) {
  switch (t) {
    case StepType::Query: return "QUERY";
    case StepType::CheckAnswer: return "CHECK_ANSWER";
    case StepType::CheckOutQuery: return "CHECK_OUT_QUERY";
    case StepType::Reply: return "REPLY";
    case StepType::TimePasses: return "TIME_PASSES";
    case StepType::Timeout: return "TIMEOUT";
  }
  return "?";
}

namespace {

// An IPv4 or IPv6 literal (validated for real when the driver parses it).
bool looks_like_address(std::string_view t) {
  bool sep = false;
  for (char c : t) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (c == '.' || c == ':') {
      sep = true;
    } else if (!hex) {
      return false;
    }
  }
  return sep;
}

enum class SectionName : uint8_t { None, Question, Answer, Authority, Additional };

struct Parser {
  Scenario scenario;
  int line_no = 0;

  // Where the entry being read will go once ENTRY_END is seen.
  enum class EntryOwner : uint8_t { None, Range, Step } owner = EntryOwner::None;
  bool in_range = false;
  bool in_entry = false;
  bool in_raw = false;
  bool scenario_begun = false;
  bool scenario_ended = false;
  Range range;
  Entry entry;
  std::string raw_hex;
  SectionName section = SectionName::None;

  std::optional<ParseError> error(std::string message) const {
    return ParseError{line_no, std::move(message)};
  }
  void unsupported(std::string what) {
    scenario.unsupported.push_back(what + " (line " + std::to_string(line_no) + ")");
  }

  std::optional<ParseError> line(std::string_view raw_line);
  std::optional<ParseError> top_level(const std::vector<std::string_view>& tok);
  std::optional<ParseError> step_line(const std::vector<std::string_view>& tok);
  std::optional<ParseError> entry_line(std::string_view text, const std::vector<std::string_view>& tok);
  std::optional<ParseError> end_entry();
  std::optional<ParseError> question_line(const std::vector<std::string_view>& tok);
  void match_tokens(const std::vector<std::string_view>& tok);
  void adjust_tokens(const std::vector<std::string_view>& tok);
  void flag_tokens(const std::vector<std::string_view>& tok);
};

std::optional<ParseError> Parser::line(std::string_view raw_line) {
  const std::string_view text = trim(strip_comment(raw_line));
  if (text.empty()) return std::nullopt;
  const auto tok = split_ws(text);
  if (in_entry) return entry_line(text, tok);
  return top_level(tok);
}

std::optional<ParseError> Parser::top_level(const std::vector<std::string_view>& tok) {
  const std::string_view kw = tok[0];
  if (scenario_ended) return error("text after SCENARIO_END");
  if (kw == "SCENARIO_BEGIN") {
    if (scenario_begun) return error("second SCENARIO_BEGIN");
    scenario_begun = true;
    for (size_t i = 1; i < tok.size(); ++i) {
      if (i > 1) scenario.title += ' ';
      scenario.title += tok[i];
    }
    return std::nullopt;
  }
  if (!scenario_begun) return error("expected SCENARIO_BEGIN, got '" + std::string(kw) + "'");
  if (kw == "SCENARIO_END") {
    if (in_range) return error("SCENARIO_END inside a range");
    scenario_ended = true;
    return std::nullopt;
  }
  if (kw == "RANGE_BEGIN") {
    if (in_range) return error("RANGE_BEGIN inside a range");
    if (tok.size() < 3) return error("RANGE_BEGIN needs two step numbers");
    range = Range{};
    range.line = line_no;
    auto a = parse_int(tok[1]);
    auto b = parse_int(tok[2]);
    if (!a || !b || *a > *b) return error("bad RANGE_BEGIN step numbers");
    range.from = *a;
    range.to = *b;
    // A third argument is the range's address (Deckard's short form of an ADDRESS line); others
    // (e.g. testbound's LOSS=) change behaviour we do not model.
    for (size_t i = 3; i < tok.size(); ++i) {
      if (i == 3 && looks_like_address(tok[i])) {
        range.addresses.emplace_back(tok[i]);
      } else {
        unsupported("RANGE_BEGIN argument " + std::string(tok[i]));
      }
    }
    in_range = true;
    return std::nullopt;
  }
  if (kw == "RANGE_END") {
    if (!in_range) return error("RANGE_END without RANGE_BEGIN");
    scenario.ranges.push_back(std::move(range));
    in_range = false;
    return std::nullopt;
  }
  if (kw == "ADDRESS") {
    if (!in_range) return error("ADDRESS outside a range");
    if (tok.size() != 2) return error("ADDRESS needs one address");
    range.addresses.emplace_back(tok[1]);
    return std::nullopt;
  }
  if (kw == "ENTRY_BEGIN") {
    if (in_range) {
      owner = EntryOwner::Range;
    } else if (!scenario.steps.empty() && !scenario.steps.back().entry) {
      owner = EntryOwner::Step;
    } else {
      return error("ENTRY_BEGIN outside a range and not after a step");
    }
    entry = Entry{};
    entry.line = line_no;
    section = SectionName::None;
    in_entry = true;
    in_raw = false;
    raw_hex.clear();
    return std::nullopt;
  }
  if (kw == "STEP") {
    if (in_range) return error("STEP inside a range");
    return step_line(tok);
  }
  return error("unknown keyword '" + std::string(kw) + "'");
}

std::optional<ParseError> Parser::step_line(const std::vector<std::string_view>& tok) {
  if (tok.size() < 3) return error("STEP needs a number and a type");
  Step step;
  step.line = line_no;
  auto id = parse_int(tok[1]);
  if (!id) return error("bad STEP number");
  step.id = *id;
  if (!scenario.steps.empty() && scenario.steps.back().id >= step.id) {
    return error("STEP numbers must increase");
  }
  const std::string_view type = tok[2];
  size_t used = 3;
  if (type == "QUERY") {
    step.type = StepType::Query;
  } else if (type == "CHECK_ANSWER") {
    step.type = StepType::CheckAnswer;
  } else if (type == "CHECK_OUT_QUERY") {
    step.type = StepType::CheckOutQuery;
  } else if (type == "REPLY") {
    step.type = StepType::Reply;
  } else if (type == "TIMEOUT") {
    step.type = StepType::Timeout;
  } else if (type == "TIME_PASSES") {
    step.type = StepType::TimePasses;
    if (tok.size() < 5 || tok[3] != "ELAPSE") return error("TIME_PASSES needs ELAPSE n");
    auto secs = parse_int(tok[4]);
    if (!secs || *secs < 0) return error("bad ELAPSE value");
    step.elapse_seconds = uint32_t(*secs);
    used = 5;
  } else {
    unsupported("STEP type " + std::string(type));
    // Keep the step so step numbering stays checked, as a TIMEOUT-like no-op that is never played:
    // the scenario is skipped anyway.
    step.type = StepType::Timeout;
  }
  for (size_t i = used; i < tok.size(); ++i) {
    unsupported("STEP " + std::string(type) + " argument " + std::string(tok[i]));
  }
  // Steps without data get an empty optional; ENTRY_BEGIN after one fills it.
  scenario.steps.push_back(std::move(step));
  return std::nullopt;
}

void Parser::match_tokens(const std::vector<std::string_view>& tok) {
  entry.has_match = true;
  MatchRules& m = entry.match;
  for (size_t i = 1; i < tok.size(); ++i) {
    const std::string_view t = tok[i];
    if (t == "all") {
      // Deckard: all = opcode qtype qname flags rcode answer authority additional.
      m.opcode = m.qtype = m.qname = m.flags = m.rcode = true;
      m.answer = m.authority = m.additional = true;
    } else if (t == "question") {
      m.qtype = m.qname = true;
    } else if (t == "opcode") {
      m.opcode = true;
    } else if (t == "qtype") {
      m.qtype = true;
    } else if (t == "qname") {
      m.qname = true;
    } else if (t == "qcase") {
      m.qcase = true;
    } else if (t == "subdomain") {
      m.subdomain = true;
    } else if (t == "flags") {
      m.flags = true;
    } else if (t == "rcode") {
      m.rcode = true;
    } else if (t == "answer") {
      m.answer = true;
    } else if (t == "authority") {
      m.authority = true;
    } else if (t == "additional") {
      m.additional = true;
    } else if (t == "ttl") {
      m.ttl = true;
    } else if (t == "TCP" || t == "tcp") {
      m.tcp = true;
    } else if (t == "UDP" || t == "udp") {
      m.udp = true;
    } else {
      unsupported("MATCH " + std::string(t));
    }
  }
}

void Parser::adjust_tokens(const std::vector<std::string_view>& tok) {
  for (size_t i = 1; i < tok.size(); ++i) {
    const std::string_view t = tok[i];
    if (t == "copy_id") {
      entry.adjust.copy_id = true;
    } else if (t == "copy_query") {
      entry.adjust.copy_query = true;
    } else if (t == "raw_id") {
      entry.adjust.raw_id = true;
    } else if (t == "do_not_answer") {
      entry.adjust.do_not_answer = true;
    } else {
      unsupported("ADJUST " + std::string(t));
    }
  }
}

void Parser::flag_tokens(const std::vector<std::string_view>& tok) {
  ReplyFlags& f = entry.flags;
  for (size_t i = 1; i < tok.size(); ++i) {
    const std::string_view t = tok[i];
    if (t == "QR") {
      f.qr = true;
    } else if (t == "AA") {
      f.aa = true;
    } else if (t == "TC") {
      f.tc = true;
    } else if (t == "RD") {
      f.rd = true;
    } else if (t == "RA") {
      f.ra = true;
    } else if (t == "AD") {
      f.ad = true;
    } else if (t == "CD") {
      f.cd = true;
    } else if (t == "DO") {
      f.do_bit = true;
    } else if (auto rc = rcode_from_text(t)) {
      f.rcode = *rc;
    } else if (auto op = opcode_from_text(t)) {
      f.opcode = *op;
    } else {
      unsupported(std::string(tok[0]) + " " + std::string(t));
    }
  }
}

std::optional<ParseError> Parser::question_line(const std::vector<std::string_view>& tok) {
  // owner [ttl] [class] type — no RDATA in the question section.
  auto name = wire::Name::from_text(tok[0], wire::Name());
  if (!name) return error("bad question name: " + std::string(wire::to_string(name.error())));
  if (tok.size() < 2) return error("question line needs a type");
  Question q;
  q.qname = *name;
  auto type = wire::type_from_text(tok.back());
  if (!type) return error("bad question type '" + std::string(tok.back()) + "'");
  q.qtype = *type;
  for (size_t i = 1; i + 1 < tok.size(); ++i) {
    if (auto cls = wire::class_from_text(tok[i])) {
      q.qclass = *cls;
    } else if (!parse_int(tok[i])) {
      return error("bad question line token '" + std::string(tok[i]) + "'");
    }
  }
  entry.question.push_back(q);
  return std::nullopt;
}

std::optional<ParseError> Parser::entry_line(std::string_view text,
                                              const std::vector<std::string_view>& tok) {
  const std::string_view kw = tok[0];
  if (kw == "ENTRY_END") return end_entry();
  if (in_raw) {
    for (auto t : tok) raw_hex += t;
    return std::nullopt;
  }
  if (kw == "MATCH") {
    match_tokens(tok);
    return std::nullopt;
  }
  if (kw == "ADJUST") {
    adjust_tokens(tok);
    return std::nullopt;
  }
  // FLAGS is an older spelling of REPLY's flag list (iter_minim_nonempty.rpl uses it for RD).
  if (kw == "REPLY" || kw == "FLAGS") {
    flag_tokens(tok);
    return std::nullopt;
  }
  if (kw == "SECTION") {
    if (tok.size() != 2) return error("SECTION needs one name");
    if (tok[1] == "QUESTION") {
      section = SectionName::Question;
    } else if (tok[1] == "ANSWER") {
      section = SectionName::Answer;
    } else if (tok[1] == "AUTHORITY") {
      section = SectionName::Authority;
    } else if (tok[1] == "ADDITIONAL") {
      section = SectionName::Additional;
    } else {
      return error("unknown SECTION '" + std::string(tok[1]) + "'");
    }
    return std::nullopt;
  }
  if (kw == "RAW") {
    in_raw = true;
    return std::nullopt;
  }
  if (kw == "MANDATORY" || kw == "TSIG" || kw == "EDNS") {
    unsupported(std::string(kw) + " in an entry");
    return std::nullopt;
  }
  switch (section) {
    case SectionName::None:
      return error("record or keyword '" + std::string(kw) + "' outside a SECTION");
    case SectionName::Question:
      return question_line(tok);
    case SectionName::Answer:
    case SectionName::Authority:
    case SectionName::Additional: {
      auto rr = wire::rr_from_text(text, wire::Name(), 3600);
      if (!rr) {
        return error("bad record '" + std::string(text) + "': " +
                     std::string(wire::to_string(rr.error())));
      }
      auto& list = section == SectionName::Answer      ? entry.answer
                   : section == SectionName::Authority ? entry.authority
                                                       : entry.additional;
      list.push_back(std::move(*rr));
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<ParseError> Parser::end_entry() {
  if (in_raw) {
    // "NULL" or nothing: an empty RAW answer.
    if (raw_hex == "NULL") raw_hex.clear();
    auto bytes = hex_decode(raw_hex);
    if (!bytes) return error("bad hex in RAW");
    entry.raw = std::move(*bytes);
  }
  in_entry = false;
  in_raw = false;
  if (owner == EntryOwner::Range) {
    range.entries.push_back(std::move(entry));
  } else {
    scenario.steps.back().entry = std::move(entry);
  }
  owner = EntryOwner::None;
  return std::nullopt;
}

}  // namespace

Result<Scenario, ParseError> parse_rpl(std::string_view text) {
  Parser p;
  bool in_config = true;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw_line = text.substr(pos, end - pos);
    pos = end + 1;
    ++p.line_no;
    if (in_config) {
      std::string_view l = trim(strip_comment(raw_line));
      // A '#' starts a comment in the config header (Deckard strips it; Unbound's config syntax).
      if (auto hash = l.find('#'); hash != std::string_view::npos) l = trim(l.substr(0, hash));
      if (l.empty()) continue;
      if (l == "CONFIG_END") {
        in_config = false;
        continue;
      }
      if (l.starts_with("SCENARIO_BEGIN")) {
        return fail(ParseError{p.line_no, "SCENARIO_BEGIN before CONFIG_END"});
      }
      auto colon = l.find(':');
      if (colon == std::string_view::npos) {
        return fail(ParseError{p.line_no, "config line without ':'"});
      }
      apply_config_line(trim(l.substr(0, colon)), unquote(trim(l.substr(colon + 1))),
                        p.scenario.config, p.scenario.unsupported);
      continue;
    }
    if (auto err = p.line(raw_line)) return fail(*err);
    if (end == text.size()) break;
  }
  if (in_config) return fail(ParseError{0, "no CONFIG_END"});
  if (p.in_entry) return fail(ParseError{0, "ENTRY_BEGIN without ENTRY_END"});
  if (p.in_range) return fail(ParseError{0, "RANGE_BEGIN without RANGE_END"});
  if (!p.scenario_begun) return fail(ParseError{0, "no SCENARIO_BEGIN"});
  if (!p.scenario_ended) return fail(ParseError{0, "no SCENARIO_END"});
  for (const Step& s : p.scenario.steps) {
    const bool needs_entry = s.type == StepType::Query || s.type == StepType::CheckAnswer ||
                             s.type == StepType::Reply || s.type == StepType::CheckOutQuery;
    if (needs_entry && !s.entry) {
      return fail(ParseError{s.line, "STEP " + std::string(to_string(s.type)) + " needs an entry"});
    }
  }
  return std::move(p.scenario);
}

Result<Scenario, ParseError> parse_rpl_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ParseError{0, "cannot open " + path});
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_rpl(ss.str());
}

}  // namespace tern::replay
