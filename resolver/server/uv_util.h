// The one RAII rule for libuv handles (STYLE.md §6): a handle lives on the heap or inside an
// object that outlives it, teardown is uv_close, and memory is freed in the close callback.
#pragma once

#include <uv.h>

namespace tern::server {

// Closes a heap-allocated handle of type H and deletes it once libuv is done with it.
template <class H>
void close_and_delete(H* handle) {
  auto* h = reinterpret_cast<uv_handle_t*>(handle);
  if (uv_is_closing(h)) return;
  uv_close(h, [](uv_handle_t* p) { delete reinterpret_cast<H*>(p); });
}

}  // namespace tern::server
