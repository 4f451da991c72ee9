// FIRST COMMIT ONLY: placeholders so tern_wire links while the real code lands (next commit).
// Every function here reports failure; nothing returns made-up data.
#include "wire/message_builder.h"
#include "wire/message_view.h"
#include "wire/rdata.h"
#include "wire/rrset.h"
#include "wire/text.h"

namespace tern::wire {

Result<Header, WireError> parse_header(std::span<const uint8_t>) { return fail(WireError::Truncated); }
std::vector<EdnsOptionView> EdnsView::options() const { return {}; }
std::optional<std::span<const uint8_t>> EdnsView::option(uint16_t) const { return {}; }
std::optional<EdeView> EdnsView::ede() const { return {}; }
Edns EdnsView::to_edns() const { return {}; }
Result<MessageView, WireError> MessageView::parse(std::span<const uint8_t>) { return fail(WireError::Truncated); }
std::span<const RecordView> MessageView::section(Section) const { return {}; }
std::optional<EdnsView> MessageView::edns() const { return {}; }
Rcode MessageView::rcode() const { return Rcode(header_.rcode); }

Result<Bytes, WireError> decompress_rdata(const MessageView&, const RecordView&) { return fail(WireError::BadRdata); }
Result<Bytes, WireError> decompress_rdata(std::span<const uint8_t>, size_t, size_t, RRType) { return fail(WireError::BadRdata); }
std::optional<WireError> validate_rdata_in_packet(std::span<const uint8_t>, size_t, size_t, RRType) { return WireError::BadRdata; }
std::optional<WireError> validate_rdata(RRType, std::span<const uint8_t>) { return WireError::BadRdata; }
std::string rdata_to_text(RRType, std::span<const uint8_t>) { return {}; }
Result<Bytes, WireError> rdata_from_text(RRType, std::string_view, const Name&) { return fail(WireError::BadText); }
std::optional<Name> rdata_target(RRType, std::span<const uint8_t>) { return {}; }
std::optional<SoaData> parse_soa(std::span<const uint8_t>) { return {}; }
std::optional<MxData> parse_mx(std::span<const uint8_t>) { return {}; }
std::optional<SrvData> parse_srv(std::span<const uint8_t>) { return {}; }
std::optional<std::array<uint8_t, 4>> rdata_a(std::span<const uint8_t>) { return {}; }
std::optional<std::array<uint8_t, 16>> rdata_aaaa(std::span<const uint8_t>) { return {}; }

bool RRset::add(std::span<const uint8_t>) { return false; }
bool RRset::same_data(const RRset&) const { return false; }
Result<std::vector<RRset>, WireError> collect_rrsets(const MessageView&, Section) { return fail(WireError::BadRdata); }

MessageBuilder::MessageBuilder(size_t max_size) : max_size_(max_size) {}
void MessageBuilder::reset(size_t max_size) { max_size_ = max_size; }
void MessageBuilder::set_header(const Header& h) { header_ = h; }
bool MessageBuilder::add_question(const Name&, RRType, RRClass) { return false; }
MessageBuilder::Added MessageBuilder::add_rrset(Section, const RRset&) { return Added::NoRoom; }
MessageBuilder::Added MessageBuilder::add_record(Section, const Name&, RRType, RRClass, uint32_t, std::span<const uint8_t>) { return Added::NoRoom; }
void MessageBuilder::set_edns(const Edns& e) { edns_ = e; }
std::vector<uint8_t> MessageBuilder::finish() { return {}; }
void MessageBuilder::finish_into(std::vector<uint8_t>& out) { out.clear(); }
size_t MessageBuilder::size() const { return 0; }
std::vector<uint8_t> build_query(uint16_t, const Name&, RRType, RRClass, bool, const std::optional<Edns>&) { return {}; }

std::string rr_to_text(const Name&, uint32_t, RRClass, RRType, std::span<const uint8_t>) { return {}; }
std::string rrset_to_text(const RRset&) { return {}; }
std::string message_to_text(const MessageView&) { return {}; }
Result<ParsedRR, WireError> rr_from_text(std::string_view, const Name&, uint32_t) { return fail(WireError::BadText); }

}  // namespace tern::wire
