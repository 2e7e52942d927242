#pragma once
// TLS with OpenSSL 3: a server context per listener (certificates chosen by SNI, ALPN, session
// tickets with rotating keys, client certificates) and TlsStream, the io::Stream that encrypts
// over a TCP socket.
//
// POLICY. TLS 1.2 and 1.3 only. TLS 1.2 suites are ECDHE with AES-GCM or ChaCha20-Poly1305 (the
// server's order); TLS 1.3 suites are OpenSSL's defaults (all AEAD). No compression, no
// renegotiation. Session resumption by tickets only (no server-side cache): ticket keys are
// random per process, rotated every kTicketKeyLifetimeS; tickets made under the previous key are
// still accepted (and renewed) for one more period.
//
// kTLS. Where the kernel offers kernel TLS for sending (OpenSSL's SSL_OP_ENABLE_KTLS, checked
// per connection after the handshake), file ranges go out with SSL_sendfile, without a copy to
// user space; elsewhere (this is decided at run time, per connection) they are read with pread
// straight into the buffer SSL_write encrypts from, kBatch bytes at a time.
//
// BATCHED WRITES. Without kTLS, OpenSSL writes each 16 KiB record with its own syscall, and on a
// big response the per-send costs of the kernel (a wake-up of the reader per send, the TCP
// segmentation and loopback delivery) cost more than the encryption. So after the handshake the
// write side is a BIO of ours that gathers the records of one write() (up to kBatch bytes of
// plaintext) in a buffer of the loop's, sent with one syscall. Ciphertext the socket does not take
// stays with the stream and the write() reports kWouldBlock; offered again (as every caller does
// after kWouldBlock), it first sends that rest and then reports the bytes as taken. So a write
// that returned > 0 is in the socket, as on a plain stream, and nothing is left behind when the
// caller is done.
#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "io/stream.h"

namespace hs::io {

class EventLoop;

// What a client certificate is to a site (IIS's sslFlags: SslNegotiateCert / SslRequireCert).
enum class ClientCertMode : unsigned char {
  kIgnore,   // none is asked for
  kAccept,   // asked for; the handshake goes on without one or with one that does not verify
  kRequire,  // asked for; the handshake fails without one that verifies against the CA file
};

// One certificate with its key, for the names it holds (SNI).
struct TlsCertificate {
  std::string cert_file;  // PEM: the certificate, then its chain
  std::string key_file;   // PEM private key
  // Names an SNI value is matched against (exact, or "*.example.com" for one label); empty:
  // taken from the certificate (subjectAltName DNS names, else the common name).
  std::vector<std::string> names;
  ClientCertMode client_certs = ClientCertMode::kIgnore;
  std::string client_ca_file;  // PEM authorities a client certificate must chain to
};

struct TlsSettings {
  // The first is the default (no SNI, or an SNI no certificate names).
  std::vector<TlsCertificate> certificates;
  // ALPN protocols offered, in the server's order of preference ("h2", "http/1.1").
  std::vector<std::string> alpn = {"http/1.1"};
  bool ktls = true;  // use kernel TLS where the kernel offers it
};

// An SSL_CTX per certificate, shared by every worker (OpenSSL's contexts are thread-safe once
// built). Built once at start; immutable afterwards except for the ticket keys (a mutex).
class TlsContext {
 public:
  // Null with *error naming the file or the cause.
  static std::shared_ptr<TlsContext> create(const TlsSettings& settings, std::string* error);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // A new server-side SSL for an accepted socket (the default certificate; SNI may switch it).
  SSL* new_ssl() const;
  const TlsSettings& settings() const { return settings_; }

  static constexpr int64_t kTicketKeyLifetimeS = 12 * 3600;

 private:
  friend struct TlsCallbacks;
  friend class TlsStream;
  TlsContext() = default;
  struct Entry {
    SSL_CTX* ctx = nullptr;
    std::vector<std::string> names;  // lower case
    ClientCertMode client_certs = ClientCertMode::kIgnore;
    std::string subject;  // the certificate's (HTTPS_SERVER_SUBJECT)
    std::string issuer;
  };
  const Entry* entry_for(std::string_view server_name) const;
  const Entry* entry_of(const SSL_CTX* ctx) const;

  TlsSettings settings_;
  std::vector<Entry> entries_;

  // Ticket keys: [0] current, [1] previous.
  struct TicketKey {
    unsigned char name[16];
    unsigned char aes[32];
    unsigned char hmac[32];
    int64_t created_s = 0;
  };
  mutable std::mutex ticket_mu_;
  mutable TicketKey ticket_keys_[2];
  mutable bool have_previous_ = false;
  void rotate_if_due(int64_t now_s) const;  // under ticket_mu_
};

// A TLS server stream over a connected non-blocking socket. The handshake runs first
// (handshake()); read() and write() are valid once it is done.
class TlsStream final : public Stream {
 public:
  TlsStream(EventLoop& loop, int fd, std::shared_ptr<const TlsContext> ctx);
  ~TlsStream() override;
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  enum class Handshake { kDone, kPending, kFailed };
  // Advances the handshake; kPending: readiness follows. kFailed: error() says why.
  Handshake handshake();
  const std::string& error() const { return error_; }
  bool ktls_send() const { return ktls_send_; }

  bool attach(Listener* listener) override;
  ssize_t read(char* dst, size_t cap) override;
  // True when OpenSSL's last read from the socket came back short (the socket was drained) and
  // OpenSSL holds no bytes of its own: then a short read() needs no further read for EAGAIN.
  bool short_read_drains() const override;
  ssize_t write(const iovec* iov, int count, bool more) override;
  ssize_t write_file(int fd, uint64_t offset, uint64_t len) override;
  // Batched writes gather memory and file pieces into one batch (no kTLS: the file bytes pass
  // through user space anyway).
  bool gathers_pieces() const override { return batched_; }
  ssize_t write_pieces(const Piece* pieces, int count) override;
  void shutdown_write() override;
  void close(bool abortive) override;
  const StreamFacts& facts() const override { return facts_; }

  // OpenSSL reads the socket through this (the read BIO io/tls.cc sets up): a socket BIO's
  // read that also notes whether the socket was drained. Not for other callers.
  static int bio_read(BIO* bio, char* buf, size_t len, size_t* got);

  // The record size plaintext is written in (OpenSSL's default maximum fragment).
  static constexpr size_t kRecord = 16 * 1024;
  // Plaintext encrypted per write() at most, sent with one syscall: 32 records. Measured on
  // HTTPS/1.1 1 MiB (bench/h2.py https1m, per server core, ÷ h2o): a record per send 0.76,
  // 4 records 0.91, 16 1.11, 32 1.25, 64 1.20.
  static constexpr size_t kBatch = 32 * kRecord;
  // The write BIO's (see BATCHED WRITES); not for other callers.
  static int bio_write(BIO* bio, const char* buf, size_t len, size_t* put);
  static long bio_ctrl(BIO* bio, int cmd, long num, void* ptr);

 private:
  class Watch;
  void fill_tls_facts();
  ssize_t write_bytes(const char* p, size_t n);
  // Encrypts p[0, n) (n from batch_size(), after settle()) and sends it; as write().
  ssize_t write_batched(const char* p, size_t n);
  // Before a batched write of `offered` bytes: sends the rest of an earlier one. 0: clear to
  // write; > 0: the bytes of the write the rest belonged to, now taken (the caller's retry);
  // kWouldBlock; kFailed (also for good once a send failed).
  ssize_t settle(size_t offered);
  // Sends the ciphertext held (the stream's rest, then the thread's batch) with one writev; what
  // the socket does not take becomes the stream's rest. 1: nothing left; 0: a rest remains (the
  // socket said EAGAIN: writability follows); -1: the socket failed (error_ set).
  int flush_out();
  // How much of `offered` plaintext one batched write takes: at most kBatch, and for more than
  // two records no more than the socket's send buffer has room for (at least a record).
  size_t batch_size(size_t offered) const;
  ssize_t fail_with(const char* what);

  EventLoop& loop_;
  int fd_;
  std::shared_ptr<const TlsContext> ctx_;
  SSL* ssl_ = nullptr;
  bool registered_ = false;
  Listener* listener_ = nullptr;
  Watch* watch_ = nullptr;
  StreamFacts facts_;
  std::string error_;
  bool ktls_send_ = false;
  bool batched_ = false;  // the write side is the batching BIO (no kTLS)
  // Ciphertext the socket has not taken yet (BATCHED WRITES), from rest_off_ on; and the
  // plaintext bytes of the write() it came from, reported when the rest is out.
  std::string rest_;
  size_t rest_off_ = 0;
  size_t owed_ = 0;
  size_t batch_len_ = 0;  // bytes in the loop's record scratch, inside one call (always 0 between)
  bool shut_after_rest_ = false;  // shutdown_write() waits for the rest to go out
  bool broken_ = false;           // a send failed: every later write fails
  bool recv_short_ = false;       // the socket's last recv returned less than asked (or nothing)
  // An SSL_read/SSL_write that needs the other direction (a TLS 1.3 key update, a handshake
  // message): the matching readiness is reported for both.
  bool read_wants_write_ = false;
  bool write_wants_read_ = false;
  // Plaintext a write() assembled and SSL_write has not accepted yet: the retry after
  // kWouldBlock must offer the same bytes first (they are rebuilt from the caller's, which has
  // not advanced), so only its length matters here.
  std::unique_ptr<char[]> wbuf_;
  // write_file()'s last read, kept for the retry (same fd and offset: not read again).
  int file_fd_ = -1;
  uint64_t file_offset_ = 0;
  size_t file_len_ = 0;
};

// Loads the OpenSSL error queue into a message (and clears it).
std::string openssl_error_string();

}  // namespace hs::io
