#include "resolver/server/cache_persist.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "cache/cache_file.h"
#include "cache/caches.h"

namespace tern::server {
namespace {

cache::Instant wall_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

bool write_all(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= size_t(w);
  }
  return true;
}

}  // namespace

CacheFileResult save_cache_file(const cache::Caches& caches, const std::string& path) {
  CacheFileResult out;
  if (path.empty()) {
    out.error = "no file name";
    return out;
  }
  cache::EncodedCache enc = cache::encode_cache_file(caches, wall_now());
  const std::string tmp = path + ".tmp";
  // 0600: the cache shows which names this resolver's clients looked up.
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    out.error = fmt::format("{}: cannot create: {}", tmp, std::strerror(errno));
    return out;
  }
  bool ok = write_all(fd, enc.bytes.data(), enc.bytes.size()) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) err = errno;
    ::unlink(tmp.c_str());
    out.error = fmt::format("{}: cannot write: {}", path, std::strerror(err));
    return out;
  }
  out.rrsets = enc.rrsets;
  out.negative = enc.negative;
  return out;
}

CacheFileResult load_cache_file(cache::Caches& caches, const std::string& path) {
  CacheFileResult out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.error = fmt::format("{}: cannot open: {}", path, std::strerror(errno));
    return out;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    out.error = fmt::format("{}: not a regular file", path);
    return out;
  }
  if (uint64_t(st.st_size) > kMaxCacheFileBytes) {
    ::close(fd);
    out.error = fmt::format("{}: {} bytes, more than a cache file may hold ({})", path, st.st_size,
                            kMaxCacheFileBytes);
    return out;
  }
  std::vector<uint8_t> bytes(size_t(st.st_size));
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += size_t(n);
  }
  ::close(fd);
  bytes.resize(got);
  cache::LoadedCache loaded = cache::load_cache_file(caches, bytes, wall_now());
  if (!loaded.error.empty()) {
    out.error = fmt::format("{}: {}; nothing loaded", path, loaded.error);
    return out;
  }
  out.rrsets = loaded.rrsets;
  out.negative = loaded.negative;
  out.expired = loaded.expired;
  return out;
}

}  // namespace tern::server
