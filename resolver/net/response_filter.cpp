#include "resolver/net/response_filter.h"

#include <algorithm>

#include "wire/message_view.h"

namespace tern::net {

namespace {
constexpr size_t kHeaderSize = 12;
}

std::optional<QueryIdentity> QueryIdentity::of_query(std::span<const uint8_t> query) {
  auto m = wire::MessageView::parse(query);
  if (!m || m->header().qdcount != 1) return std::nullopt;
  auto name = m->qname().to_name();
  if (!name) return std::nullopt;
  // A query's first name is never compressed: its wire form follows the header verbatim.
  size_t len = name->wire_size();
  if (query.size() < kHeaderSize + len) return std::nullopt;
  std::vector<uint8_t> raw(query.begin() + kHeaderSize, query.begin() + long(kHeaderSize + len));
  return QueryIdentity{m->header().id, *name, m->qtype(), m->qclass(), std::move(raw), false};
}

FilterVerdict filter_response(const QueryIdentity& q, std::span<const uint8_t> response) {
  // The ID first, from the raw header: a spoofed packet costs no parsing.
  auto h = wire::parse_header(response);
  if (!h) return FilterVerdict::Unparsable;
  if (h->id != q.id) return FilterVerdict::WrongId;
  if (!h->qr) return FilterVerdict::NotResponse;
  auto m = wire::MessageView::parse(response);
  if (!m) return FilterVerdict::Unparsable;
  if (m->header().qdcount == 0) {
    auto rc = m->rcode();
    return rc == wire::Rcode::FormErr || rc == wire::Rcode::NotImp ? FilterVerdict::Accept
                                                                   : FilterVerdict::WrongQuestion;
  }
  if (m->header().qdcount != 1 || !m->qname().equals(q.qname) || m->qtype() != q.qtype ||
      m->qclass() != q.qclass)
    return FilterVerdict::WrongQuestion;
  if (q.exact_case) {
    // Compared as bytes: a compressed question name (never legitimate) fails here too.
    auto echoed = response.subspan(kHeaderSize);
    if (echoed.size() < q.qname_wire.size() ||
        !std::equal(q.qname_wire.begin(), q.qname_wire.end(), echoed.begin()))
      return FilterVerdict::WrongCase;
  }
  return FilterVerdict::Accept;
}

}  // namespace tern::net
