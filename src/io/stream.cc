#include "io/stream.h"

#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/metrics.h"
#include "io/event_loop.h"
#include "io/socket.h"

namespace hs::io {
namespace {
constexpr uint64_t kMaxSendfile = 1u << 30;
}

// The epoll watcher: a separate object so that PlainStream's interface stays the Stream's.
class PlainStream::Watch final : public EventLoop::Watcher {
 public:
  explicit Watch(PlainStream& s) : s_(s) {}
  void on_io(uint32_t events) override {
    if (s_.listener_ == nullptr) return;
    uint32_t r = 0;
    if (events & EPOLLIN) r |= kReadable;
    if (events & EPOLLOUT) r |= kWritable;
    // The FIN (or an error) may sit behind data already in the socket: the reader must read to
    // the end instead of stopping at a short read.
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) r |= kPeerClosed | kReadable;
    s_.listener_->on_ready(r);
  }

 private:
  PlainStream& s_;
};

void fill_socket_facts(int fd, StreamFacts* facts) {
  if (auto a = peer_address(fd)) {
    facts->remote_host = a->host_string();
    facts->remote_port = a->port();
  }
  if (auto a = local_address(fd)) {
    facts->local_host = a->host_string();
    facts->local_port = a->port();
  }
}

ssize_t socket_read(int fd, char* dst, size_t cap) {
  while (true) {
    ssize_t n = recv(fd, dst, cap, 0);  // a socket: skips read()'s VFS layer
    if (n >= 0) {
      base::metrics::add(base::metrics::kBytesIn, static_cast<uint64_t>(n));
      return n;
    }
    if (errno == EAGAIN) return Stream::kWouldBlock;
    if (errno != EINTR) return Stream::kFailed;
  }
}

ssize_t socket_write(int fd, const iovec* iov, int count, bool more) {
  // MSG_MORE lets the kernel put a head and the first file bytes in one segment.
  int flags = MSG_NOSIGNAL | (more ? MSG_MORE : 0);
  while (true) {
    ssize_t n;
    if (count == 1) {
      n = send(fd, iov[0].iov_base, iov[0].iov_len, flags);  // no msghdr/iovec import
    } else {
      msghdr msg{};
      msg.msg_iov = const_cast<iovec*>(iov);
      msg.msg_iovlen = static_cast<size_t>(count);
      n = sendmsg(fd, &msg, flags);
    }
    if (n >= 0) {
      base::metrics::add(base::metrics::kBytesOut, static_cast<uint64_t>(n));
      return n;
    }
    if (errno == EAGAIN) return Stream::kWouldBlock;
    if (errno != EINTR) return Stream::kFailed;
  }
}

ssize_t socket_sendfile(int sock, int fd, uint64_t offset, uint64_t len) {
  while (true) {
    off_t off = static_cast<off_t>(offset);
    ssize_t n = sendfile(sock, fd, &off, std::min(len, kMaxSendfile));
    if (n > 0) {
      base::metrics::add(base::metrics::kBytesOut, static_cast<uint64_t>(n));
      return n;
    }
    if (n == 0) return Stream::kFileShort;
    if (errno == EAGAIN) return Stream::kWouldBlock;
    if (errno != EINTR) return Stream::kFailed;
  }
}

void socket_set_abortive(int fd) {
  linger lg{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

PlainStream::PlainStream(EventLoop& loop, int fd) : loop_(loop), fd_(fd) {
  fill_socket_facts(fd, &facts_);
}

PlainStream::~PlainStream() {
  close(false);
  delete watch_;
}

bool PlainStream::attach(Listener* listener) {
  listener_ = listener;
  if (registered_) return true;  // a new listener for the same stream (HTTP/1 → HTTP/2)
  if (watch_ == nullptr) watch_ = new Watch(*this);
  if (fd_ < 0 || !loop_.add(fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP, watch_)) return false;
  registered_ = true;
  return true;
}

ssize_t PlainStream::read(char* dst, size_t cap) {
  return socket_read(fd_, dst, cap);
}

ssize_t PlainStream::write(const iovec* iov, int count, bool more) {
  return socket_write(fd_, iov, count, more);
}

ssize_t PlainStream::write_file(int fd, uint64_t offset, uint64_t len) {
  return socket_sendfile(fd_, fd, offset, len);
}

void PlainStream::shutdown_write() {
  if (fd_ >= 0) shutdown(fd_, SHUT_WR);
}

void PlainStream::close(bool abortive) {
  if (fd_ < 0) return;
  if (registered_) loop_.remove(fd_);
  registered_ = false;
  listener_ = nullptr;
  // RST: the peer must not take a truncated response for a complete one.
  if (abortive) socket_set_abortive(fd_);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace hs::io
