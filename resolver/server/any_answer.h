// RFC 8482: the short answer to a resolved ANY question. ANY is resolved like any other type
// (sent upstream, so a name that does not exist gets NXDOMAIN with its SOA and a CNAME owner its
// CNAME); only once the answer says the name has data does the client get, in place of all of
// it, one synthesised HINFO "RFC8482" "" (RFC 8482 §4.2): the records themselves stay in the
// engine's caches for the questions that name their type.
#pragma once

#include "resolver/server/client_query.h"

namespace tern::server {

// Replaces the answer to an ANY question by RFC 8482's HINFO when it is NOERROR with data at the
// name (not a CNAME or DNAME: those are the answer). The HINFO's TTL is the smallest TTL of the
// records it stands for, so it never outlives them. Every other answer is left as it is.
void shorten_any_answer(const ClientQuery& q, Sections& s);

}  // namespace tern::server
