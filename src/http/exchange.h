#pragma once
// The protocol-neutral request/response exchange: the only thing a handler (the static-file
// handler, the IIS module pipeline) sees of a connection. An HTTP/1.x request and an HTTP/2 stream
// implement the same interface, so handlers never learn which protocol carries them; what they
// may learn of the connection (TLS, the protocol's name for logs and server variables) is in
// ConnectionInfo.
//
// THREADING. An exchange belongs to one event loop. Every method must be called by the thread that
// holds that loop (executor().in_executor_thread(); base/blocking.h); work from other threads
// comes back through executor().post().
//
// LIFETIME. The session creates the exchange and calls Handler::handle(). The exchange stays valid
// until exactly one of these has happened:
//   - the completion of the send() with last=true has run (the exchange is destroyed right after
//     that completion returns), or
//   - the abort handler has run (the exchange's stream ended before the response was complete:
//     reset(), close_connection(), the client went away, a timeout; any send completion still
//     pending runs first, with ok=false).
// A handler must eventually call send(..., last=true) or reset(); until then the connection keeps
// the request (bounded by the session's timeouts).
//
// BACK-PRESSURE (the one contract every producer follows). At most one send() is outstanding per
// exchange. Its completion runs once the transport no longer references any of its bytes: they
// were handed to the kernel, or encrypted or framed into the connection's own bounded buffer (TLS,
// HTTP/2), or the stream failed. Memory chunks must stay valid, and file descriptors open, until
// that completion, except memory chunks of at most kSendCopiesUpTo bytes: send() copies those
// before it returns, so their memory is the caller's again at once (a small response needs nothing
// kept alive, hence no completion). So the memory a connection can pin is what its handlers chose
// to hand over in one send each, and a handler produces more only when told to. On protocols with
// flow control (HTTP/2) the completion also waits for the peer's window: a stream whose client
// does not read stalls its own handler, not the connection's other streams.
// Completions never run inside send(); they run later on the loop.
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>

#include "base/executor.h"
#include "http/message.h"

namespace hs::http {

// One piece of a response body, by reference.
struct BodyChunk {
  enum class Kind : unsigned char { kMemory, kFile };
  Kind kind = Kind::kMemory;
  const char* data = nullptr;  // kMemory
  // kFile: read with sendfile()/pread() from `offset`. kMemory: -1, or the file whose bytes
  // from `offset` the memory holds (a cached copy); transports send the memory.
  int fd = -1;
  uint64_t offset = 0;
  uint64_t size = 0;  // bytes in this chunk

  static BodyChunk memory(const void* p, uint64_t n) {
    BodyChunk c;
    c.data = static_cast<const char*>(p);
    c.size = n;
    return c;
  }
  static BodyChunk memory(std::string_view s) { return memory(s.data(), s.size()); }
  static BodyChunk file(int fd, uint64_t offset, uint64_t n) {
    BodyChunk c;
    c.kind = Kind::kFile;
    c.fd = fd;
    c.offset = offset;
    c.size = n;
    return c;
  }
};

struct SendResult {
  bool ok = true;      // false: the connection failed; nothing more can be sent
  uint64_t bytes = 0;  // body bytes of this send accepted by the kernel
};
using SendCompletion = std::function<void(SendResult)>;

// Memory chunks of at most this many bytes are copied by send() (see BACK-PRESSURE); every
// transport keeps this promise.
inline constexpr uint64_t kSendCopiesUpTo = 512;

// Result of read_body(): n > 0 bytes were copied; kEnd: the body is complete; kPending: nothing is
// buffered yet, the ready callback runs once data, the end or an error is available; kError: the
// body can no longer be read (client gone, framing error, timeout).
enum : ssize_t { kBodyEnd = 0, kBodyPending = -1, kBodyError = -2 };

// State a handler keeps for one connection, across its requests (keep-alive), without learning
// anything about the protocol. See Exchange::connection_data().
class ConnectionData {
 public:
  virtual ~ConnectionData() = default;
  // The connection has closed, whatever the cause (client, timeout, reset, shutdown). Runs once,
  // on the loop thread, after the abort handlers of the connection's exchanges have run.
  virtual void connection_closed() = 0;
};

// What a handler may know of the connection that carries an exchange: for logs and for the
// server variables IIS gives modules (HTTPS, SERVER_PORT_SECURE, HTTP_VERSION, CERT_*). Views stay
// valid as long as the exchange.
struct ConnectionInfo {
  std::string_view protocol = "HTTP/1.1";  // "HTTP/1.0", "HTTP/1.1", "HTTP/2"
  bool secure = false;                     // TLS; the fields below are set only then
  std::string_view tls_version;            // "TLSv1.2", "TLSv1.3"
  std::string_view cipher;                 // OpenSSL's name, e.g. "TLS_AES_128_GCM_SHA256"
  int cipher_bits = 0;
  std::string_view server_name;     // SNI (empty: the client sent none)
  std::string_view alpn;            // "h2", "http/1.1" or empty
  std::string_view server_subject;  // the server certificate's, "C=.., O=.., CN=.."
  std::string_view server_issuer;
  // The client's certificate (DER), its subject, issuer, serial number ("0a-1b-..") and key
  // size; empty when none.
  std::string_view peer_certificate;
  std::string_view peer_subject;
  std::string_view peer_issuer;
  std::string_view peer_serial;
  int peer_key_bits = 0;
  bool peer_verified = false;  // the certificate chains to a configured authority
};

class Exchange {
 public:
  virtual const RequestHead& request() const = 0;

  // --- request body (pull) ---
  // Copies up to `cap` (> 0) bytes of the decoded request body. On kBodyPending, `ready` runs once
  // on the loop (never inside this call); then call read_body() again. The first read of a request
  // that sent `Expect: 100-continue` makes the session send `100 Continue`.
  virtual ssize_t read_body(char* dst, size_t cap, std::function<void()> ready) = 0;
  // Decoded body bytes not yet read, if the length is known (Content-Length); otherwise -1.
  virtual int64_t body_remaining() const = 0;

  // --- response ---
  // The response head; changes after headers_sent() no longer reach the wire.
  virtual ResponseHead& response() = 0;
  virtual bool headers_sent() const = 0;
  // Sends the head (on the first call) and `chunks`. `last` ends the response (and sends
  // response().trailers where the protocol can). The length is decided when the head goes out: a
  // Content-Length field set by the handler is enforced (a body that disagrees resets the stream);
  // else, when the first send is also the last, the length is computed and announced; else the
  // protocol delimits the body itself (ARCHITECTURE.md has HTTP/1's table). HEAD, 1xx, 204 and 304
  // send no body bytes. Fields that belong to the connection (Connection, Keep-Alive,
  // Transfer-Encoding, ...) are the protocol's: a handler's are dropped. Returns false (and runs
  // nothing) when called while another send is outstanding or after the last send: that is a
  // handler bug, logged by the session. It also returns false once the connection has failed or is
  // being reset: a race with a client that went away, not a bug; treat it as a failed send (the
  // abort handler follows, see LIFETIME).
  virtual bool send(std::span<const BodyChunk> chunks, bool last, SendCompletion done) = 0;
  // No further request is served on this connection after this one (HTTP/1: Connection: close,
  // also after the head is out, which then did not say so; HTTP/2: GOAWAY, the streams already
  // open finish).
  virtual void set_close_after() = 0;
  // Ends this exchange's stream now, abnormally: the client learns the response is incomplete
  // (HTTP/2: RST_STREAM; HTTP/1 carries one stream at a time, so its connection is reset). Other
  // streams of the connection go on. The abort handler runs (deferred).
  virtual void reset() = 0;
  // Drops the whole connection now (a TCP reset when possible), with every exchange on it. The
  // abort handler runs (deferred).
  virtual void close_connection() = 0;
  // Runs when the stream ends before the response is complete. See LIFETIME.
  virtual void set_abort_handler(std::function<void()> handler) = 0;
  // False once the exchange's stream has ended (reset, connection gone): sends can only fail.
  virtual bool connected() const = 0;

  // --- per-connection state ---
  // The slot for the handler's state of this exchange's connection: the same slot for every
  // exchange of one connection, empty until the handler fills it. The connection keeps one
  // reference and drops it (after calling connection_closed()) when it closes; the handler may
  // keep its own references past the exchange, so the object lives until the last one goes.
  // Every exchange of the connection shares it, whichever handler serves it (a router may pass
  // requests of one connection to different sites' handlers, and HTTP/2 runs several at once):
  // a handler keeps in it what is the connection's, keyed by itself if it must. Null when the
  // transport has no connection to offer (the default).
  virtual std::shared_ptr<ConnectionData>* connection_data() { return nullptr; }

  // --- environment ---
  // The connection's protocol and security (fixed for its life). Plain HTTP/1.1 by default.
  virtual const ConnectionInfo& connection_info() const;
  virtual Executor& executor() = 0;
  virtual std::string_view remote_address() const = 0;  // numeric host
  virtual uint16_t remote_port() const = 0;
  virtual std::string_view local_address() const = 0;
  virtual uint16_t local_port() const = 0;

 protected:
  ~Exchange() = default;
};

inline const ConnectionInfo& Exchange::connection_info() const {
  static const ConnectionInfo kPlain;
  return kPlain;
}

// A request handler. handle() runs on the exchange's loop and must not block: code that may
// block runs from tasks queued with Executor::defer_blocking() (base/blocking.h).
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void handle(Exchange& exchange) = 0;
};

}  // namespace hs::http
