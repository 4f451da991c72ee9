// DnssecConfig: what the engine's validation step (iterator_validate.cpp) can be told; ternd fills
// it from the [dnssec] table (docs/configuration.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "resolver/validator/trust_anchor.h"
#include "resolver/validator/validation_budget.h"
#include "wire/name.h"

namespace tern::engine {

// Bogus verdicts (data and a zone's keys) are kept this long, so a broken zone does not make
// every query validate again (Unbound's val-bogus-ttl, 60 s).
inline constexpr std::chrono::seconds kValBogusTtl{60};
// Zones whose key status one engine remembers (validated DNSKEY sets, insecure and bogus
// verdicts); past it the key cache starts again empty. Each entry is one key set.
inline constexpr size_t kMaxKeyCacheZones = 10000;
// Shortest time a key verdict is kept, whatever the TTLs (0 would make the fetch loop).
inline constexpr uint32_t kMinKeyCacheTtl = 5;
// Key fetches (DS and DNSKEY child questions) nest at most this much deeper than
// max_subquery_depth allows ordinary children: each zone cut from the anchor down is one level.
inline constexpr uint32_t kMaxValidationDepth = 16;

struct DnssecConfig {
  // Off in the engine unless set: ternd's `[dnssec] validation` defaults to true.
  bool validation = false;
  // Trust anchors; empty with validation on = the compiled-in root anchors.
  std::vector<validator::TrustAnchor> trust_anchors;
  // RFC 7646: names below these are not validated (treated as insecure).
  std::vector<wire::Name> negative_trust_anchors;
  std::chrono::seconds bogus_ttl = kValBogusTtl;
  uint32_t max_signature_validations = uint32_t(validator::kMaxSignatureValidationsPerQuery);
  uint32_t max_nsec3_hashes = uint32_t(validator::kMaxNsec3HashesPerQuery);
};

}  // namespace tern::engine
