#pragma once
// An in-memory io::Stream for session tests (seastar's loopback socket, proxygen's mock
// transport): the test plays the client, writing what the session reads and taking what it
// writes, with a write window to make the session block. Readiness is reported edge-triggered,
// from deferred tasks of the executor, like a real stream.
#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

#include "base/executor.h"
#include "io/stream.h"

namespace hs::test {

class MemoryStream final : public io::Stream {
 public:
  struct Options {
    // A read returns at most this many bytes (a TLS library hands out one record at a time).
    size_t max_read = SIZE_MAX;
    // Whether a short read proves the stream empty (plain TCP: true; TLS: false).
    bool short_read_drains = true;
    bool secure = false;  // facts().secure, with TLS facts of a TLS 1.3 connection
    // gathers_pieces(): writes come as write_pieces(), as to a TLS stream without kTLS.
    bool gathers = false;
  };

  explicit MemoryStream(Executor& exec) : MemoryStream(exec, Options{}) {}
  MemoryStream(Executor& exec, Options o) : exec_(exec), o_(o) {
    facts_.remote_host = "192.0.2.7";
    facts_.remote_port = 40001;
    facts_.local_host = "192.0.2.1";
    facts_.local_port = o.secure ? 443 : 80;
    facts_.secure = o.secure;
    if (o.secure) {
      facts_.tls.version = "TLSv1.3";
      facts_.tls.cipher = "TLS_AES_128_GCM_SHA256";
      facts_.tls.cipher_bits = 128;
      facts_.tls.server_name = "example.test";
      facts_.tls.alpn = "http/1.1";
    }
  }

  // --- the client's side ---
  void client_send(std::string_view bytes) {
    input_.append(bytes);
    notify(io::kReadable);
  }
  // The client closes its side (a FIN after what it sent).
  void client_close() {
    input_closed_ = true;
    notify(io::kReadable | io::kPeerClosed);
  }
  // What the session wrote and the client has not taken yet.
  std::string take_output() { return std::exchange(output_, std::string()); }
  const std::string& output() const { return output_; }
  // Writes take at most `n` more bytes until the window is raised (SIZE_MAX: unlimited).
  void set_write_window(size_t n) { window_ = n; }
  // Raises the window by `n` and reports the stream writable if it had blocked.
  void open_write_window(size_t n) {
    window_ = window_ == SIZE_MAX ? SIZE_MAX : window_ + n;
    if (blocked_) {
      blocked_ = false;
      notify(io::kWritable);
    }
  }
  bool closed() const { return closed_; }
  bool closed_abortively() const { return abortive_; }
  bool write_shut() const { return write_shut_; }
  size_t unread_input() const { return input_.size() - input_pos_; }

  // --- io::Stream ---
  bool attach(Listener* listener) override {
    listener_ = listener;
    return !closed_;
  }
  ssize_t read(char* dst, size_t cap) override {
    if (closed_) return kFailed;
    size_t avail = input_.size() - input_pos_;
    if (avail == 0) return input_closed_ ? ssize_t{0} : ssize_t{kWouldBlock};
    size_t n = std::min({avail, cap, o_.max_read});
    memcpy(dst, input_.data() + input_pos_, n);
    input_pos_ += n;
    if (input_pos_ == input_.size()) {
      input_.clear();
      input_pos_ = 0;
    }
    return static_cast<ssize_t>(n);
  }
  bool short_read_drains() const override { return o_.short_read_drains; }
  ssize_t write(const iovec* iov, int count, bool) override {
    if (closed_ || write_shut_) return kFailed;
    size_t total = 0;
    for (int i = 0; i < count && window_ > 0; ++i) {
      size_t n = std::min(iov[i].iov_len, window_);
      output_.append(static_cast<const char*>(iov[i].iov_base), n);
      total += n;
      if (window_ != SIZE_MAX) window_ -= n;
      if (n < iov[i].iov_len) break;
    }
    if (total == 0) {
      blocked_ = true;
      return kWouldBlock;
    }
    return static_cast<ssize_t>(total);
  }
  ssize_t write_file(int fd, uint64_t offset, uint64_t len) override {
    if (closed_ || write_shut_) return kFailed;
    size_t n = static_cast<size_t>(std::min<uint64_t>({len, window_, 64 * 1024}));
    if (n == 0) {
      blocked_ = true;
      return kWouldBlock;
    }
    std::string buf(n, '\0');
    ssize_t r = pread(fd, buf.data(), n, static_cast<off_t>(offset));
    if (r < 0) return kFailed;
    if (r == 0) return kFileShort;
    output_.append(buf.data(), static_cast<size_t>(r));
    if (window_ != SIZE_MAX) window_ -= static_cast<size_t>(r);
    return r;
  }
  bool gathers_pieces() const override { return o_.gathers; }
  ssize_t write_pieces(const Piece* pieces, int count) override {
    if (closed_ || write_shut_ || !o_.gathers) return kFailed;
    size_t total = 0;
    for (int i = 0; i < count && window_ > 0; ++i) {
      size_t n = std::min(pieces[i].len, window_);
      size_t got = n;
      if (pieces[i].data != nullptr) {
        output_.append(pieces[i].data, n);
      } else {
        std::string buf(n, '\0');
        ssize_t r = pread(pieces[i].fd, buf.data(), n, static_cast<off_t>(pieces[i].offset));
        if (r < 0) return total > 0 ? static_cast<ssize_t>(total) : ssize_t{kFailed};
        got = static_cast<size_t>(r);
        if (got == 0 && total == 0) return kFileShort;
        output_.append(buf.data(), got);
      }
      total += got;
      if (window_ != SIZE_MAX) window_ -= got;
      if (got < pieces[i].len) break;
    }
    if (total == 0) {
      blocked_ = true;
      return kWouldBlock;
    }
    return static_cast<ssize_t>(total);
  }
  void shutdown_write() override { write_shut_ = true; }
  void close(bool abortive) override {
    if (closed_) return;
    closed_ = true;
    abortive_ = abortive;
    listener_ = nullptr;
  }
  const io::StreamFacts& facts() const override { return facts_; }

 private:
  void notify(uint32_t readiness) {
    exec_.defer([this, readiness] {
      if (listener_ != nullptr) listener_->on_ready(readiness);
    });
  }

  Executor& exec_;
  Options o_;
  io::StreamFacts facts_;
  Listener* listener_ = nullptr;
  std::string input_;
  size_t input_pos_ = 0;
  bool input_closed_ = false;
  std::string output_;
  size_t window_ = SIZE_MAX;
  bool blocked_ = false;
  bool closed_ = false;
  bool abortive_ = false;
  bool write_shut_ = false;
};

}  // namespace hs::test
