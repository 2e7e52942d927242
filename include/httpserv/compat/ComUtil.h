// <ComUtil.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <comutil.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_COMUTIL_H_38D656
#define HTTPSERV_COMPAT_ALIAS_COMUTIL_H_38D656
#include "comutil.h"
#endif
