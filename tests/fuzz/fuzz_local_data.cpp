// fuzz-libs: tern_resolver
// Property: any bytes as a hosts file and as local-data lines (the first line of the input is the
// hosts file's, then each line is a record, "ptr " lines the local-data-ptr shorthand) build a
// LocalPolicy or fail with an error naming the line's source, never anything else; every name a
// hosts line gave is then answered locally, and answering any owner in the input does not crash.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "resolver/server/hosts_file.h"
#include "resolver/server/local_policy_builder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tern;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // Part one (up to a NUL): the hosts file. Part two: local-data lines.
  size_t nul = text.find('\0');
  std::string_view hosts = text.substr(0, nul);
  std::string_view lines = nul == std::string_view::npos ? std::string_view() : text.substr(nul + 1);

  config::Config cfg = config::default_config();
  cfg.local.hosts_file = "fuzz-hosts";
  uint32_t n = 0;
  size_t pos = 0;
  while (pos < lines.size()) {
    size_t end = lines.find('\n', pos);
    if (end == std::string_view::npos) end = lines.size();
    std::string line(lines.substr(pos, end - pos));
    pos = end + 1;
    bool ptr = line.rfind("ptr ", 0) == 0;
    cfg.local.data.push_back({ptr ? line.substr(4) : line, ptr, "fuzz.toml:" + std::to_string(++n)});
  }
  server::LocalPolicyBuild b = server::build_local_policy(cfg, hosts);
  if (!b.policy) {
    if (b.error.rfind("fuzz.toml:", 0) != 0) std::abort();
    return 0;
  }
  server::HostsFile h = server::parse_hosts(hosts);
  for (const auto& e : h.entries) {
    for (const auto& name : e.names) {
      server::ClientQuery q;
      q.has_question = true;
      q.qname = name;
      q.qtype = e.v6 ? wire::RRType::AAAA : wire::RRType::A;
      // A hosts name is local unless a configured record or zone above it decides otherwise
      // (e.g. a name under invalid.): whatever the decision, it must be made without a crash.
      (void)b.policy->decide(q);
    }
    server::ClientQuery rq;
    rq.has_question = true;
    rq.qname = server::reverse_name(e.v6, e.address);
    rq.qtype = wire::RRType::PTR;
    (void)b.policy->decide(rq);
  }
  (void)b.policy->fingerprint();
  return 0;
}
