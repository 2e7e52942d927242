#pragma once
// One epoll event loop per worker. Edge-triggered: a watcher must drain its fd (read/write until
// EAGAIN) on each event. The loop also owns a timer heap, a deferred queue and a cross-thread
// mailbox (eventfd) so that completions posted from module threads run on the loop.
//
// THREADS (base/blocking.h). A loop is held by one thread at a time: the thread that called run()
// first, and others it starts when code in a blocking task blocks. Every piece of loop state is
// touched by the holder only. The iteration itself (the epoll batch and the queues, with where
// they are) lives in the object, not on a thread's stack, so whichever thread holds the loop
// continues it: the leader/followers pattern. A thread whose region was handed off, or that waits,
// takes its turn again at the holder's next step; spare threads wait for the loop as followers and
// exit after an idle period. A process-wide monitor thread hands off a region that has run for
// longer than HandoffSettings::handoff_after_ms.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <sys/epoll.h>

#include "base/blocking.h"
#include "base/executor.h"

namespace hs::io {

// Process-wide settings of the execution model (set before any loop runs).
struct HandoffSettings {
  // A region (module code) running this long hands its loop to another thread.
  int64_t handoff_after_ms = 2;
  // A spare thread that has not held its loop for this long exits.
  int64_t idle_thread_ms = 60'000;
};
void configure_handoff(const HandoffSettings& settings);

class EventLoop final : public Executor, public base::BlockingHost {
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

  // Runs the loop on the calling thread (its first thread) until stop(). Then runs what is still
  // queued and waits, up to `stop_grace_ms` (set_stop_grace_ms), for its other threads: those
  // blocked in module code finish their tasks first. False if some were still blocked then (the
  // loop's owner must then not free what they may still touch). One run() per loop.
  bool run();
  // Thread-safe.
  void stop();
  void set_stop_grace_ms(int64_t ms) { stop_grace_ms_ = ms; }

  // Executor.
  bool post(Task task) override;
  void defer(Task task) override;
  void defer_blocking(Task task) override;
  bool post_blocking(Task task) override;
  base::BlockingHost* blocking_host() override { return this; }
  TimerId schedule(int64_t delay_ms, Task task) override;
  void cancel(TimerId id) override;
  int64_t now_ms() const override { return now_ms_; }
  bool in_executor_thread() const override { return base::BlockingHost::holds(); }

  // base::BlockingHost.
  using base::BlockingHost::holds;
  bool wait(base::Waiter& w) noexcept override;
  void wake(base::Waiter& w) noexcept override;

  // Seconds of wall time, cached per iteration (Date headers).
  int64_t wall_seconds() const { return wall_s_; }
  size_t pending_timers() const { return heap_.size(); }
  // Threads attached to this loop now (holder, spares, blocked), and how many it has started.
  int threads() const { return threads_.load(); }
  uint64_t threads_started() const { return started_.load(); }
  // Regions handed off so far (by the monitor or by IncrementThreadCount).
  uint64_t handoffs() const { return handoffs_.load(); }

  // Scratch memory of the loop (kScratchSlots buffers, each grown to the largest size asked and
  // kept), for the holder, inside one call that does not give the loop away: a stream's
  // per-write buffers cost per loop, not per connection or per thread. Holder only.
  static constexpr int kScratchSlots = 2;
  char* scratch(int slot, size_t size);

 public:
  struct Parker;  // a thread's place to wait for the loop (defined in the .cc)

 private:
  struct Item {
    Task task;
    bool blocking = false;
  };
  struct TimerEntry {
    int64_t deadline;
    TimerId id;
  };
  class Monitor;
  friend class Monitor;
  enum class Phase : unsigned char { kPoll, kEvents, kDeferred, kTimers, kAfterTimers };

  // The holder's loop, from where the loop's own state says it is. Returns when the loop stops
  // (or, for a started thread, when it retires).
  void lead(bool first);
  void step();
  bool run_one_deferred();
  bool run_one_timer();
  void run_item(Item& item);
  void dispatch(const epoll_event& ev);
  void drain_mailbox();
  int next_timeout() const;
  void refresh_time();
  void finish();

  // Turns (all under sched_mu_ unless said otherwise).
  // The holder's turn goes to the first thread asking for it; the holder parks as a follower.
  // False when it was told to exit instead (stop, or idle for too long).
  bool yield_turn();
  // Waits for the loop (enqueued behind other askers; the holder is woken). False on timeout.
  bool request_turn(int64_t timeout_ms);
  // The loop has no holder: the first asker, else a follower, else a new thread takes it. False
  // if nobody could (the loop is then free: the next asker takes it at once).
  bool give_away(bool may_start);
  bool start_thread();
  // base::BlockingHost's slow paths.
  void reacquire() noexcept override;
  bool borrow(int64_t timeout_ms) noexcept override;
  void give_back() noexcept override;
  bool hand_off_eagerly(uint64_t word) noexcept override;
  void wake_monitor() noexcept override;
  void follower_main();
  // The monitor's view: true if a region may be running.
  bool watch(int handoff_ticks);
  bool try_hand_off(uint64_t word, bool quiet = false);
  static bool hand_off_current() noexcept;
  void wake_fd();

  int epfd_ = -1;
  int wakefd_ = -1;
  bool stopping_ = false;
  bool ran_ = false;
  int64_t now_ms_ = 0;
  int64_t wall_s_ = 0;
  int64_t stop_grace_ms_ = 10'000;
  std::string tag_;  // the first thread's log tag; started threads add '+'
  std::atomic<int64_t> last_full_log_ms_{-1000000};

  // Where the iteration is (see THREADS): any holder continues from here.
  Phase phase_ = Phase::kPoll;
  static constexpr int kMaxEvents = 256;
  epoll_event events_[kMaxEvents];
  int event_count_ = 0;
  int event_index_ = 0;

  // Min-heap by deadline; cancelled ids are dropped lazily when they reach the top.
  std::vector<TimerEntry> heap_;
  std::unordered_map<TimerId, Task> timer_tasks_;
  TimerId next_timer_id_ = 1;

  std::vector<Item> deferred_;
  std::vector<Item> deferred_running_;
  size_t deferred_index_ = 0;
  // Blocking tasks that found the thread budget spent: started in order when a thread is free.
  std::deque<Task> waiting_;

  std::mutex mailbox_mu_;
  std::vector<Item> mailbox_;
  bool mailbox_closed_ = false;

  // Turns.
  std::mutex sched_mu_;
  std::condition_variable stop_cv_;
  std::deque<Parker*> askers_;      // threads waiting for the loop, in order
  std::vector<Parker*> followers_;  // spare threads, parked
  bool free_ = false;               // nobody holds the loop (see give_away)
  std::atomic<bool> ask_pending_{false};
  std::atomic<int> threads_{0};
  std::atomic<uint64_t> started_{0};
  std::atomic<uint64_t> handoffs_{0};
  std::unique_ptr<char[]> scratch_[kScratchSlots];
  size_t scratch_size_[kScratchSlots] = {};
  // The monitor's memory of the word (monitor thread only).
  uint64_t watched_ = 0;
  int watched_ticks_ = 0;
};

}  // namespace hs::io
