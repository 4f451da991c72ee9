// One query-log line (docs/operations.md, "Query log"), without the timestamp the sink adds:
//   query: CLIENT PROTO NAME TYPE RCODE SOURCE LATENCY[ ede=N]
//   query: 127.0.0.1:40312 udp www.example.com. A NOERROR packet_cache 0.014ms
// SOURCE is where the answer came from: packet_cache, record_cache, stale, resolution (the
// metrics' answer sources), local, local-deny, check (refused/malformed by the query checks) or
// no-rd. LATENCY is from the query's arrival at the pipeline to its answer. ede= is the Extended
// DNS Error code (RFC 8914) when the answer carries one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "resolver/config/address.h"
#include "resolver/server/client_query.h"

namespace tern::server {

struct QueryLogEntry {
  const config::SocketAddress* client = nullptr;
  bool tcp = false;
  const ClientQuery* query = nullptr;
  wire::Rcode rcode = wire::Rcode::NoError;
  std::string_view source;
  uint64_t latency_us = 0;
  std::optional<uint16_t> ede;
};

std::string format_query_line(const QueryLogEntry& e);

}  // namespace tern::server
