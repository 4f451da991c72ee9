#include "wire/wire_error.h"

namespace tern::wire {

std::string_view to_string(WireError e) {
  switch (e) {
    case WireError::Truncated: return "truncated";
    case WireError::LabelTooLong: return "label too long";
    case WireError::NameTooLong: return "name too long";
    case WireError::BadLabelType: return "bad label type";
    case WireError::PointerLoop: return "compression pointer loop";
    case WireError::PointerNotBackward: return "compression pointer not backward";
    case WireError::PointerOutOfRange: return "compression pointer out of range";
    case WireError::TooManyPointers: return "too many compression pointers";
    case WireError::CountExceedsPacket: return "section count exceeds packet";
    case WireError::RdlengthMismatch: return "rdlength mismatch";
    case WireError::TrailingGarbage: return "trailing garbage";
    case WireError::BadRdata: return "bad rdata";
    case WireError::BadText: return "bad presentation text";
    case WireError::BadEscape: return "bad escape";
    case WireError::UnknownType: return "unknown type";
    case WireError::NoSpace: return "no space";
    case WireError::EmptyLabel: return "empty label";
    case WireError::BadOpt: return "bad OPT record";
    case WireError::MultipleOpt: return "multiple OPT records";
    case WireError::OptNotInAdditional: return "OPT outside additional section";
    case WireError::BadNumber: return "bad number";
    case WireError::UnknownClass: return "unknown class";
    case WireError::CompressedRdata: return "compressed name in rdata of a later type";
  }
  return "unknown wire error";
}

}  // namespace tern::wire
