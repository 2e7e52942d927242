// <Sal.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <sal.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_SAL_H_450C27
#define HTTPSERV_COMPAT_ALIAS_SAL_H_450C27
#include "sal.h"
#endif
