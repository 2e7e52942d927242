// <sysinfoapi.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <windows.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_SYSINFOAPI_H_D75DA6
#define HTTPSERV_COMPAT_ALIAS_SYSINFOAPI_H_D75DA6
#include "windows.h"
#endif
