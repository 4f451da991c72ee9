// Extended DNS Errors (RFC 8914): the one place where why an answer failed (the engine's Failure,
// engine/failure.h) or why it is stale becomes an INFO-CODE and its EXTRA-TEXT, and the EDNS
// option that carries them. The front end attaches it only for a client that sent EDNS, and the
// EXTRA-TEXT (zone and server names) only for clients in server.ede-text-allow.
//
// To give a new Failure value its code, add one case to the table in extended_error.cpp
// (ede_code) and its wording to what() beside it: the switches have no default, so -Wswitch
// (an error with -Werror) names any Failure left out.
// A front-end answer that is not the engine's (policy, local data) sets Sections::ede itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "resolver/engine/engine.h"
#include "resolver/engine/failure.h"
#include "wire/edns.h"

namespace tern::server {

// The INFO-CODEs of RFC 8914 §4 (IANA "Extended DNS Error Codes").
enum class EdeCode : uint16_t {
  Other = 0,
  UnsupportedDnskeyAlgorithm = 1,
  UnsupportedDsDigestType = 2,
  StaleAnswer = 3,
  ForgedAnswer = 4,
  DnssecIndeterminate = 5,
  DnssecBogus = 6,
  SignatureExpired = 7,
  SignatureNotYetValid = 8,
  DnskeyMissing = 9,
  RrsigsMissing = 10,
  NoZoneKeyBitSet = 11,
  NsecMissing = 12,
  CachedError = 13,
  NotReady = 14,
  Blocked = 15,
  Censored = 16,
  Filtered = 17,
  Prohibited = 18,
  StaleNxdomainAnswer = 19,
  NotAuthoritative = 20,
  NotSupported = 21,
  NoReachableAuthority = 22,
  NetworkError = 23,
  InvalidData = 24,
};

struct ExtendedError {
  EdeCode code = EdeCode::Other;
  std::string text;  // EXTRA-TEXT (UTF-8); given only to clients allowed to see it
  friend bool operator==(const ExtendedError&, const ExtendedError&) = default;
};

// The INFO-CODE for a failure reason. The table to extend when a Failure value is added.
EdeCode ede_code(engine::Failure f);

// "zone example.com., server 192.0.2.1:53: every server lame or REFUSED (all-servers-lame)":
// what EXTRA-TEXT and the log-servfail line say about a failure.
std::string describe(const engine::FailureInfo& why);

// The EDE for an engine answer: a failure (its reason's code; for an answer from the failure
// cache that kept no reason, 13 Cached Error), a stale answer (3, or 19 for a stale NXDOMAIN,
// naming the failure that made it stale). nullopt for an ordinary answer.
std::optional<ExtendedError> extended_error(const engine::Answer& a);

// The EDNS option (code 15): INFO-CODE, then EXTRA-TEXT when `with_text`.
wire::EdnsOption ede_option(const ExtendedError& e, bool with_text);

}  // namespace tern::server
