#!/usr/bin/env bash
# Proves the module graph is enforced by the build: with exactly the include roots a module's
# target gets, its own headers compile and a header of a module above it does not.
# usage: check_one_way.sh CXX INCLUDE_ROOT_DIR
set -u
cxx=$1; inc=$2
fail=0
cd "$(mktemp -d)" || exit 1   # quoted includes search the working directory first
try() {  # expect(ok|fail) roots... -- header
  local expect=$1; shift; local flags=()
  while [ "$1" != "--" ]; do flags+=("-I$inc/$1"); shift; done; shift
  if echo "#include \"$1\"" | "$cxx" -std=c++20 -fsyntax-only "${flags[@]}" -x c++ - 2>/dev/null; then got=ok; else got=fail; fi
  if [ "$got" = "$expect" ]; then echo "ok: $expect including $1 with ${flags[*]}"
  else echo "WRONG: expected $expect including $1 with ${flags[*]}"; fail=1; fi
}
try ok   tern_wire -- wire/name.h
try fail tern_wire -- cache/rrset_cache.h
try fail tern_wire -- resolver/engine/engine.h
try ok   tern_cache tern_wire -- cache/rrset_cache.h
try fail tern_cache tern_wire -- resolver/engine/engine.h
try fail tern_cache tern_wire -- resolver/server/server.h
try fail tern_engine tern_cache tern_wire tern_root_hints -- resolver/server/server.h
try ok   tern_engine tern_cache tern_wire tern_root_hints tern_validator -- resolver/engine/engine.h
try fail tern_engine tern_cache tern_wire tern_root_hints -- resolver/net/uv_transport.h
# The validator (pure DNSSEC functions) sits on wire only, beside the engine.
try ok   tern_validator tern_wire -- resolver/validator/rrset_verify.h
try fail tern_validator tern_wire -- cache/rrset_cache.h
try fail tern_validator tern_wire -- resolver/engine/engine.h
try fail tern_validator tern_wire -- resolver/net/uv_transport.h
exit $fail
