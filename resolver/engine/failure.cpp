#include "resolver/engine/failure.h"

namespace tern::engine {

std::string_view to_string(Failure f) {
  switch (f) {
    case Failure::AllServersFailed: return "all-servers-failed";
    case Failure::NoUsableServers: return "no-usable-servers";
    case Failure::NotAllowed: return "not-allowed";
    case Failure::UpstreamBudget: return "upstream-budget";
    case Failure::Deadline: return "deadline";
    case Failure::CnameChainTooLong: return "cname-chain-too-long";
    case Failure::CnameLoop: return "cname-loop";
    case Failure::ReferralDepth: return "referral-depth";
    case Failure::GluelessLimit: return "glueless-limit";
    case Failure::SubqueryDepth: return "subquery-depth";
    case Failure::PrimingFailed: return "priming-failed";
    case Failure::BadRootHints: return "bad-root-hints";
    case Failure::Overloaded: return "overloaded";
    case Failure::ServersDown: return "servers-down";
    case Failure::FetchLimit: return "fetch-limit";
    case Failure::RecentFailure: return "recent-failure";
    case Failure::DnssecBogus: return "dnssec-bogus";
    case Failure::DnssecSignatureExpired: return "dnssec-signature-expired";
    case Failure::DnssecSignatureNotYetValid: return "dnssec-signature-not-yet-valid";
    case Failure::DnssecDnskeyMissing: return "dnssec-dnskey-missing";
    case Failure::DnssecRrsigsMissing: return "dnssec-rrsigs-missing";
    case Failure::DnssecNsecMissing: return "dnssec-nsec-missing";
    case Failure::AllServersLame: return "all-servers-lame";
    case Failure::NetworkError: return "network-error";
    case Failure::Internal: return "internal";
  }
  return "unknown";
}

wire::Rcode client_rcode(Failure) { return wire::Rcode::ServFail; }

bool remembered(Failure f) {
  switch (f) {
    case Failure::Overloaded:
    case Failure::FetchLimit:
    case Failure::RecentFailure:
    case Failure::Internal: return false;
    default: return true;
  }
}

}  // namespace tern::engine
