// <Ole2.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <ole2.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_OLE2_H_8E3EA8
#define HTTPSERV_COMPAT_ALIAS_OLE2_H_8E3EA8
#include "ole2.h"
#endif
