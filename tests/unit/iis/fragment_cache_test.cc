// The fragment cache (bounded LRU of immutable blobs), the IHttpServer fragment methods on top
// of it, and resolve_chunks(): the HTTP_DATA_CHUNK validation every response-body call uses.
#include "iis/fragment_cache.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "iis/data_chunks.h"
#include "iis/http_server_impl.h"

namespace hs::iis {
namespace {

TEST(FragmentCache, StoresReplacesAndRemoves) {
  FragmentCache c(1024, 512);
  EXPECT_EQ(c.put(L"a", "alpha"), FragmentCache::PutResult::kAdded);
  FragmentCache::Blob held = c.get(L"a");
  ASSERT_TRUE(held);
  EXPECT_EQ(*held, "alpha");
  EXPECT_EQ(c.put(L"a", "ALPHA!"), FragmentCache::PutResult::kReplaced);
  EXPECT_EQ(*c.get(L"a"), "ALPHA!");
  EXPECT_EQ(*held, "alpha");  // a reader keeps the bytes it got
  EXPECT_FALSE(c.get(L"A"));  // names are case-sensitive
  EXPECT_TRUE(c.remove(L"a"));
  EXPECT_FALSE(c.remove(L"a"));
  EXPECT_FALSE(c.get(L"a"));
  EXPECT_EQ(c.put(L"", "x"), FragmentCache::PutResult::kInvalidName);
  FragmentCache::Stats st = c.stats();
  EXPECT_EQ(st.insertions, 1u);
  EXPECT_EQ(st.replacements, 1u);
  EXPECT_EQ(st.removals, 1u);
  EXPECT_EQ(st.hits, 2u);
  EXPECT_EQ(st.misses, 2u);
  EXPECT_EQ(st.entries, 0u);
  EXPECT_EQ(st.bytes, 0u);
}

TEST(FragmentCache, EvictsLeastRecentlyUsedWithinCapacity) {
  FragmentCache c(30, 30);
  ASSERT_EQ(c.put(L"1", std::string(10, '1')), FragmentCache::PutResult::kAdded);
  ASSERT_EQ(c.put(L"2", std::string(10, '2')), FragmentCache::PutResult::kAdded);
  ASSERT_EQ(c.put(L"3", std::string(10, '3')), FragmentCache::PutResult::kAdded);
  ASSERT_TRUE(c.get(L"1"));  // 1 is now the most recently used: 2 is the oldest
  ASSERT_EQ(c.put(L"4", std::string(15, '4')), FragmentCache::PutResult::kAdded);
  EXPECT_TRUE(c.get(L"1"));
  EXPECT_FALSE(c.get(L"2"));
  EXPECT_FALSE(c.get(L"3"));  // 15 more bytes needed two evictions
  EXPECT_TRUE(c.get(L"4"));
  FragmentCache::Stats st = c.stats();
  EXPECT_EQ(st.evictions, 2u);
  EXPECT_EQ(st.bytes, 25u);
  EXPECT_LE(st.bytes, st.capacity);
}

TEST(FragmentCache, RefusesOversizeBlobsAndNeverLeavesThemStale) {
  FragmentCache c(100, 8);
  ASSERT_EQ(c.put(L"k", "small"), FragmentCache::PutResult::kAdded);
  ASSERT_EQ(c.put(L"other", "keep"), FragmentCache::PutResult::kAdded);
  EXPECT_EQ(c.put(L"k", "much too large"), FragmentCache::PutResult::kTooLarge);
  EXPECT_FALSE(c.get(L"k"));     // the old value is not served in place of the new one
  EXPECT_TRUE(c.get(L"other"));  // nothing else was evicted for the refused blob
  EXPECT_EQ(c.stats().rejections, 1u);

  FragmentCache off(0, 8);  // capacity 0 disables the cache
  EXPECT_EQ(off.put(L"k", "v"), FragmentCache::PutResult::kTooLarge);
}

TEST(FragmentCache, ShrinkingLimitsEvictsAtOnce) {
  FragmentCache c(100, 100);
  c.put(L"big", std::string(60, 'b'));
  c.put(L"small", std::string(5, 's'));
  c.set_limits(100, 10);
  EXPECT_FALSE(c.get(L"big"));
  EXPECT_TRUE(c.get(L"small"));
  c.put(L"x", std::string(5, 'x'));
  c.set_limits(6, 10);
  FragmentCache::Stats st = c.stats();
  EXPECT_LE(st.bytes, 6u);
  EXPECT_EQ(st.entries, 1u);
}

TEST(FragmentCache, ConcurrentUseStaysWithinBoundsAndConsistent) {
  // Four threads insert, read, replace and remove overlapping names; every blob read must be
  // one that was written under that name, and the cache must end within its bounds.
  FragmentCache c(4096, 256);
  std::atomic<bool> bad{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      unsigned seed = static_cast<unsigned>(t) * 7919u + 1;
      for (int i = 0; i < 20000; ++i) {
        seed = seed * 1103515245u + 12345u;
        int k = static_cast<int>((seed >> 16) % 64);
        std::wstring name = L"n" + std::to_wstring(k);
        switch ((seed >> 8) % 4) {
          case 0:
          case 1:
            c.put(name,
                  std::string(static_cast<size_t>(k + 1) * 3, static_cast<char>('A' + k % 26)));
            break;
          case 2:
            if (FragmentCache::Blob b = c.get(name)) {
              if (b->size() != static_cast<size_t>(k + 1) * 3 ||
                  b->find_first_not_of(static_cast<char>('A' + k % 26)) != std::string::npos) {
                bad = true;
              }
            }
            break;
          default:
            c.remove(name);
        }
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_FALSE(bad);
  FragmentCache::Stats st = c.stats();
  EXPECT_LE(st.bytes, st.capacity);
  uint64_t recount = 0;
  for (int k = 0; k < 64; ++k)
    if (FragmentCache::Blob b = c.get(L"n" + std::to_wstring(k))) recount += b->size();
  EXPECT_EQ(recount, st.bytes);
}

// A temporary file with known contents.
class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    char path[] = "/tmp/hs_fragment_XXXXXX";
    fd_ = mkstemp(path);
    unlink(path);
    EXPECT_EQ(write(fd_, contents.data(), contents.size()), static_cast<ssize_t>(contents.size()));
  }
  ~TempFile() { close(fd_); }
  int fd() const { return fd_; }
  HANDLE handle() const { return reinterpret_cast<HANDLE>(static_cast<intptr_t>(fd_)); }

 private:
  int fd_ = -1;
};

HTTP_DATA_CHUNK memory_chunk(const char* p, ULONG n) {
  HTTP_DATA_CHUNK c{};
  c.DataChunkType = HttpDataChunkFromMemory;
  c.FromMemory.pBuffer = const_cast<char*>(p);
  c.FromMemory.BufferLength = n;
  return c;
}

HTTP_DATA_CHUNK file_chunk(HANDLE h, uint64_t start, uint64_t length) {
  HTTP_DATA_CHUNK c{};
  c.DataChunkType = HttpDataChunkFromFileHandle;
  c.FromFileHandle.ByteRange.StartingOffset.QuadPart = start;
  c.FromFileHandle.ByteRange.Length.QuadPart = length;
  c.FromFileHandle.FileHandle = h;
  return c;
}

TEST(HttpServerFragments, AddReadRemoveWithTheDocumentedResults) {
  HttpServerImpl server;
  HTTP_DATA_CHUNK chunk = memory_chunk("fragment body", 13);
  ASSERT_EQ(server.AddFragmentToCache(&chunk, L"/frag/1"), S_OK);

  BYTE buf[64] = {};
  DWORD copied = 0;
  ASSERT_EQ(server.ReadFragmentFromCache(L"/frag/1", buf, sizeof(buf), &copied), S_OK);
  EXPECT_EQ(copied, 13u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), copied), "fragment body");

  // Two-call size pattern: a short buffer gets nothing and the size needed.
  BYTE small[4] = {'-', '-', '-', '-'};
  EXPECT_EQ(server.ReadFragmentFromCache(L"/frag/1", small, sizeof(small), &copied),
            HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER));
  EXPECT_EQ(copied, 13u);
  EXPECT_EQ(small[0], '-');
  EXPECT_EQ(server.ReadFragmentFromCache(L"/frag/1", nullptr, 0, &copied),
            HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER));

  EXPECT_EQ(server.ReadFragmentFromCache(L"/nope", buf, sizeof(buf), &copied),
            HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND));
  EXPECT_EQ(copied, 0u);
  EXPECT_EQ(server.RemoveFragmentFromCache(L"/frag/1"), S_OK);
  EXPECT_EQ(server.RemoveFragmentFromCache(L"/frag/1"), HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
  EXPECT_EQ(server.ReadFragmentFromCache(L"/frag/1", buf, sizeof(buf), &copied),
            HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND));
}

TEST(HttpServerFragments, BadInputIsRefused) {
  HttpServerImpl server;
  HTTP_DATA_CHUNK ok = memory_chunk("x", 1);
  EXPECT_EQ(server.AddFragmentToCache(nullptr, L"n"), E_INVALIDARG);
  EXPECT_EQ(server.AddFragmentToCache(&ok, nullptr), E_INVALIDARG);
  EXPECT_EQ(server.AddFragmentToCache(&ok, L""), E_INVALIDARG);
  HTTP_DATA_CHUNK null_buffer = memory_chunk(nullptr, 5);
  EXPECT_EQ(server.AddFragmentToCache(&null_buffer, L"n"), E_INVALIDARG);
  HTTP_DATA_CHUNK fragment{};
  fragment.DataChunkType = HttpDataChunkFromFragmentCache;
  EXPECT_EQ(server.AddFragmentToCache(&fragment, L"n"), E_INVALIDARG);
  HTTP_DATA_CHUNK unknown{};
  unknown.DataChunkType = static_cast<HTTP_DATA_CHUNK_TYPE>(77);
  EXPECT_EQ(server.AddFragmentToCache(&unknown, L"n"), E_INVALIDARG);
  // A name longer than 65,532 bytes is refused without reading past the limit + 1.
  std::wstring overlong(kMaxFragmentNameChars + 1, L'n');
  EXPECT_EQ(server.AddFragmentToCache(&ok, overlong.c_str()), E_INVALIDARG);
  std::wstring longest(kMaxFragmentNameChars, L'n');
  EXPECT_EQ(server.AddFragmentToCache(&ok, longest.c_str()), S_OK);
  BYTE b[4];
  DWORD copied = 0;
  EXPECT_EQ(server.ReadFragmentFromCache(L"n", nullptr, 4, &copied), E_INVALIDARG);
  EXPECT_EQ(server.ReadFragmentFromCache(overlong.c_str(), b, 4, &copied), E_INVALIDARG);
  EXPECT_EQ(server.RemoveFragmentFromCache(L""), E_INVALIDARG);
}

TEST(HttpServerFragments, OversizeFragmentsGetQuotaErrors) {
  HttpServerImpl server;
  server.fragment_cache().set_limits(1024, 16);
  std::string big(17, 'b');
  HTTP_DATA_CHUNK chunk = memory_chunk(big.data(), static_cast<ULONG>(big.size()));
  EXPECT_EQ(server.AddFragmentToCache(&chunk, L"big"), HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_QUOTA));
  chunk.FromMemory.BufferLength = 16;
  EXPECT_EQ(server.AddFragmentToCache(&chunk, L"big"), S_OK);
}

TEST(HttpServerFragments, FileRangesAreReadIntoTheCache) {
  HttpServerImpl server;
  TempFile f("0123456789");
  HTTP_DATA_CHUNK range = file_chunk(f.handle(), 2, 5);
  ASSERT_EQ(server.AddFragmentToCache(&range, L"r"), S_OK);
  HTTP_DATA_CHUNK rest = file_chunk(f.handle(), 7, HTTP_BYTE_RANGE_TO_EOF);
  ASSERT_EQ(server.AddFragmentToCache(&rest, L"eof"), S_OK);
  BYTE buf[16];
  DWORD n = 0;
  ASSERT_EQ(server.ReadFragmentFromCache(L"r", buf, sizeof(buf), &n), S_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), n), "23456");
  ASSERT_EQ(server.ReadFragmentFromCache(L"eof", buf, sizeof(buf), &n), S_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), n), "789");
  HTTP_DATA_CHUNK past = file_chunk(f.handle(), 8, 5);
  EXPECT_EQ(server.AddFragmentToCache(&past, L"p"), HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER));
  HTTP_DATA_CHUNK bad = file_chunk(reinterpret_cast<HANDLE>(static_cast<intptr_t>(-1)), 0, 1);
  EXPECT_EQ(server.AddFragmentToCache(&bad, L"p"), HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE));
}

// --- resolve_chunks ---------------------------------------------------------------------------

class ResolveChunks : public ::testing::Test {
 protected:
  HRESULT resolve(const HTTP_DATA_CHUNK* chunks, DWORD n) {
    out_.clear();
    total_ = 0;
    return resolve_chunks(chunks, n, &cache_, &out_, &total_);
  }
  FragmentCache cache_;
  std::vector<ResolvedChunk> out_;
  uint64_t total_ = 0;
};

TEST_F(ResolveChunks, ResolvesEveryDataType) {
  TempFile f("abcdefghij");
  cache_.put(L"frag", "FRAGMENT");
  const wchar_t* name = L"frag";
  HTTP_DATA_CHUNK c[5] = {memory_chunk("hi", 2), file_chunk(f.handle(), 3, HTTP_BYTE_RANGE_TO_EOF)};
  c[2].DataChunkType = HttpDataChunkFromFragmentCache;
  c[2].FromFragmentCache.pFragmentName = name;
  c[2].FromFragmentCache.FragmentNameLength = static_cast<USHORT>(4 * sizeof(WCHAR));
  c[3].DataChunkType = HttpDataChunkFromFragmentCacheEx;
  c[3].FromFragmentCacheEx.pFragmentName = name;
  c[3].FromFragmentCacheEx.ByteRange.StartingOffset.QuadPart = 4;
  c[3].FromFragmentCacheEx.ByteRange.Length.QuadPart = 3;
  c[4] = memory_chunk(nullptr, 0);  // an empty chunk is valid
  ASSERT_EQ(resolve(c, 5), S_OK);
  ASSERT_EQ(out_.size(), 5u);
  EXPECT_EQ(total_, 2u + 7u + 8u + 3u);
  EXPECT_EQ(std::string(out_[0].data, out_[0].size), "hi");
  EXPECT_EQ(out_[1].kind, ResolvedChunk::Kind::kFile);
  EXPECT_EQ(out_[1].offset, 3u);
  EXPECT_EQ(out_[1].size, 7u);
  EXPECT_EQ(std::string(out_[2].data, out_[2].size), "FRAGMENT");
  EXPECT_TRUE(out_[2].blob);
  EXPECT_EQ(std::string(out_[3].data, out_[3].size), "MEN");
  // The second chunk naming the same fragment in one call reuses the first one's lookup.
  EXPECT_TRUE(out_[2].fragment && out_[3].fragment);
  EXPECT_FALSE(out_[3].blob);
  EXPECT_EQ(cache_.stats().hits, 1u);
  // The resolved chunk keeps the fragment's bytes even if the cache drops it.
  cache_.remove(L"frag");
  EXPECT_EQ(std::string(out_[2].data, out_[2].size), "FRAGMENT");
}

TEST_F(ResolveChunks, BadInputGivesTheDocumentedErrorAndAppendsNothing) {
  TempFile f("0123456789");
  int closed = dup(f.fd());
  close(closed);
  int pipes[2];
  ASSERT_EQ(pipe(pipes), 0);
  cache_.put(L"frag", "12345");
  const HRESULT kInvalid = HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  const HRESULT kHandle = HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE);
  struct Case {
    const char* what;
    HTTP_DATA_CHUNK chunk;
    HRESULT expected;
  };
  auto handle = [](int fd) { return reinterpret_cast<HANDLE>(static_cast<intptr_t>(fd)); };
  std::vector<Case> cases = {
      {"null buffer with a length", memory_chunk(nullptr, 1), kInvalid},
      {"fd -1", file_chunk(handle(-1), 0, 1), kHandle},
      {"closed fd", file_chunk(handle(closed), 0, 1), kHandle},
      {"a pipe", file_chunk(handle(pipes[0]), 0, 1), kHandle},
      {"range starts past EOF", file_chunk(f.handle(), 11, HTTP_BYTE_RANGE_TO_EOF), kInvalid},
      {"range ends past EOF", file_chunk(f.handle(), 5, 6), kInvalid},
  };
  HTTP_DATA_CHUNK c{};
  c.DataChunkType = static_cast<HTTP_DATA_CHUNK_TYPE>(42);
  cases.push_back({"unknown type", c, kInvalid});
  c.DataChunkType = HttpDataChunkTrailers;
  cases.push_back({"trailers", c, HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)});
  c.DataChunkType = HttpDataChunkFromWinHttpFastForwarding;
  cases.push_back({"winhttp", c, HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)});
  c = HTTP_DATA_CHUNK{};
  c.DataChunkType = HttpDataChunkFromFragmentCache;
  c.FromFragmentCache.pFragmentName = L"frag";
  c.FromFragmentCache.FragmentNameLength = 4 * sizeof(WCHAR) - 1;  // not whole WCHARs
  cases.push_back({"odd name length", c, kInvalid});
  c.FromFragmentCache.FragmentNameLength = 0;
  cases.push_back({"empty name", c, kInvalid});
  c.FromFragmentCache.FragmentNameLength = 3 * sizeof(WCHAR);  // "fra": not cached
  cases.push_back({"missing fragment", c, HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND)});
  c = HTTP_DATA_CHUNK{};
  c.DataChunkType = HttpDataChunkFromFragmentCacheEx;
  cases.push_back({"null Ex name", c, kInvalid});
  std::wstring overlong(kMaxFragmentNameChars + 1, L'x');
  c.FromFragmentCacheEx.pFragmentName = overlong.c_str();
  cases.push_back({"overlong Ex name", c, kInvalid});
  c.FromFragmentCacheEx.pFragmentName = L"frag";
  c.FromFragmentCacheEx.ByteRange.StartingOffset.QuadPart = 2;
  c.FromFragmentCacheEx.ByteRange.Length.QuadPart = 4;
  cases.push_back({"Ex range past the fragment", c, kInvalid});

  for (const Case& k : cases) {
    // The bad chunk comes second: the good first one must not be left appended.
    HTTP_DATA_CHUNK pair[2] = {memory_chunk("ok", 2), k.chunk};
    out_.clear();
    total_ = 0;
    EXPECT_EQ(resolve_chunks(pair, 2, &cache_, &out_, &total_), k.expected) << k.what;
    EXPECT_TRUE(out_.empty()) << k.what;
    EXPECT_EQ(total_, 0u) << k.what;
  }
  EXPECT_EQ(resolve(nullptr, 1), kInvalid);
  EXPECT_EQ(resolve(nullptr, 0), S_OK);
  close(pipes[0]);
  close(pipes[1]);
}

TEST_F(ResolveChunks, FragmentsMissWithoutACache) {
  HTTP_DATA_CHUNK c{};
  c.DataChunkType = HttpDataChunkFromFragmentCacheEx;
  c.FromFragmentCacheEx.pFragmentName = L"frag";
  std::vector<ResolvedChunk> out;
  uint64_t total = 0;
  EXPECT_EQ(resolve_chunks(&c, 1, nullptr, &out, &total), HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND));
}

}  // namespace
}  // namespace hs::iis
