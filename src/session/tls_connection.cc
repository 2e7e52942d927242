#include "session/tls_connection.h"

#include <unistd.h>

#include "base/log.h"
#include "io/event_loop.h"
#include "session/http1_session.h"
#include "session/http2_session.h"

namespace hs::session {

TlsConnection::TlsConnection(io::EventLoop& loop, int fd, std::shared_ptr<const io::TlsContext> ctx,
                             ConnectionOwner& owner, http::Handler& handler,
                             const SessionConfig& config)
    : loop_(loop),
      exec_(loop),
      owner_(owner),
      handler_(handler),
      config_(config),
      stream_(std::make_unique<io::TlsStream>(loop, fd, std::move(ctx))) {}

TlsConnection::~TlsConnection() {
  if (timer_ != 0) exec_.cancel(timer_);
}

void TlsConnection::start() {
  if (!stream_->attach(this)) {
    fail("cannot watch the connection", "");
    return;
  }
  // A client that connects and never completes its handshake is a slowloris too.
  timer_ = exec_.schedule(config_.header_timeout_ms, [this] {
    timer_ = 0;
    if (!inner_ && !dead_) fail("TLS handshake timeout", "");
  });
  step();
}

void TlsConnection::on_ready(uint32_t) {
  if (!dead_ && !inner_) step();
}

void TlsConnection::step() {
  switch (stream_->handshake()) {
    case io::TlsStream::Handshake::kPending:
      return;
    case io::TlsStream::Handshake::kFailed:
      fail("TLS handshake failed", stream_->error());
      return;
    case io::TlsStream::Handshake::kDone:
      break;
  }
  if (timer_ != 0) exec_.cancel(timer_);
  timer_ = 0;
  const io::TlsFacts& t = stream_->facts().tls;
  HS_LOG_DEBUG("%s:%u: %s %s, ALPN '%s', SNI '%s'%s%s", stream_->facts().remote_host.c_str(),
               stream_->facts().remote_port, t.version.c_str(), t.cipher.c_str(), t.alpn.c_str(),
               t.server_name.c_str(), t.session_reused ? ", resumed" : "",
               stream_->ktls_send() ? ", kTLS" : "");
  // ALPN "h2": HTTP/2; "http/1.1" or none: HTTP/1.1.
  ConnectionOwner& self = *this;
  if (t.alpn == "h2" && config_.h2.enabled) {
    inner_ = std::make_unique<Http2Session>(exec_, std::move(stream_), self, handler_, config_);
  } else {
    inner_ = std::make_unique<Http1Session>(exec_, std::move(stream_), self, handler_, config_);
  }
  inner_->start();
  if (draining_) inner_->drain();
}

void TlsConnection::fail(const char* reason, const std::string& detail) {
  if (dead_) return;
  dead_ = true;
  if (!detail.empty()) {
    HS_LOG_INFO("%s:%u: %s: %s", stream_->facts().remote_host.c_str(), stream_->facts().remote_port,
                reason, detail.c_str());
  } else {
    HS_LOG_DEBUG("%s:%u: %s", stream_->facts().remote_host.c_str(), stream_->facts().remote_port,
                 reason);
  }
  stream_->close(false);
  if (timer_ != 0) exec_.cancel(timer_);
  timer_ = 0;
  // Deleted by the owner from a deferred task, like every connection.
  exec_.defer([this] { owner_.connection_closed(this); });
}

void TlsConnection::drain() {
  if (inner_) {
    inner_->drain();
  } else {
    draining_ = true;
  }
}

void TlsConnection::close_now() {
  if (inner_) {
    inner_->close_now();
  } else {
    fail("closed by server", "");
  }
}

void TlsConnection::connection_closed(Connection*) {
  owner_.connection_closed(this);  // deletes this, and the inner connection with it
}

namespace {

class TlsFactory final : public ConnectionFactory {
 public:
  TlsFactory(http::Handler& handler, const SessionConfig& config,
             std::shared_ptr<const io::TlsContext> ctx)
      : handler_(handler), config_(config), ctx_(std::move(ctx)) {}

  std::unique_ptr<Connection> create(io::EventLoop& loop, int fd, ConnectionOwner& owner) override {
    return std::make_unique<TlsConnection>(loop, fd, ctx_, owner, handler_, config_);
  }
  // Nothing can be said before a handshake (which is what a refusal saves): close.
  void refuse(int fd) override { close(fd); }

 private:
  http::Handler& handler_;
  const SessionConfig& config_;
  std::shared_ptr<const io::TlsContext> ctx_;
};

}  // namespace

std::unique_ptr<ConnectionFactory> make_tls_factory(http::Handler& handler,
                                                    const SessionConfig& config,
                                                    std::shared_ptr<const io::TlsContext> ctx) {
  return std::make_unique<TlsFactory>(handler, config, std::move(ctx));
}

}  // namespace hs::session
