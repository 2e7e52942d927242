#include "io/event_loop.h"

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/clock.h"
#include "base/log.h"

namespace hs::io {
namespace {

bool heap_less(const auto& a, const auto& b) {
  return a.deadline > b.deadline;
}

}  // namespace

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
}

EventLoop::~EventLoop() {
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

bool EventLoop::in_executor_thread() const {
  return thread_id_ != 0 && thread_id_ == static_cast<uint64_t>(pthread_self());
}

void EventLoop::refresh_time() {
  now_ms_ = monotonic_ms();
  wall_s_ = hs::wall_seconds();
}

bool EventLoop::post(Task task) {
  {
    std::lock_guard<std::mutex> lock(mailbox_mu_);
    if (mailbox_closed_) return false;
    mailbox_.push_back(std::move(task));
  }
  uint64_t one = 1;
  ssize_t n = write(wakefd_, &one, sizeof(one));
  (void)n;  // EAGAIN means the counter is already non-zero: the loop will wake anyway
  return true;
}

void EventLoop::defer(Task task) {
  deferred_.push_back(std::move(task));
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

void EventLoop::run_timers() {
  while (!heap_.empty() && heap_.front().deadline <= now_ms_) {
    TimerId id = heap_.front().id;
    std::pop_heap(heap_.begin(), heap_.end(), heap_less<TimerEntry, TimerEntry>);
    heap_.pop_back();
    auto it = timer_tasks_.find(id);
    if (it == timer_tasks_.end()) continue;  // cancelled
    Task task = std::move(it->second);
    timer_tasks_.erase(it);
    task();
  }
}

void EventLoop::run_deferred() {
  // Tasks may defer more tasks; run until quiescent, in FIFO order.
  while (!deferred_.empty()) {
    deferred_running_.swap(deferred_);
    for (auto& t : deferred_running_)
      t();
    deferred_running_.clear();
  }
}

void EventLoop::drain_mailbox() {
  uint64_t v;
  while (read(wakefd_, &v, sizeof(v)) > 0) {
  }
  {
    std::lock_guard<std::mutex> lock(mailbox_mu_);
    mailbox_running_.swap(mailbox_);
  }
  for (auto& t : mailbox_running_)
    t();
  mailbox_running_.clear();
}

int EventLoop::next_timeout() const {
  if (!deferred_.empty() || stopping_) return 0;
  if (heap_.empty()) return -1;
  int64_t d = heap_.front().deadline - now_ms_;
  if (d <= 0) return 0;
  // CLOCK_MONOTONIC_COARSE has a few ms granularity: round up so we don't spin.
  return static_cast<int>(std::min<int64_t>(d + 1, 60'000));
}

void EventLoop::run() {
  thread_id_ = static_cast<uint64_t>(pthread_self());
  constexpr int kMaxEvents = 256;
  epoll_event events[kMaxEvents];
  while (!stopping_) {
    int n = epoll_wait(epfd_, events, kMaxEvents, next_timeout());
    refresh_time();
    if (n < 0 && errno != EINTR) {
      HS_LOG_ERROR("epoll_wait failed: errno %d", errno);
      break;
    }
    for (int i = 0; i < n; ++i) {
      auto* w = static_cast<Watcher*>(events[i].data.ptr);
      if (w == nullptr) {
        drain_mailbox();
      } else {
        w->on_io(events[i].events);
      }
    }
    run_deferred();
    run_timers();
    run_deferred();
  }
  {
    std::lock_guard<std::mutex> lock(mailbox_mu_);
    mailbox_closed_ = true;
  }
  drain_mailbox();  // tasks accepted before closing still run (they may release resources)
  run_deferred();
}

void EventLoop::stop() {
  post([this] { stopping_ = true; });
}

}  // namespace hs::io
