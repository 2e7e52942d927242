// <WinBase.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <winbase.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_WINBASE_H_676428
#define HTTPSERV_COMPAT_ALIAS_WINBASE_H_676428
#include "winbase.h"
#endif
