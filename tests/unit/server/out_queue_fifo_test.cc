#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <random>

#include "session/out_queue.h"

namespace hs::session {
namespace {

TEST(OutQueueFifo, BehavesAsADequeUnderRandomUse) {
  // Compared with std::deque over a long random mix that crosses the compaction threshold many
  // times, with the queue both short and long.
  Fifo<int> f;
  std::deque<int> d;
  std::mt19937 rng(7);
  int next = 0;
  for (int step = 0; step < 200000; ++step) {
    unsigned op = rng() % 10;
    bool grow = (step / 5000) % 2 == 0;  // phases that build a backlog, then drain it
    if (op < (grow ? 6u : 3u)) {
      f.push_back(next);
      d.push_back(next);
      ++next;
    } else if (op < 9 && !d.empty()) {
      ASSERT_EQ(f.front(), d.front());
      f.pop_front();
      d.pop_front();
    } else if (!d.empty()) {
      ASSERT_EQ(f.back(), d.back());
      f.pop_back();
      d.pop_back();
    }
    ASSERT_EQ(f.empty(), d.empty());
    if (step % 997 == 0) {
      std::deque<int> seen(f.begin(), f.end());
      ASSERT_EQ(seen, d);
    }
  }
}

TEST(OutQueueFifo, PopFrontReleasesTheElementAtOnce) {
  Fifo<std::shared_ptr<int>> f;
  auto a = std::make_shared<int>(1);
  auto b = std::make_shared<int>(2);
  f.push_back(a);
  f.push_back(b);
  f.pop_front();
  EXPECT_EQ(a.use_count(), 1);  // not held until the next compaction
  EXPECT_EQ(*f.front(), 2);
  f.clear();
  EXPECT_EQ(b.use_count(), 1);
  EXPECT_TRUE(f.empty());
}

}  // namespace
}  // namespace hs::session
