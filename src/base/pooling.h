#pragma once
// Per-thread reuse of objects that every request would otherwise take from malloc and give back.
//
// Pooling is off under AddressSanitizer and ThreadSanitizer (HS_POOLING is 0): a pooled object
// used after its owner let it go would be a silent write into another request's state, where
// without the pool it is a use-after-free the sanitizer reports.
#include <cstddef>
#include <memory>
#include <new>
#include <vector>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HS_POOLING 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define HS_POOLING 0
#endif
#endif
#ifndef HS_POOLING
#define HS_POOLING 1
#endif

namespace hs::base {

inline constexpr bool kPooling = HS_POOLING != 0;

namespace detail {

// A bounded stack of spare items per thread, for the pools below (Owner tells them apart).
template <class Item, size_t kMax, class Owner>
class Spares {
 public:
  // Moves a spare into *out; false if this thread has none.
  static bool pop(Item* out) {
    std::vector<Item>* s = mine();
    if (s == nullptr || s->empty()) return false;
    *out = std::move(s->back());
    s->pop_back();
    return true;
  }
  // Keeps `item` (moved from) if fewer than kMax are kept; false, `item` untouched, otherwise.
  static bool keep(Item& item) noexcept {
    std::vector<Item>* s = mine();
    if (s == nullptr || s->size() >= kMax) return false;
    try {
      if (s->capacity() == 0) s->reserve(kMax);  // later push_backs never allocate
      s->push_back(std::move(item));
      return true;
    } catch (const std::bad_alloc&) {
      return false;
    }
  }
  static size_t count() {
    std::vector<Item>* s = mine();
    return s == nullptr ? 0 : s->size();
  }

 private:
  // This thread's stack; nullptr without pooling, or once the thread has destroyed it (at exit:
  // objects given back after that are simply freed).
  static std::vector<Item>* mine() {
    if (!kPooling || dead()) return nullptr;
    thread_local Stack s;
    return &s.items;
  }
  struct Stack {
    std::vector<Item> items;
    ~Stack() { dead() = true; }
  };
  // Trivially destructible, so still readable while other thread_locals are destroyed.
  static bool& dead() {
    thread_local bool d = false;
    return d;
  }
};

}  // namespace detail

// A bounded stack of spare T objects per thread. T must be default-constructible and have
//   bool recycle();  // empty the object for its next user; false if it is not worth keeping
// take() returns a spare (already recycled) or a new T; give() recycles and keeps the object if
// fewer than kMax are kept, else deletes it. Objects may be given back on another thread than the
// one that took them: they then join that thread's stack. A thread's stack is freed when the
// thread exits; give() after that deletes.
template <class T, size_t kMax>
class FreeList {
 public:
  static std::unique_ptr<T> take() {
    std::unique_ptr<T> p;
    if (Stack::pop(&p)) return p;
    return std::make_unique<T>();
  }
  static void give(std::unique_ptr<T> p) {
    if (p && Stack::count() < kMax && p->recycle()) Stack::keep(p);
  }
  // Spares this thread keeps now (for tests).
  static size_t kept() { return Stack::count(); }

 private:
  using Stack = detail::Spares<std::unique_ptr<T>, kMax, FreeList>;
};

// Movable values kept per thread the same way (a buffer's storage, say): pop(&v) moves a spare
// into v, keep(v) moves v in when fewer than kMax are kept. Owner tells pools apart.
template <class Item, size_t kMax, class Owner>
using SpareValues = detail::Spares<Item, kMax, Owner>;

// Raw memory blocks of kSize bytes, kept per thread like FreeList: for a class's operator
// new/delete, when its objects are large enough that malloc's own per-thread cache skips them.
template <size_t kSize, size_t kMax>
class BlockCache {
 public:
  static void* take() {
    Block b;
    if (Stack::pop(&b)) return b.release();
    return ::operator new(kSize);
  }
  static void give(void* p) noexcept {
    Block b(p);
    Stack::keep(b);  // not kept: b frees it
  }

 private:
  struct Free {
    void operator()(void* p) const noexcept { ::operator delete(p); }
  };
  using Block = std::unique_ptr<void, Free>;
  using Stack = detail::Spares<Block, kMax, BlockCache>;
};

}  // namespace hs::base
