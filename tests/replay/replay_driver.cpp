// The step loop. A QUERY hands the question to the engine and pumps the replay network until the
// engine answers: zero-latency answers first, then (only when nothing else can happen) the clock
// jumps to the next deadline so a timeout fires. The answer is turned into the bytes the front end
// would send (client_response.h) and kept for the next CHECK_ANSWER.
#include "replay_driver.h"

#include <chrono>
#include <memory>
#include <stdexcept>

#include "cache/caches.h"
#include "client_response.h"
#include "replay_message.h"
#include "replay_network.h"
#include "resolver/engine/engine.h"
#include "wire/message_view.h"
#include "wire/text.h"

namespace tern::replay {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::Pass: return "PASS";
    case Verdict::Fail: return "FAIL";
    case Verdict::Skip: return "SKIP";
  }
  return "?";
}

namespace {

using std::chrono::seconds;

// A fixed start (2020-01-01T00:00:00Z) so every run sees the same times.
constexpr engine::Instant kStart{std::chrono::duration_cast<std::chrono::milliseconds>(seconds(1577836800))};
// How long the driver lets one client question run in simulated time before declaring that the
// engine never answered (the engine's own resolve deadline is far shorter).
constexpr seconds kQueryPatience{60};
constexpr int kMaxEvents = 10000;

std::string protocol_text(engine::Protocol p) { return p == engine::Protocol::Tcp ? "TCP" : "UDP"; }

std::string root_hints_text(const ScenarioConfig& c) {
  // The stub address becomes the root hints, as Deckard's templates make it
  // (k.root-servers.net. for every listed address).
  std::string text;
  text += ". 3600000 IN NS k.root-servers.net.\n";
  for (const auto& addr : c.root_addresses) {
    const bool v6 = addr.find(':') != std::string::npos;
    text += "k.root-servers.net. 3600000 IN " + std::string(v6 ? "AAAA " : "A ") + addr + "\n";
  }
  return text;
}

// The networks of [`from`, `to`] in CIDR form, for the allow-list that has to say "everything but
// loopback": the complement of one prefix is one network per bit of it.
void add_complement(std::vector<engine::Cidr>& out, const engine::Cidr& hole) {
  for (uint8_t bits = 0; bits < hole.prefix; ++bits) {
    engine::Cidr c;
    c.v6 = hole.v6;
    c.prefix = uint8_t(bits + 1);
    for (uint8_t i = 0; i < bits; ++i) {
      const uint8_t mask = uint8_t(0x80 >> (i % 8));
      c.bytes[i / 8] = uint8_t(c.bytes[i / 8] | (hole.bytes[i / 8] & mask));
    }
    const uint8_t mask = uint8_t(0x80 >> (bits % 8));
    c.bytes[bits / 8] = uint8_t(c.bytes[bits / 8] | ((hole.bytes[bits / 8] & mask) ^ mask));
    out.push_back(c);
  }
}

// The engine's default (empty list) refuses loopback and private addresses, like Unbound's
// do-not-query-localhost. Most scenarios live with that; a scenario whose root sits on a loopback
// or private address, or that turns the option off, needs an explicit list.
std::vector<engine::Cidr> upstream_allow(const ScenarioConfig& c) {
  std::vector<engine::Cidr> allow;
  bool special_root = false;
  for (const auto& text : c.root_addresses) {
    auto a = engine::Address::parse(text, 53);
    if (a && (a->is_loopback() || a->is_private())) special_root = true;
  }
  if (!c.do_not_query_localhost) {
    allow.push_back(*engine::Cidr::parse("0.0.0.0/0"));
    allow.push_back(*engine::Cidr::parse("::/0"));
    return allow;
  }
  if (!special_root) return allow;
  add_complement(allow, *engine::Cidr::parse("127.0.0.0/8"));
  add_complement(allow, *engine::Cidr::parse("::1/128"));
  for (const auto& text : c.root_addresses) {
    if (auto cidr = engine::Cidr::parse(text)) allow.push_back(*cidr);
  }
  return allow;
}

struct ClientState {
  bool done = false;
  engine::Answer answer;
};

class Player {
 public:
  Player(const Scenario& s, const RunOptions& o, RunResult& r)
      : scenario_(s), options_(o), result_(r), clock_(kStart), random_(0x7e4e), responder_(s, o.unmatched),
        network_(responder_, clock_) {}

  void run();

 private:
  void log(const std::string& line) { result_.log += line + "\n"; }
  void failure(const Step& step, const std::string& what) {
    result_.failures.push_back("STEP " + std::to_string(step.id) + " " +
                               std::string(to_string(step.type)) + " (line " +
                               std::to_string(step.line) + "): " + what);
  }
  bool make_engine();
  void play_query(const Step& step);
  void play_check(const Step& step);
  void play_check_out_query(const Step& step);
  void log_sent_since(size_t first);
  void settle();

  const Scenario& scenario_;
  const RunOptions& options_;
  RunResult& result_;
  ReplayClock clock_;
  ReplayRandom random_;
  Responder responder_;
  ReplayNetwork network_;
  std::unique_ptr<cache::Caches> caches_;
  std::unique_ptr<engine::Engine> engine_;
  std::optional<std::vector<uint8_t>> last_answer_;
  std::vector<bool> checked_out_;  // per network_.sent() index: taken by a CHECK_OUT_QUERY
  uint16_t next_id_ = 0x4a01;
};

bool Player::make_engine() {
  const ScenarioConfig& c = scenario_.config;
  engine::EngineConfig cfg;
  cfg.qname_minimisation = c.qname_minimisation.value_or(options_.qname_minimisation);
  cfg.ipv6 = c.ipv6;
  cfg.upstream_allow = upstream_allow(c);
  cfg.root_hints_text = root_hints_text(c);
  cfg.upstream_port = 53;
  cache::CacheLimits limits;
  if (c.min_ttl) limits.min_ttl = *c.min_ttl;
  if (c.max_ttl) limits.max_ttl = *c.max_ttl;
  log("engine: qname_minimisation=" + std::string(cfg.qname_minimisation ? "on" : "off") +
      " ipv6=" + (cfg.ipv6 ? "on" : "off") + " min_ttl=" + std::to_string(limits.min_ttl) +
      " max_ttl=" + std::to_string(limits.max_ttl) + " allow-list entries=" +
      std::to_string(cfg.upstream_allow.size()));
  caches_ = std::make_unique<cache::Caches>(limits);
  try {
    engine_ = std::make_unique<engine::Engine>(
        std::move(cfg), engine::World{network_, clock_, random_}, *caches_);
  } catch (const std::exception& e) {
    result_.failures.push_back(std::string("engine refused the configuration: ") + e.what());
    return false;
  }
  return true;
}

void Player::log_sent_since(size_t first) {
  const auto& sent = network_.sent();
  for (size_t i = first; i < sent.size(); ++i) {
    const SentQuery& q = sent[i];
    log("  -> " + q.server.host_to_string() + " " + protocol_text(q.protocol) + " " + q.question +
        "  <= " + (q.source ? *q.source : "NOT SCRIPTED (" + q.why_unanswered + ")"));
  }
}

void Player::play_query(const Step& step) {
  const Entry& e = *step.entry;
  last_answer_.reset();
  std::optional<ClientQuery> cq;
  if (e.raw) {
    cq = client_query_from_wire(*e.raw);
    if (!cq) {
      log("  raw query dropped by the front end's checks (not a one-question QUERY)");
      return;
    }
  } else {
    if (e.question.empty()) {
      failure(step, "QUERY without a question");
      return;
    }
    cq = client_query_from_entry(e, next_id_++);
  }
  engine::Query q;
  q.qname = cq->qname;
  q.qtype = cq->qtype;
  q.qclass = cq->qclass;
  q.dnssec_ok = cq->do_bit;
  q.cd = cq->cd;
  log("  client asks " + q.qname.to_text() + " " + wire::type_to_text(q.qtype) +
      (cq->rd ? " +rd" : " -rd") + (cq->do_bit ? " +do" : ""));

  const size_t first_sent = network_.sent().size();
  auto state = std::make_shared<ClientState>();
  engine_->resolve(q, [state](const engine::Answer& a) {
    state->done = true;
    state->answer = a;
  });
  const engine::Instant patience = clock_.now() + kQueryPatience;
  // The event cap only turns an engine bug (endless queries) into a failure instead of a hang.
  for (int events = 0; !state->done && events < kMaxEvents; ++events) {
    if (network_.deliver_one()) continue;
    auto d = network_.next_deadline();
    if (!d || *d > patience) break;
    network_.fire_next_timeout();
  }
  network_.deliver_all();  // answers already decided arrive with no time passing
  log_sent_since(first_sent);
  if (!state->done) {
    log("  the engine did not answer");
    return;
  }
  last_answer_ = build_client_response(*cq, state->answer);
  std::string text = "  client gets rcode " + wire::rcode_to_text(state->answer.rcode);
  if (state->answer.failure) text += " (failure: " + std::string(engine::to_string(*state->answer.failure)) + ")";
  log(text);
  if (auto v = wire::MessageView::parse(*last_answer_)) {
    std::string dig = wire::message_to_text(*v);
    for (size_t pos = 0; pos < dig.size();) {
      size_t end = dig.find('\n', pos);
      if (end == std::string::npos) end = dig.size();
      log("    " + dig.substr(pos, end - pos));
      pos = end + 1;
    }
  }
}

void Player::play_check(const Step& step) {
  const Entry& e = *step.entry;
  if (!last_answer_) {
    failure(step, "no answer from the preceding query");
    return;
  }
  if (e.raw) {
    if (*e.raw != *last_answer_) failure(step, "raw answer differs");
    return;
  }
  auto got = from_wire(*last_answer_);
  if (!got) {
    failure(step, "the client's answer does not parse");
    return;
  }
  if (auto diff = compare(e.match, from_entry(e), *got)) {
    failure(step, *diff);
    log("  CHECK FAILED: " + *diff);
  } else {
    log("  check ok");
  }
}

void Player::play_check_out_query(const Step& step) {
  // testbound's reading: a query the resolver sent upstream must fit the entry under its MATCH
  // rules (and its TCP / UDP, as for a range entry). Each sent query is checked out at most once,
  // in the order sent; one no entry answered (testbound's "still outstanding") is taken first,
  // and is then accounted for in strict mode.
  const Entry& e = *step.entry;
  const CompareMessage tmpl = from_entry(e);
  const auto& sent = network_.sent();
  checked_out_.resize(sent.size(), false);
  auto fits = [&](const SentQuery& q) {
    if (e.match.tcp && q.protocol != engine::Protocol::Tcp) return false;
    if (e.match.udp && q.protocol != engine::Protocol::Udp) return false;
    if (!q.message) return false;
    return !e.has_match || !compare(e.match, tmpl, *q.message);  // no MATCH: any query fits
  };
  std::optional<size_t> found;
  for (bool unanswered_only : {true, false}) {
    for (size_t i = 0; i < sent.size() && !found; ++i) {
      if (checked_out_[i] || (unanswered_only && sent[i].source)) continue;
      if (fits(sent[i])) found = i;
    }
    if (found) break;
  }
  if (!found) {
    std::string what = "no query fitting " + question_to_text(tmpl.question) +
                       " (MATCH rules of the step) was sent upstream";
    failure(step, what);
    log("  CHECK FAILED: " + what);
    return;
  }
  checked_out_[*found] = true;
  log("  check ok: " + sent[*found].question + " was sent to " + sent[*found].server.host_to_string());
}

void Player::settle() {
  // Let background work (prefetches, queries still waiting) end so nothing outlives the engine
  // with a callback in hand.
  const size_t first = network_.sent().size();
  network_.advance_to(clock_.now() + seconds(120));
  network_.fire_all_timeouts();
  if (network_.sent().size() > first) {
    log("after the last step:");
    log_sent_since(first);
  }
}

void Player::run() {
  if (!make_engine()) return;
  for (const Step& step : scenario_.steps) {
    network_.set_step(step.id);
    log("STEP " + std::to_string(step.id) + " " + std::string(to_string(step.type)));
    switch (step.type) {
      case StepType::Query:
        play_query(step);
        break;
      case StepType::CheckAnswer:
        play_check(step);
        break;
      case StepType::CheckOutQuery:
        play_check_out_query(step);
        break;
      case StepType::Reply:
        break;  // consumed by the responder when a query fits it
      case StepType::TimePasses:
        network_.advance_to(clock_.now() + seconds(step.elapse_seconds));
        break;
      case StepType::Timeout:
        network_.fire_all_timeouts();
        break;
    }
  }
  settle();
  if (options_.strict) {
    const auto& sent = network_.sent();
    for (size_t i = 0; i < sent.size(); ++i) {
      const SentQuery& q = sent[i];
      if (q.source || (i < checked_out_.size() && checked_out_[i])) continue;
      result_.failures.push_back("strict: STEP " + std::to_string(q.step) + ": query to " +
                                 q.server.host_to_string() + " over " + protocol_text(q.protocol) +
                                 " for " + q.question + " is not answered by the scenario: " +
                                 q.why_unanswered);
    }
  }
}

}  // namespace

RunResult run_scenario(const Scenario& scenario, const RunOptions& options) {
  RunResult result;
  if (!scenario.unsupported.empty()) {
    result.verdict = Verdict::Skip;
    result.failures = scenario.unsupported;
    return result;
  }
  if (scenario.config.root_addresses.empty()) {
    result.verdict = Verdict::Skip;
    result.failures.push_back("config: no stub-addr (the replayer needs the root's address)");
    return result;
  }
  {
    Player player(scenario, options, result);
    player.run();
  }
  result.verdict = result.failures.empty() ? Verdict::Pass : Verdict::Fail;
  return result;
}

}  // namespace tern::replay
