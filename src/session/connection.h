#pragma once
// The protocol-neutral connection: what a worker holds for each accepted socket, whatever the
// protocol (HTTP/1.x today; HTTP/2 and a TLS handshake phase that picks one by ALPN implement the
// same interface), and the factory a listener creates its connections with.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "http/codec/http1/parser.h"
#include "http/exchange.h"
#include "io/stream.h"

namespace hs::io {
class EventLoop;
}

namespace hs::session {

// HTTP/2 settings and defences (docs/http2.md).
struct Http2Config {
  bool enabled = true;                    // h2 by ALPN on TLS listeners, h2c on plain ones
  uint32_t max_concurrent_streams = 100;  // SETTINGS_MAX_CONCURRENT_STREAMS
  // Our receive windows: a stream's is what its handler may leave unread (the request body
  // buffered per stream); the connection's bounds them all together.
  uint32_t stream_window = 64 * 1024;
  uint32_t connection_window = 1024 * 1024;
  uint32_t header_table_size = 4096;  // SETTINGS_HEADER_TABLE_SIZE (HPACK's dynamic table)
  // Floods: more than this many frames of a kind within 10 s end the connection with GOAWAY
  // (ENHANCE_YOUR_CALM).
  uint32_t max_settings_frames = 100;
  uint32_t max_ping_frames = 100;
  uint32_t max_priority_frames = 1000;
  uint32_t max_empty_data_frames = 100;
  size_t max_outbound_ack = 100;  // SETTINGS/PING ACKs queued unsent (nghttp2)
  size_t max_continuations = 8;   // CONTINUATION frames after one HEADERS (nghttp2)
  // RST_STREAM from the client: a token bucket of `reset_burst`, refilled by `reset_rate` a
  // second (nghttp2; Rapid Reset, CVE-2023-44487).
  uint64_t reset_burst = 200;
  uint64_t reset_rate = 33;
};

// Limits and timeouts of a connection (every protocol) and of the HTTP/1 codec.
struct SessionConfig {
  http::h1::ParserLimits limits;
  int64_t header_timeout_ms = 30'000;      // whole request head, from its first byte
  int64_t keepalive_timeout_ms = 120'000;  // idle between requests (IIS connectionTimeout)
  int64_t body_timeout_ms = 60'000;        // no request-body bytes while a handler waits for them
  int64_t send_timeout_ms = 60'000;        // no write progress while output is pending
  int64_t linger_timeout_ms = 2'000;       // reading and dropping input after our last byte
  // Minimum rates, checked over windows of rate_window_ms (0 turns a rate off). A client must
  // read at least min_send_rate bytes/s while a response waits on it (HTTP.sys's MinSendRate),
  // and send at least min_body_rate bytes/s while a handler waits for the request body, or the
  // connection is dropped: a client trickling a byte a second never hits the silence timeouts.
  uint64_t min_send_rate = 240;
  uint64_t min_body_rate = 240;
  int64_t rate_window_ms = 5'000;
  size_t read_buffer_size = 16 * 1024;
  size_t body_buffer_size = 64 * 1024;
  size_t max_pipelined = 16;                 // finished responses not yet written
  uint64_t max_pending_output = 256 * 1024;  // no new request is dispatched above this
  uint64_t max_discard_body = 256 * 1024;    // unread body we drain to keep a connection alive
  Http2Config h2;
};

// The facts a handler may learn of a connection (http::ConnectionInfo), as views into `facts`.
http::ConnectionInfo connection_info_of(const io::StreamFacts& facts, std::string_view protocol);

// One accepted connection, on one loop. Every call is made by the thread holding that loop.
class Connection {
 public:
  virtual ~Connection() = default;
  // Starts reading (registers with the loop).
  virtual void start() = 0;
  // Graceful shutdown: requests in progress finish, no new one starts, then the connection
  // closes (HTTP/1: Connection: close on the current response; HTTP/2: GOAWAY).
  virtual void drain() = 0;
  // Closes at once; in-flight exchanges see their abort handlers.
  virtual void close_now() = 0;
};

// What a connection needs from the worker that owns it.
class ConnectionOwner {
 public:
  // Called once, from a deferred task, when the connection is finished; the owner deletes it.
  virtual void connection_closed(Connection* connection) = 0;
  // The current IMF-fixdate for Date headers (29 characters).
  virtual std::string_view date_header() = 0;

 protected:
  ~ConnectionOwner() = default;
};

// Creates the connections of one listener (its protocol, and later its TLS credentials).
class ConnectionFactory {
 public:
  virtual ~ConnectionFactory() = default;
  // Takes over `fd`, a connected non-blocking socket accepted on the listener.
  virtual std::unique_ptr<Connection> create(io::EventLoop& loop, int fd,
                                             ConnectionOwner& owner) = 0;
  // Over the connection cap: answers `fd` without a connection if the protocol can do so in one
  // write the kernel takes at once, then closes it.
  virtual void refuse(int fd) = 0;
};

// Plain HTTP/1.x on every connection.
std::unique_ptr<ConnectionFactory> make_http1_factory(http::Handler& handler,
                                                      const SessionConfig& config);

// HTTP/2 over cleartext with prior knowledge only (no HTTP/1, no Upgrade) on every connection.
std::unique_ptr<ConnectionFactory> make_h2c_factory(http::Handler& handler,
                                                    const SessionConfig& config);

}  // namespace hs::session
