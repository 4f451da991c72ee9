// The RPZ loader (rpz_loader.h): start-up load, a changed file picked up by the mtime poll, a bad
// file logged by file and line with the previous policy left in force, reload with a new list.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>

#include "resolver/config/log.h"
#include "resolver/server/rpz_loader.h"
#include "test_util.h"

using namespace tern;
using namespace tern::server;
using tern::server::test::name;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/tern-rpz-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// Written to a new file and renamed over the old one, as an operator's tooling would: the inode
// changes even within one mtime tick.
void write_file(const std::filesystem::path& p, const std::string& text) {
  auto tmp = p;
  tmp += ".new";
  std::ofstream(tmp) << text;
  std::filesystem::rename(tmp, p);
}

struct Published {
  std::mutex mu;
  std::shared_ptr<const RpzPolicy> policy;
  void set(std::shared_ptr<const RpzPolicy> p) {
    std::lock_guard lock(mu);
    policy = std::move(p);
  }
  std::shared_ptr<const RpzPolicy> get() {
    std::lock_guard lock(mu);
    return policy;
  }
};

bool wait_generation(const RpzLoader& l, uint64_t at_least) {
  for (int i = 0; i < 100; ++i) {
    if (l.generation() >= at_least) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

config::RpzConfig cfg_for(const std::filesystem::path& file, std::string zone = "rpz.example.") {
  config::RpzConfig c;
  c.name = std::move(zone);
  c.file = file;
  c.poll_interval = 1;
  c.where = "test.toml:1";
  return c;
}

}  // namespace

TEST_CASE("rpz loader: a bad file names file and line") {
  TempDir dir;
  auto file = dir.path / "bad.rpz";
  write_file(file, "ok.example CNAME .\nbroken.example CNAME\n");
  RpzFileLoad l = load_rpz_file(cfg_for(file));
  CHECK_FALSE(l.zone);
  CHECK(l.error.rfind(file.string().append(":2: "), 0) == 0);
  l = load_rpz_file(cfg_for(dir.path / "missing.rpz"));
  CHECK_FALSE(l.zone);
  CHECK(l.error.find("cannot read") != std::string::npos);
}

TEST_CASE("rpz loader: start-up load, then a change is polled in and a bad change keeps the old policy") {
  TempDir dir;
  auto file = dir.path / "policy.rpz";
  write_file(file, "a.example CNAME .\n");
  config::Log log(config::LogLevel::Off);
  auto stats = std::make_shared<RpzStats>();
  Published pub;
  RpzLoader loader(log, stats, [&](std::shared_ptr<const RpzPolicy> p) { pub.set(std::move(p)); });
  REQUIRE(loader.start({cfg_for(file)}) == "");
  CHECK(loader.generation() == 1);
  REQUIRE(pub.get());
  CHECK(pub.get()->match_query(name("a.example."), nullptr));
  CHECK_FALSE(pub.get()->match_query(name("b.example."), nullptr));

  write_file(file, "b.example CNAME .\n");
  REQUIRE(wait_generation(loader, 2));
  CHECK_FALSE(pub.get()->match_query(name("a.example."), nullptr));
  CHECK(pub.get()->match_query(name("b.example."), nullptr));
  auto counters = stats->counters_for("rpz.example.");
  CHECK(counters->loads == 2);
  CHECK(counters->rules == 1);

  write_file(file, "c.example CNAME .\nc.example BOGUS\n");
  for (int i = 0; i < 60 && counters->load_failures == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(counters->load_failures == 1);
  CHECK(loader.generation() == 2);  // nothing published
  CHECK(pub.get()->match_query(name("b.example."), nullptr));
}

TEST_CASE("rpz loader: reload applies a new zone list in its order") {
  TempDir dir;
  auto f1 = dir.path / "one.rpz";
  auto f2 = dir.path / "two.rpz";
  write_file(f1, "x.example CNAME rpz-passthru.\n");
  write_file(f2, "x.example CNAME .\n");
  config::Log log(config::LogLevel::Off);
  Published pub;
  RpzLoader loader(log, std::make_shared<RpzStats>(), [&](std::shared_ptr<const RpzPolicy> p) { pub.set(std::move(p)); });
  REQUIRE(loader.start({cfg_for(f1, "one.rpz."), cfg_for(f2, "two.rpz.")}) == "");
  CHECK(pub.get()->match_query(name("x.example."), nullptr)->rule.action == RpzAction::Passthru);
  loader.reload({cfg_for(f2, "two.rpz."), cfg_for(f1, "one.rpz.")});
  REQUIRE(wait_generation(loader, 2));
  CHECK(pub.get()->match_query(name("x.example."), nullptr)->rule.action == RpzAction::Nxdomain);
  loader.reload({});
  REQUIRE(wait_generation(loader, 3));
  CHECK(pub.get()->empty());
}

TEST_CASE("rpz config: [[rpz]] tables in order, keys checked, errors name the line") {
  config::Config c = config::default_config();
  config::apply_toml(c,
                     "[[rpz]]\nname = \"one.rpz.\"\nfile = \"/a\"\npoll-interval = 0\nede = \"filtered\"\n"
                     "[[rpz]]\nname = \"two.rpz.\"\nfile = \"/b\"\nmax-rules = 5\n",
                     "t.toml");
  REQUIRE(c.rpz.size() == 2);
  CHECK(c.rpz[0].name == "one.rpz.");
  CHECK(c.rpz[0].poll_interval == 0);
  CHECK(c.rpz[0].ede == "filtered");
  CHECK(c.rpz[1].file == "/b");
  CHECK(c.rpz[1].max_rules == 5);
  CHECK(c.rpz[1].poll_interval == 5);
  auto fails = [](const std::string& text, const std::string& what) {
    config::Config d = config::default_config();
    try {
      config::apply_toml(d, text, "t.toml");
    } catch (const config::ConfigError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(what) != std::string::npos);
      return;
    }
    FAIL("accepted: " << text);
  };
  fails("[[rpz]]\nname = \"x.\"\n", "t.toml:1: [[rpz]] needs a name and one of file or primary");
  fails("[[rpz]]\nname = \"x.\"\nfile = \"/a\"\nprimary = \"127.0.0.1\"\n", "one of file or primary");
  fails("[[rpz]]\nname = \"x.\"\nprimary = \"nowhere\"\n", "t.toml:3:");
  fails("[[rpz]]\nname = \"x\"\nfile = \"/a\"\n", "t.toml:2:");
  fails("[[rpz]]\nname = \"x.\"\nfile = \"/a\"\nede = \"loud\"\n", "t.toml:4:");
  fails("[[rpz]]\nname = \"x.\"\nfile = \"/a\"\nzone = 1\n", "unknown key 'zone'");
  fails("[[rpz]]\nname = \"x.\"\nfile = \"/a\"\n[[rpz]]\nname = \"x.\"\nfile = \"/b\"\n", "configured twice");
}
