// <windows.h> for httpserv modules on Linux.
//
// Brings in the Win32 type layer (windef.h), HRESULT/Win32 error values (winerror.h), SAL
// annotations (sal.h), the base services (winbase.h: Interlocked*, GetTickCount, Sleep,
// event log, OutputDebugString, ...) and the Microsoft CRT extensions (secure_crt.h:
// sprintf_s, strcpy_s, _itoa, _stricmp, ...). Everything is header-only and inline.
//
// Deliberately absent: min/max macros (they break the C++ standard library; use std::min /
// std::max), winsock (include <winsock2.h>; http.h and httpserv.h already do), the registry,
// COM, synchronisation objects and file APIs. WIN32_LEAN_AND_MEAN, NOMINMAX and
// _WINSOCKAPI_ may be defined by the including code; they change nothing here.
// See docs/iis-headers.md for the full list and the limits of each function.

#ifndef HTTPSERV_COMPAT_WINDOWS_H_
#define HTTPSERV_COMPAT_WINDOWS_H_

#include "sal.h"
#include "secure_crt.h"
#include "winbase.h"
#include "windef.h"
#include "winerror.h"

#endif  // HTTPSERV_COMPAT_WINDOWS_H_
