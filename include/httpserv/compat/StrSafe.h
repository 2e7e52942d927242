// <StrSafe.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <strsafe.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_STRSAFE_H_AB178F
#define HTTPSERV_COMPAT_ALIAS_STRSAFE_H_AB178F
#include "strsafe.h"
#endif
