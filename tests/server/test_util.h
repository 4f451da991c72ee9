// Builders shared by the front end's unit tests.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "wire/message_builder.h"
#include "wire/message_view.h"
#include "wire/name.h"

namespace tern::server::test {

inline wire::Name name(const std::string& text) { return *wire::Name::from_text(text); }

inline std::vector<uint8_t> make_query(const std::string& qname, wire::RRType type,
                                       std::optional<wire::Edns> edns = std::nullopt,
                                       uint16_t id = 0x1234) {
  return wire::build_query(id, name(qname), type, wire::RRClass::IN, true, edns);
}

inline std::vector<uint8_t> from_hex(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size();) {
    if (hex[i] == ' ') {
      ++i;
      continue;
    }
    out.push_back(uint8_t(std::stoi(hex.substr(i, 2), nullptr, 16)));
    i += 2;
  }
  return out;
}

}  // namespace tern::server::test
