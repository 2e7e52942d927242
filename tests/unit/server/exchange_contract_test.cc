// The protocol-neutral handler contract (src/http/exchange.h), checked end to end: the real
// server, in process, with custom handlers, over real loopback sockets. Handlers run on the
// server's loop thread; the test thread is a plain blocking client that reads raw bytes.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "base/log.h"
#include "http/exchange.h"
#include "io/socket.h"
#include "server/server.h"

namespace hs::server {
namespace {

using Clock = std::chrono::steady_clock;
using http::BodyChunk;
using http::Exchange;
using http::SendResult;
using std::chrono::milliseconds;

constexpr int kTimeoutMs = 5000;

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Replaces the value of the Date header (an IMF-fixdate, 29 characters) by "<date>". A malformed
// value is left alone so that the exact comparison that follows fails.
std::string mask_date(std::string s) {
  size_t p = s.find("\r\nDate: ");
  if (p == std::string::npos) return s;
  p += 8;
  size_t e = s.find("\r\n", p);
  if (e == std::string::npos || e - p != 29 || s.compare(e - 4, 4, " GMT") != 0) return s;
  s.replace(p, e - p, "<date>");
  return s;
}

std::string pattern(size_t n, uint32_t seed = 1) {
  std::string s(n, '\0');
  uint32_t x = seed;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    s[i] = static_cast<char>('!' + (x >> 16) % 90);
  }
  return s;
}

uint64_t fnv1a(std::string_view s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string hex(uint64_t v) {
  char b[20];
  snprintf(b, sizeof(b), "%016llx", static_cast<unsigned long long>(v));
  return b;
}

bool eventually(const std::function<bool()>& pred, int timeout_ms = kTimeoutMs) {
  auto dl = Clock::now() + milliseconds(timeout_ms);
  while (Clock::now() < dl) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return pred();
}

// ---------------------------------------------------------------------------------------------
// Handler-side recording, read by the test thread.
class Events {
 public:
  void add(std::string e) {
    std::lock_guard<std::mutex> l(mu_);
    v_.push_back(std::move(e));
    cv_.notify_all();
  }
  std::vector<std::string> list() const {
    std::lock_guard<std::mutex> l(mu_);
    return v_;
  }
  size_t count(std::string_view e) const {
    std::lock_guard<std::mutex> l(mu_);
    return static_cast<size_t>(std::count(v_.begin(), v_.end(), e));
  }
  size_t count_prefix(std::string_view p) const {
    std::lock_guard<std::mutex> l(mu_);
    return static_cast<size_t>(std::count_if(
        v_.begin(), v_.end(), [&](const std::string& s) { return s.starts_with(p); }));
  }
  bool wait_for(std::string_view e, int timeout_ms = kTimeoutMs) const {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, milliseconds(timeout_ms),
                        [&] { return std::find(v_.begin(), v_.end(), e) != v_.end(); });
  }
  // Waits until `e` has been recorded at least `n` times.
  bool wait_for_count(std::string_view e, size_t n, int timeout_ms = kTimeoutMs) const {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, milliseconds(timeout_ms), [&] {
      return static_cast<size_t>(std::count(v_.begin(), v_.end(), e)) >= n;
    });
  }
  std::string joined() const {
    std::lock_guard<std::mutex> l(mu_);
    std::string s;
    for (const auto& e : v_)
      s += e + "\n";
    return s;
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<std::string> v_;
};

// ---------------------------------------------------------------------------------------------
// The server under test.
class FnHandler final : public http::Handler {
 public:
  explicit FnHandler(std::function<void(Exchange&)> fn) : fn_(std::move(fn)) {}
  void handle(Exchange& ex) override { fn_(ex); }

 private:
  std::function<void(Exchange&)> fn_;
};

class TestServer {
 public:
  explicit TestServer(std::function<void(Exchange&)> fn,
                      const std::function<void(ServerConfig&)>& tweak = nullptr)
      : handler_(std::move(fn)) {
    if (getenv("HS_TEST_DEBUG") != nullptr) log_set_level(LogLevel::kDebug);
    ServerConfig cfg;
    cfg.listen = {*io::parse_socket_address("127.0.0.1:0")};
    cfg.workers = 1;
    cfg.shutdown_timeout_ms = 1000;
    if (tweak) tweak(cfg);
    server_ = std::make_unique<Server>(std::move(cfg), &handler_);
    std::string err;
    bool ok = server_->start(&err);
    EXPECT_TRUE(ok) << err;
    if (ok) port_ = server_->bound()[0].port();
  }
  ~TestServer() {
    server_->stop_now();
    server_->wait();
  }
  uint16_t port() const { return port_; }
  Server& server() { return *server_; }

 private:
  FnHandler handler_;  // outlives server_
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

// ---------------------------------------------------------------------------------------------
// A blocking client that keeps every byte it received.
enum class End { kOpen, kClosed, kReset };

const char* end_name(End e) {
  switch (e) {
    case End::kOpen:
      return "open";
    case End::kClosed:
      return "closed (FIN)";
    case End::kReset:
      return "reset";
  }
  return "?";
}

void PrintTo(End e, std::ostream* os) {
  *os << end_name(e);
}

struct Response {
  bool complete = false;
  std::string raw;  // the exact bytes of this message (what arrived, when incomplete)
  std::string status_line;
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // decoded
  std::vector<uint64_t> chunk_sizes;

  size_t count(std::string_view name) const {
    return static_cast<size_t>(std::count_if(headers.begin(), headers.end(),
                                             [&](const auto& h) { return iequal(h.first, name); }));
  }
  std::string get(std::string_view name) const {
    for (const auto& h : headers) {
      if (iequal(h.first, name)) return h.second;
    }
    return {};
  }
  std::string masked() const { return mask_date(raw); }
};

class Client {
 public:
  struct Options {
    int rcvbuf = 0;
    int sndbuf = 0;
  };
  explicit Client(uint16_t port) : Client(port, Options{}) {}
  Client(uint16_t port, Options o) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (o.rcvbuf > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &o.rcvbuf, sizeof(o.rcvbuf));
    if (o.sndbuf > 0) setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &o.sndbuf, sizeof(o.sndbuf));
    timeval tv{kTimeoutMs / 1000, 0};
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
      ADD_FAILURE() << "connect to port " << port << ": " << strerror(errno);
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~Client() { close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  uint16_t local_port() const {
    sockaddr_in a{};
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
  }

  bool send_all(std::string_view d) {
    while (!d.empty()) {
      ssize_t n = ::send(fd_, d.data(), d.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      d.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  // Closes with an RST (SO_LINGER 0).
  void reset() {
    linger lg{1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close();
  }

  // Slow reader: at most `max_read` bytes per recv, sleeping `delay_ms` before each.
  void throttle(size_t max_read, int delay_ms) {
    max_read_ = max_read;
    delay_ms_ = delay_ms;
  }

  End end() const { return end_; }
  size_t received() const { return total_.load(); }
  // Bytes received but not consumed by read_response() / read_exact().
  std::string_view unread() const { return std::string_view(buf_).substr(pos_); }

  // True when nothing arrives (and the connection stays open) for `ms`.
  bool quiet_for(int ms) {
    size_t before = buf_.size();
    auto dl = Clock::now() + milliseconds(ms);
    while (Clock::now() < dl && end_ == End::kOpen)
      read_once(dl);
    return buf_.size() == before && end_ == End::kOpen;
  }

  std::string read_exact(size_t n, int timeout_ms = kTimeoutMs) {
    auto dl = Clock::now() + milliseconds(timeout_ms);
    fill_to(pos_ + n, dl);
    size_t take = std::min(n, buf_.size() - pos_);
    std::string s = buf_.substr(pos_, take);
    pos_ += take;
    return s;
  }

  // Everything not yet consumed, once the connection ended (or the deadline passed).
  std::string read_until_close(int timeout_ms = kTimeoutMs) {
    auto dl = Clock::now() + milliseconds(timeout_ms);
    while (end_ == End::kOpen && Clock::now() < dl)
      read_once(dl);
    std::string s = buf_.substr(pos_);
    pos_ = buf_.size();
    return s;
  }

  // Reads one response. `no_body`: the answer to a HEAD request.
  Response read_response(bool no_body = false, int timeout_ms = kTimeoutMs) {
    Response r;
    auto dl = Clock::now() + milliseconds(timeout_ms);
    const size_t start = pos_;
    auto incomplete = [&]() -> Response {
      r.complete = false;
      r.raw = buf_.substr(start);
      pos_ = buf_.size();
      return r;
    };
    size_t he = find("\r\n\r\n", start, dl);
    if (he == std::string::npos) return incomplete();
    std::string_view head(buf_.data() + start, he - start);
    size_t eol = head.find("\r\n");
    r.status_line = std::string(head.substr(0, eol));
    if (r.status_line.size() < 12 || !r.status_line.starts_with("HTTP/1.")) return incomplete();
    r.status = atoi(r.status_line.c_str() + 9);
    while (eol != std::string_view::npos) {
      size_t next = head.find("\r\n", eol + 2);
      std::string_view line = head.substr(
          eol + 2, next == std::string_view::npos ? std::string_view::npos : next - eol - 2);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) return incomplete();
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ')
        value.remove_prefix(1);
      r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
      eol = next;
    }
    size_t p = he + 4;
    bool chunked = r.get("Transfer-Encoding").find("chunked") != std::string::npos;
    if (r.status / 100 == 1 || no_body || r.status == 204 || r.status == 304) {
      // no body
    } else if (chunked) {
      while (true) {
        size_t le = find("\r\n", p, dl);
        if (le == std::string::npos || le == p) return incomplete();
        uint64_t size = 0;
        for (size_t i = p; i < le; ++i) {
          int c = static_cast<unsigned char>(buf_[i]);
          int d = isdigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
          if (d < 0) return incomplete();  // we never send uppercase or extensions
          size = size * 16 + static_cast<uint64_t>(d);
        }
        p = le + 2;
        if (!fill_to(p + size + 2, dl)) return incomplete();
        if (buf_.compare(p + size, 2, "\r\n") != 0) return incomplete();
        r.chunk_sizes.push_back(size);
        r.body.append(buf_, p, size);
        p += size + 2;
        if (size == 0) break;
      }
    } else if (r.count("Content-Length") > 0) {
      uint64_t n = strtoull(r.get("Content-Length").c_str(), nullptr, 10);
      if (!fill_to(p + n, dl)) return incomplete();
      r.body = buf_.substr(p, n);
      p += n;
    } else {
      while (end_ == End::kOpen && Clock::now() < dl)
        read_once(dl);
      if (end_ != End::kClosed) return incomplete();
      r.body = buf_.substr(p);
      p = buf_.size();
    }
    r.complete = true;
    r.raw = buf_.substr(start, p - start);
    pos_ = p;
    return r;
  }

 private:
  void read_once(Clock::time_point dl) {
    if (end_ != End::kOpen || fd_ < 0) return;
    auto left = std::chrono::duration_cast<milliseconds>(dl - Clock::now()).count();
    if (left < 0) left = 0;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return;
    if (delay_ms_ > 0) std::this_thread::sleep_for(milliseconds(delay_ms_));
    char tmp[65536];
    size_t want = std::min(sizeof(tmp), max_read_);
    ssize_t n = ::recv(fd_, tmp, want, 0);
    if (n > 0) {
      buf_.append(tmp, static_cast<size_t>(n));
      total_ += static_cast<size_t>(n);
    } else if (n == 0) {
      end_ = End::kClosed;
    } else if (errno != EINTR && errno != EAGAIN) {
      end_ = End::kReset;  // ECONNRESET (anything else is just as final)
    }
  }
  bool fill_to(size_t end_index, Clock::time_point dl) {
    while (buf_.size() < end_index) {
      if (end_ != End::kOpen || Clock::now() >= dl) return false;
      read_once(dl);
    }
    return true;
  }
  size_t find(std::string_view pat, size_t from, Clock::time_point dl) {
    while (true) {
      size_t i = buf_.find(pat, from);
      if (i != std::string::npos) return i;
      if (end_ != End::kOpen || Clock::now() >= dl) return std::string::npos;
      read_once(dl);
    }
  }

  int fd_ = -1;
  std::string buf_;
  size_t pos_ = 0;
  End end_ = End::kOpen;
  std::atomic<size_t> total_{0};
  size_t max_read_ = 65536;
  int delay_ms_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Handler-side helpers (loop thread).

// Sends `text`, kept alive until the completion, then runs `then`.
bool send_text(Exchange& ex, std::string text, bool last,
               std::function<void(SendResult)> then = nullptr) {
  auto keep = std::make_shared<std::string>(std::move(text));
  BodyChunk c = BodyChunk::memory(*keep);
  return ex.send({&c, 1}, last, [keep, then = std::move(then)](SendResult r) {
    if (then) then(r);
  });
}

// Sends `parts` one per send, each from the previous completion; the last one with last=true.
// Records "send<i>=<returned>" and "done<i> ok=<ok> bytes=<n>".
void send_parts(Exchange& ex, std::shared_ptr<std::vector<std::string>> parts, Events* ev,
                size_t i = 0) {
  bool last = i + 1 == parts->size();
  bool r = send_text(ex, (*parts)[i], last, [&ex, parts, ev, i, last](SendResult res) {
    if (ev) {
      ev->add("done" + std::to_string(i) + " ok=" + std::to_string(res.ok) +
              " bytes=" + std::to_string(res.bytes));
    }
    if (res.ok && !last) send_parts(ex, parts, ev, i + 1);
  });
  if (ev) ev->add("send" + std::to_string(i) + "=" + std::to_string(r));
}

// Pulls a whole request body through read_body() with `cap` bytes per call.
class BodyReader : public std::enable_shared_from_this<BodyReader> {
 public:
  using Done = std::function<void(BodyReader&)>;

  BodyReader(Exchange& ex, size_t cap, Done done)
      : ex_(&ex), exec_(&ex.executor()), cap_(cap), done_(std::move(done)) {}

  static std::shared_ptr<BodyReader> start(Exchange& ex, size_t cap, Done done,
                                           std::function<void(BodyReader&)> on_data = nullptr) {
    auto r = std::make_shared<BodyReader>(ex, cap, std::move(done));
    r->on_data = std::move(on_data);
    r->step();
    return r;
  }

  void step() {
    std::vector<char> buf(cap_);
    while (true) {
      in_read_ = true;
      ssize_t n = ex_->read_body(buf.data(), cap_, [self = shared_from_this()] {
        if (self->in_read_) self->ready_inside_read = true;
        if (!self->exec_->in_executor_thread()) self->ready_off_loop = true;
        self->step();
      });
      in_read_ = false;
      ++calls;
      if (n > 0) {
        if (static_cast<size_t>(n) > cap_) over_cap = true;
        body.append(buf.data(), static_cast<size_t>(n));
        if (on_data) on_data(*this);
        continue;
      }
      if (n == http::kBodyPending) {
        ++pending;
        return;
      }
      result = n;
      finished = true;
      if (done_) {
        Done d = std::move(done_);
        done_ = nullptr;
        d(*this);
      }
      return;
    }
  }

  Exchange* ex_;
  Executor* exec_;
  size_t cap_;
  Done done_;
  std::function<void(BodyReader&)> on_data;
  std::string body;
  ssize_t result = 1;
  bool finished = false;
  int calls = 0;
  int pending = 0;
  bool in_read_ = false;
  bool ready_inside_read = false;
  bool ready_off_loop = false;
  bool over_cap = false;
};

std::string get(std::string_view target, std::string_view extra = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n";
}

// =============================================================================================
// 1. Response framing
// =============================================================================================

TEST(Framing, SingleLastSendGetsContentLength) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    send_parts(ex, std::make_shared<std::vector<std::string>>(std::vector<std::string>{"hello"}),
               &ev);
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/a")));
  Response r = c.read_response();
  ASSERT_TRUE(r.complete) << r.raw;
  EXPECT_EQ(r.masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 5\r\n\r\n"
            "hello");
  // Keep-alive: the same connection serves another request.
  ASSERT_TRUE(c.send_all(get("/b")));
  Response r2 = c.read_response();
  ASSERT_TRUE(r2.complete) << r2.raw;
  EXPECT_EQ(r2.body, "hello");
  EXPECT_TRUE(c.quiet_for(50));
  EXPECT_TRUE(ev.wait_for_count("done0 ok=1 bytes=5", 2)) << ev.joined();
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(ev.count("done0 ok=1 bytes=5"), 2u) << ev.joined();
}

TEST(Framing, StreamingSendsAreChunked) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    // Second send: two memory chunks in one send make one wire chunk.
    static const std::string kFirst = "abc";
    static const std::string kLetters = "abcdefghijklm";
    static const std::string kLetters2 = "nopqrstuvwxyz";
    BodyChunk c1 = BodyChunk::memory(kFirst);
    bool r1 = ex.send({&c1, 1}, false, [&ex, &ev](SendResult res) {
      ev.add("done0 ok=" + std::to_string(res.ok) + " bytes=" + std::to_string(res.bytes));
      BodyChunk two[] = {BodyChunk::memory(kLetters), BodyChunk::memory(kLetters2)};
      bool r2 = ex.send(two, false, [&ex, &ev](SendResult res2) {
        ev.add("done1 ok=" + std::to_string(res2.ok) + " bytes=" + std::to_string(res2.bytes));
        send_text(ex, "xyz", true, [&ev](SendResult res3) {
          ev.add("done2 ok=" + std::to_string(res3.ok) + " bytes=" + std::to_string(res3.bytes));
        });
      });
      ev.add("send1=" + std::to_string(r2));
    });
    ev.add("send0=" + std::to_string(r1));
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/")));
  Response r = c.read_response();
  ASSERT_TRUE(r.complete) << r.raw;
  EXPECT_EQ(r.masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nTransfer-Encoding: chunked\r\n"
            "\r\n"
            "3\r\nabc\r\n"
            "1a\r\nabcdefghijklmnopqrstuvwxyz\r\n"
            "3\r\nxyz\r\n"
            "0\r\n\r\n");
  EXPECT_TRUE(ev.wait_for("done2 ok=1 bytes=3"));
  EXPECT_EQ(ev.count("done0 ok=1 bytes=3"), 1u);
  EXPECT_EQ(ev.count("done1 ok=1 bytes=26"), 1u);
  // Still keep-alive.
  ASSERT_TRUE(c.send_all(get("/")));
  EXPECT_TRUE(c.read_response().complete);
}

TEST(Framing, EmptySendsInAChunkedResponse) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    if (ex.request().target == "/zero") {
      // Zero chunks, last: an empty body with a computed length.
      bool r = ex.send({}, true, [&ev](SendResult res) {
        ev.add("zero ok=" + std::to_string(res.ok) + " bytes=" + std::to_string(res.bytes));
      });
      ev.add("zero send=" + std::to_string(r));
      return;
    }
    // "abc", then an empty memory chunk, then no chunks at all, then an empty last send: an
    // empty chunk must never reach the wire (it would be the last-chunk marker).
    send_text(ex, "abc", false, [&ex, &ev](SendResult) {
      send_text(ex, "", false, [&ex, &ev](SendResult r1) {
        ev.add("empty ok=" + std::to_string(r1.ok) + " bytes=" + std::to_string(r1.bytes));
        ex.send({}, false, [&ex, &ev](SendResult r2) {
          ev.add("none ok=" + std::to_string(r2.ok) + " bytes=" + std::to_string(r2.bytes));
          ex.send({}, true, [&ev](SendResult r3) {
            ev.add("last ok=" + std::to_string(r3.ok) + " bytes=" + std::to_string(r3.bytes));
          });
        });
      });
    });
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/zero") + get("/stream")));
  Response r1 = c.read_response();
  ASSERT_TRUE(r1.complete) << r1.raw;
  EXPECT_EQ(r1.masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 0\r\n\r\n");
  Response r2 = c.read_response();
  ASSERT_TRUE(r2.complete) << r2.raw;
  EXPECT_EQ(r2.masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nTransfer-Encoding: chunked\r\n"
            "\r\n3\r\nabc\r\n0\r\n\r\n");
  EXPECT_TRUE(ev.wait_for("last ok=1 bytes=0"));
  EXPECT_EQ(ev.count("zero send=1"), 1u);
  EXPECT_EQ(ev.count("zero ok=1 bytes=0"), 1u);
  EXPECT_EQ(ev.count("empty ok=1 bytes=0"), 1u);
  EXPECT_EQ(ev.count("none ok=1 bytes=0"), 1u);
  EXPECT_TRUE(c.quiet_for(50));
}

TEST(Framing, Http10StreamingIsCloseDelimited) {
  TestServer srv([&](Exchange& ex) {
    send_text(ex, "abc", false, [&ex](SendResult) { send_text(ex, "defgh", true); });
  });
  for (const char* req :
       {"GET / HTTP/1.0\r\n\r\n", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"}) {
    SCOPED_TRACE(req);
    Client c(srv.port());
    ASSERT_TRUE(c.send_all(req));
    Response r = c.read_response();
    ASSERT_TRUE(r.complete) << r.raw << " end=" << end_name(c.end());
    EXPECT_EQ(r.masked(), "HTTP/1.0 200 OK\r\nDate: <date>\r\nServer: httpserv\r\n\r\nabcdefgh");
    EXPECT_EQ(c.end(), End::kClosed);
  }
}

TEST(Framing, Http10SingleSend) {
  TestServer srv([&](Exchange& ex) { send_text(ex, "hello", true); });
  {
    Client c(srv.port());
    ASSERT_TRUE(c.send_all("GET / HTTP/1.0\r\n\r\n"));
    Response r = c.read_response();
    ASSERT_TRUE(r.complete) << r.raw;
    EXPECT_EQ(r.masked(),
              "HTTP/1.0 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 5\r\n\r\n"
              "hello");
    EXPECT_EQ(c.read_until_close(), "");
    EXPECT_EQ(c.end(), End::kClosed);
  }
  {
    Client c(srv.port());
    const char* ka = "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    ASSERT_TRUE(c.send_all(ka));
    Response r = c.read_response();
    ASSERT_TRUE(r.complete) << r.raw;
    EXPECT_EQ(r.masked(),
              "HTTP/1.0 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 5\r\n"
              "Connection: keep-alive\r\n\r\nhello");
    ASSERT_TRUE(c.send_all(ka));
    EXPECT_EQ(c.read_response().body, "hello");
  }
}

TEST(Framing, HandlerContentLengthHonouredAcrossSends) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    ex.response().headers.set("Content-Length", "10");
    send_parts(
        ex,
        std::make_shared<std::vector<std::string>>(std::vector<std::string>{"abc", "defg", "hij"}),
        &ev);
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/")));
  Response r = c.read_response();
  ASSERT_TRUE(r.complete) << r.raw;
  EXPECT_EQ(r.masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 10\r\n\r\n"
            "abcdefghij");
  EXPECT_TRUE(ev.wait_for("done2 ok=1 bytes=3"));
  EXPECT_EQ(ev.count("done1 ok=1 bytes=4"), 1u);
  ASSERT_TRUE(c.send_all(get("/")));
  EXPECT_EQ(c.read_response().body, "abcdefghij");
}

// A later send that goes past the handler's Content-Length: the part already sent arrives, then a
// reset; the client never sees the extra bytes, and the completion reports ok=false.
TEST(Framing, BodyLongerThanContentLengthResets) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    ex.set_abort_handler(
        [&ev, &ex] { ev.add("abort connected=" + std::to_string(ex.connected())); });
    ex.response().headers.set("Content-Length", "5");
    if (ex.request().target == "/at-once") {
      bool r = send_text(ex, "abcdefgh", true, [&ev](SendResult res) {
        ev.add("done ok=" + std::to_string(res.ok) + " bytes=" + std::to_string(res.bytes));
      });
      ev.add("send=" + std::to_string(r));
      return;
    }
    send_parts(ex,
               std::make_shared<std::vector<std::string>>(
                   std::vector<std::string>{"abc", "defg", "never"}),
               &ev);
  });
  {
    Client c(srv.port());
    ASSERT_TRUE(c.send_all(get("/later")));
    std::string got = c.read_until_close();
    EXPECT_NE(c.end(), End::kOpen);
    std::string head =
        "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 5\r\n\r\n";
    std::string masked = mask_date(got);
    EXPECT_TRUE((head + "abc").starts_with(masked)) << masked;
    EXPECT_EQ(got.find("defg"), std::string::npos);
    EXPECT_TRUE(ev.wait_for("abort connected=0")) << ev.joined();
    EXPECT_EQ(ev.list(), (std::vector<std::string>{"send0=1", "done0 ok=1 bytes=3", "send1=1",
                                                   "done1 ok=0 bytes=0", "abort connected=0"}));
  }
  {
    Events* e = &ev;
    Client c(srv.port());
    ASSERT_TRUE(c.send_all(get("/at-once")));
    std::string got = c.read_until_close();
    EXPECT_EQ(c.end(), End::kReset);
    EXPECT_EQ(got, "");  // the head never left: nothing that looks like a response
    EXPECT_TRUE(e->wait_for("done ok=0 bytes=0")) << e->joined();
    EXPECT_TRUE(e->wait_for("abort connected=0")) << e->joined();
    EXPECT_EQ(e->count("send=1"), 1u);
  }
}

TEST(Framing, BodyShorterThanContentLengthResets) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    ex.set_abort_handler(
        [&ev, &ex] { ev.add("abort connected=" + std::to_string(ex.connected())); });
    ex.response().headers.set("Content-Length", "10");
    send_parts(
        ex, std::make_shared<std::vector<std::string>>(std::vector<std::string>{"abc", "de"}), &ev);
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/")));
  Response r = c.read_response(false, 3000);
  EXPECT_FALSE(r.complete) << r.raw;
  EXPECT_NE(c.end(), End::kOpen) << "the client must not be left waiting for 5 more bytes";
  std::string head =
      "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 10\r\n\r\n";
  EXPECT_TRUE((head + "abcde").starts_with(r.masked())) << r.masked();
  EXPECT_TRUE(ev.wait_for("abort connected=0")) << ev.joined();
  EXPECT_EQ(ev.list(), (std::vector<std::string>{"send0=1", "done0 ok=1 bytes=3", "send1=1",
                                                 "done1 ok=0 bytes=0", "abort connected=0"}));
}

TEST(Framing, ContentLengthResetKeepsEarlierPipelinedResponse) {
  // Both requests arrive in one segment, so the first response is still queued (unwritten) when
  // the second one's refused send resets the connection: it must still reach the client.
  TestServer srv([&](Exchange& ex) {
    if (ex.request().target == "/bad") {
      ex.response().headers.set("Content-Length", "3");
      send_text(ex, "toolong", true);
    } else {
      send_text(ex, "first", true);
    }
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/") + get("/bad")));
  std::string got = c.read_until_close();
  EXPECT_EQ(c.end(), End::kReset);
  EXPECT_EQ(mask_date(got),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 5\r\n\r\n"
            "first");
}

TEST(Framing, HeadSendsHeadersOnly) {
  TestServer srv([&](Exchange& ex) {
    std::string_view t = ex.request().target;
    if (t == "/declared") {
      ex.response().headers.set("Content-Length", "1234");
      ex.send({}, true, nullptr);
    } else if (t == "/declared-body") {
      // A GET handler reused for HEAD: declares the length and sends the bytes.
      ex.response().headers.set("Content-Length", "5");
      send_text(ex, "hel", false, [&ex](SendResult) { send_text(ex, "lo", true); });
    } else if (t == "/streamed") {
      send_text(ex, "abc", false, [&ex](SendResult) { send_text(ex, "de", true); });
    } else {
      send_text(ex, "hello", true);
    }
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(
      "HEAD /computed HTTP/1.1\r\nHost: t\r\n\r\nHEAD /declared HTTP/1.1\r\nHost: t\r\n\r\nHEAD "
      "/declared-body HTTP/1.1\r\nHost: t\r\n\r\n"
      "HEAD /streamed HTTP/1.1\r\nHost: t\r\n\r\nGET /computed HTTP/1.1\r\nHost: t\r\n\r\n"));
  Response r1 = c.read_response(true);
  EXPECT_EQ(r1.masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 5\r\n\r\n");
  Response r2 = c.read_response(true);
  EXPECT_EQ(r2.masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 1234\r\n\r\n");
  Response r2b = c.read_response(true);
  EXPECT_EQ(r2b.masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 5\r\n\r\n");
  Response r3 = c.read_response(true);
  EXPECT_EQ(r3.masked(), "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\n\r\n");
  // The GET proves that no body byte followed any HEAD response.
  Response r4 = c.read_response();
  EXPECT_EQ(r4.masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 5\r\n\r\n"
            "hello");
  EXPECT_TRUE(c.quiet_for(50));
  EXPECT_EQ(c.unread(), "");
}

TEST(Framing, NoContentAndNotModifiedHaveNoBody) {
  TestServer srv([&](Exchange& ex) {
    std::string_view t = ex.request().target;
    if (t == "/204") ex.response().status = 204;
    if (t == "/304") ex.response().status = 304;
    if (t == "/204-stream") {
      ex.response().status = 204;
      send_text(ex, "xy", false, [&ex](SendResult) { send_text(ex, "z", true); });
      return;
    }
    send_text(ex, "xyz", true);
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/204") + get("/304") + get("/204-stream") + get("/ok")));
  Response r1 = c.read_response();
  EXPECT_EQ(r1.masked(), "HTTP/1.1 204 No Content\r\nDate: <date>\r\nServer: httpserv\r\n\r\n");
  Response r2 = c.read_response();
  EXPECT_EQ(r2.masked(), "HTTP/1.1 304 Not Modified\r\nDate: <date>\r\nServer: httpserv\r\n\r\n");
  Response r3 = c.read_response();
  EXPECT_EQ(r3.masked(), "HTTP/1.1 204 No Content\r\nDate: <date>\r\nServer: httpserv\r\n\r\n");
  Response r4 = c.read_response();
  EXPECT_EQ(r4.masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 3\r\n\r\nxyz");
  EXPECT_TRUE(c.quiet_for(50));
  EXPECT_EQ(c.unread(), "");
}

TEST(Framing, HandlerHeadersKeptFramingHeadersOurs) {
  TestServer srv([&](Exchange& ex) {
    std::string_view t = ex.request().target;
    auto& h = ex.response().headers;
    if (t == "/headers") {
      ex.response().status = 299;
      ex.response().reason = "Fine";
      h.add("X-One", "1");
      h.add("Transfer-Encoding", "gzip");
      h.add("Date", "yesterday");
      h.add("Server", "mine");
      h.add("Keep-Alive", "timeout=5");
      h.add("Connection", "keep-alive");
      h.add("X-Two", "2");
      h.add("X-One", "again");
      send_text(ex, "ok", true);
    } else if (t == "/conn-close") {
      h.set("Connection", "close");
      send_text(ex, "bye", true);
    } else {
      ex.set_close_after();
      send_text(ex, "bye", true);
    }
  });
  {
    Client c(srv.port());
    ASSERT_TRUE(c.send_all(get("/headers")));
    EXPECT_EQ(c.read_response().masked(),
              "HTTP/1.1 299 Fine\r\nX-One: 1\r\nServer: mine\r\nX-Two: 2\r\nX-One: again\r\n"
              "Date: <date>\r\nContent-Length: 2\r\n\r\nok");
    EXPECT_TRUE(c.quiet_for(30));
  }
  for (const char* t : {"/conn-close", "/close-after"}) {
    SCOPED_TRACE(t);
    Client c(srv.port());
    ASSERT_TRUE(c.send_all(get(t) + get("/headers")));
    EXPECT_EQ(c.read_response().masked(),
              "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 3\r\n"
              "Connection: close\r\n\r\nbye");
    EXPECT_EQ(c.read_until_close(), "");  // the pipelined request is not answered
    EXPECT_EQ(c.end(), End::kClosed);
  }
}

TEST(Framing, CloseAfterOnceHeadersAreOut) {
  // set_close_after() after the first send: the head said nothing of a close, but the connection
  // must still close after this response and serve nothing pipelined behind it.
  Events ev;
  TestServer srv([&](Exchange& ex) {
    std::string_view t = ex.request().target;
    ev.add("handle " + std::string(t));
    if (t == "/declared") ex.response().headers.set("Content-Length", "6");
    send_text(ex, "abc", false, [&ex](SendResult) {
      ex.set_close_after();
      send_text(ex, "def", true);
    });
  });
  struct Case {
    const char* target;
    const char* response;
  };
  for (const Case& k : {Case{"/declared",
                             "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\n"
                             "Content-Length: 6\r\n\r\nabcdef"},
                        Case{"/chunked",
                             "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n"
                             "0\r\n\r\n"}}) {
    SCOPED_TRACE(k.target);
    Client c(srv.port());
    ASSERT_TRUE(c.send_all(get(k.target) + get("/next")));
    EXPECT_EQ(c.read_response().masked(), k.response);
    EXPECT_EQ(c.read_until_close(), "");  // the pipelined request is not answered
    EXPECT_EQ(c.end(), End::kClosed);
  }
  EXPECT_EQ(ev.count("handle /next"), 0u) << ev.joined();
  EXPECT_EQ(ev.count("handle /declared"), 1u) << ev.joined();
  EXPECT_EQ(ev.count("handle /chunked"), 1u) << ev.joined();
}

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    std::string path = ::testing::TempDir() + "/hs_exchange_XXXXXX";
    std::vector<char> p(path.begin(), path.end());
    p.push_back('\0');
    fd_ = mkstemp(p.data());
    if (fd_ < 0) {
      ADD_FAILURE() << "mkstemp: " << strerror(errno);
      return;
    }
    unlink(p.data());
    size_t off = 0;
    while (off < content.size()) {
      ssize_t n = write(fd_, content.data() + off, content.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
  }
  ~TempFile() {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

TEST(Framing, FileAndMemoryChunks) {
  TempFile small("0123456789abcdefghij");
  const std::string big_content = pattern(1 << 20, 7);
  TempFile big(big_content);
  static const std::string kLt = "<", kBar = "|", kGt = ">", kDash = "-", kHead = "HEAD>",
                           kTail = "<TAIL";
  Events ev;
  TestServer srv([&](Exchange& ex) {
    std::string_view t = ex.request().target;
    if (t == "/mixed") {
      BodyChunk cs[] = {BodyChunk::memory(kLt), BodyChunk::file(small.fd(), 2, 5),
                        BodyChunk::memory(kBar), BodyChunk::file(small.fd(), 15, 5),
                        BodyChunk::memory(kGt)};
      ex.send(cs, true, [&ev](SendResult r) {
        ev.add("mixed ok=" + std::to_string(r.ok) + " bytes=" + std::to_string(r.bytes));
      });
    } else if (t == "/chunked") {
      BodyChunk first = BodyChunk::file(small.fd(), 0, 10);
      ex.send({&first, 1}, false, [&ex, &small](SendResult) {
        BodyChunk rest[] = {BodyChunk::memory(kDash), BodyChunk::file(small.fd(), 10, 10)};
        ex.send(rest, true, nullptr);
      });
    } else {
      BodyChunk cs[] = {BodyChunk::memory(kHead), BodyChunk::file(big.fd(), 0, 1 << 20),
                        BodyChunk::memory(kTail)};
      ex.send(cs, true, [&ev](SendResult r) {
        ev.add("big ok=" + std::to_string(r.ok) + " bytes=" + std::to_string(r.bytes));
      });
    }
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/mixed") + get("/chunked") + get("/big")));
  EXPECT_EQ(c.read_response().masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 13\r\n\r\n"
            "<23456|fghij>");
  EXPECT_EQ(c.read_response().masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nTransfer-Encoding: chunked\r\n"
            "\r\na\r\n0123456789\r\nb\r\n-abcdefghij\r\n0\r\n\r\n");
  Response r = c.read_response();
  ASSERT_TRUE(r.complete) << r.raw.substr(0, 200);
  EXPECT_EQ(r.get("Content-Length"), std::to_string((1 << 20) + 10));
  EXPECT_TRUE(r.body == kHead + big_content + kTail)
      << "body differs (size " << r.body.size() << ")";
  EXPECT_TRUE(ev.wait_for("big ok=1 bytes=" + std::to_string((1 << 20) + 10))) << ev.joined();
  EXPECT_EQ(ev.count("mixed ok=1 bytes=13"), 1u);
}

TEST(Framing, SmallMemoryChunksAreCopiedBySend) {
  // http::kSendCopiesUpTo: such chunks are the caller's again once send() returns, so a handler
  // may free or reuse them without a completion. Freed here (a use-after-free under ASan if the
  // session kept a reference) and the stack buffer overwritten.
  std::atomic<bool> accepted{false};
  TestServer srv([&](Exchange& ex) {
    auto heap = std::make_unique<std::string>(http::kSendCopiesUpTo, 'h');
    char stack[8] = {'s', 't', 'a', 'c', 'k', '!', '\r', '\n'};
    BodyChunk cs[] = {BodyChunk::memory(*heap), BodyChunk::memory(stack, sizeof(stack))};
    accepted = ex.send(cs, true, nullptr);
    heap.reset();
    memset(stack, 'X', sizeof(stack));
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/small")));
  EXPECT_EQ(c.read_response().masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: " +
                std::to_string(http::kSendCopiesUpTo + 8) + "\r\n\r\n" +
                std::string(http::kSendCopiesUpTo, 'h') + "stack!\r\n");
  EXPECT_TRUE(accepted);
}

// =============================================================================================
// 2. Request bodies
// =============================================================================================

// Echoes the body read through `cap`-byte read_body() calls; records what the reader saw.
void echo_body(Exchange& ex, size_t cap, Events& ev) {
  ev.add("remaining=" + std::to_string(ex.body_remaining()));
  BodyReader::start(ex, cap, [&ex, &ev](BodyReader& r) {
    ev.add("result=" + std::to_string(r.result));
    ev.add("calls=" + std::to_string(r.calls));
    ev.add("pending=" + std::to_string(r.pending));
    ev.add("ready_inside_read=" + std::to_string(r.ready_inside_read));
    ev.add("ready_off_loop=" + std::to_string(r.ready_off_loop));
    ev.add("over_cap=" + std::to_string(r.over_cap));
    ev.add("remaining_after=" + std::to_string(ex.body_remaining()));
    if (r.result == http::kBodyEnd) send_text(ex, r.body, true);
  });
}

int event_int(const Events& ev, std::string_view key) {
  for (const auto& e : ev.list()) {
    if (e.starts_with(key) && e.size() > key.size() && e[key.size()] == '=') {
      return atoi(e.c_str() + key.size() + 1);
    }
  }
  return -12345;
}

TEST(RequestBody, ContentLengthReadInSmallPieces) {
  Events ev;
  TestServer srv([&](Exchange& ex) { echo_body(ex, 7, ev); });
  const std::string body = pattern(100);
  Client c(srv.port());
  ASSERT_TRUE(c.send_all("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n"));
  ASSERT_TRUE(ev.wait_for("remaining=100")) << ev.joined();
  ASSERT_TRUE(c.send_all(body.substr(0, 30)));
  std::this_thread::sleep_for(milliseconds(30));
  ASSERT_TRUE(c.send_all(body.substr(30, 40)));
  std::this_thread::sleep_for(milliseconds(30));
  ASSERT_TRUE(c.send_all(body.substr(70)));
  Response r = c.read_response();
  ASSERT_TRUE(r.complete) << r.raw;
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(event_int(ev, "result"), 0);
  EXPECT_GE(event_int(ev, "calls"), 15 + 1);  // ceil(100/7) data reads + the end
  EXPECT_GE(event_int(ev, "pending"), 1);
  EXPECT_EQ(event_int(ev, "ready_inside_read"), 0);
  EXPECT_EQ(event_int(ev, "ready_off_loop"), 0);
  EXPECT_EQ(event_int(ev, "over_cap"), 0);
  EXPECT_EQ(event_int(ev, "remaining_after"), 0);
  // The connection is reusable.
  ASSERT_TRUE(c.send_all("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nxyz"));
  EXPECT_EQ(c.read_response().body, "xyz");
}

TEST(RequestBody, ChunkedBodyDecoded) {
  Events ev;
  TestServer srv([&](Exchange& ex) { echo_body(ex, 4, ev); });
  Client c(srv.port());
  ASSERT_TRUE(
      c.send_all("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"));
  ASSERT_TRUE(ev.wait_for("remaining=-1")) << ev.joined();
  std::this_thread::sleep_for(milliseconds(20));
  ASSERT_TRUE(c.send_all("6;ext=1\r\n world\r\n0\r\n\r\n"));
  Response r = c.read_response();
  ASSERT_TRUE(r.complete) << r.raw;
  EXPECT_EQ(r.masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 11\r\n\r\n"
            "hello world");
  EXPECT_EQ(event_int(ev, "result"), 0);
  EXPECT_EQ(event_int(ev, "ready_inside_read"), 0);
  EXPECT_EQ(event_int(ev, "remaining_after"), 0);
}

// Reads the body `cap` bytes at a time and answers "<length> <fnv1a hex>".
void digest_body(Exchange& ex, size_t cap, Events& ev) {
  BodyReader::start(ex, cap, [&ex, &ev](BodyReader& r) {
    ev.add("result=" + std::to_string(r.result));
    ev.add("over_cap=" + std::to_string(r.over_cap));
    send_text(ex, std::to_string(r.body.size()) + " " + hex(fnv1a(r.body)), true);
  });
}

TEST(RequestBody, OneMebibyteUpload) {
  Events ev;
  TestServer srv([&](Exchange& ex) { digest_body(ex, 16 * 1024, ev); });
  const std::string body = pattern(1 << 20, 3);
  Client c(srv.port());
  ASSERT_TRUE(c.send_all("PUT /f HTTP/1.1\r\nHost: t\r\nContent-Length: 1048576\r\n\r\n"));
  ASSERT_TRUE(c.send_all(body));
  Response r = c.read_response();
  ASSERT_TRUE(r.complete) << r.raw;
  EXPECT_EQ(r.body, "1048576 " + hex(fnv1a(body)));
  EXPECT_EQ(event_int(ev, "result"), 0);
  EXPECT_EQ(event_int(ev, "over_cap"), 0);
}

// A handler that does not read holds the client back through TCP: the server buffers at most its
// read and body buffers, not the whole upload.
TEST(RequestBody, UnreadBodyThrottlesClient) {
  Events ev;
  constexpr size_t kSize = 4 << 20;
  TestServer srv([&](Exchange& ex) {
    ev.add("handle");
    ex.executor().schedule(700, [&ex, &ev] { digest_body(ex, 64 * 1024, ev); });
  });
  const std::string body = pattern(kSize, 5);
  Client c(srv.port(), Client::Options{0, 64 * 1024});
  std::atomic<size_t> sent{0};
  std::thread sender([&] {
    std::string head =
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(kSize) + "\r\n\r\n";
    if (!c.send_all(head)) return;
    for (size_t off = 0; off < kSize; off += 16 * 1024) {
      if (!c.send_all(std::string_view(body).substr(off, 16 * 1024))) return;
      sent += 16 * 1024;
    }
  });
  struct Joiner {
    std::thread& t;
    ~Joiner() {
      if (t.joinable()) t.join();
    }
  } joiner{sender};
  ASSERT_TRUE(ev.wait_for("handle"));
  std::this_thread::sleep_for(milliseconds(450));
  size_t during_pause = sent.load();
  EXPECT_LT(during_pause, size_t{2} << 20) << "the server swallowed the body while not reading";
  EXPECT_GT(during_pause, 0u);
  sender.join();
  EXPECT_EQ(sent.load(), kSize);
  Response r = c.read_response();
  ASSERT_TRUE(r.complete) << r.raw;
  EXPECT_EQ(r.body, std::to_string(kSize) + " " + hex(fnv1a(body)));
}

TEST(RequestBody, ExpectContinueSentOnFirstRead) {
  Events ev;
  std::atomic<int64_t> first_read_ns{0};
  TestServer srv([&](Exchange& ex) {
    ev.add("handle");
    ex.executor().schedule(300, [&ex, &ev, &first_read_ns] {
      first_read_ns = Clock::now().time_since_epoch().count();
      BodyReader::start(ex, 64, [&ex](BodyReader& r) { send_text(ex, "got:" + r.body, true); });
      ev.add("reading");
    });
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(
      "POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  ASSERT_TRUE(ev.wait_for("handle"));
  EXPECT_TRUE(c.quiet_for(150)) << "sent before the handler read: " << c.unread();
  std::string cont = c.read_exact(25);
  int64_t got_ns = Clock::now().time_since_epoch().count();
  EXPECT_EQ(cont, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(ev.wait_for("reading"));
  EXPECT_GE(got_ns, first_read_ns.load());
  EXPECT_TRUE(c.quiet_for(30)) << c.unread();  // nothing more until the body arrives
  ASSERT_TRUE(c.send_all("hello"));
  Response r = c.read_response();
  ASSERT_TRUE(r.complete) << r.raw;
  EXPECT_EQ(r.masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 9\r\n\r\n"
            "got:hello");
  // Keep-alive, and a second Expect gets its own 100 Continue.
  ASSERT_TRUE(c.send_all(
      "POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"));
  EXPECT_EQ(c.read_exact(25), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(c.send_all("ab"));
  EXPECT_EQ(c.read_response().body, "got:ab");
}

TEST(RequestBody, ExpectContinueNotSentWhenHandlerAnswersFirst) {
  TestServer srv([&](Exchange& ex) { send_text(ex, "no thanks", true); });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(
      "POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n"));
  Response r = c.read_response();
  EXPECT_EQ(r.masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 9\r\n"
            "Connection: close\r\n\r\nno thanks");
  EXPECT_EQ(c.read_until_close(), "");
  EXPECT_EQ(c.end(), End::kClosed);
}

TEST(RequestBody, UnreadSmallBodyKeepsConnection) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    ev.add(std::string(ex.request().method_name) + " " + std::string(ex.request().target));
    send_text(ex, "t=" + std::string(ex.request().target), true);
  });
  Client c(srv.port());
  // Body right behind the head, next request pipelined behind the body.
  ASSERT_TRUE(c.send_all("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789" +
                         get("/b")));
  Response r1 = c.read_response();
  EXPECT_EQ(r1.masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 4\r\n\r\nt=/a");
  Response r2 = c.read_response();
  EXPECT_EQ(r2.body, "t=/b");
  // Body arriving after the response: drained, then the next request is served.
  ASSERT_TRUE(c.send_all("POST /c HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\n"));
  Response r3 = c.read_response();
  EXPECT_EQ(r3.body, "t=/c");
  EXPECT_EQ(r3.count("Connection"), 0u);
  ASSERT_TRUE(c.send_all("GET /x"));  // the 6 body bytes, not a request
  ASSERT_TRUE(c.send_all(get("/d")));
  Response r4 = c.read_response();
  EXPECT_EQ(r4.body, "t=/d");
  EXPECT_EQ(ev.list(), (std::vector<std::string>{"POST /a", "GET /b", "POST /c", "GET /d"}));
}

TEST(RequestBody, UnreadLargeBodyClosesConnection) {
  TestServer srv([&](Exchange& ex) { send_text(ex, "no", true); });
  Client c(srv.port());
  ASSERT_TRUE(
      c.send_all("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n" + pattern(1000)));
  Response r = c.read_response();
  EXPECT_EQ(r.masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 2\r\n"
            "Connection: close\r\n\r\nno");
  EXPECT_EQ(c.read_until_close(), "");
  EXPECT_EQ(c.end(), End::kClosed);
}

TEST(RequestBody, MaxBodyExceededWhileHandlerWaits) {
  Events ev;
  std::atomic<size_t> read_so_far{0};
  TestServer srv(
      [&](Exchange& ex) {
        ex.set_abort_handler([&ev] { ev.add("abort"); });
        BodyReader::start(
            ex, 1024,
            [&ex, &ev](BodyReader& r) {
              ev.add("result=" + std::to_string(r.result));
              bool s = send_text(ex, "too late", true);
              ev.add("send_after_error=" + std::to_string(s));
            },
            [&read_so_far](BodyReader& r) { read_so_far = r.body.size(); });
      },
      [](ServerConfig& cfg) { cfg.session.limits.max_body_size = 100; });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" +
                         std::string(64, 'a') + "\r\n"));
  ASSERT_TRUE(eventually([&] { return read_so_far.load() == 64; }));
  ASSERT_TRUE(c.send_all("40\r\n" + std::string(64, 'b') + "\r\n"));
  Response r = c.read_response();
  ASSERT_TRUE(r.complete) << r.raw << " end=" << end_name(c.end());
  const std::string page = "<html><body><h1>413 Content Too Large</h1></body></html>\n";
  EXPECT_EQ(r.masked(),
            "HTTP/1.1 413 Content Too Large\r\nContent-Type: text/html\r\n"
            "Date: <date>\r\nServer: httpserv\r\nContent-Length: " +
                std::to_string(page.size()) + "\r\nConnection: close\r\n\r\n" + page);
  EXPECT_EQ(c.read_until_close(), "");
  EXPECT_NE(c.end(), End::kOpen);
  EXPECT_TRUE(ev.wait_for("abort")) << ev.joined();
  EXPECT_EQ(ev.count("result=" + std::to_string(http::kBodyError)), 1u) << ev.joined();
  EXPECT_EQ(ev.count("send_after_error=0"), 1u) << ev.joined();
  EXPECT_LE(read_so_far.load(), 100u);
  EXPECT_EQ(ev.count("abort"), 1u);
}

TEST(RequestBody, BodyTimeoutGives408) {
  Events ev;
  TestServer srv(
      [&](Exchange& ex) {
        ex.set_abort_handler([&ev] { ev.add("abort"); });
        BodyReader::start(ex, 64, [&ev](BodyReader& r) {
          ev.add("result=" + std::to_string(r.result) + " got=" + r.body);
        });
      },
      [](ServerConfig& cfg) { cfg.session.body_timeout_ms = 200; });
  Client c(srv.port());
  auto t0 = Clock::now();
  ASSERT_TRUE(c.send_all("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"));
  Response r = c.read_response();
  auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
  EXPECT_EQ(r.masked(),
            "HTTP/1.1 408 Request Timeout\r\nDate: <date>\r\nServer: httpserv\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_GE(elapsed, 150);
  EXPECT_EQ(c.read_until_close(), "");
  EXPECT_NE(c.end(), End::kOpen);
  EXPECT_TRUE(ev.wait_for("result=" + std::to_string(http::kBodyError) + " got=abc"))
      << ev.joined();
  EXPECT_TRUE(ev.wait_for("abort")) << ev.joined();
}

// =============================================================================================
// 3. Completions and back-pressure
// =============================================================================================

TEST(Completion, NeverInsideSendAndOncePerSend) {
  struct State {
    bool in_send = false;
    int sends = 0;
  };
  Events ev;
  State st;
  std::function<void(Exchange&, int)> step = [&](Exchange& ex, int i) {
    bool last = i == 4;
    st.in_send = true;
    bool ok = send_text(ex, "p" + std::to_string(i), last, [&, i, last](SendResult r) {
      ev.add("done" + std::to_string(i) + " inside_send=" + std::to_string(st.in_send) +
             " ok=" + std::to_string(r.ok) + " bytes=" + std::to_string(r.bytes) +
             " loop=" + std::to_string(ex.executor().in_executor_thread()));
      if (!last) step(ex, i + 1);
    });
    st.in_send = false;
    ++st.sends;
    ev.add("send" + std::to_string(i) + "=" + std::to_string(ok) +
           " headers_sent=" + std::to_string(ex.headers_sent()));
  };
  TestServer srv([&](Exchange& ex) {
    ev.add("before headers_sent=" + std::to_string(ex.headers_sent()));
    step(ex, 0);
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/")));
  Response r = c.read_response();
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.body, "p0p1p2p3p4");
  EXPECT_EQ(r.chunk_sizes, (std::vector<uint64_t>{2, 2, 2, 2, 2, 0}));
  ASSERT_TRUE(ev.wait_for("done4 inside_send=0 ok=1 bytes=2 loop=1")) << ev.joined();
  std::this_thread::sleep_for(milliseconds(50));
  std::vector<std::string> want = {"before headers_sent=0"};
  for (int i = 0; i < 5; ++i) {
    want.push_back("send" + std::to_string(i) + "=1 headers_sent=1");
    want.push_back("done" + std::to_string(i) + " inside_send=0 ok=1 bytes=2 loop=1");
  }
  EXPECT_EQ(ev.list(), want);
}

TEST(Completion, SendWhileOutstandingOrAfterLastReturnsFalse) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    auto bad = [&ev](SendResult) { ev.add("BAD completion ran"); };
    static const std::string kA = "a", kB = "b", kC = "c";
    BodyChunk a = BodyChunk::memory(kA), b = BodyChunk::memory(kB);
    bool r1 = ex.send({&a, 1}, false, [&ex, &ev, bad](SendResult) {
      ev.add("done1");
      BodyChunk cc = BodyChunk::memory(kC);
      bool r3 = ex.send({&cc, 1}, true,
                        [&ev](SendResult res) { ev.add("done3 ok=" + std::to_string(res.ok)); });
      BodyChunk dd = BodyChunk::memory(kC);
      bool r4 = ex.send({&dd, 1}, false, bad);
      bool r5 = ex.send({&dd, 1}, true, bad);
      bool r6 = ex.send({}, true, bad);
      ev.add("r3=" + std::to_string(r3) + " r4=" + std::to_string(r4) +
             " r5=" + std::to_string(r5) + " r6=" + std::to_string(r6));
    });
    bool r2 = ex.send({&b, 1}, false, bad);
    bool r2b = ex.send({&b, 1}, true, bad);
    ev.add("r1=" + std::to_string(r1) + " r2=" + std::to_string(r2) +
           " r2b=" + std::to_string(r2b));
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/")));
  Response r = c.read_response();
  EXPECT_EQ(r.masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nTransfer-Encoding: chunked\r\n"
            "\r\n1\r\na\r\n1\r\nc\r\n0\r\n\r\n");
  ASSERT_TRUE(ev.wait_for("done3 ok=1")) << ev.joined();
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(ev.list(), (std::vector<std::string>{"r1=1 r2=0 r2b=0", "done1", "r3=1 r4=0 r5=0 r6=0",
                                                 "done3 ok=1"}));
  // The connection is still in a sane state.
  ASSERT_TRUE(c.send_all(get("/")));
  EXPECT_EQ(c.read_response().body, "ac");
}

TEST(Completion, StreamingToSlowReaderKeepsOneSendOutstanding) {
  constexpr int kChunks = 64;
  constexpr size_t kChunk = 64 * 1024;
  struct State {
    std::string buf;  // reused: the session must not touch it after the completion
    int outstanding = 0;
    int max_outstanding = 0;
    int sends = 0;
    int completions = 0;
    int bad_results = 0;
    std::atomic<bool> done{false};
  };
  State st;
  std::function<void(Exchange&, int)> next = [&](Exchange& ex, int i) {
    st.buf.assign(kChunk, static_cast<char>('A' + i % 26));
    BodyChunk c = BodyChunk::memory(st.buf);
    bool last = i == kChunks - 1;
    ++st.outstanding;
    st.max_outstanding = std::max(st.max_outstanding, st.outstanding);
    ++st.sends;
    ex.send({&c, 1}, last, [&, i, last](SendResult r) {
      --st.outstanding;
      ++st.completions;
      if (!r.ok || r.bytes != kChunk) ++st.bad_results;
      if (last) {
        st.done = true;
      } else if (r.ok) {
        next(ex, i + 1);
      }
    });
  };
  TestServer srv([&](Exchange& ex) { next(ex, 0); });
  Client c(srv.port(), Client::Options{64 * 1024, 0});
  c.throttle(16 * 1024, 1);
  ASSERT_TRUE(c.send_all(get("/")));
  Response r = c.read_response(false, 10000);
  ASSERT_TRUE(r.complete) << "received " << c.received();
  ASSERT_EQ(r.chunk_sizes.size(), static_cast<size_t>(kChunks) + 1);
  for (int i = 0; i < kChunks; ++i)
    EXPECT_EQ(r.chunk_sizes[i], kChunk) << i;
  ASSERT_EQ(r.body.size(), kChunks * kChunk);
  for (int i = 0; i < kChunks; ++i) {
    std::string expect(kChunk, static_cast<char>('A' + i % 26));
    EXPECT_TRUE(r.body.compare(i * kChunk, kChunk, expect) == 0) << "chunk " << i << " corrupted";
  }
  ASSERT_TRUE(eventually([&] { return st.done.load(); }));
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(st.max_outstanding, 1);
  EXPECT_EQ(st.sends, kChunks);
  EXPECT_EQ(st.completions, kChunks);
  EXPECT_EQ(st.bad_results, 0);
}

// =============================================================================================
// 4. Asynchronous handlers
// =============================================================================================

TEST(Async, TimerSendsLater) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    ex.executor().schedule(150, [&ex, &ev] {
      ev.add("timer loop=" + std::to_string(ex.executor().in_executor_thread()) +
             " headers_sent=" + std::to_string(ex.headers_sent()));
      send_text(ex, "late", true);
    });
    ev.add("handle returned");
  });
  Client c(srv.port());
  auto t0 = Clock::now();
  ASSERT_TRUE(c.send_all(get("/")));
  EXPECT_TRUE(c.quiet_for(80));
  Response r = c.read_response();
  auto ms = std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
  EXPECT_EQ(r.masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 4\r\n\r\nlate");
  EXPECT_GE(ms, 140);
  EXPECT_EQ(ev.list(),
            (std::vector<std::string>{"handle returned", "timer loop=1 headers_sent=0"}));
}

TEST(Async, CompletesFromAnotherThreadViaPost) {
  Events ev;
  std::mutex mu;
  std::vector<std::thread> threads;
  TestServer srv([&](Exchange& ex) {
    Executor* exec = &ex.executor();
    Exchange* exp = &ex;
    std::string target(ex.request().target);
    std::lock_guard<std::mutex> l(mu);
    threads.emplace_back([exec, exp, target, &ev] {
      std::this_thread::sleep_for(milliseconds(30));
      ev.add("worker in_loop=" + std::to_string(exec->in_executor_thread()));
      std::string result = "computed for " + target;  // off-loop work
      bool posted = exec->post([exp, result, &ev] {
        ev.add("posted in_loop=" + std::to_string(exp->executor().in_executor_thread()));
        send_text(*exp, result, true);
      });
      ev.add("post=" + std::to_string(posted));
    });
  });
  {
    Client c(srv.port());
    ASSERT_TRUE(c.send_all(get("/one") + get("/two")));
    Response r1 = c.read_response();
    Response r2 = c.read_response();
    EXPECT_EQ(r1.masked(),
              "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 17\r\n\r\n"
              "computed for /one");
    EXPECT_EQ(r2.body, "computed for /two");
  }
  {
    std::lock_guard<std::mutex> l(mu);
    for (auto& t : threads)
      t.join();
    EXPECT_EQ(threads.size(), 2u);
  }
  EXPECT_EQ(ev.count("worker in_loop=0"), 2u) << ev.joined();
  EXPECT_EQ(ev.count("post=1"), 2u) << ev.joined();
  EXPECT_EQ(ev.count("posted in_loop=1"), 2u) << ev.joined();
}

TEST(Async, PipelinedRequestsAnsweredInOrder) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    int id = atoi(std::string(ex.request().header("X-Id")).c_str());
    ev.add("start " + std::to_string(id));
    ex.executor().schedule(100 - 20 * id, [&ex, &ev] {
      // The request head must still be intact after the parser moved on.
      std::string reply = std::string(ex.request().method_name) + " " +
                          std::string(ex.request().target) +
                          " id=" + std::string(ex.request().header("x-id"));
      ev.add("reply " + std::string(ex.request().header("X-Id")));
      send_text(ex, reply, true);
    });
  });
  std::string reqs;
  for (int i = 0; i < 5; ++i) {
    reqs += "GET /r" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\nX-Id: " + std::to_string(i) +
            "\r\n\r\n";
  }
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(reqs));
  for (int i = 0; i < 5; ++i) {
    Response r = c.read_response();
    ASSERT_TRUE(r.complete) << i;
    EXPECT_EQ(r.body, "GET /r" + std::to_string(i) + " id=" + std::to_string(i));
  }
  EXPECT_TRUE(c.quiet_for(30));
  std::vector<std::string> starts;
  for (const auto& e : ev.list()) {
    if (e.starts_with("start")) starts.push_back(e);
  }
  EXPECT_EQ(starts,
            (std::vector<std::string>{"start 0", "start 1", "start 2", "start 3", "start 4"}));
  EXPECT_EQ(ev.count_prefix("reply"), 5u);
}

// =============================================================================================
// 5. Abort
// =============================================================================================

// A handler that never answers; records its abort handler.
void wait_forever(Exchange& ex, Events& ev) {
  ex.set_abort_handler([&ex, &ev] {
    ev.add("abort loop=" + std::to_string(ex.executor().in_executor_thread()) +
           " connected=" + std::to_string(ex.connected()));
  });
  ev.add("handle connected=" + std::to_string(ex.connected()));
}

TEST(Abort, ClientResetWhileHandlerWorks) {
  Events ev;
  TestServer srv([&](Exchange& ex) { wait_forever(ex, ev); });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/")));
  ASSERT_TRUE(ev.wait_for("handle connected=1"));
  c.reset();
  EXPECT_TRUE(ev.wait_for("abort loop=1 connected=0", 2000)) << ev.joined();
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(ev.count_prefix("abort"), 1u) << ev.joined();
}

// The client closes normally (FIN) after its request while the handler still works: nobody is
// left to read the answer, so the handler should learn of it.
// Decision: a FIN from the client is a half-close, legal in HTTP/1.1 (RFC 9112 §9.6): the
// request stands and its response is still written; only a reset or a socket error aborts.
// A handler that never answers is bounded by the request timeout, not by the client's FIN.
TEST(Abort, ClientHalfCloseWhileHandlerWorksStillGetsResponse) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    wait_forever(ex, ev);
    ex.executor().schedule(200, [&ex, &ev] {
      ex.response().status = 200;
      BodyChunk c = BodyChunk::memory(std::string_view("late"));
      ex.send({&c, 1}, true, [&ev](SendResult r) { ev.add("done ok=" + std::to_string(r.ok)); });
    });
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/")));
  ASSERT_TRUE(ev.wait_for("handle connected=1"));
  c.shutdown_write();
  ASSERT_TRUE(ev.wait_for("done ok=1")) << ev.joined();
  std::string all = c.read_until_close();
  EXPECT_NE(all.find("HTTP/1.1 200 OK\r\n"), std::string::npos) << all;
  EXPECT_NE(all.find("\r\n\r\nlate"), std::string::npos) << all;
  EXPECT_EQ(ev.count_prefix("abort"), 0u) << ev.joined();
}

TEST(Abort, ClientGoneDuringStreaming) {
  struct State {
    std::string buf = std::string(64 * 1024, 'x');
    bool stopped = false;
  };
  Events ev;
  State st;
  std::function<void(Exchange&)> next = [&](Exchange& ex) {
    BodyChunk c = BodyChunk::memory(st.buf);
    bool ok = ex.send({&c, 1}, false, [&](SendResult r) {
      if (!r.ok) {
        ev.add("done ok=0 bytes=" + std::to_string(r.bytes) +
               " connected=" + std::to_string(ex.connected()));
        return;
      }
      if (st.stopped) ev.add("BAD: completion after failure");
      next(ex);
    });
    if (!ok) ev.add("BAD: send refused");
  };
  TestServer srv([&](Exchange& ex) {
    ex.set_abort_handler([&] {
      st.stopped = true;
      ev.add("abort loop=" + std::to_string(ex.executor().in_executor_thread()) +
             " connected=" + std::to_string(ex.connected()));
    });
    next(ex);
  });
  Client c(srv.port(), Client::Options{64 * 1024, 0});
  ASSERT_TRUE(c.send_all(get("/")));
  std::string got = c.read_exact(200 * 1024);
  EXPECT_EQ(got.size(), 200u * 1024);
  c.reset();
  ASSERT_TRUE(ev.wait_for("abort loop=1 connected=0", 2000)) << ev.joined();
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(ev.list(), (std::vector<std::string>{"done ok=0 bytes=0 connected=0",
                                                 "abort loop=1 connected=0"}));
}

TEST(Abort, HandlerAbortResetsConnection) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    std::string_view t = ex.request().target;
    bool* inside = new bool(false);
    ex.set_abort_handler([&ev, &ex, inside] {
      ev.add("abort inside_abort=" + std::to_string(*inside) +
             " connected=" + std::to_string(ex.connected()));
      delete inside;
    });
    if (t == "/now") {
      *inside = true;
      ex.reset();
      *inside = false;
      ev.add("after abort connected=" + std::to_string(ex.connected()));
    } else if (t == "/outstanding") {
      send_text(ex, "abc", false, [&ev](SendResult r) {
        ev.add("done ok=" + std::to_string(r.ok) + " bytes=" + std::to_string(r.bytes));
      });
      *inside = true;
      ex.reset();
      *inside = false;
    } else {
      // After part of a chunked response went out.
      send_text(ex, "abc", false, [&ev, &ex, inside](SendResult r) {
        ev.add("done ok=" + std::to_string(r.ok));
        *inside = true;
        ex.reset();
        *inside = false;
        ev.add("after abort connected=" + std::to_string(ex.connected()));
      });
    }
  });
  {
    Client c(srv.port());
    ASSERT_TRUE(c.send_all(get("/now")));
    EXPECT_EQ(c.read_until_close(), "");
    EXPECT_EQ(c.end(), End::kReset);
    ASSERT_TRUE(ev.wait_for("abort inside_abort=0 connected=0")) << ev.joined();
    EXPECT_EQ(ev.list(), (std::vector<std::string>{"after abort connected=0",
                                                   "abort inside_abort=0 connected=0"}));
  }
  {
    Events* e = &ev;
    Client c(srv.port());
    ASSERT_TRUE(c.send_all(get("/outstanding")));
    Response r = c.read_response();
    EXPECT_FALSE(r.complete);
    EXPECT_EQ(c.end(), End::kReset);
    ASSERT_TRUE(e->wait_for("done ok=0 bytes=0")) << e->joined();
    ASSERT_TRUE(eventually([&] { return e->count_prefix("abort") == 2; })) << e->joined();
    std::vector<std::string> l = e->list();
    EXPECT_EQ(std::vector<std::string>(l.begin() + 2, l.end()),
              (std::vector<std::string>{"done ok=0 bytes=0", "abort inside_abort=0 connected=0"}));
  }
  {
    Client c(srv.port());
    ASSERT_TRUE(c.send_all(get("/partial")));
    Response r = c.read_response();
    EXPECT_FALSE(r.complete) << r.raw;
    EXPECT_EQ(c.end(), End::kReset);
    EXPECT_TRUE(mask_date(r.raw).starts_with(
        "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nTransfer-Encoding: chunked\r\n"
        "\r\n"))
        << r.raw;
    ASSERT_TRUE(ev.wait_for("after abort connected=0")) << ev.joined();
    EXPECT_TRUE(eventually([&] { return ev.count_prefix("abort") == 3; })) << ev.joined();
  }
}

// =============================================================================================
// 6. Exceptions
// =============================================================================================

TEST(Exceptions, ThrowBeforeSendGives500AndServerContinues) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    std::string_view t = ex.request().target;
    if (t == "/throw") {
      ex.response().status = 201;
      ex.response().headers.set("X-Junk", "1");
      throw std::runtime_error("boom");
    }
    if (t == "/throw-late") {
      ex.set_abort_handler([&ev] { ev.add("abort"); });
      send_text(ex, "abc", false,
                [&ev](SendResult r) { ev.add("late done ok=" + std::to_string(r.ok)); });
      throw std::runtime_error("boom after send");
    }
    send_text(ex, "fine", true);
  });
  {
    Client c(srv.port());
    ASSERT_TRUE(c.send_all(get("/throw") + get("/ok")));
    Response r = c.read_response();
    EXPECT_EQ(r.masked(),
              "HTTP/1.1 500 Internal Server Error\r\nDate: <date>\r\nServer: httpserv\r\n"
              "Content-Length: 0\r\n\r\n");
    EXPECT_EQ(c.read_response().body, "fine");
    ASSERT_TRUE(c.send_all(get("/throw")));
    EXPECT_EQ(c.read_response().status, 500);
  }
  {
    // Thrown after a send started: the response cannot be fixed, the connection is reset.
    Client c(srv.port());
    ASSERT_TRUE(c.send_all(get("/throw-late")));
    Response r = c.read_response();
    EXPECT_FALSE(r.complete) << r.raw;
    EXPECT_EQ(c.end(), End::kReset);
    EXPECT_TRUE(ev.wait_for("abort")) << ev.joined();
    EXPECT_EQ(ev.list(), (std::vector<std::string>{"late done ok=0", "abort"}));
  }
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/ok")));
  EXPECT_EQ(c.read_response().body, "fine");
}

// =============================================================================================
// 7. Environment
// =============================================================================================

TEST(Environment, AddressesAndRequestMatchTheSocket) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    char b;
    ssize_t n = ex.read_body(&b, 1, [&ev] { ev.add("BAD ready"); });
    ev.add("remote=" + std::string(ex.remote_address()) + ":" + std::to_string(ex.remote_port()));
    ev.add("local=" + std::string(ex.local_address()) + ":" + std::to_string(ex.local_port()));
    ev.add("method=" + std::string(ex.request().method_name) + " target=" +
           std::string(ex.request().target) + " host=" + std::string(ex.request().header("host")) +
           " minor=" + std::to_string(ex.request().version_minor) + " scheme=" +
           std::string(ex.request().scheme) + " authority=" + std::string(ex.request().authority) +
           " protocol=" + std::string(ex.connection_info().protocol) +
           " secure=" + std::to_string(ex.connection_info().secure));
    ev.add("read_body=" + std::to_string(n) + " remaining=" + std::to_string(ex.body_remaining()));
    send_text(ex, "ok", true);
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all("GET /p?q=1 HTTP/1.1\r\nHost: example\r\n\r\n"));
  EXPECT_EQ(c.read_response().body, "ok");
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(ev.list(),
            (std::vector<std::string>{"remote=127.0.0.1:" + std::to_string(c.local_port()),
                                      "local=127.0.0.1:" + std::to_string(srv.port()),
                                      "method=GET target=/p?q=1 host=example minor=1 scheme=http "
                                      "authority=example protocol=HTTP/1.1 secure=0",
                                      "read_body=0 remaining=0"}));
}

// =============================================================================================
// More edges of the contract
// =============================================================================================

// A file chunk that promises more bytes than the file has: the response cannot be completed, so
// the connection is reset and the completion reports failure.
TEST(Framing, FileShorterThanChunkResets) {
  TempFile f("0123456789");
  Events ev;
  TestServer srv([&](Exchange& ex) {
    ex.set_abort_handler([&ev] { ev.add("abort"); });
    BodyChunk c = BodyChunk::file(f.fd(), 0, 100000);
    ex.send({&c, 1}, true, [&ev](SendResult r) {
      ev.add("done ok=" + std::to_string(r.ok) + " bytes=" + std::to_string(r.bytes));
    });
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/")));
  Response r = c.read_response();
  EXPECT_FALSE(r.complete) << r.raw;
  EXPECT_NE(c.end(), End::kOpen);
  EXPECT_TRUE(mask_date(r.raw).starts_with(
      "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 100000\r\n\r\n"))
      << r.raw;
  EXPECT_TRUE(ev.wait_for("abort")) << ev.joined();
  EXPECT_EQ(ev.list(), (std::vector<std::string>{"done ok=0 bytes=0", "abort"}));
}

// The handler streams the request body back while it is still arriving (full duplex), each piece
// from its own read, one send at a time.
TEST(RequestBody, FullDuplexEcho) {
  struct Echo : std::enable_shared_from_this<Echo> {
    Exchange* ex = nullptr;
    char buf[16 * 1024];
    void pump() {
      auto self = shared_from_this();
      ssize_t n = ex->read_body(buf, sizeof(buf), [self] { self->pump(); });
      if (n > 0) {
        BodyChunk c = BodyChunk::memory(buf, static_cast<uint64_t>(n));
        ex->send({&c, 1}, false, [self](SendResult r) {
          if (r.ok) self->pump();
        });
      } else if (n == http::kBodyEnd) {
        ex->send({}, true, [self](SendResult) {});
      } else if (n == http::kBodyError) {
        ex->reset();
      }
    }
  };
  TestServer srv([&](Exchange& ex) {
    auto e = std::make_shared<Echo>();
    e->ex = &ex;
    e->pump();
  });
  constexpr size_t kSize = 1 << 20;
  const std::string body = pattern(kSize, 11);
  Client c(srv.port());
  std::thread sender([&] {
    c.send_all("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(kSize) +
               "\r\n\r\n");
    for (size_t off = 0; off < kSize; off += 50'000) {
      c.send_all(std::string_view(body).substr(off, 50'000));
    }
  });
  Response r = c.read_response();
  sender.join();
  ASSERT_TRUE(r.complete) << r.raw.substr(0, 300);
  EXPECT_EQ(r.get("Transfer-Encoding"), "chunked");
  EXPECT_EQ(r.body.size(), kSize);
  EXPECT_TRUE(r.body == body);
}

// RFC 9110 §10.1.1: a server MUST ignore a 100-continue expectation in an HTTP/1.0 request, and
// (§15.2) MUST NOT send a 1xx response to an HTTP/1.0 client.
TEST(RequestBody, Http10ExpectContinueIgnored) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    BodyReader::start(ex, 64, [&ex](BodyReader& r) { send_text(ex, "got:" + r.body, true); });
    ev.add("reading");
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  ASSERT_TRUE(ev.wait_for("reading"));
  EXPECT_TRUE(c.quiet_for(100)) << "sent to an HTTP/1.0 client: " << c.unread();
  ASSERT_TRUE(c.send_all("hello"));
  Response r = c.read_response();
  EXPECT_EQ(r.masked(),
            "HTTP/1.0 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 9\r\n\r\n"
            "got:hello");
}

// The client goes away while the handler waits for body bytes.
TEST(Abort, ClientGoneMidBody) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    ex.set_abort_handler(
        [&ev, &ex] { ev.add("abort connected=" + std::to_string(ex.connected())); });
    BodyReader::start(
        ex, 64,
        [&ex, &ev](BodyReader& r) {
          ev.add("result=" + std::to_string(r.result) + " got=" + r.body);
          ev.add("send_after=" + std::to_string(send_text(ex, "x", true)));
        },
        [&ev](BodyReader& r) { ev.add("data=" + r.body); });
  });
  for (bool rst : {false, true}) {
    SCOPED_TRACE(rst ? "RST" : "FIN");
    Events* e = &ev;
    size_t before = e->list().size();
    Client c(srv.port());
    ASSERT_TRUE(c.send_all("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc"));
    ASSERT_TRUE(e->wait_for_count("data=abc", rst ? 2 : 1)) << e->joined();
    if (rst) {
      c.reset();
    } else {
      c.close();
    }
    ASSERT_TRUE(eventually([&] { return e->count_prefix("abort") == (rst ? 2u : 1u); }))
        << e->joined();
    std::this_thread::sleep_for(milliseconds(30));
    std::vector<std::string> l = e->list();
    std::vector<std::string> got(l.begin() + static_cast<long>(before), l.end());
    if (!rst) {
      // FIN mid-body: the reader learns that the body is gone, then the abort handler runs.
      EXPECT_EQ(got, (std::vector<std::string>{"data=abc", "result=-2 got=abc", "send_after=0",
                                               "abort connected=0"}));
    } else {
      // RST: the abort handler alone may tell it; a reader that is told sees kBodyError.
      ASSERT_GE(got.size(), 2u);
      EXPECT_EQ(got.front(), "data=abc");
      EXPECT_EQ(got.back(), "abort connected=0");
      for (size_t i = 1; i + 1 < got.size(); ++i) {
        EXPECT_TRUE(got[i] == "result=-2 got=abc" || got[i] == "send_after=0") << got[i];
      }
    }
  }
}

TEST(Abort, NotCalledAfterCompleteResponse) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    ex.set_abort_handler([&ev] { ev.add("abort"); });
    send_text(ex, "ok", true, [&ev](SendResult r) { ev.add("done ok=" + std::to_string(r.ok)); });
  });
  {
    Client c(srv.port());
    ASSERT_TRUE(c.send_all(get("/") + get("/")));
    EXPECT_EQ(c.read_response().body, "ok");
    EXPECT_EQ(c.read_response().body, "ok");
    c.reset();
  }
  {
    Client c(srv.port());
    ASSERT_TRUE(c.send_all(get("/")));
    EXPECT_EQ(c.read_response().body, "ok");
    c.close();
  }
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(ev.list(), (std::vector<std::string>{"done ok=1", "done ok=1", "done ok=1"}));
}

// A client that half-closes after its requests (shutdown(SHUT_WR)) still gets every answer.
TEST(Abort, HalfCloseAfterPipelinedRequestsStillAnswered) {
  TestServer srv([&](Exchange& ex) { send_text(ex, std::string(ex.request().target), true); });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/1") + get("/2") + get("/3")));
  // The FIN follows separately (see HalfCloseArrivingWithRequestClosesAfterResponse for both in
  // one wakeup).
  std::this_thread::sleep_for(milliseconds(30));
  c.shutdown_write();
  EXPECT_EQ(c.read_response().body, "/1");
  EXPECT_EQ(c.read_response().body, "/2");
  EXPECT_EQ(c.read_response().body, "/3");
  EXPECT_EQ(c.read_until_close(), "");
  EXPECT_EQ(c.end(), End::kClosed);
}

// More pipelined requests than the read buffer holds, with more response bytes than the output
// bound: everything is answered, in order.
TEST(Pipelining, ManyRequestsWithLargeResponses) {
  constexpr int kRequests = 600;
  TestServer srv([&](Exchange& ex) {
    std::string body(std::string(ex.request().target) + ":");
    body.resize(1024, '.');
    send_text(ex, std::move(body), true);
  });
  std::string reqs;
  for (int i = 0; i < kRequests; ++i)
    reqs += get(std::string("/").append(std::to_string(i)));
  ASSERT_GT(reqs.size(), 16u * 1024);
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(reqs));
  for (int i = 0; i < kRequests; ++i) {
    Response r = c.read_response();
    ASSERT_TRUE(r.complete) << "response " << i << " end=" << end_name(c.end());
    std::string prefix = std::string("/").append(std::to_string(i)).append(":");
    ASSERT_TRUE(r.body.starts_with(prefix)) << i << ": " << r.body.substr(0, 10);
    ASSERT_EQ(r.body.size(), 1024u);
  }
  EXPECT_TRUE(c.quiet_for(30));
}

TEST(Shutdown, StopNowAbortsInFlightExchange) {
  Events ev;
  TestServer srv([&](Exchange& ex) { wait_forever(ex, ev); });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/")));
  ASSERT_TRUE(ev.wait_for("handle connected=1"));
  srv.server().stop_now();
  srv.server().wait();
  EXPECT_EQ(ev.list(),
            (std::vector<std::string>{"handle connected=1", "abort loop=1 connected=0"}));
  EXPECT_EQ(c.read_until_close(), "");
  EXPECT_EQ(c.end(), End::kReset);
}

TEST(Shutdown, GracefulStopFinishesInFlightExchange) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    ex.set_abort_handler([&ev] { ev.add("abort"); });
    ev.add("handle");
    ex.executor().schedule(150, [&ex] { send_text(ex, "done", true); });
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/")));
  ASSERT_TRUE(ev.wait_for("handle"));
  srv.server().stop_graceful();
  Response r = c.read_response();
  EXPECT_EQ(r.masked(),
            "HTTP/1.1 200 OK\r\nDate: <date>\r\nServer: httpserv\r\nContent-Length: 4\r\n"
            "Connection: close\r\n\r\ndone");
  EXPECT_EQ(c.read_until_close(), "");
  EXPECT_EQ(c.end(), End::kClosed);
  c.close();  // ends the server's lingering close
  EXPECT_TRUE(eventually([&] { return srv.server().finished(); }, 500));
  EXPECT_EQ(ev.list(), (std::vector<std::string>{"handle"}));
}

// Any exception escaping handle() before a send is a 500, whatever its type.
TEST(Exceptions, NonStandardThrowBeforeSendGives500) {
  TestServer srv([&](Exchange& ex) {
    if (ex.request().target == "/throw") throw 42;
    send_text(ex, "fine", true);
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/throw") + get("/ok")));
  Response r = c.read_response();
  EXPECT_EQ(r.masked(),
            "HTTP/1.1 500 Internal Server Error\r\nDate: <date>\r\nServer: httpserv\r\n"
            "Content-Length: 0\r\n\r\n")
      << "end=" << end_name(c.end());
  EXPECT_EQ(c.read_response().body, "fine");
}

// LIFETIME says the exchange ends after exactly one of {last completion, abort handler}. When the
// response completes while the session still drains the rest of an unread request body, a client
// that then goes away must not trigger the abort handler of an exchange whose last completion
// already ran (the handler may have freed its state there).
TEST(Abort, NotCalledAfterLastCompletionWhileBodyDrains) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    ex.set_abort_handler([&ev] { ev.add("abort"); });
    send_text(ex, "early", true,
              [&ev](SendResult r) { ev.add("done ok=" + std::to_string(r.ok)); });
  });
  for (bool rst : {false, true}) {
    SCOPED_TRACE(rst ? "RST" : "FIN");
    size_t before = ev.list().size();
    Client c(srv.port());
    ASSERT_TRUE(c.send_all("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789"));
    Response r = c.read_response();
    EXPECT_EQ(r.body, "early");
    EXPECT_EQ(r.count("Connection"), 0u);  // small remainder: drained, connection kept
    ASSERT_TRUE(ev.wait_for("done ok=1"));
    if (rst) {
      c.reset();
    } else {
      c.close();
    }
    std::this_thread::sleep_for(milliseconds(100));
    std::vector<std::string> l = ev.list();
    EXPECT_EQ(std::vector<std::string>(l.begin() + static_cast<long>(before), l.end()),
              (std::vector<std::string>{"done ok=1"}));
  }
}

// A read_body() ready callback still registered when the handler makes its last send must not run
// after the last completion: the exchange is gone by then (calling read_body() again, as the
// contract says to, would touch a destroyed or recycled exchange).
TEST(RequestBody, ReadyCallbackNotRunAfterExchangeEnded) {
  Events ev;
  TestServer srv([&](Exchange& ex) {
    auto ended = std::make_shared<bool>(false);
    char b[64];
    ssize_t n = ex.read_body(b, sizeof(b), [&ev, ended] {
      ev.add(*ended ? "ready after the exchange ended" : "ready");
    });
    ev.add("read=" + std::to_string(n));
    // Answer early, without waiting for the rest of the body.
    ex.executor().schedule(20, [&ex, &ev, ended] {
      send_text(ex, "early", true, [&ev, ended](SendResult r) {
        *ended = true;
        ev.add("done ok=" + std::to_string(r.ok));
      });
    });
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 20\r\n\r\n"));
  ASSERT_TRUE(ev.wait_for("read=-1")) << ev.joined();
  Response r = c.read_response();
  EXPECT_EQ(r.body, "early");
  ASSERT_TRUE(ev.wait_for("done ok=1"));
  ASSERT_TRUE(c.send_all("01234567890123456789"));  // the rest of the body, drained
  ASSERT_TRUE(c.send_all(get("/next")));
  EXPECT_EQ(c.read_response().body, "early");
  std::this_thread::sleep_for(milliseconds(30));
  EXPECT_EQ(ev.count("ready after the exchange ended"), 0u) << ev.joined();
}

// Blocks the server's loop thread for `ms` (through a task posted to it) so that several things
// the client does arrive at the server in one epoll wakeup. Returns once the loop is blocked.
void block_loop(Executor* exec, int ms) {
  auto blocked = std::make_shared<std::atomic<bool>>(false);
  exec->post([blocked, ms] {
    *blocked = true;
    std::this_thread::sleep_for(milliseconds(ms));
  });
  eventually([&] { return blocked->load(); });
}

// Request bytes and the client's FIN arrive in the same wakeup while a handler waits for body
// bytes: the session must still notice the end of the input (read until EAGAIN or EOF, not stop at
// a short read), instead of leaving the handler waiting until the body timeout.
TEST(Abort, ClientFinArrivingWithDataIsNoticed) {
  Events ev;
  std::atomic<Executor*> exec{nullptr};
  TestServer srv([&](Exchange& ex) {
    exec = &ex.executor();
    if (ex.request().target == "/warmup") {
      send_text(ex, "warm", true);
      return;
    }
    ex.set_abort_handler([&ev] { ev.add("abort"); });
    BodyReader::start(ex, 64, [&ev](BodyReader& r) {
      ev.add("result=" + std::to_string(r.result) + " got=" + r.body);
    });
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/warmup")));
  ASSERT_EQ(c.read_response().body, "warm");
  block_loop(exec.load(), 150);
  ASSERT_TRUE(c.send_all("POST /body HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc"));
  c.shutdown_write();
  // The reader learns that the body is broken (whether or not it got "abc" first).
  EXPECT_TRUE(eventually([&] { return ev.count_prefix("result=-2 got=") == 1; }, 1500))
      << ev.joined();
  EXPECT_TRUE(ev.wait_for("abort", 500)) << ev.joined();
  EXPECT_EQ(c.read_until_close(1000), "");
  EXPECT_NE(c.end(), End::kOpen);
}

// Same with a complete request and a half-close: the server answers, then closes at once (the
// client said it sends nothing more) instead of holding the connection for the keep-alive timeout.
TEST(Abort, HalfCloseArrivingWithRequestClosesAfterResponse) {
  std::atomic<Executor*> exec{nullptr};
  TestServer srv([&](Exchange& ex) {
    exec = &ex.executor();
    send_text(ex, "t=" + std::string(ex.request().target), true);
  });
  Client c(srv.port());
  ASSERT_TRUE(c.send_all(get("/warmup")));
  ASSERT_EQ(c.read_response().body, "t=/warmup");
  block_loop(exec.load(), 150);
  ASSERT_TRUE(c.send_all(get("/x")));
  c.shutdown_write();
  EXPECT_EQ(c.read_response().body, "t=/x");
  EXPECT_EQ(c.read_until_close(1000), "");
  EXPECT_EQ(c.end(), End::kClosed) << "the server kept a half-closed idle connection open";
}

// The usual streaming pattern makes the last send from inside the previous send's completion. That
// completion must not retire the exchange while the last send is still pending. When it does, the
// exchange is recycled early (ASan: heap-use-after-free in Http1Session::send()'s completion, seen
// in Framing.HeadSendsHeadersOnly), and when the last send is large (more than
// max_pending_output), the pipelined request behind it is never dispatched: the real retire,
// which would resume parsing, finds nothing to retire.
TEST(Completion, LastSendFromCompletionThenPipelinedRequest) {
  const std::string big = pattern(16 << 20, 9);  // more than kernel buffers hold
  TestServer srv([&](Exchange& ex) {
    if (ex.request().target == "/a") {
      send_text(ex, "a1", false, [&ex, &big](SendResult) {
        BodyChunk c = BodyChunk::memory(big);
        ex.send({&c, 1}, true, nullptr);
      });
      return;
    }
    send_text(ex, "b", true);
  });
  Client c(srv.port(), Client::Options{256 * 1024, 0});  // the big send cannot leave at once
  ASSERT_TRUE(c.send_all(get("/a") + get("/b")));
  Response a = c.read_response();
  ASSERT_TRUE(a.complete) << a.raw.substr(0, 200);
  EXPECT_TRUE(a.body == "a1" + big);
  Response b = c.read_response(false, 1000);
  EXPECT_TRUE(b.complete) << "the pipelined request was never answered";
  EXPECT_EQ(b.body, "b");
}

// =============================================================================================
// Per-connection state (Exchange::connection_data)
// =============================================================================================

// Counts the requests of one connection; records its close.
class CountingData final : public http::ConnectionData {
 public:
  CountingData(Events& ev, int id) : ev_(ev), id_(id) {}
  ~CountingData() override { ev_.add("destroyed " + std::to_string(id_)); }
  void connection_closed() override {
    ev_.add("closed " + std::to_string(id_) + " after " + std::to_string(requests));
  }
  int requests = 0;

 private:
  Events& ev_;
  int id_;
};

TEST(ConnectionData, OneSlotPerConnectionAcrossKeepAliveRequests) {
  Events ev;
  int next_id = 0;
  TestServer srv([&](Exchange& ex) {
    std::shared_ptr<http::ConnectionData>* slot = ex.connection_data();
    ASSERT_NE(slot, nullptr);
    if (!*slot) *slot = std::make_shared<CountingData>(ev, ++next_id);
    auto* data = static_cast<CountingData*>(slot->get());
    ++data->requests;
    send_text(ex, std::to_string(next_id) + ":" + std::to_string(data->requests), true);
  });
  {
    Client a(srv.port());
    for (int i = 1; i <= 3; ++i) {
      ASSERT_TRUE(a.send_all(get("/")));
      Response r = a.read_response();
      ASSERT_TRUE(r.complete) << i;
      EXPECT_EQ(r.body, "1:" + std::to_string(i));
    }
    Client b(srv.port());  // another connection: another slot
    ASSERT_TRUE(b.send_all(get("/")));
    EXPECT_EQ(b.read_response().body, "2:1");
    a.close();
    ASSERT_TRUE(ev.wait_for("destroyed 1")) << ev.joined();
    EXPECT_EQ(ev.count("closed 2 after 1"), 0u) << ev.joined();  // b is still open
  }
  ASSERT_TRUE(ev.wait_for("destroyed 2")) << ev.joined();
  // connection_closed once, before the connection's reference goes.
  EXPECT_EQ(ev.list(), (std::vector<std::string>{"closed 1 after 3", "destroyed 1",
                                                 "closed 2 after 1", "destroyed 2"}))
      << ev.joined();
}

// A handler's own reference keeps the state alive after the connection has gone.
TEST(ConnectionData, HandlerReferenceOutlivesTheConnection) {
  Events ev;
  std::shared_ptr<http::ConnectionData> kept;
  std::mutex mu;
  TestServer srv([&](Exchange& ex) {
    auto data = std::make_shared<CountingData>(ev, 1);
    *ex.connection_data() = data;
    {
      std::lock_guard<std::mutex> l(mu);
      kept = data;
    }
    send_text(ex, "ok", true);
  });
  {
    Client c(srv.port());
    ASSERT_TRUE(c.send_all(get("/")));
    EXPECT_EQ(c.read_response().body, "ok");
  }
  ASSERT_TRUE(ev.wait_for("closed 1 after 0")) << ev.joined();
  // The session drops its reference right after connection_closed(); ours is then the last.
  ASSERT_TRUE(eventually([&] {
    std::lock_guard<std::mutex> l(mu);
    return kept.use_count() == 1;
  }));
  EXPECT_EQ(ev.count("destroyed 1"), 0u);
  {
    std::lock_guard<std::mutex> l(mu);
    kept.reset();
  }
  EXPECT_EQ(ev.count("destroyed 1"), 1u);
}

}  // namespace
}  // namespace hs::server
