#include "resolver/server/identity.h"

#include <algorithm>
#include <vector>

namespace tern::server {
namespace {

bool is(const wire::Name& n, const char* text) { return n == wire::Name::from_text(text).value(); }

// TXT RDATA: the text as character-strings of at most 255 octets each (RFC 1035 §3.3.14).
std::vector<uint8_t> txt_rdata(const std::string& text) {
  std::vector<uint8_t> out;
  size_t at = 0;
  do {
    size_t n = std::min<size_t>(255, text.size() - at);
    out.push_back(uint8_t(n));
    out.insert(out.end(), text.begin() + long(at), text.begin() + long(at + n));
    at += n;
  } while (at < text.size() && out.size() < 65000);
  return out;
}

}  // namespace

std::optional<Sections> identity_answer(const ClientQuery& q, const IdentitySettings& s) {
  if (!q.has_question || q.qclass != wire::RRClass::CH) return std::nullopt;
  if (q.qtype != wire::RRType::TXT && q.qtype != wire::RRType::ANY) return std::nullopt;
  const std::string* text = nullptr;
  if (!s.hide_identity && (is(q.qname, "id.server.") || is(q.qname, "hostname.bind."))) text = &s.identity;
  if (!s.hide_version && (is(q.qname, "version.bind.") || is(q.qname, "version.server."))) text = &s.version;
  if (!text) return std::nullopt;
  Sections out;
  out.authoritative = true;
  wire::RRset txt(q.qname, wire::RRType::TXT, wire::RRClass::CH, 0);
  txt.add(txt_rdata(*text));
  out.answer.push_back(std::move(txt));
  return out;
}

}  // namespace tern::server
