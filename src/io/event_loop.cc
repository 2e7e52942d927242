#include "io/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "base/clock.h"
#include "base/log.h"

namespace hs::io {
namespace {

bool heap_less(const auto& a, const auto& b) {
  return a.deadline > b.deadline;
}

constexpr uint64_t kRegionRunning = base::BlockingHost::kRegionRunning;
constexpr uint64_t kRegionHandedOff = base::BlockingHost::kRegionHandedOff;

using base::t_frames;
using Frame = base::BlockingFrame;

// Read by the monitor and by followers while tests (or a reload) may set them.
std::atomic<int64_t> g_handoff_after_ms{HandoffSettings{}.handoff_after_ms};
std::atomic<int64_t> g_idle_thread_ms{HandoffSettings{}.idle_thread_ms};
constexpr int64_t kTickMs = 1;
using base::g_monitor_parked;
constexpr int kParkAfterTicks = 1000;  // the monitor sleeps after a second without regions

base::ThreadBudget& budget() {
  return base::g_thread_budget;
}

}  // namespace

void configure_handoff(const HandoffSettings& settings) {
  g_handoff_after_ms.store(std::max(settings.handoff_after_ms, kTickMs));
  g_idle_thread_ms.store(std::max<int64_t>(settings.idle_thread_ms, 1));
}

// A thread's parking place: it waits here for the loop (a verdict), as a follower or an asker.
struct EventLoop::Parker {
  enum Verdict { kNone, kGranted, kExit };
  std::mutex mu;
  std::condition_variable cv;
  Verdict verdict = kNone;

  void give(Verdict v) {
    std::lock_guard<std::mutex> lock(mu);
    verdict = v;
    cv.notify_one();
  }
  Verdict take() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return verdict != kNone; });
    Verdict v = verdict;
    verdict = kNone;
    return v;
  }
  // kNone on timeout.
  Verdict take_for(int64_t ms) {
    std::unique_lock<std::mutex> lock(mu);
    if (!cv.wait_for(lock, std::chrono::milliseconds(ms), [&] { return verdict != kNone; })) {
      return kNone;
    }
    Verdict v = verdict;
    verdict = kNone;
    return v;
  }
};

namespace {

EventLoop::Parker& self_parker() {
  thread_local EventLoop::Parker p;
  return p;
}

// The loop whose run() this thread called (its first thread never retires).
thread_local const EventLoop* t_first_of = nullptr;

}  // namespace

// The process-wide watcher of regions: every tick it looks at each loop's region word, and hands
// off a region it has seen unchanged for handoff_after_ms. It sleeps when no region has run for a
// second, and the next region to start wakes it.
class EventLoop::Monitor {
 public:
  static Monitor& get() {
    static Monitor* m = new Monitor();  // never destroyed: loops may outlive static destructors
    return *m;
  }
  void add(EventLoop* loop) {
    std::lock_guard<std::mutex> lock(mu_);
    loops_.push_back(loop);
    if (!started_) {
      started_ = true;
      std::thread([this] { run(); }).detach();
    }
  }
  void remove(EventLoop* loop) {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase(loops_, loop);
  }
  // A region that may be handed off has started (after its word was stored, seq_cst): wakes a
  // parked monitor. Inline and cheap: one load of a plain global on the region's path.
  void wake() {
    std::lock_guard<std::mutex> lock(mu_);
    g_monitor_parked.store(false);
    cv_.notify_one();
  }
  // A thread became free: loops with tasks waiting for one look again.
  void wake_loops() {
    std::lock_guard<std::mutex> lock(mu_);
    for (EventLoop* l : loops_)
      l->wake_fd();
  }

 private:
  void run() {
    log_set_thread_tag("monitor");
    int idle = 0;
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (idle >= kParkAfterTicks) {
        g_monitor_parked.store(true, std::memory_order_seq_cst);
        // A region stored its word before reading the flag (both seq_cst): either it saw the
        // flag and wakes us, or we see its word here.
        bool running = false;
        for (EventLoop* l : loops_)
          running |= (l->region_.load(std::memory_order_seq_cst) & 3) == kRegionRunning;
        if (!running) cv_.wait(lock, [&] { return !g_monitor_parked.load(); });
        g_monitor_parked.store(false);
        idle = 0;
      }
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(kTickMs));
      lock.lock();
      int ticks = static_cast<int>(g_handoff_after_ms.load() / kTickMs);
      bool active = false;
      for (EventLoop* l : loops_)
        active |= l->watch(ticks);
      idle = active ? 0 : idle + 1;
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<EventLoop*> loops_;
  bool started_ = false;
};

// ----------------------------------------------------------------------------------------------

EventLoop::EventLoop() {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  wakefd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epfd_ >= 0 && wakefd_ >= 0) {
    epoll_event ev{};
    ev.events = EPOLLIN;  // level-triggered: the wake fd is drained each time it fires
    ev.data.ptr = nullptr;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, wakefd_, &ev);
  }
  refresh_time();
  base::set_hand_off_now(&EventLoop::hand_off_current);
}

EventLoop::~EventLoop() {
  Monitor::get().remove(this);
  if (wakefd_ >= 0) close(wakefd_);
  if (epfd_ >= 0) close(epfd_);
}

bool EventLoop::add(int fd, uint32_t events, Watcher* w) {
  epoll_event ev{};
  ev.events = events | EPOLLET;
  ev.data.ptr = w;
  return epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool EventLoop::modify(int fd, uint32_t events, Watcher* w) {
  epoll_event ev{};
  ev.events = events | EPOLLET;
  ev.data.ptr = w;
  return epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void EventLoop::remove(int fd) {
  epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::refresh_time() {
  now_ms_ = monotonic_ms();
  wall_s_ = hs::wall_seconds();
}

void EventLoop::wake_fd() {
  uint64_t one = 1;
  ssize_t n = write(wakefd_, &one, sizeof(one));
  (void)n;  // EAGAIN means the counter is already non-zero: the loop will wake anyway
}

bool EventLoop::post(Task task) {
  {
    std::lock_guard<std::mutex> lock(mailbox_mu_);
    if (mailbox_closed_) return false;
    mailbox_.push_back(Item{std::move(task), false});
  }
  wake_fd();
  return true;
}

bool EventLoop::post_blocking(Task task) {
  {
    std::lock_guard<std::mutex> lock(mailbox_mu_);
    if (mailbox_closed_) return false;
    mailbox_.push_back(Item{std::move(task), true});
  }
  wake_fd();
  return true;
}

void EventLoop::defer(Task task) {
  deferred_.push_back(Item{std::move(task), false});
}

void EventLoop::defer_blocking(Task task) {
  deferred_.push_back(Item{std::move(task), true});
}

Executor::TimerId EventLoop::schedule(int64_t delay_ms, Task task) {
  TimerId id = next_timer_id_++;
  heap_.push_back({now_ms_ + (delay_ms < 0 ? 0 : delay_ms), id});
  std::push_heap(heap_.begin(), heap_.end(), heap_less<TimerEntry, TimerEntry>);
  timer_tasks_.emplace(id, std::move(task));
  return id;
}

void EventLoop::cancel(TimerId id) {
  timer_tasks_.erase(id);
  // Cancelled entries stay in the heap until they surface; rebuild it when most of it is dead so
  // memory stays proportional to the live timers.
  if (heap_.size() > 64 && heap_.size() > 2 * timer_tasks_.size()) {
    std::erase_if(heap_, [this](const TimerEntry& e) { return !timer_tasks_.contains(e.id); });
    std::make_heap(heap_.begin(), heap_.end(), heap_less<TimerEntry, TimerEntry>);
  }
}

// --- the iteration ------------------------------------------------------------------------------

bool EventLoop::run_one_timer() {
  while (!heap_.empty() && heap_.front().deadline <= now_ms_) {
    TimerId id = heap_.front().id;
    std::pop_heap(heap_.begin(), heap_.end(), heap_less<TimerEntry, TimerEntry>);
    heap_.pop_back();
    auto it = timer_tasks_.find(id);
    if (it == timer_tasks_.end()) continue;  // cancelled
    Task task = std::move(it->second);
    timer_tasks_.erase(it);
    task();
    return true;
  }
  return false;
}

void EventLoop::run_item(Item& item) {
  if (!item.blocking) {
    item.task();
    return;
  }
  // A blocking task: the thread may lose the loop inside it and take it back before it returns,
  // so the frame is looked up again afterwards rather than kept.
  t_frames.back().stealable = true;
  item.task();
  t_frames.back().stealable = false;
}

bool EventLoop::run_one_deferred() {
  // Tasks that waited for a thread go first, as soon as one is free.
  if (!waiting_.empty() && (budget().can_block() || stopping_)) {
    Item item{std::move(waiting_.front()), true};
    waiting_.pop_front();
    budget().add_queued(-1);
    run_item(item);
    return true;
  }
  while (deferred_index_ < deferred_running_.size()) {
    Item& at = deferred_running_[deferred_index_++];
    if (!at.blocking) {
      at.task();  // this thread keeps the loop throughout: the vector stays as it is
      return true;
    }
    // Moved out before it runs: a thread that takes the loop over meanwhile goes on with the
    // next one, and may refill the vector.
    Item item = std::move(at);
    if (!stopping_ && (!waiting_.empty() || !budget().can_block())) {
      // The thread budget is spent: it waits for a thread, in order (ARCHITECTURE.md).
      waiting_.push_back(std::move(item.task));
      budget().add_queued(1);
      continue;
    }
    run_item(item);
    return true;
  }
  deferred_running_.clear();
  deferred_index_ = 0;
  if (deferred_.empty()) return false;
  deferred_running_.swap(deferred_);
  return true;
}

void EventLoop::drain_mailbox() {
  uint64_t v;
  while (read(wakefd_, &v, sizeof(v)) > 0) {
  }
  std::lock_guard<std::mutex> lock(mailbox_mu_);
  for (Item& item : mailbox_)
    deferred_.push_back(std::move(item));
  mailbox_.clear();
}

void EventLoop::dispatch(const epoll_event& ev) {
  auto* w = static_cast<Watcher*>(ev.data.ptr);
  if (w == nullptr) {
    drain_mailbox();
  } else {
    w->on_io(ev.events);
  }
}

int EventLoop::next_timeout() const {
  if (!deferred_.empty() || stopping_ || ask_pending_.load(std::memory_order_relaxed)) return 0;
  if (!waiting_.empty() && budget().can_block()) return 0;
  if (heap_.empty()) return -1;
  int64_t d = heap_.front().deadline - now_ms_;
  if (d <= 0) return 0;
  // CLOCK_MONOTONIC_COARSE has a few ms granularity: round up so we don't spin.
  return static_cast<int>(std::min<int64_t>(d + 1, 60'000));
}

void EventLoop::step() {
  switch (phase_) {
    case Phase::kPoll: {
      int n = epoll_wait(epfd_, events_, kMaxEvents, next_timeout());
      refresh_time();
      if (n < 0) {
        if (errno != EINTR) HS_LOG_ERROR("epoll_wait failed: errno %d", errno);
        n = 0;
      }
      event_count_ = n;
      event_index_ = 0;
      phase_ = Phase::kEvents;
      return;
    }
    case Phase::kEvents:
      // A run of items per call while nothing asks for the loop (the checks of lead() are
      // repeated here, cheaper than a round through it for every item).
      while (event_index_ < event_count_) {
        epoll_event ev = events_[event_index_++];
        dispatch(ev);
        if (stopping_ || ask_pending_.load(std::memory_order_relaxed)) return;
      }
      phase_ = Phase::kDeferred;
      return;
    case Phase::kDeferred:
      while (run_one_deferred()) {
        if (stopping_ || ask_pending_.load(std::memory_order_relaxed)) return;
      }
      phase_ = Phase::kTimers;
      return;
    case Phase::kTimers:
      if (!run_one_timer()) phase_ = Phase::kAfterTimers;
      return;
    case Phase::kAfterTimers:
      if (!run_one_deferred()) phase_ = Phase::kPoll;
      return;
  }
}

void EventLoop::lead(bool first) {
  for (;;) {
    if (ask_pending_.load(std::memory_order_relaxed)) {
      if (!yield_turn()) return;
      continue;
    }
    if (stopping_) {
      if (first) return;
      // A started thread hands the loop on (to the first thread, eventually) and exits.
      give_away(/*may_start=*/false);
      return;
    }
    step();
  }
}

bool EventLoop::run() {
  if (ran_) return true;
  ran_ = true;
  threads_.store(1);
  t_first_of = this;
  tag_.assign(log_thread_tag());
  Monitor::get().add(this);
  t_frames.push_back(Frame{this, Frame::kLead, Frame::kNested, false, 0});
  lead(/*first=*/true);
  finish();
  bool all_gone = true;
  {
    // Other threads: spare ones exit; blocked ones finish their tasks, with their turns.
    int64_t deadline = monotonic_ms() + stop_grace_ms_;
    Parker& me = self_parker();
    for (;;) {
      Parker* next = nullptr;
      {
        std::unique_lock<std::mutex> lock(sched_mu_);
        for (Parker* f : followers_)
          f->give(Parker::kExit);
        followers_.clear();
        if (threads_.load() <= 1) break;
        if (askers_.empty()) {
          auto until = std::chrono::steady_clock::now() +
                       std::chrono::milliseconds(std::max<int64_t>(0, deadline - monotonic_ms()));
          if (!stop_cv_.wait_until(lock, until,
                                   [&] { return !askers_.empty() || threads_.load() <= 1; })) {
            all_gone = false;
            break;
          }
          continue;
        }
        next = askers_.front();
        askers_.pop_front();
        ask_pending_.store(!askers_.empty());
        followers_.push_back(&me);
      }
      next->give(Parker::kGranted);
      Parker::Verdict v = me.take_for(std::max<int64_t>(1, deadline - monotonic_ms()));
      if (v == Parker::kNone) {
        std::lock_guard<std::mutex> lock(sched_mu_);
        if (std::erase(followers_, &me) > 0) {
          all_gone = false;  // the other thread still holds the loop
          break;
        }
      }
      if (v == Parker::kNone) me.take();  // being granted right now
      finish();                           // what the returning thread queued
    }
    if (!all_gone) {
      HS_LOG_ERROR("%d thread(s) still blocked in module code %lld ms after the loop stopped",
                   threads_.load() - 1, static_cast<long long>(stop_grace_ms_));
    }
  }
  t_frames.pop_back();
  Monitor::get().remove(this);
  return all_gone;
}

void EventLoop::finish() {
  {
    std::lock_guard<std::mutex> lock(mailbox_mu_);
    mailbox_closed_ = true;
  }
  // Tasks accepted before closing still run (they may release resources), blocking ones too.
  drain_mailbox();
  while (run_one_deferred()) {
  }
}

void EventLoop::stop() {
  post([this] { stopping_ = true; });
}

// --- turns --------------------------------------------------------------------------------------

bool EventLoop::yield_turn() {
  Parker& me = self_parker();
  Parker* to = nullptr;
  {
    std::lock_guard<std::mutex> lock(sched_mu_);
    if (askers_.empty()) {
      ask_pending_.store(false);
      return true;
    }
    to = askers_.front();
    askers_.pop_front();
    ask_pending_.store(!askers_.empty());
    followers_.push_back(&me);
  }
  to->give(Parker::kGranted);
  // Parked as a follower. The loop's first thread never retires; a started one does when idle.
  for (;;) {
    Parker::Verdict v = t_first_of == this ? me.take() : me.take_for(g_idle_thread_ms.load());
    if (v == Parker::kGranted) return true;
    if (v == Parker::kExit) return false;
    std::lock_guard<std::mutex> lock(sched_mu_);
    if (std::erase(followers_, &me) > 0) return false;  // idle too long: retire
    // Being granted right now: the verdict is on its way.
  }
}

bool EventLoop::request_turn(int64_t timeout_ms) {
  Parker& me = self_parker();
  {
    std::lock_guard<std::mutex> lock(sched_mu_);
    if (free_) {
      free_ = false;
      return true;
    }
    askers_.push_back(&me);
    ask_pending_.store(true);
    stop_cv_.notify_all();  // a stopping first thread serves askers too
  }
  wake_fd();  // the holder may be in epoll_wait
  if (timeout_ms < 0) {
    me.take();
    return true;
  }
  if (me.take_for(timeout_ms) == Parker::kGranted) return true;
  {
    std::lock_guard<std::mutex> lock(sched_mu_);
    auto it = std::find(askers_.begin(), askers_.end(), &me);
    if (it != askers_.end()) {
      askers_.erase(it);
      ask_pending_.store(!askers_.empty());
      return false;
    }
  }
  me.take();  // granted meanwhile: the verdict is on its way
  return true;
}

bool EventLoop::give_away(bool may_start) {
  Parker* to = nullptr;
  {
    std::lock_guard<std::mutex> lock(sched_mu_);
    if (!askers_.empty()) {
      to = askers_.front();
      askers_.pop_front();
      ask_pending_.store(!askers_.empty());
    } else if (!followers_.empty()) {
      to = followers_.back();  // the most recently parked: the warmest
      followers_.pop_back();
    } else if (!may_start) {
      free_ = true;
      return false;
    }
  }
  if (to != nullptr) {
    to->give(Parker::kGranted);
    return true;
  }
  if (start_thread()) return true;
  std::lock_guard<std::mutex> lock(sched_mu_);
  // Another thread may have asked meanwhile: it waits for a grant, so hand it the loop.
  if (!askers_.empty()) {
    to = askers_.front();
    askers_.pop_front();
    ask_pending_.store(!askers_.empty());
    to->give(Parker::kGranted);
    return true;
  }
  free_ = true;
  return false;
}

bool EventLoop::start_thread() {
  threads_.fetch_add(1);
  try {
    std::thread([this] { follower_main(); }).detach();
  } catch (const std::exception& e) {
    threads_.fetch_sub(1);
    HS_LOG_ERROR("cannot start a thread for the event loop: %s; it waits for a blocked one",
                 e.what());
    return false;
  }
  started_.fetch_add(1);
  return true;
}

void EventLoop::follower_main() {
  std::string tag = tag_ + "+";
  log_set_thread_tag(tag);
  t_frames.push_back(Frame{this, Frame::kLead, Frame::kNested, false, 0});
  lead(/*first=*/false);
  t_frames.pop_back();
  std::lock_guard<std::mutex> lock(sched_mu_);
  threads_.fetch_sub(1);
  stop_cv_.notify_all();
  // Nothing of the loop is touched after this: it may be destroyed once the lock is released.
}

// --- regions and calls (base::BlockingHost) ------------------------------------------------------

void EventLoop::reacquire() noexcept {
  budget().add_blocked(-1);
  if (budget().queued() > 0) Monitor::get().wake_loops();
  request_turn(-1);
}

bool EventLoop::hand_off_eagerly(uint64_t word) noexcept {
  return try_hand_off(word, /*quiet=*/true);
}

void EventLoop::wake_monitor() noexcept {
  Monitor::get().wake();
}

bool EventLoop::borrow(int64_t timeout_ms) noexcept {
  return request_turn(timeout_ms);
}

void EventLoop::give_back() noexcept {
  give_away(/*may_start=*/true);
}

bool EventLoop::wait(base::Waiter& w) noexcept {
  if (!can_wait()) return false;
  Parker& me = self_parker();
  w.parker = &me;
  w.woken = false;
  budget().add_blocked(1);
  if (!give_away(/*may_start=*/true)) {
    // Nobody can take the loop over: keep it (the caller must not wait).
    std::lock_guard<std::mutex> lock(sched_mu_);
    free_ = false;
    budget().add_blocked(-1);
    return false;
  }
  me.take();
  return true;
}

void EventLoop::wake(base::Waiter& w) noexcept {
  if (w.woken || w.parker == nullptr) return;
  w.woken = true;
  budget().add_blocked(-1);
  if (budget().queued() > 0) Monitor::get().wake_loops();
  std::lock_guard<std::mutex> lock(sched_mu_);
  askers_.push_back(static_cast<Parker*>(w.parker));
  ask_pending_.store(true);
}

// --- hand-off -----------------------------------------------------------------------------------

bool EventLoop::watch(int handoff_ticks) {
  uint64_t w = region_.load(std::memory_order_acquire);
  if ((w & 3) != kRegionRunning) {
    watched_ = 0;
    return false;
  }
  if (w != watched_) {
    watched_ = w;
    watched_ticks_ = 0;
    return true;
  }
  if (++watched_ticks_ >= handoff_ticks) try_hand_off(w);
  return true;
}

bool EventLoop::try_hand_off(uint64_t word, bool quiet) {
  if (!budget().can_block()) {
    if (quiet) return false;
    int64_t now = monotonic_ms();
    if (now - last_full_log_ms_.load() >= 1000) {
      last_full_log_ms_.store(now);
      HS_LOG_WARN(
          "every module thread is busy (%d blocked, the limit): a blocked module holds its "
          "worker until one returns",
          budget().blocked());
    }
    return false;
  }
  uint64_t expect = word;
  if (!region_.compare_exchange_strong(expect, (word & ~uint64_t{3}) | kRegionHandedOff,
                                       std::memory_order_acq_rel)) {
    return false;
  }
  budget().add_blocked(1);
  handoffs_.fetch_add(1);
  give_away(/*may_start=*/true);
  return true;
}

bool EventLoop::hand_off_current() noexcept {
  if (t_frames.empty()) return false;
  const Frame& f = t_frames.back();
  if (f.kind != Frame::kRegion || !f.stealable) return false;
  return static_cast<EventLoop*>(f.host)->try_hand_off(region_word(f.seq));
}

char* EventLoop::scratch(int slot, size_t size) {
  if (scratch_size_[slot] < size) {
    scratch_[slot] = std::make_unique_for_overwrite<char[]>(size);
    scratch_size_[slot] = size;
  }
  return scratch_[slot].get();
}

}  // namespace hs::io
