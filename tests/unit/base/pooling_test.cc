// base/pooling.h and base/arena.h: what is kept, what is refused, and what a reused piece of
// memory looks like to its next user.
#include "base/pooling.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "base/arena.h"

namespace {

struct Thing {
  bool recycle() {
    ++recycled;
    values.clear();
    return keep;
  }
  std::vector<int> values;
  int recycled = 0;
  bool keep = true;
};

using Things = hs::base::FreeList<Thing, 2>;

TEST(FreeList, ReusesRecycledObjectsUpToItsBound) {
  if (!hs::base::kPooling) GTEST_SKIP() << "pooling is off under sanitizers";
  std::thread([] {  // a fresh thread: its own, empty list
    auto a = Things::take();
    auto b = Things::take();
    auto c = Things::take();
    a->values = {1, 2, 3};
    Thing* pa = a.get();
    Thing* pb = b.get();
    Things::give(std::move(a));
    Things::give(std::move(b));
    Things::give(std::move(c));  // over the bound of 2: deleted
    EXPECT_EQ(Things::kept(), 2u);
    auto d = Things::take();  // last in, first out
    EXPECT_EQ(d.get(), pb);
    auto e = Things::take();
    EXPECT_EQ(e.get(), pa);
    EXPECT_TRUE(e->values.empty());  // emptied by recycle()
    EXPECT_EQ(e->recycled, 1);
    EXPECT_EQ(Things::kept(), 0u);
    auto f = Things::take();  // none kept: a new one, never recycled
    EXPECT_EQ(f->recycled, 0);
  })
      .join();
}

TEST(FreeList, RefusedObjectsAreNotKept) {
  if (!hs::base::kPooling) GTEST_SKIP() << "pooling is off under sanitizers";
  std::thread([] {
    auto a = Things::take();
    a->keep = false;
    Things::give(std::move(a));
    EXPECT_EQ(Things::kept(), 0u);
  }).join();
}

TEST(FreeList, ListsArePerThread) {
  if (!hs::base::kPooling) GTEST_SKIP() << "pooling is off under sanitizers";
  std::thread([] {
    Things::give(Things::take());
    EXPECT_EQ(Things::kept(), 1u);
    std::thread([] { EXPECT_EQ(Things::kept(), 0u); }).join();
  }).join();
}

TEST(BlockCache, HandsBackTheSameBlock) {
  if (!hs::base::kPooling) GTEST_SKIP() << "pooling is off under sanitizers";
  using Blocks = hs::base::BlockCache<256, 1>;
  std::thread([] {
    void* a = Blocks::take();
    void* b = Blocks::take();
    memset(a, 0xab, 256);  // the whole block is usable
    Blocks::give(a);
    Blocks::give(b);  // over the bound: freed
    EXPECT_EQ(Blocks::take(), a);
    Blocks::give(a);
  }).join();
}

TEST(Arena, PiecesAreZeroedAlignedAndDisjoint) {
  hs::base::Arena arena;
  std::vector<std::pair<char*, size_t>> pieces;
  for (size_t n : {1, 7, 16, 17, 100, 511, 512, 513, 2000, 5000, 0, 3}) {
    auto* p = static_cast<char*>(arena.allocate(n));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % hs::base::Arena::kAlign, 0u) << n;
    for (size_t i = 0; i < n; ++i)
      ASSERT_EQ(p[i], 0) << "byte " << i << " of " << n;
    // Each piece its own byte: a later piece overlapping it would zero or overwrite some of it.
    memset(p, static_cast<int>(pieces.size() + 1), n);
    pieces.emplace_back(p, n);
  }
  for (size_t i = 0; i < pieces.size(); ++i) {
    for (size_t k = 0; k < pieces[i].second; ++k)
      ASSERT_EQ(static_cast<size_t>(pieces[i].first[k]), i + 1) << "piece " << i;
  }
}

TEST(Arena, ResetMemoryComesBackZeroed) {
  hs::base::Arena arena;
  std::set<void*> before;
  for (int i = 0; i < 100; ++i) {
    auto* p = static_cast<char*>(arena.allocate(48));
    memset(p, 0xff, 48);
    before.insert(p);
  }
  arena.reset();
  bool reused = false;
  for (int i = 0; i < 100; ++i) {
    auto* p = static_cast<char*>(arena.allocate(48));
    reused = reused || before.count(p) != 0;
    for (int k = 0; k < 48; ++k)
      ASSERT_EQ(p[k], 0);
  }
  // The first block is kept across reset() (when pooling is on).
  if (hs::base::kPooling) {
    EXPECT_TRUE(reused);
  }
}

}  // namespace
