#include "resolver/server/control_explain.h"

#include <chrono>
#include <variant>
#include <vector>

#include "cache/caches.h"
#include "resolver/engine/cache_report.h"
#include "resolver/engine/engine.h"
#include "resolver/engine/trace.h"
#include "resolver/net/system_clock.h"
#include "resolver/server/control.h"
#include "resolver/server/extended_error.h"
#include "wire/text.h"

namespace tern::server {
namespace {

struct Question {
  wire::Name name;
  std::optional<wire::RRType> type;
};

// NAME [TYPE]; an error text when they do not parse.
std::variant<Question, std::string> question_of(const std::vector<std::string>& w) {
  using engine::cat;
  if (w.size() < 2 || w.size() > 3) return cat("error: usage: ", w[0], " NAME [TYPE]\n");
  auto name = wire::Name::from_text(w[1]);
  if (!name) return cat("error: not a domain name: ", w[1], "\n");
  Question q{*name, std::nullopt};
  if (w.size() == 3) {
    auto type = wire::type_from_text(w[2]);
    if (!type) return cat("error: not a type: ", w[2], "\n");
    q.type = *type;
  }
  return q;
}

class TextSink : public engine::TraceSink {
 public:
  void step(const engine::TraceStep& s) override { out += engine::to_text(s) + "\n"; }
  std::string out;
};

std::string trace(const Question& q, const ExplainContext& ctx) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  std::string out;
  {
    EngineParts parts = ctx.parts(&loop);
    engine::World world{*parts.transport, *parts.clock, *parts.random};
    cache::CacheLimits limits;
    limits.bytes = kTraceCacheBytes;
    cache::Caches scratch(limits);
    engine::EngineConfig cfg = ctx.engine;
    cfg.prefetch = false;
    cfg.serve_stale = false;  // nothing is stale in empty caches
    std::optional<engine::Answer> answer;
    TextSink sink;
    {
      engine::Engine engine(cfg, world, scratch);
      engine::Query query;
      query.qname = q.name;
      query.qtype = q.type.value_or(wire::RRType::A);
      engine.trace(query, sink, [&](const engine::Answer& a) { answer = a; });
      // The deadline ends every resolution; the loop's own guard is twice that.
      auto give_up = std::chrono::steady_clock::now() + 2 * cfg.resolve_deadline +
                     std::chrono::seconds(1);
      while (!answer && std::chrono::steady_clock::now() < give_up)
        uv_run(&loop, UV_RUN_ONCE);
    }
    parts.transport.reset();  // after the engine; closes what is left in flight
    uv_run(&loop, UV_RUN_DEFAULT);
    out = engine::cat("; trace ", q.name.to_text(), " ",
                      wire::type_to_text(q.type.value_or(wire::RRType::A)),
                      " (fresh caches, starting from the root hints; the shared caches are not "
                      "touched)\n");
    out += sink.out;
    if (!answer) {
      out += "; no answer before the deadline\n";
    } else {
      out += engine::cat("; rcode ", wire::rcode_to_text(answer->rcode), "\n");
      if (auto e = extended_error(*answer))
        out += engine::cat("; EDE ", std::to_string(uint16_t(e->code)), ": ", e->text, "\n");
      for (const auto& s : answer->answer) out += wire::rrset_to_text(s);
      for (const auto& s : answer->authority) out += wire::rrset_to_text(s);
    }
  }
  uv_loop_close(&loop);
  return out;
}

}  // namespace

std::optional<std::string> run_explain_command(std::string_view line, cache::Caches& caches,
                                               const ExplainContext& ctx) {
  auto w = split_control_words(line);
  if (w.empty() || (w[0] != "lookup" && w[0] != "trace")) return std::nullopt;
  auto q = question_of(w);
  if (auto* err = std::get_if<std::string>(&q)) return *err;
  const Question& question = std::get<Question>(q);
  if (w[0] == "lookup") {
    net::SystemClock clock;
    return engine::cat("; lookup ", question.name.to_text(), question.type ? " " : "",
                       question.type ? wire::type_to_text(*question.type) : std::string(), "\n",
                       engine::cache_report(caches, ctx.engine, question.name, question.type,
                                            clock.now(), clock.mono()),
                       "; end of lookup\n");
  }
  return trace(question, ctx);
}

}  // namespace tern::server
