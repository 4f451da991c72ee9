#include "resolver/engine/validation_answer.h"

#include "resolver/engine/validation_response.h"

namespace tern::engine {

using validator::Security;

void apply_dnssec(Answer& a, const Query& q, Security task, validator::Reason reason) {
  if (a.failure || a.dropped) return;
  Security s = task;
  for (const auto& set : a.answer) s = worst(s, set.security);
  // The denial (SOA and its proof) speaks for a negative answer; the zone's NS set shown beside
  // the SOA is not part of it.
  for (const auto& set : a.authority)
    if (set.type == wire::RRType::SOA || set.type == wire::RRType::NSEC ||
        set.type == wire::RRType::NSEC3)
      s = worst(s, set.security);
  if (a.answer.empty() && a.authority.empty() && task == Security::Secure) s = Security::Indeterminate;
  a.secure = s == Security::Secure;
  if (s == Security::Bogus && !q.cd) {
    Answer failed;
    failed.failure = bogus_failure(reason);
    failed.rcode = client_rcode(*failed.failure);
    failed.from_cache = a.from_cache;
    failed.upstream_queries = a.upstream_queries;
    a = std::move(failed);
  }
}

}  // namespace tern::engine
