// <oaidl.h> for httpserv modules on Linux: COM and OLE Automation basics (IUnknown, BSTR, VARIANT,
// CoCreateInstance, ...), all in httpserv_com.h. See docs/iis-headers.md, "COM".
#ifndef HTTPSERV_COMPAT_OAIDL_H
#define HTTPSERV_COMPAT_OAIDL_H
#include "httpserv_com.h"
#endif  // HTTPSERV_COMPAT_OAIDL_H
