#include "session/out_queue.h"

#include <sys/uio.h>

#include <algorithm>
#include <cerrno>

#include "base/pooling.h"

namespace hs::session {
namespace {

constexpr int kMaxIov = 64;
// A drained queue's owned buffer goes to a per-thread stack of spares, so an idle connection
// holds none and a busy one takes a warm one: at most this many, of at most this capacity
// (bigger ones are freed), so the spares of a thread stay under 1 MiB.
constexpr size_t kSpareBuffers = 64;
constexpr size_t kSpareCapacity = 16 * 1024;
using SpareBuffers = base::SpareValues<std::string, kSpareBuffers, OutQueue>;

}  // namespace

void OutQueue::release_owned() {
  owned_.clear();
  owned_consumed_ = 0;
  if (owned_.capacity() <= std::string().capacity()) return;  // nothing allocated
  std::string spare;
  spare.swap(owned_);
  if (spare.capacity() <= kSpareCapacity) SpareBuffers::keep(spare);  // else (or not kept): freed
}

void OutQueue::append_owned(std::string_view bytes) {
  std::string& o = owned_buffer_for_append();
  size_t start = o.size();
  o.append(bytes);
  commit_owned(start);
}

std::string& OutQueue::owned_buffer_for_append() {
  if (segments_.empty() && owned_.capacity() <= std::string().capacity()) {
    SpareBuffers::pop(&owned_);  // none: owned_ grows on its own
  }
  return owned_;
}

void OutQueue::commit_owned(size_t start) {
  size_t len = owned_.size() - start;
  if (len == 0) return;
  // Coalesce with a preceding owned segment when contiguous (one iovec instead of several).
  if (!segments_.empty() && segments_.back().kind == Segment::Kind::kOwned &&
      segments_.back().pos + segments_.back().len == start) {
    segments_.back().len += len;
  } else {
    segments_.push_back({Segment::Kind::kOwned, -1, start, len});
  }
  enqueued_ += len;
}

void OutQueue::append_borrowed(const char* data, uint64_t len) {
  if (len == 0) return;
  segments_.push_back({Segment::Kind::kBorrowed, -1,
                       static_cast<uint64_t>(reinterpret_cast<uintptr_t>(data)), len});
  enqueued_ += len;
}

void OutQueue::append_file(int fd, uint64_t offset, uint64_t len) {
  if (len == 0) return;
  segments_.push_back({Segment::Kind::kFile, fd, offset, len});
  enqueued_ += len;
}

void OutQueue::drop_after(uint64_t mark) {
  // From the back: when an owned segment is reached, every later owned byte belonged to a
  // segment already dropped, so the owned buffer can be cut at this segment's end.
  while (enqueued_ > mark && !segments_.empty()) {
    Segment& s = segments_.back();
    uint64_t k = std::min(enqueued_ - mark, s.len);
    s.len -= k;
    enqueued_ -= k;
    if (s.kind == Segment::Kind::kOwned) owned_.resize(s.pos + s.len);
    if (s.len == 0) segments_.pop_back();
  }
  if (segments_.empty()) release_owned();
}

void OutQueue::add_completion(Completion done) {
  completions_.emplace_back(enqueued_, std::move(done));
}

void OutQueue::advance(uint64_t n) {
  written_ += n;
  while (n > 0) {
    Segment& s = segments_.front();
    uint64_t k = std::min(n, s.len);
    s.pos += k;
    s.len -= k;
    n -= k;
    if (s.len == 0) {
      if (s.kind == Segment::Kind::kOwned) owned_consumed_ = s.pos;
      segments_.pop_front();
    }
  }
  if (segments_.empty()) release_owned();
}

void OutQueue::collect(std::vector<Completion>& fired) {
  while (!completions_.empty() && completions_.front().first <= written_) {
    fired.push_back(std::move(completions_.front().second));
    completions_.pop_front();
  }
}

OutQueue::Status OutQueue::flush(io::Stream& stream, std::vector<Completion>& fired) {
  collect(fired);
  const bool gather = stream.gathers_pieces();
  while (!segments_.empty()) {
    const Segment& head = segments_.front();
    ssize_t n;
    if (gather) {
      // Memory and file pieces together (TLS without kTLS: a batch of records per send).
      io::Stream::Piece pieces[kMaxIov];
      int cnt = 0;
      for (const Segment& s : segments_) {
        if (cnt == kMaxIov) break;
        if (s.kind == Segment::Kind::kFile) {
          pieces[cnt] = {nullptr, s.fd, s.pos, static_cast<size_t>(s.len)};
        } else {
          const char* base = s.kind == Segment::Kind::kOwned
                                 ? owned_.data() + s.pos
                                 : reinterpret_cast<const char*>(static_cast<uintptr_t>(s.pos));
          pieces[cnt] = {base, -1, 0, static_cast<size_t>(s.len)};
        }
        ++cnt;
      }
      n = stream.write_pieces(pieces, cnt);
    } else if (head.kind == Segment::Kind::kFile) {
      n = stream.write_file(head.fd, head.pos, head.len);
    } else {
      iovec iov[kMaxIov];
      int cnt = 0;
      bool file_follows = false;
      for (const Segment& s : segments_) {
        if (s.kind == Segment::Kind::kFile) {
          file_follows = true;
          break;
        }
        if (cnt == kMaxIov) break;
        const char* base = s.kind == Segment::Kind::kOwned
                               ? owned_.data() + s.pos
                               : reinterpret_cast<const char*>(static_cast<uintptr_t>(s.pos));
        iov[cnt].iov_base = const_cast<char*>(base);
        iov[cnt].iov_len = s.len;
        ++cnt;
      }
      n = stream.write(iov, cnt, file_follows);
    }
    if (n > 0) {
      advance(static_cast<uint64_t>(n));
      collect(fired);
      continue;
    }
    if (n == io::Stream::kWouldBlock) return Status::kBlocked;
    if (n == io::Stream::kFileShort) {
      error_detail_ = "file shorter than the range being sent";
    } else {
      error_detail_ = head.kind == Segment::Kind::kFile ? "sendfile failed" : "write failed";
    }
    return Status::kError;
  }
  collect(fired);
  return Status::kDrained;
}

void OutQueue::fail_all(std::vector<Completion>& fired) {
  for (auto& c : completions_)
    fired.push_back(std::move(c.second));
  completions_.clear();
  segments_.clear();
  release_owned();
  written_ = enqueued_;
}

}  // namespace hs::session
