#include "tests/support/builders.h"

#include <stdexcept>

namespace tern::testsupport {

namespace {

bool is_v6(const std::string& a) { return a.find(':') != std::string::npos; }

}  // namespace

SimReply answer(std::vector<std::string> records) {
  SimReply r;
  r.aa = true;
  for (const auto& t : records) r.ans(t);
  return r;
}

SimReply referral(std::string_view zone, std::vector<std::string> ns_names, std::vector<Glue> glue) {
  SimReply r;
  for (const auto& ns : ns_names) r.auth(std::string(zone) + " 86400 IN NS " + ns);
  for (const auto& g : glue)
    r.add(g.name + " 86400 IN " + (is_v6(g.address) ? "AAAA " : "A ") + g.address);
  return r;
}

SimReply glueless_referral(std::string_view zone, std::vector<std::string> ns_names) {
  return referral(zone, std::move(ns_names));
}

SimReply cname(std::string_view owner, std::string_view target, std::vector<std::string> more) {
  SimReply r;
  r.aa = true;
  r.ans(std::string(owner) + " 3600 IN CNAME " + std::string(target));
  for (const auto& t : more) r.ans(t);
  return r;
}

std::string soa_record(std::string_view zone, uint32_t negative_ttl) {
  std::string z(zone);
  std::string prefix = z == "." ? "" : z;
  return z + " " + std::to_string(negative_ttl) + " IN SOA ns." + prefix + " hostmaster." + prefix +
         " 1 7200 3600 1209600 " + std::to_string(negative_ttl);
}

SimReply nxdomain(std::string_view zone, uint32_t negative_ttl) {
  SimReply r;
  r.aa = true;
  r.rcode = wire::Rcode::NXDomain;
  r.auth(soa_record(zone, negative_ttl));
  return r;
}

SimReply nodata(std::string_view zone, uint32_t negative_ttl) {
  SimReply r;
  r.aa = true;
  r.auth(soa_record(zone, negative_ttl));
  return r;
}

SimReply truncated() {
  SimReply r;
  r.aa = true;
  r.tc = true;
  return r;
}

SimReply timeout() {
  SimReply r;
  r.drop = true;
  return r;
}

SimReply rcode(wire::Rcode code, bool aa) {
  SimReply r;
  r.rcode = code;
  r.aa = aa;
  return r;
}

Address addr(std::string_view text) {
  auto a = Address::parse(text, 53);
  if (!a) throw std::invalid_argument("bad address in test: " + std::string(text));
  return *a;
}

}  // namespace tern::testsupport
