// The event loop's own services: timers, cancellation, deferral and the cross-thread mailbox.
#include "io/event_loop.h"

#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "io/socket.h"

namespace hs::io {
namespace {

TEST(EventLoop, TimersFireInDeadlineOrder) {
  EventLoop loop;
  std::vector<int> order;
  loop.schedule(30, [&] { order.push_back(30); });
  loop.schedule(10, [&] { order.push_back(10); });
  loop.schedule(20, [&] { order.push_back(20); });
  loop.schedule(40, [&] { loop.stop(); });
  loop.run();
  EXPECT_EQ(order, (std::vector<int>{10, 20, 30}));
}

TEST(EventLoop, CancelledTimerNeverRuns) {
  EventLoop loop;
  bool ran = false;
  auto id = loop.schedule(5, [&] { ran = true; });
  loop.cancel(id);
  loop.schedule(20, [&] { loop.stop(); });
  loop.run();
  EXPECT_FALSE(ran);
}

TEST(EventLoop, CancelledTimersDoNotAccumulate) {
  EventLoop loop;
  // A connection that re-arms its timer on every request must not grow the heap without bound.
  for (int i = 0; i < 100000; ++i)
    loop.cancel(loop.schedule(60'000, [] {}));
  EXPECT_LT(loop.pending_timers(), 200u);
}

TEST(EventLoop, DeferredRunsAfterCurrentTaskInOrder) {
  EventLoop loop;
  std::vector<int> order;
  loop.schedule(0, [&] {
    loop.defer([&] {
      order.push_back(2);
      loop.defer([&] { order.push_back(4); });
    });
    loop.defer([&] { order.push_back(3); });
    order.push_back(1);
  });
  loop.schedule(10, [&] { loop.stop(); });
  loop.run();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
}

TEST(EventLoop, PostFromOtherThreadsRunsOnLoopThread) {
  EventLoop loop;
  std::atomic<int> count{0};
  std::atomic<bool> wrong_thread{false};
  constexpr int kThreads = 4, kPerThread = 1000;
  std::vector<std::thread> threads;
  std::thread runner([&] { loop.run(); });
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        ASSERT_TRUE(loop.post([&] {
          if (!loop.in_executor_thread()) wrong_thread = true;
          if (count.fetch_add(1) + 1 == kThreads * kPerThread) loop.stop();
        }));
      }
    });
  }
  for (auto& t : threads)
    t.join();
  runner.join();
  EXPECT_EQ(count.load(), kThreads * kPerThread);
  EXPECT_FALSE(wrong_thread.load());
  EXPECT_FALSE(loop.post([] {}));  // a stopped loop refuses work instead of losing it silently
}

TEST(EventLoop, WatcherGetsEdgeTriggeredReadiness) {
  EventLoop loop;
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
  struct Reader final : EventLoop::Watcher {
    EventLoop* loop;
    int fd;
    std::string got;
    void on_io(uint32_t events) override {
      char buf[64];
      ssize_t n;
      while ((n = read(fd, buf, sizeof(buf))) > 0)
        got.append(buf, static_cast<size_t>(n));
      if (got == "ping") loop->stop();
    }
  } r;
  r.loop = &loop;
  r.fd = sv[0];
  ASSERT_TRUE(loop.add(sv[0], EPOLLIN, &r));
  loop.schedule(5, [&] { ASSERT_EQ(write(sv[1], "ping", 4), 4); });
  loop.schedule(2000, [&] { loop.stop(); });  // safety net: the test fails, never hangs
  loop.run();
  EXPECT_EQ(r.got, "ping");
  close(sv[0]);
  close(sv[1]);
}

TEST(SocketAddress, ParsesAndPrints) {
  auto a = parse_socket_address("127.0.0.1:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->to_string(), "127.0.0.1:8080");
  auto b = parse_socket_address("[::1]:0");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->to_string(), "[::1]:0");
  EXPECT_EQ(parse_socket_address("*:81")->to_string(), "0.0.0.0:81");
  EXPECT_FALSE(parse_socket_address("nonsense"));
  EXPECT_FALSE(parse_socket_address("1.2.3.4:99999"));
  EXPECT_FALSE(parse_socket_address("1.2.3.4:"));
  EXPECT_FALSE(parse_socket_address("host.example:80"));  // numeric only
}

}  // namespace
}  // namespace hs::io
