#pragma once
// An http::Exchange with no connection behind it, for testing handlers (core, the IIS layer, a
// router) without a protocol: the test sets the request and the connection's facts, the exchange
// records what the handler does (sends with their bytes, reset, close), and the test completes
// each send when it chooses. Misuse the contract forbids (a second outstanding send, a send after
// the last) is refused and counted, as a session would.
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/executor.h"
#include "http/exchange.h"

namespace hs::test {

class FakeExchange final : public http::Exchange {
 public:
  explicit FakeExchange(Executor& exec) : exec_(exec) {
    head_.method = http::Method::kGet;
    head_.method_name = "GET";
    head_.target = "/";
    head_.scheme = "http";
    head_.authority = "example.test";
  }

  // --- set up by the test ---
  http::RequestHead& head() { return head_; }
  http::ConnectionInfo& info() { return info_; }
  std::string body;  // the request body read_body() hands out

  // --- what the handler did ---
  struct Send {
    std::string bytes;  // the chunks' bytes (files read with pread)
    bool last = false;
  };
  std::vector<Send> sends;
  int refused_sends = 0;
  int resets = 0;
  int connection_closes = 0;
  bool close_after = false;
  bool send_pending() const { return static_cast<bool>(pending_); }
  // Completes the outstanding send; the completion runs now (from the test, as from the loop).
  void complete(bool ok = true) {
    http::SendCompletion done = std::move(pending_);
    pending_ = nullptr;
    if (done) done(http::SendResult{ok, ok ? pending_bytes_ : 0});
  }
  // The stream ends: a pending completion with ok=false, then the abort handler.
  void end_stream() {
    if (ended_) return;
    ended_ = true;
    complete(false);
    if (abort_) std::exchange(abort_, nullptr)();
  }

  // --- http::Exchange ---
  const http::RequestHead& request() const override { return head_; }
  ssize_t read_body(char* dst, size_t cap, std::function<void()>) override {
    if (ended_) return http::kBodyError;
    size_t n = std::min(cap, body.size() - body_pos_);
    if (n == 0) return http::kBodyEnd;
    body.copy(dst, n, body_pos_);
    body_pos_ += n;
    return static_cast<ssize_t>(n);
  }
  int64_t body_remaining() const override { return static_cast<int64_t>(body.size() - body_pos_); }
  http::ResponseHead& response() override { return response_; }
  bool headers_sent() const override { return !sends.empty(); }
  bool send(std::span<const http::BodyChunk> chunks, bool last,
            http::SendCompletion done) override {
    if (ended_) return false;
    if (pending_ || last_) {
      ++refused_sends;
      return false;
    }
    Send s;
    s.last = last;
    for (const http::BodyChunk& c : chunks) {
      if (c.kind == http::BodyChunk::Kind::kMemory) {
        s.bytes.append(c.data, c.size);
      } else {
        std::string buf(c.size, '\0');
        ssize_t n = pread(c.fd, buf.data(), c.size, static_cast<off_t>(c.offset));
        buf.resize(n > 0 ? static_cast<size_t>(n) : 0);
        s.bytes += buf;
      }
    }
    pending_bytes_ = s.bytes.size();
    sends.push_back(std::move(s));
    last_ = last;
    pending_ = done ? std::move(done) : [](http::SendResult) {};
    return true;
  }
  void set_close_after() override { close_after = true; }
  void reset() override {
    ++resets;
    exec_.defer([this] { end_stream(); });
  }
  void close_connection() override {
    ++connection_closes;
    exec_.defer([this] { end_stream(); });
  }
  void set_abort_handler(std::function<void()> handler) override { abort_ = std::move(handler); }
  bool connected() const override { return !ended_; }
  const http::ConnectionInfo& connection_info() const override { return info_; }
  Executor& executor() override { return exec_; }
  std::string_view remote_address() const override { return "192.0.2.7"; }
  uint16_t remote_port() const override { return 40001; }
  std::string_view local_address() const override { return "192.0.2.1"; }
  uint16_t local_port() const override { return 80; }

 private:
  Executor& exec_;
  http::RequestHead head_;
  http::ConnectionInfo info_;
  http::ResponseHead response_;
  size_t body_pos_ = 0;
  http::SendCompletion pending_;
  uint64_t pending_bytes_ = 0;
  bool last_ = false;
  bool ended_ = false;
  std::function<void()> abort_;
};

}  // namespace hs::test
