// <windows.h> for httpserv modules on Linux.
//
// Brings in the Win32 type layer (windef.h), HRESULT/Win32 error values (winerror.h), SAL
// annotations (sal.h), the base services (winbase.h: last error, Interlocked*, handles and
// kernel objects, critical sections and SRW locks, files, time, modules, FormatMessage,
// VirtualAlloc, system information, event log, code pages, ...), the Microsoft CRT extensions
// (secure_crt.h), COM and OLE Automation (httpserv_com.h: BSTR, VARIANT, CoCreateInstance) and
// Winsock 2 (winsock2.h). Everything is header-only and inline.
//
// Deliberately absent: min/max macros (they break the C++ standard library; use std::min /
// std::max), the registry, the UI, and the HTTP Server API functions. WIN32_LEAN_AND_MEAN,
// NOMINMAX and _WINSOCKAPI_ may be defined by the including code; they change nothing here.
// See docs/iis-headers.md for the full list and the limits of each function.

#ifndef HTTPSERV_COMPAT_WINDOWS_H_
#define HTTPSERV_COMPAT_WINDOWS_H_

#include "httpserv_com.h"
#include "sal.h"
#include "secure_crt.h"
#include "winbase.h"
#include "windef.h"
#include "winerror.h"
#include "winsock2.h"

#endif  // HTTPSERV_COMPAT_WINDOWS_H_
