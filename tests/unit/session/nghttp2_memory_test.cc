// The allocator nghttp2 sessions use (session/nghttp2_memory.h): what nghttp2 relies on of
// malloc, calloc, realloc and free, across its size classes and past them, and blocks freed on
// another thread than the one that allocated them.
#include "session/nghttp2_memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace hs::session {
namespace {

nghttp2_mem& mem() {
  return *nghttp2_memory();
}

void fill(void* p, size_t n, uint8_t seed) {
  auto* b = static_cast<uint8_t*>(p);
  for (size_t i = 0; i < n; ++i)
    b[i] = static_cast<uint8_t>(seed + i * 7);
}

bool holds(const void* p, size_t n, uint8_t seed) {
  auto* b = static_cast<const uint8_t*>(p);
  for (size_t i = 0; i < n; ++i) {
    if (b[i] != static_cast<uint8_t>(seed + i * 7)) return false;
  }
  return true;
}

TEST(Nghttp2Memory, BlocksAreAlignedDistinctAndReused) {
  std::vector<void*> live;
  for (size_t size : {1, 16, 48, 49, 100, 1000, 5000, 8176, 8177, 100000}) {
    void* p = mem().malloc(size, mem().mem_user_data);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u) << size;
    fill(p, size, static_cast<uint8_t>(size));
    live.push_back(p);
  }
  size_t i = 0;
  for (size_t size : {1, 16, 48, 49, 100, 1000, 5000, 8176, 8177, 100000}) {
    EXPECT_TRUE(holds(live[i++], size, static_cast<uint8_t>(size))) << size;
  }
  for (void* p : live)
    mem().free(p, mem().mem_user_data);
  mem().free(nullptr, mem().mem_user_data);
}

TEST(Nghttp2Memory, CallocZeroesReusedBlocks) {
  void* p = mem().malloc(200, mem().mem_user_data);
  memset(p, 0xAB, 200);
  mem().free(p, mem().mem_user_data);
  auto* z = static_cast<uint8_t*>(mem().calloc(25, 8, mem().mem_user_data));
  ASSERT_NE(z, nullptr);
  for (int k = 0; k < 200; ++k)
    ASSERT_EQ(z[k], 0) << k;
  mem().free(z, mem().mem_user_data);
  EXPECT_EQ(mem().calloc(SIZE_MAX / 2, 4, mem().mem_user_data), nullptr);  // overflow
}

TEST(Nghttp2Memory, ReallocKeepsTheBytesAcrossClassesAndBeyond) {
  void* p = mem().realloc(nullptr, 10, mem().mem_user_data);
  fill(p, 10, 1);
  p = mem().realloc(p, 40, mem().mem_user_data);  // same class: stays
  ASSERT_TRUE(holds(p, 10, 1));
  fill(p, 40, 2);
  p = mem().realloc(p, 3000, mem().mem_user_data);  // a larger class
  ASSERT_TRUE(holds(p, 40, 2));
  fill(p, 3000, 3);
  p = mem().realloc(p, 50000, mem().mem_user_data);  // past the classes
  ASSERT_TRUE(holds(p, 3000, 3));
  fill(p, 50000, 4);
  p = mem().realloc(p, 200000, mem().mem_user_data);  // large to larger
  ASSERT_TRUE(holds(p, 50000, 4));
  p = mem().realloc(p, 100, mem().mem_user_data);  // large to small
  ASSERT_TRUE(holds(p, 100, 4));
  EXPECT_EQ(mem().realloc(p, 0, mem().mem_user_data), nullptr);  // frees
}

TEST(Nghttp2Memory, FreedOnAnotherThread) {
  // A loop changes threads (base/blocking.h): a block may be freed where it was not allocated.
  std::vector<void*> blocks;
  for (int k = 0; k < 3000; ++k)
    blocks.push_back(mem().malloc(64 + k % 300, mem().mem_user_data));
  std::thread t([&] {
    for (void* p : blocks)
      mem().free(p, mem().mem_user_data);
    void* q = mem().malloc(100, mem().mem_user_data);  // from this thread's cache
    fill(q, 100, 9);
    EXPECT_TRUE(holds(q, 100, 9));
    mem().free(q, mem().mem_user_data);
  });
  t.join();
}

}  // namespace
}  // namespace hs::session
