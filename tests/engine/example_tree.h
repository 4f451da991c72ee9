// The small delegation tree most engine scenarios start from:
//   .            k.root-servers.net  193.0.14.129
//   com.         ns.com.             192.5.6.30      (glue from the root)
//   example.com. ns1.example.com.    198.51.100.1    (glue from com.)
//                ns2.example.com.    198.51.100.2
// Non-minimised and minimised (NS) queries are both answered by the referrals (MATCH subdomain).
#pragma once

#include "tests/support/harness.h"

namespace tern::testsupport {

inline const char* kComServer = "192.5.6.30";
inline const char* kNs1 = "198.51.100.1";
inline const char* kNs2 = "198.51.100.2";

inline void build_example_tree(Harness& h) {
  h.serve_priming();
  h.net.on_subdomain(h.root(), "com.", referral("com.", {"ns.com."}, {{"ns.com.", kComServer}}));
  h.net.on_subdomain(addr(kComServer), "example.com.",
                     referral("example.com.", {"ns1.example.com.", "ns2.example.com."},
                              {{"ns1.example.com.", kNs1}, {"ns2.example.com.", kNs2}}));
}

inline engine::EngineConfig no_minimisation() {
  auto cfg = Harness::default_config();
  cfg.qname_minimisation = false;
  return cfg;
}

}  // namespace tern::testsupport
