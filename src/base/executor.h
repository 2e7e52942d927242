#pragma once
// The loop services a handler may use without depending on the io layer. A request lives on one
// event-loop thread; everything a handler does with its exchange happens on that thread, and work
// from other threads reaches it through post().
#include <cstdint>
#include <functional>

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
  virtual bool in_executor_thread() const = 0;

 protected:
  ~Executor() = default;
};

}  // namespace hs
