// FaultSpec: what one address of the fault authority plays, read from faults.conf (written by
// tests/lab/labgen/faults.py). One line per address:
//   <address> <behaviour> <zone> <answer-address> [key=value ...]
// Keys: ms (delay), port (other-port), bogus (forged address), victim (poison), count and target
// (nxns), peer (referral-loop, upward-referral), parent (upward-referral).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/name.h"
#include "wire/result.h"

namespace tern::lab {

enum class Behaviour : uint8_t {
  Normal,          // answers authoritatively for its zone
  Silence,         // never answers
  Delay,           // answers after `delay_ms`
  Tc,              // UDP: empty answer with TC; TCP: the answer
  WrongId,         // a forged reply with another ID first, then the answer
  WrongQuestion,   // a forged reply with the right ID but another question first, then the answer
  OtherPort,       // a forged reply from `other_port` first, then the answer from port 53
  Poison,          // the answer plus out-of-bailiwick records about `victim`
  FormerrEdns,     // FORMERR without OPT to a query with EDNS; plain queries get the answer
  ServFail,        // SERVFAIL to everything
  Refused,         // REFUSED to everything
  Malformed,       // a reply whose answer record runs past the end of the packet
  NoAa,            // lame: NOERROR without AA, an upward referral to the root
  Nxns,            // a referral of the qname to `count` glueless names under `target`
  ReferralLoop,    // refers the qname down to a child whose server is `peer`
  UpwardReferral,  // refers everything up to `parent` on `peer`
  RefuseMarked,    // REFUSED when the qname's first label starts with "refuse"; otherwise Normal
                   // (one REFUSED on demand, stateless, so other clients of the lab see no change)
};

std::optional<Behaviour> behaviour_from_text(std::string_view text);
std::string_view behaviour_to_text(Behaviour b);

using Ipv4 = std::array<uint8_t, 4>;
std::optional<Ipv4> ipv4_from_text(std::string_view text);

struct FaultSpec {
  std::string address_text;
  Ipv4 address{};
  Behaviour behaviour = Behaviour::Normal;
  wire::Name zone;
  Ipv4 answer{};  // www.<zone> A
  uint32_t delay_ms = 0;
  uint16_t other_port = 0;
  Ipv4 bogus{};
  wire::Name victim;
  uint32_t count = 0;
  wire::Name target;
  wire::Name parent;
  Ipv4 peer{};
};

struct ConfigError {
  size_t line = 0;
  std::string message;
};

// Blank lines and lines starting with '#' are skipped. Every address may appear once.
Result<std::vector<FaultSpec>, ConfigError> parse_fault_config(std::string_view text);

}  // namespace tern::lab
