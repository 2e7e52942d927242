// <Unknwn.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <unknwn.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_UNKNWN_H_84DF5C
#define HTTPSERV_COMPAT_ALIAS_UNKNWN_H_84DF5C
#include "unknwn.h"
#endif
