#include "test_records.h"

#include <stdexcept>
#include <string>

#include "wire/text.h"

namespace tern::validator::test {

wire::Name name(std::string_view text) {
  auto n = wire::Name::from_text(text);
  if (!n) throw std::runtime_error("bad test name " + std::string(text));
  return *n;
}

wire::RRset rrset(std::initializer_list<std::string_view> records) {
  wire::RRset out;
  bool first = true;
  for (auto text : records) {
    auto rr = wire::rr_from_text(text, wire::Name());
    if (!rr) throw std::runtime_error("bad test record " + std::string(text));
    if (first) out = wire::RRset(rr->owner, rr->type, rr->rclass, rr->ttl);
    first = false;
    out.add(rr->rdata);
  }
  return out;
}

std::vector<uint8_t> rdata(std::string_view record) {
  auto rr = wire::rr_from_text(record, wire::Name());
  if (!rr) throw std::runtime_error("bad test record " + std::string(record));
  return rr->rdata;
}

std::vector<uint8_t> hex(std::string_view text) {
  std::vector<uint8_t> out;
  auto nibble = [](char c) {
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
  };
  for (size_t i = 0; i + 1 < text.size(); i += 2) {
    out.push_back(uint8_t(nibble(text[i]) << 4 | nibble(text[i + 1])));
  }
  return out;
}

}  // namespace tern::validator::test
