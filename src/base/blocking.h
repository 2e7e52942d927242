#pragma once
// Code that may block, run on the threads of an event loop: the execution model behind IIS
// modules (ARCHITECTURE.md, "Threading model").
//
// A loop's state (its connections, requests and timers) is touched only by the thread that holds
// the loop: one thread at a time, but not always the same one. Module code runs inline on the
// holding thread, inside a Region. When it blocks (sleep, a lock, a database call), the loop is
// handed to another thread of its own, which goes on serving; the blocked thread takes its turn
// again when the module returns, and no other thread ever runs on its stack. A call from module
// code back into the server (an IIS method) holds the loop for its duration (Call), and so does
// one from a thread of the module's own. A synchronous call that has to wait for the client (a
// body read, a send) waits without holding the loop (BlockingHost::wait).
//
// Only code that tolerates the loop moving on while it is blocked may block: a Region's code runs
// from a task queued with Executor::defer_blocking()/post_blocking(), whose frames re-read what
// they use after every call into module code. Elsewhere a Region is pinned: the loop waits for it.
#include <atomic>
#include <cstdint>

namespace hs::base {

// A thread parked in BlockingHost::wait(). Owned by the waiting thread's frame; wake() it once.
struct Waiter {
  void* parker = nullptr;  // the host's record of the waiting thread
  bool woken = false;      // wake() was called (read by the waiter once it holds the loop again)
};

class BlockingHost;

// The host the calling thread holds now (what BlockingHost::holds() answers), kept by the host
// as its threads enter and leave regions and calls: a check on every call into the server from
// module code, so it is a plain thread-local compare.
inline constinit thread_local const BlockingHost* t_holding = nullptr;

class BlockingHost {
 public:
  // The calling thread holds the loop (may touch what it owns).
  bool holds() const noexcept { return t_holding == this; }

  // Module code follows / has returned. Called by the holder; nests. Between the two the loop may
  // be handed to another thread; leave_region() returns once the caller holds it again, true if
  // it had been handed off. `eager`: the code is expected to block (it did recently): hand the
  // loop off at once rather than after handoff_after_ms.
  virtual void enter_region(bool eager = false) noexcept = 0;
  virtual bool leave_region() noexcept = 0;

  // A call into the server: from enter_call() (true) to leave_call() the calling thread holds the
  // loop. Inside a region of this loop that pauses the region; from any other thread it waits for
  // its turn, up to timeout_ms (false: it did not get it; do not call leave_call()).
  virtual bool enter_call(int64_t timeout_ms) noexcept = 0;
  virtual void leave_call() noexcept = 0;

  // Whether the holder may wait(): it runs in a call from a region that may block (see above).
  virtual bool can_wait() const noexcept = 0;
  // Hands the loop to another thread and blocks until wake(w) has run and this thread holds the
  // loop again. False, at once and still holding, when no thread could take the loop over.
  virtual bool wait(Waiter& w) noexcept = 0;
  // Holder only: ends w's wait (w's thread gets the loop back at the holder's next turn).
  virtual void wake(Waiter& w) noexcept = 0;

 protected:
  ~BlockingHost() = default;
};

// RAII brackets; a null host makes them do nothing (executors without blocking support).
class Region {
 public:
  explicit Region(BlockingHost* host, bool eager = false) noexcept : host_(host) {
    if (host_ != nullptr) host_->enter_region(eager);
  }
  ~Region() {
    if (host_ != nullptr) host_->leave_region();
  }
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;

 private:
  BlockingHost* host_;
};

class Call {
 public:
  Call(BlockingHost* host, int64_t timeout_ms) noexcept
      : host_(host), ok_(host == nullptr || host->enter_call(timeout_ms)) {}
  ~Call() {
    if (host_ != nullptr && ok_) host_->leave_call();
  }
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;
  bool ok() const { return ok_; }

 private:
  BlockingHost* host_;
  bool ok_;
};

// The process-wide budget of threads blocked in regions or waits (IIS's pool ceiling). When it
// is spent, tasks that may block wait for a thread (queued by their loop) instead of starting.
class ThreadBudget {
 public:
  // Threads that may be blocked at once (at least 1).
  void set_limit(int n) { limit_.store(n < 1 ? 1 : n, std::memory_order_relaxed); }
  int limit() const { return limit_.load(std::memory_order_relaxed) + declared_.load(); }
  int blocked() const { return blocked_.load(std::memory_order_relaxed); }
  // Another task that may block can start: a thread is left to take the loop over if it does.
  bool can_block() const { return blocked() < limit(); }
  void add_blocked(int d) { blocked_.fetch_add(d, std::memory_order_relaxed); }
  // IHttpServer::IncrementThreadCount/DecrementThreadCount: the allowance grows by one per
  // increment (at most kMaxDeclared over the limit) and shrinks back, never below the limit.
  static constexpr int kMaxDeclared = 256;
  void declare(int d);
  int declared() const { return declared_.load(); }
  // Tasks waiting for a thread, over all loops (what a server compares with its queue length).
  size_t queued() const { return queued_.load(std::memory_order_relaxed); }
  void add_queued(long d) { queued_.fetch_add(static_cast<size_t>(d), std::memory_order_relaxed); }

 private:
  std::atomic<int> limit_{256};
  std::atomic<int> blocked_{0};
  std::atomic<int> declared_{0};
  std::atomic<size_t> queued_{0};
};
inline ThreadBudget g_thread_budget;
inline ThreadBudget& thread_budget() {
  return g_thread_budget;
}

// Implemented by the loop: the calling thread's region hands the loop over now, because its code
// is about to block (IncrementThreadCount). False when the thread is in no region that may block.
using HandOffNow = bool (*)() noexcept;
void set_hand_off_now(HandOffNow fn) noexcept;
bool hand_off_now() noexcept;

}  // namespace hs::base
