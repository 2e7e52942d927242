// Win32 base services that IIS module code commonly calls, implemented inline on Linux:
// last-error, Interlocked*, thread/process ids, tick counts, Sleep, memory macros,
// OutputDebugString/DebugBreak, the event-log trio (RegisterEventSource, ReportEvent,
// DeregisterEventSource) and UTF-8 MultiByteToWideChar/WideCharToMultiByte.
// Diagnostics go through HttpservLogWrite (httpserv_log.h), i.e. into the server log.

#ifndef HTTPSERV_COMPAT_WINBASE_H_
#define HTTPSERV_COMPAT_WINBASE_H_

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>
#include <utility>

#include "../httpserv_log.h"
#include "httpserv_fileapi.h"
#include "httpserv_handles.h"
#include "httpserv_lasterror.h"
#include "httpserv_sync.h"
#include "httpserv_system.h"
#include "httpserv_unicode.h"
#include "windef.h"
#include "winerror.h"

// ---------------------------------------------------------------------------------------------
// Interlocked operations: sequentially consistent __atomic builtins. Each returns what the
// Windows function returns (the new value for Increment/Decrement, the initial value for the
// others). Overloads cover LONG, ULONG, and 64-bit (LONG64 == long on Linux, so code that
// uses a plain `long` counter also compiles) operands.
// ---------------------------------------------------------------------------------------------

inline LONG InterlockedIncrement(LONG volatile* Addend) {
  return __atomic_add_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}
inline LONG InterlockedDecrement(LONG volatile* Addend) {
  return __atomic_sub_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}
inline LONG InterlockedExchange(LONG volatile* Target, LONG Value) {
  return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);
}
inline LONG InterlockedCompareExchange(LONG volatile* Destination, LONG Exchange, LONG Comparand) {
  __atomic_compare_exchange_n(Destination, &Comparand, Exchange, false, __ATOMIC_SEQ_CST,
                              __ATOMIC_SEQ_CST);
  return Comparand;
}
inline LONG InterlockedExchangeAdd(LONG volatile* Addend, LONG Value) {
  return __atomic_fetch_add(Addend, Value, __ATOMIC_SEQ_CST);
}

inline ULONG InterlockedIncrement(ULONG volatile* Addend) {
  return __atomic_add_fetch(Addend, 1u, __ATOMIC_SEQ_CST);
}
inline ULONG InterlockedDecrement(ULONG volatile* Addend) {
  return __atomic_sub_fetch(Addend, 1u, __ATOMIC_SEQ_CST);
}
inline ULONG InterlockedExchange(ULONG volatile* Target, ULONG Value) {
  return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);
}
inline ULONG InterlockedCompareExchange(ULONG volatile* Destination, ULONG Exchange,
                                        ULONG Comparand) {
  __atomic_compare_exchange_n(Destination, &Comparand, Exchange, false, __ATOMIC_SEQ_CST,
                              __ATOMIC_SEQ_CST);
  return Comparand;
}
inline ULONG InterlockedExchangeAdd(ULONG volatile* Addend, ULONG Value) {
  return __atomic_fetch_add(Addend, Value, __ATOMIC_SEQ_CST);
}

inline LONG64 InterlockedIncrement64(LONG64 volatile* Addend) {
  return __atomic_add_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}
inline LONG64 InterlockedDecrement64(LONG64 volatile* Addend) {
  return __atomic_sub_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}
inline LONG64 InterlockedExchange64(LONG64 volatile* Target, LONG64 Value) {
  return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);
}
inline LONG64 InterlockedCompareExchange64(LONG64 volatile* Destination, LONG64 Exchange,
                                           LONG64 Comparand) {
  __atomic_compare_exchange_n(Destination, &Comparand, Exchange, false, __ATOMIC_SEQ_CST,
                              __ATOMIC_SEQ_CST);
  return Comparand;
}
inline LONG64 InterlockedExchangeAdd64(LONG64 volatile* Addend, LONG64 Value) {
  return __atomic_fetch_add(Addend, Value, __ATOMIC_SEQ_CST);
}

inline ULONG64 InterlockedIncrement64(ULONG64 volatile* Addend) {
  return __atomic_add_fetch(Addend, 1u, __ATOMIC_SEQ_CST);
}
inline ULONG64 InterlockedDecrement64(ULONG64 volatile* Addend) {
  return __atomic_sub_fetch(Addend, 1u, __ATOMIC_SEQ_CST);
}
inline ULONG64 InterlockedExchange64(ULONG64 volatile* Target, ULONG64 Value) {
  return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);
}
inline ULONG64 InterlockedCompareExchange64(ULONG64 volatile* Destination, ULONG64 Exchange,
                                            ULONG64 Comparand) {
  __atomic_compare_exchange_n(Destination, &Comparand, Exchange, false, __ATOMIC_SEQ_CST,
                              __ATOMIC_SEQ_CST);
  return Comparand;
}
inline ULONG64 InterlockedExchangeAdd64(ULONG64 volatile* Addend, ULONG64 Value) {
  return __atomic_fetch_add(Addend, Value, __ATOMIC_SEQ_CST);
}

// The 32-bit names on a 64-bit (`long`) operand.
inline LONG64 InterlockedIncrement(LONG64 volatile* Addend) {
  return InterlockedIncrement64(Addend);
}
inline LONG64 InterlockedDecrement(LONG64 volatile* Addend) {
  return InterlockedDecrement64(Addend);
}
inline LONG64 InterlockedExchange(LONG64 volatile* Target, LONG64 Value) {
  return InterlockedExchange64(Target, Value);
}
inline LONG64 InterlockedCompareExchange(LONG64 volatile* Destination, LONG64 Exchange,
                                         LONG64 Comparand) {
  return InterlockedCompareExchange64(Destination, Exchange, Comparand);
}
inline LONG64 InterlockedExchangeAdd(LONG64 volatile* Addend, LONG64 Value) {
  return InterlockedExchangeAdd64(Addend, Value);
}

inline PVOID InterlockedExchangePointer(PVOID volatile* Target, PVOID Value) {
  return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);
}
inline PVOID InterlockedCompareExchangePointer(PVOID volatile* Destination, PVOID Exchange,
                                               PVOID Comparand) {
  __atomic_compare_exchange_n(Destination, &Comparand, Exchange, false, __ATOMIC_SEQ_CST,
                              __ATOMIC_SEQ_CST);
  return Comparand;
}

// ---------------------------------------------------------------------------------------------
// Threads, processes, time.
// ---------------------------------------------------------------------------------------------

// Kernel thread id (gettid) of the calling thread.
inline DWORD GetCurrentThreadId() {
  return static_cast<DWORD>(::syscall(SYS_gettid));
}
// Process id of the calling process.
inline DWORD GetCurrentProcessId() {
  return static_cast<DWORD>(::getpid());
}

// Milliseconds of CLOCK_MONOTONIC (Windows: since boot); never goes backwards.
inline ULONGLONG GetTickCount64() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<ULONGLONG>(ts.tv_sec) * 1000u + static_cast<ULONGLONG>(ts.tv_nsec) / 1000000u;
}
// GetTickCount64 truncated to 32 bits; wraps after about 49.7 days as on Windows.
inline DWORD GetTickCount() {
  return static_cast<DWORD>(GetTickCount64());
}

// Suspends the calling thread for dwMilliseconds (INFINITE sleeps forever).
inline VOID Sleep(DWORD dwMilliseconds) {
  if (dwMilliseconds == INFINITE) {
    for (;;)
      ::pause();
  }
  struct timespec req;
  req.tv_sec = static_cast<time_t>(dwMilliseconds / 1000u);
  req.tv_nsec = static_cast<long>((dwMilliseconds % 1000u) * 1000000u);  // NOLINT(runtime/int)
  while (::nanosleep(&req, &req) != 0 && errno == EINTR) {
  }
}

// ---------------------------------------------------------------------------------------------
// Memory helpers.
// ---------------------------------------------------------------------------------------------

#ifndef ZeroMemory
#define ZeroMemory(Destination, Length) std::memset((Destination), 0, (Length))
#endif
#ifndef RtlZeroMemory
#define RtlZeroMemory(Destination, Length) std::memset((Destination), 0, (Length))
#endif
#ifndef CopyMemory
#define CopyMemory(Destination, Source, Length) std::memcpy((Destination), (Source), (Length))
#endif
#ifndef RtlCopyMemory
#define RtlCopyMemory(Destination, Source, Length) std::memcpy((Destination), (Source), (Length))
#endif
#ifndef MoveMemory
#define MoveMemory(Destination, Source, Length) std::memmove((Destination), (Source), (Length))
#endif
#ifndef FillMemory
#define FillMemory(Destination, Length, Fill) std::memset((Destination), (Fill), (Length))
#endif

// Zeroes memory through volatile stores so the compiler cannot drop it; returns ptr.
inline PVOID SecureZeroMemory(PVOID ptr, SIZE_T cnt) {
  volatile BYTE* p = static_cast<volatile BYTE*>(ptr);
  while (cnt-- != 0)
    *p++ = 0;
  return ptr;
}

// ---------------------------------------------------------------------------------------------
// Debugging aids.
// ---------------------------------------------------------------------------------------------

namespace httpserv::compat {
// One log line per call: a single trailing "\n" or "\r\n" is dropped.
inline void log_debug_string(const char* text) {
  if (text == nullptr) return;
  std::string line(text);
  if (!line.empty() && line.back() == '\n') line.pop_back();
  if (!line.empty() && line.back() == '\r') line.pop_back();
  log_write(HTTPSERV_LOG_DEBUG, "OutputDebugString", line.c_str());
}
}  // namespace httpserv::compat

// Writes the text to the server log at debug level.
inline VOID OutputDebugStringA(LPCSTR lpOutputString) {
  httpserv::compat::log_debug_string(lpOutputString);
}
// Wide variant; the text is converted to UTF-8.
inline VOID OutputDebugStringW(LPCWSTR lpOutputString) {
  if (lpOutputString == nullptr) return;
  httpserv::compat::log_debug_string(httpserv::compat::wide_to_utf8(lpOutputString).c_str());
}

// Does not trap: logs a warning and returns, so a module left with a DebugBreak() call
// keeps the server running.
inline VOID DebugBreak() {
  httpserv::log_write(HTTPSERV_LOG_WARNING, "DebugBreak", "DebugBreak() called; ignored");
}

// Always FALSE: the server does not know whether a debugger is attached.
inline BOOL IsDebuggerPresent() {
  return FALSE;
}

// ---------------------------------------------------------------------------------------------
// Event log. Events are written to the server log: error -> error, warning and audit
// failure -> warning, information / success / audit success -> info. The message is
// "[event <id>] " (when the id is not 0) followed by the insertion strings joined by " ".
// ---------------------------------------------------------------------------------------------

#define EVENTLOG_SUCCESS 0x0000
#define EVENTLOG_ERROR_TYPE 0x0001
#define EVENTLOG_WARNING_TYPE 0x0002
#define EVENTLOG_INFORMATION_TYPE 0x0004
#define EVENTLOG_AUDIT_SUCCESS 0x0008
#define EVENTLOG_AUDIT_FAILURE 0x0010

namespace httpserv::compat {

struct EventSource {
  std::string name;
};

inline int event_type_to_level(WORD wType) {
  switch (wType) {
    case EVENTLOG_ERROR_TYPE:
      return HTTPSERV_LOG_ERROR;
    case EVENTLOG_WARNING_TYPE:
    case EVENTLOG_AUDIT_FAILURE:
      return HTTPSERV_LOG_WARNING;
    default:
      return HTTPSERV_LOG_INFO;
  }
}

inline HANDLE register_event_source(std::string name) {
  if (name.empty()) name = "Application";
  return new EventSource{std::move(name)};
}

inline BOOL report_event(HANDLE hEventLog, WORD wType, DWORD dwEventID, const std::string& text) {
  if (hEventLog == nullptr || hEventLog == INVALID_HANDLE_VALUE) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  const auto* source = static_cast<const EventSource*>(hEventLog);
  std::string message;
  if (dwEventID != 0) message = "[event " + std::to_string(dwEventID) + "] ";
  message += text;
  log_write(event_type_to_level(wType), source->name.c_str(), message.c_str());
  return TRUE;
}

}  // namespace httpserv::compat

// Opens an event source named lpSourceName; lpUNCServerName is ignored. The handle is
// released with DeregisterEventSource.
inline HANDLE RegisterEventSourceA(LPCSTR lpUNCServerName, LPCSTR lpSourceName) {
  (void)lpUNCServerName;
  return httpserv::compat::register_event_source(lpSourceName != nullptr ? lpSourceName : "");
}
inline HANDLE RegisterEventSourceW(LPCWSTR lpUNCServerName, LPCWSTR lpSourceName) {
  (void)lpUNCServerName;
  return httpserv::compat::register_event_source(httpserv::compat::wide_to_utf8(lpSourceName));
}

// Logs one event (see above). Category, user SID and raw data are ignored.
inline BOOL ReportEventA(HANDLE hEventLog, WORD wType, WORD wCategory, DWORD dwEventID,
                         PSID lpUserSid, WORD wNumStrings, DWORD dwDataSize, LPCSTR* lpStrings,
                         LPVOID lpRawData) {
  (void)wCategory;
  (void)lpUserSid;
  (void)dwDataSize;
  (void)lpRawData;
  std::string text;
  for (WORD i = 0; lpStrings != nullptr && i < wNumStrings; ++i) {
    if (i != 0) text += ' ';
    if (lpStrings[i] != nullptr) text += lpStrings[i];
  }
  return httpserv::compat::report_event(hEventLog, wType, dwEventID, text);
}
inline BOOL ReportEventW(HANDLE hEventLog, WORD wType, WORD wCategory, DWORD dwEventID,
                         PSID lpUserSid, WORD wNumStrings, DWORD dwDataSize, LPCWSTR* lpStrings,
                         LPVOID lpRawData) {
  (void)wCategory;
  (void)lpUserSid;
  (void)dwDataSize;
  (void)lpRawData;
  std::string text;
  for (WORD i = 0; lpStrings != nullptr && i < wNumStrings; ++i) {
    if (i != 0) text += ' ';
    text += httpserv::compat::wide_to_utf8(lpStrings[i]);
  }
  return httpserv::compat::report_event(hEventLog, wType, dwEventID, text);
}

// Closes a handle from RegisterEventSource. FALSE (ERROR_INVALID_HANDLE) for a null handle.
inline BOOL DeregisterEventSource(HANDLE hEventLog) {
  if (hEventLog == nullptr || hEventLog == INVALID_HANDLE_VALUE) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  delete static_cast<httpserv::compat::EventSource*>(hEventLog);
  return TRUE;
}

// ---------------------------------------------------------------------------------------------
// Code-page conversion. CP_UTF8 and CP_ACP/CP_OEMCP/CP_THREAD_ACP are all UTF-8 on Linux;
// any other code page fails with ERROR_INVALID_PARAMETER. Semantics follow Win32: a length
// of -1 means "NUL-terminated, count the NUL"; an output size of 0 returns the size needed;
// 0 is returned on failure with the reason in GetLastError().
// ---------------------------------------------------------------------------------------------

#define CP_ACP 0
#define CP_OEMCP 1
#define CP_THREAD_ACP 3
#define CP_UTF8 65001
#define MB_ERR_INVALID_CHARS 0x00000008
#define WC_ERR_INVALID_CHARS 0x00000080

namespace httpserv::compat {
inline bool is_utf8_code_page(UINT code_page) {
  return code_page == CP_UTF8 || code_page == CP_ACP || code_page == CP_OEMCP ||
         code_page == CP_THREAD_ACP;
}
}  // namespace httpserv::compat

// UTF-8 -> wchar_t. Invalid input becomes U+FFFD unless MB_ERR_INVALID_CHARS is set, in which
// case the call fails with ERROR_NO_UNICODE_TRANSLATION.
inline int MultiByteToWideChar(UINT CodePage, DWORD dwFlags, LPCCH lpMultiByteStr, int cbMultiByte,
                               LPWSTR lpWideCharStr, int cchWideChar) {
  if (!httpserv::compat::is_utf8_code_page(CodePage) || lpMultiByteStr == nullptr ||
      cbMultiByte == 0 || cbMultiByte < -1 || cchWideChar < 0 ||
      (lpWideCharStr == nullptr && cchWideChar != 0)) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  const size_t length =
      cbMultiByte == -1 ? std::strlen(lpMultiByteStr) + 1 : static_cast<size_t>(cbMultiByte);
  size_t in = 0;
  size_t out = 0;
  while (in < length) {
    wchar_t wc;
    size_t n = httpserv::compat::utf8_decode(lpMultiByteStr + in, length - in, &wc);
    if (n == 0) {
      if ((dwFlags & MB_ERR_INVALID_CHARS) != 0) {
        SetLastError(ERROR_NO_UNICODE_TRANSLATION);
        return 0;
      }
      wc = static_cast<wchar_t>(0xFFFD);
      n = 1;
    }
    if (cchWideChar != 0) {
      if (out >= static_cast<size_t>(cchWideChar)) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return 0;
      }
      lpWideCharStr[out] = wc;
    }
    ++out;
    in += n;
  }
  return static_cast<int>(out);
}

// wchar_t -> UTF-8. Unencodable characters become U+FFFD (or fail with
// ERROR_NO_UNICODE_TRANSLATION under WC_ERR_INVALID_CHARS). lpDefaultChar must be NULL for
// UTF-8, as on Windows; *lpUsedDefaultChar, if given, is set to FALSE.
inline int WideCharToMultiByte(UINT CodePage, DWORD dwFlags, LPCWCH lpWideCharStr, int cchWideChar,
                               LPSTR lpMultiByteStr, int cbMultiByte, LPCCH lpDefaultChar,
                               LPBOOL lpUsedDefaultChar) {
  if (!httpserv::compat::is_utf8_code_page(CodePage) || lpWideCharStr == nullptr ||
      cchWideChar == 0 || cchWideChar < -1 || cbMultiByte < 0 ||
      (lpMultiByteStr == nullptr && cbMultiByte != 0) || lpDefaultChar != nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  if (lpUsedDefaultChar != nullptr) *lpUsedDefaultChar = FALSE;
  const size_t length =
      cchWideChar == -1 ? std::wcslen(lpWideCharStr) + 1 : static_cast<size_t>(cchWideChar);
  size_t out = 0;
  char bytes[4];
  for (size_t i = 0; i < length; ++i) {
    size_t n = httpserv::compat::utf8_encode(lpWideCharStr[i], bytes);
    if (n == 0) {
      if ((dwFlags & WC_ERR_INVALID_CHARS) != 0) {
        SetLastError(ERROR_NO_UNICODE_TRANSLATION);
        return 0;
      }
      n = httpserv::compat::utf8_encode(static_cast<wchar_t>(0xFFFD), bytes);
    }
    if (cbMultiByte != 0) {
      if (out + n > static_cast<size_t>(cbMultiByte)) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return 0;
      }
      std::memcpy(lpMultiByteStr + out, bytes, n);
    }
    out += n;
  }
  return static_cast<int>(out);
}

// ---------------------------------------------------------------------------------------------
// DLL entry-point constants (a module may still define DllMain; the server never calls it).
// ---------------------------------------------------------------------------------------------

#define DLL_PROCESS_DETACH 0
#define DLL_PROCESS_ATTACH 1
#define DLL_THREAD_ATTACH 2
#define DLL_THREAD_DETACH 3

// No-op: there are no per-thread DLL notifications on Linux. Returns TRUE.
inline BOOL DisableThreadLibraryCalls(HMODULE hLibModule) {
  (void)hLibModule;
  return TRUE;
}

// ---------------------------------------------------------------------------------------------
// Generic-text names: the A variants unless UNICODE is defined, as on Windows.
// ---------------------------------------------------------------------------------------------

#ifdef UNICODE
#define RegisterEventSource RegisterEventSourceW
#define ReportEvent ReportEventW
#define OutputDebugString OutputDebugStringW
#else
#define RegisterEventSource RegisterEventSourceA
#define ReportEvent ReportEventA
#define OutputDebugString OutputDebugStringA
#endif

#endif  // HTTPSERV_COMPAT_WINBASE_H_
