// What DNSSEC changes in the answer a client gets (RFC 4035 §3.2, RFC 6840 §5.7-5.9): whether it
// is secure (the front end sets AD when the client set DO or AD), and SERVFAIL for bogus data
// unless the client set CD. One function for answers from a resolution and from the caches.
#pragma once

#include "resolver/engine/engine.h"
#include "resolver/validator/security_status.h"

namespace tern::engine {

// `task`: the worst status the resolution's validation steps saw (Secure when none ran); the
// RRsets of the answer carry their own. Does nothing to failures and shed answers.
void apply_dnssec(Answer& a, const Query& q, validator::Security task, validator::Reason reason);

}  // namespace tern::engine
