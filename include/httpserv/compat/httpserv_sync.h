// User-mode synchronisation for httpserv modules on Linux: CRITICAL_SECTION, SRWLOCK,
// CONDITION_VARIABLE, INIT_ONCE and the interlocked singly linked list (SLIST). Included by
// <windows.h> (winbase.h). All on pthreads, so ThreadSanitizer understands them.
//
// Layouts differ from Windows (a CRITICAL_SECTION holds a pthread mutex after the Windows
// fields; SRWLOCK and CONDITION_VARIABLE are a pthread rwlock / condvar), which only matters to
// code that depends on sizeof. SRWLOCK_INIT, CONDITION_VARIABLE_INIT and INIT_ONCE_STATIC_INIT
// are all-zero initialisers, as on Windows (glibc's static initialisers are zero too).

#ifndef HTTPSERV_COMPAT_HTTPSERV_SYNC_H_
#define HTTPSERV_COMPAT_HTTPSERV_SYNC_H_

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>

#include "httpserv_lasterror.h"
#include "windef.h"
#include "winerror.h"

// ---------------------------------------------------------------------------------------------
// Critical sections: recursive, owned by a thread.
// ---------------------------------------------------------------------------------------------

struct CRITICAL_SECTION {
  PVOID DebugInfo;
  LONG LockCount;       // -1 free, else the number of waiting + owning entries (approximate)
  LONG RecursionCount;  // entries of the owning thread
  HANDLE OwningThread;  // the owner's thread id (as a HANDLE, as Windows does)
  HANDLE LockSemaphore;
  ULONG_PTR SpinCount;
  pthread_mutex_t HttpservMutex;  // the lock itself (not a Windows field)
};
typedef CRITICAL_SECTION* LPCRITICAL_SECTION;
typedef CRITICAL_SECTION* PCRITICAL_SECTION;
typedef CRITICAL_SECTION RTL_CRITICAL_SECTION;
#define CRITICAL_SECTION_NO_DEBUG_INFO 0x01000000

inline VOID InitializeCriticalSection(LPCRITICAL_SECTION cs) {
  cs->DebugInfo = nullptr;
  cs->LockCount = -1;
  cs->RecursionCount = 0;
  cs->OwningThread = nullptr;
  cs->LockSemaphore = nullptr;
  cs->SpinCount = 0;
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&cs->HttpservMutex, &attr);
  pthread_mutexattr_destroy(&attr);
}
// The spin count is kept (SpinCount) and not used: the mutex spins adaptively by itself.
inline BOOL InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION cs, DWORD dwSpinCount) {
  InitializeCriticalSection(cs);
  cs->SpinCount = dwSpinCount;
  return TRUE;
}
inline BOOL InitializeCriticalSectionEx(LPCRITICAL_SECTION cs, DWORD dwSpinCount, DWORD Flags) {
  (void)Flags;
  return InitializeCriticalSectionAndSpinCount(cs, dwSpinCount);
}
inline DWORD SetCriticalSectionSpinCount(LPCRITICAL_SECTION cs, DWORD dwSpinCount) {
  DWORD old = static_cast<DWORD>(cs->SpinCount);
  cs->SpinCount = dwSpinCount;
  return old;
}
inline VOID DeleteCriticalSection(LPCRITICAL_SECTION cs) {
  pthread_mutex_destroy(&cs->HttpservMutex);
}
namespace httpserv::compat {
inline void critical_section_entered(LPCRITICAL_SECTION cs) {
  cs->OwningThread =
      reinterpret_cast<HANDLE>(static_cast<uintptr_t>(static_cast<DWORD>(::syscall(SYS_gettid))));
  ++cs->RecursionCount;
}
}  // namespace httpserv::compat
inline VOID EnterCriticalSection(LPCRITICAL_SECTION cs) {
  pthread_mutex_lock(&cs->HttpservMutex);
  httpserv::compat::critical_section_entered(cs);
}
inline BOOL TryEnterCriticalSection(LPCRITICAL_SECTION cs) {
  if (pthread_mutex_trylock(&cs->HttpservMutex) != 0) return FALSE;
  httpserv::compat::critical_section_entered(cs);
  return TRUE;
}
inline VOID LeaveCriticalSection(LPCRITICAL_SECTION cs) {
  if (--cs->RecursionCount == 0) cs->OwningThread = nullptr;
  pthread_mutex_unlock(&cs->HttpservMutex);
}

// ---------------------------------------------------------------------------------------------
// Slim reader/writer locks (not recursive; exclusive and shared modes).
// ---------------------------------------------------------------------------------------------

struct SRWLOCK {
  pthread_rwlock_t HttpservLock;
};
typedef SRWLOCK* PSRWLOCK;
#define SRWLOCK_INIT \
  {}

inline VOID InitializeSRWLock(PSRWLOCK l) {
  pthread_rwlock_init(&l->HttpservLock, nullptr);
}
inline VOID AcquireSRWLockExclusive(PSRWLOCK l) {
  pthread_rwlock_wrlock(&l->HttpservLock);
}
inline VOID AcquireSRWLockShared(PSRWLOCK l) {
  pthread_rwlock_rdlock(&l->HttpservLock);
}
inline VOID ReleaseSRWLockExclusive(PSRWLOCK l) {
  pthread_rwlock_unlock(&l->HttpservLock);
}
inline VOID ReleaseSRWLockShared(PSRWLOCK l) {
  pthread_rwlock_unlock(&l->HttpservLock);
}
inline BOOLEAN TryAcquireSRWLockExclusive(PSRWLOCK l) {
  return pthread_rwlock_trywrlock(&l->HttpservLock) == 0;
}
inline BOOLEAN TryAcquireSRWLockShared(PSRWLOCK l) {
  return pthread_rwlock_tryrdlock(&l->HttpservLock) == 0;
}

// ---------------------------------------------------------------------------------------------
// Condition variables, with a critical section or an SRW lock.
// ---------------------------------------------------------------------------------------------

struct CONDITION_VARIABLE {
  pthread_cond_t HttpservCond;
};
typedef CONDITION_VARIABLE* PCONDITION_VARIABLE;
#define CONDITION_VARIABLE_INIT \
  {}
#define CONDITION_VARIABLE_LOCKMODE_SHARED 0x1

namespace httpserv::compat {
// SleepConditionVariableSRW waits on this mutex (an SRW lock is not a mutex a condition
// variable can wait on); wakers take it too, so a wake between a sleeper's release of the SRW
// lock and its wait is not lost.
inline pthread_mutex_t& srw_gate() {
  static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
  return gate;
}
}  // namespace httpserv::compat

inline VOID InitializeConditionVariable(PCONDITION_VARIABLE cv) {
  pthread_cond_init(&cv->HttpservCond, nullptr);
}
inline VOID WakeConditionVariable(PCONDITION_VARIABLE cv) {
  pthread_mutex_lock(&httpserv::compat::srw_gate());
  pthread_cond_signal(&cv->HttpservCond);
  pthread_mutex_unlock(&httpserv::compat::srw_gate());
}
inline VOID WakeAllConditionVariable(PCONDITION_VARIABLE cv) {
  pthread_mutex_lock(&httpserv::compat::srw_gate());
  pthread_cond_broadcast(&cv->HttpservCond);
  pthread_mutex_unlock(&httpserv::compat::srw_gate());
}
namespace httpserv::compat {
// The absolute CLOCK_REALTIME deadline dwMilliseconds from now (pthread_cond_timedwait's clock).
inline timespec deadline_after(DWORD ms) {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_sec += static_cast<time_t>(ms / 1000u);
  ts.tv_nsec += static_cast<long>((ms % 1000u) * 1000000u);  // NOLINT(runtime/int)
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec += 1;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}
}  // namespace httpserv::compat
// Releases the critical section (which the thread must own exactly once), waits, re-enters.
// FALSE with ERROR_TIMEOUT when dwMilliseconds passed.
inline BOOL SleepConditionVariableCS(PCONDITION_VARIABLE cv, PCRITICAL_SECTION cs,
                                     DWORD dwMilliseconds) {
  const LONG recursion = cs->RecursionCount;
  cs->RecursionCount = 0;
  cs->OwningThread = nullptr;
  int rc = 0;
  if (dwMilliseconds == INFINITE) {
    rc = pthread_cond_wait(&cv->HttpservCond, &cs->HttpservMutex);
  } else {
    timespec ts = httpserv::compat::deadline_after(dwMilliseconds);
    rc = pthread_cond_timedwait(&cv->HttpservCond, &cs->HttpservMutex, &ts);
  }
  httpserv::compat::critical_section_entered(cs);
  cs->RecursionCount = recursion;
  if (rc == ETIMEDOUT) {
    SetLastError(ERROR_TIMEOUT);
    return FALSE;
  }
  return TRUE;
}
// The same with an SRW lock held exclusively or, with CONDITION_VARIABLE_LOCKMODE_SHARED,
// shared: the lock is released around a wait on srw_gate(), which the wakers take, so a wake
// that comes between the release and the wait is not lost.
inline BOOL SleepConditionVariableSRW(PCONDITION_VARIABLE cv, PSRWLOCK l, DWORD dwMilliseconds,
                                      ULONG Flags) {
  pthread_mutex_t& gate = httpserv::compat::srw_gate();
  pthread_mutex_lock(&gate);
  pthread_rwlock_unlock(&l->HttpservLock);
  int rc = 0;
  if (dwMilliseconds == INFINITE) {
    rc = pthread_cond_wait(&cv->HttpservCond, &gate);
  } else {
    timespec ts = httpserv::compat::deadline_after(dwMilliseconds);
    rc = pthread_cond_timedwait(&cv->HttpservCond, &gate, &ts);
  }
  pthread_mutex_unlock(&gate);
  if ((Flags & CONDITION_VARIABLE_LOCKMODE_SHARED) != 0) {
    pthread_rwlock_rdlock(&l->HttpservLock);
  } else {
    pthread_rwlock_wrlock(&l->HttpservLock);
  }
  if (rc == ETIMEDOUT) {
    SetLastError(ERROR_TIMEOUT);
    return FALSE;
  }
  return TRUE;
}

// ---------------------------------------------------------------------------------------------
// One-time initialisation.
// ---------------------------------------------------------------------------------------------

struct INIT_ONCE {
  pthread_once_t HttpservOnce;
  PVOID Context;
};
typedef INIT_ONCE* PINIT_ONCE;
typedef INIT_ONCE* LPINIT_ONCE;
#define INIT_ONCE_STATIC_INIT \
  { PTHREAD_ONCE_INIT, nullptr }
typedef BOOL(WINAPI* PINIT_ONCE_FN)(PINIT_ONCE InitOnce, PVOID Parameter, PVOID* Context);

inline VOID InitOnceInitialize(PINIT_ONCE p) {
  p->HttpservOnce = PTHREAD_ONCE_INIT;
  p->Context = nullptr;
}
// Runs InitFn once per INIT_ONCE (concurrent callers wait for it). A FALSE from InitFn is
// returned to the first caller; later calls do not retry (Windows would).
inline BOOL InitOnceExecuteOnce(PINIT_ONCE InitOnce, PINIT_ONCE_FN InitFn, PVOID Parameter,
                                LPVOID* Context) {
  struct Call {
    PINIT_ONCE once;
    PINIT_ONCE_FN fn;
    PVOID parameter;
    BOOL result;
  };
  static thread_local Call* current = nullptr;
  Call call{InitOnce, InitFn, Parameter, TRUE};
  current = &call;
  pthread_once(&InitOnce->HttpservOnce, [] {
    Call* c = current;
    c->result = c->fn(c->once, c->parameter, &c->once->Context);
  });
  current = nullptr;
  if (Context != nullptr) *Context = InitOnce->Context;
  return call.result;
}

// ---------------------------------------------------------------------------------------------
// Interlocked singly linked lists (a LIFO stack). The header is 16 bytes as on x64; the list is
// guarded by a spin lock inside it rather than a 128-bit compare-and-swap, which makes it
// ABA-safe and simple. Entries need no particular alignment here.
// ---------------------------------------------------------------------------------------------

struct SLIST_ENTRY {
  SLIST_ENTRY* Next;
};
typedef SLIST_ENTRY* PSLIST_ENTRY;
typedef SLIST_ENTRY SINGLE_LIST_ENTRY;
typedef SLIST_ENTRY* PSINGLE_LIST_ENTRY;

union alignas(16) SLIST_HEADER {
  struct {
    ULONGLONG Alignment;
    ULONGLONG Region;
  } s;
  struct {
    PSLIST_ENTRY First;
    uint32_t Depth;
    uint32_t Lock;
  } HttpservList;
};
typedef SLIST_HEADER* PSLIST_HEADER;

namespace httpserv::compat {
inline void slist_lock(PSLIST_HEADER h) {
  while (__atomic_exchange_n(&h->HttpservList.Lock, 1u, __ATOMIC_ACQUIRE) != 0)
    sched_yield();
}
inline void slist_unlock(PSLIST_HEADER h) {
  __atomic_store_n(&h->HttpservList.Lock, 0u, __ATOMIC_RELEASE);
}
}  // namespace httpserv::compat

inline VOID InitializeSListHead(PSLIST_HEADER ListHead) {
  ListHead->s.Alignment = 0;
  ListHead->s.Region = 0;
}
// Pushes an entry; returns the previous first entry.
inline PSLIST_ENTRY InterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY ListEntry) {
  httpserv::compat::slist_lock(ListHead);
  PSLIST_ENTRY first = ListHead->HttpservList.First;
  ListEntry->Next = first;
  ListHead->HttpservList.First = ListEntry;
  ++ListHead->HttpservList.Depth;
  httpserv::compat::slist_unlock(ListHead);
  return first;
}
// Pops the first entry, or NULL when the list is empty.
inline PSLIST_ENTRY InterlockedPopEntrySList(PSLIST_HEADER ListHead) {
  httpserv::compat::slist_lock(ListHead);
  PSLIST_ENTRY first = ListHead->HttpservList.First;
  if (first != nullptr) {
    ListHead->HttpservList.First = first->Next;
    --ListHead->HttpservList.Depth;
  }
  httpserv::compat::slist_unlock(ListHead);
  return first;
}
// Empties the list; returns the former first entry (the chain stays linked).
inline PSLIST_ENTRY InterlockedFlushSList(PSLIST_HEADER ListHead) {
  httpserv::compat::slist_lock(ListHead);
  PSLIST_ENTRY first = ListHead->HttpservList.First;
  ListHead->HttpservList.First = nullptr;
  ListHead->HttpservList.Depth = 0;
  httpserv::compat::slist_unlock(ListHead);
  return first;
}
inline USHORT QueryDepthSList(PSLIST_HEADER ListHead) {
  httpserv::compat::slist_lock(ListHead);
  USHORT depth = static_cast<USHORT>(ListHead->HttpservList.Depth);
  httpserv::compat::slist_unlock(ListHead);
  return depth;
}
inline PSLIST_ENTRY InterlockedPushListSListEx(PSLIST_HEADER ListHead, PSLIST_ENTRY List,
                                               PSLIST_ENTRY ListEnd, ULONG Count) {
  httpserv::compat::slist_lock(ListHead);
  PSLIST_ENTRY first = ListHead->HttpservList.First;
  ListEnd->Next = first;
  ListHead->HttpservList.First = List;
  ListHead->HttpservList.Depth += Count;
  httpserv::compat::slist_unlock(ListHead);
  return first;
}

#define MEMORY_ALLOCATION_ALIGNMENT 16

#endif  // HTTPSERV_COMPAT_HTTPSERV_SYNC_H_
