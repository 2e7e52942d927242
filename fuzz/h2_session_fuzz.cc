// Fuzz target: a whole HTTP/2 connection (src/session/http2_session.*) over an in-memory stream
// (tests/support/memory_stream.h) on a test-driven executor: the client preface, then the fuzzed
// bytes as frames, delivered in pieces the input chooses, with the server's output drained (or
// held back by a small write window) between them; then the client closes.
//
// The handler answers by target: /echo reads the body and sends it back, /stream sends several
// pieces, /reset resets its stream, /close closes the connection, /trailer adds a trailer; other
// targets get a fixed body, and a request is sometimes left to the body timeout.
//
// Checked, besides ASan/UBSan/LSan: the connection always ends once the client has closed (no
// hang, no leak of streams: the owner hears of it), whatever the frames were; an exchange ends
// as http/exchange.h says: its last completion with ok=true and nothing after it, or a failed
// completion (ok=false) then the abort handler, or the abort handler alone — each at most once.
//
// Input: [window knob][piece size knob][client bytes...]
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "base/log.h"
#include "fuzz_support.h"
#include "http/exchange.h"
#include "manual_executor.h"
#include "memory_stream.h"
#include "session/http2_session.h"

namespace {

using namespace hs;

class Owner final : public session::ConnectionOwner {
 public:
  void connection_closed(session::Connection*) override { closed = true; }
  std::string_view date_header() override { return "Mon, 07 Dec 2026 10:00:00 GMT"; }
  bool closed = false;
};

// An exchange's end, as seen by its handler (see above).
struct End {
  enum { kOpen, kFailed, kDone, kAborted } state = kOpen;
  void completed(bool ok) {
    FUZZ_CHECK(state == kOpen);
    state = ok ? kDone : kFailed;
  }
  void aborted() {
    FUZZ_CHECK(state == kOpen || state == kFailed);
    state = kAborted;
  }
};

class Handler final : public http::Handler {
 public:
  explicit Handler(Executor& exec) : exec_(exec) {}
  void handle(http::Exchange& ex) override {
    std::string_view t = ex.request().target;
    auto ended = std::make_shared<End>();
    ex.set_abort_handler([ended] { ended->aborted(); });
    if (t == "/reset") {
      ex.reset();
    } else if (t == "/close") {
      ex.close_connection();
    } else if (t == "/echo") {
      read(ex, std::make_shared<std::string>(), ended);
    } else if (t == "/stream") {
      stream(ex, 0, ended);
    } else if (t == "/wait") {
      char b[16];
      ex.read_body(b, sizeof b, [] {});  // left to the body timeout or the connection's end
    } else {
      if (t == "/trailer") ex.response().trailers.add("x-t", "1");
      static const char kBody[] = "hello from the fuzzer";
      http::BodyChunk c = http::BodyChunk::memory(kBody, sizeof kBody - 1);
      ex.send({&c, 1}, true, [ended](http::SendResult r) { ended->completed(r.ok); });
    }
  }

 private:
  void read(http::Exchange& ex, std::shared_ptr<std::string> got, std::shared_ptr<End> ended) {
    char buf[4096];
    while (true) {
      ssize_t n = ex.read_body(buf, sizeof buf, [this, &ex, got, ended] { read(ex, got, ended); });
      if (n > 0) {
        got->append(buf, static_cast<size_t>(n));
        if (got->size() > 1 << 20) got->clear();
        continue;
      }
      if (n == http::kBodyPending) return;
      http::BodyChunk c = http::BodyChunk::memory(*got);
      ex.send({&c, 1}, true, [got, ended](http::SendResult r) { ended->completed(r.ok); });
      return;
    }
  }
  void stream(http::Exchange& ex, int i, std::shared_ptr<End> ended) {
    static const std::string kPiece(2000, 's');
    http::BodyChunk c = http::BodyChunk::memory(kPiece);
    bool last = i == 4;
    bool ok = ex.send({&c, 1}, last, [this, &ex, i, last, ended](http::SendResult r) {
      if (last) {
        ended->completed(r.ok);
        return;
      }
      if (r.ok) stream(ex, i + 1, ended);
    });
    (void)ok;  // false: the stream ended; the abort handler follows
  }
  Executor& exec_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hs::log_set_level(hs::LogLevel::kError);
  if (size < 2) return 0;
  size_t window = data[0] < 16 ? 64 : SIZE_MAX;  // sometimes the client reads slowly
  size_t piece = 1 + data[1];
  data += 2;
  size -= 2;
  hs::test::ManualExecutor exec;
  Owner owner;
  Handler handler(exec);
  hs::session::SessionConfig cfg;
  cfg.body_timeout_ms = 1000;
  cfg.send_timeout_ms = 1000;
  auto stream = std::make_unique<hs::test::MemoryStream>(exec);
  hs::test::MemoryStream* s = stream.get();
  s->set_write_window(window);
  auto session =
      std::make_unique<hs::session::Http2Session>(exec, std::move(stream), owner, handler, cfg);
  session->start();
  s->client_send(std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
  for (size_t off = 0; off < size && !s->closed(); off += piece) {
    s->client_send(
        std::string(reinterpret_cast<const char*>(data + off), std::min(piece, size - off)));
    exec.run();
    s->take_output();
    if (window != SIZE_MAX) s->open_write_window(window);
  }
  s->open_write_window(SIZE_MAX / 2);
  exec.run();
  s->client_close();
  exec.run();
  exec.advance(10'000);  // every timeout has passed
  s->take_output();
  FUZZ_CHECK(owner.closed);  // no hang: the connection ended
  return 0;
}
