// Fuzz target: HTTP_DATA_CHUNK translation (src/iis/data_chunks.*), the validation every
// WriteEntityChunks / WriteEntityChunkByReference call goes through.
//
// Builds an array of up to 16 chunks of every kind — memory (into the payload, or a NULL buffer),
// file ranges of a memfd filled from the payload (or a bad descriptor: -1, closed, a pipe),
// fragment-cache chunks (present, missing, malformed names, ranges), trailer types and arbitrary
// type values — and checks resolve_chunks() against a reference written here from the decisions
// in data_chunks.h: on success every chunk resolves to exactly the bytes (or file range) the
// reference computes and the total is their sum; on failure the HRESULT is the one of the first
// bad chunk and nothing is appended.
//
// Input: [count][per chunk: kind byte, then its fields][payload...]
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "iis/data_chunks.h"
#include "iis/fragment_cache.h"

namespace hs::fuzz {
namespace {

using iis::ResolvedChunk;

constexpr wchar_t kFragmentName[] = L"frag";
constexpr wchar_t kMissingName[] = L"gone";

struct Expect {
  HRESULT hr = S_OK;
  bool file = false;
  std::string bytes;  // memory: the bytes; file: the file's bytes in the range
  uint64_t offset = 0;
};

const HRESULT kInvalid = HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
const HRESULT kHandle = HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE);

bool range_of(uint64_t size, uint64_t start, uint64_t len, uint64_t* out_len) {
  if (start > size) return false;
  if (len == HTTP_BYTE_RANGE_TO_EOF) len = size - start;
  if (len > size - start) return false;
  *out_len = len;
  return true;
}

}  // namespace
}  // namespace hs::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hs::fuzz;
  Input in(data, size);
  const int count = in.byte() % 17;
  // Descriptions first; the payload (memory data, file and fragment contents) is what is left.
  struct Spec {
    uint8_t kind, a, b, c;
    uint64_t wide;
  };
  std::vector<Spec> specs;
  for (int i = 0; i < count; ++i)
    specs.push_back(Spec{in.byte(), in.byte(), in.byte(), in.byte(), in.u32()});
  std::string payload(in.rest());
  std::string file_bytes = payload.substr(0, std::min<size_t>(payload.size(), 64));
  std::string fragment = payload.substr(payload.size() / 2);

  int memfd = static_cast<int>(memfd_create("chunks", MFD_CLOEXEC));
  FUZZ_CHECK(memfd >= 0);
  FUZZ_CHECK(write(memfd, file_bytes.data(), file_bytes.size()) ==
             static_cast<ssize_t>(file_bytes.size()));
  int closed = dup(memfd);
  close(closed);
  int pipes[2];
  FUZZ_CHECK(pipe(pipes) == 0);

  hs::iis::FragmentCache cache(1 << 20, 1 << 20);
  cache.put(kFragmentName, fragment);

  auto handle = [](int fd) { return reinterpret_cast<HANDLE>(static_cast<intptr_t>(fd)); };
  std::vector<HTTP_DATA_CHUNK> chunks(specs.size());
  std::vector<Expect> expect(specs.size());
  std::vector<std::wstring> names(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    const Spec& s = specs[i];
    HTTP_DATA_CHUNK& c = chunks[i];
    Expect& e = expect[i];
    switch (s.kind % 8) {
      case 0: {  // memory into the payload, or NULL with a length
        c.DataChunkType = HttpDataChunkFromMemory;
        size_t off = payload.empty() ? 0 : s.a % payload.size();
        size_t len = std::min<size_t>(s.b, payload.size() - off);
        bool null = (s.c & 7) == 0;
        c.FromMemory.pBuffer = null ? nullptr : payload.data() + off;
        c.FromMemory.BufferLength = static_cast<ULONG>(null ? s.b : len);
        if (null && s.b > 0) {
          e.hr = kInvalid;
        } else if (!null) {
          e.bytes = payload.substr(off, len);
        }
        break;
      }
      case 1: {  // a file range, on a good or a bad descriptor
        c.DataChunkType = HttpDataChunkFromFileHandle;
        int which = s.c % 6;
        int fd = which == 3 ? -1 : which == 4 ? closed : which == 5 ? pipes[0] : memfd;
        c.FromFileHandle.FileHandle = handle(fd);
        uint64_t start = s.a % 80;
        uint64_t len = (s.b & 0x80) ? HTTP_BYTE_RANGE_TO_EOF : s.b % 80;
        c.FromFileHandle.ByteRange.StartingOffset.QuadPart = start;
        c.FromFileHandle.ByteRange.Length.QuadPart = len;
        uint64_t got = 0;
        if (fd != memfd) {
          e.hr = kHandle;
        } else if (!range_of(file_bytes.size(), start, len, &got)) {
          e.hr = kInvalid;
        } else {
          e.file = true;
          e.offset = start;
          e.bytes = file_bytes.substr(start, got);
        }
        break;
      }
      case 2: {  // FromFragmentCache: the name by byte length
        c.DataChunkType = HttpDataChunkFromFragmentCache;
        int which = s.c % 5;
        const wchar_t* name = which == 1 ? kMissingName : kFragmentName;
        USHORT bytes = static_cast<USHORT>(4 * sizeof(WCHAR));
        if (which == 2) bytes = static_cast<USHORT>(bytes - 1);  // not whole WCHARs
        if (which == 3) bytes = 0;
        c.FromFragmentCache.pFragmentName = which == 4 ? nullptr : name;
        c.FromFragmentCache.FragmentNameLength = bytes;
        if (which >= 2) {
          e.hr = kInvalid;
        } else if (which == 1) {
          e.hr = HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND);
        } else {
          e.bytes = fragment;
        }
        break;
      }
      case 3: {  // FromFragmentCacheEx: a NUL-terminated name and a range
        c.DataChunkType = HttpDataChunkFromFragmentCacheEx;
        int which = s.c % 4;
        if (which == 2) names[i].assign(hs::iis::kMaxFragmentNameChars + 1, L'x');
        c.FromFragmentCacheEx.pFragmentName = which == 0   ? kFragmentName
                                              : which == 1 ? kMissingName
                                              : which == 2 ? names[i].c_str()
                                                           : nullptr;
        uint64_t start = s.a;
        uint64_t len = (s.b & 0x80) ? HTTP_BYTE_RANGE_TO_EOF : s.b;
        c.FromFragmentCacheEx.ByteRange.StartingOffset.QuadPart = start;
        c.FromFragmentCacheEx.ByteRange.Length.QuadPart = len;
        uint64_t got = 0;
        if (which >= 2) {
          e.hr = kInvalid;
        } else if (which == 1) {
          e.hr = HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND);
        } else if (!range_of(fragment.size(), start, len, &got)) {
          e.hr = kInvalid;
        } else {
          e.bytes = fragment.substr(start, got);
        }
        break;
      }
      case 4:
      case 5:  // trailers, WinHttp fast-forwarding
        c.DataChunkType =
            s.kind % 8 == 4 ? HttpDataChunkTrailers : HttpDataChunkFromWinHttpFastForwarding;
        e.hr = HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED);
        break;
      default: {  // any other value, stored as the integer a module may put there
        int t = static_cast<int>(s.wide | 6u);
        if (t >= 0 && t <= 5) t = 6;
        memcpy(&c.DataChunkType, &t, sizeof t);
        e.hr = kInvalid;
        break;
      }
    }
  }

  std::vector<ResolvedChunk> out(1);  // something already there must stay untouched
  uint64_t total = 7;
  HRESULT want = S_OK;
  for (const Expect& e : expect) {
    if (FAILED(e.hr)) {
      want = e.hr;
      break;
    }
  }
  HRESULT hr = hs::iis::resolve_chunks(chunks.empty() ? nullptr : chunks.data(),
                                       static_cast<DWORD>(chunks.size()), &cache, &out, &total);
  FUZZ_CHECK(hr == want);
  if (FAILED(hr)) {
    FUZZ_CHECK(out.size() == 1 && total == 7);
  } else {
    FUZZ_CHECK(out.size() == 1 + expect.size());
    uint64_t sum = 0;
    for (size_t i = 0; i < expect.size(); ++i) {
      const ResolvedChunk& r = out[1 + i];
      const Expect& e = expect[i];
      FUZZ_CHECK(r.size == e.bytes.size());
      if (e.file) {
        FUZZ_CHECK(r.kind == ResolvedChunk::Kind::kFile && r.fd == memfd && r.offset == e.offset);
      } else {
        FUZZ_CHECK(r.kind == ResolvedChunk::Kind::kMemory);
        FUZZ_CHECK(r.size == 0 || memcmp(r.data, e.bytes.data(), r.size) == 0);
      }
      sum += r.size;
    }
    FUZZ_CHECK(total == 7 + sum);
  }
  // A NULL array is refused whenever it claims chunks.
  FUZZ_CHECK(hs::iis::resolve_chunks(nullptr, 1, &cache, &out, &total) == kInvalid);
  close(memfd);
  close(pipes[0]);
  close(pipes[1]);
  return 0;
}
