#include "session/nghttp2_memory.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "base/pooling.h"

namespace hs::session {

namespace {

// Each block starts with a header that names its class; the caller gets the bytes after it.
constexpr size_t kHeader = 16;  // keeps the caller's pointer 16-byte aligned, as malloc's
constexpr int kClasses = 8;     // blocks of 64, 128, ..., 8192 bytes (header included)
constexpr size_t kMinBlock = 64;
constexpr size_t kMaxKept = 1024;  // per class and thread
constexpr uint32_t kUnpooled = 0xFFFF;

int class_of(size_t total) {
  size_t block = kMinBlock;
  for (int c = 0; c < kClasses; ++c, block <<= 1) {
    if (total <= block) return c;
  }
  return -1;
}

size_t block_size(int c) {
  return kMinBlock << c;
}

struct Caches {
  void** blocks[kClasses] = {};
  size_t count[kClasses] = {};
  ~Caches() {
    for (int c = 0; c < kClasses; ++c) {
      for (size_t i = 0; i < count[c]; ++i)
        std::free(blocks[c][i]);
      std::free(blocks[c]);
    }
    dead() = true;
  }
  static bool& dead() {
    thread_local bool d = false;  // trivially destructible: readable during thread exit
    return d;
  }
};

Caches* caches() {
  if (!base::kPooling || Caches::dead()) return nullptr;
  thread_local Caches c;
  return &c;
}

void* take(size_t size) {
  size_t total = size + kHeader;
  if (total < size) return nullptr;  // overflow
  int c = class_of(total);
  void* block = nullptr;
  if (c >= 0) {
    Caches* k = caches();
    if (k != nullptr && k->count[c] > 0) {
      block = k->blocks[c][--k->count[c]];
    } else {
      block = std::malloc(block_size(c));
    }
  } else {
    block = std::malloc(total);
  }
  if (block == nullptr) return nullptr;
  uint32_t tag = c >= 0 ? static_cast<uint32_t>(c) : kUnpooled;
  memcpy(block, &tag, sizeof(tag));
  return static_cast<char*>(block) + kHeader;
}

void give(void* p) {
  if (p == nullptr) return;
  void* block = static_cast<char*>(p) - kHeader;
  uint32_t tag = 0;
  memcpy(&tag, block, sizeof(tag));
  if (tag != kUnpooled) {
    Caches* k = caches();
    int c = static_cast<int>(tag);
    if (k != nullptr && k->count[c] < kMaxKept) {
      if (k->blocks[c] == nullptr) {
        k->blocks[c] = static_cast<void**>(std::malloc(kMaxKept * sizeof(void*)));
      }
      if (k->blocks[c] != nullptr) {
        k->blocks[c][k->count[c]++] = block;
        return;
      }
    }
  }
  std::free(block);
}

size_t usable(void* p) {
  void* block = static_cast<char*>(p) - kHeader;
  uint32_t tag = 0;
  memcpy(&tag, block, sizeof(tag));
  return tag == kUnpooled ? 0 : block_size(static_cast<int>(tag)) - kHeader;
}

void* mem_malloc(size_t size, void*) {
  return take(size);
}

void mem_free(void* p, void*) {
  give(p);
}

void* mem_calloc(size_t n, size_t size, void*) {
  if (size != 0 && n > SIZE_MAX / size) return nullptr;
  void* p = take(n * size);
  if (p != nullptr) memset(p, 0, n * size);
  return p;
}

void* mem_realloc(void* p, size_t size, void*) {
  if (p == nullptr) return take(size);
  if (size == 0) {
    give(p);
    return nullptr;
  }
  void* block = static_cast<char*>(p) - kHeader;
  uint32_t tag = 0;
  memcpy(&tag, block, sizeof(tag));
  if (tag == kUnpooled) {
    // A large block stays one of its own (its size is malloc's to know): realloc keeps the
    // header, so the tag stays in place.
    void* moved = std::realloc(block, size + kHeader);
    return moved == nullptr ? nullptr : static_cast<char*>(moved) + kHeader;
  }
  size_t have = usable(p);
  if (have >= size) return p;  // the block already holds it
  void* q = take(size);
  if (q == nullptr) return nullptr;
  memcpy(q, p, std::min(have, size));
  give(p);
  return q;
}

}  // namespace

nghttp2_mem* nghttp2_memory() {
  static nghttp2_mem mem = {nullptr, mem_malloc, mem_free, mem_calloc, mem_realloc};
  return &mem;
}

}  // namespace hs::session
