// Parse and rebuild a typical response: www.example.com. A with five A answers (owner compressed
// to the question), EDNS. Prints ns per message for each, as on-CPU time of the thread (the
// machine is shared, so wall time is printed too but is inflated by other load). Release build:
//   cmake -S . -B build/wire-rel -DCMAKE_BUILD_TYPE=Release
//   cmake --build build/wire-rel --target bench_wire
//   build/wire-rel/bench/wire/bench_wire [iterations]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "wire/message_builder.h"
#include "wire/message_view.h"
#include "wire/rrset.h"

using namespace tern::wire;

namespace {

struct Timing {
  double cpu_ns;   // on-CPU time of this thread: what the code costs, even on a busy machine
  double wall_ns;  // elapsed time: includes time other processes held the CPU
};

double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

template <class F>
Timing per_op(size_t iterations, F&& f) {
  const double cpu0 = thread_cpu_ns();
  const auto wall0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < iterations; ++i) f(i);
  const auto wall1 = std::chrono::steady_clock::now();
  const double cpu1 = thread_cpu_ns();
  return {(cpu1 - cpu0) / double(iterations),
          std::chrono::duration<double, std::nano>(wall1 - wall0).count() / double(iterations)};
}

}  // namespace

int main(int argc, char** argv) {
  const size_t iterations = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 2'000'000;
  const Name qname = *Name::from_text("www.example.com.");
  RRset answers(qname, RRType::A, RRClass::IN, 300);
  for (uint8_t i = 1; i <= 5; ++i) answers.add(std::vector<uint8_t>{192, 0, 2, i});
  Edns edns;
  edns.udp_size = 1232;

  Header h;
  h.id = 0x1234;
  h.qr = h.rd = h.ra = true;
  MessageBuilder builder(1232);
  std::vector<uint8_t> packet;
  auto build = [&](size_t i) {
    builder.reset(1232);
    h.id = uint16_t(i);
    builder.set_header(h);
    builder.set_edns(edns);
    builder.add_question(qname, RRType::A, RRClass::IN);
    builder.add_rrset(Section::Answer, answers);
    builder.finish_into(packet);
  };
  build(0);
  std::printf("message: %zu octets, %zu answers\n", packet.size(), answers.size());

  size_t sink = 0;
  auto parse = [&](size_t) {
    auto m = MessageView::parse(packet);
    sink += m->answer().size() + m->answer()[4].rdata()[3];
  };
  // Warm up caches and branch predictors before measuring.
  for (size_t i = 0; i < 10000; ++i) {
    parse(i);
    build(i);
  }
  const Timing parse_t = per_op(iterations, parse);
  const Timing build_t = per_op(iterations, build);
  std::printf("parse: %.1f ns/message (cpu), %.1f ns wall\n", parse_t.cpu_ns, parse_t.wall_ns);
  std::printf("build: %.1f ns/message (cpu), %.1f ns wall\n", build_t.cpu_ns, build_t.wall_ns);
  return sink == 0 ? 1 : 0;  // keeps the parse results observable
}
