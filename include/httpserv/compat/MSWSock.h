// <MSWSock.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <winsock2.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_MSWSOCK_H_8BB4B8
#define HTTPSERV_COMPAT_ALIAS_MSWSOCK_H_8BB4B8
#include "winsock2.h"
#endif
