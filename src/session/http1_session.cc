#include "session/http1_session.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "base/log.h"
#include "base/metrics.h"
#include "base/pooling.h"
#include "http/codec/http1/response_encoder.h"
#include "http/status.h"
#include "session/http2_session.h"

namespace hs::session {

using http::BodyChunk;
using http::h1::Framing;

namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
enum TimeoutCause { kNone, kSend, kSendRate, kHeader, kKeepAlive, kBody, kBodyRate, kLinger };

}  // namespace

// ---------------------------------------------------------------------------------------------
// The exchange of one request. Owned by the session; see http/exchange.h for the contract.
class Http1Session::H1Exchange final : public http::Exchange {
 public:
  H1Exchange() { storage_.reserve(1024); }

  // For the pool below: emptied when it goes back (reset(nullptr)); its next session sets s_.
  bool recycle() {
    reset(nullptr);
    return true;
  }

  // Ready for another request (of any session of this thread: see the pool below). Buffers keep
  // their capacity up to a bound, so that a warm exchange allocates nothing per request.
  void reset(Http1Session* s) {
    s_ = s;
    head_.headers.clear();  // the rest of head_ is assigned by on_head
    response_.status = 200;
    response_.reason.clear();
    response_.headers.clear();
    response_.suppress_head = false;
    response_.add_server = true;
    if (storage_.capacity() > kKeptStorage) std::vector<char>().swap(storage_);
    if (body_buf_.capacity() > kKeptStorage) std::string().swap(body_buf_);
    egress_ = Egress::kHeadPending;
    ingress_ = Ingress::kReceiving;
    send_outstanding_ = continue_sent_ = close_after_ = false;
    framing_ = Framing::kNoBody;
    declared_ = body_sent_ = 0;
    body_buf_.clear();
    body_pos_ = 0;
    body_received_ = 0;
    body_ready_ = nullptr;
    abort_handler_ = nullptr;
    ready_in_flight_ = retire_after_ready_ = false;
    pending_done_ = nullptr;
  }

  const http::RequestHead& request() const override { return head_; }
  ssize_t read_body(char* dst, size_t cap, std::function<void()> ready) override {
    return s_->read_body(*this, dst, cap, std::move(ready));
  }
  int64_t body_remaining() const override {
    if (head_.body == http::BodyFraming::kNone) return 0;
    if (head_.body != http::BodyFraming::kContentLength) {
      return ingress_ == Ingress::kComplete ? static_cast<int64_t>(buffered()) : -1;
    }
    return static_cast<int64_t>(head_.content_length - body_received_ + buffered());
  }
  http::ResponseHead& response() override { return response_; }
  bool headers_sent() const override { return egress_ != Egress::kHeadPending; }
  bool send(std::span<const BodyChunk> chunks, bool last, http::SendCompletion done) override {
    return s_->send(*this, chunks, last, std::move(done));
  }
  void set_close_after() override {
    close_after_ = true;  // read when the head goes out
    if (headers_sent()) s_->close_after_response(*this);
  }
  // HTTP/1 carries one stream at a time: resetting it resets the connection.
  void reset() override { s_->fail("reset by handler", End::kReset); }
  void close_connection() override { s_->fail("closed by handler", End::kReset); }
  std::shared_ptr<http::ConnectionData>* connection_data() override { return &s_->conn_data_; }
  void set_abort_handler(std::function<void()> handler) override {
    abort_handler_ = std::move(handler);
  }
  bool connected() const override { return !s_->dead(); }
  const http::ConnectionInfo& connection_info() const override { return s_->info_; }
  Executor& executor() override { return s_->loop_; }
  std::string_view remote_address() const override { return s_->facts_.remote_host; }
  uint16_t remote_port() const override { return s_->facts_.remote_port; }
  std::string_view local_address() const override { return s_->facts_.local_host; }
  uint16_t local_port() const override { return s_->facts_.local_port; }

  uint64_t buffered() const { return body_buf_.size() - body_pos_; }

  static constexpr size_t kKeptStorage = 16 * 1024;
  Http1Session* s_ = nullptr;
  http::RequestHead head_;
  std::vector<char> storage_;  // the bytes head_ points into (swapped with the parser's)
  http::ResponseHead response_;
  // The response's phase; it only moves forward.
  enum class Egress : unsigned char {
    kHeadPending,  // nothing sent yet
    kBody,         // the head is queued; more sends may follow
    kLastQueued,   // the last send is queued (its completion may still be pending)
    kComplete,     // the last send completed while the parser still feeds this request's body
  };
  // The request body's phase.
  enum class Ingress : unsigned char {
    kReceiving,   // bytes go to body_buf_ for the handler
    kDiscarding,  // the response is complete: the rest is read and dropped
    kComplete,    // the parser reached the end of the body
    kFailed,      // framing error, client gone or timeout: read_body() fails
  };
  Egress egress_ = Egress::kHeadPending;
  Ingress ingress_ = Ingress::kReceiving;
  bool last_sent() const { return egress_ >= Egress::kLastQueued; }
  bool body_complete() const { return ingress_ == Ingress::kComplete; }
  void fail_body() {
    if (ingress_ != Ingress::kComplete) ingress_ = Ingress::kFailed;
  }
  bool send_outstanding_ = false;
  bool continue_sent_ = false;
  bool close_after_ = false;
  http::SendCompletion pending_done_;  // the outstanding send's completion
  uint64_t pending_total_ = 0;         // its body bytes
  bool pending_last_ = false;
  Framing framing_ = Framing::kNoBody;
  uint64_t declared_ = 0;   // Content-Length being enforced
  uint64_t body_sent_ = 0;  // body bytes queued so far
  std::string body_buf_;    // decoded request body not yet read by the handler
  size_t body_pos_ = 0;
  uint64_t body_received_ = 0;
  std::function<void()> body_ready_;
  std::function<void()> abort_handler_;
  bool ready_in_flight_ = false;  // body_ready_ was taken and deferred, not run yet
  bool retire_after_ready_ = false;
};

// ---------------------------------------------------------------------------------------------

Http1Session::Http1Session(Executor& loop, std::unique_ptr<io::Stream> stream,
                           ConnectionOwner& owner, http::Handler& handler,
                           const SessionConfig& config, ProtocolSwitch* h2)
    : loop_(loop),
      stream_(std::move(stream)),
      owner_(owner),
      handler_(handler),
      config_(config),
      parser_(*this, config.limits),
      facts_(stream_->facts()),
      h2_(h2),
      sniff_(h2 != nullptr) {
  info_ = connection_info_of(facts_, "HTTP/1.1");
  accepted_ms_ = idle_since_ms_ = last_write_ms_ = loop_.now_ms();
}

Http1Session::~Http1Session() {
  if (!dead() && stream_) stream_->close(false);
}

namespace {
constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// base64url (RFC 4648 §5), padding optional: HTTP2-Settings. False on anything else.
bool decode_base64url(std::string_view in, std::string* out) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  while (!in.empty() && in.back() == '=')
    in.remove_suffix(1);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}
}  // namespace

Http1Session::Sniff Http1Session::sniff() {
  size_t have = in_end_ - in_start_;
  size_t k = std::min(have, kHttp2Preface.size());
  if (in_start_ != 0 || memcmp(in_.get(), kHttp2Preface.data(), k) != 0) {
    sniff_ = false;
    return Sniff::kHttp1;
  }
  if (have < kHttp2Preface.size()) return Sniff::kMore;
  HS_LOG_DEBUG("%s:%u: HTTP/2 with prior knowledge", facts_.remote_host.c_str(),
               facts_.remote_port);
  hand_over(std::string(in_.get() + in_start_, have), {});
  return Sniff::kHandedOver;
}

bool Http1Session::wants_h2c_upgrade(const http::RequestHead& head, std::string* settings) const {
  // RFC 7540 §3.2 (h2c, cleartext only): a request without a body, Upgrade naming h2c,
  // Connection naming Upgrade and HTTP2-Settings, and one valid HTTP2-Settings.
  if (head.has_body() || head.version_minor != 1) return false;
  bool found = false;
  std::string_view upgrade = head.header("Upgrade", &found);
  if (!found || !http::header_has_token(upgrade, "h2c")) return false;
  std::string_view connection = head.header("Connection");
  if (!http::header_has_token(connection, "upgrade") ||
      !http::header_has_token(connection, "http2-settings")) {
    return false;
  }
  int count = 0;
  std::string_view value;
  for (const http::HeaderView& f : head.headers) {
    if (http::iequals(f.name, "HTTP2-Settings")) {
      ++count;
      value = f.value;
    }
  }
  return count == 1 && decode_base64url(value, settings) && settings->size() % 6 == 0;
}

void Http1Session::hand_over(std::string input, std::string output) {
  // The connection speaks HTTP/2 from here on. Nothing of this session remains in use: its timer
  // goes, it is dead (so it queues nothing), and the switch deletes it later.
  if (timer_id_ != 0) loop_.cancel(timer_id_);
  timer_id_ = 0;
  phase_ = Phase::kDead;
  in_start_ = in_end_ = 0;
  std::unique_ptr<UpgradedRequest> upgrade = std::move(upgrade_);
  h2_->switch_to_http2(std::move(stream_), std::move(input), std::move(output), upgrade.get());
}

void Http1Session::defer(std::function<void()> task) {
  // Invariant: once dead, a session queues nothing, so the deferred teardown (which deletes it)
  // is the last task that can refer to it.
  if (!dead()) loop_.defer(std::move(task));
}

void Http1Session::start() {
  if (!stream_->attach(this)) {
    fail("cannot watch the connection", End::kClose);
    return;
  }
  update_timer();
  do_read();
}

void Http1Session::on_ready(uint32_t readiness) {
  if (dead()) return;
  if (readiness & io::kWritable) {
    write_blocked_ = false;
    if (!out_.empty()) do_flush();
    if (dead()) return;
  }
  if (readiness & io::kPeerClosed) {
    // The end (or an error) may sit behind data already in the stream: read to the end instead
    // of stopping at a short read, or nothing further would ever tell us.
    read_to_eof_ = true;
  }
  if (readiness & (io::kReadable | io::kPeerClosed)) do_read();
}

// --- input ------------------------------------------------------------------------------------

namespace {

// Read buffers of idle connections go back to a small pool of their thread (whichever thread holds
// the loop), so 1,000 idle keep-alive connections do not hold 1,000 buffers, and a
// busy connection takes one back without a trip to malloc. Off under sanitizers, like every pool
// (base/pooling.h). A buffer of another size (another SessionConfig) is not reused.
struct ReadBuffer {
  std::unique_ptr<char[]> data;
  size_t size = 0;
};
using ReadBuffers = base::SpareValues<ReadBuffer, 64, Http1Session>;

std::unique_ptr<char[]> take_read_buffer(size_t size) {
  ReadBuffer b;
  if (ReadBuffers::pop(&b) && b.size == size) return std::move(b.data);
  return std::make_unique_for_overwrite<char[]>(size);
}

void give_read_buffer(std::unique_ptr<char[]> data, size_t size) {
  ReadBuffer b{std::move(data), size};
  ReadBuffers::keep(b);  // not kept: freed with b
}

}  // namespace

// Exchanges likewise: a pipelined burst takes one per request, and malloc would otherwise see a
// large object come and go for each of them. Bounded; only finished exchanges are pooled.
// Under a sanitizer nothing is pooled (base/pooling.h), so that a handler touching an exchange
// after its LIFETIME (http/exchange.h) is a use-after-free the sanitizer reports.
// A pipelined burst is written (and its exchanges come back) before the next connection's is
// parsed (flush_now), so a few dozen are live at once on the synchronous paths; the bound leaves
// room for handlers that answer later, from deferred tasks.
using ExchangePool = base::FreeList<Http1Session::H1Exchange, 256>;

size_t Http1Session::spare_read_buffers() {
  return ReadBuffers::count();
}

void Http1Session::release_idle_buffer() {
  if (in_ && in_start_ == in_end_) {
    in_start_ = in_end_ = 0;
    give_read_buffer(std::move(in_), config_.read_buffer_size);
  }
}

void Http1Session::do_read() {
  if (!in_ && !dead()) in_ = take_read_buffer(config_.read_buffer_size);
  while (!dead()) {
    if (lingering() || (in_start_ > 0 && in_start_ == in_end_)) in_start_ = in_end_ = 0;
    if (in_end_ == config_.read_buffer_size && in_start_ > 0) {
      memmove(in_.get(), in_.get() + in_start_, in_end_ - in_start_);
      in_end_ -= in_start_;
      in_start_ = 0;
    }
    size_t space = config_.read_buffer_size - in_end_;
    if (space == 0 || (peer_eof_ && !lingering())) {
      read_wanted_ = space == 0;
      break;
    }
    ssize_t n = stream_->read(in_.get() + in_end_, space);
    if (n > 0) {
      if (lingering()) continue;  // our response is out; drop whatever the client still sends
      if (!parser_.in_message() && current_ == nullptr && in_start_ == in_end_) {
        head_start_ms_ = loop_.now_ms();
      }
      in_end_ += static_cast<size_t>(n);
      if (sniff_) {
        Sniff r = sniff();
        if (r == Sniff::kHandedOver) return;
        if (r == Sniff::kMore) continue;
      }
      process_input();
      if (dead()) break;  // failed, or handed over to HTTP/2 (the stream is gone)
      // A short read drained the stream when the stream says so (plain TCP): with edge
      // triggering the next byte brings a new event. Otherwise read on until kWouldBlock.
      if (static_cast<size_t>(n) < space && !read_to_eof_ && stream_->short_read_drains()) break;
      continue;
    }
    if (n == 0) {
      if (lingering()) {
        fail("closed after linger", End::kClose);
        return;
      }
      peer_eof_ = true;
      // Bytes still unparsed (held back by pipelining limits) are parsed later, and
      // process_input() ends the input then.
      if (in_start_ == in_end_) {
        on_input_end();
      } else {
        maybe_close();
      }
      if (dead()) return;
      break;
    }
    if (n == io::Stream::kWouldBlock) break;
    fail("read error", End::kReset);
    return;
  }
  if (!dead()) {
    flush_now();
    update_timer();
  }
  // Nothing unparsed: the buffer is not needed until the next readable event.
  if (!read_wanted_) release_idle_buffer();
}

bool Http1Session::can_start_message() const {
  return current_ == nullptr && !closing() && active_.size() < config_.max_pipelined &&
         out_.pending_bytes() < config_.max_pending_output;
}

void Http1Session::process_input() {
  if (in_parser_ || dead() || parser_.failed()) return;
  in_parser_ = true;
  while (in_start_ < in_end_ && !dead()) {
    if (abandoned_input_) {
      in_start_ = in_end_;
      break;
    }
    if (!parser_.in_message() && !can_start_message()) break;
    size_t avail = in_end_ - in_start_;
    if (parser_.in_body() && current_ != nullptr &&
        current_->ingress_ != H1Exchange::Ingress::kDiscarding) {
      size_t held = current_->buffered();
      size_t room = held < config_.body_buffer_size ? config_.body_buffer_size - held : 0;
      if (room == 0) break;  // the handler has to read first
      avail = std::min(avail, room);
    }
    size_t used = parser_.feed(in_.get() + in_start_, avail);
    if (abandoned_input_) {
      in_start_ = in_end_;
      break;
    }
    in_start_ += used;
    if (upgrade_) {
      // The Upgrade: h2c request is parsed (it has no body): what follows is HTTP/2.
      in_parser_ = false;
      HS_LOG_DEBUG("%s:%u: upgrade to h2c", facts_.remote_host.c_str(), facts_.remote_port);
      hand_over(std::string(in_.get() + in_start_, in_end_ - in_start_),
                "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n");
      return;
    }
    if (parser_.failed()) {
      in_parser_ = false;
      on_parse_error();
      return;
    }
    if (used < avail) break;  // paused after a complete message
  }
  in_parser_ = false;
  if (in_start_ == in_end_) in_start_ = in_end_ = 0;
  if (read_wanted_ && in_end_ < config_.read_buffer_size && !dead()) {
    read_wanted_ = false;
    defer([this] { do_read(); });
  }
  // The client has closed and the last of its bytes (e.g. an empty line after a body, parsed only
  // once the response was done) is consumed: nothing can follow.
  if (peer_eof_ && in_start_ == in_end_ && !dead()) on_input_end();
}

void Http1Session::on_input_end() {
  // A message the parser refused, or one whose body we abandoned, has been answered already:
  // that answer (and every response queued before it) must still go out.
  if (parser_.in_message() && !parser_.failed() && !abandoned_input_) {
    if (current_ != nullptr && !current_->last_sent()) {
      // Half a request body, and its handler still owes the response: it learns that the body
      // failed; nothing sensible can be answered (the client stopped before its own request).
      current_->fail_body();
      notify_body_reader(*current_);
      fail("client closed mid-request", End::kClose);
      return;
    }
    // Half a head, or the rest of a body being discarded after its complete response (found by
    // the session fuzz target: that waited for the body timeout). The responses queued go out,
    // then the connection closes.
    abandoned_input_ = true;
    close_after();
    if (current_ != nullptr) finish_current();
  }
  // Close as soon as idle rather than at the keep-alive timeout; maybe_close() checks the rest.
  maybe_close();
}

void Http1Session::on_head(http::RequestHead& head) {
  sniff_ = false;
  std::string settings;
  if (h2_ != nullptr && active_.empty() && out_.empty() && !closing() &&
      wants_h2c_upgrade(head, &settings)) {
    // Not dispatched here: the request becomes stream 1 of the HTTP/2 connection
    // (process_input hands it over once the parser pauses at its end).
    upgrade_ = std::make_unique<UpgradedRequest>();
    upgrade_->settings = std::move(settings);
    upgrade_->head_request = head.is_head();
    upgrade_->method = head.method_name;
    upgrade_->target = head.target;
    for (const http::HeaderView& f : head.headers)
      upgrade_->fields.emplace_back(f.name, f.value);
    return;
  }
  body_window_ms_ = -1;  // a new request body: its rate is measured afresh
  std::unique_ptr<H1Exchange> owned = ExchangePool::take();
  H1Exchange* ex = owned.get();
  ex->s_ = this;
  parser_.swap_storage(ex->storage_);  // head's views now point into ex->storage_
  ex->head_ = head;
  ex->head_.scheme = facts_.secure ? "https" : "http";
  if (!head.has_body()) ex->ingress_ = H1Exchange::Ingress::kComplete;
  active_.push_back(std::move(owned));
  current_ = ex;
  ++requests_;
  last_body_ms_ = loop_.now_ms();
  if (!parser_.keep_alive()) ex->close_after_ = true;
  try {
    handler_.handle(*ex);
  } catch (const std::exception& e) {
    on_handler_threw(*ex, e.what());
  } catch (...) {
    on_handler_threw(*ex, "a non-standard exception");
  }
}

void Http1Session::on_handler_threw(H1Exchange& ex, const char* what) {
  HS_LOG_ERROR("handler threw: %s", what);
  if (!ex.headers_sent() && !ex.send_outstanding_) {
    ex.response_ = http::ResponseHead{};
    ex.response_.status = 500;
    send(ex, {}, true, [](http::SendResult) {});
  } else {
    fail("handler threw", End::kReset);  // part of the response is out: only a reset is honest
  }
}

void Http1Session::on_body(std::string_view data) {
  H1Exchange* ex = current_;
  if (ex == nullptr) return;
  ex->body_received_ += data.size();
  last_body_ms_ = loop_.now_ms();
  if (ex->ingress_ != H1Exchange::Ingress::kReceiving) return;
  if (ex->body_pos_ > 0 && ex->body_pos_ == ex->body_buf_.size()) {
    ex->body_buf_.clear();
    ex->body_pos_ = 0;
  }
  ex->body_buf_.append(data);
  notify_body_reader(*ex);
}

bool Http1Session::on_message_complete() {
  H1Exchange* ex = current_;
  if (ex == nullptr) return false;
  ex->ingress_ = H1Exchange::Ingress::kComplete;
  notify_body_reader(*ex);
  if (ex->last_sent()) {
    finish_current();
    return can_start_message();
  }
  return false;  // pause: the next request waits until this response is complete
}

void Http1Session::notify_body_reader(H1Exchange& ex) {
  if (!ex.body_ready_) return;
  auto ready = std::move(ex.body_ready_);
  ex.body_ready_ = nullptr;
  // The handler hears on the loop, not from inside the parser. Until it has, the exchange stays:
  // the response the session answers with may complete first (flush_now fires completions at
  // once) and the handler, told afterwards, still reads from the exchange. Every such task runs
  // before the teardown, which is deferred after anything a live session queued.
  ex.ready_in_flight_ = true;
  defer([this, e = &ex, ready = std::move(ready)] {
    ready();
    e->ready_in_flight_ = false;
    if (e->retire_after_ready_) {
      e->retire_after_ready_ = false;
      retire(e);
    }
  });
}

void Http1Session::on_parse_error() {
  int status = parser_.error_status();
  HS_LOG_INFO("%s:%u: %d %s", facts_.remote_host.c_str(), facts_.remote_port, status,
              parser_.error_reason().c_str());
  close_after();
  in_start_ = in_end_ = 0;  // nothing after a framing error can be trusted
  H1Exchange* ex = current_;
  if (ex == nullptr) {
    // The error is in a new request's head: answer it (after any responses still queued).
    queue_error_response(status, parser_.error_reason());
    return;
  }
  // The error is in the body of a request a handler owns.
  ex->fail_body();
  notify_body_reader(*ex);
  if (ex->last_sent()) {
    finish_current();  // its response is already complete; the framing is lost: close after it
    maybe_close();
  } else if (!ex->headers_sent() && !ex->send_outstanding_) {
    // Answer for the handler and tell it the request is over.
    ex->response_ = http::ResponseHead{};
    ex->response_.status = status;
    std::string body = "<html><body><h1>" + std::to_string(status) + " " +
                       std::string(http::reason_phrase(status)) + "</h1></body></html>\n";
    ex->response_.headers.set("Content-Type", "text/html");
    auto keep = std::make_shared<std::string>(std::move(body));
    auto abort_handler = std::move(ex->abort_handler_);
    ex->abort_handler_ = nullptr;
    BodyChunk chunk = BodyChunk::memory(*keep);
    // The handler learns the request is over from its abort handler, run from this send's
    // completion: that is before the exchange is retired, so the exchange is still valid for
    // it and the handler never touches it afterwards (found by fuzz/session_fuzz.cc,
    // iis_session: deferred on its own, it ran after the flush had destroyed the exchange).
    send(*ex, {&chunk, 1}, true,
         [keep, abort_handler = std::move(abort_handler)](http::SendResult) {
           if (abort_handler) abort_handler();
         });
  } else {
    fail("request body framing error", End::kReset);
  }
}

ssize_t Http1Session::read_body(H1Exchange& ex, char* dst, size_t cap,
                                std::function<void()> ready) {
  if (ex.ingress_ == H1Exchange::Ingress::kFailed || dead() || cap == 0) return http::kBodyError;
  size_t avail = ex.buffered();
  if (avail > 0) {
    size_t n = std::min(avail, cap);
    memcpy(dst, ex.body_buf_.data() + ex.body_pos_, n);
    ex.body_pos_ += n;
    if (ex.body_pos_ == ex.body_buf_.size()) {
      ex.body_buf_.clear();
      ex.body_pos_ = 0;
    }
    // Room freed: the parser may have stopped on a full body buffer.
    if (&ex == current_ && in_start_ < in_end_ && !input_scheduled_) {
      input_scheduled_ = true;
      defer([this] {
        input_scheduled_ = false;
        process_input();
        if (!dead()) {
          flush_now();
          update_timer();
        }
      });
    }
    return static_cast<ssize_t>(n);
  }
  if (ex.body_complete()) return http::kBodyEnd;
  if (ex.head_.expect_continue && ex.head_.version_minor >= 1 && !ex.continue_sent_ &&
      !ex.headers_sent()) {
    // Never to an HTTP/1.0 client (RFC 9110 §10.1.1): it ignores Expect and sends the body.
    ex.continue_sent_ = true;
    out_.append_owned("HTTP/1.1 100 Continue\r\n\r\n");
    schedule_flush();
  }
  ex.body_ready_ = std::move(ready);
  last_body_ms_ = loop_.now_ms();
  if (config_.min_body_rate > 0 && body_window_ms_ < 0 && &ex == current_) {
    body_window_ms_ = last_body_ms_;
    body_window_bytes_ = ex.body_received_;
  }
  update_timer();
  return http::kBodyPending;
}

// --- output -----------------------------------------------------------------------------------

void Http1Session::write_head(H1Exchange& ex, bool last, uint64_t total) {
  const http::RequestHead& q = ex.head_;
  ex.egress_ = H1Exchange::Egress::kBody;

  // Whether this connection could carry another request after this response, as far as the
  // session knows; the encoder adds what the response itself says (framing, Connection: close).
  bool persist = !ex.close_after_ && !closing() && !draining_;
  if (persist && !ex.body_complete()) {
    // The rest of the request body must be read before the next request. Drain a small known
    // remainder; otherwise close (never make a client that waits for 100 Continue send a body).
    int64_t remaining = ex.body_remaining();
    bool waiting_client = q.expect_continue && q.version_minor >= 1 && !ex.continue_sent_;
    if (waiting_client || remaining < 0 ||
        static_cast<uint64_t>(remaining) > config_.max_discard_body) {
      persist = false;
    }
  }
  http::h1::HeadContext c;
  c.version_minor = q.version_minor;
  c.head_request = q.is_head();
  c.persist = persist;
  c.last = last;
  c.total = total;
  c.date = owner_.date_header();
  std::string& o = out_.owned_buffer_for_append();
  size_t start = o.size();
  http::h1::HeadResult r = http::h1::encode_response_head(ex.response_, c, o);
  out_.commit_owned(start);
  if (r.invalid_length) {
    const std::string* cl = ex.response_.headers.find("Content-Length");
    HS_LOG_WARN("handler set an invalid Content-Length '%s'; ignored",
                cl != nullptr ? cl->c_str() : "");
  }
  ex.framing_ = r.framing;
  ex.declared_ = r.declared;
  if (!r.keep_alive) close_after();
}

bool Http1Session::send(H1Exchange& ex, std::span<const BodyChunk> chunks, bool last,
                        http::SendCompletion done) {
  if (dead() || reset_reason_ != nullptr) return false;
  if (ex.last_sent() || ex.send_outstanding_) {
    HS_LOG_ERROR("handler bug: send() %s",
                 ex.last_sent() ? "after the last send" : "while another send is outstanding");
    return false;
  }
  uint64_t total = 0;
  for (const BodyChunk& c : chunks)
    total += c.size;
  uint64_t mark = out_.enqueued();  // a send refused below leaves nothing of itself queued
  if (!ex.headers_sent()) write_head(ex, last, total);

  if (ex.framing_ == Framing::kContentLength && ex.body_sent_ + total > ex.declared_) {
    HS_LOG_ERROR("response body exceeds its Content-Length (%llu > %llu): connection reset",
                 static_cast<unsigned long long>(ex.body_sent_ + total),
                 static_cast<unsigned long long>(ex.declared_));
    ex.send_outstanding_ = true;
    ex.egress_ = H1Exchange::Egress::kLastQueued;
    out_.drop_after(mark);
    out_.add_completion([done = std::move(done)](bool) {
      if (done) done(http::SendResult{false, 0});
    });
    reset_after_output("body longer than Content-Length");
    return true;  // the completion (ok=false) and the abort handler follow
  }
  if (ex.framing_ != Framing::kNoBody && total > 0) {
    if (ex.framing_ == Framing::kChunked) {
      std::string& o = out_.owned_buffer_for_append();
      size_t start = o.size();
      http::h1::append_chunk_header(o, total);
      out_.commit_owned(start);
    }
    for (const BodyChunk& c : chunks) {
      if (c.size == 0) continue;
      if (c.kind == BodyChunk::Kind::kFile) {
        out_.append_file(c.fd, c.offset, c.size);
      } else if (c.size <= http::kSendCopiesUpTo) {
        // Small bodies join the head in the owned buffer: one contiguous write (send, not an
        // iovec per piece), and a burst of pipelined responses leaves in one buffer.
        out_.append_owned(std::string_view(c.data, c.size));
      } else {
        out_.append_borrowed(c.data, c.size);
      }
    }
    if (ex.framing_ == Framing::kChunked) out_.append_owned(http::h1::kCrlf);
  }
  ex.body_sent_ += total;
  if (last) {
    if (ex.framing_ == Framing::kChunked) {
      std::string& o = out_.owned_buffer_for_append();
      size_t start = o.size();
      http::h1::append_last_chunk(o, ex.response_.trailers);
      out_.commit_owned(start);
    }
    if (ex.framing_ == Framing::kContentLength && ex.body_sent_ != ex.declared_) {
      HS_LOG_ERROR("response body shorter than its Content-Length (%llu < %llu): connection reset",
                   static_cast<unsigned long long>(ex.body_sent_),
                   static_cast<unsigned long long>(ex.declared_));
      ex.send_outstanding_ = true;
      ex.egress_ = H1Exchange::Egress::kLastQueued;
      out_.drop_after(mark);
      out_.add_completion([done = std::move(done)](bool) {
        if (done) done(http::SendResult{false, 0});
      });
      reset_after_output("body shorter than Content-Length");
      return true;
    }
  }
  ex.send_outstanding_ = true;
  if (last) ex.egress_ = H1Exchange::Egress::kLastQueued;
  // One send is outstanding per exchange: its completion waits there, so the queued callback
  // captures two pointers (inside std::function's own storage: no allocation per send).
  ex.pending_done_ = std::move(done);
  ex.pending_total_ = total;
  ex.pending_last_ = last;
  H1Exchange* exp = &ex;
  out_.add_completion([this, exp](bool ok) {
    exp->send_outstanding_ = false;
    uint64_t total = exp->pending_total_;
    bool last = exp->pending_last_;
    http::SendCompletion done = std::move(exp->pending_done_);
    exp->pending_done_ = nullptr;
    if (done) done(http::SendResult{ok, ok ? total : 0});
    // `last` of *this* send: the handler may already have made its last send from inside `done`,
    // and that one is still pending.
    if (ok && last) retire(exp);
  });
  if (last) response_done(ex);
  schedule_flush();
  return true;
}

void Http1Session::close_after_response(H1Exchange&) {
  // The head went out without Connection: close; closing after a complete message is still
  // legal (the client sees the close after a Content-Length or chunked body). No request after
  // this one is dispatched: if the parser has moved past it (its response is complete, the next
  // head is partial), that input is dropped. A request already dispatched finishes first.
  close_after();
  if (current_ == nullptr) abandoned_input_ = true;
  maybe_close();
}

void Http1Session::response_done(H1Exchange& ex) {
  ex.body_ready_ = nullptr;  // the handler is done with the body: never call back into it
  if (&ex != current_) return;
  if (!ex.body_complete()) {
    if (ex.ingress_ == H1Exchange::Ingress::kReceiving)
      ex.ingress_ = H1Exchange::Ingress::kDiscarding;
    ex.body_buf_.clear();
    ex.body_pos_ = 0;
    if (closing()) {
      // The connection closes after this response: abandon the body rather than read it all.
      // Nothing after it is parsed (its framing no longer matters); lingering drops it.
      abandoned_input_ = true;
      finish_current();
      maybe_close();
      return;
    }
    // Drain a small remainder so the connection can be reused (see write_head).
    if (!input_scheduled_) {
      input_scheduled_ = true;
      defer([this] {
        input_scheduled_ = false;
        process_input();
        if (!dead()) update_timer();
      });
    }
    return;
  }
  if (!in_parser_) {
    finish_current();
    if (!input_scheduled_) {
      input_scheduled_ = true;
      defer([this] {
        input_scheduled_ = false;
        process_input();
        if (!dead()) {
          flush_now();
          update_timer();
        }
      });
    }
  }
  // Inside the parser, on_message_complete() finishes it and decides whether to go on.
}

void Http1Session::finish_current() {
  H1Exchange* ex = current_;
  current_ = nullptr;
  idle_since_ms_ = loop_.now_ms();
  if (in_start_ < in_end_) head_start_ms_ = idle_since_ms_;  // a pipelined head starts now
  if (ex != nullptr && ex->egress_ == H1Exchange::Egress::kComplete) retire(ex);
}

void Http1Session::retire(H1Exchange* ex) {
  auto it = std::find_if(active_.begin(), active_.end(),
                         [ex](const std::unique_ptr<H1Exchange>& p) { return p.get() == ex; });
  if (it == active_.end()) return;
  if (ex == current_) {
    // The response is complete (so no abort handler may run any more), but the parser still
    // feeds its body, being discarded: retire it when the message ends.
    ex->egress_ = H1Exchange::Egress::kComplete;
    ex->abort_handler_ = nullptr;
    ex->body_ready_ = nullptr;
    return;
  }
  if (ex->ready_in_flight_) {
    ex->abort_handler_ = nullptr;  // complete: no abort handler may run any more
    ex->retire_after_ready_ = true;
    return;
  }
  std::unique_ptr<H1Exchange> owned = std::move(*it);
  active_.erase(it);
  owned->body_ready_ = nullptr;
  owned->abort_handler_ = nullptr;
  ExchangePool::give(std::move(owned));
  if (dead()) return;
  if (in_start_ < in_end_ && !input_scheduled_) {
    input_scheduled_ = true;
    defer([this] {
      input_scheduled_ = false;
      process_input();
      if (!dead()) update_timer();
    });
  }
  maybe_close();
}

void Http1Session::queue_error_response(int status, std::string_view detail) {
  base::metrics::count_response(0, status);  // no site answered it
  std::string body = "<html><body><h1>" + std::to_string(status) + " " +
                     std::string(http::reason_phrase(status)) + "</h1></body></html>\n";
  std::string& o = out_.owned_buffer_for_append();
  size_t start = o.size();
  http::h1::append_status_line(o, 1, status, {});
  o.append("Date: ");
  o.append(owner_.date_header());
  o.append("\r\nServer: httpserv\r\nContent-Type: text/html\r\nContent-Length: ");
  http::h1::append_decimal(o, body.size());
  o.append("\r\nConnection: close\r\n\r\n");
  o.append(body);
  out_.commit_owned(start);
  close_after();
  schedule_flush();
}

void Http1Session::reset_after_output(const char* reason) {
  // The response being sent disagrees with its Content-Length; the refused send left nothing of
  // itself queued. What is queued before it (earlier pipelined responses, complete and correct)
  // is handed to the kernel first, then the connection is reset, so the client never takes the
  // broken message (a strict prefix of it at most) for a complete one. Nothing more is parsed or
  // queued meanwhile. (Best effort for the earlier bytes: the reset discards what the kernel has
  // not transmitted yet.)
  reset_reason_ = reason;
  close_after();
  abandoned_input_ = true;
  schedule_flush();
}

void Http1Session::schedule_flush() {
  if (flush_scheduled_ || dead()) return;
  flush_scheduled_ = true;
  // Deferred to the end of the event batch, unless the input that produced the response ends
  // first (flush_now): responses to pipelined requests, and to tasks of this batch, leave in one
  // write.
  defer([this] {
    if (!flush_scheduled_) return;  // flush_now() took it
    flush_scheduled_ = false;
    do_flush();
  });
}

void Http1Session::flush_now() {
  // Called once the input at hand is parsed, so every response its requests produced at once is
  // queued. Writing here rather than at the end of the event batch sends the same bytes in the
  // same one write, but lets the finished exchanges go back to the pool before the next
  // connection's burst: a pipelined batch over 64 connections then reuses 16 cache-warm exchanges
  // instead of cycling through 1,024 cold ones.
  if (out_.empty()) return;
  flush_scheduled_ = false;
  do_flush();
}

void Http1Session::do_flush() {
  if (dead()) return;
  if (!write_blocked_) {
    // The vector is the session's, reused (a completion that flushes again finds it taken and
    // uses its own).
    std::vector<OutQueue::Completion> fired = std::move(fired_spare_);
    struct GiveBack {
      std::vector<OutQueue::Completion>& fired;
      std::vector<OutQueue::Completion>& spare;
      ~GiveBack() {
        fired.clear();
        if (spare.capacity() == 0 && fired.capacity() <= 64) spare = std::move(fired);
      }
    } give_back{fired, fired_spare_};
    uint64_t before = out_.written();
    OutQueue::Status st = out_.flush(*stream_, fired);
    if (out_.written() != before) last_write_ms_ = loop_.now_ms();
    if (st == OutQueue::Status::kError) {
      HS_LOG_DEBUG("%s:%u: %s (errno %d)", facts_.remote_host.c_str(), facts_.remote_port,
                   out_.error_detail(), errno);
      for (auto& f : fired)
        f(true);  // those bytes did reach the kernel
      fail(out_.error_detail(), End::kReset);
      return;
    }
    write_blocked_ = st == OutQueue::Status::kBlocked;
    if (!write_blocked_ && out_.empty()) {
      send_window_ms_ = -1;  // nothing waits on the client any more
    } else if (write_blocked_ && send_window_ms_ < 0 && config_.min_send_rate > 0) {
      send_window_ms_ = loop_.now_ms();
      send_window_bytes_ = out_.written();
    }
    for (auto& f : fired)
      f(true);
    if (dead()) return;
    if (reset_reason_ != nullptr && !write_blocked_) {
      fail(reset_reason_, End::kReset);
      return;
    }
  }
  maybe_close();
  if (!dead()) update_timer();
}

void Http1Session::maybe_close() {
  if (dead() || lingering()) return;
  if (in_parser_) {
    defer([this] { maybe_close(); });
    return;
  }
  bool idle = current_ == nullptr && active_.empty() && out_.empty();
  if (!idle) return;
  if (peer_eof_ && in_start_ == in_end_) {
    fail("client closed", End::kClose);
  } else if (closing() || (draining_ && !parser_.in_message() && requests_ > 0)) {
    start_linger();  // (a fresh connection waits for its first request: see drain())
  }
}

void Http1Session::start_linger() {
  // Half-close and drop what the client still sends for a moment, so that a client still writing
  // (a body we refused) reads our response instead of losing it to a reset.
  phase_ = Phase::kLingering;
  linger_start_ms_ = loop_.now_ms();
  stream_->shutdown_write();
  update_timer();
  defer([this] { do_read(); });
}

void Http1Session::drain() {
  if (dead() || draining_) return;
  draining_ = true;
  drain_ms_ = loop_.now_ms();
  if (current_ != nullptr || !active_.empty() || parser_.in_message()) {
    close_after();
    return;
  }
  // Idle. A request may already wait in the socket (the client sent it before it could learn
  // that we stop): read it now, and it is served with Connection: close.
  if (!lingering()) do_read();
  if (dead() || current_ != nullptr || !active_.empty() || parser_.in_message()) return;
  if (requests_ > 0) {
    fail("shutting down", End::kClose);
    return;
  }
  update_timer();  // a fresh connection: kDrainFirstRequestMs for its first request
}

void Http1Session::close_now() {
  fail("closed by server", End::kReset);
}

void Http1Session::fail(const char* reason, End how) {
  if (dead()) return;
  HS_LOG_DEBUG("%s:%u: closing: %s", facts_.remote_host.c_str(), facts_.remote_port, reason);
  // A reset: the peer must not take a truncated response for a complete one. Once lingering our
  // response is complete and half-closed already.
  stream_->close(how == End::kReset && !lingering());
  if (timer_id_ != 0) loop_.cancel(timer_id_);
  timer_id_ = 0;
  loop_.defer([this] { teardown(); });
  phase_ = Phase::kDead;
}

void Http1Session::teardown() {
  // Pending completions first (ok=false), then abort handlers of exchanges still owned by their
  // handlers. Nothing may be queued from here on (dead), so deleting the session is safe.
  std::vector<OutQueue::Completion> fired;
  out_.fail_all(fired);
  for (auto& f : fired)
    f(false);
  while (!active_.empty()) {
    std::unique_ptr<H1Exchange> ex = std::move(active_.back());
    active_.pop_back();
    if (ex->abort_handler_) {
      auto handler = std::move(ex->abort_handler_);
      ex->abort_handler_ = nullptr;
      handler();
    }
  }
  current_ = nullptr;
  // The handler's per-connection state hears about the close after every exchange has; the
  // handler's own references (if any) keep it alive beyond the session.
  if (std::shared_ptr<http::ConnectionData> data = std::move(conn_data_)) data->connection_closed();
  owner_.connection_closed(this);
}

// --- timeouts ---------------------------------------------------------------------------------

int64_t Http1Session::deadline(int* cause) const {
  int64_t best = kNever;
  *cause = kNone;
  auto consider = [&](int64_t at, int c) {
    if (at < best) {
      best = at;
      *cause = c;
    }
  };
  if (lingering()) {
    consider(linger_start_ms_ + config_.linger_timeout_ms, kLinger);
    return best;
  }
  if (!out_.empty() && write_blocked_) consider(last_write_ms_ + config_.send_timeout_ms, kSend);
  if (send_window_ms_ >= 0) consider(send_window_ms_ + config_.rate_window_ms, kSendRate);
  if (body_window_ms_ >= 0) consider(body_window_ms_ + config_.rate_window_ms, kBodyRate);
  if (current_ == nullptr) {
    if (abandoned_input_ || parser_.failed()) {
      // No further request is read: what remains is the output already queued (bounded by the
      // send timeouts above), then the close. A header deadline here would stay in the past and
      // fire on every turn of the loop.
    } else if (parser_.in_message() || in_start_ < in_end_) {
      consider(head_start_ms_ + config_.header_timeout_ms, kHeader);
    } else if (active_.empty() && out_.empty()) {
      if (requests_ == 0) {
        consider(accepted_ms_ + config_.header_timeout_ms, kKeepAlive);
        if (draining_) consider(drain_ms_ + kDrainFirstRequestMs, kKeepAlive);
      } else {
        consider(idle_since_ms_ + config_.keepalive_timeout_ms, kKeepAlive);
      }
    }
  } else if ((current_->ingress_ == H1Exchange::Ingress::kReceiving && current_->body_ready_) ||
             current_->ingress_ == H1Exchange::Ingress::kDiscarding) {
    // A handler waits for body bytes, or we drain the rest of a body after the response.
    consider(last_body_ms_ + config_.body_timeout_ms, kBody);
  }
  return best;
}

void Http1Session::update_timer() {
  if (dead()) return;
  int cause;
  int64_t at = deadline(&cause);
  if (at == kNever) return;  // an armed timer re-checks when it fires
  if (timer_id_ != 0 && timer_deadline_ <= at) return;
  if (timer_id_ != 0) loop_.cancel(timer_id_);
  timer_deadline_ = at;
  timer_id_ = loop_.schedule(at - loop_.now_ms(), [this] {
    timer_id_ = 0;
    on_timer();
  });
}

void Http1Session::on_timer() {
  if (dead()) return;
  int cause;
  int64_t at = deadline(&cause);
  if (at > loop_.now_ms()) {
    update_timer();
    return;
  }
  if (cause == kSendRate) {
    uint64_t need = config_.min_send_rate * static_cast<uint64_t>(config_.rate_window_ms) / 1000;
    uint64_t got = out_.written() - send_window_bytes_;
    if (out_.empty()) {
      send_window_ms_ = -1;
    } else if (got < need) {
      HS_LOG_INFO("%s:%u: client reads too slowly (%llu bytes in %lld ms, minimum %llu/s)",
                  facts_.remote_host.c_str(), facts_.remote_port,
                  static_cast<unsigned long long>(got),
                  static_cast<long long>(config_.rate_window_ms),
                  static_cast<unsigned long long>(config_.min_send_rate));
      fail("client reads too slowly", End::kReset);
      return;
    } else {
      send_window_ms_ = loop_.now_ms();  // next window
      send_window_bytes_ = out_.written();
    }
    update_timer();
    return;
  }
  if (cause == kBodyRate) {
    bool waiting = current_ != nullptr && !current_->body_complete() && current_->body_ready_;
    uint64_t need = config_.min_body_rate * static_cast<uint64_t>(config_.rate_window_ms) / 1000;
    uint64_t got = waiting ? current_->body_received_ - body_window_bytes_ : 0;
    if (!waiting) {
      body_window_ms_ = -1;
    } else if (got >= need) {
      body_window_ms_ = loop_.now_ms();
      body_window_bytes_ = current_->body_received_;
    } else {
      HS_LOG_INFO(
          "%s:%u: request body arrives too slowly (%llu bytes in %lld ms, minimum "
          "%llu/s)",
          facts_.remote_host.c_str(), facts_.remote_port, static_cast<unsigned long long>(got),
          static_cast<long long>(config_.rate_window_ms),
          static_cast<unsigned long long>(config_.min_body_rate));
      body_window_ms_ = -1;
      cause = kBody;  // answered like a body timeout (408, or a reset once the response began)
    }
    if (cause != kBody) {
      update_timer();
      return;
    }
  }
  switch (cause) {
    case kSend:
      HS_LOG_INFO("%s:%u: send timeout, client not reading", facts_.remote_host.c_str(),
                  facts_.remote_port);
      fail("send timeout", End::kReset);
      break;
    case kHeader:
      HS_LOG_INFO("%s:%u: 408 request head not received in time", facts_.remote_host.c_str(),
                  facts_.remote_port);
      in_start_ = in_end_ = 0;
      abandoned_input_ = true;  // the rest of that head, if it ever comes, is not a request
      queue_error_response(408, "request header timeout");
      break;
    case kKeepAlive:
      fail("idle timeout", End::kClose);
      break;
    case kBody:
      HS_LOG_INFO("%s:%u: request body timeout", facts_.remote_host.c_str(), facts_.remote_port);
      if (current_ != nullptr) {
        current_->fail_body();
        notify_body_reader(*current_);
      }
      if (current_ != nullptr && !current_->headers_sent() && !current_->send_outstanding_) {
        close_after();
        abandoned_input_ = true;  // the rest of this body, and anything after it, is not read
        current_->response_ = http::ResponseHead{};
        current_->response_.status = 408;
        auto abort_handler = std::move(current_->abort_handler_);
        current_->abort_handler_ = nullptr;
        // As for a framing error: the handler hears of it before the exchange is retired.
        send(*current_, {}, true, [abort_handler = std::move(abort_handler)](http::SendResult) {
          if (abort_handler) abort_handler();
        });
      } else {
        fail("request body timeout", End::kReset);
      }
      break;
    case kLinger:
      fail("linger done", End::kClose);
      break;
    default:
      break;
  }
}

}  // namespace hs::session
