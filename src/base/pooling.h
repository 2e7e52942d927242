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
    if constexpr (kPooling) {
      if (!dead()) {
        std::vector<std::unique_ptr<T>>& s = stack().items;
        if (!s.empty()) {
          std::unique_ptr<T> p = std::move(s.back());
          s.pop_back();
          return p;
        }
      }
    }
    return std::make_unique<T>();
  }

  static void give(std::unique_ptr<T> p) {
    if (!p) return;
    if constexpr (kPooling) {
      if (dead()) return;
      std::vector<std::unique_ptr<T>>& s = stack().items;
      if (s.size() < kMax && p->recycle()) {
        try {
          if (s.capacity() == 0) s.reserve(kMax);  // later push_backs never allocate
          s.push_back(std::move(p));
        } catch (const std::bad_alloc&) {
          // Not kept: p deletes the object.
        }
      }
    }
  }

  // Spares this thread keeps now (for tests).
  static size_t kept() { return kPooling && !dead() ? stack().items.size() : 0; }

 private:
  struct Stack {
    std::vector<std::unique_ptr<T>> items;
    ~Stack() { dead() = true; }
  };
  static Stack& stack() {
    thread_local Stack s;
    return s;
  }
  // Trivially destructible, so still readable while other thread_locals are destroyed.
  static bool& dead() {
    thread_local bool d = false;
    return d;
  }
};

// Raw memory blocks of kSize bytes, kept per thread like FreeList: for a class's operator
// new/delete, when its objects are large enough that malloc's own per-thread cache skips them.
template <size_t kSize, size_t kMax>
class BlockCache {
 public:
  static void* take() {
    if constexpr (kPooling) {
      if (!dead()) {
        std::vector<void*>& s = stack().items;
        if (!s.empty()) {
          void* p = s.back();
          s.pop_back();
          return p;
        }
      }
    }
    return ::operator new(kSize);
  }

  static void give(void* p) noexcept {
    if (p == nullptr) return;
    if constexpr (kPooling) {
      if (!dead()) {
        std::vector<void*>& s = stack().items;
        if (s.size() < kMax) {
          try {
            if (s.capacity() == 0) s.reserve(kMax);
            s.push_back(p);
            return;
          } catch (const std::bad_alloc&) {
          }
        }
      }
    }
    ::operator delete(p);
  }

 private:
  struct Stack {
    std::vector<void*> items;
    ~Stack() {
      for (void* p : items)
        ::operator delete(p);
      dead() = true;
    }
  };
  static Stack& stack() {
    thread_local Stack s;
    return s;
  }
  static bool& dead() {
    thread_local bool d = false;
    return d;
  }
};

}  // namespace hs::base
