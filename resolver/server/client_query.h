// What the front end knows about one client query after checking it, and the sections of the
// answer it will send back. Both are plain values shared by UDP and TCP.
#pragma once

#include <optional>
#include <vector>

#include "resolver/engine/failure.h"
#include "resolver/server/extended_error.h"
#include "resolver/server/stats.h"
#include "wire/edns.h"
#include "wire/message_view.h"
#include "wire/name.h"
#include "wire/rr_type.h"
#include "wire/rrset.h"

namespace tern::server {

// What the front end uses of the client's OPT record (RFC 6891). Options are not kept: none of
// them changes the answer Tern gives.
struct ClientEdns {
  uint16_t udp_size = 512;
  uint8_t version = 0;
  bool do_bit = false;
};

struct ClientQuery {
  wire::Header header;          // as received (id, opcode, rd, cd are echoed)
  bool has_question = false;    // false when the message could not be parsed past the header
  wire::Name qname;             // the client's spelling, echoed in the response
  wire::RRType qtype = wire::RRType::A;
  wire::RRClass qclass = wire::RRClass::IN;
  std::optional<ClientEdns> edns;  // the client's OPT record, if it sent one
  bool dnssec_ok() const { return edns && edns->do_bit; }
};

struct Sections {
  wire::Rcode rcode = wire::Rcode::NoError;
  bool authoritative = false;  // AA: set for locally served zones
  bool dropped = false;        // the backend shed the query (waiter caps): send nothing
  bool secure = false;         // DNSSEC: every part validated secure (AD for DO/AD clients)
  // Where the backend's answer came from (metrics only; resolver/server/stats.h).
  BackendSource source = BackendSource::Resolution;
  std::vector<wire::RRset> answer, authority, additional;
  // RFC 8914 Extended DNS Error sent with it (to a client that sent EDNS; the EXTRA-TEXT only to
  // one in server.ede-text-allow). The engine's come from extended_error(); a policy or local
  // answer may set its own (Blocked, Filtered...).
  std::optional<ExtendedError> ede;
  // Why a failure (or a stale answer) happened, for log-servfail; not sent.
  std::optional<engine::FailureInfo> why;
};

}  // namespace tern::server
