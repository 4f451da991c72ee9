#include "resolver/engine/trace.h"

namespace tern::engine {

std::string_view to_string(TraceStep::Kind k) {
  switch (k) {
    case TraceStep::Kind::Delegation: return "delegation";
    case TraceStep::Kind::Query: return "query";
    case TraceStep::Kind::Reply: return "reply";
    case TraceStep::Kind::NoReply: return "no-reply";
    case TraceStep::Kind::Rejected: return "rejected";
    case TraceStep::Kind::Scrubbed: return "scrubbed";
    case TraceStep::Kind::Referral: return "referral";
    case TraceStep::Kind::Lame: return "lame";
    case TraceStep::Kind::Chain: return "chain";
    case TraceStep::Kind::Child: return "child";
    case TraceStep::Kind::Answer: return "answer";
    case TraceStep::Kind::Failure: return "failure";
    case TraceStep::Kind::Done: return "done";
  }
  return "unknown";
}

std::string to_text(const TraceStep& s) {
  std::string out(size_t(s.depth) * 2, ' ');
  out += to_string(s.kind);
  out += ' ';
  out += s.qname.to_text();
  out += ' ';
  out += wire::type_to_text(s.qtype);
  if (s.kind != TraceStep::Kind::Done) {
    out += " zone=";
    out += s.zone.to_text();
  }
  if (s.server) {
    out += " server=";
    out += s.server->to_string();
    out += s.protocol == Protocol::Tcp ? "/tcp" : "/udp";
  }
  if (s.kind == TraceStep::Kind::Reply) out += cat(" rtt=", std::to_string(s.rtt.count()), "ms");
  if (!s.detail.empty()) {
    out += ": ";
    out += s.detail;
  }
  return out;
}

}  // namespace tern::engine
