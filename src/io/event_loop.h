#pragma once
// One epoll event loop per worker thread. Edge-triggered: a watcher must drain its fd (read/write
// until EAGAIN) on each event. The loop also owns a timer heap, a same-thread deferred queue and a
// cross-thread mailbox (eventfd) so that completions posted from module threads run on the loop.
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "base/executor.h"

namespace hs::io {

class EventLoop final : public Executor {
 public:
  class Watcher {
   public:
    // `events` is the epoll mask (EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLERR, EPOLLHUP).
    virtual void on_io(uint32_t events) = 0;

   protected:
    ~Watcher() = default;
  };

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  bool ok() const { return epfd_ >= 0 && wakefd_ >= 0; }

  // Registers fd for edge-triggered `events`. The watcher must outlive the registration.
  bool add(int fd, uint32_t events, Watcher* w);
  bool modify(int fd, uint32_t events, Watcher* w);
  void remove(int fd);

  // Runs until stop(); returns on the loop thread.
  void run();
  // Thread-safe.
  void stop();

  // Executor.
  bool post(Task task) override;
  void defer(Task task) override;
  TimerId schedule(int64_t delay_ms, Task task) override;
  void cancel(TimerId id) override;
  int64_t now_ms() const override { return now_ms_; }
  bool in_executor_thread() const override;

  // Seconds of wall time, cached per iteration (Date headers).
  int64_t wall_seconds() const { return wall_s_; }
  size_t pending_timers() const { return heap_.size(); }

 private:
  struct TimerEntry {
    int64_t deadline;
    TimerId id;
  };
  void run_timers();
  void run_deferred();
  void drain_mailbox();
  int next_timeout() const;
  void refresh_time();

  int epfd_ = -1;
  int wakefd_ = -1;
  bool stopping_ = false;
  std::atomic<uint64_t> thread_id_{0};  // pthread id of the running thread, 0 before run()
  int64_t now_ms_ = 0;
  int64_t wall_s_ = 0;

  // Min-heap by deadline; cancelled ids are dropped lazily when they reach the top.
  std::vector<TimerEntry> heap_;
  std::unordered_map<TimerId, Task> timer_tasks_;
  TimerId next_timer_id_ = 1;

  std::vector<Task> deferred_;
  std::vector<Task> deferred_running_;

  std::mutex mailbox_mu_;
  std::vector<Task> mailbox_;
  bool mailbox_closed_ = false;
  std::vector<Task> mailbox_running_;
};

}  // namespace hs::io
