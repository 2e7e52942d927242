// <WinNT.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <windows.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_WINNT_H_B12A0A
#define HTTPSERV_COMPAT_ALIAS_WINNT_H_B12A0A
#include "windows.h"
#endif
