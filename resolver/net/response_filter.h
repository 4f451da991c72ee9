// ResponseFilter: is a received datagram / TCP message the answer to the query we sent? Same
// ID, QR set, and the same question (name case-insensitively, type, class); with 0x20 on, the name
// must also echo the query's letters exactly (WrongCase otherwise). A FORMERR/NOTIMP with no
// question is let through when the ID matches: servers that cannot parse the query echo none,
// and the engine needs it for its EDNS fallback. Everything else is dropped and counted.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "wire/name.h"
#include "wire/rr_type.h"

namespace tern::net {

struct QueryIdentity {
  uint16_t id = 0;
  wire::Name qname;
  wire::RRType qtype = wire::RRType::A;
  wire::RRClass qclass = wire::RRClass::IN;
  // The question name exactly as sent (the bytes after the header), for the 0x20 check.
  std::vector<uint8_t> qname_wire;
  bool exact_case = false;  // the answer must echo qname_wire byte for byte

  // From the query bytes we are about to send; nullopt when they are not a one-question query.
  static std::optional<QueryIdentity> of_query(std::span<const uint8_t> query);
};

enum class FilterVerdict : uint8_t {
  Accept,
  WrongId,
  WrongCase,  // right ID and question, but the name's letters differ from what was sent
  WrongQuestion,
  NotResponse,
  Unparsable,
};

FilterVerdict filter_response(const QueryIdentity& q, std::span<const uint8_t> response);

}  // namespace tern::net
