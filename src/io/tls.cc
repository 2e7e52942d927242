#include "io/tls.h"

#include <linux/sockios.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "base/log.h"
#include "base/metrics.h"
#include "io/event_loop.h"

namespace hs::io {
namespace {

constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// TLS 1.3 in the server's order (SSL_OP_CIPHER_SERVER_PREFERENCE), as Mozilla's recommended
// configurations order them: AES-128-GCM first (as strong as needed, and cheaper per byte than
// AES-256, which a client's own order would often pick), ChaCha20 for clients without AES
// instructions still offered.
constexpr const char* kTls13Ciphers =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o)
    c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return o;
}

bool name_matches(std::string_view pattern, std::string_view host) {
  if (pattern == host) return true;
  // "*.example.com" matches exactly one label in front of "example.com".
  if (pattern.size() > 2 && pattern.substr(0, 2) == "*.") {
    std::string_view suffix = pattern.substr(1);
    if (host.size() > suffix.size() && host.substr(host.size() - suffix.size()) == suffix) {
      std::string_view label = host.substr(0, host.size() - suffix.size());
      return label.find('.') == std::string_view::npos;
    }
  }
  return false;
}

std::string name_string(X509_NAME* name) {
  if (name == nullptr) return {};
  BIO* b = BIO_new(BIO_s_mem());
  // "C=US, O=Example, CN=www.example.com": IIS's CERT_SUBJECT form (forward order, ", ").
  X509_NAME_print_ex(b, name, 0, XN_FLAG_SEP_CPLUS_SPC | ASN1_STRFLGS_RFC2253);
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  std::string s(data, static_cast<size_t>(n > 0 ? n : 0));
  BIO_free(b);
  return s;
}

std::vector<std::string> certificate_names(X509* x) {
  std::vector<std::string> names;
  auto* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
  if (sans != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
      const GENERAL_NAME* g = sk_GENERAL_NAME_value(sans, i);
      if (g->type != GEN_DNS) continue;
      const unsigned char* d = ASN1_STRING_get0_data(g->d.dNSName);
      names.push_back(
          lower(std::string_view(reinterpret_cast<const char*>(d),
                                 static_cast<size_t>(ASN1_STRING_length(g->d.dNSName)))));
    }
    GENERAL_NAMES_free(sans);
  }
  if (names.empty()) {
    char cn[256];
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn)) > 0) {
      names.push_back(lower(cn));
    }
  }
  return names;
}

int ex_index() {
  static int idx = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return idx;
}

}  // namespace

std::string openssl_error_string() {
  std::string out;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown TLS error" : out;
}

// The OpenSSL callbacks, with access to TlsContext's internals.
struct TlsCallbacks {
  static const TlsContext* of(SSL* ssl) {
    return static_cast<const TlsContext*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ex_index()));
  }

  // SNI: switch to the certificate naming the host, with its client-certificate mode.
  static int servername(SSL* ssl, int*, void*) {
    const TlsContext* t = of(ssl);
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (t == nullptr || name == nullptr) return SSL_TLSEXT_ERR_OK;
    const TlsContext::Entry* e = t->entry_for(lower(name));
    if (e != nullptr && e->ctx != SSL_get_SSL_CTX(ssl)) {
      SSL_set_SSL_CTX(ssl, e->ctx);
      SSL_set_verify(ssl, SSL_CTX_get_verify_mode(e->ctx), SSL_CTX_get_verify_callback(e->ctx));
    }
    return SSL_TLSEXT_ERR_OK;
  }

  // ALPN: the server's preference among what the client offers; none in common: no ALPN (the
  // connection speaks HTTP/1.1).
  static int alpn(SSL* ssl, const unsigned char** out, unsigned char* outlen,
                  const unsigned char* in, unsigned int inlen, void*) {
    const TlsContext* t = of(ssl);
    if (t == nullptr) return SSL_TLSEXT_ERR_NOACK;
    // The server's order of preference decides among what the client offers (both lists in
    // wire format: a length byte, then the name).
    for (const std::string& want : t->settings_.alpn) {
      for (unsigned i = 0; i < inlen;) {
        unsigned len = in[i];
        if (i + 1 + len > inlen) break;  // malformed: ignore the rest
        if (len == want.size() && memcmp(in + i + 1, want.data(), len) == 0) {
          *out = in + i + 1;
          *outlen = static_cast<unsigned char>(len);
          return SSL_TLSEXT_ERR_OK;
        }
        i += 1 + len;
      }
    }
    return SSL_TLSEXT_ERR_NOACK;
  }

  // Accepts any client certificate in kAccept mode (the request sees whether it verified).
  static int verify_accept(int, X509_STORE_CTX*) { return 1; }

  static int ticket_key(SSL* ssl, unsigned char* key_name, unsigned char* iv, EVP_CIPHER_CTX* cctx,
                        EVP_MAC_CTX* hctx, int enc) {
    const TlsContext* t = of(ssl);
    if (t == nullptr) return -1;
    std::lock_guard<std::mutex> lock(t->ticket_mu_);
    t->rotate_if_due(static_cast<int64_t>(time(nullptr)));
    const TlsContext::TicketKey* k = nullptr;
    int ret = 1;
    if (enc == 1) {
      k = &t->ticket_keys_[0];
      memcpy(key_name, k->name, sizeof(k->name));
      if (RAND_bytes(iv, EVP_MAX_IV_LENGTH) <= 0) return -1;
    } else {
      if (memcmp(key_name, t->ticket_keys_[0].name, 16) == 0) {
        k = &t->ticket_keys_[0];
      } else if (t->have_previous_ && memcmp(key_name, t->ticket_keys_[1].name, 16) == 0) {
        k = &t->ticket_keys_[1];
        ret = 2;  // valid, but renew it under the current key
      } else {
        return 0;  // unknown (expired) key: a full handshake
      }
    }
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, const_cast<unsigned char*>(k->hmac),
                                          sizeof(k->hmac)),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
        OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(hctx, params) != 1) return -1;
    int ok = enc == 1 ? EVP_EncryptInit_ex(cctx, EVP_aes_256_cbc(), nullptr, k->aes, iv)
                      : EVP_DecryptInit_ex(cctx, EVP_aes_256_cbc(), nullptr, k->aes, iv);
    return ok == 1 ? ret : -1;
  }
};

void TlsContext::rotate_if_due(int64_t now_s) const {
  TicketKey& cur = ticket_keys_[0];
  if (cur.created_s != 0 && now_s - cur.created_s < kTicketKeyLifetimeS) return;
  if (cur.created_s != 0) {
    ticket_keys_[1] = cur;
    have_previous_ = true;
  }
  RAND_bytes(cur.name, sizeof(cur.name));
  RAND_bytes(cur.aes, sizeof(cur.aes));
  RAND_bytes(cur.hmac, sizeof(cur.hmac));
  cur.created_s = now_s;
}

std::shared_ptr<TlsContext> TlsContext::create(const TlsSettings& settings, std::string* error) {
  if (settings.certificates.empty()) {
    *error = "TLS needs a certificate and its key";
    return nullptr;
  }
  std::shared_ptr<TlsContext> t(new TlsContext());
  t->settings_ = settings;
  for (const TlsCertificate& c : settings.certificates) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    Entry e;
    e.ctx = ctx;
    e.client_certs = c.client_certs;
    t->entries_.push_back(e);  // freed with t from here on
    if (ctx == nullptr) {
      *error = "cannot create a TLS context: " + openssl_error_string();
      return nullptr;
    }
    SSL_CTX_set_ex_data(ctx, ex_index(), t.get());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
    uint64_t opts =
        SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE;
    if (settings.ktls) opts |= SSL_OP_ENABLE_KTLS;
    SSL_CTX_set_options(ctx, opts);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                              SSL_MODE_RELEASE_BUFFERS);
    // One recv takes what the socket holds (several records) instead of a record header, then
    // its body, each time: fewer syscalls per batch of small HTTP/2 frames.
    SSL_CTX_set_read_ahead(ctx, 1);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);  // tickets only
    SSL_CTX_set_num_tickets(ctx, 1);
    SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, TlsCallbacks::ticket_key);
    if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 ||
        SSL_CTX_set_ciphersuites(ctx, kTls13Ciphers) != 1) {
      *error = "TLS cipher list refused: " + openssl_error_string();
      return nullptr;
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, c.cert_file.c_str()) != 1) {
      *error = "cannot load the certificate '" + c.cert_file + "': " + openssl_error_string();
      return nullptr;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, c.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      bool mismatch = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
      *error = mismatch ? "the key '" + c.key_file + "' does not match the certificate '" +
                              c.cert_file + "'"
                        : "cannot load the key '" + c.key_file + "': " + openssl_error_string();
      ERR_clear_error();
      return nullptr;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
      *error = "the key '" + c.key_file + "' does not match the certificate '" + c.cert_file + "'";
      return nullptr;
    }
    X509* x = SSL_CTX_get0_certificate(ctx);
    Entry& stored = t->entries_.back();
    stored.subject = name_string(X509_get_subject_name(x));
    stored.issuer = name_string(X509_get_issuer_name(x));
    if (c.names.empty()) {
      stored.names = certificate_names(x);
    } else {
      for (const std::string& n : c.names)
        stored.names.push_back(lower(n));
    }
    if (c.client_certs != ClientCertMode::kIgnore) {
      if (!c.client_ca_file.empty()) {
        if (SSL_CTX_load_verify_locations(ctx, c.client_ca_file.c_str(), nullptr) != 1) {
          *error = "cannot load the client CA file '" + c.client_ca_file +
                   "': " + openssl_error_string();
          return nullptr;
        }
        SSL_CTX_set_client_CA_list(ctx, SSL_load_client_CA_file(c.client_ca_file.c_str()));
      } else if (c.client_certs == ClientCertMode::kRequire) {
        *error = "client certificates are required but no CA file says which to trust";
        return nullptr;
      }
      if (c.client_certs == ClientCertMode::kRequire) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, TlsCallbacks::verify_accept);
      }
      // Resumed sessions must not skip the check; a per-context id keeps them apart.
      static const unsigned char kSidCtx[] = "httpserv";
      SSL_CTX_set_session_id_context(ctx, kSidCtx, sizeof(kSidCtx) - 1);
    }
    SSL_CTX_set_tlsext_servername_callback(ctx, TlsCallbacks::servername);
    SSL_CTX_set_alpn_select_cb(ctx, TlsCallbacks::alpn, nullptr);
  }
  return t;
}

TlsContext::~TlsContext() {
  for (Entry& e : entries_)
    SSL_CTX_free(e.ctx);
}

SSL* TlsContext::new_ssl() const {
  return SSL_new(entries_.front().ctx);
}

const TlsContext::Entry* TlsContext::entry_for(std::string_view server_name) const {
  for (const Entry& e : entries_) {
    for (const std::string& n : e.names) {
      if (name_matches(n, server_name)) return &e;
    }
  }
  return nullptr;
}

const TlsContext::Entry* TlsContext::entry_of(const SSL_CTX* ctx) const {
  for (const Entry& e : entries_) {
    if (e.ctx == ctx) return &e;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------

class TlsStream::Watch final : public EventLoop::Watcher {
 public:
  explicit Watch(TlsStream& s) : s_(s) {}
  void on_io(uint32_t events) override {
    if (s_.listener_ == nullptr) return;
    uint32_t r = 0;
    if (events & EPOLLIN) r |= kReadable;
    if (events & EPOLLOUT) r |= kWritable;
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) r |= kPeerClosed | kReadable;
    // A read that waited for the socket to take bytes (or the reverse) goes on now.
    if ((r & kWritable) && s_.read_wants_write_) r |= kReadable;
    if ((r & kReadable) && s_.write_wants_read_) r |= kWritable;
    // Ciphertext a write left behind goes out now, whether or not the listener writes again
    // (it may be a TLS message of OpenSSL's own, or the close_notify of shutdown_write()).
    if ((r & kWritable) && s_.rest_off_ < s_.rest_.size()) s_.flush_out();
    s_.listener_->on_ready(r);
  }

 private:
  TlsStream& s_;
};

namespace {

// The read side of the socket as OpenSSL sees it: a socket BIO's reads (TlsStream::bio_read) that
// also tell the stream whether the socket was drained. Writes keep OpenSSL's socket BIO, through
// which kTLS sends.
BIO_METHOD* read_method() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m =
        BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "httpserv socket reads");
    BIO_meth_set_read_ex(m, TlsStream::bio_read);
    BIO_meth_set_ctrl(m, [](BIO*, int cmd, long, void*) -> long {
      return cmd == BIO_CTRL_FLUSH ? 1 : 0;  // nothing to flush; no kTLS receive
    });
    BIO_meth_set_create(m, [](BIO* b) {
      BIO_set_init(b, 1);
      return 1;
    });
    return m;
  }();
  return method;
}

// The write side after the handshake (without kTLS): TlsStream::bio_write gathers records.
BIO_METHOD* write_method() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m =
        BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "httpserv batched writes");
    BIO_meth_set_write_ex(m, TlsStream::bio_write);
    BIO_meth_set_ctrl(m, TlsStream::bio_ctrl);
    BIO_meth_set_create(m, [](BIO* b) {
      BIO_set_init(b, 1);
      return 1;
    });
    return m;
  }();
  return method;
}

// The loop's scratch slots a batched write uses (EventLoop::scratch): the records of the current
// call (empty between calls: flush_out() empties them into the socket or the stream's rest) and
// the plaintext gathered or read from a file (a write OpenSSL has taken never needs it again).
constexpr int kCipherSlot = 0;
constexpr int kPlainSlot = 1;
constexpr size_t kCipherCap = TlsStream::kBatch + 16 * 1024;  // + record headers and tags

}  // namespace

int TlsStream::bio_write(BIO* bio, const char* buf, size_t len, size_t* put) {
  auto* s = static_cast<TlsStream*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  *put = 0;
  if (s == nullptr || s->fd_ < 0) return 0;
  char* batch = s->loop_.scratch(kCipherSlot, kCipherCap);
  if (s->batch_len_ + len > kCipherCap) {
    // More than a batch in one call (OpenSSL's own messages after a full batch): the batch so far
    // and these bytes join the stream's rest, in order. Bounded: a write adds at most a batch.
    if (s->rest_off_ > 0) {
      s->rest_.erase(0, s->rest_off_);
      s->rest_off_ = 0;
    }
    s->rest_.append(batch, s->batch_len_);
    s->rest_.append(buf, len);
    s->batch_len_ = 0;
  } else {
    memcpy(batch + s->batch_len_, buf, len);
    s->batch_len_ += len;
  }
  *put = len;
  return 1;
}

long TlsStream::bio_ctrl(BIO* bio, int cmd, long, void*) {
  auto* s = static_cast<TlsStream*>(BIO_get_data(bio));
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      // What the socket does not take now is held by the stream and sent on writability.
      return s != nullptr && s->flush_out() >= 0 ? 1 : 0;
    case BIO_CTRL_WPENDING:
      return s != nullptr ? static_cast<long>(s->rest_.size() - s->rest_off_ + s->batch_len_) : 0;
    default:
      return 0;
  }
}

int TlsStream::flush_out() {
  size_t rest = rest_.size() - rest_off_;
  size_t total = rest + batch_len_;
  if (total == 0) return 1;
  char* batch = loop_.scratch(kCipherSlot, kCipherCap);
  size_t sent = 0;
  bool failed = false;
  while (sent < total && fd_ >= 0) {
    iovec iov[2];
    int n = 0;
    if (sent < rest) iov[n++] = {rest_.data() + rest_off_ + sent, rest - sent};
    size_t b = sent > rest ? sent - rest : 0;
    if (b < batch_len_) iov[n++] = {batch + b, batch_len_ - b};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(n);
    ssize_t w = sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (w >= 0) {
      sent += static_cast<size_t>(w);
      continue;  // a short send: the next one says EAGAIN, so that writability is reported
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) {
      failed = true;
      error_ = std::string("TLS write: ") + strerror(errno);
    }
    break;
  }
  if (failed || fd_ < 0) {
    // Broken for good: a write whose rest is lost is not taken (owed_ is dropped), and every
    // later write says so.
    broken_ = true;
    rest_.clear();
    rest_off_ = 0;
    batch_len_ = 0;
    owed_ = 0;
    return -1;
  }
  if (sent < rest) {
    rest_off_ += sent;
    rest_.append(batch, batch_len_);
  } else {
    size_t b = sent - rest;
    rest_.clear();
    rest_off_ = 0;
    if (b < batch_len_) rest_.assign(batch + b, batch_len_ - b);
  }
  batch_len_ = 0;
  if (rest_.empty()) {
    rest_.shrink_to_fit();  // a stalled connection's rest is not kept once it is out
    if (shut_after_rest_) {
      shut_after_rest_ = false;
      ::shutdown(fd_, SHUT_WR);  // shutdown_write(), which waited for the rest
    }
    return 1;
  }
  return 0;
}

size_t TlsStream::batch_size(size_t offered) const {
  size_t chunk = std::min(offered, kBatch);
  if (chunk <= 2 * kRecord) return chunk;
  // Not more than the socket has room for (at least a record): what it does not take is held by
  // the stream until it does, and a stalled client should not hold a batch of it. SO_SNDBUF is
  // what the kernel charges buffers against, overhead included (it doubles what is set for
  // that); SIOCOUTQ counts payload only: half of the one, less the other, is on the safe side.
  int queued = 0;
  int sndbuf = 0;
  socklen_t l = sizeof(sndbuf);
  if (ioctl(fd_, SIOCOUTQ, &queued) != 0 ||
      getsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &sndbuf, &l) != 0) {
    return kRecord;
  }
  size_t room = sndbuf / 2 > queued ? static_cast<size_t>(sndbuf / 2 - queued) : 0;
  return std::min(chunk, std::max(room, kRecord));
}

int TlsStream::bio_read(BIO* bio, char* buf, size_t len, size_t* got) {
  auto* s = static_cast<TlsStream*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  *got = 0;
  if (s == nullptr || s->fd_ < 0) return 0;
  ssize_t n;
  do {
    n = ::recv(s->fd_, buf, len, 0);
  } while (n < 0 && errno == EINTR);
  s->recv_short_ = n < 0 || static_cast<size_t>(n) < len;
  if (n > 0) {
    *got = static_cast<size_t>(n);
    return 1;
  }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_read(bio);
  return 0;  // the end (n == 0), or an error with errno set, as a socket BIO reports them
}

bool TlsStream::short_read_drains() const {
  return recv_short_ && ssl_ != nullptr && SSL_has_pending(ssl_) == 0;
}

TlsStream::TlsStream(EventLoop& loop, int fd, std::shared_ptr<const TlsContext> ctx)
    : loop_(loop), fd_(fd), ctx_(std::move(ctx)) {
  fill_socket_facts(fd, &facts_);
  facts_.secure = true;
  ssl_ = ctx_->new_ssl();
  if (ssl_ != nullptr) {
    SSL_set_fd(ssl_, fd);
    if (BIO* r = BIO_new(read_method())) {
      BIO_set_data(r, this);
      SSL_set0_rbio(ssl_, r);  // the socket BIO stays the write side
    }
    SSL_set_accept_state(ssl_);
  }
}

TlsStream::~TlsStream() {
  close(false);
  delete watch_;
}

bool TlsStream::attach(Listener* listener) {
  listener_ = listener;
  if (registered_) return true;
  if (watch_ == nullptr) watch_ = new Watch(*this);
  if (fd_ < 0 || ssl_ == nullptr || !loop_.add(fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP, watch_)) {
    return false;
  }
  registered_ = true;
  return true;
}

TlsStream::Handshake TlsStream::handshake() {
  if (ssl_ == nullptr || fd_ < 0) {
    error_ = "no TLS state";
    return Handshake::kFailed;
  }
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_);
  if (r == 1) {
    fill_tls_facts();
    if (!ktls_send_) {
      // BATCHED WRITES from here on (kTLS keeps OpenSSL's socket BIO, which the kernel's
      // encryption is set up on).
      if (BIO* w = BIO_new(write_method())) {
        BIO_set_data(w, this);
        SSL_set0_wbio(ssl_, w);
        batched_ = true;
      }
    }
    base::metrics::add(base::metrics::kTlsHandshakes);
    if (facts_.tls.session_reused) base::metrics::add(base::metrics::kTlsResumptions);
    return Handshake::kDone;
  }
  int e = SSL_get_error(ssl_, r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return Handshake::kPending;
  if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
    error_ = errno != 0 ? strerror(errno) : "connection closed during the handshake";
  } else {
    error_ = openssl_error_string();
  }
  base::metrics::add(base::metrics::kTlsHandshakeFailures);
  return Handshake::kFailed;
}

void TlsStream::fill_tls_facts() {
  TlsFacts& t = facts_.tls;
  t.version = SSL_get_version(ssl_);
  const SSL_CIPHER* c = SSL_get_current_cipher(ssl_);
  if (c != nullptr) {
    t.cipher = SSL_CIPHER_get_name(c);
    t.cipher_bits = SSL_CIPHER_get_bits(c, nullptr);
  }
  if (const char* sni = SSL_get_servername(ssl_, TLSEXT_NAMETYPE_host_name)) t.server_name = sni;
  const unsigned char* alpn = nullptr;
  unsigned alpn_len = 0;
  SSL_get0_alpn_selected(ssl_, &alpn, &alpn_len);
  if (alpn != nullptr) t.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_len);
  t.session_reused = SSL_session_reused(ssl_) == 1;
  if (const TlsContext::Entry* e = ctx_->entry_of(SSL_get_SSL_CTX(ssl_))) {
    t.server_subject = e->subject;
    t.server_issuer = e->issuer;
  }
  if (X509* peer = SSL_get1_peer_certificate(ssl_)) {
    int n = i2d_X509(peer, nullptr);
    if (n > 0) {
      t.peer_certificate.resize(static_cast<size_t>(n));
      auto* p = reinterpret_cast<unsigned char*>(t.peer_certificate.data());
      i2d_X509(peer, &p);
    }
    t.peer_subject = name_string(X509_get_subject_name(peer));
    t.peer_issuer = name_string(X509_get_issuer_name(peer));
    if (const ASN1_INTEGER* serial = X509_get0_serialNumber(peer)) {
      static const char kHex[] = "0123456789abcdef";
      for (int i = 0; i < serial->length; ++i) {
        if (i > 0) t.peer_serial += '-';
        t.peer_serial += kHex[serial->data[i] >> 4];
        t.peer_serial += kHex[serial->data[i] & 15];
      }
    }
    if (EVP_PKEY* key = X509_get0_pubkey(peer)) t.peer_key_bits = EVP_PKEY_get_bits(key);
    t.peer_verified = SSL_get_verify_result(ssl_) == X509_V_OK;
    X509_free(peer);
  }
  ktls_send_ = BIO_get_ktls_send(SSL_get_wbio(ssl_)) != 0;
}

ssize_t TlsStream::fail_with(const char* what) {
  error_ = std::string(what) + ": " + openssl_error_string();
  return kFailed;
}

ssize_t TlsStream::read(char* dst, size_t cap) {
  if (ssl_ == nullptr || fd_ < 0) return kFailed;
  ERR_clear_error();
  size_t n = 0;
  read_wants_write_ = false;
  int ok = SSL_read_ex(ssl_, dst, cap, &n);
  int e = ok == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl_, 0);
  // A read may make OpenSSL write (an alert, a key update's answer): it goes out now, or on
  // writability.
  if (batched_ && batch_len_ > 0) {
    int saved = errno;  // SSL_ERROR_SYSCALL below reads it
    flush_out();
    errno = saved;
  }
  if (ok == 1) {
    base::metrics::add(base::metrics::kBytesIn, n);  // HTTP bytes, as on a plain stream
    return static_cast<ssize_t>(n);
  }
  switch (e) {
    case SSL_ERROR_WANT_READ:
      return kWouldBlock;
    case SSL_ERROR_WANT_WRITE:
      read_wants_write_ = true;
      return kWouldBlock;
    case SSL_ERROR_ZERO_RETURN:
      return 0;  // close_notify: a clean end
    case SSL_ERROR_SYSCALL:
      // The peer closed without close_notify: an end all the same for a server (the request's
      // own framing tells what was complete), as every HTTP server treats it.
      if (ERR_peek_error() == 0) {
        return errno == 0 || errno == ECONNRESET ? ssize_t{0} : ssize_t{kFailed};
      }
      return fail_with("TLS read");
    default:
      return fail_with("TLS read");
  }
}

ssize_t TlsStream::settle(size_t offered) {
  if (broken_) return kFailed;
  if (owed_ == 0 && rest_off_ == rest_.size()) return 0;
  // The retry must offer at least the bytes that were taken (the Stream contract: the same
  // bytes first); fewer is a caller's error that must not report bytes it does not have.
  if (owed_ > offered) {
    error_ = "TLS write: a retry offered fewer bytes than the blocked write";
    return kFailed;
  }
  int f = flush_out();
  if (f < 0) return kFailed;
  if (f == 0) return kWouldBlock;
  size_t n = owed_;
  owed_ = 0;
  if (n > 0) base::metrics::add(base::metrics::kBytesOut, n);
  return static_cast<ssize_t>(n);
}

ssize_t TlsStream::write_batched(const char* p, size_t chunk) {
  size_t done = 0;
  int e = SSL_ERROR_NONE;
  ERR_clear_error();
  write_wants_read_ = false;
  while (done < chunk) {  // SSL_MODE_ENABLE_PARTIAL_WRITE: a record per call
    size_t n = 0;
    if (SSL_write_ex(ssl_, p + done, chunk - done, &n) != 1) {
      e = SSL_get_error(ssl_, 0);
      break;
    }
    done += n;
  }
  int f = flush_out();
  if (f < 0) return kFailed;
  if (done > 0) {
    if (f == 0) {
      owed_ = done;  // reported by the retry, once the rest is out
      return kWouldBlock;
    }
    base::metrics::add(base::metrics::kBytesOut, done);
    return static_cast<ssize_t>(done);
  }
  if (e == SSL_ERROR_WANT_WRITE) return kWouldBlock;
  if (e == SSL_ERROR_WANT_READ) {
    write_wants_read_ = true;
    return kWouldBlock;
  }
  return fail_with("TLS write");
}

ssize_t TlsStream::write_bytes(const char* p, size_t len) {
  if (batched_) {
    if (ssize_t r = settle(len); r != 0) return r;
    return write_batched(p, batch_size(len));
  }
  ERR_clear_error();
  size_t n = 0;
  write_wants_read_ = false;
  if (SSL_write_ex(ssl_, p, len, &n) == 1) {
    base::metrics::add(base::metrics::kBytesOut, n);
    return static_cast<ssize_t>(n);
  }
  int e = SSL_get_error(ssl_, 0);
  if (e == SSL_ERROR_WANT_WRITE) return kWouldBlock;
  if (e == SSL_ERROR_WANT_READ) {
    write_wants_read_ = true;
    return kWouldBlock;
  }
  return fail_with("TLS write");
}

ssize_t TlsStream::write(const iovec* iov, int count, bool) {
  if (ssl_ == nullptr || fd_ < 0) return kFailed;
  // A large first piece is encrypted straight from the caller's memory; small pieces (a head, a
  // small body) are gathered into one record first, so that a response is not a record per
  // piece. Whatever is offered again after kWouldBlock starts with the same bytes.
  if (iov[0].iov_len >= kRecord || count == 1) {
    return write_bytes(static_cast<const char*>(iov[0].iov_base), iov[0].iov_len);
  }
  if (batched_) {
    size_t offered = 0;
    for (int i = 0; i < count; ++i)
      offered += iov[i].iov_len;
    if (ssize_t r = settle(offered); r != 0) return r;
    size_t want = batch_size(offered);
    char* buf = loop_.scratch(kPlainSlot, kBatch);
    size_t used = 0;
    for (int i = 0; i < count && used < want; ++i) {
      size_t k = std::min(iov[i].iov_len, want - used);
      memcpy(buf + used, iov[i].iov_base, k);
      used += k;
    }
    return write_batched(buf, used);
  }
  if (!wbuf_) wbuf_ = std::make_unique_for_overwrite<char[]>(kRecord);
  size_t used = 0;
  for (int i = 0; i < count && used < kRecord; ++i) {
    size_t k = std::min(iov[i].iov_len, kRecord - used);
    memcpy(wbuf_.get() + used, iov[i].iov_base, k);
    used += k;
  }
  return write_bytes(wbuf_.get(), used);
}

ssize_t TlsStream::write_file(int fd, uint64_t offset, uint64_t len) {
  if (ssl_ == nullptr || fd_ < 0) return kFailed;
  if (ktls_send_) {
    // The kernel encrypts: the file's pages go out without a copy through user space.
    ERR_clear_error();
    ossl_ssize_t n =
        SSL_sendfile(ssl_, fd, static_cast<off_t>(offset), std::min<uint64_t>(len, 1u << 30), 0);
    if (n > 0) {
      base::metrics::add(base::metrics::kBytesOut, static_cast<uint64_t>(n));
      return n;
    }
    if (n == 0) return kFileShort;
    int e = SSL_get_error(ssl_, static_cast<int>(n));
    if (e == SSL_ERROR_WANT_WRITE) return kWouldBlock;
    return fail_with("TLS sendfile");
  }
  if (batched_) {
    // Read straight into the buffer SSL_write encrypts from, a batch at a time. A retry after
    // kWouldBlock is answered by settle() (the bytes were taken) without a read.
    size_t offered = static_cast<size_t>(std::min<uint64_t>(len, SIZE_MAX));
    if (ssize_t r = settle(offered); r != 0) return r;
    char* buf = loop_.scratch(kPlainSlot, kBatch);
    size_t want = batch_size(offered);
    ssize_t r;
    do {
      r = pread(fd, buf, want, static_cast<off_t>(offset));
    } while (r < 0 && errno == EINTR);
    if (r < 0) return kFailed;
    if (r == 0) return kFileShort;
    return write_batched(buf, static_cast<size_t>(r));
  }
  // Read straight into the buffer SSL_write encrypts from: one record's worth. A retry after
  // kWouldBlock (same fd and offset) offers the bytes already read.
  if (!wbuf_) wbuf_ = std::make_unique_for_overwrite<char[]>(kRecord);
  size_t want = static_cast<size_t>(std::min<uint64_t>(len, kRecord));
  if (!(file_fd_ == fd && file_offset_ == offset && file_len_ >= want)) {
    ssize_t r;
    do {
      r = pread(fd, wbuf_.get(), want, static_cast<off_t>(offset));
    } while (r < 0 && errno == EINTR);
    if (r < 0) return kFailed;
    if (r == 0) return kFileShort;
    file_fd_ = fd;
    file_offset_ = offset;
    file_len_ = static_cast<size_t>(r);
  }
  ssize_t n = write_bytes(wbuf_.get(), std::min(want, file_len_));
  if (n > 0) file_fd_ = -1;  // taken: the next call reads on
  return n;
}

ssize_t TlsStream::write_pieces(const Piece* pieces, int count) {
  if (ssl_ == nullptr || fd_ < 0 || !batched_) return kFailed;
  size_t offered = 0;
  for (int i = 0; i < count; ++i)
    offered += pieces[i].len;
  if (ssize_t r = settle(offered); r != 0) return r;
  if (pieces[0].data != nullptr && pieces[0].len >= kRecord) {
    // A large memory piece is encrypted from where it is (as write() does), without a copy.
    return write_batched(pieces[0].data, batch_size(pieces[0].len));
  }
  // The pieces' bytes, in order, into the plaintext buffer (files read straight into it), up to
  // one batch; a file that ends early ends the batch there (and is reported when it comes first).
  size_t want = batch_size(offered);
  char* buf = loop_.scratch(kPlainSlot, kBatch);
  size_t used = 0;
  for (int i = 0; i < count && used < want; ++i) {
    const Piece& p = pieces[i];
    size_t k = std::min(p.len, want - used);
    if (p.data != nullptr) {
      memcpy(buf + used, p.data, k);
      used += k;
      continue;
    }
    ssize_t r;
    do {
      r = pread(p.fd, buf + used, k, static_cast<off_t>(p.offset));
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
      if (used == 0) return kFailed;
      break;
    }
    used += static_cast<size_t>(r);
    if (static_cast<size_t>(r) < k) {
      if (used == 0) return kFileShort;
      break;  // short: what came before goes now; the next call starts with this file
    }
  }
  return write_batched(buf, used);
}

void TlsStream::shutdown_write() {
  if (ssl_ == nullptr || fd_ < 0) return;
  ERR_clear_error();
  SSL_shutdown(ssl_);  // close_notify (best effort on a non-blocking socket)
  if (batched_ && rest_.size() - rest_off_ + batch_len_ > 0) {
    shut_after_rest_ = true;  // flush_out() shuts down once the rest is out
    flush_out();
    return;
  }
  ::shutdown(fd_, SHUT_WR);
}

void TlsStream::close(bool abortive) {
  if (fd_ < 0) return;
  if (registered_) loop_.remove(fd_);
  registered_ = false;
  listener_ = nullptr;
  if (abortive) socket_set_abortive(fd_);
  if (ssl_ != nullptr) {
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  ::close(fd_);
  fd_ = -1;
}

}  // namespace hs::io
