// Response classification: what an upstream response means for the question we sent, after
// bailiwick scrubbing. Pure: no cache, no state; the iterator acts on the result.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "wire/message_view.h"
#include "wire/name.h"
#include "wire/rrset.h"

namespace tern::engine {

enum class ResponseKind : uint8_t {
  Answer,         // the data asked for (possibly at the end of a CNAME/DNAME chain)
  PartialChain,   // a CNAME/DNAME chain whose last target this server did not answer for
  NxDomain,       // the (last) name does not exist
  NoData,         // the (last) name exists, the type does not
  YxDomain,       // a DNAME substitution would make a name longer than 255 octets (RFC 6672)
  Referral,       // a delegation to a zone below the one asked
  Lame,           // not authoritative and no usable referral, or an upward / sideways referral
  Refused,        // REFUSED
  ServerFailure,  // SERVFAIL, or an rcode we cannot use
  FormErr,        // FORMERR or NOTIMP (the caller retries without EDNS)
  Malformed,      // the records could not be collected
};

std::string_view to_string(ResponseKind k);

struct Classified {
  ResponseKind kind = ResponseKind::Malformed;
  bool aa = false;
  // CNAME / DNAME RRsets (and CNAMEs synthesised from DNAME) in chain order, then the final data.
  std::vector<wire::RRset> chain;
  std::vector<wire::RRset> answer;
  wire::Name final_name;           // last name of the chain (the qname when there is no chain)
  std::optional<wire::RRset> soa;  // for NxDomain / NoData, when in bailiwick
  // NxDomain / NoData: the zone's own NS set when the server sent it beside the SOA (passed on to
  // the client with it, as the authoritative server gave it).
  std::optional<wire::RRset> zone_ns;
  // Referral: the child zone, its NS set and the glue inside the child zone.
  std::optional<wire::RRset> referral_ns;
  std::vector<wire::RRset> glue;
  // Referral: the child's DS set (with its RRSIGs) when the parent sent one.
  std::optional<wire::RRset> referral_ds;
  // NSEC / NSEC3 RRsets of the authority section inside the bailiwick, with their RRSIGs: the
  // proof of a denial, of a wildcard answer or of an insecure delegation (RFC 4035 §3.1.3).
  std::vector<wire::RRset> proof;
  // Records dropped: outside the bailiwick of the server asked, or unsolicited.
  uint32_t scrubbed = 0;
  bool chain_loop = false;  // the chain inside this one response revisited a name
  bool yxdomain = false;    // a DNAME applied but its substitution overflowed
};

struct AskedQuestion {
  wire::Name zone;  // the zone the server was asked as (its bailiwick)
  wire::Name qname;
  wire::RRType qtype = wire::RRType::A;
  wire::RRClass qclass = wire::RRClass::IN;
  bool priming = false;  // ". NS" to a root server: keep root server addresses from additional
  // The server is a forwarder (a recursive resolver): AA=0 is normal, a NODATA may come without
  // SOA, and a referral means it did not resolve for us (Lame: the caller tries another).
  bool recursive = false;
};

// Is `msg` a response to the query we sent (ID, QR, opcode, the exact question)? A FORMERR or
// NOTIMP may come without a question (servers that do not parse the query echo none).
bool response_matches(const wire::MessageView& msg, uint16_t id, const wire::Name& qname,
                      wire::RRType qtype, wire::RRClass qclass);

Classified classify_response(const wire::MessageView& msg, const AskedQuestion& q);

// The CNAME a DNAME implies for `name` (RFC 6672 §2.2), nullopt when the result is too long.
std::optional<wire::RRset> synthesise_cname(const wire::RRset& dname, const wire::Name& name);

}  // namespace tern::engine
