// <OAIdl.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <oaidl.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_OAIDL_H_C6BD26
#define HTTPSERV_COMPAT_ALIAS_OAIDL_H_C6BD26
#include "oaidl.h"
#endif
