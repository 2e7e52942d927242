// <WinDef.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <windef.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_WINDEF_H_5D312C
#define HTTPSERV_COMPAT_ALIAS_WINDEF_H_5D312C
#include "windef.h"
#endif
