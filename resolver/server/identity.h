// The server's identity over CHAOS TXT (Unbound's hide-identity / identity, hide-version /
// version): `id.server.` and `hostname.bind.` (RFC 4892) answer the configured identity,
// `version.bind.` and `version.server.` the version. Each is off by default (the query is then
// REFUSED as any non-IN query is): a resolver tells the world nothing about itself unless its
// operator says so. NSID (RFC 5001) is not answered yet.
#pragma once

#include <optional>
#include <string>

#include "resolver/server/client_query.h"

namespace tern::server {

struct IdentitySettings {
  bool hide_identity = true;
  bool hide_version = true;
  std::string identity;  // the host name when not configured (main fills it in)
  std::string version;   // "ternd VERSION" when not configured (main fills it in)
};

// The answer to a CH TXT (or ANY) question for one of the names above, when that one is shown;
// nullopt otherwise.
std::optional<Sections> identity_answer(const ClientQuery& q, const IdentitySettings& s);

}  // namespace tern::server
