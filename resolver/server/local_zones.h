// Names a resolver answers itself, with no upstream traffic: localhost. (RFC 6761 §6.3), the
// loopback reverse zones, the private and special-use reverse zones of RFC 6303 (and RFC 6598's
// shared address space), and invalid. (RFC 6761 §6.4).
#pragma once

#include <array>
#include <optional>
#include <vector>

#include "resolver/server/client_query.h"

namespace tern::server {

class LocalZones {
 public:
  // `disabled`: apexes of built-in zones to leave to resolution (as Unbound's local-zone
  // nodefault), e.g. "invalid." in a lab that serves it. Names that are not built-in are ignored.
  explicit LocalZones(const std::vector<std::string>& disabled = {});

  // The answer for `q` when one of the local zones holds its name;
  // std::nullopt when it must be resolved.
  std::optional<Sections> answer(const ClientQuery& q) const;

  // Zone apexes served locally (for the docs and the tests).
  const std::vector<wire::Name>& zones() const { return zones_; }

 private:
  std::optional<Sections> answer_localhost(const ClientQuery& q, const wire::Name& apex) const;
  Sections negative(const wire::Name& apex, bool nxdomain) const;

  std::vector<wire::Name> zones_;
  wire::Name localhost_;
  wire::Name invalid_;
  std::array<wire::Name, 3> tlds_;  // arpa. localhost. invalid.
  wire::Name loopback_v4_reverse_;  // 1.0.0.127.in-addr.arpa.
  wire::Name loopback_v6_reverse_;  // 1.0.0. ... .ip6.arpa.
};

}  // namespace tern::server
