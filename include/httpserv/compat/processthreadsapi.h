// <processthreadsapi.h>: Windows spells this header so and its file system ignores case; on Linux
// it is <windows.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_PROCESSTHREADSAPI_H_5CA7DF
#define HTTPSERV_COMPAT_ALIAS_PROCESSTHREADSAPI_H_5CA7DF
#include "windows.h"
#endif
