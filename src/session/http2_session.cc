#include "session/http2_session.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <limits>

#include "base/log.h"
#include "base/metrics.h"
#include "base/pooling.h"
#include "http/codec/http2/request.h"
#include "http/response_policy.h"
#include "http/status.h"
#include "session/nghttp2_memory.h"

namespace hs::session {

using http::BodyChunk;

namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
constexpr int64_t kFloodWindowMs = 10'000;

// tchar (RFC 9110 §5.6.2), as a table: every response field name goes through it per byte.
constexpr auto kTokenChars = [] {
  std::array<bool, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c)
    t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c)
    t[c] = true;
  for (int c = '0'; c <= '9'; ++c)
    t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~"))
    t[static_cast<unsigned char>(c)] = true;
  return t;
}();

bool is_token_char(unsigned char c) {
  return kTokenChars[c];
}

// Whether `v` holds a CR, LF or NUL byte, eight bytes at a time (a byte b of a word w is zero
// when (w - 0x01..) & ~w & 0x80.. has its high bit: the classic zero-byte test).
bool has_cr_lf_nul(std::string_view v) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  auto zero_byte = [](uint64_t w) { return (w - kOnes) & ~w & kHighs; };
  size_t i = 0;
  for (; i + 8 <= v.size(); i += 8) {
    uint64_t w;
    memcpy(&w, v.data() + i, 8);
    if (zero_byte(w) | zero_byte(w ^ (kOnes * '\r')) | zero_byte(w ^ (kOnes * '\n'))) return true;
  }
  for (; i < v.size(); ++i) {
    if (v[i] == '\r' || v[i] == '\n' || v[i] == '\0') return true;
  }
  return false;
}

// A token character in lower case, or 0 for a byte that is not one.
constexpr auto kLowerTokenChars = [] {
  std::array<char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if (kTokenChars[c]) t[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  return t;
}();

// A response field name as HTTP/2 carries it (lower case), or empty when it is not a token.
std::string h2_name(std::string_view n) {
  std::string o;
  o.reserve(n.size());
  for (unsigned char c : n) {
    if (c == 0 || !is_token_char(c)) return {};
    o += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  return o;
}

// A value with CR, LF and NUL replaced by spaces, as HTTP/1's serializer does.
std::string h2_value(std::string_view v) {
  std::string o(v);
  for (char& c : o) {
    if (c == '\r' || c == '\n' || c == '\0') c = ' ';
  }
  return o;
}

nghttp2_nv make_nv(const std::string& name, const std::string& value) {
  nghttp2_nv nv;
  nv.name = reinterpret_cast<uint8_t*>(const_cast<char*>(name.data()));
  nv.namelen = name.size();
  nv.value = reinterpret_cast<uint8_t*>(const_cast<char*>(value.data()));
  nv.valuelen = value.size();
  nv.flags = NGHTTP2_NV_FLAG_NONE;  // nghttp2 copies them
  return nv;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// One stream: the http::Exchange a handler sees. Owned by the session; it lives until nghttp2
// has closed the stream and its handler has let it go (the last send's completion, or the abort
// handler, has run), whichever is later.
class Http2Session::Stream final : public http::Exchange {
 public:
  Stream() : fields_(nullptr) {}

  // A stream object comes from a per-thread pool (StreamPool below): bind it to its session and
  // stream id. It was emptied by recycle() (or is new).
  void bind(Http2Session* s, int32_t id) {
    s_ = s;
    id_ = id;
    fields_.set_limits(&s->limits());
  }
  // For the pool: empty for the next stream, keeping buffers' storage up to a bound.
  bool recycle();

  const http::RequestHead& request() const override { return head_; }
  ssize_t read_body(char* dst, size_t cap, std::function<void()> ready) override {
    if (body_failed_ || s_->dead() || cap == 0) return http::kBodyError;
    size_t avail = body_.size() - body_pos_;
    if (avail > 0) {
      size_t n = std::min(avail, cap);
      memcpy(dst, body_.data() + body_pos_, n);
      body_pos_ += n;
      if (body_pos_ == body_.size()) {
        body_.clear();
        body_pos_ = 0;
      }
      // The window opens by what the handler took, not by what arrived: a handler that does
      // not read keeps the client's window (and our buffer) bounded.
      if (!closed_) {
        nghttp2_session_consume(s_->ng_, id_, n);
        s_->schedule_flush();
      }
      return static_cast<ssize_t>(n);
    }
    if (body_complete_) return http::kBodyEnd;
    ready_ = std::move(ready);
    last_body_ms_ = s_->loop_.now_ms();
    s_->update_timer();
    return http::kBodyPending;
  }
  int64_t body_remaining() const override {
    int64_t held = static_cast<int64_t>(body_.size() - body_pos_);
    if (head_.body == http::BodyFraming::kNone) return held;
    if (head_.body == http::BodyFraming::kContentLength) {
      return static_cast<int64_t>(head_.content_length -
                                  std::min(received_, head_.content_length)) +
             held;
    }
    return body_complete_ ? held : -1;
  }
  http::ResponseHead& response() override { return response_; }
  bool headers_sent() const override { return egress_ != Egress::kHeadPending; }
  bool send(std::span<const BodyChunk> chunks, bool last, http::SendCompletion done) override;
  void set_close_after() override {
    // No further request on this connection: GOAWAY; the streams already open finish.
    if (s_->phase_ == Phase::kOpen) s_->go_away(NGHTTP2_NO_ERROR, nullptr);
  }
  void reset() override { reset_stream(NGHTTP2_INTERNAL_ERROR, "reset by handler"); }
  void close_connection() override { s_->fail("closed by handler", End::kReset); }
  void set_abort_handler(std::function<void()> handler) override { abort_ = std::move(handler); }
  bool connected() const override { return !closed_ && !reset_ && !s_->dead(); }
  std::shared_ptr<http::ConnectionData>* connection_data() override { return &s_->conn_data_; }
  const http::ConnectionInfo& connection_info() const override { return s_->info_; }
  Executor& executor() override { return s_->loop_; }
  std::string_view remote_address() const override { return s_->facts_.remote_host; }
  uint16_t remote_port() const override { return s_->facts_.remote_port; }
  std::string_view local_address() const override { return s_->facts_.local_host; }
  uint16_t local_port() const override { return s_->facts_.local_port; }

  // --- the session's side ---
  void reset_stream(uint32_t code, const char* why);
  bool submit_response(bool last, uint64_t total);
  ssize_t read_data(uint8_t* buf, size_t length, uint32_t* flags);
  void submit_trailers();
  void frame_data(const uint8_t* framehd, size_t length);
  void complete_send(bool ok);
  void stream_closed();
  void notify_reader();
  void abort_now();
  bool handler_done() const { return egress_ == Egress::kComplete || aborted_; }
  bool remaining_bytes() const { return piece_ < pieces_.size(); }

  enum class Egress : unsigned char { kHeadPending, kBody, kLastQueued, kComplete };

  Http2Session* s_ = nullptr;
  int32_t id_ = 0;
  http::h2::RequestFields fields_;
  http::RequestHead head_;
  http::ResponseHead response_;
  Egress egress_ = Egress::kHeadPending;
  bool dispatched_ = false;
  bool closed_ = false;   // nghttp2 closed the stream
  bool reset_ = false;    // we reset it
  bool aborted_ = false;  // the abort handler ran (or was due with none set)
  bool released_ = false;
  bool body_complete_ = false;
  bool body_failed_ = false;
  bool no_body_ = false;   // HEAD, 1xx, 204, 304: body bytes are not sent
  bool deferred_ = false;  // read_data returned DEFERRED: resume when a send comes
  std::string body_;
  size_t body_pos_ = 0;
  uint64_t received_ = 0;
  int64_t last_body_ms_ = 0;
  std::function<void()> ready_;
  std::function<void()> abort_;

  // The outstanding send: its pieces, by reference (small memory chunks copied into copies_).
  struct Piece {
    enum Kind : unsigned char { kCopy, kBorrowed, kFile } kind;
    int fd;
    uint64_t pos;  // kCopy: offset in copies_; kBorrowed: pointer; kFile: file offset
    uint64_t len;
  };
  std::vector<Piece> pieces_;
  size_t piece_ = 0;
  std::string copies_;
  std::string fields_text_;  // the response's fields as nghttp2 sends them (submit_response)
  bool send_pending_ = false;
  bool send_last_ = false;
  bool completion_queued_ = false;
  http::SendCompletion done_;
  uint64_t send_bytes_ = 0;
  int64_t send_progress_ms_ = 0;  // the outstanding send last framed a byte (or began)
  uint64_t declared_ = std::numeric_limits<uint64_t>::max();  // Content-Length to enforce
  uint64_t body_sent_ = 0;
};

bool Http2Session::Stream::recycle() {
  constexpr size_t kKept = 16 * 1024;
  s_ = nullptr;
  id_ = 0;
  std::vector<http::HeaderView> headers = std::move(head_.headers);
  headers.clear();
  head_ = http::RequestHead{};
  head_.headers = std::move(headers);
  response_.status = 200;
  response_.reason.clear();
  response_.headers.clear();
  response_.trailers.clear();
  response_.suppress_head = false;
  response_.add_server = true;
  egress_ = Egress::kHeadPending;
  dispatched_ = closed_ = reset_ = aborted_ = released_ = false;
  body_complete_ = body_failed_ = no_body_ = deferred_ = false;
  if (body_.capacity() > kKept) std::string().swap(body_);
  body_.clear();
  body_pos_ = 0;
  received_ = 0;
  last_body_ms_ = 0;
  ready_ = nullptr;
  abort_ = nullptr;
  pieces_.clear();
  piece_ = 0;
  if (copies_.capacity() > kKept) std::string().swap(copies_);
  copies_.clear();
  if (fields_text_.capacity() > kKept) std::string().swap(fields_text_);
  fields_text_.clear();
  fields_.reset(nullptr);
  send_pending_ = send_last_ = completion_queued_ = false;
  done_ = nullptr;
  send_bytes_ = 0;
  send_progress_ms_ = 0;
  declared_ = std::numeric_limits<uint64_t>::max();
  body_sent_ = 0;
  return true;
}

// Streams come and go with every request; their objects (with their strings' storage) are kept
// per thread, bounded, like HTTP/1's exchanges. Off under sanitizers (base/pooling.h), so that a
// handler touching an exchange after its lifetime is reported.
using StreamPool = base::FreeList<Http2Session::Stream, 1024>;

bool Http2Session::Stream::send(std::span<const BodyChunk> chunks, bool last,
                                http::SendCompletion done) {
  if (s_->dead() || closed_ || reset_) return false;
  if (egress_ >= Egress::kLastQueued || send_pending_) {
    HS_LOG_ERROR("handler bug: send() %s", egress_ >= Egress::kLastQueued
                                               ? "after the last send"
                                               : "while another send is outstanding");
    return false;
  }
  uint64_t total = 0;
  for (const BodyChunk& c : chunks)
    total += c.size;
  if (egress_ == Egress::kHeadPending) {
    if (!submit_response(last, total)) return false;
  }
  if (declared_ != std::numeric_limits<uint64_t>::max() &&
      (body_sent_ + total > declared_ || (last && body_sent_ + total != declared_)) && !no_body_) {
    HS_LOG_ERROR(
        "response body disagrees with its Content-Length (%llu, declared %llu): stream "
        "reset",
        static_cast<unsigned long long>(body_sent_ + total),
        static_cast<unsigned long long>(declared_));
    send_pending_ = true;
    done_ = std::move(done);
    egress_ = Egress::kLastQueued;
    reset_stream(NGHTTP2_INTERNAL_ERROR, "body disagrees with Content-Length");
    return true;  // the completion (ok=false) and the abort handler follow
  }
  body_sent_ += total;
  pieces_.clear();
  piece_ = 0;
  copies_.clear();
  if (!no_body_) {
    for (const BodyChunk& c : chunks) {
      if (c.size == 0) continue;
      if (c.kind == BodyChunk::Kind::kFile) {
        pieces_.push_back({Piece::kFile, c.fd, c.offset, c.size});
      } else if (c.size <= http::kSendCopiesUpTo) {
        // Copied at once (the contract's promise); consecutive copies make one piece.
        if (!pieces_.empty() && pieces_.back().kind == Piece::kCopy &&
            pieces_.back().pos + pieces_.back().len == copies_.size()) {
          pieces_.back().len += c.size;
        } else {
          pieces_.push_back({Piece::kCopy, -1, copies_.size(), c.size});
        }
        copies_.append(c.data, c.size);
      } else {
        pieces_.push_back({Piece::kBorrowed, -1,
                           static_cast<uint64_t>(reinterpret_cast<uintptr_t>(c.data)), c.size});
      }
    }
  }
  send_pending_ = true;
  send_last_ = last;
  send_progress_ms_ = s_->loop_.now_ms();
  completion_queued_ = false;
  done_ = std::move(done);
  send_bytes_ = total;
  if (last) egress_ = Egress::kLastQueued;
  if (pieces_.empty()) {
    // Nothing to frame: no byte is referenced, the completion may run (from the loop).
    completion_queued_ = true;
    s_->defer([this] { complete_send(true); });
  }
  if (deferred_) {
    deferred_ = false;
    nghttp2_session_resume_data(s_->ng_, id_);
  }
  s_->schedule_flush();
  return true;
}

bool Http2Session::Stream::submit_response(bool last, uint64_t total) {
  http::ResponseHead& r = response_;
  if (r.suppress_head) {
    // The handler writes an HTTP/1 head itself; HTTP/2 has none to write (ResponseHead).
    HS_LOG_ERROR("a handler suppressed the response head; HTTP/2 cannot send that: 500");
    r = http::ResponseHead{};
    r.status = 500;
  }
  int status = r.status;
  if (status < 200 || status > 999) status = status < 200 ? 500 : status;  // no 1xx as final
  no_body_ = !http::status_allows_body(status) || head_.is_head();
  // The fields as HTTP/2 wants them (names in lower case; CR, LF and NUL in values replaced,
  // as HTTP/1's serializer does), written into this stream's own buffer, reserved beforehand so
  // that views into it stay put. nghttp2 takes them without copying (NO_COPY): the buffer is
  // this stream's until the stream is released, which is after its HEADERS frame was packed (or
  // dropped with the stream).
  std::string& sc = fields_text_;
  std::vector<nghttp2_nv>& nva = s_->nva_;
  nva.clear();
  sc.clear();
  size_t need = 3 + 64 + 24 + s_->owner_.date_header().size();
  for (const auto& [name, value] : r.headers.entries())
    need += name.size() + value.size();
  sc.reserve(need);
  auto add = [&](std::string_view n, std::string_view v) {
    nghttp2_nv nv;
    nv.name = reinterpret_cast<uint8_t*>(const_cast<char*>(n.data()));
    nv.namelen = n.size();
    nv.value = reinterpret_cast<uint8_t*>(const_cast<char*>(v.data()));
    nv.valuelen = v.size();
    nv.flags = NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE;
    nva.push_back(nv);
  };
  // Appends to sc (within its reserved capacity) and returns the view of what was appended.
  auto copy = [&](std::string_view v) -> std::string_view {
    size_t at = sc.size();
    sc.append(v.data(), v.size());
    return std::string_view(sc.data() + at, v.size());
  };
  auto lower_name = [&](std::string_view n) -> std::string_view {
    size_t at = sc.size();
    sc.resize(at + n.size());
    char* out = sc.data() + at;
    bool ok = !n.empty();
    for (size_t i = 0; i < n.size(); ++i) {
      char l = kLowerTokenChars[static_cast<unsigned char>(n[i])];
      ok &= l != 0;
      out[i] = l;
    }
    if (!ok) {
      sc.resize(at);
      return {};
    }
    return std::string_view(out, n.size());
  };
  auto clean_value = [&](std::string_view v) -> std::string_view {
    size_t at = sc.size();
    sc.append(v.data(), v.size());
    char* out = sc.data() + at;
    if (has_cr_lf_nul(v)) {  // rare: checked a word at a time, fixed a byte at a time
      for (size_t i = 0; i < v.size(); ++i) {
        char c = out[i];
        if (c == '\r' || c == '\n' || c == '\0') out[i] = ' ';
      }
    }
    return std::string_view(out, v.size());
  };
  char status_text[3] = {static_cast<char>('0' + status / 100 % 10),
                         static_cast<char>('0' + status / 10 % 10),
                         static_cast<char>('0' + status % 10)};
  add(":status", copy(std::string_view(status_text, 3)));
  bool has_server = false;
  const std::string* cl = nullptr;
  for (const auto& [name, value] : r.headers.entries()) {
    switch (http::classify_response_field(name)) {
      case http::ManagedField::kContentLength:
        if (cl == nullptr) cl = &value;
        continue;
      case http::ManagedField::kNo:
        break;
      case http::ManagedField::kServer:
        has_server = true;
        break;
      default:
        continue;  // connection-specific (RFC 9113 §8.2.2) or Date: ours
    }
    std::string_view n = lower_name(name);
    if (n.empty()) continue;
    add(n, clean_value(value));
  }
  add("date", copy(s_->owner_.date_header()));
  if (!has_server && r.add_server) add("server", "httpserv");  // static strings: no copy
  uint64_t length = 0;
  bool has_length = false;
  if (cl != nullptr) {
    auto [p, ec] = std::from_chars(cl->data(), cl->data() + cl->size(), length);
    has_length = ec == std::errc() && p == cl->data() + cl->size();
    if (!has_length)
      HS_LOG_WARN("handler set an invalid Content-Length '%s'; ignored", cl->c_str());
  }
  if (has_length) {
    if (!no_body_) declared_ = length;
  } else if (last && r.trailers.empty()) {
    length = total;
    has_length = true;
  }
  char length_text[24];
  if (has_length && status != 204 && status != 304) {
    char* end = std::to_chars(length_text, length_text + sizeof(length_text), length).ptr;
    add("content-length",
        copy(std::string_view(length_text, static_cast<size_t>(end - length_text))));
  }
  egress_ = Egress::kBody;
  // Always through a data source (it ends the stream when the last send is framed), except
  // when this one send is all and carries nothing: HEADERS with END_STREAM.
  bool headers_only = last && (total == 0 || no_body_) && r.trailers.empty();
  nghttp2_data_provider prd;
  prd.source.ptr = this;
  prd.read_callback = [](nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                         nghttp2_data_source* source, void*) -> ssize_t {
    return static_cast<Stream*>(source->ptr)->read_data(buf, length, flags);
  };
  int rv =
      nghttp2_submit_response(s_->ng_, id_, nva.data(), nva.size(), headers_only ? nullptr : &prd);
  if (rv != 0) {
    HS_LOG_ERROR("HTTP/2 stream %d: cannot submit the response: %s", id_, nghttp2_strerror(rv));
    return false;
  }
  return true;
}

ssize_t Http2Session::Stream::read_data(uint8_t*, size_t length, uint32_t* flags) {
  if (piece_ >= pieces_.size()) {
    // The last send is queued (its completion may even have run: it had no bytes).
    if (egress_ == Egress::kLastQueued || egress_ == Egress::kComplete) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      if (!response_.trailers.empty()) {
        // Trailers end the stream instead (RFC 9113 §8.1).
        *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
        submit_trailers();
      }
      return 0;
    }
    deferred_ = true;  // resumed by the next send
    return NGHTTP2_ERR_DEFERRED;
  }
  const Piece& p = pieces_[piece_];
  size_t n = static_cast<size_t>(std::min<uint64_t>(length, p.len));
  *flags |= NGHTTP2_DATA_FLAG_NO_COPY;
  bool final_bytes = piece_ + 1 == pieces_.size() && n == p.len;
  if (final_bytes && send_last_) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (!response_.trailers.empty()) {
      *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
      submit_trailers();
    }
  }
  return static_cast<ssize_t>(n);
}

void Http2Session::Stream::submit_trailers() {
  std::vector<std::string> strings;
  for (const auto& [name, value] : response_.trailers.entries()) {
    std::string n = h2_name(name);
    if (n.empty() || !http::allowed_in_trailers(name)) continue;
    strings.push_back(std::move(n));
    strings.push_back(h2_value(value));
  }
  std::vector<nghttp2_nv> nva;
  for (size_t i = 0; i + 1 < strings.size(); i += 2)
    nva.push_back(make_nv(strings[i], strings[i + 1]));
  nghttp2_submit_trailer(s_->ng_, id_, nva.data(), nva.size());
}

void Http2Session::Stream::frame_data(const uint8_t* framehd, size_t length) {
  OutQueue& out = s_->out_;
  send_progress_ms_ = s_->loop_.now_ms();
  out.append_owned(std::string_view(reinterpret_cast<const char*>(framehd), 9));
  while (length > 0 && piece_ < pieces_.size()) {
    Piece& p = pieces_[piece_];
    uint64_t n = std::min<uint64_t>(length, p.len);
    switch (p.kind) {
      case Piece::kCopy:
        out.append_owned(std::string_view(copies_.data() + p.pos, n));
        break;
      case Piece::kBorrowed:
        out.append_borrowed(reinterpret_cast<const char*>(static_cast<uintptr_t>(p.pos)), n);
        break;
      case Piece::kFile:
        out.append_file(p.fd, p.pos, n);
        break;
    }
    p.pos += n;
    p.len -= n;
    length -= n;
    if (p.len == 0) ++piece_;
  }
  if (piece_ >= pieces_.size() && send_pending_ && !completion_queued_) {
    // The send is framed: its completion runs once the stream has taken these bytes.
    completion_queued_ = true;
    out.add_completion([this](bool ok) { complete_send(ok); });
  }
}

void Http2Session::Stream::complete_send(bool ok) {
  if (!send_pending_) return;
  send_pending_ = false;
  completion_queued_ = false;
  bool last = send_last_;
  uint64_t bytes = send_bytes_;
  http::SendCompletion done = std::move(done_);
  done_ = nullptr;
  if (ok && last && !reset_) egress_ = Egress::kComplete;
  if (done) done(http::SendResult{ok, ok ? bytes : 0});
  if (egress_ == Egress::kComplete) {
    // The handler is done with the exchange; the stream object stays until nghttp2 closes the
    // stream (a body still arriving is consumed and dropped: data_chunk).
    if (closed_) s_->release(this);
    return;
  }
  if ((closed_ || reset_) && !aborted_) abort_now();
}

void Http2Session::Stream::abort_now() {
  if (aborted_) return;
  aborted_ = true;
  if (abort_) {
    auto handler = std::move(abort_);
    abort_ = nullptr;
    handler();
  }
  if (closed_) s_->release(this);
}

void Http2Session::Stream::notify_reader() {
  if (!ready_) return;
  auto ready = std::move(ready_);
  ready_ = nullptr;
  // Heard on the loop, not from inside nghttp2's callbacks; the stream outlives the task (it is
  // released only from a later task).
  s_->defer(std::move(ready));
}

void Http2Session::Stream::reset_stream(uint32_t code, const char* why) {
  if (reset_ || closed_) return;
  HS_LOG_DEBUG("%s:%u: HTTP/2 stream %d reset: %s", s_->facts_.remote_host.c_str(),
               s_->facts_.remote_port, id_, why);
  reset_ = true;
  base::metrics::add(base::metrics::kH2ResetsSent);
  nghttp2_submit_rst_stream(s_->ng_, NGHTTP2_FLAG_NONE, id_, code);
  s_->schedule_flush();
  // on_stream_close follows once the RST_STREAM is sent: it fails what is pending.
}

void Http2Session::Stream::stream_closed() {
  closed_ = true;
  if (!body_complete_) {
    body_failed_ = true;
    notify_reader();
  }
  if (handler_done()) {
    s_->release(this);
    return;
  }
  // The handler still holds the exchange: what is pending fails, then the abort handler runs.
  // A send whose bytes are framed completes from the output queue (they are written).
  if (send_pending_ && completion_queued_) return;  // complete_send() aborts after it
  s_->defer([this] {
    if (send_pending_ && !completion_queued_) complete_send(false);
    if (!handler_done()) abort_now();
  });
}

// ---------------------------------------------------------------------------------------------
// nghttp2's callbacks.

struct Http2Session::Callbacks {
  static Http2Session& self(void* user) { return *static_cast<Http2Session*>(user); }
  static Stream* stream(nghttp2_session* ng, int32_t id) {
    return static_cast<Stream*>(nghttp2_session_get_stream_user_data(ng, id));
  }

  static int begin_headers(nghttp2_session* ng, const nghttp2_frame* frame, void* user) {
    Http2Session& s = self(user);
    s.headers_stream_ = nullptr;
    s.headers_id_ = 0;
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    if (s.dead()) return NGHTTP2_ERR_CALLBACK_FAILURE;
    int32_t id = frame->hd.stream_id;
    if (s.phase_ != Phase::kOpen) {
      // After our GOAWAY: the client should not open streams; refused ones can be retried.
      base::metrics::add(base::metrics::kH2ResetsSent);
      nghttp2_submit_rst_stream(ng, NGHTTP2_FLAG_NONE, id, NGHTTP2_REFUSED_STREAM);
      return 0;
    }
    // Streams the client reset while their handlers still run count too: resetting streams
    // at once does not buy a client more concurrent work (Rapid Reset, CVE-2023-44487).
    if (s.streams_.size() >= 2 * static_cast<size_t>(s.config_.h2.max_concurrent_streams)) {
      base::metrics::add(base::metrics::kH2ResetsSent);
      nghttp2_submit_rst_stream(ng, NGHTTP2_FLAG_NONE, id, NGHTTP2_REFUSED_STREAM);
      return 0;
    }
    std::unique_ptr<Stream> st = StreamPool::take();
    st->bind(&s, id);
    nghttp2_session_set_stream_user_data(ng, id, st.get());
    s.headers_stream_ = st.get();
    s.headers_id_ = id;
    s.streams_.push_back(std::move(st));
    s.last_stream_ = std::max(s.last_stream_, id);
    ++s.requests_;
    base::metrics::add(base::metrics::kH2Streams);
    return 0;
  }

  static int header(nghttp2_session* ng, const nghttp2_frame* frame, const uint8_t* name,
                    size_t namelen, const uint8_t* value, size_t valuelen, uint8_t, void* user) {
    Http2Session& s = self(user);
    Stream* st =
        frame->hd.stream_id == s.headers_id_ ? s.headers_stream_ : stream(ng, frame->hd.stream_id);
    if (st == nullptr || st->dispatched_) return 0;  // refused, or trailers (not kept)
    if (!st->fields_.add(std::string_view(reinterpret_cast<const char*>(name), namelen),
                         std::string_view(reinterpret_cast<const char*>(value), valuelen))) {
      // Over the limits: answered 431 at the end of the block; nothing more is kept.
      return 0;
    }
    return 0;
  }

  static int frame_recv(nghttp2_session* ng, const nghttp2_frame* frame, void* user) {
    Http2Session& s = self(user);
    if (s.dead()) return NGHTTP2_ERR_CALLBACK_FAILURE;
    int64_t now = s.loop_.now_ms();
    if (frame->hd.type == NGHTTP2_RST_STREAM) base::metrics::add(base::metrics::kH2ResetsReceived);
    switch (frame->hd.type) {
      case NGHTTP2_HEADERS: {
        Stream* st = frame->hd.stream_id == s.headers_id_ ? s.headers_stream_
                                                          : stream(ng, frame->hd.stream_id);
        s.headers_stream_ = nullptr;  // the block is complete
        s.headers_id_ = 0;
        if (st == nullptr) return 0;
        bool end = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
        if (!st->dispatched_) {
          st->dispatched_ = true;
          std::string reason;
          int status = st->fields_.make_head(&st->head_, end, &reason);
          st->head_.scheme =
              st->head_.scheme.empty() ? (s.facts_.secure ? "https" : "http") : st->head_.scheme;
          st->body_complete_ = end || st->head_.body == http::BodyFraming::kNone;
          st->last_body_ms_ = now;
          if (status != 0) {
            s.answer_error(*st, status, reason);
          } else {
            s.dispatch(*st);
          }
        } else if (end) {
          st->body_complete_ = true;  // trailers end the body
          st->notify_reader();
        }
        return 0;
      }
      case NGHTTP2_DATA: {
        Stream* st = stream(ng, frame->hd.stream_id);
        if (frame->hd.length == 0 && !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
          if (s.flood(&s.empty_data_window_, &s.empty_data_count_,
                      s.config_.h2.max_empty_data_frames, "empty DATA frames")) {
            return NGHTTP2_ERR_CALLBACK_FAILURE;
          }
        }
        if (st != nullptr && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
          st->body_complete_ = true;
          st->notify_reader();
        }
        return 0;
      }
      case NGHTTP2_SETTINGS:
        if (!(frame->hd.flags & NGHTTP2_FLAG_ACK) &&
            s.flood(&s.settings_window_, &s.settings_count_, s.config_.h2.max_settings_frames,
                    "SETTINGS frames")) {
          return NGHTTP2_ERR_CALLBACK_FAILURE;
        }
        return 0;
      case NGHTTP2_PING:
        if (!(frame->hd.flags & NGHTTP2_FLAG_ACK) &&
            s.flood(&s.ping_window_, &s.ping_count_, s.config_.h2.max_ping_frames, "PING frames")) {
          return NGHTTP2_ERR_CALLBACK_FAILURE;
        }
        return 0;
      case NGHTTP2_PRIORITY:
        if (s.flood(&s.priority_window_, &s.priority_count_, s.config_.h2.max_priority_frames,
                    "PRIORITY frames")) {
          return NGHTTP2_ERR_CALLBACK_FAILURE;
        }
        return 0;
      case NGHTTP2_GOAWAY:
        // The client stops: the streams it opened finish, then the connection closes.
        if (s.phase_ == Phase::kOpen) s.phase_ = Phase::kGoingAway;
        return 0;
      default:
        return 0;
    }
  }

  static int data_chunk(nghttp2_session* ng, uint8_t, int32_t id, const uint8_t* data, size_t len,
                        void* user) {
    Http2Session& s = self(user);
    Stream* st = stream(ng, id);
    if (st == nullptr || st->handler_done() || st->reset_) {
      // Nobody will read it: the window opens at once.
      nghttp2_session_consume(ng, id, len);
      return 0;
    }
    st->received_ += len;
    st->last_body_ms_ = s.loop_.now_ms();
    if (st->received_ > s.config_.limits.max_body_size) {
      nghttp2_session_consume(ng, id, len);
      if (!st->headers_sent() && !st->send_pending_) {
        auto abort_handler = std::move(st->abort_);
        st->abort_ = nullptr;
        s.answer_error(*st, 413, "request body too large", std::move(abort_handler));
      } else {
        st->reset_stream(NGHTTP2_CANCEL, "request body too large");
      }
      st->body_failed_ = true;
      st->notify_reader();
      return 0;
    }
    st->body_.append(reinterpret_cast<const char*>(data), len);
    st->notify_reader();
    return 0;
  }

  static int stream_close(nghttp2_session* ng, int32_t id, uint32_t, void*) {
    Stream* st = stream(ng, id);
    if (st == nullptr) return 0;
    nghttp2_session_set_stream_user_data(ng, id, nullptr);
    st->stream_closed();
    return 0;
  }

  static int send_data(nghttp2_session*, nghttp2_frame* frame, const uint8_t* framehd,
                       size_t length, nghttp2_data_source* source, void*) {
    auto* st = static_cast<Stream*>(source->ptr);
    (void)frame;  // no padding is ever added (no select_padding callback)
    st->frame_data(framehd, length);
    return 0;
  }

  static int invalid_frame(nghttp2_session*, const nghttp2_frame* frame, int error, void* user) {
    Http2Session& s = self(user);
    HS_LOG_DEBUG("%s:%u: HTTP/2 invalid frame (type %u, stream %d): %s",
                 s.facts_.remote_host.c_str(), s.facts_.remote_port, frame->hd.type,
                 frame->hd.stream_id, nghttp2_strerror(error));
    return 0;
  }
};

// ---------------------------------------------------------------------------------------------

namespace {

nghttp2_session_callbacks* callbacks() {
  static nghttp2_session_callbacks* cbs = [] {
    nghttp2_session_callbacks* c = nullptr;
    nghttp2_session_callbacks_new(&c);
    using C = Http2Session::Callbacks;
    nghttp2_session_callbacks_set_on_begin_headers_callback(c, C::begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(c, C::header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(c, C::frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(c, C::data_chunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(c, C::stream_close);
    nghttp2_session_callbacks_set_send_data_callback(c, C::send_data);
    nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(c, C::invalid_frame);
    return c;
  }();
  return cbs;
}

}  // namespace

Http2Session::Http2Session(Executor& loop, std::unique_ptr<io::Stream> stream,
                           ConnectionOwner& owner, http::Handler& handler,
                           const SessionConfig& config, std::string initial_input,
                           std::string initial_output, const UpgradedRequest* upgrade)
    : loop_(loop),
      stream_(std::move(stream)),
      owner_(owner),
      handler_(handler),
      config_(config),
      facts_(stream_->facts()),
      pending_input_(std::move(initial_input)) {
  info_ = connection_info_of(facts_, "HTTP/2");
  base::metrics::add(base::metrics::kH2Connections);
  limits_.max_body_size = config.limits.max_body_size;
  limits_.max_fields = config.limits.max_header_count;
  limits_.max_field_bytes = config.limits.max_header_bytes;
  limits_.max_target = config.limits.max_request_line;
  if (upgrade != nullptr) upgrade_ = std::make_unique<UpgradedRequest>(*upgrade);
  if (!initial_output.empty()) out_.append_owned(initial_output);
  accepted_ms_ = idle_since_ms_ = last_write_ms_ = loop_.now_ms();

  const Http2Config& h2 = config.h2;
  nghttp2_option* opt = nullptr;
  nghttp2_option_new(&opt);
  // Window updates follow what handlers read (Stream::read_body), not what arrives.
  nghttp2_option_set_no_auto_window_update(opt, 1);
  nghttp2_option_set_max_outbound_ack(opt, h2.max_outbound_ack);
  nghttp2_option_set_max_settings(opt, 32);
  nghttp2_option_set_stream_reset_rate_limit(opt, h2.reset_burst, h2.reset_rate);
  nghttp2_option_set_max_continuations(opt, h2.max_continuations);
  nghttp2_option_set_max_deflate_dynamic_table_size(opt, 4096);
  nghttp2_option_set_no_closed_streams(opt, 1);
  nghttp2_option_set_server_fallback_rfc7540_priorities(opt, 1);
  nghttp2_session_server_new3(&ng_, callbacks(), this, opt, nghttp2_memory());
  nghttp2_option_del(opt);

  nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, h2.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, h2.stream_window},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
       static_cast<uint32_t>(config.limits.max_header_bytes + 32 * config.limits.max_header_count)},
      {NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, h2.header_table_size},
      {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1},
  };
  nghttp2_submit_settings(ng_, NGHTTP2_FLAG_NONE, settings, sizeof(settings) / sizeof(settings[0]));
  nghttp2_session_set_local_window_size(ng_, NGHTTP2_FLAG_NONE, 0, h2.connection_window);
}

Http2Session::~Http2Session() {
  if (ng_ != nullptr) nghttp2_session_del(ng_);
  if (!dead()) stream_->close(false);
  if (timer_id_ != 0) loop_.cancel(timer_id_);
}

void Http2Session::start() {
  if (!stream_->attach(this)) {
    fail("cannot watch the connection", End::kClose);
    return;
  }
  if (upgrade_) {
    // The HTTP/1.1 request becomes stream 1, half-closed from the client (RFC 7540 §3.2).
    int rv = nghttp2_session_upgrade2(
        ng_, reinterpret_cast<const uint8_t*>(upgrade_->settings.data()), upgrade_->settings.size(),
        upgrade_->head_request ? 1 : 0, nullptr);
    if (rv != 0) {
      HS_LOG_INFO("%s:%u: HTTP/2 upgrade refused: %s", facts_.remote_host.c_str(),
                  facts_.remote_port, nghttp2_strerror(rv));
      fail("bad upgrade", End::kClose);
      return;
    }
    std::unique_ptr<Stream> st = StreamPool::take();
    st->bind(this, 1);
    Stream* raw = st.get();
    nghttp2_session_set_stream_user_data(ng_, 1, raw);
    streams_.push_back(std::move(st));
    last_stream_ = 1;
    ++requests_;
    seen_.push_back({1, true});  // the HTTP/1.1 request: half-closed from the client
    max_client_id_ = 1;
    raw->fields_.add(":method", upgrade_->method);
    raw->fields_.add(":path", upgrade_->target);
    raw->fields_.add(":scheme", "http");
    for (const auto& [n, v] : upgrade_->fields) {
      std::string lower = h2_name(n);
      // The connection-specific fields of the upgrade itself stay behind.
      if (lower == "connection" || lower == "upgrade" || lower == "http2-settings" ||
          lower == "keep-alive" || lower == "transfer-encoding" || lower == "te") {
        continue;
      }
      raw->fields_.add(lower, v);
    }
    raw->dispatched_ = true;
    std::string reason;
    int status = raw->fields_.make_head(&raw->head_, true, &reason);
    raw->head_.scheme = "http";
    raw->body_complete_ = true;
    if (status != 0) {
      answer_error(*raw, status, reason);
    } else {
      dispatch(*raw);
    }
    if (dead()) return;
  }
  if (!pending_input_.empty()) {
    std::string input = std::move(pending_input_);
    if (!feed(input.data(), input.size())) return;
  }
  update_timer();
  do_read();
  schedule_flush();
}

void Http2Session::on_ready(uint32_t readiness) {
  if (dead()) return;
  if (readiness & io::kWritable) {
    write_blocked_ = false;
    flush();
    if (dead()) return;
  }
  if (readiness & io::kPeerClosed) read_to_eof_ = true;
  if (readiness & (io::kReadable | io::kPeerClosed)) do_read();
}

void Http2Session::do_read() {
  if (!in_) in_ = std::make_unique_for_overwrite<char[]>(config_.read_buffer_size);
  while (!dead()) {
    if (out_.pending_bytes() >= kOutputHighWater) {
      read_paused_ = true;  // resumed once the client has read our output
      break;
    }
    ssize_t n = stream_->read(in_.get(), config_.read_buffer_size);
    if (n > 0) {
      // Our side is done, or a connection error was found: drop what the client still sends.
      if (lingering_ || input_refused_) continue;
      if (!feed(in_.get(), static_cast<size_t>(n))) return;
      // A short read proves a plain socket empty (edge-triggered: no read for EAGAIN).
      if (static_cast<size_t>(n) < config_.read_buffer_size && !read_to_eof_ &&
          stream_->short_read_drains()) {
        break;
      }
      continue;
    }
    if (n == 0) {
      fail("client closed", End::kClose);
      return;
    }
    if (n == io::Stream::kWouldBlock) break;
    fail("read error", End::kReset);
    return;
  }
  if (!dead()) {
    flush();
    update_timer();
  }
}

bool Http2Session::feed(const char* data, size_t n) {
  if (input_refused_) return true;
  size_t pos = 0;
  while (pos < n) {
    if (scan_skip_ > 0) {
      size_t k = static_cast<size_t>(std::min<uint64_t>(scan_skip_, n - pos));
      scan_skip_ -= k;
      pos += k;
      continue;
    }
    size_t header_start = scan_have_ == 0 ? pos : 0;  // in this input (else it began before)
    size_t k = std::min(sizeof(scan_header_) - scan_have_, n - pos);
    memcpy(scan_header_ + scan_have_, data + pos, k);
    scan_have_ += k;
    pos += k;
    if (scan_have_ < sizeof(scan_header_)) break;
    scan_have_ = 0;
    const uint8_t* h = scan_header_;
    scan_skip_ = (size_t{h[0]} << 16) | (size_t{h[1]} << 8) | h[2];
    int32_t id = static_cast<int32_t>(
        ((uint32_t{h[5]} << 24) | (uint32_t{h[6]} << 16) | (uint32_t{h[7]} << 8) | h[8]) &
        0x7FFFFFFFu);
    uint32_t error = check_frame(h[3], h[4], id);
    if (error == 0) continue;
    // What came before this frame is processed; the frame and everything after it is not.
    if (!feed_nghttp2(data, header_start)) return false;
    HS_LOG_INFO("%s:%u: HTTP/2: %s on stream %d: GOAWAY (%s)", facts_.remote_host.c_str(),
                facts_.remote_port, h[3] == NGHTTP2_DATA ? "DATA" : "HEADERS", id,
                error == NGHTTP2_STREAM_CLOSED ? "the client had closed it"
                                               : "a stream id below one already opened");
    input_refused_ = true;
    go_away(error, error == NGHTTP2_STREAM_CLOSED ? "frame on a closed stream"
                                                  : "stream id below one already opened");
    return true;
  }
  return feed_nghttp2(data, n);
}

uint32_t Http2Session::check_frame(uint8_t type, uint8_t flags, int32_t id) {
  if (id == 0 || (id & 1) == 0) return 0;  // the connection's, or not the client's: nghttp2's
  if (type != NGHTTP2_HEADERS && type != NGHTTP2_DATA && type != NGHTTP2_RST_STREAM) return 0;
  bool end = (flags & NGHTTP2_FLAG_END_STREAM) != 0 && type != NGHTTP2_RST_STREAM;
  if (type == NGHTTP2_HEADERS && id > max_client_id_) {
    // A new stream (the usual case).
    max_client_id_ = id;
    SeenStream e{id, end};
    if (seen_.size() < kSeenStreams) {
      seen_.push_back(e);
    } else {
      seen_floor_ = seen_[seen_next_].id;
      seen_[seen_next_] = e;
      seen_next_ = (seen_next_ + 1) % kSeenStreams;
    }
    return 0;
  }
  if (id <= seen_floor_) return 0;  // forgotten: nghttp2 ignores such frames
  SeenStream* e = nullptr;
  for (size_t i = 0; i < seen_.size() && e == nullptr; ++i) {
    // Newest first: frames are mostly for recent streams.
    size_t at = (seen_next_ + seen_.size() - 1 - i) % seen_.size();
    if (seen_[at].id == id) e = &seen_[at];
  }
  if (e == nullptr) {
    // Never opened: HEADERS may not open a stream below the highest one (§5.1.1); DATA and
    // RST_STREAM on an idle stream are nghttp2's to answer (PROTOCOL_ERROR).
    return type == NGHTTP2_HEADERS && id < max_client_id_ ? NGHTTP2_PROTOCOL_ERROR : 0;
  }
  if (type == NGHTTP2_RST_STREAM) {
    e->client_closed = true;
    return 0;
  }
  if (e->client_closed) return NGHTTP2_STREAM_CLOSED;
  if (end) e->client_closed = true;  // the last DATA, or trailers
  return 0;
}

bool Http2Session::feed_nghttp2(const char* data, size_t n) {
  if (n == 0) return true;
  in_feed_ = true;
  ssize_t rv = nghttp2_session_mem_recv(ng_, reinterpret_cast<const uint8_t*>(data), n);
  in_feed_ = false;
  if (dead()) return false;  // a handler closed the connection from a callback
  if (rv < 0) {
    HS_LOG_INFO("%s:%u: HTTP/2: %s", facts_.remote_host.c_str(), facts_.remote_port,
                nghttp2_strerror(static_cast<int>(rv)));
    // What nghttp2 queued (a GOAWAY) goes out first when it can.
    pump();
    OutQueue::Status st = out_.flush(*stream_, fired_);
    (void)st;
    fired_.clear();
    fail("HTTP/2 protocol error", End::kClose);
    return false;
  }
  schedule_flush();
  return true;
}

void Http2Session::defer(std::function<void()> task) {
  // Invariant: once dead, the session queues nothing, so its teardown (which deletes it) is the
  // last task that can refer to it or its streams.
  if (!dead()) loop_.defer(std::move(task));
}

void Http2Session::schedule_flush() {
  if (flush_scheduled_ || dead()) return;
  flush_scheduled_ = true;
  loop_.defer([this] {
    flush_scheduled_ = false;
    flush();
  });
}

void Http2Session::pump() {
  while (out_.pending_bytes() < kOutputHighWater && nghttp2_session_want_write(ng_)) {
    const uint8_t* data = nullptr;
    ssize_t n = nghttp2_session_mem_send(ng_, &data);
    if (n < 0) {
      HS_LOG_ERROR("%s:%u: HTTP/2 output: %s", facts_.remote_host.c_str(), facts_.remote_port,
                   nghttp2_strerror(static_cast<int>(n)));
      fail("HTTP/2 output error", End::kReset);
      return;
    }
    if (n == 0) break;
    out_.append_owned(
        std::string_view(reinterpret_cast<const char*>(data), static_cast<size_t>(n)));
  }
}

void Http2Session::flush() {
  if (dead() || in_feed_) return;
  while (!dead()) {
    pump();
    if (dead()) return;
    if (write_blocked_ || out_.empty()) break;
    std::vector<OutQueue::Completion> fired = std::move(fired_);
    uint64_t before = out_.written();
    OutQueue::Status st = out_.flush(*stream_, fired);
    if (out_.written() != before) last_write_ms_ = loop_.now_ms();
    if (st == OutQueue::Status::kError) {
      for (auto& f : fired)
        f(true);
      fail(out_.error_detail(), End::kReset);
      return;
    }
    write_blocked_ = st == OutQueue::Status::kBlocked;
    if (write_blocked_ && send_window_ms_ < 0 && config_.min_send_rate > 0) {
      send_window_ms_ = loop_.now_ms();
      send_window_bytes_ = out_.written();
    } else if (!write_blocked_) {
      send_window_ms_ = -1;
    }
    for (auto& f : fired)
      f(true);
    fired.clear();
    if (fired_.capacity() == 0) fired_ = std::move(fired);
    if (dead()) return;
    // Completions may have queued more (a handler's next send): go round while the socket takes
    // it and nghttp2 has frames.
    if (write_blocked_ || (!nghttp2_session_want_write(ng_) && out_.empty())) break;
  }
  if (dead()) return;
  if (read_paused_ && out_.pending_bytes() < kOutputHighWater / 2) {
    read_paused_ = false;
    defer([this] { do_read(); });
  }
  maybe_close();
  if (!dead()) update_timer();
}

void Http2Session::dispatch(Stream& s) {
  try {
    handler_.handle(s);
  } catch (const std::exception& e) {
    HS_LOG_ERROR("handler threw: %s", e.what());
    if (!s.headers_sent() && !s.send_pending_) {
      s.response_ = http::ResponseHead{};
      s.response_.status = 500;
      s.send({}, true, nullptr);
    } else {
      s.reset_stream(NGHTTP2_INTERNAL_ERROR, "handler threw");
    }
  } catch (...) {
    HS_LOG_ERROR("handler threw a non-standard exception");
    s.reset_stream(NGHTTP2_INTERNAL_ERROR, "handler threw");
  }
}

void Http2Session::answer_error(Stream& s, int status, const std::string& reason,
                                std::function<void()> after) {
  HS_LOG_INFO("%s:%u: HTTP/2 stream %d: %d %s", facts_.remote_host.c_str(), facts_.remote_port,
              s.id_, status, reason.c_str());
  base::metrics::count_response(0, status);  // no site answered it
  // As HTTP/1 answers the same faults: the same status and page. No handler saw the request;
  // the exchange is released when its stream closes.
  auto body = std::make_shared<std::string>("<html><body><h1>" + std::to_string(status) + " " +
                                            std::string(http::reason_phrase(status)) +
                                            "</h1></body></html>\n");
  s.response_ = http::ResponseHead{};
  s.response_.status = status;
  s.response_.headers.set("Content-Type", "text/html");
  s.body_failed_ = true;
  BodyChunk chunk = BodyChunk::memory(*body);
  s.send({&chunk, 1}, true, [body, after = std::move(after)](http::SendResult) {
    if (after) after();
  });
}

bool Http2Session::flood(int64_t* window_start, uint32_t* count, uint32_t limit, const char* what) {
  int64_t now = loop_.now_ms();
  if (now - *window_start >= kFloodWindowMs) {
    *window_start = now;
    *count = 0;
  }
  if (++*count <= limit) return false;
  HS_LOG_INFO("%s:%u: HTTP/2: more than %u %s in %lld ms: GOAWAY (ENHANCE_YOUR_CALM)",
              facts_.remote_host.c_str(), facts_.remote_port, limit, what,
              static_cast<long long>(kFloodWindowMs));
  go_away(NGHTTP2_ENHANCE_YOUR_CALM, what);
  return true;
}

void Http2Session::go_away(uint32_t error_code, const char* why) {
  if (dead()) return;
  if (phase_ == Phase::kOpen) phase_ = Phase::kGoingAway;
  nghttp2_submit_goaway(ng_, NGHTTP2_FLAG_NONE, last_stream_, error_code,
                        reinterpret_cast<const uint8_t*>(why != nullptr ? why : ""),
                        why != nullptr ? strlen(why) : 0);
  if (error_code != NGHTTP2_NO_ERROR) {
    // An error: the connection ends once the GOAWAY is written (nghttp2 stops reading).
    closing_on_error_ = true;
  }
  schedule_flush();
}

void Http2Session::drain() {
  if (dead() || phase_ != Phase::kOpen) return;
  go_away(NGHTTP2_NO_ERROR, nullptr);
  maybe_close();
}

void Http2Session::maybe_close() {
  if (dead() || in_feed_) return;
  bool idle = streams_.empty() && out_.empty() && !nghttp2_session_want_write(ng_);
  if (closing_on_error_ && out_.empty() && !nghttp2_session_want_write(ng_)) {
    fail("GOAWAY sent", End::kClose);
    return;
  }
  if (!idle) return;
  if (phase_ == Phase::kGoingAway || (!nghttp2_session_want_read(ng_))) {
    if (!lingering_) {
      // Our side is done: half-close, and drop what the client still sends for a moment, so
      // that the GOAWAY is read rather than lost to a reset.
      lingering_ = true;
      linger_start_ms_ = loop_.now_ms();
      stream_->shutdown_write();
      update_timer();
    }
  }
}

void Http2Session::close_now() {
  fail("closed by server", End::kReset);
}

void Http2Session::fail(const char* reason, End how) {
  if (dead()) return;
  HS_LOG_DEBUG("%s:%u: closing HTTP/2 connection: %s", facts_.remote_host.c_str(),
               facts_.remote_port, reason);
  stream_->close(how == End::kReset && !lingering_);
  if (timer_id_ != 0) loop_.cancel(timer_id_);
  timer_id_ = 0;
  phase_ = Phase::kDead;
  loop_.defer([this] { teardown(); });
}

void Http2Session::teardown() {
  // Pending completions first (ok=false), then the abort handlers of exchanges still held by
  // their handlers, then the connection's state; nothing is queued from here on.
  std::vector<OutQueue::Completion> fired;
  out_.fail_all(fired);
  for (auto& f : fired)
    f(false);
  std::vector<Stream*> held;
  for (auto& st : streams_)
    held.push_back(st.get());
  for (Stream* st : held) {
    st->closed_ = true;
    if (!st->body_complete_) st->body_failed_ = true;
    if (st->ready_) {
      auto ready = std::move(st->ready_);
      st->ready_ = nullptr;
      ready();
    }
    if (st->send_pending_) st->complete_send(false);
    if (!st->handler_done()) st->abort_now();
  }
  if (std::shared_ptr<http::ConnectionData> data = std::move(conn_data_)) data->connection_closed();
  owner_.connection_closed(this);
}

void Http2Session::release(Stream* s) {
  if (s->released_ || dead()) return;  // once dead, the session deletes them all
  s->released_ = true;
  if (headers_stream_ == s) {
    headers_stream_ = nullptr;
    headers_id_ = 0;
  }
  // Deleted from a task: it may be on the stack (a completion, nghttp2's callback).
  loop_.defer([this, s] {
    auto it = std::find_if(streams_.begin(), streams_.end(),
                           [s](const std::unique_ptr<Stream>& p) { return p.get() == s; });
    if (it != streams_.end()) {
      std::unique_ptr<Stream> done = std::move(*it);
      *it = std::move(streams_.back());
      streams_.pop_back();
      StreamPool::give(std::move(done));
    }
    if (streams_.empty()) idle_since_ms_ = loop_.now_ms();
    if (!dead()) {
      maybe_close();
      update_timer();
    }
  });
}

// --- timeouts -----------------------------------------------------------------------------------

void Http2Session::update_timer() {
  if (dead()) return;
  int64_t at = kNever;
  auto consider = [&](int64_t t) { at = std::min(at, t); };
  if (lingering_) {
    consider(linger_start_ms_ + config_.linger_timeout_ms);
  } else {
    if (!out_.empty() && write_blocked_) consider(last_write_ms_ + config_.send_timeout_ms);
    if (send_window_ms_ >= 0) consider(send_window_ms_ + config_.rate_window_ms);
    if (streams_.empty()) {
      consider(requests_ == 0 ? accepted_ms_ + config_.header_timeout_ms
                              : idle_since_ms_ + config_.keepalive_timeout_ms);
    }
    for (const auto& st : streams_) {
      if (st->ready_ && !st->body_complete_ && !st->closed_) {
        consider(st->last_body_ms_ + config_.body_timeout_ms);
      }
      // A send waiting for the client to open its window (a zero-window stall).
      if (st->send_pending_ && st->remaining_bytes() && !st->closed_ && !st->reset_) {
        consider(st->send_progress_ms_ + config_.send_timeout_ms);
      }
    }
  }
  if (at == kNever) return;
  if (timer_id_ != 0 && timer_deadline_ <= at) return;
  if (timer_id_ != 0) loop_.cancel(timer_id_);
  timer_deadline_ = at;
  timer_id_ = loop_.schedule(at - loop_.now_ms(), [this] {
    timer_id_ = 0;
    on_timer();
  });
}

void Http2Session::on_timer() {
  if (dead()) return;
  int64_t now = loop_.now_ms();
  if (lingering_) {
    if (now >= linger_start_ms_ + config_.linger_timeout_ms) {
      fail("linger done", End::kClose);
      return;
    }
  } else {
    if (!out_.empty() && write_blocked_ && now >= last_write_ms_ + config_.send_timeout_ms) {
      HS_LOG_INFO("%s:%u: send timeout, client not reading", facts_.remote_host.c_str(),
                  facts_.remote_port);
      fail("send timeout", End::kReset);
      return;
    }
    if (send_window_ms_ >= 0 && now >= send_window_ms_ + config_.rate_window_ms) {
      uint64_t need = config_.min_send_rate * static_cast<uint64_t>(config_.rate_window_ms) / 1000;
      uint64_t got = out_.written() - send_window_bytes_;
      if (got < need && !out_.empty()) {
        HS_LOG_INFO("%s:%u: client reads too slowly (%llu bytes in %lld ms, minimum %llu/s)",
                    facts_.remote_host.c_str(), facts_.remote_port,
                    static_cast<unsigned long long>(got),
                    static_cast<long long>(config_.rate_window_ms),
                    static_cast<unsigned long long>(config_.min_send_rate));
        fail("client reads too slowly", End::kReset);
        return;
      }
      send_window_ms_ = out_.empty() ? -1 : now;
      send_window_bytes_ = out_.written();
    }
    if (streams_.empty()) {
      int64_t due = requests_ == 0 ? accepted_ms_ + config_.header_timeout_ms
                                   : idle_since_ms_ + config_.keepalive_timeout_ms;
      if (now >= due) {
        go_away(NGHTTP2_NO_ERROR, nullptr);
        fail("idle timeout", End::kClose);
        return;
      }
    }
    std::vector<Stream*> stalled;
    for (const auto& st : streams_) {
      if (st->send_pending_ && st->remaining_bytes() && !st->closed_ && !st->reset_ &&
          now >= st->send_progress_ms_ + config_.send_timeout_ms) {
        stalled.push_back(st.get());
      }
    }
    for (Stream* st : stalled) {
      HS_LOG_INFO(
          "%s:%u: HTTP/2 stream %d: the client's flow-control window stayed closed for "
          "%lld ms: stream reset",
          facts_.remote_host.c_str(), facts_.remote_port, st->id_,
          static_cast<long long>(config_.send_timeout_ms));
      st->reset_stream(NGHTTP2_CANCEL, "send timeout (window closed)");
    }
    std::vector<Stream*> late;
    for (const auto& st : streams_) {
      if (st->ready_ && !st->body_complete_ && !st->closed_ &&
          now >= st->last_body_ms_ + config_.body_timeout_ms) {
        late.push_back(st.get());
      }
    }
    for (Stream* st : late) {
      HS_LOG_INFO("%s:%u: HTTP/2 stream %d: request body timeout", facts_.remote_host.c_str(),
                  facts_.remote_port, st->id_);
      st->body_failed_ = true;
      st->notify_reader();
      if (!st->headers_sent() && !st->send_pending_) {
        auto abort_handler = std::move(st->abort_);
        st->abort_ = nullptr;
        answer_error(*st, 408, "request body timeout", std::move(abort_handler));
      } else {
        st->reset_stream(NGHTTP2_CANCEL, "request body timeout");
      }
    }
    schedule_flush();
  }
  update_timer();
}

}  // namespace hs::session
