// <comdef.h> for httpserv modules on Linux: the compiler COM support classes (_com_error,
// _bstr_t, _variant_t from comutil.h; _com_ptr_t from comip.h) and smart-pointer typedefs for
// the configuration interfaces (IAppHostElementPtr, IAppHostPropertyPtr, ...), which MSVC's
// comdef.h does not define but which _COM_SMARTPTR_TYPEDEF lines in modules expect to be able
// to redeclare (a repeated identical typedef is valid C++).

#ifndef HTTPSERV_COMPAT_COMDEF_H_
#define HTTPSERV_COMPAT_COMDEF_H_

#include "../ahadmin.h"
#include "comip.h"
#include "comutil.h"
#include "httpserv_com.h"

_COM_SMARTPTR_TYPEDEF(IUnknown, __uuidof(IUnknown));
_COM_SMARTPTR_TYPEDEF(IDispatch, __uuidof(IDispatch));

#endif  // HTTPSERV_COMPAT_COMDEF_H_
