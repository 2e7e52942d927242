// <WS2tcpip.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <ws2tcpip.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_WS2TCPIP_H_69B99A
#define HTTPSERV_COMPAT_ALIAS_WS2TCPIP_H_69B99A
#include "ws2tcpip.h"
#endif
