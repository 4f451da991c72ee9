// Test helpers: names and RRsets from zone-file text, so vectors read as the RFCs print them.
#pragma once

#include <initializer_list>
#include <string_view>
#include <vector>

#include "wire/name.h"
#include "wire/rrset.h"

namespace tern::validator::test {

wire::Name name(std::string_view text);
// One RRset from records sharing owner, type and class ("owner ttl IN type rdata" each).
wire::RRset rrset(std::initializer_list<std::string_view> records);
// The RDATA of one record in zone-file text.
std::vector<uint8_t> rdata(std::string_view record);
std::vector<uint8_t> hex(std::string_view text);

}  // namespace tern::validator::test
