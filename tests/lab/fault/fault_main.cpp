// tern_lab_fault FAULTS.CONF: the lab's fault authority (see docs/lab.md, "Fault cases").
// Started and stopped by `tests/lab/lab up|down`, which writes FAULTS.CONF.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "fault_server.h"
#include "fault_spec.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: tern_lab_fault FAULTS.CONF\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::fprintf(stderr, "tern_lab_fault: cannot read %s\n", argv[1]);
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto specs = tern::lab::parse_fault_config(text.str());
  if (!specs) {
    std::fprintf(stderr, "%s:%zu: %s\n", argv[1], specs.error().line, specs.error().message.c_str());
    return 2;
  }
  size_t count = specs->size();
  tern::lab::FaultServer server(std::move(*specs));
  if (auto problem = server.open(); !problem.empty()) {
    std::fprintf(stderr, "tern_lab_fault: cannot bind %s\n", problem.c_str());
    return 1;
  }
  std::fprintf(stderr, "tern_lab_fault: serving %zu addresses\n", count);
  server.run();
  return 0;
}
