#include "server/server.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "base/metrics.h"
#include "server/worker.h"
#include "session/tls_connection.h"

namespace hs::server {

void Listeners::close_all() {
  for (auto& v : fds) {
    for (int fd : v)
      close(fd);
  }
  fds.clear();
}

bool bind_listeners(const std::vector<io::SocketAddress>& listen, int workers, int backlog,
                    Listeners* out, std::string* error) {
  Listeners l;
  l.fds.resize(static_cast<size_t>(workers));
  for (const io::SocketAddress& want : listen) {
    io::SocketAddress addr = want;
    for (int w = 0; w < workers; ++w) {
      int fd = io::listen_on(addr, backlog);
      if (fd < 0) {
        *error = "cannot listen on " + addr.to_string() + ": " + strerror(errno);
        l.close_all();
        return false;
      }
      if (w == 0) {
        // Port 0: the kernel picked one; the other workers join that same port.
        if (auto local = io::local_address(fd)) addr = *local;
        l.bound.push_back(addr);
      }
      l.fds[static_cast<size_t>(w)].push_back(fd);
    }
  }
  *out = std::move(l);
  return true;
}

Server::Server(ServerConfig config, http::Handler* handler)
    : config_(std::move(config)), handler_(handler) {}

Server::~Server() {
  stop_now();
  wait();
}

bool Server::start(std::string* error) {
  if (handler_ == nullptr) {
    auto files = std::make_unique<core::StaticFileHandler>(config_.static_files);
    if (!files->ok()) {
      *error = files->error();
      return false;
    }
    owned_handler_ = std::move(files);
    handler_ = owned_handler_.get();
  }
  if (config_.workers < 1) config_.workers = 1;
  Listeners listeners;
  if (config_.inherited != nullptr) {
    if (config_.inherited->fds.size() != static_cast<size_t>(config_.workers)) {
      *error = "inherited listeners do not match the number of workers";
      return false;
    }
    listeners = *config_.inherited;  // the same descriptors: closed by the workers
  } else if (!bind_listeners(config_.listen, config_.workers, config_.backlog, &listeners, error)) {
    return false;
  }
  bound_ = listeners.bound;
  std::vector<std::vector<int>>& fds = listeners.fds;
  std::vector<session::ConnectionFactory*> factories;
  size_t addresses = fds.empty() ? 0 : fds[0].size();
  for (size_t i = 0; i < addresses; ++i) {
    if (config_.is_tls(i)) {
      factories_.push_back(
          session::make_tls_factory(*handler_, config_.session, config_.listen_tls[i]));
    } else if (config_.is_h2c(i)) {
      factories_.push_back(session::make_h2c_factory(*handler_, config_.session));
    } else {
      factories_.push_back(session::make_http1_factory(*handler_, config_.session));
    }
    factories.push_back(factories_.back().get());
  }
  for (int w = 0; w < config_.workers; ++w) {
    workers_.push_back(
        std::make_unique<Worker>(w, config_, factories, std::move(fds[static_cast<size_t>(w)])));
  }
  running_ = config_.workers;
  for (auto& w : workers_) {
    Worker* wp = w.get();
    threads_.emplace_back([this, wp, count = config_.count_metrics] {
      if (!count) base::metrics::exclude_this_thread();
      wp->run();
      running_.fetch_sub(1);
    });
  }
  return true;
}

void Server::stop_graceful() {
  for (auto& w : workers_)
    w->drain(config_.shutdown_timeout_ms);
}

void Server::stop_now() {
  for (auto& w : workers_)
    w->stop_now();
}

std::vector<Server::WorkerStats> Server::worker_stats() const {
  std::vector<WorkerStats> out;
  out.reserve(workers_.size());
  for (const auto& w : workers_) {
    WorkerStats s;
    s.lag_ns = w->lag_ns();
    s.threads = w->loop().threads();
    s.handoffs = w->loop().handoffs();
    s.connections = w->open_connections();
    out.push_back(s);
  }
  return out;
}

void Server::probe_loop_lag() {
  for (auto& w : workers_)
    w->probe_lag();
}

void Server::wait() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace hs::server
