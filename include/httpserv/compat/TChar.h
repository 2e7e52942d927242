// <TChar.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <tchar.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_TCHAR_H_2AF931
#define HTTPSERV_COMPAT_ALIAS_TCHAR_H_2AF931
#include "tchar.h"
#endif
