#pragma once
// The queries a load run sends, encoded once up front so the send loop only patches the ID.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tern::bench {

struct QuerySet {
  std::vector<std::vector<uint8_t>> queries;  // complete DNS messages, ID 0, RD set, no EDNS
  size_t skipped_lines = 0;                    // lines that were not "name [TYPE]"
};

// Reads a dnsperf-style data file: one "name TYPE" per line (TYPE defaults to A; # comments).
// The encoder is deliberately tiny and local: the generator must not depend on the codec it
// measures, and it only needs names of plain labels and a handful of types.
bool load_query_set(const std::string& path, QuerySet& out, std::string& error);

// Encodes one query; false when the name or type is not something the generator sends.
bool encode_query(std::string_view name, std::string_view type, std::vector<uint8_t>& out);

}  // namespace tern::bench
