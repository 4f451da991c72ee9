// Keeps the response policy current: reads each [[rpz]] file, and re-reads it when its mtime,
// size or inode changes (polled every poll-interval seconds) or on reload (SIGHUP), on a thread
// of its own, so a million-rule file never stalls a worker. A new policy is built beside the one
// in force and handed over whole (`publish`, which Server::set_rpz_policy posts to each worker);
// a file that cannot be read or has a bad line is logged by file and line, counted, and its
// previous zone stays in force.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "resolver/config/config.h"
#include "resolver/config/log.h"
#include "resolver/server/rpz_policy.h"
#include "resolver/server/rpz_transfer.h"

namespace tern::server {

// The loader's tick: how often it looks whether a file's poll interval has passed.
inline constexpr uint32_t kRpzPollTickMs = 1000;

// Reads and parses one configured zone's file. On failure `error` is "file:line: message" (or
// "file: cannot read") and `zone` is null.
struct RpzFileLoad {
  std::shared_ptr<const RpzZone> zone;
  std::string error;
};
RpzFileLoad load_rpz_file(const config::RpzConfig& cfg);

class RpzLoader {
 public:
  using Publish = std::function<void(std::shared_ptr<const RpzPolicy>)>;
  RpzLoader(config::Log& log, std::shared_ptr<RpzStats> stats, Publish publish);
  ~RpzLoader();  // stops and joins the thread
  RpzLoader(const RpzLoader&) = delete;
  RpzLoader& operator=(const RpzLoader&) = delete;

  // Start-up: loads every zone on the calling thread and publishes the policy; returns the first
  // error ("" when all loaded), in which case nothing is published. Then starts the thread.
  std::string start(std::vector<config::RpzConfig> zones);
  // Reload: the new list of zones (added, removed, reordered) and every file read again, in the
  // background. Returns at once.
  void reload(std::vector<config::RpzConfig> zones);
  // Policies published so far (tests wait on it).
  uint64_t generation() const;

 private:
  struct Stamp {
    int64_t mtime_ns = -1;
    int64_t size = -1;
    uint64_t inode = 0;
    friend bool operator==(const Stamp&, const Stamp&) = default;
  };
  struct Entry {
    config::RpzConfig cfg;
    std::shared_ptr<RpzCounters> counters;
    std::shared_ptr<const RpzZone> zone;  // null until a load succeeded
    Stamp stamp;
    uint64_t next_check_ms = 0;
    std::optional<RpzSoa> soa;  // primary: the SOA of the zone in force
  };
  static Stamp stamp_of(const std::string& path);
  // Loads `e` when `force` or its file changed; true when its zone changed.
  bool refresh(Entry& e, bool force);
  // primary: asks the SOA and transfers the zone when the serial changed; true when it did.
  bool refresh_transfer(Entry& e, uint64_t now_ms);
  void publish_policy();
  void run();

  config::Log& log_;
  std::shared_ptr<RpzStats> stats_;
  Publish publish_;
  std::vector<Entry> entries_;  // loader thread only, after start()

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;                                       // guarded by mu_
  std::optional<std::vector<config::RpzConfig>> pending_;   // guarded by mu_
  uint64_t generation_ = 0;                                 // guarded by mu_
  std::thread thread_;
};

}  // namespace tern::server
