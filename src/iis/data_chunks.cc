#include "iis/data_chunks.h"

#include <sys/stat.h>

#include <cwchar>

namespace hs::iis {

std::optional<std::wstring_view> fragment_name(PCWSTR name) {
  if (name == nullptr) return std::nullopt;
  size_t n = wcsnlen(name, kMaxFragmentNameChars + 1);
  if (n == 0 || n > kMaxFragmentNameChars) return std::nullopt;
  return std::wstring_view(name, n);
}

namespace {

struct FileFacts {
  int64_t size = -1;  // -1: not an open regular file
  uint64_t dev = 0, ino = 0;
};

FileFacts file_facts(int fd) {
  FileFacts f;
  struct stat st {};
  if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    f.size = st.st_size;
    f.dev = st.st_dev;
    f.ino = st.st_ino;
  }
  return f;
}

}  // namespace

HRESULT resolve_range(int64_t file_size, uint64_t start, uint64_t length, uint64_t* size) {
  if (file_size < 0) return HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE);
  uint64_t total = static_cast<uint64_t>(file_size);
  if (start > total) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  if (length == HTTP_BYTE_RANGE_TO_EOF) length = total - start;
  if (length > total - start) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  *size = length;
  return S_OK;
}

HRESULT resolve_file_range(int fd, uint64_t start, uint64_t length, uint64_t* size) {
  return resolve_range(file_facts(fd).size, start, length, size);
}

namespace {

// A range inside a fragment of `size` bytes.
bool fragment_range(uint64_t size, const HTTP_BYTE_RANGE& r, uint64_t* offset, uint64_t* length) {
  uint64_t start = r.StartingOffset.QuadPart;
  uint64_t len = r.Length.QuadPart;
  if (start > size) return false;
  if (len == HTTP_BYTE_RANGE_TO_EOF) len = size - start;
  if (len > size - start) return false;
  *offset = start;
  *length = len;
  return true;
}

// What the last file chunk's descriptor was found to be, within one resolve_chunks() call.
struct StatMemo {
  int fd = -1;
  FileFacts facts;
  const FileFacts& get(int want) {
    if (want != fd) {
      fd = want;
      facts = file_facts(want);
    }
    return facts;
  }
};

// The last fragment looked up within one resolve_chunks() call: a chunk naming it again needs
// no lookup (and no reference-count traffic): an earlier chunk of the call holds the blob.
struct FragmentMemo {
  std::wstring_view name;
  const std::string* bytes = nullptr;
};

HRESULT resolve_one(const HTTP_DATA_CHUNK& c, FragmentCache* cache, StatMemo& memo,
                    FragmentMemo& fmemo, ResolvedChunk* r) {
  switch (chunk_type(c)) {
    case HttpDataChunkFromMemory:
      if (c.FromMemory.pBuffer == nullptr && c.FromMemory.BufferLength > 0) {
        return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
      }
      r->data = static_cast<const char*>(c.FromMemory.pBuffer);
      r->size = c.FromMemory.BufferLength;
      return S_OK;
    case HttpDataChunkFromFileHandle: {
      r->kind = ResolvedChunk::Kind::kFile;
      r->fd = chunk_fd(c);
      r->offset = c.FromFileHandle.ByteRange.StartingOffset.QuadPart;
      const FileFacts& f = memo.get(r->fd);
      r->dev = f.dev;
      r->ino = f.ino;
      return resolve_range(f.size, r->offset, c.FromFileHandle.ByteRange.Length.QuadPart, &r->size);
    }
    case HttpDataChunkFromFragmentCache:
    case HttpDataChunkFromFragmentCacheEx: {
      std::wstring_view name;
      HTTP_BYTE_RANGE range{};
      range.Length.QuadPart = HTTP_BYTE_RANGE_TO_EOF;
      if (chunk_type(c) == HttpDataChunkFromFragmentCache) {
        // FragmentNameLength is in bytes (spec §1.2): a whole number of WCHARs, NUL excluded.
        USHORT bytes = c.FromFragmentCache.FragmentNameLength;
        if (c.FromFragmentCache.pFragmentName == nullptr || bytes == 0 ||
            bytes % sizeof(WCHAR) != 0 || bytes / sizeof(WCHAR) > kMaxFragmentNameChars) {
          return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
        }
        name = std::wstring_view(c.FromFragmentCache.pFragmentName, bytes / sizeof(WCHAR));
      } else {
        std::optional<std::wstring_view> n = fragment_name(c.FromFragmentCacheEx.pFragmentName);
        if (!n) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
        name = *n;
        range = c.FromFragmentCacheEx.ByteRange;
      }
      const std::string* bytes = nullptr;
      if (fmemo.bytes != nullptr && fmemo.name == name) {
        bytes = fmemo.bytes;
      } else {
        FragmentCache::Blob blob = cache != nullptr ? cache->get(name) : nullptr;
        if (!blob) return HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND);
        bytes = blob.get();
        r->blob = std::move(blob);
      }
      uint64_t offset = 0, length = 0;
      if (!fragment_range(bytes->size(), range, &offset, &length)) {
        r->blob.reset();
        return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
      }
      if (r->blob) fmemo = FragmentMemo{name, bytes};
      r->data = bytes->data() + offset;
      r->size = length;
      r->fragment = true;
      return S_OK;
    }
    case HttpDataChunkTrailers:
    case HttpDataChunkFromWinHttpFastForwarding:
      return HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED);
    default:
      return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  }
}

}  // namespace

HRESULT resolve_chunks(const HTTP_DATA_CHUNK* chunks, DWORD n, FragmentCache* cache,
                       std::vector<ResolvedChunk>* out, uint64_t* total) {
  if (chunks == nullptr && n > 0) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  size_t first = out->size();
  uint64_t sum = 0;
  StatMemo memo;
  FragmentMemo fmemo;
  for (DWORD i = 0; i < n; ++i) {
    ResolvedChunk r;
    HRESULT hr = resolve_one(chunks[i], cache, memo, fmemo, &r);
    if (FAILED(hr)) {
      out->resize(first);
      return hr;
    }
    sum += r.size;
    out->push_back(std::move(r));
  }
  *total += sum;
  return S_OK;
}

}  // namespace hs::iis
