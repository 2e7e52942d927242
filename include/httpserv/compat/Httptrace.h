// <Httptrace.h>: Windows spells this header so; on Linux it is <httptrace.h>.
#ifndef HTTPSERV_COMPAT_ALIAS_HTTPTRACE_UPPER
#define HTTPSERV_COMPAT_ALIAS_HTTPTRACE_UPPER
#include "httptrace.h"
#endif
