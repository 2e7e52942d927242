// COM and OLE Automation basics for httpserv modules on Linux: IUnknown, IDispatch, BSTR,
// VARIANT and the functions that manage them (SysAllocString..., VariantInit/Clear/Copy/
// ChangeType), and the COM runtime calls IIS modules make (CoInitializeEx, CoCreateInstance,
// CoTaskMemAlloc, CoCreateGuid, StringFromGUID2...). Included by <objbase.h>, <oleauto.h>,
// <oaidl.h>, <unknwn.h>, <wtypes.h>, <ole2.h>, <comdef.h> and <ahadmin.h>.
//
// Decisions (docs/iis-headers.md, "COM"):
//   - OLECHAR is WCHAR, i.e. wchar_t (32 bits). A BSTR is a wchar_t* with a 32-bit *byte* count
//     in the four bytes before the first character (characters x 4), a terminating L'\0' and
//     at least one more spare L'\0'. BSTRs are allocated with malloc: a BSTR allocated in a
//     module can be freed by the server and the other way round.
//   - An [in] BSTR parameter of the configuration interfaces is declared `const OLECHAR*` (same
//     ABI), so L"..." literals and std::wstring::c_str() can be passed as on MSVC. The callee
//     never reads the length prefix of an [in] BSTR: it may be a plain string.
//   - VARIANT has the x86-64 Windows layout (24 bytes, value at offset 8). Its bstrVal member
//     accepts `v.bstrVal = L"name"` (MSVC's permissive conversion), see HttpservBstrField.
//   - There is no COM apartment: CoInitializeEx only counts per thread (S_OK the first time,
//     S_FALSE after, RPC_E_CHANGED_MODE for a different model) and nothing ever needs it.
//     CoCreateInstance creates the classes the server registers (the AppHost admin managers)
//     through HttpservCoCreateInstance, which the httpserv executable exports; every other
//     class gives REGDB_E_CLASSNOTREG.
//   - Interfaces here have no virtual destructor, so their vtables are exactly COM's.

#ifndef HTTPSERV_COMPAT_HTTPSERV_COM_H_
#define HTTPSERV_COMPAT_HTTPSERV_COM_H_

#include <sys/random.h>

#include <wchar.h>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cwchar>
#include <string>

#include "httpserv_unicode.h"
#include "httpserv_uuid.h"
#include "windef.h"
#include "winerror.h"

// ---------------------------------------------------------------------------------------------
// Basic types.
// ---------------------------------------------------------------------------------------------

typedef WCHAR OLECHAR;
typedef OLECHAR* LPOLESTR;
typedef const OLECHAR* LPCOLESTR;
typedef OLECHAR* BSTR;
typedef BSTR* LPBSTR;
typedef unsigned short VARTYPE;
typedef short VARIANT_BOOL;
typedef LONG SCODE;
typedef double DOUBLE;
typedef double DATE;
typedef LONG DISPID;
typedef DWORD LCID;
typedef GUID* REFGUID_PTR;
typedef IID* LPIID;
typedef CLSID* LPCLSID;

#define VARIANT_TRUE ((VARIANT_BOOL)-1)
#define VARIANT_FALSE ((VARIANT_BOOL)0)

#ifndef STDMETHODCALLTYPE
#define STDMETHODCALLTYPE
#endif
#ifndef STDAPICALLTYPE
#define STDAPICALLTYPE
#endif
#ifndef STDMETHODIMP
#define STDMETHODIMP HRESULT STDMETHODCALLTYPE
#define STDMETHODIMP_(type) type STDMETHODCALLTYPE
#endif
#ifndef STDMETHOD
#define STDMETHOD(method) virtual HRESULT STDMETHODCALLTYPE method
#define STDMETHOD_(type, method) virtual type STDMETHODCALLTYPE method
#endif
#ifndef STDAPI
#define STDAPI extern "C" HRESULT
#define STDAPI_(type) extern "C" type
#endif
#ifndef PURE
#define PURE = 0
#endif
#ifndef THIS_
#define THIS_
#define THIS void
#endif
#ifndef interface
#define interface struct
#endif
#ifndef MIDL_INTERFACE
#define MIDL_INTERFACE(x) struct
#endif
#ifndef DECLARE_INTERFACE
#define DECLARE_INTERFACE(iface) struct iface
#define DECLARE_INTERFACE_(iface, base) struct iface : public base
#endif

// CY (currency) and DECIMAL, for the VARIANT union; no arithmetic is provided on them.
union CY {
  __extension__ struct {
    ULONG Lo;
    LONG Hi;
  };
  LONGLONG int64;
};
struct DECIMAL {
  USHORT wReserved;
  BYTE scale;
  BYTE sign;
  ULONG Hi32;
  ULONGLONG Lo64;
};

// VARTYPE values.
enum VARENUM {
  VT_EMPTY = 0,
  VT_NULL = 1,
  VT_I2 = 2,
  VT_I4 = 3,
  VT_R4 = 4,
  VT_R8 = 5,
  VT_CY = 6,
  VT_DATE = 7,
  VT_BSTR = 8,
  VT_DISPATCH = 9,
  VT_ERROR = 10,
  VT_BOOL = 11,
  VT_VARIANT = 12,
  VT_UNKNOWN = 13,
  VT_DECIMAL = 14,
  VT_I1 = 16,
  VT_UI1 = 17,
  VT_UI2 = 18,
  VT_UI4 = 19,
  VT_I8 = 20,
  VT_UI8 = 21,
  VT_INT = 22,
  VT_UINT = 23,
  VT_VOID = 24,
  VT_HRESULT = 25,
  VT_PTR = 26,
  VT_SAFEARRAY = 27,
  VT_LPSTR = 30,
  VT_LPWSTR = 31,
  VT_RECORD = 36,
  VT_ARRAY = 0x2000,
  VT_BYREF = 0x4000,
  VT_TYPEMASK = 0xfff,
};

// ---------------------------------------------------------------------------------------------
// IUnknown, IDispatch, IClassFactory.
// ---------------------------------------------------------------------------------------------

// The root of every COM interface: slots 0-2. No virtual destructor (COM's vtable layout).
class IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE QueryInterface(REFIID riid, void** ppvObject) = 0;
  virtual ULONG STDMETHODCALLTYPE AddRef() = 0;
  virtual ULONG STDMETHODCALLTYPE Release() = 0;

  // The typed helper of Microsoft's unknwn.h: QueryInterface(&pFoo).
  template <class Q>
  HRESULT STDMETHODCALLTYPE QueryInterface(Q** pp) {
    return QueryInterface(iid_of<Q>(), reinterpret_cast<void**>(pp));
  }

 protected:
  ~IUnknown() = default;  // objects are released, never deleted through an interface
};
typedef IUnknown* LPUNKNOWN;

class ITypeInfo;
struct DISPPARAMS;
struct EXCEPINFO;
union VARIANT_storage_unused;
struct tagVARIANT;
typedef tagVARIANT VARIANT;
typedef tagVARIANT VARIANTARG;

// Declared for VARIANT's pdispVal and for code that names it; the server's configuration
// objects do not implement it.
class IDispatch : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE GetTypeInfoCount(UINT* pctinfo) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetTypeInfo(UINT iTInfo, LCID lcid, ITypeInfo** ppTInfo) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetIDsOfNames(REFIID riid, LPOLESTR* rgszNames, UINT cNames,
                                                  LCID lcid, DISPID* rgDispId) = 0;
  virtual HRESULT STDMETHODCALLTYPE Invoke(DISPID dispIdMember, REFIID riid, LCID lcid, WORD wFlags,
                                           DISPPARAMS* pDispParams, VARIANT* pVarResult,
                                           EXCEPINFO* pExcepInfo, UINT* puArgErr) = 0;

 protected:
  ~IDispatch() = default;
};

class IClassFactory : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE CreateInstance(IUnknown* pUnkOuter, REFIID riid,
                                                   void** ppvObject) = 0;
  virtual HRESULT STDMETHODCALLTYPE LockServer(BOOL fLock) = 0;

 protected:
  ~IClassFactory() = default;
};

HTTPSERV_DEFINE_IID(IUnknown, "00000000-0000-0000-c000-000000000046");
HTTPSERV_DEFINE_IID(IDispatch, "00020400-0000-0000-c000-000000000046");
HTTPSERV_DEFINE_IID(IClassFactory, "00000001-0000-0000-c000-000000000046");

inline constexpr GUID IID_IUnknown = HttpservIid<IUnknown>::value;
inline constexpr GUID IID_IDispatch = HttpservIid<IDispatch>::value;
inline constexpr GUID IID_IClassFactory = HttpservIid<IClassFactory>::value;

#ifndef IID_PPV_ARGS
#define IID_PPV_ARGS(ppType) __uuidof(**(ppType)), reinterpret_cast<void**>(ppType)
#endif

// GUID_NULL / IID_NULL.
inline constexpr GUID GUID_NULL = {0, 0, 0, {0, 0, 0, 0, 0, 0, 0, 0}};
#define IID_NULL GUID_NULL
#define CLSID_NULL GUID_NULL

// ---------------------------------------------------------------------------------------------
// SAFEARRAY (declared only: the configuration API never returns one, see ahadmin.h).
// ---------------------------------------------------------------------------------------------

struct SAFEARRAYBOUND {
  ULONG cElements;
  LONG lLbound;
};
struct SAFEARRAY {
  USHORT cDims;
  USHORT fFeatures;
  ULONG cbElements;
  ULONG cLocks;
  PVOID pvData;
  SAFEARRAYBOUND rgsabound[1];
};
typedef SAFEARRAY* LPSAFEARRAY;

// ---------------------------------------------------------------------------------------------
// VARIANT.
// ---------------------------------------------------------------------------------------------

// The type of VARIANT::bstrVal. Layout and ABI of a BSTR (one pointer, trivially copyable),
// converting to BSTR wherever one is expected; it can also be assigned a `const OLECHAR*`,
// which MSVC allows for a BSTR (`v.bstrVal = L"name";`) and GCC does not. Such a VARIANT
// must not be VariantClear'ed, exactly as on Windows.
struct HttpservBstrField {
  BSTR value;
  operator BSTR() const { return value; }
  HttpservBstrField& operator=(const OLECHAR* s) {
    value = const_cast<BSTR>(s);
    return *this;
  }
  OLECHAR& operator[](size_t i) const { return value[i]; }
};

class IRecordInfo;

struct tagVARIANT {
  __extension__ union {
    __extension__ struct {
      VARTYPE vt;
      WORD wReserved1;
      WORD wReserved2;
      WORD wReserved3;
      __extension__ union {
        LONGLONG llVal;
        LONG lVal;
        BYTE bVal;
        SHORT iVal;
        FLOAT fltVal;
        DOUBLE dblVal;
        VARIANT_BOOL boolVal;
        SCODE scode;
        CY cyVal;
        DATE date;
        HttpservBstrField bstrVal;
        IUnknown* punkVal;
        IDispatch* pdispVal;
        SAFEARRAY* parray;
        BYTE* pbVal;
        SHORT* piVal;
        LONG* plVal;
        LONGLONG* pllVal;
        FLOAT* pfltVal;
        DOUBLE* pdblVal;
        VARIANT_BOOL* pboolVal;
        SCODE* pscode;
        BSTR* pbstrVal;
        IUnknown** ppunkVal;
        IDispatch** ppdispVal;
        tagVARIANT* pvarVal;
        PVOID byref;
        CHAR cVal;
        USHORT uiVal;
        ULONG ulVal;
        ULONGLONG ullVal;
        INT intVal;
        UINT uintVal;
        CHAR* pcVal;
        USHORT* puiVal;
        ULONG* pulVal;
        ULONGLONG* pullVal;
        INT* pintVal;
        UINT* puintVal;
        __extension__ struct {
          PVOID pvRecord;
          IRecordInfo* pRecInfo;
        };
      };
    };
    DECIMAL decVal;
  };
};
typedef VARIANT* LPVARIANT;
typedef VARIANT* LPVARIANTARG;

#define V_VT(X) ((X)->vt)
#define V_ISBYREF(X) (V_VT(X) & VT_BYREF)
#define V_UI1(X) ((X)->bVal)
#define V_I1(X) ((X)->cVal)
#define V_I2(X) ((X)->iVal)
#define V_UI2(X) ((X)->uiVal)
#define V_I4(X) ((X)->lVal)
#define V_UI4(X) ((X)->ulVal)
#define V_I8(X) ((X)->llVal)
#define V_UI8(X) ((X)->ullVal)
#define V_INT(X) ((X)->intVal)
#define V_UINT(X) ((X)->uintVal)
#define V_R4(X) ((X)->fltVal)
#define V_R8(X) ((X)->dblVal)
#define V_BOOL(X) ((X)->boolVal)
#define V_ERROR(X) ((X)->scode)
#define V_CY(X) ((X)->cyVal)
#define V_DATE(X) ((X)->date)
#define V_BSTR(X) ((X)->bstrVal)
#define V_UNKNOWN(X) ((X)->punkVal)
#define V_DISPATCH(X) ((X)->pdispVal)
#define V_ARRAY(X) ((X)->parray)
#define V_BYREF(X) ((X)->byref)
#define V_VARIANTREF(X) ((X)->pvarVal)
#define V_DECIMAL(X) ((X)->decVal)

// VariantChangeType flags (accepted; only VARIANT_ALPHABOOL changes anything).
#define VARIANT_NOVALUEPROP 0x01
#define VARIANT_ALPHABOOL 0x02
#define VARIANT_NOUSEROVERRIDE 0x04
#define VARIANT_LOCALBOOL 0x10

// ---------------------------------------------------------------------------------------------
// BSTR functions.
// ---------------------------------------------------------------------------------------------

namespace httpserv::compat {

// Header in front of every BSTR: the byte count sits in the 4 bytes just before the text, so
// the text is 8-byte aligned. Two spare terminators follow the text.
constexpr size_t kBstrHeader = 8;
constexpr size_t kBstrSpare = 2;

inline BSTR bstr_alloc_bytes(size_t bytes) {
  if (bytes > 0x7FFFFFF0u) return nullptr;
  char* block = static_cast<char*>(
      std::calloc(1, kBstrHeader + bytes + kBstrSpare * sizeof(OLECHAR) + sizeof(OLECHAR)));
  if (block == nullptr) return nullptr;
  const uint32_t count = static_cast<uint32_t>(bytes);
  std::memcpy(block + kBstrHeader - 4, &count, 4);
  return reinterpret_cast<BSTR>(block + kBstrHeader);
}

inline BSTR bstr_from_utf8(const char* s, size_t n) {
  std::wstring w = utf8_to_wide(std::string_view(s, n));
  BSTR b = bstr_alloc_bytes(w.size() * sizeof(OLECHAR));
  if (b != nullptr && !w.empty()) std::wmemcpy(b, w.data(), w.size());
  return b;
}

}  // namespace httpserv::compat

// Number of characters of `bstr` (from its length prefix); 0 for NULL.
inline UINT SysStringLen(BSTR bstr) {
  if (bstr == nullptr) return 0;
  uint32_t bytes;
  std::memcpy(&bytes, reinterpret_cast<char*>(bstr) - 4, 4);
  return bytes / sizeof(OLECHAR);
}
// Number of bytes of `bstr` (characters x 4); 0 for NULL.
inline UINT SysStringByteLen(BSTR bstr) {
  if (bstr == nullptr) return 0;
  uint32_t bytes;
  std::memcpy(&bytes, reinterpret_cast<char*>(bstr) - 4, 4);
  return bytes;
}
// A new BSTR holding `ui` characters of `strIn` plus a terminator; NULL strIn gives `ui`
// zero characters. Tolerance (documented): the copy stops at the first L'\0' of strIn within
// those `ui` characters and the rest is zero-filled, so the over-long lengths some modules pass
// (HSTS: the future length of a string they then wcscat onto) do not read past strIn's end.
// The length prefix is always `ui`. NULL when out of memory.
inline BSTR SysAllocStringLen(const OLECHAR* strIn, UINT ui) {
  BSTR b = httpserv::compat::bstr_alloc_bytes(static_cast<size_t>(ui) * sizeof(OLECHAR));
  if (b != nullptr && strIn != nullptr) std::wmemcpy(b, strIn, ::wcsnlen(strIn, ui));
  return b;
}
// A new BSTR copy of the NUL-terminated `psz`; NULL for a NULL psz or when out of memory.
inline BSTR SysAllocString(const OLECHAR* psz) {
  if (psz == nullptr) return nullptr;
  const size_t n = std::wcslen(psz);
  BSTR b = httpserv::compat::bstr_alloc_bytes(n * sizeof(OLECHAR));
  if (b != nullptr) std::wmemcpy(b, psz, n);
  return b;
}
// A BSTR of `len` bytes copied from `psz` (NULL: zeroed). The bytes are not converted.
inline BSTR SysAllocStringByteLen(LPCSTR psz, UINT len) {
  BSTR b = httpserv::compat::bstr_alloc_bytes(len);
  if (b != nullptr && psz != nullptr) std::memcpy(b, psz, len);
  return b;
}
// Frees a BSTR from any of the SysAlloc functions; NULL is ignored.
inline void SysFreeString(BSTR bstrString) {
  if (bstrString == nullptr) return;
  std::free(reinterpret_cast<char*>(bstrString) - httpserv::compat::kBstrHeader);
}
// Replaces *pbstr with a copy of psz (the old string is freed). FALSE when out of memory or
// pbstr is NULL; then *pbstr is unchanged.
inline INT SysReAllocString(BSTR* pbstr, const OLECHAR* psz) {
  if (pbstr == nullptr) return FALSE;
  BSTR b = SysAllocString(psz != nullptr ? psz : L"");
  if (b == nullptr) return FALSE;
  SysFreeString(*pbstr);
  *pbstr = b;
  return TRUE;
}
// As SysReAllocString with `len` characters (see SysAllocStringLen).
inline INT SysReAllocStringLen(BSTR* pbstr, const OLECHAR* psz, UINT len) {
  if (pbstr == nullptr) return FALSE;
  BSTR b = SysAllocStringLen(psz, len);
  if (b == nullptr) return FALSE;
  SysFreeString(*pbstr);
  *pbstr = b;
  return TRUE;
}

// ---------------------------------------------------------------------------------------------
// VARIANT functions.
// ---------------------------------------------------------------------------------------------

// Sets vt to VT_EMPTY without looking at the old contents.
inline void VariantInit(VARIANTARG* pvarg) {
  if (pvarg == nullptr) return;
  pvarg->vt = VT_EMPTY;
  pvarg->wReserved1 = pvarg->wReserved2 = pvarg->wReserved3 = 0;
  pvarg->llVal = 0;
}

// Frees what the VARIANT owns (a BSTR, an interface reference; arrays are not supported and
// are left alone) and sets it to VT_EMPTY. By-reference values are not touched. E_INVALIDARG
// for NULL, DISP_E_BADVARTYPE for a type that is not a VARTYPE.
inline HRESULT VariantClear(VARIANTARG* pvarg) {
  if (pvarg == nullptr) return E_INVALIDARG;
  const VARTYPE vt = pvarg->vt;
  if ((vt & VT_BYREF) == 0 && (vt & VT_ARRAY) == 0) {
    switch (vt) {
      case VT_BSTR:
        SysFreeString(pvarg->bstrVal);
        break;
      case VT_UNKNOWN:
      case VT_DISPATCH:
        if (pvarg->punkVal != nullptr) pvarg->punkVal->Release();
        break;
      default:
        if ((vt & VT_TYPEMASK) > VT_LPWSTR && vt != VT_RECORD) return DISP_E_BADVARTYPE;
        break;
    }
  }
  VariantInit(pvarg);
  return S_OK;
}

// Deep copy: dst is cleared first, a BSTR is duplicated, an interface is AddRef'ed.
inline HRESULT VariantCopy(VARIANTARG* pvargDest, const VARIANTARG* pvargSrc) {
  if (pvargDest == nullptr || pvargSrc == nullptr) return E_INVALIDARG;
  if (pvargDest == pvargSrc) return S_OK;
  HRESULT hr = VariantClear(pvargDest);
  if (FAILED(hr)) return hr;
  VARIANT tmp = *pvargSrc;
  if ((tmp.vt & (VT_BYREF | VT_ARRAY)) == 0) {
    if (tmp.vt == VT_BSTR && pvargSrc->bstrVal.value != nullptr) {
      tmp.bstrVal.value = SysAllocStringLen(pvargSrc->bstrVal, SysStringLen(pvargSrc->bstrVal));
      if (tmp.bstrVal.value == nullptr) return E_OUTOFMEMORY;
      // keep embedded characters exactly
      std::wmemcpy(tmp.bstrVal.value, pvargSrc->bstrVal.value, SysStringLen(pvargSrc->bstrVal));
    } else if ((tmp.vt == VT_UNKNOWN || tmp.vt == VT_DISPATCH) && tmp.punkVal != nullptr) {
      tmp.punkVal->AddRef();
    }
  }
  *pvargDest = tmp;
  return S_OK;
}

namespace httpserv::compat {

// The value of a VARIANT of a numeric or boolean type as a long double, or false.
inline bool variant_number(const VARIANT& v, long double* out) {
  switch (v.vt) {
    case VT_EMPTY:
      *out = 0;
      return true;
    case VT_I1:
      *out = v.cVal;
      return true;
    case VT_UI1:
      *out = v.bVal;
      return true;
    case VT_I2:
      *out = v.iVal;
      return true;
    case VT_UI2:
      *out = v.uiVal;
      return true;
    case VT_I4:
      *out = v.lVal;
      return true;
    case VT_UI4:
      *out = v.ulVal;
      return true;
    case VT_INT:
      *out = v.intVal;
      return true;
    case VT_UINT:
      *out = v.uintVal;
      return true;
    case VT_I8:
      *out = static_cast<long double>(v.llVal);
      return true;
    case VT_UI8:
      *out = static_cast<long double>(v.ullVal);
      return true;
    case VT_R4:
      *out = v.fltVal;
      return true;
    case VT_R8:
      *out = v.dblVal;
      return true;
    case VT_BOOL:
      *out = v.boolVal != 0 ? -1 : 0;
      return true;
    case VT_ERROR:
      *out = v.scode;
      return true;
    default:
      return false;
  }
}

// Parses a BSTR for VariantChangeType: integers (decimal, optional sign), reals, and for
// VT_BOOL also "true"/"false" (any case) and "#TRUE#"/"#FALSE#".
inline HRESULT parse_string(const OLECHAR* s, VARTYPE target, long double* out) {
  std::string text = wide_to_utf8(s != nullptr ? s : L"");
  size_t b = text.find_first_not_of(" \t");
  size_t e = text.find_last_not_of(" \t");
  text = b == std::string::npos ? std::string() : text.substr(b, e - b + 1);
  if (target == VT_BOOL) {
    std::string lower;
    for (char c : text)
      lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (lower == "true" || lower == "#true#") {
      *out = -1;
      return S_OK;
    }
    if (lower == "false" || lower == "#false#") {
      *out = 0;
      return S_OK;
    }
  }
  if (text.empty()) return DISP_E_TYPEMISMATCH;
  char* end = nullptr;
  errno = 0;
  long double v = std::strtold(text.c_str(), &end);
  if (end == nullptr || *end != '\0') return DISP_E_TYPEMISMATCH;
  if (errno == ERANGE) return DISP_E_OVERFLOW;
  *out = v;
  return S_OK;
}

inline std::wstring number_text(const VARIANT& v) {
  char buf[64];
  switch (v.vt) {
    case VT_I8:
      std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(v.llVal));
      break;
    case VT_UI8:
      std::snprintf(buf, sizeof(buf), "%llu", static_cast<unsigned long long>(v.ullVal));
      break;
    case VT_R4:
      std::snprintf(buf, sizeof(buf), "%.7g", static_cast<double>(v.fltVal));
      break;
    case VT_R8:
      std::snprintf(buf, sizeof(buf), "%.15g", v.dblVal);
      break;
    case VT_BOOL:
      return v.boolVal != 0 ? L"True" : L"False";
    default: {
      long double n = 0;
      variant_number(v, &n);
      std::snprintf(buf, sizeof(buf), "%.0Lf", n);
      break;
    }
  }
  return utf8_to_wide(buf);
}

}  // namespace httpserv::compat

// Converts pvarSrc to type vt into pvargDest (in place when both are the same VARIANT).
// Supported: VT_EMPTY, every integer type, VT_R4/R8, VT_BOOL and VT_BSTR, from each other
// (a string is parsed; a number becomes its decimal text; a bool becomes "True"/"False", or
// -1/0 as a number). Errors: DISP_E_TYPEMISMATCH (unparsable text, interfaces, arrays),
// DISP_E_OVERFLOW (the value does not fit: 70000 to VT_I2, -1 to VT_UI4, 2^40 to VT_I4),
// DISP_E_BADVARTYPE (vt is not a VARTYPE). VT_NULL, VT_CY, VT_DATE, VT_DECIMAL and interface
// targets are not converted to (DISP_E_TYPEMISMATCH). On failure pvargDest is unchanged.
inline HRESULT VariantChangeTypeEx(VARIANTARG* pvargDest, const VARIANTARG* pvarSrc, LCID lcid,
                                   USHORT wFlags, VARTYPE vt) {
  (void)lcid;
  (void)wFlags;
  using namespace httpserv::compat;
  if (pvargDest == nullptr || pvarSrc == nullptr) return E_INVALIDARG;
  if (pvarSrc->vt == vt) {
    if (pvargDest == pvarSrc) return S_OK;
    return VariantCopy(pvargDest, pvarSrc);
  }
  switch (vt) {
    case VT_EMPTY:
    case VT_I1:
    case VT_UI1:
    case VT_I2:
    case VT_UI2:
    case VT_I4:
    case VT_UI4:
    case VT_INT:
    case VT_UINT:
    case VT_I8:
    case VT_UI8:
    case VT_R4:
    case VT_R8:
    case VT_BOOL:
    case VT_ERROR:
    case VT_BSTR:
      break;
    case VT_NULL:
    case VT_CY:
    case VT_DATE:
    case VT_DISPATCH:
    case VT_VARIANT:
    case VT_UNKNOWN:
    case VT_DECIMAL:
      return DISP_E_TYPEMISMATCH;  // valid types this shim does not convert to
    default:
      return DISP_E_BADVARTYPE;
  }
  VARIANT result;
  VariantInit(&result);
  result.vt = vt;
  if (vt == VT_BSTR) {
    std::wstring text;
    if (pvarSrc->vt == VT_EMPTY) {
      text.clear();
    } else {
      long double n;
      if (!variant_number(*pvarSrc, &n)) return DISP_E_TYPEMISMATCH;
      text = number_text(*pvarSrc);
    }
    result.bstrVal.value = SysAllocStringLen(text.c_str(), static_cast<UINT>(text.size()));
    if (result.bstrVal.value == nullptr) return E_OUTOFMEMORY;
  } else if (vt == VT_EMPTY) {
    // any source becomes empty
  } else {
    long double n = 0;
    if (pvarSrc->vt == VT_BSTR) {
      HRESULT hr = parse_string(pvarSrc->bstrVal, vt, &n);
      if (FAILED(hr)) return hr;
    } else if (!variant_number(*pvarSrc, &n)) {
      return DISP_E_TYPEMISMATCH;
    }
    const bool is_real = vt == VT_R4 || vt == VT_R8;
    if (!is_real && vt != VT_BOOL) n = std::nearbyint(n);  // OLE rounds half to even
    auto fits = [&](long double lo, long double hi) { return n >= lo && n <= hi; };
    switch (vt) {
      case VT_I1:
        if (!fits(-128, 127)) return DISP_E_OVERFLOW;
        result.cVal = static_cast<CHAR>(n);
        break;
      case VT_UI1:
        if (!fits(0, 255)) return DISP_E_OVERFLOW;
        result.bVal = static_cast<BYTE>(n);
        break;
      case VT_I2:
        if (!fits(-32768, 32767)) return DISP_E_OVERFLOW;
        result.iVal = static_cast<SHORT>(n);
        break;
      case VT_UI2:
        if (!fits(0, 65535)) return DISP_E_OVERFLOW;
        result.uiVal = static_cast<USHORT>(n);
        break;
      case VT_I4:
      case VT_INT:
        if (!fits(INT32_MIN, INT32_MAX)) return DISP_E_OVERFLOW;
        result.lVal = static_cast<LONG>(n);
        break;
      case VT_UI4:
      case VT_UINT:
        if (!fits(0, UINT32_MAX)) return DISP_E_OVERFLOW;
        result.ulVal = static_cast<ULONG>(n);
        break;
      case VT_I8:
        if (!fits(static_cast<long double>(INT64_MIN), static_cast<long double>(INT64_MAX)))
          return DISP_E_OVERFLOW;
        result.llVal = static_cast<LONGLONG>(n);
        break;
      case VT_UI8:
        if (!fits(0, static_cast<long double>(UINT64_MAX))) return DISP_E_OVERFLOW;
        result.ullVal = static_cast<ULONGLONG>(n);
        break;
      case VT_R4:
        result.fltVal = static_cast<FLOAT>(n);
        break;
      case VT_R8:
        result.dblVal = static_cast<DOUBLE>(n);
        break;
      case VT_BOOL:
        result.boolVal = n != 0 ? VARIANT_TRUE : VARIANT_FALSE;
        break;
      case VT_ERROR:
        if (!fits(INT32_MIN, UINT32_MAX)) return DISP_E_OVERFLOW;
        result.scode = static_cast<SCODE>(static_cast<int64_t>(n));
        break;
      default:
        return DISP_E_BADVARTYPE;
    }
  }
  if (pvargDest == pvarSrc) {
    VariantClear(pvargDest);
  } else {
    HRESULT hr = VariantClear(pvargDest);
    if (FAILED(hr)) {
      VariantClear(&result);
      return hr;
    }
  }
  *pvargDest = result;
  return S_OK;
}
inline HRESULT VariantChangeType(VARIANTARG* pvargDest, const VARIANTARG* pvarSrc, USHORT wFlags,
                                 VARTYPE vt) {
  return VariantChangeTypeEx(pvargDest, pvarSrc, 0, wFlags, vt);
}

// ---------------------------------------------------------------------------------------------
// COM runtime.
// ---------------------------------------------------------------------------------------------

enum COINIT {
  COINIT_MULTITHREADED = 0x0,
  COINIT_APARTMENTTHREADED = 0x2,
  COINIT_DISABLE_OLE1DDE = 0x4,
  COINIT_SPEED_OVER_MEMORY = 0x8,
};
enum CLSCTX {
  CLSCTX_INPROC_SERVER = 0x1,
  CLSCTX_INPROC_HANDLER = 0x2,
  CLSCTX_LOCAL_SERVER = 0x4,
  CLSCTX_REMOTE_SERVER = 0x10,
  CLSCTX_ALL = 0x17,
  CLSCTX_SERVER = 0x15,
  CLSCTX_INPROC = 0x3,
};

// Exported by the httpserv executable (weak here, like HttpservLogWrite): creates an object of
// a class the server provides. Absent outside the server: CoCreateInstance then reports
// REGDB_E_CLASSNOTREG.
extern "C" __attribute__((weak)) HRESULT HttpservCoCreateInstance(const GUID* rclsid,
                                                                  const GUID* riid, void** ppv);

namespace httpserv::compat {
struct ComThreadState {
  int count = 0;
  DWORD model = 0;
};
inline ComThreadState& com_thread_state() {
  static thread_local ComThreadState state;
  return state;
}
}  // namespace httpserv::compat

// Counts COM initialisations of the calling thread: S_OK the first time, S_FALSE when already
// initialised with the same model, RPC_E_CHANGED_MODE with another (COINIT_APARTMENTTHREADED vs
// MULTITHREADED). Nothing depends on it: there are no apartments.
inline HRESULT CoInitializeEx(LPVOID pvReserved, DWORD dwCoInit) {
  (void)pvReserved;
  auto& st = httpserv::compat::com_thread_state();
  const DWORD model = dwCoInit & COINIT_APARTMENTTHREADED;
  if (st.count > 0) {
    if (st.model != model) return RPC_E_CHANGED_MODE;
    ++st.count;
    return S_FALSE;
  }
  st.count = 1;
  st.model = model;
  return S_OK;
}
inline HRESULT CoInitialize(LPVOID pvReserved) {
  return CoInitializeEx(pvReserved, COINIT_APARTMENTTHREADED);
}
inline HRESULT OleInitialize(LPVOID pvReserved) {
  return CoInitialize(pvReserved);
}
// Undoes one successful CoInitialize[Ex]; extra calls are ignored.
inline void CoUninitialize() {
  auto& st = httpserv::compat::com_thread_state();
  if (st.count > 0) --st.count;
}
inline void OleUninitialize() {
  CoUninitialize();
}

// Creates an object of class rclsid and returns its riid interface in *ppv (AddRef'ed; Release
// it). The server registers CLSID_AppHostAdminManager and CLSID_AppHostWritableAdminManager
// (ahadmin.h). E_POINTER for a NULL ppv, CLASS_E_NOAGGREGATION with an outer unknown,
// REGDB_E_CLASSNOTREG for any other class (or outside the server), E_NOINTERFACE if the
// object lacks riid. Works without CoInitialize.
inline HRESULT CoCreateInstance(REFCLSID rclsid, LPUNKNOWN pUnkOuter, DWORD dwClsContext,
                                REFIID riid, LPVOID* ppv) {
  (void)dwClsContext;
  if (ppv == nullptr) return E_POINTER;
  *ppv = nullptr;
  if (pUnkOuter != nullptr) return CLASS_E_NOAGGREGATION;
  if (HttpservCoCreateInstance == nullptr) return REGDB_E_CLASSNOTREG;
  return HttpservCoCreateInstance(&rclsid, &riid, ppv);
}

// Task memory: the C heap.
inline LPVOID CoTaskMemAlloc(SIZE_T cb) {
  return std::malloc(cb != 0 ? cb : 1);
}
inline LPVOID CoTaskMemRealloc(LPVOID pv, SIZE_T cb) {
  return std::realloc(pv, cb != 0 ? cb : 1);
}
inline void CoTaskMemFree(LPVOID pv) {
  std::free(pv);
}

// A random (version 4) GUID from getrandom(2).
inline HRESULT CoCreateGuid(GUID* pguid) {
  if (pguid == nullptr) return E_INVALIDARG;
  unsigned char b[16];
  size_t got = 0;
  while (got < sizeof(b)) {
    ssize_t n = ::getrandom(b + got, sizeof(b) - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return HRESULT_FROM_WIN32(ERROR_GEN_FAILURE);
    }
    got += static_cast<size_t>(n);
  }
  std::memcpy(&pguid->Data1, b, 4);
  std::memcpy(&pguid->Data2, b + 4, 2);
  std::memcpy(&pguid->Data3, b + 6, 2);
  std::memcpy(pguid->Data4, b + 8, 8);
  pguid->Data3 = static_cast<uint16_t>((pguid->Data3 & 0x0FFF) | 0x4000);   // version 4
  pguid->Data4[0] = static_cast<uint8_t>((pguid->Data4[0] & 0x3F) | 0x80);  // RFC 4122 variant
  return S_OK;
}

// "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" into lpsz (cchMax >= 39); returns the characters
// written including the terminator, 0 if the buffer is too small.
inline int StringFromGUID2(REFGUID rguid, LPOLESTR lpsz, int cchMax) {
  if (lpsz == nullptr || cchMax < 39) return 0;
  char buf[40];
  std::snprintf(buf, sizeof(buf), "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", rguid.Data1,
                rguid.Data2, rguid.Data3, rguid.Data4[0], rguid.Data4[1], rguid.Data4[2],
                rguid.Data4[3], rguid.Data4[4], rguid.Data4[5], rguid.Data4[6], rguid.Data4[7]);
  for (int i = 0; i < 39; ++i)
    lpsz[i] = static_cast<OLECHAR>(buf[i]);
  return 39;
}
// The same as a CoTaskMemAlloc'ed string.
inline HRESULT StringFromCLSID(REFCLSID rclsid, LPOLESTR* lplpsz) {
  if (lplpsz == nullptr) return E_INVALIDARG;
  *lplpsz = static_cast<LPOLESTR>(CoTaskMemAlloc(39 * sizeof(OLECHAR)));
  if (*lplpsz == nullptr) return E_OUTOFMEMORY;
  StringFromGUID2(rclsid, *lplpsz, 39);
  return S_OK;
}
inline HRESULT StringFromIID(REFIID rclsid, LPOLESTR* lplpsz) {
  return StringFromCLSID(rclsid, lplpsz);
}
// Parses "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" (braces required, any case).
inline HRESULT IIDFromString(LPCOLESTR lpsz, LPIID lpiid) {
  if (lpsz == nullptr || lpiid == nullptr) return E_INVALIDARG;
  if (std::wcslen(lpsz) != 38 || lpsz[0] != L'{' || lpsz[37] != L'}') return CO_E_CLASSSTRING;
  unsigned v[11];
  wchar_t tail = 0;
  if (std::swscanf(lpsz, L"{%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x%lc", &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &tail) != 12 ||
      tail != L'}') {
    return CO_E_CLASSSTRING;
  }
  lpiid->Data1 = v[0];
  lpiid->Data2 = static_cast<uint16_t>(v[1]);
  lpiid->Data3 = static_cast<uint16_t>(v[2]);
  for (int i = 0; i < 8; ++i)
    lpiid->Data4[i] = static_cast<uint8_t>(v[3 + i]);
  return S_OK;
}
inline HRESULT CLSIDFromString(LPCOLESTR lpsz, LPCLSID pclsid) {
  return IIDFromString(lpsz, pclsid);
}

#endif  // HTTPSERV_COMPAT_HTTPSERV_COM_H_
