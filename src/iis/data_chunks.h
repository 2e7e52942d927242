#pragma once
// HTTP_DATA_CHUNK → what the server sends: validation and resolution of a module's chunk array
// in one pass, shared by WriteEntityChunks / WriteEntityChunkByReference and the fragment-cache
// methods of IHttpServer. Pure apart from fstat() on file chunks: it copies nothing, duplicates
// no descriptor and never writes.
//
// Decisions (docs/response-body.md, spec §6.9 [INF]):
//   - NULL array with n > 0, unknown chunk type, NULL pBuffer with a length, a fragment name
//     that is empty, not NUL-terminated within the limit, or whose FragmentNameLength is not a
//     whole number of WCHARs: HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER).
//   - A descriptor that is negative, closed, or not a regular file: ERROR_INVALID_HANDLE.
//   - A byte range (file or fragment) that starts or ends past the end: ERROR_INVALID_PARAMETER.
//   - Trailers / WinHttp fast-forwarding chunks: ERROR_NOT_SUPPORTED.
//   - A fragment that is not in the cache (or no cache): ERROR_PATH_NOT_FOUND, as
//     ReadFragmentFromCache reports a miss.
#include <httpserv.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "iis/fragment_cache.h"

namespace hs::iis {

// A fragment name is at most 65,532 bytes (HTTP_DATA_CHUNK FromFragmentCacheEx), without the NUL.
inline constexpr size_t kMaxFragmentNameChars = 65532 / sizeof(WCHAR);

// `name` as a view if it is non-empty and NUL-terminated within kMaxFragmentNameChars + 1
// characters (never reads further); otherwise nullopt.
std::optional<std::wstring_view> fragment_name(PCWSTR name);

// One chunk, resolved. kMemory: `data` (the module's memory or a fragment's bytes); kFile: the
// module's descriptor `fd` (not duplicated) from `offset`. `size` is final (TO_EOF resolved).
struct ResolvedChunk {
  enum class Kind : unsigned char { kMemory, kFile };
  Kind kind = Kind::kMemory;
  const char* data = nullptr;
  int fd = -1;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t dev = 0, ino = 0;  // kFile: the file's identity (to share one duplicate per file)
  // A fragment's bytes: immutable, kept alive by `blob` — set on the first chunk of a call that
  // names the fragment; later chunks of the same call naming it again leave it empty.
  bool fragment = false;
  FragmentCache::Blob blob;
};

// The chunk's DataChunkType as an integer. A module may store any value there; loading an
// out-of-range value as the enum type would be undefined behaviour, so it is read as bytes.
inline int chunk_type(const HTTP_DATA_CHUNK& c) {
  static_assert(sizeof(c.DataChunkType) == sizeof(int));
  int t;
  memcpy(&t, &c.DataChunkType, sizeof t);
  return t;
}

// The descriptor carried by a FromFileHandle chunk ((HANDLE)(intptr_t)fd).
inline int chunk_fd(const HTTP_DATA_CHUNK& c) {
  return static_cast<int>(reinterpret_cast<intptr_t>(c.FromFileHandle.FileHandle));
}

// Resolves the byte range [start, start+length) of a regular file (length may be
// HTTP_BYTE_RANGE_TO_EOF) into *size. S_OK, ERROR_INVALID_HANDLE or ERROR_INVALID_PARAMETER.
HRESULT resolve_file_range(int fd, uint64_t start, uint64_t length, uint64_t* size);

// The same for a file already fstat()ed: `file_size`, or -1 if `fd` is not an open regular file.
HRESULT resolve_range(int64_t file_size, uint64_t start, uint64_t length, uint64_t* size);

// Validates and resolves `chunks[0..n)`, appending to *out (nothing is appended on failure) and
// adding the byte total to *total. `cache` may be null (then fragment chunks miss). A descriptor
// is fstat()ed once per call however many chunks name it.
HRESULT resolve_chunks(const HTTP_DATA_CHUNK* chunks, DWORD n, FragmentCache* cache,
                       std::vector<ResolvedChunk>* out, uint64_t* total);

}  // namespace hs::iis
