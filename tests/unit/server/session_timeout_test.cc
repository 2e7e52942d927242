// Http1Session timeouts that expire while earlier output is still unwritten: a socketpair with a
// small send buffer and a client that does not read yet, so the responses queued before the
// timeout stay in the session's output queue when it expires. The timeout must be answered once
// (one 408, one log line), nothing sent after it may be dispatched as a request, and the loop
// must go idle until the client reads.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "http/exchange.h"
#include "io/event_loop.h"
#include "io/stream.h"
#include "session/http1_session.h"

namespace hs::session {
namespace {

// 100 KB: more than the socket takes, less than max_pending_output (so the next head is parsed).
const std::string& big_body() {
  static const std::string body(100'000, 'b');
  return body;
}

// GET answers with big_body(); POST waits for its whole body (then answers "ok").
class Handler final : public http::Handler {
 public:
  void handle(http::Exchange& ex) override {
    targets.emplace_back(ex.request().target);
    if (ex.request().method_name == "POST") {
      read(ex);
      return;
    }
    http::BodyChunk chunk = http::BodyChunk::memory(big_body());
    ex.send({&chunk, 1}, true, [](http::SendResult) {});
  }
  std::vector<std::string> targets;

 private:
  void read(http::Exchange& ex) {
    char buf[256];
    while (true) {
      ssize_t n = ex.read_body(buf, sizeof(buf), [this, &ex] { read(ex); });
      if (n == http::kBodyPending) return;
      if (n == http::kBodyError) return;  // the session answers (408) for us
      if (n == http::kBodyEnd) break;
    }
    http::BodyChunk chunk = http::BodyChunk::memory(std::string_view("ok"));
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

int64_t thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

size_t count(const std::string& s, std::string_view what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1))
    ++n;
  return n;
}

struct Outcome {
  std::string wire;                  // every byte the client received
  std::string log;                   // what the session logged (stderr)
  std::vector<std::string> handled;  // targets dispatched to the handler
  int64_t idle_cpu_ms = 0;           // CPU used while the client did not read
  bool closed = false;
  bool hung = false;
};

// Writes `first` at once, `later` at 500 ms, and reads nothing until 800 ms; then reads whatever
// arrives until the session closes. The loop runs on this thread, so its CPU time between 50 ms
// and 800 ms is what the session burned while it could only wait.
Outcome run(std::string_view first, std::string_view later, const SessionConfig& cfg) {
  Outcome o;
  int sv[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
  int small = 4096;
  EXPECT_EQ(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
  io::EventLoop loop;
  Owner owner(loop);
  Handler handler;
  loop.schedule(5'000, [&] {
    o.hung = true;
    loop.stop();
  });
  testing::internal::CaptureStderr();
  Http1Session session(loop, std::make_unique<io::PlainStream>(loop, sv[0]), owner, handler, cfg);
  session.start();
  EXPECT_EQ(write(sv[1], first.data(), first.size()), static_cast<ssize_t>(first.size()));
  int64_t cpu_start = 0;
  loop.schedule(50, [&] { cpu_start = thread_cpu_ms(); });
  loop.schedule(500, [&] {
    EXPECT_EQ(write(sv[1], later.data(), later.size()), static_cast<ssize_t>(later.size()));
  });
  std::function<void()> reader = [&] {
    char buf[65536];
    ssize_t n;
    while ((n = read(sv[1], buf, sizeof(buf))) > 0)
      o.wire.append(buf, static_cast<size_t>(n));
    if (n == 0) {
      close(sv[1]);  // the session is lingering: our close ends it
      sv[1] = -1;
      return;
    }
    loop.schedule(5, reader);
  };
  loop.schedule(800, [&] {
    o.idle_cpu_ms = thread_cpu_ms() - cpu_start;
    reader();
  });
  loop.run();
  o.log = testing::internal::GetCapturedStderr();
  if (sv[1] >= 0) close(sv[1]);
  o.closed = owner.closed;
  o.handled = handler.targets;
  return o;
}

class SessionTimeoutWithPendingOutput : public ::testing::Test {
 protected:
  void SetUp() override { log_set_level(LogLevel::kInfo); }
};

TEST_F(SessionTimeoutWithPendingOutput, HeaderTimeoutAnswersOnceAndDispatchesNothingAfter) {
  SessionConfig cfg;
  cfg.header_timeout_ms = 200;
  // The second head is partial when the header timeout expires (200 ms) and completed at 500 ms,
  // after the 408 that says the connection closes.
  Outcome o = run("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n", "\r\n", cfg);
  EXPECT_FALSE(o.hung);
  EXPECT_TRUE(o.closed);
  EXPECT_EQ(o.handled, std::vector<std::string>{"/1"});
  EXPECT_EQ(count(o.wire, "HTTP/1.1 200 OK\r\n"), 1u);
  EXPECT_EQ(count(o.wire, "HTTP/1.1 408 "), 1u);
  EXPECT_EQ(count(o.wire, "HTTP/1.1 "), 2u);
  EXPECT_LT(o.wire.find("HTTP/1.1 200 OK\r\n"), o.wire.find("HTTP/1.1 408 "));
  EXPECT_EQ(count(o.log, "408 request head not received in time"), 1u) << o.log.substr(0, 2000);
  EXPECT_EQ(count(o.log, "\n"), 1u) << o.log.substr(0, 2000);
  EXPECT_LT(o.idle_cpu_ms, 150) << "the loop spun while the client did not read";
}

TEST_F(SessionTimeoutWithPendingOutput, BodyTimeoutAnswersOnceAndDispatchesNothingAfter) {
  // The body timeout answers 408 for the POST while the GET's response is still queued; by then
  // the header deadline (from the POST's first byte) is long past.
  SessionConfig cfg;
  cfg.header_timeout_ms = 100;
  cfg.body_timeout_ms = 200;
  Outcome o =
      run("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
          "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab",
          "cdefghij"
          "GET /3 HTTP/1.1\r\nHost: a\r\n\r\n",
          cfg);
  EXPECT_FALSE(o.hung);
  EXPECT_TRUE(o.closed);
  EXPECT_EQ(o.handled, (std::vector<std::string>{"/1", "/2"}));
  EXPECT_EQ(count(o.wire, "HTTP/1.1 200 OK\r\n"), 1u);
  EXPECT_EQ(count(o.wire, "HTTP/1.1 408 "), 1u);
  EXPECT_EQ(count(o.wire, "HTTP/1.1 "), 2u);
  EXPECT_EQ(count(o.log, "request body timeout"), 1u) << o.log.substr(0, 2000);
  EXPECT_EQ(count(o.log, "\n"), 1u) << o.log.substr(0, 2000);
  EXPECT_LT(o.idle_cpu_ms, 150) << "the loop spun while the client did not read";
}

TEST_F(SessionTimeoutWithPendingOutput, NoHeaderTimeoutAfterAMalformedHead) {
  // The 400 for a malformed head waits behind the GET's response; the header deadline of that
  // head expires meanwhile and must not add a 408.
  SessionConfig cfg;
  cfg.header_timeout_ms = 200;
  Outcome o = run("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nBad Name: x\r\n\r\n",
                  "GET /3 HTTP/1.1\r\nHost: a\r\n\r\n", cfg);
  EXPECT_FALSE(o.hung);
  EXPECT_TRUE(o.closed);
  EXPECT_EQ(o.handled, std::vector<std::string>{"/1"});
  EXPECT_EQ(count(o.wire, "HTTP/1.1 200 OK\r\n"), 1u);
  EXPECT_EQ(count(o.wire, "HTTP/1.1 400 "), 1u);
  EXPECT_EQ(count(o.wire, "HTTP/1.1 "), 2u);
  EXPECT_EQ(count(o.log, "\n"), 1u) << o.log.substr(0, 2000);
  EXPECT_LT(o.idle_cpu_ms, 150) << "the loop spun while the client did not read";
}

}  // namespace
}  // namespace hs::session
