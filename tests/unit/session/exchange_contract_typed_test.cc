// The http::Exchange contract (src/http/exchange.h) as one typed suite, run over every transport a
// handler can be reached by: each transport is a fixture that runs the real session over an
// in-memory stream (tests/support/memory_stream.h) on a test-driven executor, and plays the client
// in its protocol. The assertions are the contract's, not a protocol's: what the handler sees and
// what the client receives as a message. Wire details are the per-protocol suites' business
// (tests/unit/server/exchange_contract_test.cc for HTTP/1).
//
// Transports: HTTP/1.1 over a plain stream, HTTP/1.1 over a stream with TLS's properties
// (records handed out one at a time, a short read proves nothing, TLS facts), and HTTP/2 (the
// client is nghttp2's client session, in memory too).
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/exchange.h"
#include "manual_executor.h"
#include "memory_stream.h"
#include "session/http1_session.h"
#include "session/http2_session.h"

#include <nghttp2/nghttp2.h>

namespace hs::session {
namespace {

using http::BodyChunk;
using http::Exchange;
using test::ManualExecutor;
using test::MemoryStream;

// A message as the client understood it.
struct Message {
  bool complete = false;
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::vector<std::pair<std::string, std::string>> trailers;
  std::string get(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (http::iequals(n, name)) return v;
    }
    return {};
  }
};

// Parses one HTTP/1.1 response from the front of `in` (consumed when complete).
Message parse_h1(std::string& in, bool head_request, bool closed) {
  Message m;
  size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos) return m;
  std::string head = in.substr(0, end);
  size_t pos = end + 4;
  size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  m.status = std::stoi(status_line.substr(9, 3));
  size_t p = line_end == std::string::npos ? head.size() : line_end + 2;
  while (p < head.size()) {
    size_t e = head.find("\r\n", p);
    if (e == std::string::npos) e = head.size();
    std::string line = head.substr(p, e - p);
    size_t colon = line.find(':');
    m.headers.emplace_back(line.substr(0, colon),
                           line.substr(line.find_first_not_of(' ', colon + 1)));
    p = e + 2;
  }
  bool no_body = head_request || m.status == 204 || m.status == 304 || m.status < 200;
  if (no_body) {
    m.complete = true;
  } else if (http::iequals(m.get("Transfer-Encoding"), "chunked")) {
    while (true) {
      size_t e = in.find("\r\n", pos);
      if (e == std::string::npos) return Message{};
      size_t size = std::stoul(in.substr(pos, e - pos), nullptr, 16);
      pos = e + 2;
      if (size == 0) {
        while (true) {  // trailer section
          size_t te = in.find("\r\n", pos);
          if (te == std::string::npos) return Message{};
          if (te == pos) {
            pos += 2;
            break;
          }
          std::string line = in.substr(pos, te - pos);
          size_t colon = line.find(':');
          m.trailers.emplace_back(line.substr(0, colon),
                                  line.substr(line.find_first_not_of(' ', colon + 1)));
          pos = te + 2;
        }
        m.complete = true;
        break;
      }
      if (in.size() < pos + size + 2) return Message{};
      m.body += in.substr(pos, size);
      pos += size + 2;
    }
  } else if (!m.get("Content-Length").empty()) {
    size_t n = std::stoul(m.get("Content-Length"));
    if (in.size() < pos + n) return Message{};
    m.body = in.substr(pos, n);
    pos += n;
    m.complete = true;
  } else {
    m.body = in.substr(pos);
    pos = in.size();
    m.complete = closed;
  }
  if (m.complete) in.erase(0, pos);
  return m;
}

class FnHandler final : public http::Handler {
 public:
  std::function<void(Exchange&)> fn;
  void handle(Exchange& ex) override { fn(ex); }
};

class Owner final : public ConnectionOwner {
 public:
  void connection_closed(Connection*) override { closed = true; }  // the fixture deletes it
  std::string_view date_header() override { return "Mon, 07 Dec 2026 10:00:00 GMT"; }
  bool closed = false;
};

// --- transports -------------------------------------------------------------------------------

// HTTP/1.1 over an in-memory stream with `Options`.
template <bool kSecure>
class H1Transport {
 public:
  static constexpr bool secure = kSecure;
  static constexpr const char* name = kSecure ? "h1_tls" : "h1";
  static MemoryStream::Options options() {
    MemoryStream::Options o;
    if (kSecure) {
      o.secure = true;
      o.max_read = 1000;  // small "records": the session must read on past short reads
      o.short_read_drains = false;
      o.gathers = true;  // the output queue hands it memory and file pieces together, as to TLS
    }
    return o;
  }

  void start(http::Handler& h, const SessionConfig& cfg) {
    cfg_ = cfg;
    auto s = std::make_unique<MemoryStream>(exec, options());
    stream = s.get();
    session_ = std::make_unique<Http1Session>(exec, std::move(s), owner, h, cfg_);
    session_->start();
    exec.run();
  }
  ~H1Transport() {
    if (session_ && !owner.closed) session_->close_now();
    exec.run();
  }

  // A request with an optional body (Content-Length), sent in one piece or in `pieces`.
  void request(std::string_view method, std::string_view target, std::string_view body = {},
               bool announce_body = false) {
    head_ = method == "HEAD";
    std::string r =
        std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: example.test\r\n";
    if (!body.empty() || announce_body) {
      r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    r += "\r\n";
    stream->client_send(r);
    if (!body.empty()) stream->client_send(body);
    exec.run();
  }
  // Lets both sides run until nothing moves.
  void flow() { exec.run(); }
  // A GET with one more field.
  void request_with_field(std::string_view name, std::string_view value) {
    stream->client_send("GET / HTTP/1.1\r\nHost: example.test\r\n" + std::string(name) + ": " +
                        std::string(value) + "\r\n\r\n");
    exec.run();
  }
  // Sends `head` with Content-Length `length` and no body yet.
  void request_with_body_later(uint64_t length) {
    stream->client_send("POST /upload HTTP/1.1\r\nHost: example.test\r\nContent-Length: " +
                        std::to_string(length) + "\r\n\r\n");
    exec.run();
  }
  void body_piece(std::string_view piece) {
    stream->client_send(piece);
    exec.run();
  }

  Message response() {
    received_ += stream->take_output();
    return parse_h1(received_, head_, stream->closed());
  }
  // The stream was ended abnormally (HTTP/1: the connection was reset).
  bool stream_reset() const { return stream->closed() && stream->closed_abortively(); }

  ManualExecutor exec;
  Owner owner;
  MemoryStream* stream = nullptr;

 private:
  SessionConfig cfg_;
  std::unique_ptr<Http1Session> session_;
  std::string received_;
  bool head_ = false;
};

using H1Plain = H1Transport<false>;
using H1Tls = H1Transport<true>;

// HTTP/2 with prior knowledge over an in-memory stream; the client is an nghttp2 client session
// whose bytes the test carries to and from the stream.
class H2Transport {
 public:
  static constexpr bool secure = false;
  static constexpr const char* name = "h2";

  H2Transport() {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_header_callback(
        cb, [](nghttp2_session*, const nghttp2_frame* f, const uint8_t* n, size_t nl,
               const uint8_t* v, size_t vl, uint8_t, void* user) {
          auto* t = static_cast<H2Transport*>(user);
          Msg& m = t->msgs_[f->hd.stream_id];
          std::string name(reinterpret_cast<const char*>(n), nl);
          std::string value(reinterpret_cast<const char*>(v), vl);
          if (name == ":status") {
            m.m.status = std::stoi(value);
          } else if (m.headers_done) {
            m.m.trailers.emplace_back(name, value);  // a second HEADERS: trailers
          } else {
            m.m.headers.emplace_back(name, value);
          }
          return 0;
        });
    nghttp2_session_callbacks_set_on_frame_recv_callback(
        cb, [](nghttp2_session*, const nghttp2_frame* f, void* user) {
          auto* t = static_cast<H2Transport*>(user);
          if (f->hd.type == NGHTTP2_HEADERS) t->msgs_[f->hd.stream_id].headers_done = true;
          if (f->hd.type == NGHTTP2_RST_STREAM) t->msgs_[f->hd.stream_id].reset = true;
          if ((f->hd.type == NGHTTP2_HEADERS || f->hd.type == NGHTTP2_DATA) &&
              (f->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
            t->msgs_[f->hd.stream_id].m.complete = true;
          }
          return 0;
        });
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
        cb, [](nghttp2_session*, uint8_t, int32_t id, const uint8_t* d, size_t n, void* user) {
          static_cast<H2Transport*>(user)->msgs_[id].m.body.append(reinterpret_cast<const char*>(d),
                                                                   n);
          return 0;
        });
    nghttp2_session_client_new(&client_, cb, this);
    nghttp2_session_callbacks_del(cb);
    nghttp2_submit_settings(client_, NGHTTP2_FLAG_NONE, nullptr, 0);
  }
  ~H2Transport() {
    if (session_ && !owner.closed) session_->close_now();
    exec.run();
    nghttp2_session_del(client_);
  }

  void start(http::Handler& h, const SessionConfig& cfg) {
    cfg_ = cfg;
    auto s = std::make_unique<MemoryStream>(exec);
    stream = s.get();
    session_ = std::make_unique<Http2Session>(exec, std::move(s), owner, h, cfg_);
    session_->start();
    pump();
  }

  void request(std::string_view method, std::string_view target, std::string_view body = {},
               bool announce_body = false) {
    std::vector<std::pair<std::string, std::string>> extra;
    bool has_body = !body.empty() || announce_body;
    if (has_body) extra.emplace_back("content-length", std::to_string(body.size()));
    submit(method, target, extra, has_body);
    upload_ = std::string(body);
    upload_done_ = true;
    if (has_body) nghttp2_session_resume_data(client_, id_);
    pump();
  }
  void request_with_field(std::string_view name, std::string_view value) {
    std::string lower(name);
    for (char& c : lower)
      c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    submit("GET", "/", {{lower, std::string(value)}}, false);
    pump();
  }
  void request_with_body_later(uint64_t length) {
    submit("POST", "/upload", {{"content-length", std::to_string(length)}}, true);
    pump();
  }
  void body_piece(std::string_view piece) {
    upload_ += piece;
    if (upload_.size() >= upload_expected_) upload_done_ = true;
    nghttp2_session_resume_data(client_, id_);
    pump();
  }

  void flow() { pump(); }
  Message response() {
    pump();
    Msg& m = msgs_[id_];
    Message out = m.m;
    out.complete = m.m.complete && !m.reset;
    return out;
  }
  bool stream_reset() { return msgs_[id_].reset; }

  ManualExecutor exec;
  Owner owner;
  MemoryStream* stream = nullptr;

 private:
  struct Msg {
    Message m;
    bool headers_done = false;
    bool reset = false;
  };

  void submit(std::string_view method, std::string_view target,
              const std::vector<std::pair<std::string, std::string>>& extra, bool body) {
    std::vector<std::pair<std::string, std::string>> f = {{":method", std::string(method)},
                                                          {":scheme", "http"},
                                                          {":authority", "example.test"},
                                                          {":path", std::string(target)}};
    for (const auto& e : extra) {
      f.push_back(e);
      if (e.first == "content-length") upload_expected_ = std::stoull(e.second);
    }
    std::vector<nghttp2_nv> nva;
    for (auto& [n, v] : f) {
      nva.push_back({reinterpret_cast<uint8_t*>(n.data()), reinterpret_cast<uint8_t*>(v.data()),
                     n.size(), v.size(), NGHTTP2_NV_FLAG_NONE});
    }
    upload_.clear();
    upload_pos_ = 0;
    upload_done_ = false;
    nghttp2_data_provider prd;
    prd.source.ptr = this;
    prd.read_callback = [](nghttp2_session*, int32_t, uint8_t* buf, size_t len, uint32_t* flags,
                           nghttp2_data_source* src, void*) -> ssize_t {
      auto* t = static_cast<H2Transport*>(src->ptr);
      size_t n = std::min(len, t->upload_.size() - t->upload_pos_);
      memcpy(buf, t->upload_.data() + t->upload_pos_, n);
      t->upload_pos_ += n;
      if (t->upload_done_ && t->upload_pos_ == t->upload_.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
      if (n == 0 && !(*flags & NGHTTP2_DATA_FLAG_EOF)) return NGHTTP2_ERR_DEFERRED;
      return static_cast<ssize_t>(n);
    };
    id_ = nghttp2_submit_request(client_, nullptr, nva.data(), nva.size(), body ? &prd : nullptr,
                                 nullptr);
  }

  // Carries bytes both ways until neither side has more.
  void pump() {
    for (int round = 0; round < 1000; ++round) {
      bool moved = false;
      const uint8_t* data = nullptr;
      ssize_t n;
      std::string to_server;
      while ((n = nghttp2_session_mem_send(client_, &data)) > 0)
        to_server.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
      if (!to_server.empty() && !stream->closed()) {
        stream->client_send(to_server);
        moved = true;
      }
      moved = exec.run() > 0 || moved;
      std::string from_server = stream->take_output();
      if (!from_server.empty()) {
        nghttp2_session_mem_recv(client_, reinterpret_cast<const uint8_t*>(from_server.data()),
                                 from_server.size());
        moved = true;
      }
      if (!moved) return;
    }
  }

  nghttp2_session* client_ = nullptr;
  SessionConfig cfg_;
  std::unique_ptr<Http2Session> session_;
  std::map<int32_t, Msg> msgs_;
  int32_t id_ = -1;
  std::string upload_;
  size_t upload_pos_ = 0;
  uint64_t upload_expected_ = 0;
  bool upload_done_ = false;
};

template <class T>
class ExchangeContract : public ::testing::Test {
 protected:
  void serve(std::function<void(Exchange&)> fn, SessionConfig cfg = {}) {
    handler_.fn = std::move(fn);
    t.start(handler_, cfg);
  }
  T t;

 private:
  FnHandler handler_;
};

using Transports = ::testing::Types<H1Plain, H1Tls, H2Transport>;
class TransportNames {
 public:
  template <class T>
  static std::string GetName(int) {
    return T::name;
  }
};
TYPED_TEST_SUITE(ExchangeContract, Transports, TransportNames);

// The request as the handler sees it: method, target, scheme and authority, the connection's
// protocol and security.
TYPED_TEST(ExchangeContract, RequestFacts) {
  std::string seen;
  this->serve([&](Exchange& ex) {
    const http::RequestHead& q = ex.request();
    const http::ConnectionInfo& c = ex.connection_info();
    seen = std::string(q.method_name) + " " + std::string(q.target) + " " + std::string(q.scheme) +
           "://" + std::string(q.authority) + " secure=" + std::to_string(c.secure) +
           " tls=" + std::string(c.tls_version);
    BodyChunk b = BodyChunk::memory("ok");
    ex.send({&b, 1}, true, nullptr);
  });
  this->t.request("GET", "/a?b=1");
  EXPECT_EQ(seen, TypeParam::secure ? "GET /a?b=1 https://example.test secure=1 tls=TLSv1.3"
                                    : "GET /a?b=1 http://example.test secure=0 tls=");
  Message m = this->t.response();
  EXPECT_TRUE(m.complete);
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.body, "ok");
}

// A request bigger than what one read hands out (a TLS record) is still read whole: the session
// reads on past a short read when the stream says that proves nothing.
TYPED_TEST(ExchangeContract, RequestLargerThanOneRead) {
  std::string seen;
  this->serve([&](Exchange& ex) {
    seen = std::string(ex.request().header("X-Big"));
    BodyChunk b = BodyChunk::memory("ok");
    ex.send({&b, 1}, true, nullptr);
  });
  std::string big(3000, 'z');
  this->t.request_with_field("X-Big", big);
  EXPECT_EQ(seen, big);
  EXPECT_EQ(this->t.response().body, "ok");
}

// A small memory chunk is copied by send(): the handler's buffer is free when send() returns.
TYPED_TEST(ExchangeContract, SmallChunksAreCopied) {
  this->serve([&](Exchange& ex) {
    std::string body(http::kSendCopiesUpTo, 'x');
    BodyChunk b = BodyChunk::memory(body);
    EXPECT_TRUE(ex.send({&b, 1}, true, nullptr));
    body.assign(body.size(), 'y');  // too late to change what goes out
  });
  this->t.request("GET", "/");
  EXPECT_EQ(this->t.response().body, std::string(http::kSendCopiesUpTo, 'x'));
}

// Completions never run inside send(), and report the bytes of their send.
TYPED_TEST(ExchangeContract, CompletionRunsLater) {
  std::vector<std::string> ev;
  std::string big(100'000, 'b');
  bool in_send = false;  // outlives the handler: the completion reads it after the handler returned
  this->serve([&](Exchange& ex) {
    BodyChunk b = BodyChunk::memory(big);
    in_send = true;
    EXPECT_TRUE(ex.send({&b, 1}, true, [&](http::SendResult r) {
      ev.push_back(std::string(in_send ? "inside" : "later") + " ok=" + std::to_string(r.ok) +
                   " bytes=" + std::to_string(r.bytes));
    }));
    in_send = false;
    ev.push_back("sent");
  });
  this->t.request("GET", "/");
  EXPECT_EQ(ev, (std::vector<std::string>{"sent", "later ok=1 bytes=100000"}));
  EXPECT_EQ(this->t.response().body, big);
}

// One send outstanding at a time; a send after the last is refused.
TYPED_TEST(ExchangeContract, OneSendOutstanding) {
  std::vector<std::string> ev;
  std::string big(10'000, 'c');
  this->serve([&](Exchange& ex) {
    BodyChunk b = BodyChunk::memory(big);
    ex.send({&b, 1}, false, [&ev, &ex, &big](http::SendResult) {
      ev.push_back("done1");
      BodyChunk c = BodyChunk::memory(big);
      EXPECT_TRUE(ex.send({&c, 1}, true, [&ev](http::SendResult) { ev.push_back("done2"); }));
    });
    ev.push_back(std::string("second=") + (ex.send({&b, 1}, false, nullptr) ? "1" : "0"));
  });
  this->t.request("GET", "/");
  EXPECT_EQ(ev, (std::vector<std::string>{"second=0", "done1", "done2"}));
  EXPECT_EQ(this->t.response().body, big + big);
}

// Back-pressure: the completion waits until the transport no longer references the bytes; a
// client that does not read holds the handler, and what it finally gets is whole.
TYPED_TEST(ExchangeContract, CompletionWaitsForTheClient) {
  bool done = false;
  std::string big(200'000, 'd');
  this->serve([&](Exchange& ex) {
    BodyChunk b = BodyChunk::memory(big);
    ex.send({&b, 1}, true, [&done](http::SendResult r) { done = r.ok; });
  });
  this->t.stream->set_write_window(1000);
  this->t.request("GET", "/");
  EXPECT_FALSE(done);
  EXPECT_FALSE(this->t.response().complete);
  this->t.stream->open_write_window(1'000'000);
  this->t.flow();
  EXPECT_TRUE(done);
  EXPECT_EQ(this->t.response().body, big);
}

// Memory and file chunks of one send go out in order, whole, through a transport that takes a
// little at a time (on TLS the output queue hands them over together: Stream::write_pieces).
TYPED_TEST(ExchangeContract, MemoryAndFileChunksGoOutInOrder) {
  char path[] = "/tmp/hs-contract-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  unlink(path);
  std::string file(150'000, '\0');
  for (size_t i = 0; i < file.size(); ++i)
    file[i] = static_cast<char>('a' + i % 26);
  ASSERT_EQ(pwrite(fd, file.data(), file.size(), 0), static_cast<ssize_t>(file.size()));
  std::string head = "<", tail(2000, 'z');
  bool done = false;
  this->serve([&](Exchange& ex) {
    BodyChunk b[] = {BodyChunk::memory(head), BodyChunk::file(fd, 100, 100'000),
                     BodyChunk::memory(tail), BodyChunk::file(fd, 0, 10)};
    ex.send({b, 4}, true, [&done](http::SendResult r) { done = r.ok; });
  });
  this->t.stream->set_write_window(3000);
  this->t.request("GET", "/");
  EXPECT_FALSE(done);
  for (int i = 0; i < 200 && !done; ++i) {
    this->t.stream->open_write_window(3000);
    this->t.flow();
  }
  EXPECT_TRUE(done);
  Message m = this->t.response();
  EXPECT_TRUE(m.complete);
  EXPECT_TRUE(m.body == head + file.substr(100, 100'000) + tail + file.substr(0, 10));
  close(fd);
}

// The request body is pulled: kBodyPending, then the ready callback, then the bytes, then kBodyEnd.
TYPED_TEST(ExchangeContract, RequestBodyIsPulled) {
  std::string got;
  std::vector<std::string> ev;
  std::function<void(Exchange&)> pump = [&](Exchange& ex) {
    char buf[4];
    while (true) {
      ssize_t n = ex.read_body(buf, sizeof(buf), [&pump, &ex, &ev] {
        ev.push_back("ready");
        pump(ex);
      });
      if (n > 0) {
        got.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == http::kBodyPending) {
        ev.push_back("pending");
        return;
      }
      ev.push_back(n == http::kBodyEnd ? "end" : "error");
      BodyChunk b = BodyChunk::memory(got);
      ex.send({&b, 1}, true, nullptr);
      return;
    }
  };
  this->serve(pump);
  this->t.request_with_body_later(10);
  this->t.body_piece("01234");
  this->t.body_piece("56789");
  EXPECT_EQ(got, "0123456789");
  EXPECT_EQ(ev.front(), "pending");
  EXPECT_EQ(ev.back(), "end");
  EXPECT_EQ(this->t.response().body, "0123456789");
}

// reset() ends the stream: the pending completion fails first, then the abort handler runs; the
// client learns the response is incomplete.
TYPED_TEST(ExchangeContract, ResetEndsTheStream) {
  std::vector<std::string> ev;
  std::string big(100'000, 'e');
  this->serve([&](Exchange& ex) {
    ex.set_abort_handler(
        [&ev, &ex] { ev.push_back("abort connected=" + std::to_string(ex.connected())); });
    BodyChunk b = BodyChunk::memory(big);
    ex.send({&b, 1}, false,
            [&ev](http::SendResult r) { ev.push_back("done ok=" + std::to_string(r.ok)); });
    ex.reset();
  });
  this->t.stream->set_write_window(10);
  this->t.request("GET", "/");
  EXPECT_EQ(ev, (std::vector<std::string>{"done ok=0", "abort connected=0"}));
  this->t.stream->open_write_window(1'000'000);  // what was queued may leave now
  this->t.flow();
  EXPECT_FALSE(this->t.response().complete);
  EXPECT_TRUE(this->t.stream_reset());
}

// Trailers declared before the head are delivered after the body.
TYPED_TEST(ExchangeContract, TrailersFollowTheBody) {
  this->serve([&](Exchange& ex) {
    ex.response().trailers.add("X-Checksum", "c0ffee");
    ex.response().trailers.add("Content-Length", "99");  // never a trailer: dropped
    BodyChunk b = BodyChunk::memory("part");
    ex.send({&b, 1}, false, [&ex](http::SendResult) {
      BodyChunk c = BodyChunk::memory("s");
      ex.send({&c, 1}, true, nullptr);
    });
  });
  this->t.request("GET", "/");
  Message m = this->t.response();
  EXPECT_TRUE(m.complete);
  EXPECT_EQ(m.body, "parts");
  ASSERT_EQ(m.trailers.size(), 1u);
  EXPECT_TRUE(http::iequals(m.trailers[0].first, "X-Checksum"));
  EXPECT_EQ(m.trailers[0].second, "c0ffee");
}

// A handler's connection-specific fields never reach the client as given.
TYPED_TEST(ExchangeContract, ConnectionFieldsAreTheProtocols) {
  this->serve([&](Exchange& ex) {
    ex.response().headers.add("Transfer-Encoding", "gzip");
    ex.response().headers.add("Keep-Alive", "timeout=1");
    ex.response().headers.add("X-Kept", "1");
    BodyChunk b = BodyChunk::memory("ok");
    ex.send({&b, 1}, true, nullptr);
  });
  this->t.request("GET", "/");
  Message m = this->t.response();
  EXPECT_TRUE(m.complete);
  EXPECT_EQ(m.get("Keep-Alive"), "");
  EXPECT_NE(m.get("Transfer-Encoding"), "gzip");
  EXPECT_EQ(m.get("X-Kept"), "1");
  EXPECT_EQ(m.body, "ok");
}

// HEAD: no body bytes whatever the handler sends, the length it would have had is stated.
// A response field value with CR, LF or NUL in it cannot split the head or a header block: those
// bytes go out as spaces, wherever they sit (short values and long ones, checked a word at a time
// on HTTP/2).
TYPED_TEST(ExchangeContract, ResponseFieldValuesLoseCrLfNul) {
  using namespace std::string_view_literals;
  this->serve([&](Exchange& ex) {
    ex.response().headers.add("X-Short", "a\rb"sv);
    ex.response().headers.add("X-Long", "0123456789abcdef\r\nX-Injected: 1\0tail"sv);
    ex.response().headers.add("X-Clean", "0123456789abcdef-clean"sv);
    BodyChunk b = BodyChunk::memory("ok");
    ex.send({&b, 1}, true, nullptr);
  });
  this->t.request("GET", "/");
  Message m = this->t.response();
  EXPECT_TRUE(m.complete);
  EXPECT_EQ(m.get("X-Short"), "a b");
  EXPECT_EQ(m.get("X-Long"), "0123456789abcdef  X-Injected: 1 tail");
  EXPECT_EQ(m.get("X-Clean"), "0123456789abcdef-clean");
  EXPECT_EQ(m.get("X-Injected"), "");
  EXPECT_EQ(m.body, "ok");
}

TYPED_TEST(ExchangeContract, HeadSendsNoBody) {
  this->serve([&](Exchange& ex) {
    BodyChunk b = BodyChunk::memory("twelve bytes");
    ex.send({&b, 1}, true, nullptr);
  });
  this->t.request("HEAD", "/");
  Message m = this->t.response();
  EXPECT_TRUE(m.complete);
  EXPECT_EQ(m.body, "");
  EXPECT_EQ(m.get("Content-Length"), "12");
}

// A handler waiting for a body that does not come: after the body timeout the handler hears
// (read_body fails / abort handler), the client gets a 408. The clock is the test's.
TYPED_TEST(ExchangeContract, BodyTimeoutEndsTheWait) {
  std::vector<std::string> ev;
  SessionConfig cfg;
  cfg.body_timeout_ms = 5'000;
  cfg.min_body_rate = 0;
  this->serve(
      [&](Exchange& ex) {
        ex.set_abort_handler([&ev] { ev.push_back("abort"); });
        char b[8];
        ssize_t n = ex.read_body(b, sizeof(b), [&ev, &ex] {
          char c[8];
          ev.push_back("ready read=" + std::to_string(ex.read_body(c, sizeof(c), [] {})));
        });
        ev.push_back("read=" + std::to_string(n));
      },
      cfg);
  this->t.request_with_body_later(100);
  this->t.exec.advance(4'000);
  EXPECT_EQ(ev, (std::vector<std::string>{"read=-1"}));
  this->t.exec.advance(2'000);
  EXPECT_EQ(ev, (std::vector<std::string>{"read=-1", "ready read=-2", "abort"}));
  EXPECT_EQ(this->t.response().status, 408);
}

}  // namespace
}  // namespace hs::session
