#pragma once
// An HTTP/1.x connection (session::Connection): drives the pure codec (the request parser and the
// response encoder) from an io::Stream, exposes each request to the handler as an http::Exchange,
// and writes responses strictly in order. It never touches a socket: plain TCP, TLS and the
// in-memory streams of the tests are all io::Streams.
//
// Pipelining: requests are parsed one at a time. A request is dispatched only when the previous
// one has finished (its handler made the last send and its body has been consumed); responses of
// pipelined requests may queue up in the output (bounded by max_pipelined and
// max_pending_output), and are written with as few syscalls as possible at the end of each batch.
//
// Memory per connection: a fixed read buffer, a bounded request-body buffer, the output queue's
// own bytes (heads and chunk framing, bounded by max_pending_output because parsing stops above
// it) plus what handlers pinned by reference (one send per exchange at a time).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/executor.h"
#include "http/codec/http1/parser.h"
#include "http/codec/http1/serializer.h"
#include "http/exchange.h"
#include "io/stream.h"
#include "session/connection.h"
#include "session/out_queue.h"

namespace hs::session {

struct UpgradedRequest;  // session/http2_session.h

// How an HTTP/1 session on a plain listener hands its connection to HTTP/2: the client sent the
// HTTP/2 preface (h2c with prior knowledge), or asked to upgrade (Upgrade: h2c). The session
// gives up the stream and the bytes it read, and ends without closing anything.
class ProtocolSwitch {
 public:
  // `input`: bytes read and not parsed; `output`: bytes to write first (the 101 response);
  // `upgrade`: the request that asked for it (becomes stream 1), or null.
  virtual void switch_to_http2(std::unique_ptr<io::Stream> stream, std::string input,
                               std::string output, const UpgradedRequest* upgrade) = 0;

 protected:
  ~ProtocolSwitch() = default;
};

class Http1Session final : public Connection,
                           private io::Stream::Listener,
                           private http::h1::RequestParser::Listener {
 public:
  // `loop` is the executor of the loop that holds the stream (exchanges hand it to handlers).
  // `h2`: where to hand the connection when the client speaks HTTP/2 (null: never).
  Http1Session(Executor& loop, std::unique_ptr<io::Stream> stream, ConnectionOwner& owner,
               http::Handler& handler, const SessionConfig& config, ProtocolSwitch* h2 = nullptr);
  ~Http1Session() override;
  Http1Session(const Http1Session&) = delete;
  Http1Session& operator=(const Http1Session&) = delete;

  // Registers with the loop and starts reading.
  void start() override;
  // Graceful shutdown: a busy connection finishes its current response (sent with
  // Connection: close) and closes. An idle one first reads what the kernel already holds (a
  // request sent before the client could know is served, with Connection: close); then a
  // connection that served requests closes, and a fresh one (accepted, nothing read yet: its
  // client is about to send) gets kDrainFirstRequestMs for its first request.
  void drain() override;
  static constexpr int64_t kDrainFirstRequestMs = 1000;
  // Closes at once; in-flight exchanges see their abort handlers.
  void close_now() override;

  // Read buffers this thread keeps for idle connections to reuse (none under sanitizers).
  static size_t spare_read_buffers();

  class H1Exchange;  // the session's http::Exchange (defined in the .cc; pooled per thread)

 private:
  friend class H1Exchange;

  // io::Stream::Listener
  void on_ready(uint32_t readiness) override;

  // RequestParser::Listener
  void on_head(http::RequestHead& head) override;
  void on_body(std::string_view data) override;
  bool on_message_complete() override;

  void do_read();
  enum class Sniff : unsigned char { kHttp1, kMore, kHandedOver };
  Sniff sniff();  // the first bytes of the connection: the HTTP/2 preface?
  bool wants_h2c_upgrade(const http::RequestHead& head, std::string* settings) const;
  void hand_over(std::string input, std::string output);
  void process_input();
  void on_input_end();  // the client half-closed and every byte it sent is parsed
  bool can_start_message() const;
  void on_parse_error();
  void on_handler_threw(H1Exchange& ex, const char* what);

  // Exchange operations.
  void reset_after_output(const char* reason);
  void release_idle_buffer();
  bool send(H1Exchange& ex, std::span<const http::BodyChunk> chunks, bool last,
            http::SendCompletion done);
  ssize_t read_body(H1Exchange& ex, char* dst, size_t cap, std::function<void()> ready);
  void write_head(H1Exchange& ex, bool last, uint64_t total);
  void close_after_response(H1Exchange& ex);  // Exchange::set_close_after() once the head is out
  void response_done(H1Exchange& ex);
  void finish_current();
  void retire(H1Exchange* ex);
  void notify_body_reader(H1Exchange& ex);

  void queue_error_response(int status, std::string_view detail);
  void schedule_flush();
  void flush_now();  // the input at hand is parsed: write what it produced (see the .cc)
  void do_flush();
  void maybe_close();
  void start_linger();
  enum class End : unsigned char { kClose, kReset };
  void fail(const char* reason, End how);
  void teardown();

  void update_timer();
  void on_timer();
  int64_t deadline(int* cause) const;

  void defer(std::function<void()> task);

  Executor& loop_;
  std::unique_ptr<io::Stream> stream_;
  ConnectionOwner& owner_;
  http::Handler& handler_;
  const SessionConfig& config_;
  http::h1::RequestParser parser_;

  std::unique_ptr<char[]> in_;  // read buffer; null while nothing is unparsed (pooled)
  size_t in_start_ = 0;
  size_t in_end_ = 0;
  OutQueue out_;
  std::vector<OutQueue::Completion> fired_spare_;  // do_flush()'s, kept between flushes

  std::vector<std::unique_ptr<H1Exchange>> active_;  // dispatched and not yet retired
  H1Exchange* current_ = nullptr;                    // the one the parser is on

  const io::StreamFacts& facts_;  // the stream's
  http::ConnectionInfo info_;     // Exchange::connection_info(), views into facts_
  ProtocolSwitch* h2_ = nullptr;
  bool sniff_ = false;  // the first bytes are still to be checked for the HTTP/2 preface
  std::unique_ptr<UpgradedRequest> upgrade_;  // an Upgrade: h2c request, being handed over

  // The connection's phase; it only moves forward.
  enum class Phase : unsigned char {
    kOpen,       // requests are served
    kClosing,    // no further request is dispatched; closes once the output is written
    kLingering,  // our side is shut; input is read and dropped for linger_timeout_ms
    kDead,       // the stream is closed: no more I/O, no more deferred tasks
  };
  Phase phase_ = Phase::kOpen;
  bool dead() const { return phase_ == Phase::kDead; }
  bool closing() const { return phase_ >= Phase::kClosing; }
  bool lingering() const { return phase_ == Phase::kLingering; }
  void close_after() {
    if (phase_ == Phase::kOpen) phase_ = Phase::kClosing;
  }
  bool draining_ = false;
  int64_t drain_ms_ = 0;  // when drain() was called
  bool peer_eof_ = false;
  bool abandoned_input_ = false;        // answered and closing: parse nothing more
  const char* reset_reason_ = nullptr;  // reset once the queued output is written
  bool in_parser_ = false;
  bool flush_scheduled_ = false;
  bool input_scheduled_ = false;
  bool write_blocked_ = false;
  bool read_wanted_ = false;  // stopped reading with the socket maybe not drained
  bool read_to_eof_ = false;  // the peer closed: read until 0/EAGAIN, not just a short read
  uint64_t requests_ = 0;

  std::shared_ptr<http::ConnectionData> conn_data_;  // Exchange::connection_data()

  Executor::TimerId timer_id_ = 0;
  int64_t timer_deadline_ = 0;
  int64_t accepted_ms_ = 0;
  int64_t head_start_ms_ = 0;
  int64_t idle_since_ms_ = 0;
  int64_t last_body_ms_ = 0;
  int64_t last_write_ms_ = 0;
  // Rate windows (see SessionConfig::min_send_rate): start time (-1: not running) and the byte
  // count (written / body received) when it started.
  int64_t send_window_ms_ = -1;
  uint64_t send_window_bytes_ = 0;
  int64_t body_window_ms_ = -1;
  uint64_t body_window_bytes_ = 0;
  int64_t linger_start_ms_ = 0;
};

}  // namespace hs::session
