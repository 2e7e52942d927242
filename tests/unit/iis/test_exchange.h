#pragma once
// Test doubles for driving IisHandler without a connection: an executor whose tasks run when the
// test says so, and an http::Exchange for one GET whose sends wait for the test to complete them.
#include <deque>
#include <functional>
#include <span>
#include <string_view>

#include "base/executor.h"
#include "http/exchange.h"

namespace iis_test {

using hs::Executor;
namespace http = hs::http;

// defer() and post() queue; run_all() runs the queue until it is empty. Timers never fire.
class QueueExecutor final : public Executor {
 public:
  bool post(Task task) override {
    tasks_.push_back(std::move(task));
    return true;
  }
  void defer(Task task) override { tasks_.push_back(std::move(task)); }
  TimerId schedule(int64_t, Task) override { return ++next_timer_; }  // never fire here
  void cancel(TimerId) override {}
  int64_t now_ms() const override { return 0; }
  bool in_executor_thread() const override { return true; }
  void run_all() {
    while (!tasks_.empty()) {
      Task t = std::move(tasks_.front());
      tasks_.pop_front();
      t();
    }
  }

 private:
  std::deque<Task> tasks_;
  TimerId next_timer_ = 0;
};

// One GET; sends are kept pending until the test completes them; die() makes it refuse sends
// as Http1Session does between fail() and teardown(); teardown() then does what the session's
// does (pending completion with ok=false, then the abort handler).
class TestExchange final : public http::Exchange {
 public:
  explicit TestExchange(QueueExecutor& exec) : exec_(exec) {
    head_.method = http::Method::kGet;
    head_.method_name = "GET";
    head_.target = "/x";
    head_.version_major = head_.version_minor = 1;
  }
  const http::RequestHead& request() const override { return head_; }
  ssize_t read_body(char*, size_t, std::function<void()>) override { return http::kBodyEnd; }
  int64_t body_remaining() const override { return 0; }
  http::ResponseHead& response() override { return response_; }
  bool headers_sent() const override { return headers_sent_; }
  bool send(std::span<const http::BodyChunk>, bool last, http::SendCompletion done) override {
    ++send_calls;
    if (dead_ || pending_ || last_) return false;
    headers_sent_ = true;
    pending_ = std::move(done);
    last_ = last;
    return true;
  }
  void set_close_after() override {}
  void reset() override { die(); }
  void close_connection() override { die(); }
  void set_abort_handler(std::function<void()> handler) override { abort_ = std::move(handler); }
  bool connected() const override { return !dead_; }
  Executor& executor() override { return exec_; }
  std::string_view remote_address() const override { return "127.0.0.1"; }
  uint16_t remote_port() const override { return 40000; }
  std::string_view local_address() const override { return "127.0.0.1"; }
  uint16_t local_port() const override { return 8080; }

  void complete(bool ok) {
    http::SendCompletion done = std::move(pending_);
    pending_ = nullptr;
    if (done) done(http::SendResult{ok, 0});
  }
  void die() { dead_ = true; }
  void teardown() {
    complete(false);
    if (auto h = std::move(abort_)) h();
  }
  bool has_pending() const { return static_cast<bool>(pending_); }
  int send_calls = 0;

 private:
  QueueExecutor& exec_;
  http::RequestHead head_;
  http::ResponseHead response_;
  http::SendCompletion pending_;
  std::function<void()> abort_;
  bool headers_sent_ = false;
  bool last_ = false;
  bool dead_ = false;
};

}  // namespace iis_test
