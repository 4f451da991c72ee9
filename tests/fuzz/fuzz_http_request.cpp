// fuzz-libs: tern_resolver
// Property: any bytes a client sends the metrics endpoint, in any split into reads, are either a
// complete request (method and a path starting with '/') or Bad with a reason, or still need more
// (never more than the byte limit read); the outcome does not depend on how the bytes were split;
// the response built for them is a well-formed HTTP/1.1 response whose status fits the outcome.
// The first input byte picks the read size; the rest is the stream.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "resolver/server/http_request.h"
#include "resolver/server/metrics_http.h"

namespace {

using tern::server::HttpRequestReader;
constexpr size_t kMaxBytes = 1024;

void read_all(HttpRequestReader& r, std::span<const uint8_t> stream, size_t chunk) {
  for (size_t off = 0; off < stream.size(); off += chunk) {
    auto part = stream.subspan(off, std::min(chunk, stream.size() - off));
    if (r.feed(part) != HttpRequestReader::State::NeedMore) break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t chunk = size_t(data[0] % 64) + 1;
  std::span<const uint8_t> stream(data + 1, size - 1);

  HttpRequestReader split(kMaxBytes), whole(kMaxBytes);
  read_all(split, stream, chunk);
  read_all(whole, stream, stream.size() ? stream.size() : 1);
  if (split.state() != whole.state() || split.path() != whole.path() || split.method() != whole.method())
    std::abort();

  switch (split.state()) {
    case HttpRequestReader::State::Complete:
      if (split.method().empty() || split.path().empty() || split.path()[0] != '/') std::abort();
      break;
    case HttpRequestReader::State::Bad:
      if (split.error().empty()) std::abort();
      break;
    case HttpRequestReader::State::NeedMore:
      if (stream.size() > kMaxBytes) std::abort();
      if (split.finish() != HttpRequestReader::State::Bad) std::abort();
      break;
  }

  bool asked = false;
  std::string resp = tern::server::http_response_for(split, [&] {
    asked = true;
    return std::string("tern_up 1\n");
  });
  if (resp.rfind("HTTP/1.1 ", 0) != 0 || resp.find("\r\n\r\n") == std::string::npos) std::abort();
  int status = std::atoi(resp.c_str() + 9);
  if (split.state() == HttpRequestReader::State::Bad && status != 400) std::abort();
  if (status != 200 && status != 400 && status != 404 && status != 405) std::abort();
  if (asked && split.path() != "/metrics") std::abort();
  return 0;
}
