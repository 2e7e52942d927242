// System information, time, modules and memory for httpserv modules on Linux:
// QueryPerformanceCounter, SYSTEMTIME and FILETIME conversions, GetSystemTime[AsFileTime],
// GetLocalTime, GetModuleHandle[Ex] / GetModuleFileName (the module's own .so, via dladdr),
// LoadLibrary / GetProcAddress / FreeLibrary (dlopen), FormatMessage, VirtualAlloc /
// VirtualFree (mmap), GetSystemInfo, GetComputerName[Ex], GetEnvironmentVariable,
// ExpandEnvironmentStrings. Included by <windows.h> (winbase.h).

#ifndef HTTPSERV_COMPAT_HTTPSERV_SYSTEM_H_
#define HTTPSERV_COMPAT_HTTPSERV_SYSTEM_H_

#include <dlfcn.h>
#include <link.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cwchar>
#include <string>

#include "httpserv_lasterror.h"
#include "httpserv_unicode.h"
#include "windef.h"
#include "winerror.h"

// ---------------------------------------------------------------------------------------------
// Time.
// ---------------------------------------------------------------------------------------------

struct SYSTEMTIME {
  WORD wYear;
  WORD wMonth;      // 1..12
  WORD wDayOfWeek;  // 0 = Sunday
  WORD wDay;
  WORD wHour;
  WORD wMinute;
  WORD wSecond;
  WORD wMilliseconds;
};
typedef SYSTEMTIME* PSYSTEMTIME;
typedef SYSTEMTIME* LPSYSTEMTIME;

// CLOCK_MONOTONIC in nanoseconds: QueryPerformanceFrequency is 1,000,000,000.
inline BOOL QueryPerformanceCounter(LARGE_INTEGER* lpPerformanceCount) {
  if (lpPerformanceCount == nullptr) return FALSE;
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lpPerformanceCount->QuadPart = static_cast<LONGLONG>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
  return TRUE;
}
inline BOOL QueryPerformanceFrequency(LARGE_INTEGER* lpFrequency) {
  if (lpFrequency == nullptr) return FALSE;
  lpFrequency->QuadPart = 1000000000;
  return TRUE;
}

namespace httpserv::compat {
constexpr uint64_t kFileTimeUnixEpoch = 116444736000000000ull;  // 1970-01-01 in FILETIME ticks
inline uint64_t filetime_ticks(const FILETIME& ft) {
  return (static_cast<uint64_t>(ft.dwHighDateTime) << 32) | ft.dwLowDateTime;
}
inline FILETIME filetime_of_ticks(uint64_t t) {
  return FILETIME{static_cast<DWORD>(t), static_cast<DWORD>(t >> 32)};
}
inline SYSTEMTIME systemtime_of(const tm& t, long nanos) {  // NOLINT(runtime/int)
  SYSTEMTIME st;
  st.wYear = static_cast<WORD>(t.tm_year + 1900);
  st.wMonth = static_cast<WORD>(t.tm_mon + 1);
  st.wDayOfWeek = static_cast<WORD>(t.tm_wday);
  st.wDay = static_cast<WORD>(t.tm_mday);
  st.wHour = static_cast<WORD>(t.tm_hour);
  st.wMinute = static_cast<WORD>(t.tm_min);
  st.wSecond = static_cast<WORD>(t.tm_sec);
  st.wMilliseconds = static_cast<WORD>(nanos / 1000000);
  return st;
}
}  // namespace httpserv::compat

// The current UTC time as FILETIME (100-ns ticks since 1601-01-01).
inline VOID GetSystemTimeAsFileTime(LPFILETIME lpSystemTimeAsFileTime) {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  *lpSystemTimeAsFileTime = httpserv::compat::filetime_of_ticks(
      static_cast<uint64_t>(ts.tv_sec) * 10000000u + static_cast<uint64_t>(ts.tv_nsec) / 100u +
      httpserv::compat::kFileTimeUnixEpoch);
}
inline VOID GetSystemTimePreciseAsFileTime(LPFILETIME lpSystemTimeAsFileTime) {
  GetSystemTimeAsFileTime(lpSystemTimeAsFileTime);
}
// The current UTC time.
inline VOID GetSystemTime(LPSYSTEMTIME lpSystemTime) {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t;
  gmtime_r(&ts.tv_sec, &t);
  *lpSystemTime = httpserv::compat::systemtime_of(t, ts.tv_nsec);
}
// The current local time (the TZ of the server process).
inline VOID GetLocalTime(LPSYSTEMTIME lpSystemTime) {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t;
  localtime_r(&ts.tv_sec, &t);
  *lpSystemTime = httpserv::compat::systemtime_of(t, ts.tv_nsec);
}
// FILETIME -> SYSTEMTIME (UTC); FALSE (ERROR_INVALID_PARAMETER) past year 30827.
inline BOOL FileTimeToSystemTime(const FILETIME* lpFileTime, LPSYSTEMTIME lpSystemTime) {
  if (lpFileTime == nullptr || lpSystemTime == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  const uint64_t ticks = httpserv::compat::filetime_ticks(*lpFileTime);
  if (ticks >= 0x8000000000000000ull) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  const int64_t unix_ticks =
      static_cast<int64_t>(ticks) - static_cast<int64_t>(httpserv::compat::kFileTimeUnixEpoch);
  int64_t secs = unix_ticks / 10000000;
  int64_t rem = unix_ticks % 10000000;
  if (rem < 0) {
    rem += 10000000;
    --secs;
  }
  time_t tt = static_cast<time_t>(secs);
  tm t;
  if (gmtime_r(&tt, &t) == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  *lpSystemTime = httpserv::compat::systemtime_of(t, static_cast<long>(rem * 100));  // NOLINT
  return TRUE;
}
// SYSTEMTIME (UTC; wDayOfWeek ignored) -> FILETIME; FALSE for an invalid date.
inline BOOL SystemTimeToFileTime(const SYSTEMTIME* lpSystemTime, LPFILETIME lpFileTime) {
  if (lpSystemTime == nullptr || lpFileTime == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  const SYSTEMTIME& s = *lpSystemTime;
  if (s.wYear < 1601 || s.wMonth < 1 || s.wMonth > 12 || s.wDay < 1 || s.wDay > 31 ||
      s.wHour > 23 || s.wMinute > 59 || s.wSecond > 59 || s.wMilliseconds > 999) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  tm t{};
  t.tm_year = s.wYear - 1900;
  t.tm_mon = s.wMonth - 1;
  t.tm_mday = s.wDay;
  t.tm_hour = s.wHour;
  t.tm_min = s.wMinute;
  t.tm_sec = s.wSecond;
  const time_t secs = timegm(&t);
  if (t.tm_mday != s.wDay) {  // normalised: the day does not exist in that month
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  const int64_t ticks = static_cast<int64_t>(secs) * 10000000 + s.wMilliseconds * 10000 +
                        static_cast<int64_t>(httpserv::compat::kFileTimeUnixEpoch);
  *lpFileTime = httpserv::compat::filetime_of_ticks(static_cast<uint64_t>(ticks));
  return TRUE;
}
// UTC <-> local FILETIME with the server's current UTC offset.
inline BOOL FileTimeToLocalFileTime(const FILETIME* lpFileTime, LPFILETIME lpLocalFileTime) {
  if (lpFileTime == nullptr || lpLocalFileTime == nullptr) return FALSE;
  time_t now = time(nullptr);
  tm local;
  localtime_r(&now, &local);
  const int64_t offset = static_cast<int64_t>(local.tm_gmtoff) * 10000000;
  *lpLocalFileTime = httpserv::compat::filetime_of_ticks(static_cast<uint64_t>(
      static_cast<int64_t>(httpserv::compat::filetime_ticks(*lpFileTime)) + offset));
  return TRUE;
}
struct TIME_ZONE_INFORMATION {
  LONG Bias;  // minutes: UTC = local + Bias
  WCHAR StandardName[32];
  SYSTEMTIME StandardDate;
  LONG StandardBias;
  WCHAR DaylightName[32];
  SYSTEMTIME DaylightDate;
  LONG DaylightBias;
};
typedef TIME_ZONE_INFORMATION* LPTIME_ZONE_INFORMATION;
typedef const TIME_ZONE_INFORMATION* LPCTIME_ZONE_INFORMATION;
#define TIME_ZONE_ID_UNKNOWN 0
#define TIME_ZONE_ID_STANDARD 1
#define TIME_ZONE_ID_DAYLIGHT 2

// The process's time zone (TZ), as of now: Bias from the current UTC offset, the zone names
// (tzname), no transition dates. TIME_ZONE_ID_DAYLIGHT while daylight saving time applies.
inline DWORD GetTimeZoneInformation(LPTIME_ZONE_INFORMATION lpTimeZoneInformation) {
  if (lpTimeZoneInformation == nullptr) return static_cast<DWORD>(-1);
  std::memset(lpTimeZoneInformation, 0, sizeof(*lpTimeZoneInformation));
  time_t now = time(nullptr);
  tm local;
  localtime_r(&now, &local);
  lpTimeZoneInformation->Bias = static_cast<LONG>(-local.tm_gmtoff / 60);
  std::wstring standard = httpserv::compat::utf8_to_wide(tzname[0] != nullptr ? tzname[0] : "");
  std::wstring daylight = httpserv::compat::utf8_to_wide(tzname[1] != nullptr ? tzname[1] : "");
  std::wmemcpy(lpTimeZoneInformation->StandardName, standard.c_str(),
               std::min<size_t>(standard.size(), 31));
  std::wmemcpy(lpTimeZoneInformation->DaylightName, daylight.c_str(),
               std::min<size_t>(daylight.size(), 31));
  return local.tm_isdst > 0 ? TIME_ZONE_ID_DAYLIGHT : TIME_ZONE_ID_STANDARD;
}
// UTC -> local time of the process's time zone (the zone argument must be NULL: other zones
// are not supported, FALSE with ERROR_NOT_SUPPORTED), daylight saving time of that date.
inline BOOL SystemTimeToTzSpecificLocalTime(const TIME_ZONE_INFORMATION* lpTimeZoneInformation,
                                            const SYSTEMTIME* lpUniversalTime,
                                            LPSYSTEMTIME lpLocalTime) {
  if (lpTimeZoneInformation != nullptr) {
    SetLastError(ERROR_NOT_SUPPORTED);
    return FALSE;
  }
  FILETIME ft;
  if (lpLocalTime == nullptr || !SystemTimeToFileTime(lpUniversalTime, &ft)) return FALSE;
  const int64_t unix_100ns = static_cast<int64_t>(httpserv::compat::filetime_ticks(ft)) -
                             static_cast<int64_t>(httpserv::compat::kFileTimeUnixEpoch);
  time_t secs = static_cast<time_t>(unix_100ns / 10000000);
  tm local;
  if (localtime_r(&secs, &local) == nullptr) return FALSE;
  *lpLocalTime = httpserv::compat::systemtime_of(local, 0);
  lpLocalTime->wMilliseconds = lpUniversalTime->wMilliseconds;
  return TRUE;
}
// Local time of the process's time zone -> UTC (zone argument NULL, as above).
inline BOOL TzSpecificLocalTimeToSystemTime(const TIME_ZONE_INFORMATION* lpTimeZoneInformation,
                                            const SYSTEMTIME* lpLocalTime,
                                            LPSYSTEMTIME lpUniversalTime) {
  if (lpTimeZoneInformation != nullptr) {
    SetLastError(ERROR_NOT_SUPPORTED);
    return FALSE;
  }
  if (lpLocalTime == nullptr || lpUniversalTime == nullptr) return FALSE;
  tm t{};
  t.tm_year = lpLocalTime->wYear - 1900;
  t.tm_mon = lpLocalTime->wMonth - 1;
  t.tm_mday = lpLocalTime->wDay;
  t.tm_hour = lpLocalTime->wHour;
  t.tm_min = lpLocalTime->wMinute;
  t.tm_sec = lpLocalTime->wSecond;
  t.tm_isdst = -1;
  time_t secs = mktime(&t);
  tm utc;
  if (secs == static_cast<time_t>(-1) || gmtime_r(&secs, &utc) == nullptr) return FALSE;
  *lpUniversalTime = httpserv::compat::systemtime_of(utc, 0);
  lpUniversalTime->wMilliseconds = lpLocalTime->wMilliseconds;
  return TRUE;
}

inline LONG CompareFileTime(const FILETIME* a, const FILETIME* b) {
  const uint64_t x = httpserv::compat::filetime_ticks(*a);
  const uint64_t y = httpserv::compat::filetime_ticks(*b);
  return x < y ? -1 : x > y ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Modules (shared objects).
// ---------------------------------------------------------------------------------------------

#define GET_MODULE_HANDLE_EX_FLAG_PIN 0x00000001
#define GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT 0x00000002
#define GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS 0x00000004

typedef int(WINAPI* FARPROC)();

namespace httpserv::compat {
// The module that contains this inline code: with -fvisibility=hidden (or any visibility)
// each .so has its own copy of this function, so its address identifies the calling module.
inline void module_anchor() {}
inline HMODULE module_of_address(const void* address) {
  Dl_info info;
  if (dladdr(address, &info) == 0 || info.dli_fbase == nullptr) return nullptr;
  return static_cast<HMODULE>(info.dli_fbase);
}
inline std::string module_path(HMODULE h) {
  const void* address = h != nullptr ? h : reinterpret_cast<const void*>(&module_anchor);
  Dl_info info;
  if (dladdr(address, &info) == 0 || info.dli_fname == nullptr) return {};
  std::string name = info.dli_fname;
  if (name.empty() || name[0] != '/') {  // the main program: dladdr gives argv[0]
    char exe[4096];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) name.assign(exe, static_cast<size_t>(n));
  }
  return name;
}
template <class C>
DWORD copy_out(const std::basic_string<C>& s, C* buf, DWORD n) {
  if (buf == nullptr || n == 0) {
    SetLastError(ERROR_INSUFFICIENT_BUFFER);
    return 0;
  }
  if (s.size() >= n) {  // truncated, terminated, as Windows does
    std::char_traits<C>::copy(buf, s.data(), n - 1);
    buf[n - 1] = 0;
    SetLastError(ERROR_INSUFFICIENT_BUFFER);
    return n;
  }
  std::char_traits<C>::copy(buf, s.data(), s.size());
  buf[s.size()] = 0;
  SetLastError(ERROR_SUCCESS);
  return static_cast<DWORD>(s.size());
}
}  // namespace httpserv::compat

namespace httpserv::compat {
// The load address of a dlopen handle (what HMODULE holds here).
inline HMODULE base_of_handle(void* h) {
  link_map* lm = nullptr;
  if (h == nullptr || dlinfo(h, RTLD_DI_LINKMAP, &lm) != 0 || lm == nullptr) return nullptr;
  Dl_info info;
  if (lm->l_ld != nullptr && dladdr(lm->l_ld, &info) != 0)
    return static_cast<HMODULE>(info.dli_fbase);
  return reinterpret_cast<HMODULE>(lm->l_addr);
}
// A dlopen handle (one more reference; dlclose it) of the loaded object at base `h`.
inline void* handle_of_base(HMODULE h) {
  Dl_info info;
  if (h == nullptr || dladdr(h, &info) == 0 || info.dli_fname == nullptr) return nullptr;
  if (info.dli_fbase == module_of_address(reinterpret_cast<const void*>(getauxval(AT_PHDR)))) {
    return dlopen(nullptr, RTLD_LAZY);
  }
  return dlopen(info.dli_fname, RTLD_NOLOAD | RTLD_LAZY);
}
}  // namespace httpserv::compat

// FROM_ADDRESS: the .so (or the executable) containing the address lpModuleName, e.g. a
// module's own function or static. Otherwise the loaded object named lpModuleName (a path or a
// soname), or the executable for NULL. HMODULE is the object's load address; it needs no
// FreeLibrary (the PIN and UNCHANGED_REFCOUNT flags change nothing).
inline BOOL GetModuleHandleExA(DWORD dwFlags, LPCSTR lpModuleName, HMODULE* phModule) {
  using namespace httpserv::compat;
  if (phModule == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  *phModule = nullptr;
  if ((dwFlags & GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS) != 0) {
    *phModule = module_of_address(lpModuleName);
  } else if (lpModuleName == nullptr) {
    *phModule = module_of_address(reinterpret_cast<const void*>(getauxval(AT_PHDR)));
  } else if (void* h = dlopen(lpModuleName, RTLD_NOLOAD | RTLD_LAZY)) {
    *phModule = base_of_handle(h);
    dlclose(h);
  }
  if (*phModule == nullptr) {
    SetLastError(ERROR_MOD_NOT_FOUND);
    return FALSE;
  }
  return TRUE;
}
inline BOOL GetModuleHandleExW(DWORD dwFlags, LPCWSTR lpModuleName, HMODULE* phModule) {
  if ((dwFlags & GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS) != 0 || lpModuleName == nullptr) {
    return GetModuleHandleExA(dwFlags, reinterpret_cast<LPCSTR>(lpModuleName), phModule);
  }
  return GetModuleHandleExA(dwFlags, httpserv::compat::wide_to_utf8(lpModuleName).c_str(),
                            phModule);
}
inline HMODULE GetModuleHandleA(LPCSTR lpModuleName) {
  HMODULE h = nullptr;
  GetModuleHandleExA(0, lpModuleName, &h);
  return h;
}
inline HMODULE GetModuleHandleW(LPCWSTR lpModuleName) {
  HMODULE h = nullptr;
  GetModuleHandleExW(0, lpModuleName, &h);
  return h;
}
// The path of the module hModule (from GetModuleHandle[Ex] or LoadLibrary); NULL gives the
// executable's path (Windows: w3wp.exe), so a module finds its own .so with
// GetModuleHandleEx(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS, (LPCSTR)&SomeFunction, &h) first.
// Returns the length; a short buffer gets a truncated, terminated copy, nSize is returned and
// GetLastError() is ERROR_INSUFFICIENT_BUFFER.
inline DWORD GetModuleFileNameA(HMODULE hModule, LPSTR lpFilename, DWORD nSize) {
  using namespace httpserv::compat;
  HMODULE h = hModule != nullptr ? hModule : GetModuleHandleA(nullptr);
  std::string path = module_path(h);
  if (path.empty()) {
    SetLastError(ERROR_MOD_NOT_FOUND);
    return 0;
  }
  return copy_out(path, lpFilename, nSize);
}
inline DWORD GetModuleFileNameW(HMODULE hModule, LPWSTR lpFilename, DWORD nSize) {
  using namespace httpserv::compat;
  HMODULE h = hModule != nullptr ? hModule : GetModuleHandleA(nullptr);
  std::string path = module_path(h);
  if (path.empty()) {
    SetLastError(ERROR_MOD_NOT_FOUND);
    return 0;
  }
  return copy_out(utf8_to_wide(path), lpFilename, nSize);
}
// dlopen(RTLD_NOW); the HMODULE is the load address. NULL with ERROR_MOD_NOT_FOUND.
inline HMODULE LoadLibraryA(LPCSTR lpLibFileName) {
  void* h = lpLibFileName != nullptr ? dlopen(lpLibFileName, RTLD_NOW) : nullptr;
  if (h == nullptr) {
    SetLastError(ERROR_MOD_NOT_FOUND);
    return nullptr;
  }
  return httpserv::compat::base_of_handle(h);  // the reference stays until FreeLibrary
}
inline HMODULE LoadLibraryW(LPCWSTR lpLibFileName) {
  return lpLibFileName != nullptr
             ? LoadLibraryA(httpserv::compat::wide_to_utf8(lpLibFileName).c_str())
             : nullptr;
}
inline HMODULE LoadLibraryExA(LPCSTR lpLibFileName, HANDLE hFile, DWORD dwFlags) {
  (void)hFile;
  (void)dwFlags;
  return LoadLibraryA(lpLibFileName);
}
inline HMODULE LoadLibraryExW(LPCWSTR lpLibFileName, HANDLE hFile, DWORD dwFlags) {
  (void)hFile;
  (void)dwFlags;
  return LoadLibraryW(lpLibFileName);
}
// Drops one LoadLibrary reference.
inline BOOL FreeLibrary(HMODULE hLibModule) {
  void* h = httpserv::compat::handle_of_base(hLibModule);
  if (h == nullptr) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  dlclose(h);  // the reference handle_of_base took
  dlclose(h);  // LoadLibrary's
  return TRUE;
}
inline FARPROC GetProcAddress(HMODULE hModule, LPCSTR lpProcName) {
  void* h = httpserv::compat::handle_of_base(hModule);
  if (h == nullptr || lpProcName == nullptr) {
    SetLastError(ERROR_INVALID_HANDLE);
    return nullptr;
  }
  void* sym = dlsym(h, lpProcName);
  dlclose(h);
  if (sym == nullptr) SetLastError(ERROR_PROC_NOT_FOUND);
  return reinterpret_cast<FARPROC>(sym);
}

// ---------------------------------------------------------------------------------------------
// FormatMessage: system messages (FORMAT_MESSAGE_FROM_SYSTEM) for the common Win32 codes and
// HRESULTs, and %1..%99 inserts from an array (FORMAT_MESSAGE_ARGUMENT_ARRAY) or a va_list.
// Insert formats (%1!d!) and message tables (FORMAT_MESSAGE_FROM_HMODULE) are not supported.
// ---------------------------------------------------------------------------------------------

#define FORMAT_MESSAGE_ALLOCATE_BUFFER 0x00000100
#define FORMAT_MESSAGE_IGNORE_INSERTS 0x00000200
#define FORMAT_MESSAGE_FROM_STRING 0x00000400
#define FORMAT_MESSAGE_FROM_HMODULE 0x00000800
#define FORMAT_MESSAGE_FROM_SYSTEM 0x00001000
#define FORMAT_MESSAGE_ARGUMENT_ARRAY 0x00002000
#define FORMAT_MESSAGE_MAX_WIDTH_MASK 0x000000FF
#define LANG_NEUTRAL 0x00
#define SUBLANG_DEFAULT 0x01
#define MAKELANGID(p, s) ((((WORD)(s)) << 10) | (WORD)(p))

namespace httpserv::compat {
inline const char* system_message(DWORD code) {
  DWORD c = code;
  if ((code & 0xFFFF0000u) == 0x80070000u) c = code & 0xFFFFu;  // HRESULT_FROM_WIN32
  switch (c) {
    case 0:
      return "The operation completed successfully.";
    case ERROR_INVALID_FUNCTION:
      return "Incorrect function.";
    case ERROR_FILE_NOT_FOUND:
      return "The system cannot find the file specified.";
    case ERROR_PATH_NOT_FOUND:
      return "The system cannot find the path specified.";
    case ERROR_TOO_MANY_OPEN_FILES:
      return "The system cannot open the file.";
    case ERROR_ACCESS_DENIED:
      return "Access is denied.";
    case ERROR_INVALID_HANDLE:
      return "The handle is invalid.";
    case ERROR_NOT_ENOUGH_MEMORY:
      return "Not enough memory resources are available to process this command.";
    case ERROR_INVALID_DATA:
      return "The data is invalid.";
    case ERROR_OUTOFMEMORY:
      return "Not enough memory resources are available to complete this operation.";
    case ERROR_GEN_FAILURE:
      return "A device attached to the system is not functioning.";
    case ERROR_SHARING_VIOLATION:
      return "The process cannot access the file because it is being used by another process.";
    case ERROR_HANDLE_EOF:
      return "Reached the end of the file.";
    case ERROR_NOT_SUPPORTED:
      return "The request is not supported.";
    case ERROR_FILE_EXISTS:
      return "The file exists.";
    case ERROR_INVALID_PARAMETER:
      return "The parameter is incorrect.";
    case ERROR_BROKEN_PIPE:
      return "The pipe has been ended.";
    case ERROR_DISK_FULL:
      return "There is not enough space on the disk.";
    case ERROR_INSUFFICIENT_BUFFER:
      return "The data area passed to a system call is too small.";
    case ERROR_INVALID_NAME:
      return "The filename, directory name, or volume label syntax is incorrect.";
    case ERROR_MOD_NOT_FOUND:
      return "The specified module could not be found.";
    case ERROR_PROC_NOT_FOUND:
      return "The specified procedure could not be found.";
    case ERROR_DIR_NOT_EMPTY:
      return "The directory is not empty.";
    case ERROR_ALREADY_EXISTS:
      return "Cannot create a file when that file already exists.";
    case ERROR_MORE_DATA:
      return "More data is available.";
    case ERROR_NO_MORE_ITEMS:
      return "No more data is available.";
    case ERROR_DIRECTORY:
      return "The directory name is invalid.";
    case ERROR_OPERATION_ABORTED:
      return "The I/O operation has been aborted because of either a thread exit or an application "
             "request.";
    case ERROR_IO_PENDING:
      return "Overlapped I/O operation is in progress.";
    case ERROR_NOT_FOUND:
      return "Element not found.";
    case ERROR_INVALID_INDEX:
      return "The index is invalid.";
    case ERROR_TIMEOUT:
      return "This operation returned because the timeout period expired.";
    case WAIT_TIMEOUT:
      return "The wait operation timed out.";
    case ERROR_CONNECTION_ABORTED:
      return "The network connection was aborted by the local system.";
    case ERROR_NO_UNICODE_TRANSLATION:
      return "No mapping for the Unicode character exists in the target multi-byte code page.";
    default:
      break;
  }
  switch (code) {
    case 0x80004001u:
      return "Not implemented";
    case 0x80004002u:
      return "No such interface supported";
    case 0x80004003u:
      return "Invalid pointer";
    case 0x80004005u:
      return "Unspecified error";
    case 0x8000FFFFu:
      return "Catastrophic failure";
    case 0x80040154u:
      return "Class not registered";
    case 0x80020005u:
      return "Type mismatch.";
    case 0x8002000Au:
      return "Out of present range.";
    default:
      return nullptr;
  }
}
// Expands %1..%99 (and %0 %n %% %. %!) of `fmt`; args[i] are the inserts as UTF-8.
inline std::string format_inserts(const std::string& fmt, const std::string* args, size_t nargs,
                                  bool ignore_inserts) {
  std::string out;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%' || ignore_inserts || i + 1 >= fmt.size()) {
      out += fmt[i];
      continue;
    }
    char c = fmt[++i];
    if (c >= '1' && c <= '9') {
      size_t n = static_cast<size_t>(c - '0');
      if (i + 1 < fmt.size() && fmt[i + 1] >= '0' && fmt[i + 1] <= '9')
        n = n * 10 + static_cast<size_t>(fmt[++i] - '0');
      if (i + 1 < fmt.size() && fmt[i + 1] == '!') {  // %1!s!: the format is ignored
        size_t end = fmt.find('!', i + 2);
        if (end != std::string::npos) i = end;
      }
      if (n <= nargs) out += args[n - 1];
    } else if (c == 'n') {
      out += "\r\n";
    } else if (c == '0') {
      break;
    } else {
      out += c;  // %% %. %! and anything else: the character itself
    }
  }
  return out;
}
}  // namespace httpserv::compat

// FROM_SYSTEM: the text of a Win32 code or HRESULT (ending in "\r\n" as on Windows), FALSE
// (ERROR_MR_MID_NOT_FOUND) for codes without one. FROM_STRING: lpSource is the format.
// ALLOCATE_BUFFER: *(LPSTR*)lpBuffer gets a LocalAlloc'ed (free with LocalFree) copy. Returns
// the number of characters written, without the terminator; 0 on failure.
inline DWORD FormatMessageA(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId, DWORD dwLanguageId,
                            LPSTR lpBuffer, DWORD nSize, va_list* Arguments) {
  (void)dwLanguageId;
  using namespace httpserv::compat;
  std::string fmt;
  if ((dwFlags & FORMAT_MESSAGE_FROM_STRING) != 0) {
    if (lpSource == nullptr) {
      SetLastError(ERROR_INVALID_PARAMETER);
      return 0;
    }
    fmt = static_cast<const char*>(lpSource);
  } else if ((dwFlags & FORMAT_MESSAGE_FROM_SYSTEM) != 0) {
    const char* m = system_message(dwMessageId);
    if (m == nullptr) {
      SetLastError(ERROR_MR_MID_NOT_FOUND);
      return 0;
    }
    fmt = std::string(m) + "\r\n";
  } else {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  std::string args[99];
  size_t nargs = 0;
  const bool ignore = (dwFlags & FORMAT_MESSAGE_IGNORE_INSERTS) != 0 || Arguments == nullptr;
  if (!ignore) {
    size_t highest = 0;
    for (size_t i = 0; i + 1 < fmt.size(); ++i) {
      if (fmt[i] == '%' && fmt[i + 1] >= '1' && fmt[i + 1] <= '9') {
        size_t n = static_cast<size_t>(fmt[i + 1] - '0');
        if (i + 2 < fmt.size() && fmt[i + 2] >= '0' && fmt[i + 2] <= '9')
          n = n * 10 + static_cast<size_t>(fmt[i + 2] - '0');
        highest = std::max(highest, n);
      }
    }
    nargs = std::min<size_t>(highest, 99);
    if ((dwFlags & FORMAT_MESSAGE_ARGUMENT_ARRAY) != 0) {
      auto* array = reinterpret_cast<const char* const*>(Arguments);
      for (size_t i = 0; i < nargs; ++i)
        args[i] = array[i] != nullptr ? array[i] : "";
    } else {
      va_list ap;
      va_copy(ap, *Arguments);
      for (size_t i = 0; i < nargs; ++i) {
        const char* a = va_arg(ap, const char*);
        args[i] = a != nullptr ? a : "";
      }
      va_end(ap);
    }
  }
  std::string text = format_inserts(fmt, args, nargs, ignore);
  if ((dwFlags & FORMAT_MESSAGE_ALLOCATE_BUFFER) != 0) {
    char* p = static_cast<char*>(std::malloc(text.size() + 1));
    if (p == nullptr || lpBuffer == nullptr) {
      std::free(p);
      SetLastError(ERROR_NOT_ENOUGH_MEMORY);
      return 0;
    }
    std::memcpy(p, text.c_str(), text.size() + 1);
    *reinterpret_cast<char**>(lpBuffer) = p;
    return static_cast<DWORD>(text.size());
  }
  if (lpBuffer == nullptr || nSize <= text.size()) {
    SetLastError(ERROR_INSUFFICIENT_BUFFER);
    return 0;
  }
  std::memcpy(lpBuffer, text.c_str(), text.size() + 1);
  return static_cast<DWORD>(text.size());
}
// The wide form; inserts are wchar_t strings.
inline DWORD FormatMessageW(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId, DWORD dwLanguageId,
                            LPWSTR lpBuffer, DWORD nSize, va_list* Arguments) {
  using namespace httpserv::compat;
  std::string source;
  if ((dwFlags & FORMAT_MESSAGE_FROM_STRING) != 0 && lpSource != nullptr)
    source = wide_to_utf8(static_cast<const wchar_t*>(lpSource));
  // Inserts are converted to UTF-8 first, then the narrow form does the work. Only as many
  // inserts are read as the format names (%1..%99): callers pass no more than that.
  std::string args[99];
  const char* arg_ptrs[99] = {};
  DWORD flags = (dwFlags & ~FORMAT_MESSAGE_ALLOCATE_BUFFER) | FORMAT_MESSAGE_ARGUMENT_ARRAY;
  if (Arguments != nullptr && (dwFlags & FORMAT_MESSAGE_IGNORE_INSERTS) == 0 &&
      (dwFlags & FORMAT_MESSAGE_FROM_STRING) != 0) {
    size_t highest = 0;
    for (size_t i = 0; i + 1 < source.size(); ++i) {
      if (source[i] != '%') continue;
      if (source[i + 1] >= '1' && source[i + 1] <= '9') {
        size_t n = static_cast<size_t>(source[i + 1] - '0');
        if (i + 2 < source.size() && source[i + 2] >= '0' && source[i + 2] <= '9')
          n = n * 10 + static_cast<size_t>(source[i + 2] - '0');
        highest = std::max(highest, n);
      }
      ++i;  // "%%" is not an insert
    }
    if ((dwFlags & FORMAT_MESSAGE_ARGUMENT_ARRAY) != 0) {
      auto* array = reinterpret_cast<const wchar_t* const*>(Arguments);
      for (size_t i = 0; i < highest; ++i) {
        args[i] = wide_to_utf8(array[i]);
        arg_ptrs[i] = args[i].c_str();
      }
    } else {
      va_list ap;
      va_copy(ap, *Arguments);
      for (size_t i = 0; i < highest; ++i) {
        const wchar_t* a = va_arg(ap, const wchar_t*);
        args[i] = wide_to_utf8(a);
        arg_ptrs[i] = args[i].c_str();
      }
      va_end(ap);
    }
  } else {
    flags |= FORMAT_MESSAGE_IGNORE_INSERTS;
  }
  if ((dwFlags & FORMAT_MESSAGE_FROM_STRING) != 0 && lpSource == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  char* narrow = nullptr;
  DWORD n = FormatMessageA(flags | FORMAT_MESSAGE_ALLOCATE_BUFFER, source.c_str(), dwMessageId,
                           dwLanguageId, reinterpret_cast<LPSTR>(&narrow), 0,
                           reinterpret_cast<va_list*>(arg_ptrs));
  if (n == 0) return 0;
  std::wstring w = utf8_to_wide(narrow);
  std::free(narrow);
  if ((dwFlags & FORMAT_MESSAGE_ALLOCATE_BUFFER) != 0) {
    auto* p = static_cast<wchar_t*>(std::malloc((w.size() + 1) * sizeof(wchar_t)));
    if (p == nullptr || lpBuffer == nullptr) {
      std::free(p);
      SetLastError(ERROR_NOT_ENOUGH_MEMORY);
      return 0;
    }
    std::wmemcpy(p, w.c_str(), w.size() + 1);
    *reinterpret_cast<wchar_t**>(lpBuffer) = p;
    return static_cast<DWORD>(w.size());
  }
  if (lpBuffer == nullptr || nSize <= w.size()) {
    SetLastError(ERROR_INSUFFICIENT_BUFFER);
    return 0;
  }
  std::wmemcpy(lpBuffer, w.c_str(), w.size() + 1);
  return static_cast<DWORD>(w.size());
}

// LocalAlloc/LocalFree/GlobalAlloc/GlobalFree: the C heap (LMEM_ZEROINIT zeroes).
#define LMEM_FIXED 0x0000
#define LMEM_ZEROINIT 0x0040
#define LPTR 0x0040
#define GMEM_FIXED 0x0000
#define GMEM_ZEROINIT 0x0040
#define GPTR 0x0040
inline HLOCAL LocalAlloc(UINT uFlags, SIZE_T uBytes) {
  return (uFlags & LMEM_ZEROINIT) != 0 ? std::calloc(1, uBytes != 0 ? uBytes : 1)
                                       : std::malloc(uBytes != 0 ? uBytes : 1);
}
inline HLOCAL LocalFree(HLOCAL hMem) {
  std::free(hMem);
  return nullptr;
}
inline HGLOBAL GlobalAlloc(UINT uFlags, SIZE_T dwBytes) {
  return LocalAlloc(uFlags, dwBytes);
}
inline HGLOBAL GlobalFree(HGLOBAL hMem) {
  std::free(hMem);
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Virtual memory (mmap). VirtualFree(MEM_RELEASE) is called with dwSize 0, so the region's size
// is kept in one header page mapped just before the address VirtualAlloc returns.
// ---------------------------------------------------------------------------------------------

#define MEM_COMMIT 0x00001000
#define MEM_RESERVE 0x00002000
#define MEM_DECOMMIT 0x00004000
#define MEM_RELEASE 0x00008000
#define MEM_RESET 0x00080000
#define PAGE_NOACCESS 0x01
#define PAGE_READONLY 0x02
#define PAGE_READWRITE 0x04
#define PAGE_EXECUTE 0x10
#define PAGE_EXECUTE_READ 0x20
#define PAGE_EXECUTE_READWRITE 0x40

namespace httpserv::compat {
inline int protection_of(DWORD p) {
  switch (p & 0xFF) {
    case PAGE_NOACCESS:
      return PROT_NONE;
    case PAGE_READONLY:
      return PROT_READ;
    case PAGE_READWRITE:
      return PROT_READ | PROT_WRITE;
    case PAGE_EXECUTE:
      return PROT_EXEC;
    case PAGE_EXECUTE_READ:
      return PROT_READ | PROT_EXEC;
    case PAGE_EXECUTE_READWRITE:
      return PROT_READ | PROT_WRITE | PROT_EXEC;
    default:
      return -1;
  }
}
}  // namespace httpserv::compat

// A new page-aligned region of dwSize bytes (zeroed). lpAddress must be NULL (placing memory
// at a chosen address is not supported) unless it lies in a region this function returned, in
// which case MEM_COMMIT just changes protection there. MEM_RESERVE alone maps PROT_NONE.
inline LPVOID VirtualAlloc(LPVOID lpAddress, SIZE_T dwSize, DWORD flAllocationType,
                           DWORD flProtect) {
  int prot = httpserv::compat::protection_of(flProtect);
  if (dwSize == 0 || prot < 0 || (flAllocationType & (MEM_COMMIT | MEM_RESERVE)) == 0) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return nullptr;
  }
  if ((flAllocationType & MEM_COMMIT) == 0) prot = PROT_NONE;
  if (lpAddress != nullptr) {
    const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    uintptr_t start = reinterpret_cast<uintptr_t>(lpAddress) & ~(page - 1);
    if (mprotect(reinterpret_cast<void*>(start),
                 reinterpret_cast<uintptr_t>(lpAddress) + dwSize - start, prot) != 0) {
      SetLastError(ERROR_INVALID_ADDRESS);
      return nullptr;
    }
    return lpAddress;
  }
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t size = (dwSize + page - 1) / page * page;
  char* base = static_cast<char*>(
      mmap(nullptr, size + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (base == MAP_FAILED) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return nullptr;
  }
  std::memcpy(base, &size, sizeof(size));  // header page: the size for MEM_RELEASE
  if (prot != (PROT_READ | PROT_WRITE)) mprotect(base + page, size, prot);
  return base + page;
}
// MEM_RELEASE (dwSize 0): unmaps a whole VirtualAlloc region. MEM_DECOMMIT: gives the pages'
// memory back (they read as zero and stay accessible until MEM_RELEASE).
inline BOOL VirtualFree(LPVOID lpAddress, SIZE_T dwSize, DWORD dwFreeType) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  if (lpAddress == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  if ((dwFreeType & MEM_RELEASE) != 0) {
    if (dwSize != 0 || reinterpret_cast<uintptr_t>(lpAddress) % page != 0) {
      SetLastError(ERROR_INVALID_PARAMETER);
      return FALSE;
    }
    char* base = static_cast<char*>(lpAddress) - page;
    size_t size = 0;
    std::memcpy(&size, base, sizeof(size));
    return munmap(base, size + page) == 0 ? TRUE : FALSE;
  }
  if ((dwFreeType & MEM_DECOMMIT) != 0) {
    return madvise(lpAddress, dwSize, MADV_DONTNEED) == 0 ? TRUE : FALSE;
  }
  SetLastError(ERROR_INVALID_PARAMETER);
  return FALSE;
}
inline BOOL VirtualProtect(LPVOID lpAddress, SIZE_T dwSize, DWORD flNewProtect,
                           PDWORD lpflOldProtect) {
  int prot = httpserv::compat::protection_of(flNewProtect);
  if (prot < 0 || lpAddress == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  if (lpflOldProtect != nullptr) *lpflOldProtect = PAGE_READWRITE;  // not tracked
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  uintptr_t start = reinterpret_cast<uintptr_t>(lpAddress) & ~(page - 1);
  return mprotect(reinterpret_cast<void*>(start),
                  reinterpret_cast<uintptr_t>(lpAddress) + dwSize - start, prot) == 0;
}

// ---------------------------------------------------------------------------------------------
// System information.
// ---------------------------------------------------------------------------------------------

#define PROCESSOR_ARCHITECTURE_AMD64 9
#define PROCESSOR_ARCHITECTURE_ARM64 12
#define PROCESSOR_AMD_X8664 8664

struct SYSTEM_INFO {
  __extension__ union {
    DWORD dwOemId;
    __extension__ struct {
      WORD wProcessorArchitecture;
      WORD wReserved;
    };
  };
  DWORD dwPageSize;
  LPVOID lpMinimumApplicationAddress;
  LPVOID lpMaximumApplicationAddress;
  DWORD_PTR dwActiveProcessorMask;
  DWORD dwNumberOfProcessors;
  DWORD dwProcessorType;
  DWORD dwAllocationGranularity;
  WORD wProcessorLevel;
  WORD wProcessorRevision;
};
typedef SYSTEM_INFO* LPSYSTEM_INFO;

// Page size, processor count (online CPUs), x64 architecture; the allocation granularity is the
// page size (Windows: 64 KiB).
inline VOID GetSystemInfo(LPSYSTEM_INFO lpSystemInfo) {
  std::memset(lpSystemInfo, 0, sizeof(*lpSystemInfo));
#if defined(__aarch64__)
  lpSystemInfo->wProcessorArchitecture = PROCESSOR_ARCHITECTURE_ARM64;
#else
  lpSystemInfo->wProcessorArchitecture = PROCESSOR_ARCHITECTURE_AMD64;
  lpSystemInfo->dwProcessorType = PROCESSOR_AMD_X8664;
#endif
  const long page = sysconf(_SC_PAGESIZE);    // NOLINT(runtime/int)
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);  // NOLINT(runtime/int)
  if (cpus < 1) cpus = 1;
  lpSystemInfo->dwPageSize = static_cast<DWORD>(page);
  lpSystemInfo->dwAllocationGranularity = static_cast<DWORD>(page);
  lpSystemInfo->lpMinimumApplicationAddress = reinterpret_cast<LPVOID>(0x10000);
  lpSystemInfo->lpMaximumApplicationAddress = reinterpret_cast<LPVOID>(0x7FFFFFFEFFFFull);
  lpSystemInfo->dwNumberOfProcessors = static_cast<DWORD>(cpus);
  lpSystemInfo->dwActiveProcessorMask = cpus >= 64 ? ~DWORD_PTR{0} : ((DWORD_PTR{1} << cpus) - 1);
}
inline VOID GetNativeSystemInfo(LPSYSTEM_INFO lpSystemInfo) {
  GetSystemInfo(lpSystemInfo);
}

#define MAX_COMPUTERNAME_LENGTH 15
enum COMPUTER_NAME_FORMAT {
  ComputerNameNetBIOS,
  ComputerNameDnsHostname,
  ComputerNameDnsDomain,
  ComputerNameDnsFullyQualified,
  ComputerNamePhysicalNetBIOS,
  ComputerNamePhysicalDnsHostname,
  ComputerNamePhysicalDnsDomain,
  ComputerNamePhysicalDnsFullyQualified,
};

namespace httpserv::compat {
inline std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  return name;
}
// *lpnSize: in, the buffer's characters; out, the length (or the size needed, with
// ERROR_BUFFER_OVERFLOW).
template <class C>
BOOL name_out(const std::basic_string<C>& s, C* buf, LPDWORD n) {
  if (n == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  if (buf == nullptr || *n <= s.size()) {
    *n = static_cast<DWORD>(s.size() + 1);
    SetLastError(111);  // ERROR_BUFFER_OVERFLOW
    return FALSE;
  }
  std::char_traits<C>::copy(buf, s.data(), s.size());
  buf[s.size()] = 0;
  *n = static_cast<DWORD>(s.size());
  return TRUE;
}
}  // namespace httpserv::compat

// The host name (gethostname), not upper-cased or cut to 15 characters as NetBIOS names are.
inline BOOL GetComputerNameA(LPSTR lpBuffer, LPDWORD nSize) {
  return httpserv::compat::name_out(httpserv::compat::host_name(), lpBuffer, nSize);
}
inline BOOL GetComputerNameW(LPWSTR lpBuffer, LPDWORD nSize) {
  return httpserv::compat::name_out(httpserv::compat::utf8_to_wide(httpserv::compat::host_name()),
                                    lpBuffer, nSize);
}
// Host name formats give gethostname's name; domain formats give "" (unknown here).
inline BOOL GetComputerNameExA(COMPUTER_NAME_FORMAT NameType, LPSTR lpBuffer, LPDWORD nSize) {
  const bool domain =
      NameType == ComputerNameDnsDomain || NameType == ComputerNamePhysicalDnsDomain;
  return httpserv::compat::name_out(domain ? std::string() : httpserv::compat::host_name(),
                                    lpBuffer, nSize);
}
inline BOOL GetComputerNameExW(COMPUTER_NAME_FORMAT NameType, LPWSTR lpBuffer, LPDWORD nSize) {
  const bool domain =
      NameType == ComputerNameDnsDomain || NameType == ComputerNamePhysicalDnsDomain;
  return httpserv::compat::name_out(
      domain ? std::wstring() : httpserv::compat::utf8_to_wide(httpserv::compat::host_name()),
      lpBuffer, nSize);
}

// ---------------------------------------------------------------------------------------------
// Environment.
// ---------------------------------------------------------------------------------------------

// The value's length (without the terminator) when it fits, else the size needed (with it);
// 0 with ERROR_ENVVAR_NOT_FOUND (203) when undefined.
inline DWORD GetEnvironmentVariableA(LPCSTR lpName, LPSTR lpBuffer, DWORD nSize) {
  const char* v = lpName != nullptr ? std::getenv(lpName) : nullptr;
  if (v == nullptr) {
    SetLastError(203);
    return 0;
  }
  size_t n = std::strlen(v);
  if (lpBuffer == nullptr || nSize <= n) return static_cast<DWORD>(n + 1);
  std::memcpy(lpBuffer, v, n + 1);
  return static_cast<DWORD>(n);
}
inline DWORD GetEnvironmentVariableW(LPCWSTR lpName, LPWSTR lpBuffer, DWORD nSize) {
  const char* v =
      lpName != nullptr ? std::getenv(httpserv::compat::wide_to_utf8(lpName).c_str()) : nullptr;
  if (v == nullptr) {
    SetLastError(203);
    return 0;
  }
  std::wstring w = httpserv::compat::utf8_to_wide(v);
  if (lpBuffer == nullptr || nSize <= w.size()) return static_cast<DWORD>(w.size() + 1);
  std::wmemcpy(lpBuffer, w.c_str(), w.size() + 1);
  return static_cast<DWORD>(w.size());
}
inline BOOL SetEnvironmentVariableA(LPCSTR lpName, LPCSTR lpValue) {
  if (lpName == nullptr) return FALSE;
  return (lpValue != nullptr ? setenv(lpName, lpValue, 1) : unsetenv(lpName)) == 0;
}
inline BOOL SetEnvironmentVariableW(LPCWSTR lpName, LPCWSTR lpValue) {
  if (lpName == nullptr) return FALSE;
  std::string name = httpserv::compat::wide_to_utf8(lpName);
  return lpValue != nullptr ? SetEnvironmentVariableA(
                                  name.c_str(), httpserv::compat::wide_to_utf8(lpValue).c_str())
                            : SetEnvironmentVariableA(name.c_str(), nullptr);
}
namespace httpserv::compat {
inline std::string expand_env(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find('%', i);
    size_t close = open == std::string::npos ? open : text.find('%', open + 1);
    if (close == std::string::npos) break;
    std::string name = text.substr(open + 1, close - open - 1);
    const char* v = name.empty() ? nullptr : std::getenv(name.c_str());
    out.append(text, i, open - i);
    if (v != nullptr) {
      out += v;
      i = close + 1;
    } else {
      out.append(text, open, close - open);  // undefined: left as written
      i = close;
    }
  }
  out.append(text, i, std::string::npos);
  return out;
}
}  // namespace httpserv::compat
// %NAME% replaced by the environment's value (undefined names stay). Returns the size needed
// including the terminator (as Windows), whether or not it fit.
inline DWORD ExpandEnvironmentStringsA(LPCSTR lpSrc, LPSTR lpDst, DWORD nSize) {
  if (lpSrc == nullptr) return 0;
  std::string s = httpserv::compat::expand_env(lpSrc);
  if (lpDst != nullptr && nSize > s.size()) std::memcpy(lpDst, s.c_str(), s.size() + 1);
  return static_cast<DWORD>(s.size() + 1);
}
inline DWORD ExpandEnvironmentStringsW(LPCWSTR lpSrc, LPWSTR lpDst, DWORD nSize) {
  if (lpSrc == nullptr) return 0;
  std::wstring s = httpserv::compat::utf8_to_wide(
      httpserv::compat::expand_env(httpserv::compat::wide_to_utf8(lpSrc)));
  if (lpDst != nullptr && nSize > s.size()) std::wmemcpy(lpDst, s.c_str(), s.size() + 1);
  return static_cast<DWORD>(s.size() + 1);
}

// wsprintf (user32): sprintf into a buffer Windows bounds at 1024 characters; so does this one
// (output past 1023 characters is cut). Returns the characters written.
inline int wvsprintfA(LPSTR buffer, LPCSTR format, va_list args) {
  if (buffer == nullptr || format == nullptr) return -1;
  int n = std::vsnprintf(buffer, 1024, format, args);
  return n < 0 ? -1 : std::min(n, 1023);
}
inline int wsprintfA(LPSTR buffer, LPCSTR format, ...) {
  va_list args;
  va_start(args, format);
  int n = wvsprintfA(buffer, format, args);
  va_end(args);
  return n;
}
inline int wvsprintfW(LPWSTR buffer, LPCWSTR format, va_list args) {
  if (buffer == nullptr || format == nullptr) return -1;
  int n = std::vswprintf(buffer, 1024, format, args);
  if (n < 0) buffer[1023] = L'\0';  // glibc fails on truncation: keep what fit
  return n < 0 ? static_cast<int>(std::wcslen(buffer)) : n;
}
inline int wsprintfW(LPWSTR buffer, LPCWSTR format, ...) {
  va_list args;
  va_start(args, format);
  int n = wvsprintfW(buffer, format, args);
  va_end(args);
  return n;
}

#ifdef UNICODE
#define wsprintf wsprintfW
#define wvsprintf wvsprintfW
#define GetModuleHandle GetModuleHandleW
#define GetModuleHandleEx GetModuleHandleExW
#define GetModuleFileName GetModuleFileNameW
#define LoadLibrary LoadLibraryW
#define LoadLibraryEx LoadLibraryExW
#define FormatMessage FormatMessageW
#define GetComputerName GetComputerNameW
#define GetComputerNameEx GetComputerNameExW
#define GetEnvironmentVariable GetEnvironmentVariableW
#define SetEnvironmentVariable SetEnvironmentVariableW
#define ExpandEnvironmentStrings ExpandEnvironmentStringsW
#define CreateEvent CreateEventW
#define CreateEventEx CreateEventExW
#define CreateMutex CreateMutexW
#define CreateMutexEx CreateMutexExW
#define CreateSemaphore CreateSemaphoreW
#define CreateSemaphoreEx CreateSemaphoreExW
#else
#define wsprintf wsprintfA
#define wvsprintf wvsprintfA
#define GetModuleHandle GetModuleHandleA
#define GetModuleHandleEx GetModuleHandleExA
#define GetModuleFileName GetModuleFileNameA
#define LoadLibrary LoadLibraryA
#define LoadLibraryEx LoadLibraryExA
#define FormatMessage FormatMessageA
#define GetComputerName GetComputerNameA
#define GetComputerNameEx GetComputerNameExA
#define GetEnvironmentVariable GetEnvironmentVariableA
#define SetEnvironmentVariable SetEnvironmentVariableA
#define ExpandEnvironmentStrings ExpandEnvironmentStringsA
#define CreateEvent CreateEventA
#define CreateEventEx CreateEventExA
#define CreateMutex CreateMutexA
#define CreateMutexEx CreateMutexExA
#define CreateSemaphore CreateSemaphoreA
#define CreateSemaphoreEx CreateSemaphoreExA
#endif

#endif  // HTTPSERV_COMPAT_HTTPSERV_SYSTEM_H_
