#include "tests/support/harness.h"

#include "wire/rdata.h"
#include "wire/text.h"

namespace tern::testsupport {

std::string test_root_hints() {
  return ".\t3600000\tIN\tNS\t" + std::string(kRootServerName) + "\n" +
         std::string(kRootServerName) + "\t3600000\tIN\tA\t" + std::string(kRootServerAddress) + "\n";
}

engine::EngineConfig Harness::default_config() {
  engine::EngineConfig cfg;
  cfg.root_hints_text = test_root_hints();
  return cfg;
}

Harness::Harness(engine::EngineConfig cfg, cache::CacheLimits limits)
    : caches(limits), config(std::move(cfg)) {
  engine = std::make_unique<engine::Engine>(config, engine::World{net, clock, random}, caches);
}

void Harness::serve_priming() {
  net.on(root(), ".", wire::RRType::NS,
         answer({". 518400 IN NS " + std::string(kRootServerName)})
             .add(std::string(kRootServerName) + " 518400 IN A " + std::string(kRootServerAddress)));
}

std::optional<engine::Answer> Harness::resolve(std::string_view qname, wire::RRType qtype) {
  std::optional<engine::Answer> out;
  resolve_async(qname, qtype, &out);
  clock.run_until([&] { return out.has_value(); });
  return out;
}

void Harness::resolve_async(std::string_view qname, wire::RRType qtype,
                            std::optional<engine::Answer>* out) {
  engine::Query q;
  q.qname = wire::Name::from_text(qname).value();
  q.qtype = qtype;
  engine->resolve(q, [out](const engine::Answer& a) { *out = a; });
}

std::vector<std::string> records_text(const std::vector<wire::RRset>& sets) {
  std::vector<std::string> out;
  for (const auto& s : sets)
    for (auto rdata : s) out.push_back(wire::rr_to_text(s.owner, s.ttl, s.rclass, s.type, rdata));
  return out;
}

std::vector<std::string> records_brief(const std::vector<wire::RRset>& sets) {
  std::vector<std::string> out;
  for (const auto& s : sets)
    for (auto rdata : s)
      out.push_back(s.owner.to_text() + " " + wire::type_to_text(s.type) + " " +
                    wire::rdata_to_text(s.type, rdata));
  return out;
}

}  // namespace tern::testsupport
