// Http1Session on a socketpair with a real io::EventLoop, when the client half-closes right
// after its bytes: everything is already in the socket (data and FIN) when the session first
// reads, which is deterministic here and what `printf ... | nc -N` does over TCP. Found by the
// session fuzz target (fuzz/session_fuzz.cc): a request head the parser refused, followed by the
// FIN in the same read, closed the connection without its error response — and without the
// responses queued for the valid requests before it.
#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <thread>

#include "base/log.h"
#include "base/pooling.h"
#include "http/exchange.h"
#include "io/event_loop.h"
#include "io/stream.h"
#include "session/http1_session.h"

namespace hs::session {
namespace {

class HelloHandler final : public http::Handler {
 public:
  void handle(http::Exchange& ex) override {
    http::BodyChunk chunk = http::BodyChunk::memory(std::string_view("hello\n"));
    ex.send({&chunk, 1}, true, [](http::SendResult) {});
  }
};

class Owner final : public ConnectionOwner {
 public:
  explicit Owner(io::EventLoop& loop) : loop_(loop) {}
  void connection_closed(Connection*) override {
    closed = true;
    loop_.stop();
  }
  std::string_view date_header() override { return "Wed, 02 Dec 2026 04:00:00 GMT"; }
  bool closed = false;

 private:
  io::EventLoop& loop_;
};

// Starts a session, then writes `input` and half-closes (so that the session's first event brings
// the bytes and the FIN together), runs it until it closes and returns what the client got.
std::string exchange_then_eof(std::string_view input, const SessionConfig& cfg = {}) {
  int sv[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
  io::EventLoop loop;
  Owner owner(loop);
  HelloHandler handler;
  bool hung = false;
  loop.schedule(5'000, [&] {  // only to end a hang; every timeout of `cfg` is longer
    hung = true;
    loop.stop();
  });
  Http1Session session(loop, std::make_unique<io::PlainStream>(loop, sv[0]), owner, handler, cfg);
  session.start();  // reads nothing yet
  EXPECT_EQ(write(sv[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
  shutdown(sv[1], SHUT_WR);
  loop.run();
  EXPECT_FALSE(hung);
  EXPECT_TRUE(owner.closed);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(sv[1], buf, sizeof(buf))) > 0)
    out.append(buf, static_cast<size_t>(n));
  close(sv[1]);
  return out;
}

size_t count(const std::string& s, std::string_view what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1))
    ++n;
  return n;
}

class SessionEof : public ::testing::Test {
 protected:
  void SetUp() override { log_set_level(LogLevel::kNotice); }
  void TearDown() override { log_set_level(LogLevel::kInfo); }
};

TEST_F(SessionEof, CompleteRequestThenEofIsAnswered) {
  std::string out = exchange_then_eof("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(count(out, "HTTP/1.1 200 OK\r\n"), 1u) << out;
  EXPECT_EQ(count(out, "\r\n\r\nhello\n"), 1u) << out;
}

TEST_F(SessionEof, BadHeadThenEofStillGets400) {
  std::string out = exchange_then_eof("GET / HTTP/1.1\r\n\r\n");  // no Host
  EXPECT_EQ(out.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << out;
  EXPECT_EQ(count(out, "HTTP/1.1 "), 1u) << out;
}

TEST_F(SessionEof, PipelinedResponsesBeforeABadHeadAreNotLost) {
  std::string out = exchange_then_eof(
      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 "
      "HTTP/1.1\r\n\r\n");
  EXPECT_EQ(count(out, "HTTP/1.1 200 OK\r\n"), 2u) << out;
  EXPECT_EQ(count(out, "HTTP/1.1 400 Bad Request\r\n"), 1u) << out;
  EXPECT_LT(out.find("HTTP/1.1 200"), out.find("HTTP/1.1 400")) << out;
}

TEST_F(SessionEof, BodyTooLargeThenEofGets413) {
  SessionConfig cfg;
  cfg.limits.max_body_size = 100;
  std::string out =
      exchange_then_eof("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\nabc", cfg);
  EXPECT_EQ(out.rfind("HTTP/1.1 413 ", 0), 0u) << out;
}

TEST_F(SessionEof, EmptyLineAfterABodyThenEofCloses) {
  // A client that ends its POST with an extra CRLF (RFC 9112 §2.2: ignore it) and half-closes:
  // once the response is out the connection must close, not wait for the keep-alive timeout.
  // max_pipelined = 1 leaves the CRLF unparsed until the response is done (found by the fuzzer
  // with small buffers).
  SessionConfig cfg;
  cfg.max_pipelined = 1;
  std::string out =
      exchange_then_eof("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nab\r\n", cfg);
  EXPECT_EQ(count(out, "HTTP/1.1 200 OK\r\n"), 1u) << out;
}

TEST_F(SessionEof, IncompleteHeadThenEofClosesSilently) {
  // Nothing can be answered to half a head: the connection just closes.
  std::string out = exchange_then_eof("GET / HTTP/1.1\r\nHost:");
  EXPECT_EQ(out, "");
}

TEST_F(SessionEof, EofInABodyBeingDiscardedCloses) {
  // Found by the session fuzz target: the second request waits (max_pipelined = 1) until the first
  // response is out; its handler answers without reading the body, and the body being discarded
  // ends early at the FIN. Both responses must arrive and the connection close at once, not at
  // the body timeout.
  SessionConfig cfg;
  cfg.max_pipelined = 1;
  cfg.body_timeout_ms = 60'000;
  std::string out = exchange_then_eof(
      "POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nabcde"
      "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 495\r\n\r\n" +
          std::string(100, 'x'),
      cfg);
  EXPECT_EQ(count(out, "HTTP/1.1 200 OK\r\n"), 2u) << out;
  EXPECT_EQ(count(out, "\r\n\r\nhello\n"), 2u) << out;
}

TEST_F(SessionEof, EofInAPipelinedHeadKeepsEarlierResponses) {
  SessionConfig cfg;
  cfg.max_pipelined = 1;
  std::string out =
      exchange_then_eof("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost:", cfg);
  EXPECT_EQ(count(out, "HTTP/1.1 200 OK\r\n"), 1u) << out;
}

TEST_F(SessionEof, ReadBuffersArePooledExceptUnderSanitizers) {
  // A fresh thread has an empty pool. Its session's read buffer goes back to the pool when the
  // input is drained; under ASan/TSan nothing is pooled (base/pooling.h), so that a use of a
  // released buffer is reported instead of reading another connection's bytes.
  size_t kept = 99;
  std::thread([&] {
    std::string out = exchange_then_eof("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_EQ(count(out, "HTTP/1.1 200 OK\r\n"), 1u) << out;
    kept = Http1Session::spare_read_buffers();
  }).join();
  EXPECT_EQ(kept, base::kPooling ? 1u : 0u);
}

}  // namespace
}  // namespace hs::session
