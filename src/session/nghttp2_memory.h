#pragma once
// Memory for nghttp2 sessions: every stream costs nghttp2 a handful of small allocations (the
// stream, its outbound items, the header block copy, HPACK's reference-counted buffers), and a
// busy connection has hundreds of streams in flight, more than malloc's per-thread cache holds.
// This allocator keeps freed blocks per thread in size classes (bounded), like base/pooling.h's
// pools, and is plain malloc under sanitizers (HS_POOLING 0), so their reports stay exact.
// Blocks may be freed on another thread than the one that allocated them (a loop changes
// threads, base/blocking.h): they join that thread's cache.
#include <nghttp2/nghttp2.h>

namespace hs::session {

// The allocator for nghttp2_session_server_new3 (process-wide, stateless: its caches are
// per thread).
nghttp2_mem* nghttp2_memory();

}  // namespace hs::session
