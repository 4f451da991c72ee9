#include "resolver/net/response_filter.h"

#include "wire/message_view.h"

namespace tern::net {

std::optional<QueryIdentity> QueryIdentity::of_query(std::span<const uint8_t> query) {
  auto m = wire::MessageView::parse(query);
  if (!m || m->header().qdcount != 1) return std::nullopt;
  auto name = m->qname().to_name();
  if (!name) return std::nullopt;
  return QueryIdentity{m->header().id, *name, m->qtype(), m->qclass()};
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
  return FilterVerdict::Accept;
}

}  // namespace tern::net
