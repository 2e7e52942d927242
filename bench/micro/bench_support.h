#pragma once
// Test doubles for the microbenchmarks: a single-threaded Executor, a byte sink drained by
// another thread, and an http::Exchange whose send() ends in real syscalls on that sink.
//
// The exchange stands in for Http1Session so that a benchmark measures the IIS layer and the
// syscalls, not the protocol: send() writes the body bytes only (no head, no chunked framing),
// memory chunks with writev() (up to IOV_MAX iovecs per call) and file chunks with sendfile(),
// and defers its completion to the executor, as the real session does (never inside send()).
// The bare baselines in the benchmarks use the same writer (Sink::write_chunks), so "IIS
// layer + syscalls" and "syscalls alone" differ only by the IIS layer.
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <ctime>
#include <functional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "base/executor.h"
#include "http/exchange.h"

namespace hs::bench {

// Executor for a benchmark thread: defer() and post() queue, run_all() runs the queue until it is
// empty (the "end of the event" of a real loop). Timers are accepted and never fire: nothing
// benchmarked here waits on one.
class InlineExecutor final : public Executor {
 public:
  bool post(Task task) override;
  void defer(Task task) override;
  TimerId schedule(int64_t delay_ms, Task task) override;
  void cancel(TimerId id) override {}
  int64_t now_ms() const override { return 0; }
  bool in_executor_thread() const override { return true; }
  // Runs queued tasks (and those they queue) until none is left; returns how many ran.
  size_t run_all();

 private:
  std::vector<Task> queue_, running_;
  TimerId next_timer_ = 1;
};

// The write end of a blocking AF_UNIX stream socketpair whose read end a background thread
// drains and discards, on the machine's last CPU when there is more than one. Both ends get
// large buffers so that the writer rarely blocks; when it does, it sleeps (no CPU), which is why
// the WEC benchmarks time with the thread's CPU clock.
class Sink {
 public:
  Sink();
  ~Sink();  // closes the write end, joins the drainer
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  int fd() const { return fd_; }
  // Writes every chunk: runs of memory chunks with writev (≤ IOV_MAX iovecs each), file chunks
  // with sendfile, looping on short writes. Returns the bytes written; aborts the process on a
  // write error (a benchmark has no other way to report a broken sink).
  uint64_t write_chunks(std::span<const http::BodyChunk> chunks);
  uint64_t drained() const { return drained_.load(std::memory_order_relaxed); }

 private:
  void drain(int fd);
  int fd_ = -1;
  std::thread drainer_;
  std::atomic<uint64_t> drained_{0};
};

// An http::Exchange for one GET request whose sends go to a Sink (see the file comment). Create
// one per request; it must outlive the handler's use of it (last send completed).
class SinkExchange final : public http::Exchange {
 public:
  SinkExchange(InlineExecutor& exec, Sink& sink, std::string_view target);

  const http::RequestHead& request() const override { return head_; }
  ssize_t read_body(char* dst, size_t cap, std::function<void()> ready) override {
    return http::kBodyEnd;
  }
  int64_t body_remaining() const override { return 0; }
  http::ResponseHead& response() override { return response_; }
  bool headers_sent() const override { return headers_sent_; }
  bool send(std::span<const http::BodyChunk> chunks, bool last, http::SendCompletion done) override;
  void set_close_after() override {}
  void reset() override;
  void close_connection() override { reset(); }
  void set_abort_handler(std::function<void()> handler) override { abort_ = std::move(handler); }
  bool connected() const override { return true; }
  Executor& executor() override { return exec_; }
  std::string_view remote_address() const override { return "127.0.0.1"; }
  uint16_t remote_port() const override { return 40000; }
  std::string_view local_address() const override { return "127.0.0.1"; }
  uint16_t local_port() const override { return 8080; }

  bool finished() const { return last_done_; }
  uint64_t body_bytes() const { return bytes_; }
  size_t sends() const { return sends_; }

 private:
  InlineExecutor& exec_;
  Sink& sink_;
  std::string target_;
  http::RequestHead head_;
  http::ResponseHead response_;
  std::function<void()> abort_;
  http::SendCompletion done_;  // of the outstanding send
  uint64_t done_bytes_ = 0;
  bool headers_sent_ = false;
  bool outstanding_ = false;
  bool last_sent_ = false;
  bool last_done_ = false;
  uint64_t bytes_ = 0;
  size_t sends_ = 0;
};

// CPU time of the calling thread, in nanoseconds (user + system: includes the syscalls' work,
// excludes time blocked on a full sink or preempted by other processes).
inline int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// What one thread_cpu_ns() reading adds to a measured interval (median of many back-to-back
// pairs). Each interval includes one reading's cost, so benchmarks subtract it.
int64_t thread_cpu_clock_cost_ns();

}  // namespace hs::bench
