// Reads a response policy zone in zone-file syntax (RFC 1035 §5 master file: $ORIGIN, $TTL,
// parentheses, comments, an omitted owner repeating the previous one) into an RpzZone. Pure: the
// file's text comes in, the zone or the first bad line comes out. Owners name triggers relative
// to the zone's origin (BIND's RPZ format):
//   bad.example.com          QNAME             *.bad.example.com   wildcard QNAME
//   24.0.2.0.192.rpz-client-ip  client IP     32.1.2.0.192.rpz-ip  response IP (A/AAAA)
//   ns.bad.example.rpz-nsdname  NSDNAME       24.0.2.0.192.rpz-nsip   NS address
//   (IPv6: 64.zz.db8.2001.rpz-ip, groups reversed, zz for ::)
// and the records say what to do: CNAME . (NXDOMAIN), CNAME *. (NODATA), CNAME rpz-passthru.,
// CNAME rpz-drop., CNAME rpz-tcp-only., or any other records (local data).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "resolver/server/rpz_zone.h"
#include "wire/name.h"
#include "wire/text.h"

namespace tern::server {

// The most rules one policy zone may hold ([[rpz]] max-rules): a runaway file is refused, not
// loaded into all the memory there is.
constexpr size_t kRpzDefaultMaxRules = 10'000'000;
// The longest logical line (parentheses joined) the reader accepts.
constexpr size_t kRpzMaxLineBytes = 65535;

// Builds a zone record by record (the file reader below, a zone transfer): each record is a
// rule, a part of a rule's local data, or the apex SOA.
class RpzBuilder {
 public:
  RpzBuilder(const wire::Name& origin, size_t max_rules);
  ~RpzBuilder();
  // "" or what is wrong with this record (then the zone must not be used).
  std::string add(const wire::ParsedRR& rr);
  RpzZone take();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

struct RpzParseResult {
  std::optional<RpzZone> zone;  // set on success
  size_t error_line = 0;        // 1-based, on failure
  std::string error;            // what is wrong with that line
};

RpzParseResult parse_rpz(std::string_view text, const wire::Name& origin,
                         size_t max_rules = kRpzDefaultMaxRules);

}  // namespace tern::server
