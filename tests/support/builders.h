// Builders for the response shapes engine tests use again and again. Each returns a SimReply the
// test can still adjust (SimReply's fluent modifiers). Names are absolute zone-file text.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/sim_network.h"

namespace tern::testsupport {

struct Glue {
  std::string name;     // "ns1.example.com."
  std::string address;  // "192.0.2.1" or "2001:db8::1"
};

// Authoritative answer: the given records in the answer section, AA=1.
SimReply answer(std::vector<std::string> records);
// Referral to `zone`: NS records in authority, glue (A/AAAA) in additional, AA=0.
SimReply referral(std::string_view zone, std::vector<std::string> ns_names,
                  std::vector<Glue> glue = {});
// Referral without any glue (every NS name must be resolved separately).
SimReply glueless_referral(std::string_view zone, std::vector<std::string> ns_names);
// Authoritative CNAME from `owner` to `target`, optionally followed by more answer records.
SimReply cname(std::string_view owner, std::string_view target,
               std::vector<std::string> more = {});
// NXDOMAIN with the zone's SOA in authority (negative TTL = `negative_ttl`).
SimReply nxdomain(std::string_view zone, uint32_t negative_ttl = 300);
// NODATA: NOERROR, empty answer, SOA in authority.
SimReply nodata(std::string_view zone, uint32_t negative_ttl = 300);
// TC=1 and nothing else (the engine must retry over TCP).
SimReply truncated();
// Never answers.
SimReply timeout();
// An error rcode, no records.
SimReply rcode(wire::Rcode r, bool aa = false);

// The SOA record used by nxdomain()/nodata() for `zone`.
std::string soa_record(std::string_view zone, uint32_t negative_ttl = 300);

Address addr(std::string_view text);  // "192.0.2.1" -> port 53

}  // namespace tern::testsupport
