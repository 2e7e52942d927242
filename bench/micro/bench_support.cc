#include "bench_support.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace hs::bench {
namespace {

[[noreturn]] void die(const char* what) {
  perror(what);  // errno names the cause
  std::abort();
}

// The request every benchmark exchange carries: a typical browser GET.
constexpr http::HeaderView kRequestHeaders[] = {
    {"Host", "127.0.0.1:8080"},
    {"User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"},
    {"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
    {"Accept-Language", "en-US,en;q=0.5"},
    {"Accept-Encoding", "gzip, deflate"},
    {"Connection", "keep-alive"},
};

}  // namespace

bool InlineExecutor::post(Task task) {
  queue_.push_back(std::move(task));
  return true;
}

void InlineExecutor::defer(Task task) {
  queue_.push_back(std::move(task));
}

Executor::TimerId InlineExecutor::schedule(int64_t, Task) {
  return next_timer_++;
}

size_t InlineExecutor::run_all() {
  size_t n = 0;
  while (!queue_.empty()) {
    // Swap, so tasks queued by a running task wait for the next round (like a loop's batch) and
    // the vectors keep their capacity between requests.
    running_.swap(queue_);
    for (Task& t : running_) {
      t();
      ++n;
    }
    running_.clear();
  }
  return n;
}

Sink::Sink() {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) die("socketpair");
  int big = 4 << 20;  // the kernel caps it at wmem_max/rmem_max; as large as it allows
  setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
  setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
  fd_ = sv[0];
  drainer_ = std::thread([this, rfd = sv[1]] { drain(rfd); });
}

Sink::~Sink() {
  close(fd_);  // the drainer sees EOF
  drainer_.join();
}

void Sink::drain(int fd) {
  // Off the benchmark's CPU when there is another one (make bench-micro pins the process to
  // CPU 0): the reader stands for the peer, whose copies should not evict the writer's caches
  // or take its CPU. Best effort: on one CPU it shares.
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (cpus > 1) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(static_cast<int>(cpus - 1), &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  }
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = read(fd, buf.data(), buf.size());
    if (n > 0) {
      drained_.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  close(fd);
}

uint64_t Sink::write_chunks(std::span<const http::BodyChunk> chunks) {
  uint64_t total = 0;
  iovec iov[IOV_MAX];
  size_t i = 0;
  while (i < chunks.size()) {
    const http::BodyChunk& c = chunks[i];
    if (c.kind == http::BodyChunk::Kind::kFile) {
      off_t off = static_cast<off_t>(c.offset);
      uint64_t left = c.size;
      while (left > 0) {
        ssize_t n = sendfile(fd_, c.fd, &off, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) die("sendfile");
        left -= static_cast<uint64_t>(n);
      }
      total += c.size;
      ++i;
      continue;
    }
    int cnt = 0;
    uint64_t run = 0;
    while (i < chunks.size() && chunks[i].kind == http::BodyChunk::Kind::kMemory && cnt < IOV_MAX) {
      iov[cnt].iov_base = const_cast<char*>(chunks[i].data);
      iov[cnt].iov_len = chunks[i].size;
      run += chunks[i].size;
      ++cnt;
      ++i;
    }
    iovec* v = iov;
    while (run > 0) {
      ssize_t n = writev(fd_, v, cnt);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) die("writev");
      total += static_cast<uint64_t>(n);
      run -= static_cast<uint64_t>(n);
      // Skip what was written (a blocking stream socket may still write short on a signal).
      auto done = static_cast<size_t>(n);
      while (cnt > 0 && done >= v->iov_len) {
        done -= v->iov_len;
        ++v;
        --cnt;
      }
      if (cnt > 0) {
        v->iov_base = static_cast<char*>(v->iov_base) + done;
        v->iov_len -= done;
      }
    }
  }
  return total;
}

SinkExchange::SinkExchange(InlineExecutor& exec, Sink& sink, std::string_view target)
    : exec_(exec), sink_(sink), target_(target) {
  head_.method = http::Method::kGet;
  head_.method_name = "GET";
  head_.target = target_;
  head_.headers.assign(std::begin(kRequestHeaders), std::end(kRequestHeaders));
}

bool SinkExchange::send(std::span<const http::BodyChunk> chunks, bool last,
                        http::SendCompletion done) {
  if (outstanding_ || last_sent_) return false;  // the contract's handler bugs
  headers_sent_ = true;
  outstanding_ = true;
  last_sent_ = last;
  ++sends_;
  uint64_t n = sink_.write_chunks(chunks);
  bytes_ += n;
  // Like the session: the completion runs once the bytes are in the kernel, never inside send().
  // Kept in members so that the deferred task captures one pointer (no allocation of its own:
  // the double should not add cost the real session does not have).
  done_ = std::move(done);
  done_bytes_ = n;
  exec_.defer([this] {
    outstanding_ = false;
    if (last_sent_) last_done_ = true;
    http::SendCompletion done = std::move(done_);
    done(http::SendResult{true, done_bytes_});
  });
  return true;
}

void SinkExchange::reset() {
  if (abort_) exec_.defer(abort_);
}

int64_t thread_cpu_clock_cost_ns() {
  constexpr int kPairs = 2001;
  std::vector<int64_t> d(kPairs);
  for (int64_t& x : d) {
    int64_t a = thread_cpu_ns();
    int64_t b = thread_cpu_ns();
    x = b - a;
  }
  std::nth_element(d.begin(), d.begin() + kPairs / 2, d.end());
  return d[kPairs / 2];
}

}  // namespace hs::bench
