// <Windows.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <windows.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_WINDOWS_H_F2A0BE
#define HTTPSERV_COMPAT_ALIAS_WINDOWS_H_F2A0BE
#include "windows.h"
#endif
