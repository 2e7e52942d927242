#include "server/worker.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "base/log.h"
#include "base/metrics.h"
#include "http/http_date.h"

namespace hs::server {

class Worker::Listener final : public io::EventLoop::Watcher {
 public:
  Listener(Worker* w, int fd, session::ConnectionFactory* factory)
      : worker_(w), fd_(fd), factory_(factory) {}
  ~Listener() { close_fd(); }
  void on_io(uint32_t) override { worker_->accept_from(fd_); }
  int fd() const { return fd_; }
  session::ConnectionFactory& factory() const { return *factory_; }
  void close_fd() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  Worker* worker_;
  int fd_;
  session::ConnectionFactory* factory_;
};

Worker::Worker(int index, const ServerConfig& config,
               std::vector<session::ConnectionFactory*> factories, std::vector<int> listen_fds)
    : index_(index), config_(config) {
  for (size_t i = 0; i < listen_fds.size(); ++i)
    listeners_.push_back(std::make_unique<Listener>(this, listen_fds[i], factories.at(i)));
}

Worker::~Worker() = default;

void Worker::run() {
  char tag[16];
  snprintf(tag, sizeof(tag), "%s%d", config_.tag_prefix.c_str(), index_);
  log_set_thread_tag(tag);
  for (auto& l : listeners_) {
    if (!loop_.add(l->fd(), EPOLLIN, l.get())) {
      HS_LOG_ERROR("cannot watch listening socket: %s", strerror(errno));
    }
  }
  // Connections that arrived before the loop started: accepted from inside the loop, so that
  // their requests already run on a thread the loop knows as its own (in_executor_thread).
  loop_.defer([this] { accept_from(-1); });
  loop_.set_stop_grace_ms(config_.shutdown_timeout_ms);
  bool clean = loop_.run();
  close_listeners();
  if (!clean) {
    // A module still blocks on one of the loop's threads and may come back to its request:
    // nothing it can reach is freed (the process is about to exit).
    for (auto& [raw, owned] : connections_)
      (void)owned.release();
    connections_.clear();
    return;
  }
  connections_.clear();
}

void Worker::accept_from(int fd) {
  if (draining_) return;
  for (auto& l : listeners_) {
    if (fd != -1 && l->fd() != fd) continue;
    while (true) {
      int c = accept4(l->fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (c < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno != EAGAIN) {
          // EMFILE/ENFILE/ENOBUFS: leave the connection in the backlog; the next event retries.
          HS_LOG_WARN("accept failed: %s", strerror(errno));
        }
        break;
      }
      if (connections_.size() >= config_.max_connections_per_worker) {
        refuse(l->factory(), c);
        continue;
      }
      base::metrics::add(base::metrics::kConnectionsOpened);
      io::set_nodelay(c);
      std::unique_ptr<session::Connection> conn = l->factory().create(loop_, c, *this);
      session::Connection* raw = conn.get();
      connections_.emplace(raw, std::move(conn));
      open_.store(connections_.size(), std::memory_order_relaxed);
      raw->start();
    }
  }
}

void Worker::refuse(session::ConnectionFactory& factory, int fd) {
  // Over the connection cap: the protocol's short answer, if it has one, then close.
  factory.refuse(fd);
  ++refused_;
  base::metrics::add(base::metrics::kConnectionsRefused);
  int64_t now = loop_.now_ms();
  if (now - last_refusal_log_ms_ >= 1000) {
    HS_LOG_WARN("worker %d: %zu connections open (the maximum): %llu refused with 503 so far",
                index_, connections_.size(), static_cast<unsigned long long>(refused_));
    last_refusal_log_ms_ = now;
  }
}

void Worker::close_listeners() {
  for (auto& l : listeners_) {
    if (l->fd() >= 0) loop_.remove(l->fd());
    l->close_fd();
  }
}

void Worker::drain(int64_t timeout_ms) {
  loop_.post([this, timeout_ms] { begin_drain(timeout_ms); });
}

void Worker::stop_now() {
  loop_.post([this] {
    close_listeners();
    draining_ = true;
    close_all_now();
    loop_.defer([this] { loop_.stop(); });
  });
}

void Worker::begin_drain(int64_t timeout_ms) {
  if (draining_) return;
  draining_ = true;
  close_listeners();
  std::vector<session::Connection*> all;
  all.reserve(connections_.size());
  for (auto& [raw, owned] : connections_)
    all.push_back(raw);
  for (auto* c : all)
    c->drain();
  loop_.schedule(timeout_ms, [this] {
    if (!connections_.empty()) {
      HS_LOG_WARN("shutdown timeout: closing %zu connection(s)", connections_.size());
      close_all_now();
    }
    loop_.defer([this] { loop_.stop(); });
  });
  loop_.defer([this] { maybe_stop(); });
}

void Worker::maybe_stop() {
  if (draining_ && connections_.empty()) loop_.stop();
}

void Worker::close_all_now() {
  // close_now() only marks a connection closed (it is deleted from a deferred task), so the map
  // does not change under the walk; a copy keeps that true whatever a connection does.
  std::vector<session::Connection*> all;
  all.reserve(connections_.size());
  for (auto& [raw, owned] : connections_)
    all.push_back(raw);
  for (auto* c : all)
    c->close_now();
}

void Worker::connection_closed(session::Connection* c) {
  base::metrics::add(base::metrics::kConnectionsClosed);
  connections_.erase(c);  // deletes it
  open_.store(connections_.size(), std::memory_order_relaxed);
  maybe_stop();
}

namespace {
int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
}  // namespace

void Worker::probe_lag() {
  if (probe_outstanding_.load()) return;
  int64_t sent = monotonic_ns();
  probe_sent_ns_.store(sent, std::memory_order_relaxed);
  probe_outstanding_.store(true);  // after the stamp: lag_ns() reads them in the other order
  bool posted = loop_.post([this, sent] {
    lag_ns_.store(monotonic_ns() - sent, std::memory_order_relaxed);
    probe_outstanding_.store(false);
  });
  if (!posted) probe_outstanding_.store(false);  // the loop has stopped
}

int64_t Worker::lag_ns() const {
  int64_t lag = lag_ns_.load(std::memory_order_relaxed);
  if (probe_outstanding_.load()) {
    int64_t waiting = monotonic_ns() - probe_sent_ns_.load(std::memory_order_relaxed);
    if (waiting > lag) lag = waiting;
  }
  return lag;
}

std::string_view Worker::date_header() {
  int64_t now = loop_.wall_seconds();
  if (now != date_second_) {
    http::format_http_date(now, date_);
    date_second_ = now;
  }
  return std::string_view(date_, sizeof(date_));
}

}  // namespace hs::server
