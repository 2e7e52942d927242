#pragma once
// The protocol-neutral request/response exchange: the only thing a handler (the static-file
// handler, the IIS module pipeline) sees of a connection. HTTP/1.1 implements it today; HTTP/2
// streams will implement the same interface, so handlers never learn which protocol carries them.
//
// THREADING. An exchange belongs to one event loop. Every method must be called by the thread that
// holds that loop (executor().in_executor_thread(); base/blocking.h); work from other threads
// comes back through executor().post().
//
// LIFETIME. The session creates the exchange and calls Handler::handle(). The exchange stays valid
// until exactly one of these has happened:
//   - the completion of the send() with last=true has run (the exchange is destroyed right after
//     that completion returns), or
//   - the abort handler has run (the connection failed before the response was complete; any send
//     completion still pending runs first, with ok=false).
// A handler must eventually call send(..., last=true) or abort(); until then the connection keeps
// the request (bounded by the session's timeouts).
//
// BACK-PRESSURE (the one contract every producer follows). At most one send() is outstanding per
// exchange. Its completion runs once every byte of it has been handed to the kernel (or the
// connection failed). Memory chunks must stay valid, and file descriptors open, until that
// completion, except memory chunks of at most kSendCopiesUpTo bytes: send() copies those before
// it returns, so their memory is the caller's again at once (a small response needs nothing kept
// alive, hence no completion). So the memory a connection can pin is what its handler chose to
// hand over in one send, and the handler produces more only when told to.
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
  // Sends the head (on the first call) and `chunks`. `last` ends the response. Framing is decided
  // when the head goes out: a Content-Length header set by the handler is enforced (a body that
  // disagrees resets the connection); else, when the first send is also the last, the length is
  // computed; else chunked on HTTP/1.1, close-delimited on HTTP/1.0. HEAD, 1xx, 204 and 304 send
  // no body bytes. Returns false (and runs nothing) when called while another send is outstanding
  // or after the last send: that is a handler bug, logged by the session. It also returns false
  // once the connection has failed or is being reset: a race with a client that went away, not a
  // bug; treat it as a failed send (the abort handler follows, see LIFETIME).
  virtual bool send(std::span<const BodyChunk> chunks, bool last, SendCompletion done) = 0;
  // Closes the connection after this response even if keep-alive was possible. Also after the
  // head is out (it then did not say so): no later request on the connection is served.
  virtual void set_close_after() = 0;
  // Drops the connection now (a reset when possible). The abort handler runs (deferred).
  virtual void abort() = 0;
  // Runs when the connection fails before the response is complete. See LIFETIME.
  virtual void set_abort_handler(std::function<void()> handler) = 0;
  virtual bool connected() const = 0;

  // --- per-connection state ---
  // The slot for the handler's state of this exchange's connection: the same slot for every
  // exchange of one connection, empty until the handler fills it. The connection keeps one
  // reference and drops it (after calling connection_closed()) when it closes; the handler may
  // keep its own references past the exchange, so the object lives until the last one goes.
  // One handler serves a connection, so the slot is its alone. Null when the transport has no
  // connection to offer (the default).
  virtual std::shared_ptr<ConnectionData>* connection_data() { return nullptr; }

  // --- environment ---
  virtual Executor& executor() = 0;
  virtual std::string_view remote_address() const = 0;  // numeric host
  virtual uint16_t remote_port() const = 0;
  virtual std::string_view local_address() const = 0;
  virtual uint16_t local_port() const = 0;

 protected:
  ~Exchange() = default;
};

// A request handler. handle() runs on the exchange's loop and must not block: code that may
// block runs from tasks queued with Executor::defer_blocking() (base/blocking.h).
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void handle(Exchange& exchange) = 0;
};

}  // namespace hs::http
