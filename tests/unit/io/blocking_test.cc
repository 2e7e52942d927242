// The execution model (base/blocking.h): code in a region blocks without stalling its loop, calls
// from regions and foreign threads hold the loop, waits give it away, the thread budget queues
// blocking tasks. Each test blocks on something only the loop's other work can release, so a
// loop that stalls fails the test (a bounded wait) instead of passing by luck.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "base/blocking.h"
#include "io/event_loop.h"

namespace hs::io {
namespace {

using namespace std::chrono_literals;

// A one-shot flag a thread can wait for, with a bound.
class Latch {
 public:
  void open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool wait(std::chrono::milliseconds bound = 10s) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, bound, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

class Blocking : public ::testing::Test {
 protected:
  void SetUp() override {
    configure_handoff(HandoffSettings{2, 60'000});
    base::thread_budget().set_limit(256);
  }
  void TearDown() override { base::thread_budget().set_limit(256); }
};

TEST_F(Blocking, RegionThatBlocksOnTheLoopsOwnWorkIsHandedOff) {
  // The module code waits for a timer of its own loop: without a hand-off, a deadlock.
  EventLoop loop;
  Latch timer_ran;
  bool released = false;
  int loop_state = 0;  // touched only by the loop's holder
  loop.defer_blocking([&] {
    loop.schedule(1, [&] {
      ++loop_state;
      timer_ran.open();
    });
    {
      base::Region region(&loop);
      EXPECT_FALSE(loop.holds());
      released = timer_ran.wait();
    }
    EXPECT_TRUE(loop.holds());  // the task goes on holding its loop again
    ++loop_state;
    loop.stop();
  });
  EXPECT_TRUE(loop.run());
  EXPECT_TRUE(released);
  EXPECT_EQ(loop_state, 2);
  EXPECT_GE(loop.handoffs(), 1u);
  EXPECT_GE(loop.threads_started(), 1u);
}

TEST_F(Blocking, PinnedRegionOutsideBlockingTaskIsNotHandedOff) {
  // A plain task's frames cannot be resumed by another thread: its region keeps the loop.
  EventLoop loop;
  bool other_ran_first = false;
  bool other_ran = false;
  loop.defer([&] {
    loop.defer([&] { other_ran = true; });
    base::Region region(&loop);
    std::this_thread::sleep_for(30ms);  // many times the hand-off delay
    other_ran_first = other_ran;
  });
  loop.schedule(60, [&] { loop.stop(); });
  loop.run();
  EXPECT_FALSE(other_ran_first);
  EXPECT_TRUE(other_ran);
  EXPECT_EQ(loop.handoffs(), 0u);
}

TEST_F(Blocking, CallFromRegionHoldsTheLoop) {
  EventLoop loop;
  std::vector<bool> seen;
  loop.defer_blocking([&] {
    base::Region region(&loop);
    seen.push_back(loop.holds());
    {
      base::Call call(&loop, 1000);
      seen.push_back(call.ok());
      seen.push_back(loop.holds());
      seen.push_back(loop.can_wait());
    }
    seen.push_back(loop.holds());
    loop.stop();  // post(): thread-safe
  });
  loop.run();
  EXPECT_EQ(seen, (std::vector<bool>{false, true, true, true, false}));
}

TEST_F(Blocking, CallsFromARegionAfterItWasHandedOffWaitTheirTurn) {
  EventLoop loop;
  int counter = 0;  // loop state
  Latch ticked;
  std::vector<int> seen;
  loop.defer_blocking([&] {
    loop.schedule(1, [&] {
      ++counter;
      ticked.open();
    });
    base::Region region(&loop);
    EXPECT_TRUE(ticked.wait());  // handed off by now: the timer ran elsewhere
    for (int i = 0; i < 3; ++i) {
      base::Call call(&loop, 5000);
      ASSERT_TRUE(call.ok());
      seen.push_back(++counter);
      loop.defer([&] { ++counter; });
    }
  });
  loop.schedule(200, [&] { loop.stop(); });
  loop.run();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], 2);
  EXPECT_EQ(counter, 7);  // 1 timer + 3 calls + 3 deferred
}

TEST_F(Blocking, ForeignThreadCallGetsTheLoopWhileItIdles) {
  EventLoop loop;
  int state = 0;
  std::thread runner([&] { loop.run(); });
  std::this_thread::sleep_for(10ms);  // the loop sits in epoll_wait
  {
    base::Call call(&loop, 5000);
    ASSERT_TRUE(call.ok());
    EXPECT_TRUE(loop.holds());
    state = 41;
    loop.defer([&] { ++state; });
  }
  EXPECT_FALSE(loop.holds());
  Latch done;
  loop.post([&] {
    EXPECT_EQ(state, 42);  // the deferred task ran after the call gave the loop back
    done.open();
    loop.stop();
  });
  EXPECT_TRUE(done.wait());
  runner.join();
}

TEST_F(Blocking, ForeignCallTimesOutWhenTheLoopIsPinned) {
  EventLoop loop;
  Latch pinned, release;
  std::thread runner([&] { loop.run(); });
  loop.post([&] {
    base::Region region(&loop);  // a plain task: pinned
    pinned.open();
    release.wait();
  });
  ASSERT_TRUE(pinned.wait());
  base::Call call(&loop, 50);
  EXPECT_FALSE(call.ok());
  release.open();
  loop.stop();
  runner.join();
}

TEST_F(Blocking, WaitGivesTheLoopAwayUntilWoken) {
  EventLoop loop;
  base::Waiter waiter;
  std::vector<std::string> order;
  loop.defer_blocking([&] {
    base::Region region(&loop);
    base::Call call(&loop, 1000);
    loop.schedule(5, [&] {
      order.push_back("timer");
      loop.wake(waiter);
    });
    order.push_back("waiting");
    ASSERT_TRUE(loop.wait(waiter));
    EXPECT_TRUE(loop.holds());
    EXPECT_TRUE(waiter.woken);
    order.push_back("woken");
    loop.stop();
  });
  loop.run();
  EXPECT_EQ(order, (std::vector<std::string>{"waiting", "timer", "woken"}));
  EXPECT_EQ(base::thread_budget().blocked(), 0);
}

TEST_F(Blocking, WaitOutsideABlockingTaskIsRefused) {
  EventLoop loop;
  bool waited = true;
  loop.defer([&] {
    base::Waiter w;
    waited = loop.wait(w);
    loop.stop();
  });
  loop.run();
  EXPECT_FALSE(waited);
}

TEST_F(Blocking, SpentBudgetQueuesBlockingTasksInOrder) {
  base::thread_budget().set_limit(1);
  EventLoop loop;
  Latch first_blocked, release_first;
  std::vector<int> started;
  size_t queued_seen = 0;
  loop.defer_blocking([&] {
    started.push_back(1);
    base::Region region(&loop);
    first_blocked.open();
    release_first.wait();
  });
  loop.defer_blocking([&] { started.push_back(2); });
  loop.defer_blocking([&] {
    started.push_back(3);
    loop.stop();
  });
  // Plain tasks still run while blocking ones wait.
  loop.schedule(20, [&] {
    queued_seen = base::thread_budget().queued();
    started.push_back(0);
    release_first.open();
  });
  loop.run();
  EXPECT_TRUE(first_blocked.wait(0ms));
  EXPECT_EQ(queued_seen, 2u);
  EXPECT_EQ(started, (std::vector<int>{1, 0, 2, 3}));
  EXPECT_EQ(base::thread_budget().queued(), 0u);
}

TEST_F(Blocking, HandOffNowNeedsNoMonitorDelay) {
  // IncrementThreadCount's meaning: the loop is handed over at once, whatever the delay.
  configure_handoff(HandoffSettings{60'000, 60'000});
  EventLoop loop;
  Latch timer_ran;
  bool released = false;
  loop.defer_blocking([&] {
    loop.schedule(1, [&] { timer_ran.open(); });
    base::Region region(&loop);
    EXPECT_TRUE(base::hand_off_now());
    released = timer_ran.wait(5s);
    loop.stop();
  });
  loop.run();
  EXPECT_TRUE(released);
  EXPECT_EQ(loop.handoffs(), 1u);
}

TEST_F(Blocking, EagerRegionHandsOffAsItStarts) {
  // Code known to block gives the loop away before it runs, whatever the monitor's delay; and
  // leave_region() says the region was handed off.
  configure_handoff(HandoffSettings{60'000, 60'000});
  EventLoop loop;
  Latch timer_ran;
  bool released = false, handed_off = false, inline_handed_off = true;
  loop.defer_blocking([&] {
    loop.schedule(1, [&] { timer_ran.open(); });
    loop.enter_region(/*eager=*/true);
    released = timer_ran.wait(5s);
    handed_off = loop.leave_region();
    loop.enter_region(/*eager=*/false);
    inline_handed_off = loop.leave_region();  // returned at once: never handed off
    loop.stop();
  });
  loop.run();
  EXPECT_TRUE(released);
  EXPECT_TRUE(handed_off);
  EXPECT_FALSE(inline_handed_off);
  EXPECT_EQ(loop.handoffs(), 1u);
}

TEST_F(Blocking, StopWaitsForABlockedRegionToFinish) {
  EventLoop loop;
  std::atomic<bool> finished{false};
  loop.defer_blocking([&] {
    base::Region region(&loop);
    loop.stop();
    std::this_thread::sleep_for(50ms);
    finished = true;
  });
  loop.set_stop_grace_ms(5000);
  EXPECT_TRUE(loop.run());
  EXPECT_TRUE(finished.load());
  EXPECT_EQ(loop.threads(), 1);
}

TEST_F(Blocking, ManyBlockingTasksKeepLoopStateConsistent) {
  // Loop state touched without locks by whoever holds the loop: TSan checks the hand-offs
  // order every access; the counts check nothing was lost or run twice.
  EventLoop loop;
  constexpr int kTasks = 200;
  int in_loop = 0;
  int finished = 0;
  std::mt19937 rng(7);
  std::vector<int> sleeps;
  for (int i = 0; i < kTasks; ++i)
    sleeps.push_back(static_cast<int>(rng() % 4));
  for (int i = 0; i < kTasks; ++i) {
    loop.defer_blocking([&, i] {
      ++in_loop;
      {
        base::Region region(&loop);
        if (sleeps[i] > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleeps[i]));
        base::Call call(&loop, 10'000);
        ++in_loop;
      }
      loop.defer([&] {
        if (++finished == kTasks) loop.stop();
      });
    });
  }
  loop.schedule(20'000, [&] { loop.stop(); });  // safety net
  EXPECT_TRUE(loop.run());
  EXPECT_EQ(finished, kTasks);
  EXPECT_EQ(in_loop, 2 * kTasks);
  EXPECT_EQ(base::thread_budget().blocked(), 0);
}

}  // namespace
}  // namespace hs::io
