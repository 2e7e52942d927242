// <synchapi.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <windows.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_SYNCHAPI_H_2B812C
#define HTTPSERV_COMPAT_ALIAS_SYNCHAPI_H_2B812C
#include "windows.h"
#endif
