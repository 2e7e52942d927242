// <handleapi.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <windows.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_HANDLEAPI_H_42563F
#define HTTPSERV_COMPAT_ALIAS_HANDLEAPI_H_42563F
#include "windows.h"
#endif
