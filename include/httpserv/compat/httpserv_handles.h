// Kernel objects for httpserv modules on Linux: what a Win32 HANDLE can be, CloseHandle,
// DuplicateHandle, and the waitable objects (events, mutexes, semaphores, threads) with
// WaitForSingleObject / WaitForMultipleObjects. Included by <windows.h> (winbase.h).
//
// HANDLES (decision, docs/iis-headers.md "Handles"):
//   - A file, pipe or socket handle is the POSIX descriptor itself, (HANDLE)(intptr_t)fd, the
//     convention the module API already uses for HTTP_DATA_CHUNK file handles. So a handle from
//     CreateFile can go straight into an HttpDataChunkFromFileHandle chunk.
//   - A kernel object (event, mutex, semaphore, thread, change notification) is a heap object;
//     its handle is the object's address with bit 62 set, so it can never be mistaken for a
//     descriptor (0 .. 2^31-1) and is never NULL or INVALID_HANDLE_VALUE. Objects are reference
//     counted: CloseHandle drops the handle's reference, a running thread keeps its own.
//   - Objects are self-contained (no global table): an event created by one module can be
//     waited on by another, as long as both were built against the same headers.
//
// WAITING. WaitForMultipleObjects supports up to 64 handles (MAXIMUM_WAIT_OBJECTS) of events,
// mutexes, semaphores and threads, bWaitAll TRUE (all acquired at once, or none) and FALSE (the
// lowest signalled index wins). A descriptor handle counts as signalled (Windows: a file handle
// with no I/O in flight). Mutexes are recursive and owned by a thread (kernel tid); a mutex whose
// owner exits without releasing it is not detected as abandoned (WAIT_ABANDONED never occurs).
// Waits are alertable only in name: WAIT_IO_COMPLETION never occurs.
//
// Everything is built on std::mutex / std::condition_variable, so ThreadSanitizer sees the
// synchronisation that module code does with these objects.

#ifndef HTTPSERV_COMPAT_HTTPSERV_HANDLES_H_
#define HTTPSERV_COMPAT_HTTPSERV_HANDLES_H_

#include <fcntl.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "httpserv_lasterror.h"
#include "windef.h"
#include "winerror.h"

#define MAXIMUM_WAIT_OBJECTS 64
#define STILL_ACTIVE 259
#define CREATE_SUSPENDED 0x00000004
#define STACK_SIZE_PARAM_IS_A_RESERVATION 0x00010000
#define CREATE_EVENT_MANUAL_RESET 0x00000001
#define CREATE_EVENT_INITIAL_SET 0x00000002
#define CREATE_MUTEX_INITIAL_OWNER 0x00000001
#define SYNCHRONIZE 0x00100000L
#define EVENT_ALL_ACCESS 0x1F0003
#define EVENT_MODIFY_STATE 0x0002
#define MUTEX_ALL_ACCESS 0x1F0001
#define SEMAPHORE_ALL_ACCESS 0x1F0003
#define DUPLICATE_CLOSE_SOURCE 0x00000001
#define DUPLICATE_SAME_ACCESS 0x00000002
#define HANDLE_FLAG_INHERIT 0x00000001
#define THREAD_PRIORITY_NORMAL 0

struct SECURITY_ATTRIBUTES {
  DWORD nLength;
  LPVOID lpSecurityDescriptor;
  BOOL bInheritHandle;
};
typedef SECURITY_ATTRIBUTES* PSECURITY_ATTRIBUTES;
typedef SECURITY_ATTRIBUTES* LPSECURITY_ATTRIBUTES;

typedef DWORD(WINAPI* PTHREAD_START_ROUTINE)(LPVOID lpThreadParameter);
typedef PTHREAD_START_ROUTINE LPTHREAD_START_ROUTINE;

namespace httpserv::compat {

constexpr uintptr_t kObjectHandleTag = uintptr_t{1} << 62;

inline DWORD current_tid() {
  return static_cast<DWORD>(::syscall(SYS_gettid));
}

// Someone waiting on one or more objects; objects wake it when they become signalled.
struct Waiter {
  std::mutex mu;
  std::condition_variable cv;
  bool woken = false;
};

// Base of every kernel object a HANDLE can point to.
class KernelObject {
 public:
  static constexpr uint32_t kMagic = 0x4B4F424Au;  // "KOBJ": checked before every use
  enum class Kind { kEvent, kMutex, kSemaphore, kThread, kOther };

  explicit KernelObject(Kind kind) : kind_(kind) {}
  virtual ~KernelObject() { magic_ = 0; }
  KernelObject(const KernelObject&) = delete;
  KernelObject& operator=(const KernelObject&) = delete;

  Kind kind() const { return kind_; }
  bool valid() const { return magic_ == kMagic; }
  void add_ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  // With mu held: whether a wait by thread `tid` would succeed now, and taking it (resetting
  // an auto-reset event, owning a mutex, decrementing a semaphore).
  virtual bool signaled_locked(DWORD tid) const {
    (void)tid;
    return false;
  }
  virtual void acquire_locked(DWORD tid) { (void)tid; }
  virtual bool waitable() const { return true; }

  // With mu held: wakes every thread waiting on this object.
  void wake_all_locked() {
    for (Waiter* w : waiters_) {
      std::lock_guard<std::mutex> lock(w->mu);
      w->woken = true;
      w->cv.notify_all();
    }
  }
  void add_waiter(Waiter* w) {
    std::lock_guard<std::mutex> lock(mu);
    waiters_.push_back(w);
  }
  void remove_waiter(Waiter* w) {
    std::lock_guard<std::mutex> lock(mu);
    waiters_.erase(std::find(waiters_.begin(), waiters_.end(), w));
  }

  std::mutex mu;

 private:
  uint32_t magic_ = kMagic;
  Kind kind_;
  std::atomic<int> refs_{1};
  std::vector<Waiter*> waiters_;
};

class EventObject final : public KernelObject {
 public:
  EventObject(bool manual, bool initial)
      : KernelObject(Kind::kEvent), manual_(manual), set_(initial) {}
  ~EventObject() override {
    if (wake_fd >= 0) ::close(wake_fd);
  }
  bool signaled_locked(DWORD) const override { return set_; }
  void acquire_locked(DWORD) override {
    if (!manual_) set_ = false;
  }
  void set_locked(bool value) {
    set_ = value;
    if (value) {
      wake_all_locked();
      if (wake_fd >= 0) {
        const uint64_t one = 1;
        ssize_t n = ::write(wake_fd, &one, sizeof(one));
        (void)n;  // a full counter still wakes the poller
      }
    }
  }
  bool manual() const { return manual_; }

  // Winsock (WSAEventSelect, winsock2.h): an eventfd that SetEvent writes to, so that
  // WSAWaitForMultipleEvents can poll() it together with the sockets; and the sockets
  // associated with this event, with their requested and pending network events.
  struct SocketWatch {
    int fd;
    long requested;  // NOLINT(runtime/int): FD_* bits, as WSAEventSelect's lNetworkEvents
    long pending;    // NOLINT(runtime/int)
    bool write_reported;
    bool connect_reported;
  };
  int wake_fd = -1;
  std::vector<SocketWatch> sockets;

 private:
  bool manual_;
  bool set_;
};

class MutexObject final : public KernelObject {
 public:
  MutexObject() : KernelObject(Kind::kMutex) {}
  bool signaled_locked(DWORD tid) const override { return count_ == 0 || owner_ == tid; }
  void acquire_locked(DWORD tid) override {
    owner_ = tid;
    ++count_;
  }
  // FALSE (ERROR_NOT_OWNER) when `tid` does not own it.
  bool release_locked(DWORD tid) {
    if (count_ == 0 || owner_ != tid) return false;
    if (--count_ == 0) {
      owner_ = 0;
      wake_all_locked();
    }
    return true;
  }

 private:
  DWORD owner_ = 0;
  uint32_t count_ = 0;
};

class SemaphoreObject final : public KernelObject {
 public:
  SemaphoreObject(LONG initial, LONG maximum)
      : KernelObject(Kind::kSemaphore), count_(initial), max_(maximum) {}
  bool signaled_locked(DWORD) const override { return count_ > 0; }
  void acquire_locked(DWORD) override { --count_; }
  // FALSE (ERROR_TOO_MANY_POSTS) when the count would pass the maximum.
  bool release_locked(LONG n, LONG* previous) {
    if (n <= 0 || count_ > max_ - n) return false;
    if (previous != nullptr) *previous = count_;
    count_ += n;
    wake_all_locked();
    return true;
  }

 private:
  LONG count_;
  LONG max_;
};

class ThreadObject final : public KernelObject {
 public:
  ThreadObject(LPTHREAD_START_ROUTINE start, LPVOID param, bool suspended)
      : KernelObject(Kind::kThread), start_(start), param_(param), suspended_(suspended) {}
  bool signaled_locked(DWORD) const override { return done_; }
  // Records the exit code (the first one: ExitThread's, not the unwinding's) and signals.
  void finish(DWORD code) {
    std::lock_guard<std::mutex> lock(mu);
    if (done_) return;
    exit_code_ = code;
    done_ = true;
    wake_all_locked();
  }
  DWORD exit_code_locked() const { return done_ ? exit_code_ : static_cast<DWORD>(STILL_ACTIVE); }
  // Suspend count semantics for CREATE_SUSPENDED / ResumeThread only.
  DWORD resume() {
    std::lock_guard<std::mutex> lock(mu);
    DWORD previous = suspended_ ? 1 : 0;
    suspended_ = false;
    resumed_.notify_all();
    return previous;
  }
  void wait_resumed() {
    std::unique_lock<std::mutex> lock(mu);
    resumed_.wait(lock, [&] { return !suspended_; });
  }
  // The new thread publishes its kernel thread id; CreateThread waits for it.
  void publish_tid(DWORD id) {
    std::lock_guard<std::mutex> lock(mu);
    tid = id;
    resumed_.notify_all();
  }
  DWORD wait_tid() {
    std::unique_lock<std::mutex> lock(mu);
    resumed_.wait(lock, [&] { return tid != 0; });
    return tid;
  }

  LPTHREAD_START_ROUTINE start_;
  LPVOID param_;
  DWORD tid = 0;
  pthread_t pthread{};

 private:
  bool suspended_;
  bool done_ = false;
  DWORD exit_code_ = 0;
  std::condition_variable resumed_;
};

inline HANDLE handle_of(KernelObject* o) {
  return reinterpret_cast<HANDLE>(reinterpret_cast<uintptr_t>(o) | kObjectHandleTag);
}
inline bool is_object_handle(HANDLE h) {
  return (reinterpret_cast<uintptr_t>(h) >> 62) == 1u;
}
// The object behind h, or null (h is a descriptor, NULL, INVALID_HANDLE_VALUE or garbage).
inline KernelObject* object_of(HANDLE h) {
  if (!is_object_handle(h)) return nullptr;
  auto* o = reinterpret_cast<KernelObject*>(reinterpret_cast<uintptr_t>(h) & ~kObjectHandleTag);
  return o->valid() ? o : nullptr;
}
inline bool is_fd_handle(HANDLE h) {
  const intptr_t v = reinterpret_cast<intptr_t>(h);
  return v >= 0 && v <= INT_MAX && !is_object_handle(h);
}

template <class T>
T* object_as(HANDLE h, KernelObject::Kind kind) {
  KernelObject* o = object_of(h);
  return o != nullptr && o->kind() == kind ? static_cast<T*>(o) : nullptr;
}

// The thread object of the calling thread, if it was started by CreateThread.
inline ThreadObject*& current_thread_object() {
  static thread_local ThreadObject* self = nullptr;
  return self;
}

inline DWORD wait(DWORD n, const HANDLE* handles, bool all, DWORD ms) {
  if (n == 0 || n > MAXIMUM_WAIT_OBJECTS || handles == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return WAIT_FAILED;
  }
  KernelObject* objs[MAXIMUM_WAIT_OBJECTS];
  size_t n_objs = 0;
  bool any_fd = false;
  for (DWORD i = 0; i < n; ++i) {
    objs[i] = object_of(handles[i]);
    if (objs[i] == nullptr) {
      if (!is_fd_handle(handles[i])) {
        SetLastError(ERROR_INVALID_HANDLE);
        return WAIT_FAILED;
      }
      any_fd = true;  // a descriptor is signalled
    } else {
      ++n_objs;
    }
  }
  if (!all && any_fd) {
    for (DWORD i = 0; i < n; ++i) {
      if (objs[i] == nullptr) return WAIT_OBJECT_0 + i;
    }
  }
  const DWORD tid = current_tid();
  // The distinct objects in address order, so bWaitAll locks never deadlock each other.
  std::vector<KernelObject*> order;
  for (DWORD i = 0; i < n; ++i) {
    if (objs[i] != nullptr && std::find(order.begin(), order.end(), objs[i]) == order.end())
      order.push_back(objs[i]);
  }
  std::sort(order.begin(), order.end());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  Waiter waiter;
  bool registered = false;
  for (;;) {
    if (all) {
      for (KernelObject* o : order)
        o->mu.lock();
      bool ready = std::all_of(order.begin(), order.end(),
                               [&](KernelObject* o) { return o->signaled_locked(tid); });
      if (ready) {
        for (KernelObject* o : order)
          o->acquire_locked(tid);
      }
      for (auto it = order.rbegin(); it != order.rend(); ++it)
        (*it)->mu.unlock();
      if (ready) {
        if (registered) {
          for (KernelObject* o : order)
            o->remove_waiter(&waiter);
        }
        return WAIT_OBJECT_0;
      }
    } else {
      DWORD hit = n;
      for (DWORD i = 0; i < n && hit == n; ++i) {
        std::lock_guard<std::mutex> lock(objs[i]->mu);
        if (objs[i]->signaled_locked(tid)) {
          objs[i]->acquire_locked(tid);
          hit = i;
        }
      }
      if (hit != n) {
        if (registered) {
          for (KernelObject* o : order)
            o->remove_waiter(&waiter);
        }
        return WAIT_OBJECT_0 + hit;
      }
    }
    if (ms == 0) return WAIT_TIMEOUT;
    if (!registered) {
      for (KernelObject* o : order)
        o->add_waiter(&waiter);
      registered = true;
      continue;  // re-check: a signal may have come before registration
    }
    {
      std::unique_lock<std::mutex> lock(waiter.mu);
      if (ms == INFINITE) {
        waiter.cv.wait(lock, [&] { return waiter.woken; });
      } else if (!waiter.cv.wait_until(lock, deadline, [&] { return waiter.woken; })) {
        lock.unlock();
        for (KernelObject* o : order)
          o->remove_waiter(&waiter);
        return WAIT_TIMEOUT;
      }
      waiter.woken = false;
    }
  }
}

inline void* thread_main(void* arg) {
  auto* t = static_cast<ThreadObject*>(arg);
  t->publish_tid(current_tid());
  t->wait_resumed();
  current_thread_object() = t;
  DWORD code = 0;
  struct Finish {
    ThreadObject* t;
    DWORD* code;
    ~Finish() {
      t->finish(*code);
      t->release();
    }
  } finish{t, &code};
  code = t->start_(t->param_);
  return nullptr;
}

}  // namespace httpserv::compat

// ---------------------------------------------------------------------------------------------
// Handles.
// ---------------------------------------------------------------------------------------------

// Closes a handle: a descriptor is close()d; an object loses the handle's reference (a thread
// keeps running). FALSE with ERROR_INVALID_HANDLE for NULL, INVALID_HANDLE_VALUE or garbage.
inline BOOL CloseHandle(HANDLE hObject) {
  using namespace httpserv::compat;
  if (KernelObject* o = object_of(hObject)) {
    o->release();
    return TRUE;
  }
  if (hObject != nullptr && is_fd_handle(hObject)) {
    if (::close(HttpservFdFromHandle(hObject)) == 0) return TRUE;
  }
  SetLastError(ERROR_INVALID_HANDLE);
  return FALSE;
}

// A second handle to the same object (another reference) or descriptor (dup, close-on-exec).
// The process handles are ignored; DUPLICATE_CLOSE_SOURCE closes the source.
inline BOOL DuplicateHandle(HANDLE hSourceProcessHandle, HANDLE hSourceHandle,
                            HANDLE hTargetProcessHandle, LPHANDLE lpTargetHandle,
                            DWORD dwDesiredAccess, BOOL bInheritHandle, DWORD dwOptions) {
  (void)hSourceProcessHandle;
  (void)hTargetProcessHandle;
  (void)dwDesiredAccess;
  (void)bInheritHandle;
  using namespace httpserv::compat;
  if (lpTargetHandle == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  if (KernelObject* o = object_of(hSourceHandle)) {
    o->add_ref();
    *lpTargetHandle = hSourceHandle;
  } else if (hSourceHandle != nullptr && is_fd_handle(hSourceHandle)) {
    int fd = ::fcntl(HttpservFdFromHandle(hSourceHandle), F_DUPFD_CLOEXEC, 3);
    if (fd < 0) {
      SetLastError(ERROR_INVALID_HANDLE);
      return FALSE;
    }
    *lpTargetHandle = HttpservHandleFromFd(fd);
  } else {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  if ((dwOptions & DUPLICATE_CLOSE_SOURCE) != 0) CloseHandle(hSourceHandle);
  return TRUE;
}

// A pseudo-handle for the current process (only meaningful to DuplicateHandle here).
inline HANDLE GetCurrentProcess() {
  return reinterpret_cast<HANDLE>(static_cast<intptr_t>(-1));
}

// ---------------------------------------------------------------------------------------------
// Waiting.
// ---------------------------------------------------------------------------------------------

// WAIT_OBJECT_0 when the object is signalled (and taken: auto-reset events reset, mutexes are
// owned, semaphores decremented), WAIT_TIMEOUT after dwMilliseconds (INFINITE: never),
// WAIT_FAILED with ERROR_INVALID_HANDLE for a handle that is not waitable.
inline DWORD WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds) {
  return httpserv::compat::wait(1, &hHandle, false, dwMilliseconds);
}
inline DWORD WaitForSingleObjectEx(HANDLE hHandle, DWORD dwMilliseconds, BOOL bAlertable) {
  (void)bAlertable;
  return WaitForSingleObject(hHandle, dwMilliseconds);
}
// bWaitAll FALSE: WAIT_OBJECT_0 + the lowest index that is signalled (only that one is taken).
// TRUE: WAIT_OBJECT_0 once all are signalled at the same time (all taken together).
// nCount must be 1..64 (else WAIT_FAILED, ERROR_INVALID_PARAMETER).
inline DWORD WaitForMultipleObjects(DWORD nCount, const HANDLE* lpHandles, BOOL bWaitAll,
                                    DWORD dwMilliseconds) {
  return httpserv::compat::wait(nCount, lpHandles, bWaitAll != FALSE, dwMilliseconds);
}
inline DWORD WaitForMultipleObjectsEx(DWORD nCount, const HANDLE* lpHandles, BOOL bWaitAll,
                                      DWORD dwMilliseconds, BOOL bAlertable) {
  (void)bAlertable;
  return WaitForMultipleObjects(nCount, lpHandles, bWaitAll, dwMilliseconds);
}
// Sleeps like Sleep; never alerted (returns 0).
inline DWORD SleepEx(DWORD dwMilliseconds, BOOL bAlertable) {
  (void)bAlertable;
  if (dwMilliseconds == INFINITE) {
    for (;;)
      ::pause();
  }
  struct timespec req;
  req.tv_sec = static_cast<time_t>(dwMilliseconds / 1000u);
  req.tv_nsec = static_cast<long>((dwMilliseconds % 1000u) * 1000000u);  // NOLINT(runtime/int)
  while (::nanosleep(&req, &req) != 0 && errno == EINTR) {
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Events, mutexes, semaphores. Names are not supported: a named object is created unnamed
// (each call creates a new object) and GetLastError() is ERROR_SUCCESS, never
// ERROR_ALREADY_EXISTS. Security attributes are ignored.
// ---------------------------------------------------------------------------------------------

inline HANDLE CreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
                           BOOL bInitialState, LPCWSTR lpName) {
  (void)lpEventAttributes;
  (void)lpName;
  auto* e = new (std::nothrow)
      httpserv::compat::EventObject(bManualReset != FALSE, bInitialState != FALSE);
  if (e == nullptr) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return nullptr;
  }
  SetLastError(ERROR_SUCCESS);
  return httpserv::compat::handle_of(e);
}
inline HANDLE CreateEventA(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
                           BOOL bInitialState, LPCSTR lpName) {
  (void)lpName;
  return CreateEventW(lpEventAttributes, bManualReset, bInitialState, nullptr);
}
inline HANDLE CreateEventExW(LPSECURITY_ATTRIBUTES lpEventAttributes, LPCWSTR lpName, DWORD dwFlags,
                             DWORD dwDesiredAccess) {
  (void)dwDesiredAccess;
  return CreateEventW(lpEventAttributes, (dwFlags & CREATE_EVENT_MANUAL_RESET) != 0,
                      (dwFlags & CREATE_EVENT_INITIAL_SET) != 0, lpName);
}
inline HANDLE CreateEventExA(LPSECURITY_ATTRIBUTES lpEventAttributes, LPCSTR lpName, DWORD dwFlags,
                             DWORD dwDesiredAccess) {
  (void)lpName;
  return CreateEventExW(lpEventAttributes, nullptr, dwFlags, dwDesiredAccess);
}

namespace httpserv::compat {
inline BOOL set_event(HANDLE h, bool value) {
  auto* e = object_as<EventObject>(h, KernelObject::Kind::kEvent);
  if (e == nullptr) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  std::lock_guard<std::mutex> lock(e->mu);
  e->set_locked(value);
  return TRUE;
}
}  // namespace httpserv::compat

// Signals the event: every waiter of a manual-reset event is released; one waiter of an
// auto-reset event (which resets as it is taken).
inline BOOL SetEvent(HANDLE hEvent) {
  return httpserv::compat::set_event(hEvent, true);
}
inline BOOL ResetEvent(HANDLE hEvent) {
  return httpserv::compat::set_event(hEvent, false);
}
// Releases the threads waiting now, then leaves the event reset (a best effort of the
// deprecated Win32 call: threads that are about to wait may miss it, as on Windows).
inline BOOL PulseEvent(HANDLE hEvent) {
  if (!SetEvent(hEvent)) return FALSE;
  return ResetEvent(hEvent);
}

inline HANDLE CreateMutexW(LPSECURITY_ATTRIBUTES lpMutexAttributes, BOOL bInitialOwner,
                           LPCWSTR lpName) {
  (void)lpMutexAttributes;
  (void)lpName;
  auto* m = new (std::nothrow) httpserv::compat::MutexObject;
  if (m == nullptr) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return nullptr;
  }
  if (bInitialOwner) m->acquire_locked(httpserv::compat::current_tid());
  SetLastError(ERROR_SUCCESS);
  return httpserv::compat::handle_of(m);
}
inline HANDLE CreateMutexA(LPSECURITY_ATTRIBUTES lpMutexAttributes, BOOL bInitialOwner,
                           LPCSTR lpName) {
  (void)lpName;
  return CreateMutexW(lpMutexAttributes, bInitialOwner, nullptr);
}
inline HANDLE CreateMutexExW(LPSECURITY_ATTRIBUTES lpMutexAttributes, LPCWSTR lpName, DWORD dwFlags,
                             DWORD dwDesiredAccess) {
  (void)dwDesiredAccess;
  return CreateMutexW(lpMutexAttributes, (dwFlags & CREATE_MUTEX_INITIAL_OWNER) != 0, lpName);
}
// FALSE with ERROR_NOT_OWNER when the calling thread does not own the mutex.
inline BOOL ReleaseMutex(HANDLE hMutex) {
  using namespace httpserv::compat;
  auto* m = object_as<MutexObject>(hMutex, KernelObject::Kind::kMutex);
  if (m == nullptr) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  std::lock_guard<std::mutex> lock(m->mu);
  if (!m->release_locked(current_tid())) {
    SetLastError(ERROR_NOT_OWNER);
    return FALSE;
  }
  return TRUE;
}

inline HANDLE CreateSemaphoreW(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount,
                               LONG lMaximumCount, LPCWSTR lpName) {
  (void)lpSemaphoreAttributes;
  (void)lpName;
  if (lMaximumCount <= 0 || lInitialCount < 0 || lInitialCount > lMaximumCount) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return nullptr;
  }
  auto* s = new (std::nothrow) httpserv::compat::SemaphoreObject(lInitialCount, lMaximumCount);
  if (s == nullptr) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return nullptr;
  }
  SetLastError(ERROR_SUCCESS);
  return httpserv::compat::handle_of(s);
}
inline HANDLE CreateSemaphoreA(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount,
                               LONG lMaximumCount, LPCSTR lpName) {
  (void)lpName;
  return CreateSemaphoreW(lpSemaphoreAttributes, lInitialCount, lMaximumCount, nullptr);
}
inline HANDLE CreateSemaphoreExW(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount,
                                 LONG lMaximumCount, LPCWSTR lpName, DWORD dwFlags,
                                 DWORD dwDesiredAccess) {
  (void)dwFlags;
  (void)dwDesiredAccess;
  return CreateSemaphoreW(lpSemaphoreAttributes, lInitialCount, lMaximumCount, lpName);
}
// Adds lReleaseCount; FALSE with ERROR_TOO_MANY_POSTS past the maximum (count unchanged).
inline BOOL ReleaseSemaphore(HANDLE hSemaphore, LONG lReleaseCount, LPLONG lpPreviousCount) {
  using namespace httpserv::compat;
  auto* s = object_as<SemaphoreObject>(hSemaphore, KernelObject::Kind::kSemaphore);
  if (s == nullptr) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  std::lock_guard<std::mutex> lock(s->mu);
  if (!s->release_locked(lReleaseCount, lpPreviousCount)) {
    SetLastError(lReleaseCount <= 0 ? ERROR_INVALID_PARAMETER : ERROR_TOO_MANY_POSTS);
    return FALSE;
  }
  return TRUE;
}

// ---------------------------------------------------------------------------------------------
// Threads.
// ---------------------------------------------------------------------------------------------

// Starts lpStartAddress(lpParameter) on a new (detached) POSIX thread. The handle is waitable
// (signalled when the routine returns or calls ExitThread); CloseHandle does not stop the
// thread. CREATE_SUSPENDED waits for ResumeThread before running. dwStackSize 0: the default.
// A module must make sure its threads have returned before Terminate returns: the server
// unloads the module afterwards.
inline HANDLE CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes, SIZE_T dwStackSize,
                           LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter,
                           DWORD dwCreationFlags, LPDWORD lpThreadId) {
  (void)lpThreadAttributes;
  using namespace httpserv::compat;
  if (lpStartAddress == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return nullptr;
  }
  auto* t = new (std::nothrow)
      ThreadObject(lpStartAddress, lpParameter, (dwCreationFlags & CREATE_SUSPENDED) != 0);
  if (t == nullptr) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return nullptr;
  }
  t->add_ref();  // the thread's own reference, dropped when it ends
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (dwStackSize != 0) pthread_attr_setstacksize(&attr, std::max<SIZE_T>(dwStackSize, 65536));
  int rc = pthread_create(&t->pthread, &attr, &thread_main, t);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    t->release();
    t->release();
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return nullptr;
  }
  if (lpThreadId != nullptr) *lpThreadId = t->wait_tid();  // the kernel tid, as GetCurrentThreadId
  return handle_of(t);
}

// Lets a thread created with CREATE_SUSPENDED run; returns the previous suspend count (1 or 0),
// or (DWORD)-1 for a handle that is not a thread.
inline DWORD ResumeThread(HANDLE hThread) {
  using namespace httpserv::compat;
  auto* t = object_as<ThreadObject>(hThread, KernelObject::Kind::kThread);
  if (t == nullptr) {
    SetLastError(ERROR_INVALID_HANDLE);
    return static_cast<DWORD>(-1);
  }
  return t->resume();
}

// STILL_ACTIVE while the thread runs, then its exit code.
inline BOOL GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode) {
  using namespace httpserv::compat;
  auto* t = object_as<ThreadObject>(hThread, KernelObject::Kind::kThread);
  if (t == nullptr || lpExitCode == nullptr) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  std::lock_guard<std::mutex> lock(t->mu);
  *lpExitCode = t->exit_code_locked();
  return TRUE;
}

// Ends the calling thread (unwinding its stack). From a thread CreateThread started, the exit
// code becomes its handle's exit code.
[[noreturn]] inline VOID ExitThread(DWORD dwExitCode) {
  if (auto* t = httpserv::compat::current_thread_object()) t->finish(dwExitCode);
  pthread_exit(nullptr);
}

// Not supported (a thread cannot be killed safely): FALSE, ERROR_NOT_SUPPORTED.
inline BOOL TerminateThread(HANDLE hThread, DWORD dwExitCode) {
  (void)hThread;
  (void)dwExitCode;
  SetLastError(ERROR_NOT_SUPPORTED);
  return FALSE;
}

// Priorities are not changed (TRUE); the priority is always THREAD_PRIORITY_NORMAL.
inline BOOL SetThreadPriority(HANDLE hThread, int nPriority) {
  (void)hThread;
  (void)nPriority;
  return TRUE;
}
inline int GetThreadPriority(HANDLE hThread) {
  (void)hThread;
  return THREAD_PRIORITY_NORMAL;
}
// Yields the processor; TRUE.
inline BOOL SwitchToThread() {
  sched_yield();
  return TRUE;
}

#endif  // HTTPSERV_COMPAT_HTTPSERV_HANDLES_H_
