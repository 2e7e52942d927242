// <sdkddkver.h> for httpserv modules on Linux: the Windows version constants that targetver.h
// files compare against. _WIN32_WINNT and WINVER default to Windows 10 (0x0A00), the platform
// IIS 10's API (httpserv.h version 10) belongs to; NTDDI_VERSION likewise.

#ifndef HTTPSERV_COMPAT_SDKDDKVER_H_
#define HTTPSERV_COMPAT_SDKDDKVER_H_

#define _WIN32_WINNT_NT4 0x0400
#define _WIN32_WINNT_WIN2K 0x0500
#define _WIN32_WINNT_WINXP 0x0501
#define _WIN32_WINNT_WS03 0x0502
#define _WIN32_WINNT_VISTA 0x0600
#define _WIN32_WINNT_WS08 0x0600
#define _WIN32_WINNT_WIN7 0x0601
#define _WIN32_WINNT_WIN8 0x0602
#define _WIN32_WINNT_WINBLUE 0x0603
#define _WIN32_WINNT_WIN10 0x0A00
#define NTDDI_WIN7 0x06010000
#define NTDDI_WIN8 0x06020000
#define NTDDI_WIN10 0x0A000000
#ifndef _WIN32_WINNT
#define _WIN32_WINNT _WIN32_WINNT_WIN10
#endif
#ifndef WINVER
#define WINVER _WIN32_WINNT
#endif
#ifndef NTDDI_VERSION
#define NTDDI_VERSION NTDDI_WIN10
#endif
#ifndef _WIN32_IE
#define _WIN32_IE 0x0A00
#endif

#endif  // HTTPSERV_COMPAT_SDKDDKVER_H_
