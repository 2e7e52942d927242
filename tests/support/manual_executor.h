#pragma once
// An Executor driven by the test: tasks run when the test calls run(), and time moves only when
// it calls advance(), so timeouts are tested without waiting and without timing assertions.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <utility>

#include "base/executor.h"

namespace hs::test {

class ManualExecutor final : public Executor {
 public:
  bool post(Task task) override {
    tasks_.push_back(std::move(task));
    return true;
  }
  void defer(Task task) override { tasks_.push_back(std::move(task)); }
  TimerId schedule(int64_t delay_ms, Task task) override {
    TimerId id = ++next_id_;
    timers_.emplace(std::make_pair(now_ + std::max<int64_t>(delay_ms, 0), id), std::move(task));
    return id;
  }
  void cancel(TimerId id) override {
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->first.second == id) {
        timers_.erase(it);
        return;
      }
    }
  }
  int64_t now_ms() const override { return now_; }
  bool in_executor_thread() const override { return true; }

  // Runs queued tasks (and those they queue) until none is left; returns how many ran.
  size_t run() {
    size_t n = 0;
    while (!tasks_.empty()) {
      Task t = std::move(tasks_.front());
      tasks_.pop_front();
      t();
      ++n;
    }
    return n;
  }
  // Moves the clock by `ms`, firing due timers in deadline order (running tasks between them).
  void advance(int64_t ms) {
    int64_t until = now_ + ms;
    run();
    while (!timers_.empty() && timers_.begin()->first.first <= until) {
      auto it = timers_.begin();
      now_ = std::max(now_, it->first.first);
      Task t = std::move(it->second);
      timers_.erase(it);
      t();
      run();
    }
    now_ = until;
  }
  size_t pending_timers() const { return timers_.size(); }

 private:
  std::deque<Task> tasks_;
  std::map<std::pair<int64_t, TimerId>, Task> timers_;
  TimerId next_id_ = 0;
  int64_t now_ = 1'000'000;
};

}  // namespace hs::test
