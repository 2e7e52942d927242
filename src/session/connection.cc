#include "session/connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include "io/event_loop.h"
#include "io/stream.h"
#include "session/http1_session.h"

namespace hs::session {
namespace {

class Http1Factory final : public ConnectionFactory {
 public:
  Http1Factory(http::Handler& handler, const SessionConfig& config)
      : handler_(handler), config_(config) {}

  std::unique_ptr<Connection> create(io::EventLoop& loop, int fd, ConnectionOwner& owner) override {
    return std::make_unique<Http1Session>(loop, std::make_unique<io::PlainStream>(loop, fd), owner,
                                          handler_, config_);
  }

  void refuse(int fd) override {
    // A complete, tiny response the kernel takes at once (a fresh socket's send buffer is
    // empty), then close. No session, no buffers, nothing to wait for.
    static constexpr char kBusy[] =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 20\r\n"
        "Retry-After: 1\r\nConnection: close\r\n\r\nServer is too busy.\n";
    ssize_t n = send(fd, kBusy, sizeof(kBusy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)n;  // a client that is already gone needs no answer
    close(fd);
  }

 private:
  http::Handler& handler_;
  const SessionConfig& config_;
};

}  // namespace

std::unique_ptr<ConnectionFactory> make_http1_factory(http::Handler& handler,
                                                      const SessionConfig& config) {
  return std::make_unique<Http1Factory>(handler, config);
}

}  // namespace hs::session
