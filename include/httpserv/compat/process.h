// <process.h> for httpserv modules on Linux: _beginthreadex / _endthreadex (CreateThread /
// ExitThread underneath: the returned value is a waitable thread HANDLE as a uintptr_t, closed
// with CloseHandle) and _getpid.

#ifndef HTTPSERV_COMPAT_PROCESS_H_
#define HTTPSERV_COMPAT_PROCESS_H_

#include <unistd.h>

#include <cstdint>

#include "httpserv_handles.h"

namespace httpserv::compat {
struct BeginThreadCall {
  unsigned(WINAPI* start)(void*);
  void* arg;
};
inline DWORD WINAPI begin_thread_trampoline(LPVOID p) {
  BeginThreadCall call = *static_cast<BeginThreadCall*>(p);
  delete static_cast<BeginThreadCall*>(p);
  return call.start(call.arg);
}
}  // namespace httpserv::compat

// 0 on failure (errno set), as MSVC.
inline uintptr_t _beginthreadex(void* security, unsigned stack_size,
                                unsigned(WINAPI* start_address)(void*), void* arglist,
                                unsigned initflag, unsigned* thrdaddr) {
  (void)security;
  auto* call = new (std::nothrow) httpserv::compat::BeginThreadCall{start_address, arglist};
  if (call == nullptr) {
    errno = ENOMEM;
    return 0;
  }
  DWORD tid = 0;
  HANDLE h = CreateThread(nullptr, stack_size, &httpserv::compat::begin_thread_trampoline, call,
                          initflag, &tid);
  if (h == nullptr) {
    delete call;
    errno = EAGAIN;
    return 0;
  }
  if (thrdaddr != nullptr) *thrdaddr = tid;
  return reinterpret_cast<uintptr_t>(h);
}
[[noreturn]] inline void _endthreadex(unsigned retval) {
  ExitThread(retval);
}
inline int _getpid() {
  return static_cast<int>(::getpid());
}

#endif  // HTTPSERV_COMPAT_PROCESS_H_
