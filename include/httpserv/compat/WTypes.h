// <WTypes.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <wtypes.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_WTYPES_H_76F1E1
#define HTTPSERV_COMPAT_ALIAS_WTYPES_H_76F1E1
#include "wtypes.h"
#endif
