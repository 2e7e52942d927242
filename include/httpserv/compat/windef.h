// Win32 base types for httpserv modules on Linux (x86-64, LP64).
//
// Windows is LLP64: LONG/ULONG/DWORD stay 32-bit there, so every Win32 scalar here is
// mapped to a fixed-width <cstdint> type of the Windows width (never to `long`).
// WCHAR is wchar_t (32-bit, UTF-32 on Linux); see docs/iis-headers.md.
// HANDLE is void*. A POSIX file descriptor travels in a HANDLE as (HANDLE)(intptr_t)fd;
// use HttpservHandleFromFd / HttpservFdFromHandle below.
//
// This header is part of the compat shim (include/httpserv/compat) but is also pulled in by
// http.h and httpserv.h, so it only declares types and a few macros; no functions that touch
// the C runtime live here.

#ifndef HTTPSERV_COMPAT_WINDEF_H_
#define HTTPSERV_COMPAT_WINDEF_H_

#include <cstddef>
#include <cstdint>

// ---------------------------------------------------------------------------------------------
// Calling conventions and MSVC keywords. All are meaningless on x86-64 Linux.
// ---------------------------------------------------------------------------------------------

#ifndef __stdcall
#define __stdcall
#endif
#ifndef __cdecl
#define __cdecl
#endif
#ifndef _stdcall
#define _stdcall
#endif
#ifndef _cdecl
#define _cdecl
#endif
#ifndef WINAPI
#define WINAPI
#endif
#ifndef WINAPIV
#define WINAPIV
#endif
#ifndef APIENTRY
#define APIENTRY
#endif
#ifndef CALLBACK
#define CALLBACK
#endif
#ifndef STDMETHODCALLTYPE
#define STDMETHODCALLTYPE
#endif
#ifndef __forceinline
#define __forceinline inline __attribute__((always_inline))
#endif
#ifndef __int64
#define __int64 long long
#endif
#ifndef __int32
#define __int32 int
#endif
#ifndef __int16
#define __int16 short
#endif
#ifndef __int8
#define __int8 char
#endif

// __declspec(x) is rewritten to HTTPSERV_DECLSPEC_x so that each known specifier can map to
// the matching GCC attribute (or to nothing). An unknown specifier fails to compile with an
// "HTTPSERV_DECLSPEC_<name> was not declared" error instead of being silently dropped.
// Not defined when the compiler itself understands __declspec (MSVC, -fms-extensions).
#if !defined(_MSC_VER) && !defined(_MSC_EXTENSIONS) && !defined(__declspec)
#define __declspec(x) HTTPSERV_DECLSPEC_##x
#define HTTPSERV_DECLSPEC_
#define HTTPSERV_DECLSPEC_uuid(guid_text)
#define HTTPSERV_DECLSPEC_novtable
#define HTTPSERV_DECLSPEC_dllimport
#define HTTPSERV_DECLSPEC_dllexport __attribute__((visibility("default")))
#define HTTPSERV_DECLSPEC_noinline __attribute__((noinline))
#define HTTPSERV_DECLSPEC_noreturn __attribute__((noreturn))
#define HTTPSERV_DECLSPEC_nothrow __attribute__((nothrow))
#define HTTPSERV_DECLSPEC_selectany __attribute__((weak))
#define HTTPSERV_DECLSPEC_thread __thread
#define HTTPSERV_DECLSPEC_align(n) __attribute__((aligned(n)))
#define HTTPSERV_DECLSPEC_deprecated __attribute__((deprecated))
#define HTTPSERV_DECLSPEC_restrict
#define HTTPSERV_DECLSPEC_noalias
#endif

#ifndef DECLSPEC_NOVTABLE
#define DECLSPEC_NOVTABLE
#endif
#ifndef DECLSPEC_UUID
#define DECLSPEC_UUID(x)
#endif
#ifndef DECLSPEC_SELECTANY
#define DECLSPEC_SELECTANY __attribute__((weak))
#endif

// SAL-style parameter decorations from the old headers.
#ifndef IN
#define IN
#endif
#ifndef OUT
#define OUT
#endif
#ifndef OPTIONAL
#define OPTIONAL
#endif
#ifndef CONST
#define CONST const
#endif

#ifndef VOID
#define VOID void
#endif

// ---------------------------------------------------------------------------------------------
// Scalar types (spec section 1.1).
// ---------------------------------------------------------------------------------------------

typedef uint8_t BYTE;
typedef uint8_t UCHAR;
typedef uint8_t BOOLEAN;  // One byte; not the same as BOOL.
typedef char CHAR;
typedef int16_t SHORT;
typedef uint16_t USHORT;
typedef uint16_t WORD;
typedef int32_t INT;
typedef uint32_t UINT;
typedef int32_t LONG;
typedef uint32_t ULONG;
typedef uint32_t DWORD;
typedef int32_t BOOL;  // 32-bit int, TRUE = 1, FALSE = 0.
typedef int64_t LONGLONG;
typedef uint64_t ULONGLONG;
typedef int64_t LONG64;
typedef uint64_t ULONG64;
typedef uint64_t DWORD64;
typedef uint64_t DWORDLONG;
typedef int8_t INT8;
typedef uint8_t UINT8;
typedef int16_t INT16;
typedef uint16_t UINT16;
typedef int32_t INT32;
typedef uint32_t UINT32;
typedef int64_t INT64;
typedef uint64_t UINT64;
typedef intptr_t INT_PTR;
typedef uintptr_t UINT_PTR;
typedef intptr_t LONG_PTR;
typedef uintptr_t ULONG_PTR;
typedef uintptr_t DWORD_PTR;
typedef size_t SIZE_T;
typedef intptr_t SSIZE_T;
typedef float FLOAT;
typedef wchar_t WCHAR;  // 32-bit on Linux; see docs/iis-headers.md.
typedef int32_t HRESULT;

typedef void* PVOID;
typedef void* LPVOID;
typedef const void* LPCVOID;
typedef const void* PCVOID;
typedef BYTE* PBYTE;
typedef BYTE* LPBYTE;
typedef UCHAR* PUCHAR;
typedef BOOLEAN* PBOOLEAN;
typedef CHAR* PCHAR;
typedef SHORT* PSHORT;
typedef USHORT* PUSHORT;
typedef WORD* PWORD;
typedef WORD* LPWORD;
typedef INT* PINT;
typedef INT* LPINT;
typedef UINT* PUINT;
typedef LONG* PLONG;
typedef LONG* LPLONG;
typedef ULONG* PULONG;
typedef DWORD* PDWORD;
typedef DWORD* LPDWORD;
typedef BOOL* PBOOL;
typedef BOOL* LPBOOL;
typedef LONGLONG* PLONGLONG;
typedef ULONGLONG* PULONGLONG;
typedef LONG64* PLONG64;
typedef ULONG64* PULONG64;
typedef DWORD64* PDWORD64;
typedef ULONG_PTR* PULONG_PTR;
typedef DWORD_PTR* PDWORD_PTR;
typedef SIZE_T* PSIZE_T;

typedef CHAR* PSTR;
typedef CHAR* LPSTR;
typedef const CHAR* PCSTR;
typedef const CHAR* LPCSTR;
typedef const CHAR* PCCH;
typedef const CHAR* LPCCH;
typedef WCHAR* PWCHAR;
typedef WCHAR* PWCH;
typedef WCHAR* PWSTR;
typedef WCHAR* LPWSTR;
typedef const WCHAR* PCWSTR;
typedef const WCHAR* LPCWSTR;
typedef const WCHAR* PCWCH;
typedef const WCHAR* LPCWCH;

// TCHAR follows UNICODE as on Windows; without UNICODE it is char.
#ifdef UNICODE
typedef WCHAR TCHAR;
#ifndef __TEXT
#define __TEXT(quote) L##quote
#endif
#else
typedef CHAR TCHAR;
#ifndef __TEXT
#define __TEXT(quote) quote
#endif
#endif
typedef TCHAR* PTSTR;
typedef TCHAR* LPTSTR;
typedef const TCHAR* PCTSTR;
typedef const TCHAR* LPCTSTR;
#ifndef TEXT
#define TEXT(quote) __TEXT(quote)
#endif

// Handles are opaque pointers.
typedef void* HANDLE;
typedef HANDLE* PHANDLE;
typedef HANDLE* LPHANDLE;
typedef HANDLE HMODULE;
typedef HANDLE HINSTANCE;
typedef HANDLE HLOCAL;
typedef HANDLE HGLOBAL;
typedef PVOID PSID;

#ifndef INVALID_HANDLE_VALUE
#define INVALID_HANDLE_VALUE ((HANDLE)(LONG_PTR)-1)
#endif

// A POSIX file descriptor carried in a HANDLE (e.g. HTTP_DATA_CHUNK.FromFileHandle.FileHandle,
// IHttpFileInfo::GetFileHandle): the fd value itself cast to a pointer, (HANDLE)(intptr_t)fd.
// fd -1 therefore maps to INVALID_HANDLE_VALUE.
inline HANDLE HttpservHandleFromFd(int fd) {
  return reinterpret_cast<HANDLE>(static_cast<intptr_t>(fd));
}
inline int HttpservFdFromHandle(HANDLE h) {
  return static_cast<int>(reinterpret_cast<intptr_t>(h));
}

// ---------------------------------------------------------------------------------------------
// Constants and small macros.
// ---------------------------------------------------------------------------------------------

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif
#ifndef NULL
#define NULL nullptr
#endif
#ifndef MAX_PATH
#define MAX_PATH 260
#endif
#ifndef INFINITE
#define INFINITE 0xFFFFFFFF
#endif
#ifndef ANYSIZE_ARRAY
#define ANYSIZE_ARRAY 1
#endif

#ifndef UNREFERENCED_PARAMETER
#define UNREFERENCED_PARAMETER(P) ((void)(P))
#endif
#ifndef DBG_UNREFERENCED_PARAMETER
#define DBG_UNREFERENCED_PARAMETER(P) ((void)(P))
#endif
#ifndef DBG_UNREFERENCED_LOCAL_VARIABLE
#define DBG_UNREFERENCED_LOCAL_VARIABLE(V) ((void)(V))
#endif

#ifndef _countof
#define _countof(array) (sizeof(array) / sizeof((array)[0]))
#endif
#ifndef ARRAYSIZE
#define ARRAYSIZE(array) (sizeof(array) / sizeof((array)[0]))
#endif

#ifndef MAKEWORD
#define MAKEWORD(low, high) ((WORD)(((BYTE)((low)&0xff)) | ((WORD)((BYTE)((high)&0xff))) << 8))
#endif
#ifndef MAKELONG
#define MAKELONG(low, high) \
  ((LONG)(((WORD)((low)&0xffff)) | ((DWORD)((WORD)((high)&0xffff))) << 16))
#endif
#ifndef LOWORD
#define LOWORD(l) ((WORD)((DWORD_PTR)(l)&0xffff))
#endif
#ifndef HIWORD
#define HIWORD(l) ((WORD)(((DWORD_PTR)(l) >> 16) & 0xffff))
#endif
#ifndef LOBYTE
#define LOBYTE(w) ((BYTE)((DWORD_PTR)(w)&0xff))
#endif
#ifndef HIBYTE
#define HIBYTE(w) ((BYTE)(((DWORD_PTR)(w) >> 8) & 0xff))
#endif

// ---------------------------------------------------------------------------------------------
// Aggregates.
// ---------------------------------------------------------------------------------------------

// 64-bit integer with 32-bit halves. Both `li.LowPart` and `li.u.LowPart` work.
union LARGE_INTEGER {
  __extension__ struct {
    DWORD LowPart;
    LONG HighPart;
  };
  struct {
    DWORD LowPart;
    LONG HighPart;
  } u;
  LONGLONG QuadPart;
};
typedef LARGE_INTEGER* PLARGE_INTEGER;

union ULARGE_INTEGER {
  __extension__ struct {
    DWORD LowPart;
    DWORD HighPart;
  };
  struct {
    DWORD LowPart;
    DWORD HighPart;
  } u;
  ULONGLONG QuadPart;
};
typedef ULARGE_INTEGER* PULARGE_INTEGER;

// 100-nanosecond ticks since 1601-01-01 UTC, split in two 32-bit halves.
struct FILETIME {
  DWORD dwLowDateTime;
  DWORD dwHighDateTime;
};
typedef FILETIME* PFILETIME;
typedef FILETIME* LPFILETIME;

// Windows GUID layout: {Data1-Data2-Data3-Data4[0..1]-Data4[2..7]}.
#ifndef GUID_DEFINED
#define GUID_DEFINED
struct GUID {
  uint32_t Data1;
  uint16_t Data2;
  uint16_t Data3;
  uint8_t Data4[8];
};
#endif
typedef GUID IID;
typedef GUID CLSID;
typedef GUID* LPGUID;
typedef const GUID* LPCGUID;
typedef const GUID& REFGUID;
typedef const GUID& REFIID;
typedef const GUID& REFCLSID;

// Field-by-field equality, usable in constant expressions.
constexpr bool IsEqualGUID(const GUID& a, const GUID& b) {
  if (a.Data1 != b.Data1 || a.Data2 != b.Data2 || a.Data3 != b.Data3) return false;
  for (int i = 0; i < 8; ++i) {
    if (a.Data4[i] != b.Data4[i]) return false;
  }
  return true;
}
constexpr bool operator==(const GUID& a, const GUID& b) {
  return IsEqualGUID(a, b);
}
constexpr bool operator!=(const GUID& a, const GUID& b) {
  return !IsEqualGUID(a, b);
}
#ifndef IsEqualIID
#define IsEqualIID(riid1, riid2) IsEqualGUID(riid1, riid2)
#endif
#ifndef IsEqualCLSID
#define IsEqualCLSID(rclsid1, rclsid2) IsEqualGUID(rclsid1, rclsid2)
#endif

// DEFINE_GUID defines the constant in every translation unit (an inline variable), so whether
// <initguid.h> came first does not matter.
#ifndef DEFINE_GUID
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8)                 \
  inline constexpr GUID name = {                                                     \
      static_cast<uint32_t>(l),                                                      \
      static_cast<uint16_t>(w1),                                                     \
      static_cast<uint16_t>(w2),                                                     \
      {static_cast<uint8_t>(b1), static_cast<uint8_t>(b2), static_cast<uint8_t>(b3), \
       static_cast<uint8_t>(b4), static_cast<uint8_t>(b5), static_cast<uint8_t>(b6), \
       static_cast<uint8_t>(b7), static_cast<uint8_t>(b8)}}
#endif

// Win32 asynchronous I/O block. The server never hands one to a module except through
// IHttpContext3::PostCompletion, IHttpServer::AssociateWithThreadPool and
// IHttpServer3::QueryRequestProperty; the layout mirrors Windows x64 (32 bytes).
struct OVERLAPPED {
  ULONG_PTR Internal;
  ULONG_PTR InternalHigh;
  __extension__ union {
    struct {
      DWORD Offset;
      DWORD OffsetHigh;
    };
    PVOID Pointer;
  };
  HANDLE hEvent;
};
typedef OVERLAPPED* LPOVERLAPPED;

typedef VOID(WINAPI* LPOVERLAPPED_COMPLETION_ROUTINE)(DWORD dwErrorCode,
                                                      DWORD dwNumberOfBytesTransfered,
                                                      LPOVERLAPPED lpOverlapped);

#endif  // HTTPSERV_COMPAT_WINDEF_H_
