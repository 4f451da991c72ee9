#include "resolver/server/query_log_line.h"

#include <fmt/format.h>

namespace tern::server {

std::string format_query_line(const QueryLogEntry& e) {
  std::string out = "query: ";
  out += e.client ? e.client->to_string() : std::string("-");
  out += e.tcp ? " tcp " : " udp ";
  const ClientQuery* q = e.query;
  out += q && q->has_question ? q->qname.to_text() : std::string("-");
  out += ' ';
  out += q ? wire::type_to_text(q->qtype) : std::string("-");
  out += ' ';
  out += wire::rcode_to_text(e.rcode);
  out += ' ';
  out += e.source;
  fmt::format_to(std::back_inserter(out), " {}.{:03}ms", e.latency_us / 1000, e.latency_us % 1000);
  if (e.ede) fmt::format_to(std::back_inserter(out), " ede={}", *e.ede);
  return out;
}

}  // namespace tern::server
