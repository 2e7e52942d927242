// <comutil.h> for httpserv modules on Linux: _com_error, _bstr_t and _variant_t, the compiler
// COM support classes of MSVC (comdef.h includes this). Our own implementation of the documented
// behaviour:
//   - _bstr_t shares one reference-counted copy of the string; operator const char* converts to
//     UTF-8 (the "ANSI" code page here) on first use and keeps it.
//   - _variant_t derives from VARIANT; its extractors (operator bool, int, ...) go through
//     VariantChangeType and throw _com_error when the value cannot be converted, as on Windows.
//   - Failures that MSVC reports with _com_issue_error throw _com_error (a C++ exception: catch
//     it inside your module; the server also catches it at every call into a module).

#ifndef HTTPSERV_COMPAT_COMUTIL_H_
#define HTTPSERV_COMPAT_COMUTIL_H_

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <cwchar>
#include <string>

#include "httpserv_com.h"
#include "httpserv_unicode.h"

// An HRESULT as a C++ exception.
class _com_error {
 public:
  explicit _com_error(HRESULT hr, IUnknown* perrinfo = nullptr, bool fAddRef = false) : hr_(hr) {
    (void)perrinfo;
    (void)fAddRef;
  }
  HRESULT Error() const { return hr_; }
  WORD WCode() const { return HRESULT_CODE(hr_); }
  // "HRESULT 0x80070057" style text (no message tables here).
  const TCHAR* ErrorMessage() const {
    if (message_.empty()) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "HRESULT 0x%08X", static_cast<unsigned>(hr_));
#ifdef UNICODE
      message_ = httpserv::compat::utf8_to_wide(buf);
#else
      message_ = buf;
#endif
    }
    return message_.c_str();
  }

 private:
  HRESULT hr_;
#ifdef UNICODE
  mutable std::wstring message_;
#else
  mutable std::string message_;
#endif
};

// Throws _com_error(hr).
[[noreturn]] inline void _com_issue_error(HRESULT hr) {
  throw _com_error(hr);
}
[[noreturn]] inline void _com_raise_error(HRESULT hr, IUnknown* perrinfo = nullptr) {
  (void)perrinfo;
  throw _com_error(hr);
}

namespace _com_util {
// UTF-8 -> new BSTR (NULL for NULL); throws _com_error(E_OUTOFMEMORY).
inline BSTR ConvertStringToBSTR(const char* pSrc) {
  if (pSrc == nullptr) return nullptr;
  BSTR b = httpserv::compat::bstr_from_utf8(pSrc, std::strlen(pSrc));
  if (b == nullptr) _com_issue_error(E_OUTOFMEMORY);
  return b;
}
// BSTR -> new[]'ed UTF-8 string (delete[] it); NULL for NULL.
inline char* ConvertBSTRToString(BSTR pSrc) {
  if (pSrc == nullptr) return nullptr;
  std::string s = httpserv::compat::wide_to_utf8(pSrc);
  char* out = new char[s.size() + 1];
  std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}
}  // namespace _com_util

class _variant_t;

// A reference-counted BSTR wrapper.
class _bstr_t {
 public:
  _bstr_t() noexcept : data_(nullptr) {}
  _bstr_t(const _bstr_t& s) noexcept : data_(s.data_) {
    if (data_ != nullptr) data_->add_ref();
  }
  _bstr_t(_bstr_t&& s) noexcept : data_(s.data_) { s.data_ = nullptr; }
  _bstr_t(const char* s) : data_(s != nullptr ? Data::from_narrow(s) : nullptr) {}
  _bstr_t(const wchar_t* s) : data_(s != nullptr ? Data::from_wide(s, std::wcslen(s)) : nullptr) {}
  // Takes ownership of bstr when fCopy is false (as Attach), copies it otherwise.
  _bstr_t(BSTR bstr, bool fCopy) : data_(nullptr) {
    if (bstr == nullptr) return;
    if (fCopy) {
      data_ = Data::from_wide(bstr, SysStringLen(bstr));
    } else {
      data_ = Data::adopt(bstr);
    }
  }
  inline _bstr_t(const _variant_t& var);
  ~_bstr_t() { release(); }

  _bstr_t& operator=(const _bstr_t& s) noexcept {
    if (this != &s) {
      if (s.data_ != nullptr) s.data_->add_ref();
      release();
      data_ = s.data_;
    }
    return *this;
  }
  _bstr_t& operator=(_bstr_t&& s) noexcept {
    if (this != &s) {
      release();
      data_ = s.data_;
      s.data_ = nullptr;
    }
    return *this;
  }
  _bstr_t& operator=(const char* s) { return *this = _bstr_t(s); }
  _bstr_t& operator=(const wchar_t* s) { return *this = _bstr_t(s); }
  inline _bstr_t& operator=(const _variant_t& var);

  _bstr_t& operator+=(const _bstr_t& s) { return *this = *this + s; }
  friend _bstr_t operator+(const _bstr_t& a, const _bstr_t& b) {
    std::wstring w(a.wide(), a.length());
    w.append(b.wide(), b.length());
    _bstr_t r;
    r.data_ = Data::from_wide(w.data(), w.size());
    return r;
  }
  friend _bstr_t operator+(const char* a, const _bstr_t& b) { return _bstr_t(a) + b; }
  friend _bstr_t operator+(const wchar_t* a, const _bstr_t& b) { return _bstr_t(a) + b; }

  operator const wchar_t*() const noexcept { return data_ != nullptr ? data_->wide : nullptr; }
  operator wchar_t*() const noexcept { return data_ != nullptr ? data_->wide : nullptr; }
  operator const char*() const { return data_ != nullptr ? data_->narrow() : nullptr; }
  operator char*() const { return data_ != nullptr ? data_->narrow() : nullptr; }

  bool operator!() const noexcept { return data_ == nullptr || data_->wide == nullptr; }
  bool operator==(const _bstr_t& s) const noexcept { return compare(s) == 0; }
  bool operator!=(const _bstr_t& s) const noexcept { return compare(s) != 0; }
  bool operator<(const _bstr_t& s) const noexcept { return compare(s) < 0; }
  bool operator>(const _bstr_t& s) const noexcept { return compare(s) > 0; }
  bool operator<=(const _bstr_t& s) const noexcept { return compare(s) <= 0; }
  bool operator>=(const _bstr_t& s) const noexcept { return compare(s) >= 0; }

  // A new copy of the BSTR (fCopy) or the wrapped one.
  BSTR copy(bool fCopy = true) const {
    if (!fCopy) return data_ != nullptr ? data_->wide : nullptr;
    if (data_ == nullptr) return nullptr;
    BSTR b = SysAllocStringLen(nullptr, length());
    if (b == nullptr) _com_issue_error(E_OUTOFMEMORY);
    std::wmemcpy(b, data_->wide, length());
    return b;
  }
  unsigned int length() const noexcept { return data_ != nullptr ? SysStringLen(data_->wide) : 0; }
  // Takes ownership of s (the old string is released).
  void Attach(BSTR s) {
    release();
    data_ = s != nullptr ? Data::adopt(s) : nullptr;
  }
  // Gives up the BSTR to the caller (who frees it); the object becomes empty.
  BSTR Detach() {
    if (data_ == nullptr) return nullptr;
    BSTR b = copy(true);
    release();
    return b;
  }
  // The address of the owned BSTR slot, for an [out] BSTR argument; the old string is freed
  // first (GetAddress) or kept (GetBSTR, as on Windows).
  BSTR& GetBSTR() {
    if (data_ == nullptr) data_ = Data::adopt(nullptr);
    data_ = data_->unshare();
    data_->drop_narrow();
    return data_->wide;
  }
  BSTR* GetAddress() {
    Attach(nullptr);
    return &GetBSTR();
  }

 private:
  struct Data {
    BSTR wide;
    char* narrow_ = nullptr;
    std::atomic<unsigned> refs{1};

    static Data* adopt(BSTR b) {
      Data* d = new Data;
      d->wide = b;
      return d;
    }
    static Data* from_wide(const wchar_t* s, size_t n) {
      BSTR b = SysAllocStringLen(nullptr, static_cast<UINT>(n));
      if (b == nullptr) _com_issue_error(E_OUTOFMEMORY);
      std::wmemcpy(b, s, n);
      return adopt(b);
    }
    static Data* from_narrow(const char* s) { return adopt(_com_util::ConvertStringToBSTR(s)); }
    void add_ref() { refs.fetch_add(1, std::memory_order_relaxed); }
    void release() {
      if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        SysFreeString(wide);
        delete[] narrow_;
        delete this;
      }
    }
    char* narrow() {
      if (narrow_ == nullptr && wide != nullptr) narrow_ = _com_util::ConvertBSTRToString(wide);
      return narrow_;
    }
    void drop_narrow() {
      delete[] narrow_;
      narrow_ = nullptr;
    }
    // A private copy when shared (a later write through GetBSTR must not change the others).
    Data* unshare() {
      if (refs.load(std::memory_order_acquire) == 1) return this;
      Data* d = wide != nullptr ? from_wide(wide, SysStringLen(wide)) : adopt(nullptr);
      release();
      return d;
    }
  };

  const wchar_t* wide() const { return data_ != nullptr ? data_->wide : nullptr; }
  wchar_t* wide() { return data_ != nullptr ? data_->wide : nullptr; }
  int compare(const _bstr_t& s) const noexcept {
    const wchar_t* a = data_ != nullptr && data_->wide != nullptr ? data_->wide : L"";
    const wchar_t* b = s.data_ != nullptr && s.data_->wide != nullptr ? s.data_->wide : L"";
    return std::wcscmp(a, b);
  }
  void release() {
    if (data_ != nullptr) data_->release();
    data_ = nullptr;
  }

  Data* data_;
};

// A VARIANT that owns its value.
class _variant_t : public tagVARIANT {
 public:
  _variant_t() noexcept { VariantInit(this); }
  _variant_t(const VARIANT& v) {
    VariantInit(this);
    check(VariantCopy(this, &v));
  }
  _variant_t(const _variant_t& v) : _variant_t(static_cast<const VARIANT&>(v)) {}
  _variant_t(VARIANT& v, bool fCopy) {
    VariantInit(this);
    if (fCopy) {
      check(VariantCopy(this, &v));
    } else {
      *static_cast<VARIANT*>(this) = v;
      v.vt = VT_EMPTY;
    }
  }
  _variant_t(short s, VARTYPE vtSrc = VT_I2) {
    VariantInit(this);
    if (vtSrc == VT_BOOL) {
      vt = VT_BOOL;
      boolVal = s != 0 ? VARIANT_TRUE : VARIANT_FALSE;
    } else {
      vt = VT_I2;
      iVal = s;
    }
  }
  _variant_t(int i) noexcept { set(VT_I4).lVal = i; }
  _variant_t(unsigned int u) noexcept { set(VT_UI4).ulVal = u; }
  _variant_t(long l) noexcept { set(VT_I8).llVal = l; }
  _variant_t(unsigned long u) noexcept { set(VT_UI8).ullVal = u; }
  _variant_t(long long l) noexcept { set(VT_I8).llVal = l; }
  _variant_t(unsigned long long u) noexcept { set(VT_UI8).ullVal = u; }
  _variant_t(unsigned short u) noexcept { set(VT_UI2).uiVal = u; }
  _variant_t(BYTE b) noexcept { set(VT_UI1).bVal = b; }
  _variant_t(char c) noexcept { set(VT_I1).cVal = c; }
  _variant_t(float f) noexcept { set(VT_R4).fltVal = f; }
  _variant_t(double d, VARTYPE vtSrc = VT_R8) noexcept {
    set(vtSrc == VT_DATE ? VT_DATE : VT_R8).dblVal = d;
  }
  _variant_t(bool b) noexcept { set(VT_BOOL).boolVal = b ? VARIANT_TRUE : VARIANT_FALSE; }
  _variant_t(const _bstr_t& s) {
    set(VT_BSTR).bstrVal.value = s.copy(true);
    if (bstrVal.value == nullptr) bstrVal.value = alloc(L"");
  }
  _variant_t(const wchar_t* s) { set(VT_BSTR).bstrVal.value = alloc(s != nullptr ? s : L""); }
  _variant_t(const char* s) {
    set(VT_BSTR).bstrVal.value = _com_util::ConvertStringToBSTR(s != nullptr ? s : "");
  }
  _variant_t(IUnknown* p, bool fAddRef = true) noexcept {
    set(VT_UNKNOWN).punkVal = p;
    if (fAddRef && p != nullptr) p->AddRef();
  }
  ~_variant_t() { VariantClear(this); }

  _variant_t& operator=(const _variant_t& v) {
    if (this != &v) check(VariantCopy(this, &v));
    return *this;
  }
  _variant_t& operator=(const VARIANT& v) {
    if (this != &v) check(VariantCopy(this, &v));
    return *this;
  }
  template <class T>
  _variant_t& operator=(const T& value) {
    _variant_t tmp(value);
    Clear();
    *static_cast<VARIANT*>(this) = tmp;
    tmp.vt = VT_EMPTY;
    return *this;
  }

  operator short() const { return as(VT_I2).iVal; }
  operator unsigned short() const { return as(VT_UI2).uiVal; }
  operator int() const { return as(VT_I4).lVal; }
  operator unsigned int() const { return as(VT_UI4).ulVal; }
  operator long() const { return as(VT_I8).llVal; }
  operator unsigned long() const { return as(VT_UI8).ullVal; }
  operator long long() const { return as(VT_I8).llVal; }
  operator unsigned long long() const { return as(VT_UI8).ullVal; }
  operator float() const { return as(VT_R4).fltVal; }
  operator double() const { return as(VT_R8).dblVal; }
  operator bool() const { return as(VT_BOOL).boolVal != VARIANT_FALSE; }
  operator BYTE() const { return as(VT_UI1).bVal; }
  operator char() const { return as(VT_I1).cVal; }
  operator _bstr_t() const {
    if (vt == VT_BSTR) return _bstr_t(bstrVal.value, true);
    _variant_t v = as(VT_BSTR);
    return _bstr_t(v.bstrVal.value, true);
  }
  operator IUnknown*() const {
    if (vt != VT_UNKNOWN && vt != VT_DISPATCH) _com_issue_error(DISP_E_TYPEMISMATCH);
    if (punkVal != nullptr) punkVal->AddRef();
    return punkVal;
  }

  bool operator==(const VARIANT& v) const { return compare(v); }
  bool operator!=(const VARIANT& v) const { return !compare(v); }

  void Clear() { check(VariantClear(this)); }
  void Attach(VARIANT& v) {
    Clear();
    *static_cast<VARIANT*>(this) = v;
    v.vt = VT_EMPTY;
  }
  VARIANT Detach() {
    VARIANT v = *this;
    vt = VT_EMPTY;
    return v;
  }
  // The VARIANT itself, for an [out] VARIANT* argument (not cleared first, as on Windows: the
  // callee overwrites it).
  VARIANT& GetVARIANT() noexcept { return *this; }
  VARIANT* GetAddress() {
    Clear();
    return this;
  }
  // Converts in place (pSrc: from that value instead); throws _com_error on failure.
  void ChangeType(VARTYPE vartype, const _variant_t* pSrc = nullptr) {
    check(VariantChangeType(this, pSrc != nullptr ? pSrc : this, 0, vartype));
  }
  void SetString(const char* s) { *this = _variant_t(s); }

 private:
  static void check(HRESULT hr) {
    if (FAILED(hr)) _com_issue_error(hr);
  }
  static BSTR alloc(const wchar_t* s) {
    BSTR b = SysAllocString(s);
    if (b == nullptr) _com_issue_error(E_OUTOFMEMORY);
    return b;
  }
  VARIANT& set(VARTYPE t) noexcept {
    VariantInit(this);
    vt = t;
    return *this;
  }
  _variant_t as(VARTYPE t) const {
    _variant_t out;
    check(VariantChangeType(&out, this, 0, t));
    return out;
  }
  bool compare(const VARIANT& v) const {
    if (vt != v.vt) return false;
    if (vt == VT_BSTR) {
      return SysStringLen(bstrVal) == SysStringLen(v.bstrVal) &&
             std::wmemcmp(bstrVal.value != nullptr ? bstrVal.value : L"",
                          v.bstrVal.value != nullptr ? v.bstrVal.value : L"",
                          SysStringLen(bstrVal)) == 0;
    }
    return llVal == v.llVal;
  }
};

// (var.operator _bstr_t(), not static_cast<_bstr_t>(var): that would pick this constructor.)
inline _bstr_t::_bstr_t(const _variant_t& var) : data_(nullptr) {
  *this = var.operator _bstr_t();
}
inline _bstr_t& _bstr_t::operator=(const _variant_t& var) {
  return *this = var.operator _bstr_t();
}

// The variant "vtMissing" (VT_ERROR, DISP_E_PARAMNOTFOUND) of comutil.h.
inline const _variant_t& httpserv_vtMissing() {
  static const _variant_t missing = [] {
    _variant_t v;
    v.vt = VT_ERROR;
    v.scode = static_cast<SCODE>(0x80020004);
    return v;
  }();
  return missing;
}
#define vtMissing httpserv_vtMissing()

#endif  // HTTPSERV_COMPAT_COMUTIL_H_
