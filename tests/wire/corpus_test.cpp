// Real traffic: queries dig sent and responses NSD gave, captured on loopback by
// tests/data/capture.py. Each parses, survives parse -> build -> parse, and our dig-style text
// of each response equals dig's own line by line.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "hex.h"
#include "wire/message_rebuild.h"
#include "wire/rdata.h"
#include "wire/text.h"

using namespace tern::wire;
namespace fs = std::filesystem;

namespace {

const fs::path kDir = fs::path(TERN_TEST_DATA_DIR) / "nsd";

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<uint8_t> load(const std::string& stem, const char* suffix) {
  return test::hex(slurp(kDir / (stem + suffix)));
}

std::vector<std::string> stems() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kDir)) {
    auto name = e.path().filename().string();
    const std::string suffix = ".response.hex";
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      out.push_back(name.substr(0, name.size() - suffix.size()));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("corpus: every captured query and response parses and round-trips", "[corpus]") {
  auto all = stems();
  REQUIRE(all.size() >= 25);
  for (const auto& stem : all) {
    for (const char* suffix : {".query.hex", ".response.hex"}) {
      INFO(stem << suffix);
      auto p = load(stem, suffix);
      auto m = MessageView::parse(p);
      REQUIRE(m.ok());
      auto again = rebuild_message(*m);
      REQUIRE(again.ok());
      auto m2 = MessageView::parse(*again);
      REQUIRE(m2.ok());
      CHECK(equivalent_messages(*m, *m2));
      // Our compression is at least as tight as NSD's / dig's.
      CHECK(again->size() <= p.size());
    }
  }
}

TEST_CASE("corpus: our text equals dig's, line by line", "[corpus]") {
  for (const auto& stem : stems()) {
    INFO(stem);
    const auto p = load(stem, ".response.hex");
    auto m = MessageView::parse(p);
    REQUIRE(m.ok());
    // dig prints ";; Got answer:" first (about its transport, not the message).
    const std::string dig = slurp(kDir / (stem + ".dig"));
    const std::string got_answer = ";; Got answer:\n";
    REQUIRE(dig.starts_with(got_answer));
    const std::string ours = message_to_text(*m);
    std::istringstream want_lines(dig.substr(got_answer.size())), our_lines(ours);
    std::string want_line, our_line;
    size_t line_no = 0;
    while (std::getline(want_lines, want_line)) {
      ++line_no;
      INFO("line " << line_no);
      REQUIRE(std::getline(our_lines, our_line));
      CHECK(our_line == want_line);
    }
    CHECK_FALSE(std::getline(our_lines, our_line));
    // rr_to_text alone gives the answer lines as `dig +noall +answer` prints them.
    for (const auto& r : m->answer()) {
      auto line = rr_to_text(*r.owner().to_name(), r.ttl(), r.rclass(), r.type(),
                             *decompress_rdata(*m, r));
      CHECK(dig.find("\n" + line + "\n") != std::string::npos);
    }
  }
}

TEST_CASE("corpus: specific shapes", "[corpus]") {
  auto tc = load("big_truncated_udp", ".response.hex");
  auto mtc = MessageView::parse(tc);
  REQUIRE(mtc.ok());
  CHECK(mtc->header().tc);
  CHECK_FALSE(mtc->edns());
  const auto tcp_bytes = load("big_tcp", ".response.hex");
  auto tcp = MessageView::parse(tcp_bytes);
  REQUIRE(tcp.ok());
  CHECK(tcp->packet().size() > 512);
  CHECK(tcp->answer().size() == 8);
  const auto nx_bytes = load("nxdomain", ".response.hex");
  auto nx = MessageView::parse(nx_bytes);
  REQUIRE(nx.ok());
  CHECK(nx->rcode() == Rcode::NXDomain);
  REQUIRE(nx->authority().size() == 1);
  CHECK(nx->authority()[0].type() == RRType::SOA);
  const auto ref_bytes = load("referral_glue", ".response.hex");
  auto ref = MessageView::parse(ref_bytes);
  REQUIRE(ref.ok());
  CHECK(ref->answer().empty());
  CHECK(ref->authority()[0].type() == RRType::NS);
  CHECK(ref->additional().size() >= 1);
  const auto q_bytes = load("a_rrsig_do", ".query.hex");
  auto q = MessageView::parse(q_bytes);
  REQUIRE(q.ok());
  REQUIRE(q->edns());
  CHECK(q->edns()->do_bit());
  CHECK(q->edns()->cookie());  // dig sends a client cookie
  const auto dq_bytes = load("soa_noedns", ".query.hex");
  auto dq = MessageView::parse(dq_bytes);
  REQUIRE(dq.ok());
  CHECK_FALSE(dq->edns());
  CHECK(dq->header().rd);
  CHECK(dq->header().ad);  // dig sets AD in queries by default
}
