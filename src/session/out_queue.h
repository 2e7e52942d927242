#pragma once
// A connection's pending output: a FIFO of segments (bytes the session owns, bytes borrowed from a
// handler, file ranges) written to an io::Stream (writev and sendfile on a plain socket), never
// copied by the queue. Completions are attached to a byte position and fire once everything before
// it has been taken by the stream (the stream no longer references it).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/stream.h"

namespace hs::session {

// A FIFO on a vector, for the queue's segments and completions: nothing allocated while empty
// (a std::deque allocates a map and a block when constructed, about 1.2 KiB for the two on every
// idle connection), and the front is compacted away as it advances, so the storage stays
// bounded by what is queued.
template <class T>
class Fifo {
 public:
  bool empty() const { return head_ == v_.size(); }
  T& front() { return v_[head_]; }
  T& back() { return v_.back(); }
  void push_back(T x) { v_.push_back(std::move(x)); }
  template <class... A>
  void emplace_back(A&&... a) {
    v_.emplace_back(std::forward<A>(a)...);
  }
  void pop_back() {
    v_.pop_back();
    if (empty()) clear();
  }
  void pop_front() {
    v_[head_] = T();  // releases what the element holds now, not at the next compaction
    if (++head_ == v_.size()) {
      clear();
    } else if (head_ >= kCompactAt && 2 * head_ >= v_.size()) {
      v_.erase(v_.begin(), v_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  void clear() {
    v_.clear();
    head_ = 0;
    if (v_.capacity() > kKeep) std::vector<T>().swap(v_);
  }
  auto begin() { return v_.begin() + static_cast<std::ptrdiff_t>(head_); }
  auto end() { return v_.end(); }
  auto begin() const { return v_.begin() + static_cast<std::ptrdiff_t>(head_); }
  auto end() const { return v_.end(); }

 private:
  static constexpr size_t kCompactAt = 32;
  static constexpr size_t kKeep = 64;  // capacity kept once empty (a pipelined burst's worth)
  std::vector<T> v_;
  size_t head_ = 0;
};

class OutQueue {
 public:
  using Completion = std::function<void(bool ok)>;
  enum class Status { kDrained, kBlocked, kError };

  // Bytes copied into the queue's own buffer (status lines, headers, chunk framing).
  void append_owned(std::string_view bytes);
  std::string& owned_buffer_for_append();  // append to it, then call commit_owned()
  void commit_owned(size_t start);
  // Bytes that stay the caller's until the completion covering them has fired.
  void append_borrowed(const char* data, uint64_t len);
  void append_file(int fd, uint64_t offset, uint64_t len);
  // Drops the bytes appended after `mark` (a value of enqueued()), none of which may have been
  // written or have a completion attached yet: the send that appended them is being refused.
  void drop_after(uint64_t mark);
  // Fires `done` once every byte appended so far has been written.
  void add_completion(Completion done);

  // Writes as much as the stream takes. Fired completions are moved to `fired` (the caller runs
  // them after flush returns, so they may append again). kError: errno-style failure (the peer
  // went away, or a file shrank under us); `error_detail()` says what.
  Status flush(io::Stream& stream, std::vector<Completion>& fired);
  // Fails every pending completion (connection gone): moves them to `fired`.
  void fail_all(std::vector<Completion>& fired);

  bool empty() const { return segments_.empty() && completions_.empty(); }
  uint64_t pending_bytes() const { return enqueued_ - written_; }
  uint64_t written() const { return written_; }
  uint64_t enqueued() const { return enqueued_; }
  const char* error_detail() const { return error_detail_; }

 private:
  struct Segment {
    enum class Kind : unsigned char { kOwned, kBorrowed, kFile } kind;
    int fd;
    uint64_t pos;  // owned: offset into owned_; borrowed: pointer value; file: file offset
    uint64_t len;
  };
  void advance(uint64_t n);
  void collect(std::vector<Completion>& fired);

  std::string owned_;
  size_t owned_consumed_ = 0;
  void release_owned();  // drained: the buffer's storage goes to this thread's spares

  Fifo<Segment> segments_;
  Fifo<std::pair<uint64_t, Completion>> completions_;
  uint64_t enqueued_ = 0;
  uint64_t written_ = 0;
  const char* error_detail_ = "";
};

}  // namespace hs::session
