#pragma once
// A connection's byte stream: what a session reads from and writes to, so that no session code
// touches a socket. PlainStream (below) is a non-blocking TCP socket; a TLS stream encrypts over
// one; tests use an in-memory stream (tests/support/memory_stream.h).
//
// READINESS. A stream tells its listener, on the loop that holds the connection, that it may have
// become readable or writable (edge-triggered, like epoll's EPOLLET): after a read that stopped
// short of what the stream holds, or a write that would block, the listener hears again only once
// something changed. So a reader reads until read() says kWouldBlock, or until a short read when
// short_read_drains() says that proves the stream empty (plain TCP: the kernel had no more; TLS:
// never, a library may hold decrypted records above the socket).
//
// LIFETIME. The stream belongs to one session, on one loop; every call is made by the thread that
// holds that loop. Like any watcher, it is destroyed only from a deferred task, a timer or its own
// event (ARCHITECTURE.md): close() first, then the owner deletes it later.
#include <sys/types.h>
#include <sys/uio.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace hs::io {

class EventLoop;

// What a stream reports to its listener (any combination).
enum Readiness : uint32_t {
  kReadable = 1u << 0,    // bytes (or the end, or an error) may be read
  kWritable = 1u << 1,    // a write that would have blocked may now go on
  kPeerClosed = 1u << 2,  // the peer closed its side or the connection failed: read to the end,
                          // the last bytes sit in front of the end
};

// TLS facts of a secured stream, fixed once its handshake is done. Empty on plain streams.
struct TlsFacts {
  std::string version;      // "TLSv1.3"
  std::string cipher;       // "TLS_AES_256_GCM_SHA384"
  int cipher_bits = 0;      // secret bits of the cipher
  std::string server_name;  // SNI the client sent (empty: none)
  std::string alpn;         // the protocol agreed by ALPN ("h2", "http/1.1"; empty: none)
  bool session_reused = false;
  // The server certificate's subject and issuer ("C=US, O=Example, CN=www.example.com").
  std::string server_subject;
  std::string server_issuer;
  // The client's certificate (DER), its subject, issuer, serial ("0a-1b-...") and key size;
  // empty when it sent none. `peer_verified`: it chains to a configured authority.
  std::string peer_certificate;
  std::string peer_subject;
  std::string peer_issuer;
  std::string peer_serial;
  int peer_key_bits = 0;
  bool peer_verified = false;
};

// Where a stream's connection runs between, and how it is protected.
struct StreamFacts {
  std::string remote_host;  // numeric
  uint16_t remote_port = 0;
  std::string local_host;
  uint16_t local_port = 0;
  bool secure = false;  // TLS (the facts below)
  TlsFacts tls;
};

class Stream {
 public:
  class Listener {
   public:
    // `readiness`: Readiness bits. Runs on the loop thread, never inside a Stream call.
    virtual void on_ready(uint32_t readiness) = 0;

   protected:
    ~Listener() = default;
  };

  // Results of read(), write() and write_file() below 0.
  enum : ssize_t {
    kWouldBlock = -1,  // nothing now; readiness follows
    kFailed = -2,      // the stream is broken (peer reset, protocol error): close it
    kFileShort = -3,   // write_file(): the file ended before the range did
  };

  virtual ~Stream() = default;

  // Starts reporting readiness to `listener` (false: it cannot, close the stream). At once the
  // listener should try to read: nothing is reported for what arrived before attach().
  virtual bool attach(Listener* listener) = 0;

  // > 0: bytes read into dst; 0: the peer ended the stream (clean end); kWouldBlock; kFailed.
  virtual ssize_t read(char* dst, size_t cap) = 0;
  // Whether a read() that returned fewer bytes than asked proves the stream empty for now (see
  // READINESS). False: read again until kWouldBlock.
  virtual bool short_read_drains() const = 0;

  // Writes from `iov` (count > 0); `more`: further bytes follow at once (a file range), so the
  // transport may hold a partial segment back. > 0: bytes taken (maybe fewer than offered);
  // kWouldBlock (kWritable follows); kFailed.
  virtual ssize_t write(const iovec* iov, int count, bool more) = 0;
  // Writes up to `len` bytes of file `fd` from `offset` without copying them where the stream can
  // (sendfile); else reads them into its own buffer. As write(), or kFileShort.
  virtual ssize_t write_file(int fd, uint64_t offset, uint64_t len) = 0;

  // One piece of what write_pieces() sends: memory (`data` set) or a file range (`data` null).
  struct Piece {
    const char* data;
    int fd;
    uint64_t offset;
    size_t len;
  };
  // Whether write_pieces() is the better way to send a run of memory and file pieces (a stream
  // that must pass file bytes through user space anyway, like TLS without kTLS: one call fills
  // a batch across pieces). False: write() and write_file() per kind, as the kernel can send
  // files without a copy.
  virtual bool gathers_pieces() const { return false; }
  // Writes from `pieces` (count > 0) in order, across piece boundaries: > 0 bytes taken from
  // the front (maybe ending inside a piece); kWouldBlock; kFailed; kFileShort when the first
  // piece is a file that ended before its range did. Offered again after kWouldBlock, the same
  // pieces come first, as with write(). Only when gathers_pieces().
  virtual ssize_t write_pieces(const Piece* pieces, int count) {
    (void)pieces;
    (void)count;
    return kFailed;
  }

  // No more bytes will be written: an orderly end of our direction (TLS: close_notify, then FIN),
  // reading goes on. Best effort.
  virtual void shutdown_write() = 0;
  // Stops reporting and releases the connection. `abortive`: the peer must not take what it got
  // for complete: a TCP reset rather than a FIN. Idempotent.
  virtual void close(bool abortive) = 0;

  virtual const StreamFacts& facts() const = 0;
};

// A non-blocking TCP socket, registered edge-triggered with `loop`. Takes over `fd` (closed with
// the stream).
class PlainStream final : public Stream {
 public:
  PlainStream(EventLoop& loop, int fd);
  ~PlainStream() override;
  PlainStream(const PlainStream&) = delete;
  PlainStream& operator=(const PlainStream&) = delete;

  bool attach(Listener* listener) override;
  ssize_t read(char* dst, size_t cap) override;
  bool short_read_drains() const override { return true; }
  ssize_t write(const iovec* iov, int count, bool more) override;
  ssize_t write_file(int fd, uint64_t offset, uint64_t len) override;
  void shutdown_write() override;
  void close(bool abortive) override;
  const StreamFacts& facts() const override { return facts_; }

  int fd() const { return fd_; }

 private:
  class Watch;
  EventLoop& loop_;
  int fd_;
  bool registered_ = false;
  Listener* listener_ = nullptr;
  StreamFacts facts_;
  Watch* watch_ = nullptr;  // owned (a unique_ptr of an incomplete type would need a .h include)
};

// Fills the address part of `facts` from a connected socket.
void fill_socket_facts(int fd, StreamFacts* facts);

// Socket-level helpers every TCP-based stream shares.
// write(): send/sendmsg with MSG_NOSIGNAL (MSG_MORE when `more`); results as Stream::write().
ssize_t socket_write(int fd, const iovec* iov, int count, bool more);
// sendfile(); results as Stream::write_file().
ssize_t socket_sendfile(int sock, int fd, uint64_t offset, uint64_t len);
// read with recv(); results as Stream::read().
ssize_t socket_read(int fd, char* dst, size_t cap);
// SO_LINGER {1, 0}: close() then sends a reset.
void socket_set_abortive(int fd);

}  // namespace hs::io
