// <ObjBase.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <objbase.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_OBJBASE_H_DEAC64
#define HTTPSERV_COMPAT_ALIAS_OBJBASE_H_DEAC64
#include "objbase.h"
#endif
