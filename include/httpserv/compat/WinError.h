// <WinError.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <winerror.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_WINERROR_H_1058B6
#define HTTPSERV_COMPAT_ALIAS_WINERROR_H_1058B6
#include "winerror.h"
#endif
