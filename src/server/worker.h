#pragma once
// One worker thread: an event loop, its listening sockets and the connections it accepted.
#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "io/event_loop.h"
#include "server/server.h"
#include "session/connection.h"

namespace hs::server {

class Worker final : private session::ConnectionOwner {
 public:
  // `listen_fds[i]` accepts the connections `factories[i]` creates (one per address).
  Worker(int index, const ServerConfig& config, std::vector<session::ConnectionFactory*> factories,
         std::vector<int> listen_fds);
  ~Worker();

  // Thread body: runs the loop until the worker stops.
  void run();
  // Thread-safe.
  void drain(int64_t timeout_ms);
  void stop_now();
  io::EventLoop& loop() { return loop_; }

  // Event-loop lag (the status listener's /metrics): probe_lag() posts a task stamped with the
  // time to the loop's mailbox, which records how long it waited to run (a loop busy with a long
  // batch, or held by a module that has not been handed off yet, runs it late). lag_ns() is the
  // last probe's wait, or the current one's so far if it is still waiting and has waited longer.
  // lag_ns() is thread-safe; probe_lag() is called by one thread (the status listener's prober).
  void probe_lag();
  int64_t lag_ns() const;
  // Connections open on this worker now. Thread-safe.
  size_t open_connections() const { return open_.load(std::memory_order_relaxed); }

 private:
  class Listener;
  void accept_from(int fd);
  void refuse(session::ConnectionFactory& factory, int fd);
  void close_listeners();
  void begin_drain(int64_t timeout_ms);
  void maybe_stop();

  void connection_closed(session::Connection* c) override;
  void close_all_now();
  std::string_view date_header() override;

  int index_;
  const ServerConfig& config_;
  io::EventLoop loop_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::unordered_map<session::Connection*, std::unique_ptr<session::Connection>> connections_;
  std::atomic<size_t> open_{0};  // connections_.size(), for other threads
  std::atomic<int64_t> probe_sent_ns_{0};
  std::atomic<int64_t> lag_ns_{0};
  std::atomic<bool> probe_outstanding_{false};
  bool draining_ = false;
  uint64_t refused_ = 0;
  int64_t last_refusal_log_ms_ = -1000000;
  int64_t date_second_ = -1;
  char date_[29] = {};
};

}  // namespace hs::server
