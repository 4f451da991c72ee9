// Trust anchors: DS or DNSKEY records in zone-file form (Unbound's auto-trust-anchor-file /
// trust-anchor-file style, BIND's "initial-ds" content as plain records), several zones per file.
// The root's anchors are compiled in (root-hints/root-anchors.zone).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "wire/name.h"
#include "wire/result.h"
#include "wire/rrset.h"

namespace tern::validator {

struct TrustAnchor {
  wire::Name zone;
  wire::RRset ds;      // type DS, possibly empty
  wire::RRset dnskey;  // type DNSKEY, possibly empty
};

// Bounds on an anchor file: a real one holds a handful of records.
inline constexpr size_t kMaxTrustAnchorRecords = 1000;
inline constexpr size_t kMaxTrustAnchorLines = 100000;
inline constexpr size_t kMaxTrustAnchorRecordChars = 65536;  // one record, parentheses joined

enum class TrustAnchorError : uint8_t {
  BadRecord,       // a line that is not a resource record, or RDATA that is not a DS / DNSKEY
  UnexpectedType,  // anything but DS and DNSKEY
  UnexpectedClass, // not IN
  BadDirective,    // $ORIGIN / $TTL malformed, or another directive
  Unbalanced,      // parentheses do not close, or a record is too long
  TooLarge,        // more lines or records than kMaxTrustAnchor*
  Empty,           // no anchor at all
};
std::string_view to_string(TrustAnchorError e);

struct TrustAnchorParseError {
  TrustAnchorError error;
  size_t line;  // 1-based line where the offending record starts
};

// One TrustAnchor per zone, in order of first appearance. ';' comments, blank lines, $ORIGIN
// and $TTL, and parentheses spanning lines are accepted. DS RDATA with an unsupported algorithm
// or digest is kept (the validator reports the zone insecure, RFC 4035 §5.2).
Result<std::vector<TrustAnchor>, TrustAnchorParseError> parse_trust_anchors(std::string_view text);

// The anchor closest to (at or above) `name`; nullptr when no anchor covers it (Indeterminate).
const TrustAnchor* closest_trust_anchor(const std::vector<TrustAnchor>& anchors,
                                        const wire::Name& name);

}  // namespace tern::validator
