// TlsStream's write side over a real TCP connection on loopback, with OpenSSL as the client: a
// write reports as taken only bytes that are in the socket (so a stream closed right after loses
// nothing it reported), and a write the socket could not take is finished by its retry
// (BATCHED WRITES in io/tls.h). Memory and file writes, bigger than the socket buffers.
#include "io/tls.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "io/event_loop.h"

namespace hs::io {
namespace {

// A self-signed P-256 certificate for "localhost", as PEM files in a temporary directory.
struct TestCert {
  std::string dir;
  std::string cert;
  std::string key;
  TestCert() {
    char tmpl[] = "/tmp/hs-tls-test-XXXXXX";
    dir = mkdtemp(tmpl);
    cert = dir + "/cert.pem";
    key = dir + "/key.pem";
    EVP_PKEY* pkey = EVP_EC_gen("P-256");
    X509* x = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, pkey);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_sign(x, pkey, EVP_sha256());
    FILE* f = fopen(cert.c_str(), "w");
    PEM_write_X509(f, x);
    fclose(f);
    f = fopen(key.c_str(), "w");
    PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr);
    fclose(f);
    X509_free(x);
    EVP_PKEY_free(pkey);
  }
  ~TestCert() {
    unlink(cert.c_str());
    unlink(key.c_str());
    rmdir(dir.c_str());
  }
};

std::string random_bytes(size_t n) {
  std::string s(n, '\0');
  std::mt19937_64 rng(42);
  for (char& c : s)
    c = static_cast<char>(rng());
  return s;
}

void wait_fd(int fd, short events) {
  pollfd p{fd, events, 0};
  poll(&p, 1, 1000);
}

// A server TlsStream and a blocking OpenSSL client on a loopback TCP connection, both with small
// socket buffers. The client reads everything once `go` is set, until the connection ends.
class TlsPair {
 public:
  explicit TlsPair(const TestCert& cert) {
    TlsSettings settings;
    settings.certificates.push_back({cert.cert, cert.key, {}, ClientCertMode::kIgnore, {}});
    settings.ktls = false;
    std::string error;
    ctx_ = TlsContext::create(settings, &error);
    EXPECT_TRUE(ctx_) << error;

    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof(a);
    EXPECT_EQ(bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    EXPECT_EQ(listen(lfd, 1), 0);
    getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &al);
    cfd_ = socket(AF_INET, SOCK_STREAM, 0);
    int small = 32 * 1024;
    setsockopt(cfd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    EXPECT_EQ(connect(cfd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    int sfd = accept(lfd, nullptr, nullptr);
    close(lfd);
    setsockopt(sfd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    fcntl(sfd, F_SETFL, fcntl(sfd, F_GETFL) | O_NONBLOCK);
    sfd_ = sfd;
    stream_ = std::make_unique<TlsStream>(loop_, sfd, ctx_);

    client_ = std::thread([this] { client_main(); });
    TlsStream::Handshake h;
    while ((h = stream_->handshake()) == TlsStream::Handshake::kPending) {
      wait_fd(sfd_, POLLIN | POLLOUT);
    }
    EXPECT_EQ(h, TlsStream::Handshake::kDone) << stream_->error();
  }
  ~TlsPair() {
    go_ = true;
    if (stream_) stream_->close(false);
    if (client_.joinable()) client_.join();
    if (cfd_ >= 0) close(cfd_);
  }

  TlsStream& stream() { return *stream_; }
  // The client goes away with a reset (it had unread bytes), without reading.
  void reset_client() {
    linger lg{1, 0};
    setsockopt(cfd_, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    ::shutdown(cfd_, SHUT_RDWR);
  }
  int server_fd() const { return sfd_; }
  void start_reading() { go_ = true; }
  // Everything the client read, once the server closed.
  const std::string& received() {
    client_.join();
    return received_;
  }

 private:
  void client_main() {
    SSL_CTX* c = SSL_CTX_new(TLS_client_method());
    SSL* ssl = SSL_new(c);
    SSL_set_fd(ssl, cfd_);
    if (SSL_connect(ssl) == 1) {
      while (!go_)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      char buf[16384];
      size_t n = 0;
      while (SSL_read_ex(ssl, buf, sizeof(buf), &n) == 1)
        received_.append(buf, n);
    }
    ERR_clear_error();
    SSL_free(ssl);
    SSL_CTX_free(c);
  }

  EventLoop loop_;
  std::shared_ptr<TlsContext> ctx_;
  std::unique_ptr<TlsStream> stream_;
  int cfd_ = -1;
  int sfd_ = -1;
  std::atomic<bool> go_{false};
  std::thread client_;
  std::string received_;
};

TEST(TlsStream, WhatAWriteReportsTakenReachesThePeerEvenIfClosedAtOnce) {
  TestCert cert;
  TlsPair pair(cert);
  std::string data = random_bytes(4 << 20);
  size_t taken = 0;
  int would_block = 0;
  // The client does not read: the socket fills, and the write that does not fit says so.
  while (taken < data.size() && would_block < 3) {
    iovec iov{data.data() + taken, data.size() - taken};
    ssize_t n = pair.stream().write(&iov, 1, false);
    if (n > 0) {
      taken += static_cast<size_t>(n);
    } else {
      ASSERT_EQ(n, Stream::kWouldBlock);
      ++would_block;  // and again: nothing is taken while the socket is full
    }
  }
  ASSERT_LT(taken, data.size());
  ASSERT_GT(taken, 0u);
  pair.stream().close(false);
  pair.start_reading();
  const std::string& got = pair.received();
  ASSERT_EQ(got.size(), taken);
  EXPECT_TRUE(got == data.substr(0, taken));
}

// Writes until one blocks (the client does not read); the bytes taken before it.
size_t fill(TlsStream& stream, const std::string& data) {
  size_t taken = 0;
  ssize_t n;
  do {
    iovec iov{const_cast<char*>(data.data()) + taken, data.size() - taken};
    n = stream.write(&iov, 1, false);
    if (n > 0) taken += static_cast<size_t>(n);
  } while (n > 0);
  EXPECT_EQ(n, Stream::kWouldBlock);
  return taken;
}

// A blocked write whose rest cannot be sent (the peer is gone) is never reported taken, however
// often it is retried; and a retry offering fewer bytes than the blocked write took is refused.
TEST(TlsStream, ABlockedWriteWhoseRestIsLostFailsForGood) {
  TestCert cert;
  std::string data = random_bytes(4 << 20);
  {
    TlsPair pair(cert);
    size_t taken = fill(pair.stream(), data);
    pair.reset_client();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the reset arrives
    for (int i = 0; i < 3; ++i) {
      iovec iov{data.data() + taken, data.size() - taken};
      EXPECT_EQ(pair.stream().write(&iov, 1, false), Stream::kFailed) << "retry " << i;
    }
  }
  {
    TlsPair pair(cert);
    size_t taken = fill(pair.stream(), data);
    iovec one{data.data() + taken, 1};  // not the blocked write's bytes
    EXPECT_EQ(pair.stream().write(&one, 1, false), Stream::kFailed);
  }
}

TEST(TlsStream, TheRetryOfABlockedWriteFinishesItForMemoryAndFiles) {
  TestCert cert;
  TlsPair pair(cert);
  std::string data = random_bytes(3 << 20);
  std::string path = cert.dir + "/body.bin";
  FILE* f = fopen(path.c_str(), "w");
  fwrite(data.data(), 1, data.size(), f);
  fclose(f);
  int file = open(path.c_str(), O_RDONLY);
  ASSERT_GE(file, 0);

  // The first half from memory, the second from the file, each offered again after kWouldBlock
  // (as the sessions do) until all of it is taken; the client starts reading late.
  size_t half = data.size() / 2;
  size_t taken = 0;
  int blocked = 0;
  while (taken < data.size()) {
    ssize_t n;
    if (taken < half) {
      iovec iov{data.data() + taken, half - taken};
      n = pair.stream().write(&iov, 1, false);
    } else {
      n = pair.stream().write_file(file, taken, data.size() - taken);
    }
    if (n > 0) {
      taken += static_cast<size_t>(n);
      continue;
    }
    ASSERT_EQ(n, Stream::kWouldBlock);
    if (++blocked == 1) pair.start_reading();
    wait_fd(pair.server_fd(), POLLOUT);
  }
  EXPECT_GT(blocked, 0);
  pair.stream().shutdown_write();
  pair.stream().close(false);
  const std::string& got = pair.received();
  ASSERT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data);
  close(file);
  unlink(path.c_str());
}

// One write_pieces() call takes from several pieces: a head and a file range in one batch; a
// large memory piece, then a file.
TEST(TlsStream, OneWriteTakesFromSeveralPieces) {
  TestCert cert;
  TlsPair pair(cert);
  pair.start_reading();
  std::string file_bytes = random_bytes(1000);
  std::string path = cert.dir + "/small.bin";
  FILE* f = fopen(path.c_str(), "w");
  fwrite(file_bytes.data(), 1, file_bytes.size(), f);
  fclose(f);
  int file = open(path.c_str(), O_RDONLY);
  ASSERT_GE(file, 0);
  std::string head = "HEAD:";
  Stream::Piece two[] = {{head.data(), -1, 0, head.size()}, {nullptr, file, 10, 100}};
  EXPECT_EQ(pair.stream().write_pieces(two, 2), 105);
  std::string big = random_bytes(100000);
  size_t taken = 0;
  while (taken < big.size() + file_bytes.size()) {
    Stream::Piece rest[2];
    int count = 0;
    if (taken < big.size()) rest[count++] = {big.data() + taken, -1, 0, big.size() - taken};
    size_t in_file = taken > big.size() ? taken - big.size() : 0;
    rest[count++] = {nullptr, file, in_file, file_bytes.size() - in_file};
    ssize_t n = pair.stream().write_pieces(rest, count);
    if (n == Stream::kWouldBlock) {
      wait_fd(pair.server_fd(), POLLOUT);
      continue;
    }
    ASSERT_GT(n, 0);
    taken += static_cast<size_t>(n);
  }
  pair.stream().shutdown_write();
  pair.stream().close(false);
  EXPECT_TRUE(pair.received() == head + file_bytes.substr(10, 100) + big + file_bytes);
  close(file);
  unlink(path.c_str());
}

// Memory and file pieces in one write_pieces() run (what the output queue hands a TLS stream):
// they arrive in order across a slow reader, each retry after kWouldBlock offering the same
// pieces from where the last taken byte left off; a file piece that ends early is reported when
// it comes first, after what came before it went out.
TEST(TlsStream, PiecesOfMemoryAndFilesGoOutInOrder) {
  TestCert cert;
  TlsPair pair(cert);
  ASSERT_TRUE(pair.stream().gathers_pieces());
  std::string file_bytes = random_bytes(2 << 20);
  std::string path = cert.dir + "/pieces.bin";
  FILE* f = fopen(path.c_str(), "w");
  fwrite(file_bytes.data(), 1, file_bytes.size(), f);
  fclose(f);
  int file = open(path.c_str(), O_RDONLY);
  ASSERT_GE(file, 0);
  std::string head = "HEAD:", mid = random_bytes(70000), tail = ":TAIL";
  // head, the file's first MiB, mid, the file's second MiB, tail, then a range that ends 50
  // bytes past the file's end.
  struct Part {
    const std::string* mem;
    uint64_t offset;
    size_t len;
  };
  std::vector<Part> parts = {{&head, 0, head.size()}, {nullptr, 0, 1 << 20},
                             {&mid, 0, mid.size()},   {nullptr, 1 << 20, 1 << 20},
                             {&tail, 0, tail.size()}, {nullptr, (2 << 20) - 50, 100}};
  std::string expect = head + file_bytes.substr(0, 1 << 20) + mid + file_bytes.substr(1 << 20) +
                       tail + file_bytes.substr((2 << 20) - 50);
  size_t taken = 0;
  int blocked = 0;
  ssize_t n = 0;
  while (true) {
    // The pieces from `taken` on, as the output queue would offer them.
    std::vector<Stream::Piece> pieces;
    size_t at = 0;
    for (const Part& p : parts) {
      if (taken < at + p.len) {
        size_t skip = taken > at ? taken - at : 0;
        if (p.mem != nullptr) {
          pieces.push_back({p.mem->data() + skip, -1, 0, p.len - skip});
        } else {
          pieces.push_back({nullptr, file, p.offset + skip, p.len - skip});
        }
      }
      at += p.len;
    }
    n = pair.stream().write_pieces(pieces.data(), static_cast<int>(pieces.size()));
    if (n > 0) {
      taken += static_cast<size_t>(n);
      continue;
    }
    if (n != Stream::kWouldBlock) break;
    if (++blocked == 1) pair.start_reading();
    wait_fd(pair.server_fd(), POLLOUT);
  }
  EXPECT_EQ(n, Stream::kFileShort);  // the range's rest past the end, after all before it
  EXPECT_EQ(taken, expect.size());
  EXPECT_GT(blocked, 0);
  pair.stream().shutdown_write();
  pair.stream().close(false);
  const std::string& got = pair.received();
  ASSERT_EQ(got.size(), expect.size());
  EXPECT_TRUE(got == expect);
  close(file);
  unlink(path.c_str());
}

}  // namespace
}  // namespace hs::io
