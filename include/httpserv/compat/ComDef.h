// <ComDef.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <comdef.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_COMDEF_H_CDD354
#define HTTPSERV_COMPAT_ALIAS_COMDEF_H_CDD354
#include "comdef.h"
#endif
