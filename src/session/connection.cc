#include "session/connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include "io/event_loop.h"
#include "io/stream.h"
#include "session/http1_session.h"
#include "session/http2_session.h"

namespace hs::session {

http::ConnectionInfo connection_info_of(const io::StreamFacts& facts, std::string_view protocol) {
  http::ConnectionInfo info;
  info.protocol = protocol;
  info.secure = facts.secure;
  if (facts.secure) {
    const io::TlsFacts& t = facts.tls;
    info.tls_version = t.version;
    info.cipher = t.cipher;
    info.cipher_bits = t.cipher_bits;
    info.server_name = t.server_name;
    info.alpn = t.alpn;
    info.server_subject = t.server_subject;
    info.server_issuer = t.server_issuer;
    info.peer_key_bits = t.peer_key_bits;
    info.peer_certificate = t.peer_certificate;
    info.peer_subject = t.peer_subject;
    info.peer_issuer = t.peer_issuer;
    info.peer_serial = t.peer_serial;
    info.peer_verified = t.peer_verified;
  }
  return info;
}

namespace {

// A connection on a plain listener with HTTP/2 enabled: HTTP/1.1 until the client shows it
// speaks HTTP/2 (the preface, or Upgrade: h2c); then an Http2Session on the same stream. This
// object is what the worker holds either way.
class PlainConnection final : public Connection, private ConnectionOwner, private ProtocolSwitch {
 public:
  PlainConnection(io::EventLoop& loop, int fd, ConnectionOwner& owner, http::Handler& handler,
                  const SessionConfig& config)
      : loop_(loop), owner_(owner), handler_(handler), config_(config) {
    ProtocolSwitch& sw = *this;
    ConnectionOwner& self = *this;
    inner_ = std::make_unique<Http1Session>(loop, std::make_unique<io::PlainStream>(loop, fd), self,
                                            handler, config, &sw);
  }
  void start() override { inner_->start(); }
  void drain() override { inner_->drain(); }
  void close_now() override { inner_->close_now(); }

 private:
  void connection_closed(Connection*) override { owner_.connection_closed(this); }
  std::string_view date_header() override { return owner_.date_header(); }
  void switch_to_http2(std::unique_ptr<io::Stream> stream, std::string input, std::string output,
                       const UpgradedRequest* upgrade) override {
    // Called from inside the HTTP/1 session, which is dead and unused from here: deleted from a
    // task, before anything the new session queues (and so before its teardown, which deletes
    // this object).
    retired_ = std::move(inner_);
    loop_.defer([this] { retired_.reset(); });
    ConnectionOwner& self = *this;
    inner_ = std::make_unique<Http2Session>(loop_, std::move(stream), self, handler_, config_,
                                            std::move(input), std::move(output), upgrade);
    inner_->start();
  }

  io::EventLoop& loop_;
  ConnectionOwner& owner_;
  http::Handler& handler_;
  const SessionConfig& config_;
  std::unique_ptr<Connection> inner_;
  std::unique_ptr<Connection> retired_;
};

class Http1Factory final : public ConnectionFactory {
 public:
  Http1Factory(http::Handler& handler, const SessionConfig& config)
      : handler_(handler), config_(config) {}

  std::unique_ptr<Connection> create(io::EventLoop& loop, int fd, ConnectionOwner& owner) override {
    if (config_.h2.enabled) {
      return std::make_unique<PlainConnection>(loop, fd, owner, handler_, config_);
    }
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

// HTTP/2 with prior knowledge only (--listen-h2c): no HTTP/1 on the port, so what does not begin
// with the client preface is a connection error (GOAWAY, close), as RFC 9113 §3.4 asks.
class H2cFactory final : public ConnectionFactory {
 public:
  H2cFactory(http::Handler& handler, const SessionConfig& config)
      : handler_(handler), config_(config) {}

  std::unique_ptr<Connection> create(io::EventLoop& loop, int fd, ConnectionOwner& owner) override {
    return std::make_unique<Http2Session>(loop, std::make_unique<io::PlainStream>(loop, fd), owner,
                                          handler_, config_);
  }

  void refuse(int fd) override {
    // The server preface (an empty SETTINGS frame), then GOAWAY(NO_ERROR) naming no stream: the
    // client knows nothing was processed and may retry.
    static constexpr char kBusy[] =
        "\x00\x00\x00\x04\x00\x00\x00\x00\x00"                 // SETTINGS
        "\x00\x00\x1a\x07\x00\x00\x00\x00\x00"                 // GOAWAY, 26 bytes
        "\x00\x00\x00\x00\x00\x00\x00\x00server is too busy";  // last id 0, NO_ERROR
    ssize_t n = send(fd, kBusy, sizeof(kBusy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)n;
    close(fd);
  }

 private:
  http::Handler& handler_;
  const SessionConfig& config_;
};

}  // namespace

std::unique_ptr<ConnectionFactory> make_h2c_factory(http::Handler& handler,
                                                    const SessionConfig& config) {
  return std::make_unique<H2cFactory>(handler, config);
}

std::unique_ptr<ConnectionFactory> make_http1_factory(http::Handler& handler,
                                                      const SessionConfig& config) {
  return std::make_unique<Http1Factory>(handler, config);
}

}  // namespace hs::session
