// fuzz-libs: tern_resolver
//
// Property: the front end's stream session (resolver/server/dns_stream.h: framing, pipelining,
// out-of-order answers, budgets), driven through a fake transport (tests/server/
// fake_stream_transport.h) by a script the input chooses -- bytes from the client in pieces of
// any size, answers released in any order, a client that stops reading, loop iterations, EOF --
// never crashes or leaks, writes only whole framed DNS responses each answering a query the
// client sent, never more answers than queries, and gives the write budget back when closed.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <span>
#include <vector>

#include "../server/stream_rig.h"

using namespace tern::server;
using namespace tern::server::test;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  TcpSettings settings;
  settings.max_inflight = 4;
  settings.messages_per_iteration = 8;
  settings.max_write_buffer = 512;
  settings.max_connections = 2;
  std::set<uint16_t> sent_ids;  // IDs of every complete message the client sent (a superset)
  size_t messages = 0;
  {
    StreamRig rig(settings);
    auto s = rig.connect();
    std::vector<uint8_t> client_stream;
    size_t pos = 0;
    while (pos < size) {
      uint8_t op = data[pos++];
      switch (op % 6) {
        case 0:
        case 1: {  // the client sends (op / 6 + 1) bytes, read in pieces of (op & 7) + 1
          size_t n = std::min<size_t>(size - pos, size_t(op / 6) + 1);
          s->pending_in.insert(s->pending_in.end(), data + pos, data + pos + n);
          client_stream.insert(client_stream.end(), data + pos, data + pos + n);
          pos += n;
          s->pump(size_t(op & 7) + 1);
          break;
        }
        case 2:  // the backend answers one waiting question
          if (!rig.backend.waiting.empty()) rig.backend.release(size_t(op / 6) % rig.backend.waiting.size());
          break;
        case 3:  // the client stops or starts reading its answers
          s->kernel_full = !s->kernel_full;
          if (!s->kernel_full) s->drain();
          break;
        case 4:  // a loop iteration: budgets renew, deferred streams resume
          rig.turn();
          s->pump();
          break;
        case 5:
          s->eof = true;
          s->pump();
          break;
      }
    }
    while (!rig.backend.waiting.empty()) rig.backend.release(0);
    s->kernel_full = false;
    s->drain();
    for (const auto& m : frames_of(client_stream)) {
      ++messages;
      if (m.size() >= 2) sent_ids.insert(uint16_t(m[0] << 8 | m[1]));
    }
    // Everything written is whole frames of responses to queries the client sent.
    size_t framed_bytes = 0;
    auto answers = frames_of(s->written);
    for (const auto& a : answers) {
      framed_bytes += 2 + a.size();
      if (a.size() < 12 || !(a[2] & 0x80)) std::abort();
      if (!sent_ids.count(uint16_t(a[0] << 8 | a[1]))) std::abort();
    }
    if (framed_bytes != s->written.size()) std::abort();
    if (answers.size() > messages) std::abort();
    rig.server->close_all();
    if (rig.server->write_budget_used() != 0) std::abort();
  }
  return 0;
}
