#pragma once
// An HTTP/2 connection (RFC 9113) on nghttp2: h2 over TLS (ALPN), h2c with prior knowledge or by
// Upgrade from HTTP/1.1 (session/http1_session.h hands the connection over). Each stream is an
// http::Exchange, so handlers and IIS modules see no difference from HTTP/1.
//
// nghttp2 is the codec: it decodes frames and HPACK (nghttp2_session_mem_recv) and produces
// frames (nghttp2_session_mem_send); this session feeds it from the io::Stream and writes what it
// produces through the same OutQueue HTTP/1 uses.
//
// BACK-PRESSURE (http/exchange.h) per stream: a send's chunks are framed as DATA by reference
// (NGHTTP2_DATA_FLAG_NO_COPY: memory chunks borrowed, file chunks as file ranges, sendfile on
// plain TCP) as the stream's and the connection's flow-control windows allow, and its completion
// runs once the stream has taken the last of them. A client that does not open its window
// stalls that stream's handler only. The frames nghttp2 produces are generated only while less
// than kOutputHighWater bytes wait to be written.
//
// MEMORY per connection, all bounded: the read buffer; per stream its request fields (limited
// as HTTP/1's header section) and the request body the handler has not read yet (at most the
// stream window we advertise, body_buffer_size: window updates follow what the handler reads,
// not what arrives); nghttp2's own state (HPACK tables capped by SETTINGS_HEADER_TABLE_SIZE,
// queued control frames capped by its flood limits); the output queue below its high water.
//
// DEFENCES (docs/http2.md has the numbers): Rapid Reset (nghttp2's RST_STREAM rate limit, and
// streams reset by the client while their handler still runs count against the concurrent
// streams), CONTINUATION floods (nghttp2's limit on CONTINUATION frames), HPACK bombs (decoded
// header lists bounded as HTTP/1's, the dynamic table by our SETTINGS), SETTINGS/PING floods
// (nghttp2's outbound ACK limit and our per-window counts), PRIORITY and empty-DATA floods (our
// per-window counts), zero-window stalls (the send timeout and minimum send rate apply while
// output waits), and the HTTP/1 limits and timeouts.
#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/executor.h"
#include "http/codec/http2/request.h"
#include "http/exchange.h"
#include "io/stream.h"
#include "session/connection.h"
#include "session/out_queue.h"

namespace hs::session {

// An HTTP/1.1 request upgraded to HTTP/2 (Upgrade: h2c): it becomes stream 1.
struct UpgradedRequest {
  std::string settings;  // HTTP2-Settings, base64url-decoded
  bool head_request = false;
  // The request's method, target and fields, as they were.
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> fields;
};

class Http2Session final : public Connection, private io::Stream::Listener {
 public:
  // `initial_input`: bytes already read from the stream (the client preface, or what followed an
  // Upgrade request); `initial_output`: bytes to write before anything else (the 101 response).
  Http2Session(Executor& loop, std::unique_ptr<io::Stream> stream, ConnectionOwner& owner,
               http::Handler& handler, const SessionConfig& config, std::string initial_input = {},
               std::string initial_output = {}, const UpgradedRequest* upgrade = nullptr);
  ~Http2Session() override;
  Http2Session(const Http2Session&) = delete;
  Http2Session& operator=(const Http2Session&) = delete;

  void start() override;
  // GOAWAY with the last stream id seen: open streams finish, then the connection closes.
  void drain() override;
  void close_now() override;

  class Stream;  // the exchange of one stream (defined in the .cc)
  struct Callbacks;

  static constexpr uint64_t kOutputHighWater = 256 * 1024;
  const http::h2::Limits& limits() const { return limits_; }

 private:
  friend class Stream;
  friend struct Callbacks;

  void on_ready(uint32_t readiness) override;
  void do_read();
  bool feed(const char* data, size_t n);  // false: the connection failed
  bool feed_nghttp2(const char* data, size_t n);
  uint32_t check_frame(uint8_t type, uint8_t flags, int32_t id);
  void schedule_flush();
  void flush();
  void pump();  // frames from nghttp2 into the output queue, below the high water
  void go_away(uint32_t error_code, const char* why);
  enum class End : unsigned char { kClose, kReset };
  void fail(const char* reason, End how);
  void teardown();
  void maybe_close();
  void release(Stream* s);  // the stream is closed and its handler let it go
  void dispatch(Stream& s);
  // Answers `status` for the stream (as HTTP/1 answers the same fault); `after` runs from the
  // answer's completion (a handler's abort handler, when one holds the exchange).
  void answer_error(Stream& s, int status, const std::string& reason,
                    std::function<void()> after = nullptr);
  void defer(std::function<void()> task);  // dropped once dead: nothing runs after teardown
  bool flood(int64_t* window_start, uint32_t* count, uint32_t limit, const char* what);

  void update_timer();
  void on_timer();

  Executor& loop_;
  std::unique_ptr<io::Stream> stream_;
  ConnectionOwner& owner_;
  http::Handler& handler_;
  const SessionConfig& config_;
  const io::StreamFacts& facts_;
  http::ConnectionInfo info_;
  http::h2::Limits limits_;
  nghttp2_session* ng_ = nullptr;
  std::string pending_input_;  // initial_input until start()
  std::unique_ptr<UpgradedRequest> upgrade_;

  std::unique_ptr<char[]> in_;
  OutQueue out_;
  std::vector<OutQueue::Completion> fired_;
  std::vector<std::unique_ptr<Stream>> streams_;  // open or still held by their handlers
  bool read_to_eof_ = false;  // the peer closed: read until 0/EAGAIN, not just a short read
  // The stream whose request header block is being received (nghttp2 calls on_header once per
  // field: this spares a stream lookup each time); null with id 0 when none.
  Stream* headers_stream_ = nullptr;
  int32_t headers_id_ = 0;
  std::shared_ptr<http::ConnectionData> conn_data_;
  std::vector<nghttp2_nv> nva_;  // the response's fields for nghttp2

  // The client's streams as its own frames tell (RFC 9113 §5.1, §5.1.1), which nghttp2 forgets
  // once a stream is gone (it keeps no closed streams here): frame headers are read as the input
  // passes, and a DATA or HEADERS frame on a stream the client itself ended (END_STREAM or
  // RST_STREAM) is a connection error STREAM_CLOSED, a HEADERS frame opening a stream below
  // one already opened a PROTOCOL_ERROR. The last kSeenStreams client streams are remembered
  // (ascending ids); older ids are left to nghttp2, which ignores frames on them.
  struct SeenStream {
    int32_t id;
    bool client_closed;
  };
  static constexpr size_t kSeenStreams = 256;
  std::vector<SeenStream> seen_;  // a ring once full: seen_next_ is the oldest
  size_t seen_next_ = 0;
  int32_t seen_floor_ = 0;     // ids up to this one were forgotten
  int32_t max_client_id_ = 0;  // the highest stream the client opened
  size_t scan_skip_ = 24;      // input bytes before the next frame header (the preface first)
  uint8_t scan_header_[9] = {};
  size_t scan_have_ = 0;        // bytes of the next frame header seen so far
  bool input_refused_ = false;  // a connection error was found: input is dropped

  enum class Phase : unsigned char { kOpen, kGoingAway, kDead };
  Phase phase_ = Phase::kOpen;
  bool dead() const { return phase_ == Phase::kDead; }
  bool flush_scheduled_ = false;
  bool write_blocked_ = false;
  bool read_paused_ = false;  // output above the high water: the client must read first
  bool in_feed_ = false;
  bool lingering_ = false;         // our side is shut; input is dropped for linger_timeout_ms
  bool closing_on_error_ = false;  // a GOAWAY with an error: close once it is written
  uint64_t requests_ = 0;
  int32_t last_stream_ = 0;

  // Flood counters: frames of a kind within the current window of kFloodWindowMs.
  int64_t settings_window_ = 0, ping_window_ = 0, priority_window_ = 0, empty_data_window_ = 0;
  uint32_t settings_count_ = 0, ping_count_ = 0, priority_count_ = 0, empty_data_count_ = 0;

  Executor::TimerId timer_id_ = 0;
  int64_t timer_deadline_ = 0;
  int64_t accepted_ms_ = 0;
  int64_t idle_since_ms_ = 0;
  int64_t last_write_ms_ = 0;
  int64_t linger_start_ms_ = 0;
  int64_t send_window_ms_ = -1;
  uint64_t send_window_bytes_ = 0;
};

}  // namespace hs::session
