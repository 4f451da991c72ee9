// fuzz-libs: tern_resolver
// Property: any DNS-over-HTTPS request parts (method, path with query string, content type, body)
// are decided without crashing into a status the front end knows; a 200 carries a DNS message of
// at least a header and at most the largest message, and for GET it is exactly what dns= decodes
// to; base64url decoding and encoding are inverse on what decodes.
// Input: the first byte picks the method, then path, content type and body separated by '\n'.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "resolver/server/doh_request.h"

using namespace tern::server;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr std::string_view kMethods[] = {"GET", "POST", "HEAD", "PUT", "", "get"};
  std::string_view method = kMethods[data[0] % 6];
  bool too_large = (data[0] & 0x80) != 0;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t a = rest.find('\n');
  std::string_view path = rest.substr(0, a);
  std::string_view type, body;
  if (a != std::string_view::npos) {
    rest.remove_prefix(a + 1);
    size_t b = rest.find('\n');
    type = rest.substr(0, b);
    if (b != std::string_view::npos) body = rest.substr(b + 1);
  }
  std::span<const uint8_t> body_bytes(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  DohRequest r{method, path, type, body_bytes, too_large};
  DohDecision d = decide_doh_request(r, kDohDefaultPath, 4096);
  switch (d.status) {
    case 200:
      if (d.query.size() < 12 || d.query.size() > kDohMaxMessage) std::abort();
      if (method == "POST" && (too_large || body.size() > 4096)) std::abort();
      break;
    case 400: case 404: case 405: case 413: case 415:
      if (d.reason.empty() || !d.query.empty()) std::abort();
      break;
    default:
      std::abort();
  }
  if (d.status == 200 && method == "GET") {
    // Re-encoding the query must give a dns= value the decoder maps back to it.
    auto back = base64url_decode(base64url_encode(d.query));
    if (!back || *back != d.query) std::abort();
  }
  // The whole path as base64url: decode, and when it decodes, encode back to the same text.
  if (auto decoded = base64url_decode(path)) {
    if (base64url_encode(*decoded) != path) std::abort();
  }
  (void)doh_max_age(body_bytes);
  return 0;
}
