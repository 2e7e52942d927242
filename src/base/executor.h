#pragma once
// The loop services a handler may use without depending on the io layer. A request lives on one
// event loop; everything a handler does with its exchange happens on the thread that holds that
// loop (base/blocking.h: not always the same thread, but one at a time), and work from other
// threads reaches it through post().
#include <cstdint>
#include <functional>

#include "base/blocking.h"

namespace hs {

class Executor {
 public:
  using Task = std::function<void()>;
  using TimerId = uint64_t;

  // Thread-safe: runs `task` on this executor's thread soon. Returns false once the executor has
  // stopped (the task is then dropped, never run).
  virtual bool post(Task task) = 0;
  // Same thread only: runs `task` after the current event has been handled, never re-entrantly.
  virtual void defer(Task task) = 0;
  // Same thread only: runs `task` after `delay_ms`; cancel() before it ran prevents it.
  virtual TimerId schedule(int64_t delay_ms, Task task) = 0;
  virtual void cancel(TimerId id) = 0;
  // Monotonic milliseconds, refreshed once per loop iteration.
  virtual int64_t now_ms() const = 0;
  // The calling thread holds the executor: it may touch what the executor owns.
  virtual bool in_executor_thread() const = 0;

  // Like defer() and post(), for a task whose code may block (it calls IIS module code; see
  // base/blocking.h for what such a task must tolerate). An executor without blocking support
  // runs it as a plain task. When the process's thread budget is spent, the task waits (in order)
  // until a thread is free, instead of starting.
  virtual void defer_blocking(Task task) { defer(std::move(task)); }
  virtual bool post_blocking(Task task) { return post(std::move(task)); }
  // The blocking support of this executor, or null.
  virtual base::BlockingHost* blocking_host() { return nullptr; }

 protected:
  ~Executor() = default;
};

}  // namespace hs
