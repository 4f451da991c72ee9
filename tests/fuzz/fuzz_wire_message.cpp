// fuzz-libs: tern_wire
//
// Property: any packet MessageView::parse accepts can be rebuilt by MessageBuilder, and parsing
// the rebuilt packet gives the same message (header, questions, records with canonical RDATA,
// EDNS). Every record's RDATA also survives text -> RDATA -> text. Nothing may crash or leak.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "wire/message_rebuild.h"
#include "wire/rdata.h"
#include "wire/rrset.h"
#include "wire/text.h"

using namespace tern::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> packet(data, size);
  auto msg = MessageView::parse(packet);
  if (!msg) return 0;

  // Accessors after a successful parse cannot fail.
  (void)message_to_text(*msg);
  for (Section s : {Section::Answer, Section::Authority, Section::Additional}) {
    if (!collect_rrsets(*msg, s)) std::abort();
    for (const auto& r : msg->section(s)) {
      auto rdata = decompress_rdata(*msg, r);
      if (!rdata) std::abort();
      auto text = rdata_to_text(r.type(), *rdata);
      auto back = rdata_from_text(r.type(), text, Name());
      if (!back || *back != *rdata) std::abort();
    }
  }

  auto rebuilt = rebuild_message(*msg);
  if (!rebuilt) {
    // A sender may compress harder than we do (pointers into arbitrary bytes), so a rebuilt
    // message can exceed 65535 octets; anything else is a bug.
    if (rebuilt.error() == WireError::NoSpace) return 0;
    std::abort();
  }
  auto again = MessageView::parse(*rebuilt);
  if (!again || !equivalent_messages(*msg, *again)) std::abort();
  return 0;
}
