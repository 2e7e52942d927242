// <httptrace.h> for httpserv modules on Linux: IIS's tracing types (HTTP_TRACE_EVENT,
// HTTP_TRACE_CONFIGURATION, IHttpTraceContext, ...) are declared by httpserv.h, which this
// header includes. The server's trace context reports tracing as disabled.
#ifndef HTTPSERV_COMPAT_HTTPTRACE_H_
#define HTTPSERV_COMPAT_HTTPTRACE_H_
#include "../httpserv.h"
#endif  // HTTPSERV_COMPAT_HTTPTRACE_H_
