// <SpecStrings.h>: Windows spells this header so and its file system ignores case; on Linux it is
// <specstrings.h>, which this file includes. See docs/iis-headers.md, "Header names".
#ifndef HTTPSERV_COMPAT_ALIAS_SPECSTRINGS_H_8BB076
#define HTTPSERV_COMPAT_ALIAS_SPECSTRINGS_H_8BB076
#include "specstrings.h"
#endif
