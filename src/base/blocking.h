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

// What the calling thread is doing with which host, innermost last: leading it (the host's own
// loop), running module code from it (a region), or calling into it (a call). The top frame
// says whether the thread holds its host: it does in kLead and kCall, not in kRegion. A fixed
// array, constant-initialised: a thread-local with no constructor is reached directly, and
// frames are pushed and popped on every call into module code.
struct BlockingFrame {
  enum Kind : unsigned char { kLead, kRegion, kCall };
  enum Via : unsigned char { kNested, kPaused, kBorrowed };
  BlockingHost* host;
  Kind kind;
  Via via;
  bool stealable;  // may be handed off (region) / may wait (call) / runs a blocking task (lead)
  uint64_t seq;    // kRegion: the sequence of its current region word
};
struct BlockingFrames {
  static constexpr int kMax = 128;
  BlockingFrame frames[kMax] = {};
  int depth = 0;
  bool empty() const { return depth == 0; }
  BlockingFrame& back() { return frames[depth - 1]; }
  BlockingFrame& front() { return frames[0]; }
  void push_back(const BlockingFrame& f);  // inline below (needs BlockingHost)
  // Calls into module code nested kMax deep (a module recursing through nested notifications):
  // its stack is about to overflow anyway; logged, then the process aborts.
  [[noreturn]] static void frames_overflow();
  void pop_back();
  void sync();
};
inline constinit thread_local BlockingFrames t_frames;

// The process-wide monitor (io) sleeps when no region has run for a while; a region that starts
// then wakes it.
inline std::atomic<bool> g_monitor_parked{false};

class BlockingHost {
 public:
  // The calling thread holds the loop (may touch what it owns).
  bool holds() const noexcept { return t_holding == this; }

  // Module code follows / has returned. Called by the holder; nests. Between the two the loop may
  // be handed to another thread; leave_region() returns once the caller holds it again, true if
  // it had been handed off. `eager`: the code is expected to block (it did recently): hand the
  // loop off at once rather than after handoff_after_ms. Inline: every call into module code.
  void enter_region(bool eager = false) noexcept {
    bool holder = holds();
    bool stealable = holder && t_frames.back().stealable;
    uint64_t seq = holder ? ++region_seq_ : 0;
    t_frames.push_back(
        BlockingFrame{this, BlockingFrame::kRegion, BlockingFrame::kNested, stealable, seq});
    if (!stealable) return;
    uint64_t word = region_word(seq);
    region_.store(word, std::memory_order_seq_cst);
    if (eager && hand_off_eagerly(word)) return;
    if (g_monitor_parked.load(std::memory_order_seq_cst)) wake_monitor();
  }
  bool leave_region() noexcept {
    BlockingFrame f = t_frames.back();
    t_frames.pop_back();
    if (!f.stealable) return false;
    uint64_t expect = region_word(f.seq);
    if (region_.compare_exchange_strong(expect, 0, std::memory_order_acq_rel)) return false;
    reacquire();  // handed off while the module ran: wait for our turn
    return true;
  }

  // A call into the server: from enter_call() (true) to leave_call() the calling thread holds the
  // loop. Inside a region of this loop that pauses the region; from any other thread it waits for
  // its turn, up to timeout_ms (false: it did not get it; do not call leave_call()).
  bool enter_call(int64_t timeout_ms) noexcept {
    if (!t_frames.empty() && t_frames.back().host == this) {
      BlockingFrame& top = t_frames.back();
      bool stealable = top.stealable;
      if (top.kind != BlockingFrame::kRegion) {
        t_frames.push_back(
            BlockingFrame{this, BlockingFrame::kCall, BlockingFrame::kNested, stealable, 0});
        return true;
      }
      if (stealable) {
        uint64_t expect = region_word(top.seq);
        if (!region_.compare_exchange_strong(expect, 0, std::memory_order_acq_rel)) reacquire();
      }
      t_frames.push_back(
          BlockingFrame{this, BlockingFrame::kCall, BlockingFrame::kPaused, stealable, 0});
      return true;
    }
    if (!borrow(timeout_ms)) return false;
    t_frames.push_back(
        BlockingFrame{this, BlockingFrame::kCall, BlockingFrame::kBorrowed, true, 0});
    return true;
  }
  void leave_call() noexcept {
    BlockingFrame f = t_frames.back();
    t_frames.pop_back();
    if (f.via == BlockingFrame::kPaused) {
      BlockingFrame& region = t_frames.back();
      if (region.stealable) {
        region.seq = ++region_seq_;
        region_.store(region_word(region.seq), std::memory_order_seq_cst);
        if (g_monitor_parked.load(std::memory_order_seq_cst)) wake_monitor();
      }
    } else if (f.via == BlockingFrame::kBorrowed) {
      give_back();
    }
  }

  // Whether the holder may wait(): it runs in a call from a region that may block (see above).
  bool can_wait() const noexcept {
    if (t_frames.empty()) return false;
    const BlockingFrame& f = t_frames.back();
    return f.host == this && f.kind == BlockingFrame::kCall && f.stealable;
  }
  // Hands the loop to another thread and blocks until wake(w) has run and this thread holds the
  // loop again. False, at once and still holding, when no thread could take the loop over.
  virtual bool wait(Waiter& w) noexcept = 0;
  // Holder only: ends w's wait (w's thread gets the loop back at the holder's next turn).
  virtual void wake(Waiter& w) noexcept = 0;

  // The region word: (sequence << 2) | state, 0 = no region that may be handed off, 1 = such a
  // region runs, 2 = it was handed off. Written by the holder (enter/leave) and the monitor
  // (hand-off, by compare-and-swap).
  static constexpr uint64_t kRegionRunning = 1;
  static constexpr uint64_t kRegionHandedOff = 2;
  static constexpr uint64_t region_word(uint64_t seq) { return (seq << 2) | kRegionRunning; }

 protected:
  ~BlockingHost() = default;
  // The slow paths, implemented by the loop.
  // A thread whose region was handed off: no longer blocked, it waits for its turn.
  virtual void reacquire() noexcept = 0;
  // A thread of no region of this host waits for its turn, up to timeout_ms.
  virtual bool borrow(int64_t timeout_ms) noexcept = 0;
  // A borrowed turn ends: the loop goes on elsewhere.
  virtual void give_back() noexcept = 0;
  // The region starting now hands the loop off at once; false when it cannot.
  virtual bool hand_off_eagerly(uint64_t word) noexcept = 0;
  virtual void wake_monitor() noexcept = 0;

  std::atomic<uint64_t> region_{0};
  uint64_t region_seq_ = 0;  // the holder's
};

inline void BlockingFrames::sync() {
  const BlockingFrame* top = depth > 0 ? &frames[depth - 1] : nullptr;
  t_holding = top != nullptr && top->kind != BlockingFrame::kRegion ? top->host : nullptr;
}
inline void BlockingFrames::push_back(const BlockingFrame& f) {
  if (depth == kMax) frames_overflow();
  frames[depth++] = f;
  sync();
}
inline void BlockingFrames::pop_back() {
  --depth;
  sync();
}

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
