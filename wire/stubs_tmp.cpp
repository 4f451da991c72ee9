// FIRST COMMIT ONLY: placeholders so tern_wire links while the real code lands (next commit).
// Every function here reports failure; nothing returns made-up data.
#include "wire/message_builder.h"
#include "wire/message_view.h"
#include "wire/rdata.h"
#include "wire/rrset.h"
#include "wire/text.h"

namespace tern::wire {


std::string rdata_to_text(RRType, std::span<const uint8_t>) { return {}; }
Result<Bytes, WireError> rdata_from_text(RRType, std::string_view, const Name&) { return fail(WireError::BadText); }



std::string rr_to_text(const Name&, uint32_t, RRClass, RRType, std::span<const uint8_t>) { return {}; }
std::string rrset_to_text(const RRset&) { return {}; }
std::string message_to_text(const MessageView&) { return {}; }
Result<ParsedRR, WireError> rr_from_text(std::string_view, const Name&, uint32_t) { return fail(WireError::BadText); }

}  // namespace tern::wire
