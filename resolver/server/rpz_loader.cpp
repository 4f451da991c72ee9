#include "resolver/server/rpz_loader.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "resolver/server/rpz_parser.h"

namespace tern::server {
namespace {

uint64_t mono_ms() {
  return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now().time_since_epoch()).count());
}

}  // namespace

RpzFileLoad load_rpz_file(const config::RpzConfig& cfg) {
  RpzFileLoad out;
  auto origin = wire::Name::from_text(cfg.name);
  if (!origin) {
    out.error = fmt::format("{}: rpz name '{}' is not a domain name", cfg.where, cfg.name);
    return out;
  }
  struct stat st{};
  if (::stat(cfg.file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    out.error = fmt::format("{}: cannot read the policy zone file", cfg.file);
    return out;
  }
  std::ifstream in(cfg.file, std::ios::binary);
  if (!in) {
    out.error = fmt::format("{}: cannot read the policy zone file", cfg.file);
    return out;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  RpzParseResult r = parse_rpz(text, *origin, size_t(cfg.max_rules));
  if (!r.zone) {
    out.error = fmt::format("{}:{}: {}", cfg.file, r.error_line, r.error);
    return out;
  }
  out.zone = std::make_shared<const RpzZone>(std::move(*r.zone));
  return out;
}

RpzLoader::RpzLoader(config::Log& log, std::shared_ptr<RpzStats> stats, Publish publish)
    : log_(log), stats_(std::move(stats)), publish_(std::move(publish)) {}

RpzLoader::~RpzLoader() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

RpzLoader::Stamp RpzLoader::stamp_of(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return {};
  return Stamp{int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, int64_t(st.st_size), uint64_t(st.st_ino)};
}

bool RpzLoader::refresh(Entry& e, bool force) {
  Stamp now = stamp_of(e.cfg.file);
  if (!force && now == e.stamp) return false;  // unchanged (a failing file is retried once it changes)
  e.stamp = now;
  auto started = std::chrono::steady_clock::now();
  RpzFileLoad l = load_rpz_file(e.cfg);
  if (!l.zone) {
    e.counters->load_failures.fetch_add(1, std::memory_order_relaxed);
    log_.error("rpz {}: {}; {}", e.cfg.name, l.error,
               e.zone ? "the previous policy stays in force" : "the zone is not in force");
    return false;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  e.zone = std::move(l.zone);
  e.counters->loads.fetch_add(1, std::memory_order_relaxed);
  e.counters->rules.store(e.zone->rule_count(), std::memory_order_relaxed);
  log_.info("rpz {}: loaded {} rules from {} in {} ms ({} bytes of rule tables)", e.cfg.name,
            e.zone->rule_count(), e.cfg.file, ms, e.zone->memory_bytes());
  return true;
}

bool RpzLoader::refresh_transfer(Entry& e, uint64_t now_ms) {
  auto origin = wire::Name::from_text(e.cfg.name);
  if (!origin) return false;
  std::string error;
  auto soa = rpz_query_soa(e.cfg.primary, *origin, error);
  // Retry after the SOA's retry interval when the primary fails (5 s before any SOA is known).
  uint64_t retry_ms = uint64_t(e.soa ? e.soa->retry : 5) * 1000;
  if (!soa) {
    e.counters->load_failures.fetch_add(1, std::memory_order_relaxed);
    log_.error("rpz {}: {}; {}", e.cfg.name, error, e.zone ? "the previous policy stays in force" : "the zone is not in force");
    e.next_check_ms = now_ms + retry_ms;
    return false;
  }
  e.next_check_ms = now_ms + uint64_t(soa->refresh) * 1000;
  if (e.zone && e.soa && e.soa->serial == soa->serial) return false;
  auto started = std::chrono::steady_clock::now();
  RpzTransferResult t = rpz_axfr(e.cfg.primary, *origin, size_t(e.cfg.max_rules));
  if (!t.zone) {
    e.counters->load_failures.fetch_add(1, std::memory_order_relaxed);
    log_.error("rpz {}: {}; {}", e.cfg.name, t.error, e.zone ? "the previous policy stays in force" : "the zone is not in force");
    e.next_check_ms = now_ms + retry_ms;
    return false;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  e.zone = std::move(t.zone);
  e.soa = t.soa;
  e.next_check_ms = now_ms + uint64_t(t.soa.refresh) * 1000;
  e.counters->loads.fetch_add(1, std::memory_order_relaxed);
  e.counters->rules.store(e.zone->rule_count(), std::memory_order_relaxed);
  log_.info("rpz {}: transferred {} rules (serial {}) from {} in {} ms", e.cfg.name, e.zone->rule_count(),
            t.soa.serial, e.cfg.primary, ms);
  return true;
}

void RpzLoader::publish_policy() {
  std::vector<RpzPolicyZone> zones;
  for (const Entry& e : entries_) {
    if (!e.zone) continue;
    RpzPolicyZone z;
    z.name = e.cfg.name;
    z.data = e.zone;
    z.counters = e.counters;
    rpz_ede_from_text(e.cfg.ede, z.ede);
    zones.push_back(std::move(z));
  }
  publish_(std::make_shared<const RpzPolicy>(std::move(zones)));
  std::lock_guard lock(mu_);
  ++generation_;
  cv_.notify_all();
}

std::string RpzLoader::start(std::vector<config::RpzConfig> zones) {
  for (auto& cfg : zones) {
    Entry e;
    e.counters = stats_->counters_for(cfg.name);
    e.cfg = std::move(cfg);
    if (!e.cfg.primary.empty()) {
      // A primary that does not answer at start-up does not stop the server: the zone comes
      // into force when a transfer succeeds (retried on the loader's thread).
      refresh_transfer(e, mono_ms());
      entries_.push_back(std::move(e));
      continue;
    }
    e.stamp = stamp_of(e.cfg.file);
    auto started = std::chrono::steady_clock::now();
    RpzFileLoad l = load_rpz_file(e.cfg);
    if (!l.zone) return l.error;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    e.zone = std::move(l.zone);
    e.counters->loads.fetch_add(1, std::memory_order_relaxed);
    e.counters->rules.store(e.zone->rule_count(), std::memory_order_relaxed);
    log_.info("rpz {}: loaded {} rules from {} in {} ms ({} bytes of rule tables)", e.cfg.name,
              e.zone->rule_count(), e.cfg.file, ms, e.zone->memory_bytes());
    entries_.push_back(std::move(e));
  }
  publish_policy();
  thread_ = std::thread([this] { run(); });
  return "";
}

void RpzLoader::reload(std::vector<config::RpzConfig> zones) {
  {
    std::lock_guard lock(mu_);
    pending_ = std::move(zones);
  }
  cv_.notify_all();
}

uint64_t RpzLoader::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

void RpzLoader::run() {
  while (true) {
    std::optional<std::vector<config::RpzConfig>> next;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(kRpzPollTickMs), [&] { return stop_ || pending_.has_value(); });
      if (stop_) return;
      next = std::exchange(pending_, std::nullopt);
    }
    bool changed = false;
    uint64_t now = mono_ms();
    if (next) {
      // Reload: the configured list in its new order; a zone keeps what it had loaded (so a bad
      // file leaves its previous rules in force) and every file is read again.
      std::vector<std::string> old_names;
      for (const Entry& e : entries_) old_names.push_back(e.cfg.name);
      std::vector<Entry> entries;
      std::vector<std::string> new_names;
      for (auto& cfg : *next) {
        Entry e;
        for (Entry& old : entries_)
          if (old.counters && old.cfg.name == cfg.name) e = std::move(old);
        if (!e.counters) e.counters = stats_->counters_for(cfg.name);
        // A zone whose file or limit changed is read again whatever its stamp says.
        bool same_source = e.zone && e.cfg.file == cfg.file && e.cfg.primary == cfg.primary &&
                           e.cfg.max_rules == cfg.max_rules;
        if (!same_source) {
          e.stamp = Stamp{};
          e.soa.reset();
        }
        changed |= e.zone && e.cfg.ede != cfg.ede;
        e.cfg = std::move(cfg);
        new_names.push_back(e.cfg.name);
        entries.push_back(std::move(e));
      }
      changed |= new_names != old_names;
      entries_ = std::move(entries);
      // Only files that changed (or were failing) are parsed again: an unchanged million-rule
      // zone costs nothing on SIGHUP, and the packet caches are not cleared for nothing.
      for (Entry& e : entries_) changed |= e.cfg.primary.empty() ? refresh(e, !e.zone) : refresh_transfer(e, now);
    } else {
      for (Entry& e : entries_) {
        if (!e.cfg.primary.empty()) {
          if (now >= e.next_check_ms) changed |= refresh_transfer(e, now);
          continue;
        }
        if (e.cfg.poll_interval == 0 || now < e.next_check_ms) continue;
        e.next_check_ms = now + uint64_t(e.cfg.poll_interval) * 1000;
        changed |= refresh(e, false);
      }
    }
    if (changed) publish_policy();
  }
}

}  // namespace tern::server
