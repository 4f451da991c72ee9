// fuzz-libs: tern_cache
// Property: read_cache_file (the cache-save/cache-load/persist-file format, cache/cache_file.h)
// never reads past its input and never crashes; the input's trailer is resealed with the right
// checksum first, so mutations reach the record checks behind it. A file it accepts loads into a
// Caches (stored records obey the caches' own rules), and what that cache saves again is accepted.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "cache/cache_file.h"
#include "cache/caches.h"

using namespace tern;
using namespace tern::cache;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  (void)read_cache_file(bytes);  // as given: almost always a checksum mismatch
  if (bytes.size() >= 8) {
    uint64_t sum = cache_file_checksum(std::span(bytes).first(bytes.size() - 8));
    for (int i = 0; i < 8; ++i) bytes[bytes.size() - 8 + size_t(i)] = uint8_t(sum >> (56 - 8 * i));
  }
  size_t seen = 0;
  CacheFileHeader header;
  auto error = read_cache_file(bytes, [&](const CacheRecord&) { ++seen; }, &header);
  if (error) return 0;
  if (seen != header.records) std::abort();
  CacheLimits limits;
  limits.bytes = size_t(4) << 20;
  limits.shards = 2;
  Caches caches(limits);
  const Instant now = header.saved;
  LoadedCache loaded = load_cache_file(caches, bytes, now);
  if (!loaded.error.empty()) std::abort();
  if (loaded.rrsets + loaded.negative + loaded.expired + loaded.refused != seen) std::abort();
  EncodedCache again = encode_cache_file(caches, now);
  if (read_cache_file(again.bytes)) std::abort();
  return 0;
}
