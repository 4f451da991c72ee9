#include "resolver/server/doh_request.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "wire/message_view.h"

namespace tern::server {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<int8_t, 256> decode_table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (size_t i = 0; i < kAlphabet.size(); ++i) t[uint8_t(kAlphabet[i])] = int8_t(i);
  return t;
}
constexpr auto kDecode = decode_table();

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(uint8_t(x)) == std::tolower(uint8_t(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of `key` among the query string's `&`-separated parameters; nullopt when absent.
// Given twice, the first one counts (RFC 3986 leaves it to the application).
std::optional<std::string_view> query_param(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == key) return part.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

DohDecision refuse(uint16_t status, std::string_view reason) {
  DohDecision d;
  d.status = status;
  d.reason = reason;
  return d;
}

}  // namespace

std::optional<std::vector<uint8_t>> base64url_decode(std::string_view text) {
  // 4n+1 characters cannot come from whole bytes.
  if (text.size() % 4 == 1) return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : text) {
    int8_t v = kDecode[uint8_t(ch)];
    if (v < 0) return std::nullopt;  // padding, '+', '/', '%', whitespace: not base64url
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(uint8_t(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  // The leftover bits of the last character must be zero (RFC 4648 §3.5): one encoding per
  // message, so the same query cannot hide behind several spellings.
  if (acc != 0) return std::nullopt;
  return out;
}

std::string base64url_encode(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
    acc &= (1u << bits) - 1;
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

DohDecision decide_doh_request(const DohRequest& r, std::string_view endpoint, size_t max_body) {
  std::string_view path = r.path;
  std::string_view query;
  if (size_t q = path.find('?'); q != std::string_view::npos) {
    query = path.substr(q + 1);
    path = path.substr(0, q);
  }
  if (path != endpoint) return refuse(404, "no DNS-over-HTTPS endpoint at this path");

  std::vector<uint8_t> message;
  if (r.method == "GET") {
    auto param = query_param(query, "dns");
    if (!param) return refuse(400, "GET needs a dns= parameter");
    if (param->size() > (kDohMaxMessage * 4 + 2) / 3) return refuse(413, "query too large");
    auto decoded = base64url_decode(*param);
    if (!decoded) return refuse(400, "dns= is not unpadded base64url");
    message = std::move(*decoded);
  } else if (r.method == "POST") {
    std::string_view type = trim(r.content_type.substr(0, r.content_type.find(';')));
    if (!iequals(type, kDohContentType)) return refuse(415, "POST needs content-type application/dns-message");
    if (r.body_too_large || r.body.size() > max_body) return refuse(413, "body too large");
    message.assign(r.body.begin(), r.body.end());
  } else {
    return refuse(405, "only GET and POST");
  }
  if (message.size() < wire::kHeaderSize) return refuse(400, "not a DNS message");
  DohDecision d;
  d.query = std::move(message);
  return d;
}

uint32_t doh_max_age(std::span<const uint8_t> response) {
  auto m = wire::MessageView::parse(response);
  if (!m) return 0;
  std::optional<uint32_t> least;
  for (auto s : {wire::Section::Answer, wire::Section::Authority, wire::Section::Additional})
    for (const auto& rr : m->section(s)) {
      if (rr.type() == wire::RRType::OPT) continue;
      least = std::min(least.value_or(rr.ttl()), rr.ttl());
    }
  return least.value_or(0);
}

}  // namespace tern::server
