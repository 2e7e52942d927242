#pragma once
// A connection on a TLS listener: the handshake first (bounded by the header timeout), then the
// protocol ALPN agreed on ("http/1.1", or none: HTTP/1.1) runs over the TLS stream as the inner
// connection, which this one owns and stands for towards the worker.
#include <memory>

#include "base/executor.h"
#include "io/tls.h"
#include "session/connection.h"

namespace hs::io {
class EventLoop;
}

namespace hs::session {

class TlsConnection final : public Connection,
                            private ConnectionOwner,
                            private io::Stream::Listener {
 public:
  TlsConnection(io::EventLoop& loop, int fd, std::shared_ptr<const io::TlsContext> ctx,
                ConnectionOwner& owner, http::Handler& handler, const SessionConfig& config);
  ~TlsConnection() override;

  void start() override;
  // During the handshake: the handshake finishes, then the connection drains like any other
  // (its first request is served with Connection: close).
  void drain() override;
  void close_now() override;

 private:
  void on_ready(uint32_t readiness) override;
  void connection_closed(Connection* inner) override;
  std::string_view date_header() override { return owner_.date_header(); }

  void step();
  void fail(const char* reason, const std::string& detail);

  io::EventLoop& loop_;
  Executor& exec_;
  ConnectionOwner& owner_;
  http::Handler& handler_;
  const SessionConfig& config_;
  std::unique_ptr<io::TlsStream> stream_;  // until the inner connection takes it
  std::unique_ptr<Connection> inner_;
  Executor::TimerId timer_ = 0;
  bool dead_ = false;
  bool draining_ = false;
};

// Connections of a TLS listener.
std::unique_ptr<ConnectionFactory> make_tls_factory(http::Handler& handler,
                                                    const SessionConfig& config,
                                                    std::shared_ptr<const io::TlsContext> ctx);

}  // namespace hs::session
