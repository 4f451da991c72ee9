// Credibility of cached data, RFC 2181 §5.4.1, lowest first. Data of a higher rank replaces data
// of a lower rank; data of a lower rank never replaces unexpired data of a higher rank; seeing the
// same data again never raises its rank (it is stored with the rank of the section it came from).
#pragma once

#include <cstdint>
#include <string_view>

namespace tern::cache {

enum class Trust : uint8_t {
  Additional,        // additional section of any answer
  Glue,              // addresses of name servers in a referral (additional section)
  AuthorityNonAuth,  // authority section of a non-authoritative answer / referral
  AnswerNonAuth,     // answer section of a non-authoritative answer
  AuthorityAuth,     // authority section of an authoritative answer
  AnswerAuth,        // answer section of an authoritative answer
  Zone,              // configured data (local zones, root hints priming)
};

// RFC 2181 §5.4.1: data from the additional section and from the authority section of a
// non-authoritative answer (and glue) "should not be cached in such a way that they would ever be
// returned as answers". The engine uses this before answering a client from the cache.
constexpr bool answer_grade(Trust t) { return t >= Trust::AnswerNonAuth; }

constexpr std::string_view to_string(Trust t) {
  switch (t) {
    case Trust::Additional: return "additional";
    case Trust::Glue: return "glue";
    case Trust::AuthorityNonAuth: return "authority-nonauth";
    case Trust::AnswerNonAuth: return "answer-nonauth";
    case Trust::AuthorityAuth: return "authority-auth";
    case Trust::AnswerAuth: return "answer-auth";
    case Trust::Zone: return "zone";
  }
  return "unknown";
}

}  // namespace tern::cache
