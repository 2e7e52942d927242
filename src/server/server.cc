#include "server/server.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "server/worker.h"

namespace hs::server {

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
  // fds[worker][address]
  std::vector<std::vector<int>> fds(static_cast<size_t>(config_.workers));
  auto cleanup = [&] {
    for (auto& v : fds) {
      for (int fd : v)
        close(fd);
    }
  };
  for (const io::SocketAddress& want : config_.listen) {
    io::SocketAddress addr = want;
    for (int w = 0; w < config_.workers; ++w) {
      int fd = io::listen_on(addr, config_.backlog);
      if (fd < 0) {
        *error = "cannot listen on " + addr.to_string() + ": " + strerror(errno);
        cleanup();
        return false;
      }
      if (w == 0) {
        // Port 0: the kernel picked one; the other workers join that same port.
        if (auto local = io::local_address(fd)) addr = *local;
        bound_.push_back(addr);
      }
      fds[static_cast<size_t>(w)].push_back(fd);
    }
  }
  for (int w = 0; w < config_.workers; ++w) {
    workers_.push_back(
        std::make_unique<Worker>(w, config_, *handler_, std::move(fds[static_cast<size_t>(w)])));
  }
  running_ = config_.workers;
  for (auto& w : workers_) {
    Worker* wp = w.get();
    threads_.emplace_back([this, wp] {
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

void Server::wait() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace hs::server
