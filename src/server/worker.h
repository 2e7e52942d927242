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
  bool draining_ = false;
  uint64_t refused_ = 0;
  int64_t last_refusal_log_ms_ = -1000000;
  int64_t date_second_ = -1;
  char date_[29] = {};
};

}  // namespace hs::server
