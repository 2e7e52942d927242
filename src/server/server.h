#pragma once
// The embeddable server: N worker threads, each with its own event loop and its own SO_REUSEPORT
// listening socket per address; a connection lives on the worker that accepted it.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/static_file_handler.h"
#include "http/exchange.h"
#include "io/socket.h"
#include "io/tls.h"
#include "session/connection.h"

namespace hs::server {

// Listening sockets, bound: fds[worker][address], and the addresses they are bound to (port 0
// resolved) in the order of ServerConfig::listen.
struct Listeners {
  std::vector<std::vector<int>> fds;
  std::vector<io::SocketAddress> bound;
  void close_all();
};

// Binds one SO_REUSEPORT socket per worker per address (a port 0 is resolved once, then shared
// by all workers). False with *error naming the address; nothing stays open then.
bool bind_listeners(const std::vector<io::SocketAddress>& listen, int workers, int backlog,
                    Listeners* out, std::string* error);

struct ServerConfig {
  std::vector<io::SocketAddress> listen;
  // The TLS context of listen[i], or null (or no entry): plain HTTP on that address.
  std::vector<std::shared_ptr<const io::TlsContext>> listen_tls;
  bool is_tls(size_t i) const { return i < listen_tls.size() && listen_tls[i] != nullptr; }
  // listen[i] speaks HTTP/2 with prior knowledge only (--listen-h2c); no entry: false.
  std::vector<bool> listen_h2c;
  bool is_h2c(size_t i) const { return i < listen_h2c.size() && listen_h2c[i]; }
  // Sockets bound beforehand (by the supervisor, which keeps them across worker-process
  // restarts): used instead of binding `listen`. The server closes its copies when it stops.
  const Listeners* inherited = nullptr;
  int workers = 1;
  int backlog = 4096;
  // Connections one worker serves at once; beyond it a new connection gets a short 503 and is
  // closed (graceful refusal rather than a silent backlog), and a warning is logged.
  size_t max_connections_per_worker = 16384;
  session::SessionConfig session;
  int64_t shutdown_timeout_ms = 10'000;
  // false: the workers' counts (base/metrics.h) are not exposed (the status listener's own).
  bool count_metrics = true;
  // Log tag of worker i's thread: tag_prefix followed by i ("w0").
  std::string tag_prefix = "w";
  core::StaticFileConfig static_files;
};

class Worker;

class Server {
 public:
  // `handler` serves every request; null means the built-in static-file handler on
  // config.static_files.
  explicit Server(ServerConfig config, http::Handler* handler = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every address (port 0 is resolved once, then shared by all workers) and starts the
  // worker threads. False with *error naming the cause.
  bool start(std::string* error);
  // The addresses actually bound, in the order of config.listen.
  const std::vector<io::SocketAddress>& bound() const { return bound_; }

  // Stops accepting, lets in-flight requests finish for up to shutdown_timeout_ms, then closes
  // what is left. Returns at once; wait() returns when every worker has stopped.
  void stop_graceful();
  void stop_now();
  void wait();
  bool finished() const { return running_.load() == 0; }

  // For the status listener (server/status.h); thread-safe while the server runs.
  struct WorkerStats {
    int64_t lag_ns = 0;  // Worker::lag_ns()
    int threads = 0;     // threads of the worker's loop now
    uint64_t handoffs = 0;
    size_t connections = 0;
  };
  std::vector<WorkerStats> worker_stats() const;
  // Posts a lag probe to every worker's loop (Worker::probe_lag); from one thread only.
  void probe_loop_lag();

 private:
  ServerConfig config_;
  std::unique_ptr<http::Handler> owned_handler_;
  http::Handler* handler_;
  std::vector<io::SocketAddress> bound_;
  // One per listening address (its protocol), shared by the workers.
  std::vector<std::unique_ptr<session::ConnectionFactory>> factories_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::atomic<int> running_{0};
};

}  // namespace hs::server
