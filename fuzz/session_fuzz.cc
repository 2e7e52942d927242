// Fuzz target: a whole HTTP/1 connection (src/session/http1_session.*) on a real io::EventLoop,
// the client being the other end of a socketpair driven on the same loop: the fuzzed bytes go in
// pieces the input chooses (one piece per loop iteration), then the client half-closes and reads
// everything until the server closes.
//
// The handler picks a behaviour from the request target: /echo (reads the body, answers it),
// /stream (several sends, chunked or close-delimited, body left unread), /cl (its own
// Content-Length over two sends), /defer and /post (answers later from a timer or the mailbox),
// /empty (204), /close, /throw (the handler throws: the session answers 500), /abort (reset);
// anything else gets a fixed body.
//
// Checked, besides ASan/UBSan/LSan: the connection ends on its own once the client has closed
// (no hang — a guard timer far shorter than every timeout); the output is a valid sequence of
// HTTP/1 responses (llhttp in response mode, strict: nothing after a Connection: close); the
// k-th final response answers the k-th dispatched request, and every response whose last send
// completed with ok=true arrived whole, with exactly the status and body the handler sent; at
// most one extra response (a parse error, with an error status) follows them.
//
// Input: [flags][knobs x4][seed length][seed][client bytes]
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/log.h"
#include "fuzz_support.h"
#include "http/exchange.h"
#include "io/event_loop.h"
#include "io/stream.h"
#include "response_stream.h"
#include "session/http1_session.h"
#ifdef HS_FUZZ_IIS
#include "server/iis_setup.h"
#endif

namespace hs::fuzz {
namespace {

using http::BodyChunk;
using http::Exchange;

constexpr int64_t kGuardMs = 3'000;  // every session timeout below is longer
constexpr int64_t kTimeoutMs = 20'000;

enum class State { kPending, kOk, kFailed, kBodyError, kAborted };

struct Dispatched {
  bool head = false;
  int status = 200;
  std::string body;  // what the handler sent, for comparison
  State state = State::kPending;
};

struct Job {
  Exchange* ex = nullptr;
  Dispatched* rec = nullptr;
  bool aborted = false;
  std::string read;  // request body read so far
  std::vector<std::string> pieces;
  size_t next = 0;
};

class FuzzHandler final : public http::Handler {
 public:
  // Stable addresses: jobs point into it.
  std::vector<std::unique_ptr<Dispatched>> dispatched;

  void handle(Exchange& ex) override {
    dispatched.push_back(std::make_unique<Dispatched>());
    auto job = std::make_shared<Job>();
    job->ex = &ex;
    job->rec = dispatched.back().get();
    job->rec->head = ex.request().is_head();
    ex.set_abort_handler([job] {
      job->aborted = true;
      if (job->rec->state == State::kPending) job->rec->state = State::kAborted;
    });
    std::string_view target = ex.request().target;
    auto is = [&](std::string_view p) { return target.substr(0, p.size()) == p; };
    if (is("/echo")) {
      pump(job);
    } else if (is("/stream")) {
      size_t n = target.size() > 7 && target[7] >= '0' && target[7] <= '9' ? target[7] - '0' : 3;
      for (size_t i = 0; i < n; ++i)
        job->pieces.push_back("piece " + std::to_string(i) + "\n");
      for (const std::string& p : job->pieces)
        job->rec->body += p;
      send_next(job);
    } else if (is("/cl")) {
      job->pieces = {"exactly ", "declared"};
      ex.response().headers.set("Content-Length", "16");
      job->rec->body = "exactly declared";
      send_next(job);
    } else if (is("/defer")) {
      ex.executor().schedule(0, [this, job] {
        if (!job->aborted) respond(job, 200, "deferred\n");
      });
    } else if (is("/post")) {
      ex.executor().post([this, job] {
        if (!job->aborted) respond(job, 202, "posted\n");
      });
    } else if (is("/empty")) {
      respond(job, 204, "");
    } else if (is("/close")) {
      ex.set_close_after();
      respond(job, 200, "bye\n");
    } else if (is("/throw")) {
      // The session answers 500; no completion tells us it was written, so it is not compared.
      job->rec->status = 500;
      throw std::runtime_error("fuzz handler throws");
    } else if (is("/abort")) {
      ex.reset();
    } else {
      respond(job, 200, "hello\n");
    }
  }

 private:
  void pump(const std::shared_ptr<Job>& job) {
    char buf[1024];
    while (true) {
      ssize_t n = job->ex->read_body(buf, sizeof(buf), [this, job] {
        if (!job->aborted) pump(job);
      });
      if (n > 0) {
        job->read.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == http::kBodyPending) return;
      if (n == http::kBodyError) {
        // The session answers (or resets) itself; the exchange is no longer ours to use.
        job->rec->state = State::kBodyError;
        return;
      }
      FUZZ_CHECK(n == http::kBodyEnd);
      FUZZ_CHECK(job->ex->body_remaining() == 0);
      std::string body = std::move(job->read);
      respond(job, 200, body);
      return;
    }
  }

  void respond(const std::shared_ptr<Job>& job, int status, std::string body) {
    job->rec->status = status;
    job->rec->body = body;
    job->pieces = {std::move(body)};
    job->ex->response().status = status;
    send_next(job);
  }

  // Sends job->pieces one at a time, the next from the completion of the previous.
  void send_next(const std::shared_ptr<Job>& job) {
    bool last = job->next + 1 >= job->pieces.size();
    BodyChunk chunk;
    size_t n = 0;
    if (job->next < job->pieces.size()) {
      chunk = BodyChunk::memory(job->pieces[job->next]);
      n = 1;
    }
    ++job->next;
    bool ok = job->ex->send({&chunk, n}, last, [this, job, last](http::SendResult r) {
      if (!r.ok) {
        job->rec->state = State::kFailed;
        return;
      }
      if (last) {
        job->rec->state = State::kOk;
      } else if (!job->aborted) {
        send_next(job);
      }
    });
    // A send fails only on a connection already closed (before its abort handler has run).
    FUZZ_CHECK(ok || !job->ex->connected());
  }
};

#ifdef HS_FUZZ_IIS
// The iis_session variant: the same connection driver in front of the IIS pipeline with the
// sample modules (hello, echo, the header filter) and the static-file handler on examples/site.
// Modules write what they like, so responses are checked for framing and order, not content.
class IisRecorder final : public http::Handler {
 public:
  explicit IisRecorder(http::Handler& inner) : inner_(inner) {}
  std::vector<std::unique_ptr<Dispatched>> dispatched;
  void handle(Exchange& ex) override {
    dispatched.push_back(std::make_unique<Dispatched>());
    dispatched.back()->head = ex.request().is_head();
    inner_.handle(ex);
  }

 private:
  http::Handler& inner_;
};

// Loaded once per process: dlopen and RegisterModule are far too slow per input. Never freed, so
// the modules stay loaded until exit (reachable, not a leak).
server::IisStack& iis_stack() {
  static server::IisStack* stack = [] {
    auto* st = new server::IisStack;
    std::vector<iis::HandlerMapping> mappings;
    std::vector<server::ModuleSpec> keep;
    // Not the async and stream samples: their query parameters ask for seconds of waiting or
    // gigabytes of output, which a fuzzer finds at once and which are no bug.
    for (server::ModuleSpec& m : server::default_sample_modules(&mappings)) {
      if (m.name == "HelloModule" || m.name == "EchoModule" || m.name == "HeaderFilterModule") {
        keep.push_back(std::move(m));
      }
    }
    std::erase_if(mappings, [](const iis::HandlerMapping& h) {
      return h.modules.empty() || (h.modules[0] != "HelloModule" && h.modules[0] != "EchoModule");
    });
    if (keep.size() != 3) {
      fprintf(stderr, "iis_session: sample modules not built (%zu of 3 found)\n", keep.size());
      abort();
    }
    core::StaticFileConfig files;
    files.root = HS_FUZZ_SITE;
    std::string error;
    if (!server::build_iis_stack(keep, std::move(mappings), files, st, &error)) {
      fprintf(stderr, "iis_session: %s\n", error.c_str());
      abort();
    }
    return st;
  }();
  return *stack;
}
#endif

class Owner final : public session::ConnectionOwner {
 public:
  void connection_closed(session::Connection*) override {
    FUZZ_CHECK(!closed);
    closed = true;
    on_change();
  }
  std::string_view date_header() override { return "Wed, 02 Dec 2026 04:00:00 GMT"; }
  bool closed = false;
  std::function<void()> on_change;
};

// The client end: writes the input in pieces, half-closes, reads until the server closes.
class Client final : public io::EventLoop::Watcher {
 public:
  Client(io::EventLoop& loop, int fd, std::string_view input, std::string_view seed)
      : loop_(loop), fd_(fd), input_(input) {
    for_each_piece(seed, input.size(), [&](size_t, size_t n) { pieces_.push_back(n); });
  }
  void start() {
    loop_.add(fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP, this);
    loop_.schedule(0, [this] { write_some(); });
  }
  void on_io(uint32_t events) override {
    if (events & EPOLLOUT && blocked_) {
      blocked_ = false;
      write_some();
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) read_all();
  }
  bool eof = false;
  std::string output;
  std::function<void()> on_change;

 private:
  void write_some() {
    while (piece_ < pieces_.size() && !write_done_) {
      size_t n = pieces_[piece_] - piece_off_;
      ssize_t w = send(fd_, input_.data() + pos_, n, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN) {
        blocked_ = true;
        return;
      }
      if (w < 0) {  // the server closed: it reads nothing more
        write_done_ = true;
        break;
      }
      pos_ += static_cast<size_t>(w);
      piece_off_ += static_cast<size_t>(w);
      if (piece_off_ < pieces_[piece_]) continue;
      piece_off_ = 0;
      ++piece_;
      if (piece_ < pieces_.size()) {
        loop_.schedule(0, [this] { write_some(); });  // the server reads before the next piece
        return;
      }
    }
    if (!shut_) {
      shut_ = true;
      shutdown(fd_, SHUT_WR);
    }
  }
  void read_all() {
    char buf[16384];
    while (!eof) {
      ssize_t n = read(fd_, buf, sizeof(buf));
      if (n > 0) {
        output.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      eof = true;  // 0, or a reset
      on_change();
    }
  }

  io::EventLoop& loop_;
  int fd_;
  std::string_view input_;
  std::vector<size_t> pieces_;
  size_t piece_ = 0;
  size_t piece_off_ = 0;
  size_t pos_ = 0;
  bool blocked_ = false;
  bool write_done_ = false;
  bool shut_ = false;
};

bool error_status(int s) {
  return s == 400 || s == 408 || s == 413 || s == 414 || s == 417 || s == 431 || s == 501 ||
         s == 505;
}

}  // namespace
}  // namespace hs::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hs::fuzz;
  // Quiet: 400s are logged at info and the throwing handler at error, on every input.
  static const bool verbose = getenv("HS_FUZZ_VERBOSE") != nullptr;
  hs::log_set_level(verbose ? hs::LogLevel::kDebug : hs::LogLevel::kNotice);
  Input in(data, size);
  uint8_t flags = in.byte();
  hs::session::SessionConfig cfg;
  cfg.header_timeout_ms = cfg.keepalive_timeout_ms = cfg.body_timeout_ms = kTimeoutMs;
  cfg.send_timeout_ms = cfg.linger_timeout_ms = kTimeoutMs;
  uint8_t k1 = in.byte(), k2 = in.byte(), k3 = in.byte(), k4 = in.byte();
  if (flags & 1) {
    // Small buffers and limits: the back-pressure paths with little input.
    cfg.read_buffer_size = 1 + k1;
    cfg.body_buffer_size = 1 + k2;
    cfg.max_pipelined = 1 + k3 % 4;
    cfg.max_pending_output = 1 + k4 * 4u;
    cfg.max_discard_body = k4;
    cfg.limits.max_body_size = k1 * 64u;
    cfg.limits.max_header_count = 4 + k2 % 8;
    cfg.limits.max_request_line = 32 + k3;
  }
  std::string_view seed = in.take(in.byte() % 16);
  std::string_view input = in.rest();

  int sv[2];
  FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
#ifdef HS_FUZZ_IIS
  IisRecorder handler(*iis_stack().handler);
#else
  FuzzHandler handler;
#endif
  std::string output;
  bool hung = false;
  {
    hs::io::EventLoop loop;
    FUZZ_CHECK(loop.ok());
    Owner owner;
    Client client(loop, sv[1], input, seed);
    // Stop once both ends are done; the guard catches a connection that never ends.
    auto done = [&] {
      if (owner.closed && client.eof) loop.stop();
    };
    owner.on_change = done;
    client.on_change = done;
    auto guard = loop.schedule(kGuardMs, [&] {
      hung = true;
      loop.stop();
    });
    auto session = std::make_unique<hs::session::Http1Session>(
        loop, std::make_unique<hs::io::PlainStream>(loop, sv[0]), owner, handler, cfg);
    session->start();
    client.start();
    loop.run();
    loop.cancel(guard);
    if (hung) {
      fprintf(stderr, "connection still open %lld ms after the client closed (closed=%d eof=%d)\n",
              static_cast<long long>(kGuardMs), owner.closed, client.eof);
    }
    FUZZ_CHECK(!hung);
    loop.remove(sv[1]);
    output = std::move(client.output);
  }
  close(sv[1]);
#ifdef HS_FUZZ_IIS
  // Every request context has been released once its connection is gone.
  FUZZ_CHECK(iis_stack().handler->live_requests() == 0);
#endif

  std::vector<bool> is_head;
  for (const auto& q : handler.dispatched)
    is_head.push_back(q->head);
  std::vector<ParsedResponse> r;
  std::string why;
  bool valid = parse_response_stream(output, is_head, &r, &why);
  if (!valid || verbose) {
    fprintf(stderr, "%zu dispatched, %zu responses%s%s; output:\n%s\n", handler.dispatched.size(),
            r.size(), valid ? "" : ", invalid: ", why.c_str(), output.c_str());
  }
  FUZZ_CHECK(valid);
  const auto& d = handler.dispatched;
  // One final response per dispatched request, in order, plus at most one error response.
  FUZZ_CHECK(r.size() <= d.size() + 1);
  for (size_t k = 0; k < d.size(); ++k) {
    const Dispatched& q = *d[k];
    if (q.state != State::kOk) continue;
    // Its last send completed with ok=true: all of it reached the kernel, so the client has it.
    FUZZ_CHECK(k < r.size());
    FUZZ_CHECK(r[k].status == q.status);
    bool has_body = !q.head && q.status != 204 && q.status != 304;
    FUZZ_CHECK(r[k].body == (has_body ? q.body : std::string()));
  }
  for (size_t k = 0; k < r.size() && k < d.size(); ++k) {
    if (d[k]->state == State::kBodyError) FUZZ_CHECK(error_status(r[k].status));
  }
  if (r.size() == d.size() + 1) FUZZ_CHECK(error_status(r.back().status));
  return 0;
}
