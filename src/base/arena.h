#pragma once
// A bump allocator for memory that lives until a reset: zeroed, 16-byte aligned pieces carved
// from kBlock-byte blocks (a piece over kBlock / 4 gets a block of its own). reset() frees every
// block but the first, which stays for the next user, so a warm arena serving small requests
// allocates nothing. Under a sanitizer (base/pooling.h) each piece is its own allocation, so an
// overrun past one is reported rather than landing in its neighbour.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <vector>

#include "base/pooling.h"

namespace hs::base {

class Arena {
 public:
  static constexpr size_t kAlign = 16;  // what operator new gives, and what callers may assume
  static constexpr size_t kBlock = 2048;

  // n zeroed bytes (at least one), valid until reset() or destruction. Throws std::bad_alloc.
  void* allocate(size_t n) {
    n = (std::max<size_t>(n, 1) + kAlign - 1) & ~(kAlign - 1);
    if (!kPooling || n > kBlock / 4) {
      extra_.push_back(std::make_unique<char[]>(n));  // value-initialised: zeroed
      return extra_.back().get();
    }
    if (n > left_) {
      auto block = std::make_unique_for_overwrite<char[]>(kBlock);
      char* b = block.get();
      if (!first_)
        first_ = std::move(block);
      else
        extra_.push_back(std::move(block));  // may throw: then nothing changed
      cur_ = b;
      left_ = kBlock;
    }
    char* p = cur_;
    cur_ += n;
    left_ -= n;
    memset(p, 0, n);
    return p;
  }

  // Room for blocks beyond the first (their list keeps its capacity across reset()), for owners
  // that bound what they keep.
  size_t extra_capacity() const { return extra_.capacity(); }

  void reset() {
    extra_.clear();
    cur_ = first_.get();
    left_ = first_ ? kBlock : 0;
  }

 private:
  std::unique_ptr<char[]> first_;
  std::vector<std::unique_ptr<char[]>> extra_;
  char* cur_ = nullptr;
  size_t left_ = 0;
};

}  // namespace hs::base
