// <SDKDDKVer.h>: Windows spells this header so; on Linux it is <sdkddkver.h>.
#ifndef HTTPSERV_COMPAT_ALIAS_SDKDDKVER_UPPER
#define HTTPSERV_COMPAT_ALIAS_SDKDDKVER_UPPER
#include "sdkddkver.h"
#endif
