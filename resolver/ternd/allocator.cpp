#include "resolver/ternd/allocator.h"

#include <cstdlib>

#ifdef TERN_WITH_MIMALLOC
#include <mimalloc.h>
#endif

namespace tern::ternd {

std::string allocator_description() {
#ifdef TERN_WITH_MIMALLOC
  // mimalloc replaces malloc only when its shared library comes before libc in the link order;
  // a block from plain malloc() shows which one really answers.
  auto* probe = static_cast<char*>(std::calloc(1, 64));
  bool ours = probe != nullptr && mi_is_in_heap_region(probe);
  std::free(probe);
  int v = mi_version();
  std::string version = std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." +
                        std::to_string(v % 10);
  if (!ours) return "mimalloc " + version + " linked but not serving malloc (check the link order)";
  return "mimalloc " + version;
#else
  return "glibc malloc";
#endif
}

}  // namespace tern::ternd
