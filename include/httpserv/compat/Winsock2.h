// <Winsock2.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <winsock2.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_WINSOCK2_H_0BB47E
#define HTTPSERV_COMPAT_ALIAS_WINSOCK2_H_0BB47E
#include "winsock2.h"
#endif
