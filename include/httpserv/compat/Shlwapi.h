// <Shlwapi.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <shlwapi.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_SHLWAPI_H_0D1A3E
#define HTTPSERV_COMPAT_ALIAS_SHLWAPI_H_0D1A3E
#include "shlwapi.h"
#endif
