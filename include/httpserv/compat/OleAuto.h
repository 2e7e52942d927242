// <OleAuto.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <oleauto.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_OLEAUTO_H_370F28
#define HTTPSERV_COMPAT_ALIAS_OLEAUTO_H_370F28
#include "oleauto.h"
#endif
