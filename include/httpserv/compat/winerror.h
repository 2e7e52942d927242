// HRESULT helpers and the Win32 / HRESULT values the IIS module API uses (spec 1.3 / 1.4).
//
// Win32 error codes (ERROR_*, WSA*) are plain int constants. HRESULT constants (S_*, E_*) are
// typed as HRESULT (int32_t). HRESULT_FROM_WIN32 is a constexpr inline function, so it works
// both at run time and in constant expressions (case labels, static_assert).

#ifndef HTTPSERV_COMPAT_WINERROR_H_
#define HTTPSERV_COMPAT_WINERROR_H_

#include "windef.h"

// ---------------------------------------------------------------------------------------------
// Facilities, severities and the HRESULT macros.
// ---------------------------------------------------------------------------------------------

#define FACILITY_NULL 0
#define FACILITY_RPC 1
#define FACILITY_DISPATCH 2
#define FACILITY_STORAGE 3
#define FACILITY_ITF 4
#define FACILITY_WIN32 7
#define FACILITY_WINDOWS 8

#define SEVERITY_SUCCESS 0
#define SEVERITY_ERROR 1

#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#define FAILED(hr) (((HRESULT)(hr)) < 0)
#define IS_ERROR(status) (((uint32_t)(status)) >> 31 == SEVERITY_ERROR)

#define HRESULT_CODE(hr) ((hr)&0xFFFF)
#define HRESULT_FACILITY(hr) (((hr) >> 16) & 0x1fff)
#define HRESULT_SEVERITY(hr) (((hr) >> 31) & 0x1)
#define SCODE_CODE(sc) ((sc)&0xFFFF)

#define MAKE_HRESULT(sev, fac, code) \
  ((HRESULT)(((uint32_t)(sev) << 31) | ((uint32_t)(fac) << 16) | ((uint32_t)(code))))

// Maps a Win32 error code to an HRESULT. Values <= 0 (already HRESULTs, or success) pass
// through unchanged; anything else becomes 0x8007xxxx (FACILITY_WIN32, severity error).
constexpr HRESULT HRESULT_FROM_WIN32(DWORD x) {
  return static_cast<HRESULT>(x) <= 0
             ? static_cast<HRESULT>(x)
             : static_cast<HRESULT>((x & 0x0000FFFFu) | (uint32_t{FACILITY_WIN32} << 16) |
                                    0x80000000u);
}

// Used by modules that return the last Win32 error; kept for source compatibility.
#define __HRESULT_FROM_WIN32(x) HRESULT_FROM_WIN32(x)

// ---------------------------------------------------------------------------------------------
// Generic HRESULT values.
// ---------------------------------------------------------------------------------------------

#define S_OK ((HRESULT)0)
#define S_FALSE ((HRESULT)1)
#define E_NOTIMPL ((HRESULT)0x80004001)
#define E_NOINTERFACE ((HRESULT)0x80004002)
#define E_POINTER ((HRESULT)0x80004003)
#define E_ABORT ((HRESULT)0x80004004)
#define E_FAIL ((HRESULT)0x80004005)
#define E_UNEXPECTED ((HRESULT)0x8000FFFF)
#define E_PENDING ((HRESULT)0x8000000A)
#define E_BOUNDS ((HRESULT)0x8000000B)
#define E_ACCESSDENIED ((HRESULT)0x80070005)
#define E_HANDLE ((HRESULT)0x80070006)
#define E_OUTOFMEMORY ((HRESULT)0x8007000E)  // == HRESULT_FROM_WIN32(ERROR_OUTOFMEMORY)
#define E_INVALIDARG ((HRESULT)0x80070057)   // == HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER)
// == HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER)
#define E_NOT_SUFFICIENT_BUFFER ((HRESULT)0x8007007A)
// == HRESULT_FROM_WIN32(ERROR_NOT_FOUND)
#define E_NOT_SET ((HRESULT)0x80070490)

// ---------------------------------------------------------------------------------------------
// Win32 error codes. The first block is the table of spec 1.4; the second holds other common
// codes that ported module code tends to use.
// ---------------------------------------------------------------------------------------------

#define NO_ERROR 0
#define ERROR_SUCCESS 0
#define ERROR_FILE_NOT_FOUND 2
#define ERROR_PATH_NOT_FOUND 3
#define ERROR_INVALID_HANDLE 6
#define ERROR_NOT_ENOUGH_MEMORY 8
#define ERROR_BAD_FORMAT 11
#define ERROR_INVALID_DATA 13
#define ERROR_OUTOFMEMORY 14
#define ERROR_HANDLE_EOF 38
#define ERROR_NOT_SUPPORTED 50
#define ERROR_NETNAME_DELETED 64
#define ERROR_ALREADY_ASSIGNED 85
#define ERROR_INVALID_PARAMETER 87
#define ERROR_BROKEN_PIPE 109
#define ERROR_INSUFFICIENT_BUFFER 122
#define ERROR_ALREADY_EXISTS 183
#define ERROR_MORE_DATA 234
#define ERROR_ARITHMETIC_OVERFLOW 534
#define ERROR_OPERATION_ABORTED 995
#define ERROR_IO_PENDING 997
#define ERROR_STACK_OVERFLOW 1001
#define ERROR_NOT_FOUND 1168
#define ERROR_CONNECTION_INVALID 1229
#define ERROR_CONNECTION_ABORTED 1236
#define ERROR_SERVER_SHUTDOWN_IN_PROGRESS 1255
#define ERROR_INVALID_INDEX 1413
#define ERROR_NOT_ENOUGH_QUOTA 1816
#define ERROR_INVALID_STATE 5023

#define ERROR_INVALID_FUNCTION 1
#define ERROR_TOO_MANY_OPEN_FILES 4
#define ERROR_ACCESS_DENIED 5
#define ERROR_INVALID_ACCESS 12
#define ERROR_NOT_READY 21
#define ERROR_BAD_LENGTH 24
#define ERROR_GEN_FAILURE 31
#define ERROR_SHARING_VIOLATION 32
#define ERROR_LOCK_VIOLATION 33
#define ERROR_HANDLE_DISK_FULL 39
#define ERROR_FILE_EXISTS 80
#define ERROR_DISK_FULL 112
#define ERROR_SEM_TIMEOUT 121
#define ERROR_INVALID_NAME 123
#define ERROR_MOD_NOT_FOUND 126
#define ERROR_PROC_NOT_FOUND 127
#define ERROR_DIR_NOT_EMPTY 145
#define ERROR_BUSY 170
#define ERROR_FILENAME_EXCED_RANGE 206
#define ERROR_NO_DATA 232
#define ERROR_NO_MORE_ITEMS 259
#define ERROR_INVALID_ADDRESS 487
#define ERROR_IO_INCOMPLETE 996
#define ERROR_NOACCESS 998
#define ERROR_INVALID_FLAGS 1004
#define ERROR_NO_UNICODE_TRANSLATION 1113
#define ERROR_CANCELLED 1223
#define ERROR_CONNECTION_REFUSED 1225
#define ERROR_GRACEFUL_DISCONNECT 1226
#define ERROR_NETWORK_UNREACHABLE 1231
#define ERROR_HOST_UNREACHABLE 1232
#define ERROR_PORT_UNREACHABLE 1234
#define ERROR_REQUEST_ABORTED 1235
#define ERROR_RETRY 1237
#define ERROR_INTERNAL_ERROR 1359
#define ERROR_TIMEOUT 1460

#define WAIT_TIMEOUT 258

// Winsock error codes (also in winsock2.h on Windows).
#define WSAEINTR 10004
#define WSAEWOULDBLOCK 10035
#define WSAECONNABORTED 10053
#define WSAECONNRESET 10054
#define WSAENOTCONN 10057
#define WSAESHUTDOWN 10058
#define WSAETIMEDOUT 10060
#define WSAECONNREFUSED 10061

// COM, OLE Automation and class-factory errors (ahadmin.h, oleauto.h, objbase.h).
#define DISP_E_BADVARTYPE ((HRESULT)0x80020008)
#define DISP_E_OVERFLOW ((HRESULT)0x8002000A)
#define DISP_E_TYPEMISMATCH ((HRESULT)0x80020005)
#define DISP_E_BADINDEX ((HRESULT)0x8002000B)
#define DISP_E_MEMBERNOTFOUND ((HRESULT)0x80020003)
#define REGDB_E_CLASSNOTREG ((HRESULT)0x80040154)
#define CLASS_E_NOAGGREGATION ((HRESULT)0x80040110)
#define CO_E_NOTINITIALIZED ((HRESULT)0x800401F0)
#define CO_E_CLASSSTRING ((HRESULT)0x800401F3)
#define RPC_E_CHANGED_MODE ((HRESULT)0x80010106)
#define STRSAFE_E_INSUFFICIENT_BUFFER ((HRESULT)0x8007007A)
#define STRSAFE_E_INVALID_PARAMETER ((HRESULT)0x80070057)
#define STRSAFE_E_END_OF_FILE ((HRESULT)0x80070026)

// More Win32 codes used by the file, synchronisation and winsock parts of the shim.
#define ERROR_WRITE_PROTECT 19
#define ERROR_NO_MORE_FILES 18
#define ERROR_NEGATIVE_SEEK 131
#define ERROR_BAD_PATHNAME 161
#define ERROR_DIRECTORY 267
#define ERROR_NOT_OWNER 288
#define ERROR_TOO_MANY_POSTS 298
#define ERROR_INVALID_USER_BUFFER 1784
#define ERROR_DIR_NOT_ROOT 144
#define ERROR_BAD_NETPATH 53
#define ERROR_NOT_SAME_DEVICE 17
#define ERROR_CANNOT_MAKE 82
#define ERROR_PATH_BUSY 148
#define ERROR_NOT_LOCKED 158
#define ERROR_FILE_TOO_LARGE 223
#define ERROR_CANT_RESOLVE_FILENAME 1921
#define ERROR_NOT_EMPTY ERROR_DIR_NOT_EMPTY
#define ERROR_MR_MID_NOT_FOUND 317
#define ERROR_ABANDONED_WAIT_0 735
#define WAIT_OBJECT_0 0u
#define WAIT_ABANDONED 0x80u
#define WAIT_ABANDONED_0 0x80u
#define WAIT_IO_COMPLETION 0xC0u
#define WAIT_FAILED 0xFFFFFFFFu
#define WSABASEERR 10000
#define WSAEBADF 10009
#define WSAEACCES 10013
#define WSAEFAULT 10014
#define WSAEINVAL 10022
#define WSAEMFILE 10024
#define WSAEINPROGRESS 10036
#define WSAEALREADY 10037
#define WSAENOTSOCK 10038
#define WSAEDESTADDRREQ 10039
#define WSAEMSGSIZE 10040
#define WSAEPROTOTYPE 10041
#define WSAENOPROTOOPT 10042
#define WSAEPROTONOSUPPORT 10043
#define WSAEOPNOTSUPP 10045
#define WSAEAFNOSUPPORT 10047
#define WSAEADDRINUSE 10048
#define WSAEADDRNOTAVAIL 10049
#define WSAENETDOWN 10050
#define WSAENETUNREACH 10051
#define WSAENETRESET 10052
#define WSAENOBUFS 10055
#define WSAEISCONN 10056
#define WSAEHOSTUNREACH 10065
#define WSANOTINITIALISED 10093
#define WSASYSNOTREADY 10091
#define WSAVERNOTSUPPORTED 10092
#define WSAHOST_NOT_FOUND 11001
#define WSATRY_AGAIN 11002
#define WSANO_RECOVERY 11003
#define WSANO_DATA 11004
#define WSA_INVALID_HANDLE 6
#define WSA_INVALID_PARAMETER 87
#define WSA_NOT_ENOUGH_MEMORY 8
#define WSA_IO_PENDING 997
#define WSA_IO_INCOMPLETE 996

#endif  // HTTPSERV_COMPAT_WINERROR_H_
