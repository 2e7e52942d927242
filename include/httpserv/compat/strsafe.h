// <strsafe.h> for httpserv modules on Linux: the StringCch* (sizes in characters) and
// StringCb* (sizes in bytes) functions, A and W forms, and the generic names (W with UNICODE).
//
// Semantics as documented by Microsoft: the destination is always NUL-terminated when its size
// is not 0; a result that does not fit is truncated and STRSAFE_E_INSUFFICIENT_BUFFER
// (0x8007007A) is returned; a size of 0 or above STRSAFE_MAX_CCH (2^31 - 1 characters), or a
// NULL destination, gives STRSAFE_E_INVALID_PARAMETER (0x80070057). A NULL source is treated as
// "" (STRSAFE_IGNORE_NULLS behaviour of the Ex forms is the default here). Byte sizes of the
// W forms count 4-byte wchar_t characters (cb / sizeof(wchar_t)). Formats are glibc's: %s is
// char* in both forms and %ls is wchar_t*.

#ifndef HTTPSERV_COMPAT_STRSAFE_H_
#define HTTPSERV_COMPAT_STRSAFE_H_

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <cwchar>
#include <string>
#include <vector>

#include "windef.h"
#include "winerror.h"

#define STRSAFE_MAX_CCH 2147483647
#define STRSAFE_IGNORE_NULLS 0x00000100
#define STRSAFE_FILL_BEHIND_NULL 0x00000200
#define STRSAFE_FILL_ON_FAILURE 0x00000400
#define STRSAFE_NULL_ON_FAILURE 0x00000800
#define STRSAFE_NO_TRUNCATION 0x00001000
typedef char* STRSAFE_LPSTR;
typedef const char* STRSAFE_LPCSTR;
typedef wchar_t* STRSAFE_LPWSTR;
typedef const wchar_t* STRSAFE_LPCWSTR;

namespace httpserv::compat::strsafe {

template <class C>
size_t length(const C* s, size_t max) {
  size_t n = 0;
  while (n < max && s[n] != 0)
    ++n;
  return n;
}

// Copies at most `n` characters of src after the first `at` characters of dest (cch in total).
template <class C>
HRESULT copy_at(C* dest, size_t cch, size_t at, const C* src, size_t n) {
  if (dest == nullptr || cch == 0 || cch > STRSAFE_MAX_CCH) return STRSAFE_E_INVALID_PARAMETER;
  if (at >= cch) return STRSAFE_E_INVALID_PARAMETER;  // dest not terminated within cch
  static const C empty[1] = {0};
  if (src == nullptr) src = empty;
  size_t len = length(src, n);
  HRESULT hr = S_OK;
  if (at + len >= cch) {
    len = cch - 1 - at;
    hr = STRSAFE_E_INSUFFICIENT_BUFFER;
  }
  std::memmove(dest + at, src, len * sizeof(C));
  dest[at + len] = 0;
  return hr;
}

template <class C>
HRESULT copy(C* dest, size_t cch, const C* src, size_t n) {
  return copy_at(dest, cch, 0, src, n);
}

template <class C>
HRESULT cat(C* dest, size_t cch, const C* src, size_t n) {
  if (dest == nullptr || cch == 0 || cch > STRSAFE_MAX_CCH) return STRSAFE_E_INVALID_PARAMETER;
  size_t at = length(dest, cch);
  if (at == cch) return STRSAFE_E_INVALID_PARAMETER;
  return copy_at(dest, cch, at, src, n);
}

inline HRESULT vprintf(char* dest, size_t cch, const char* fmt, va_list ap) {
  if (dest == nullptr || cch == 0 || cch > STRSAFE_MAX_CCH) return STRSAFE_E_INVALID_PARAMETER;
  if (fmt == nullptr) {
    dest[0] = 0;
    return STRSAFE_E_INVALID_PARAMETER;
  }
  int n = std::vsnprintf(dest, cch, fmt, ap);
  if (n < 0) {
    dest[0] = 0;
    return STRSAFE_E_INVALID_PARAMETER;
  }
  return static_cast<size_t>(n) >= cch ? STRSAFE_E_INSUFFICIENT_BUFFER : S_OK;
}

inline HRESULT vprintf(wchar_t* dest, size_t cch, const wchar_t* fmt, va_list ap) {
  if (dest == nullptr || cch == 0 || cch > STRSAFE_MAX_CCH) return STRSAFE_E_INVALID_PARAMETER;
  if (fmt == nullptr) {
    dest[0] = 0;
    return STRSAFE_E_INVALID_PARAMETER;
  }
  // vswprintf fails (-1) both on truncation and on a bad format: retry into a larger buffer
  // to tell them apart and to deliver the truncated text.
  va_list copy_ap;
  va_copy(copy_ap, ap);
  int n = std::vswprintf(dest, cch, fmt, copy_ap);
  va_end(copy_ap);
  if (n >= 0) return S_OK;
  for (size_t size = cch * 2 + 64; size <= (size_t{1} << 24); size *= 4) {
    std::vector<wchar_t> big(size);
    va_copy(copy_ap, ap);
    n = std::vswprintf(big.data(), size, fmt, copy_ap);
    va_end(copy_ap);
    if (n >= 0) {
      copy(dest, cch, big.data(), static_cast<size_t>(n));
      return STRSAFE_E_INSUFFICIENT_BUFFER;
    }
  }
  dest[0] = 0;
  return STRSAFE_E_INVALID_PARAMETER;
}

template <class C>
HRESULT len(const C* s, size_t max, size_t* out) {
  if (out != nullptr) *out = 0;
  if (s == nullptr || max > STRSAFE_MAX_CCH) return STRSAFE_E_INVALID_PARAMETER;
  size_t n = length(s, max);
  if (n == max) return STRSAFE_E_INVALID_PARAMETER;  // not terminated within max
  if (out != nullptr) *out = n;
  return S_OK;
}

}  // namespace httpserv::compat::strsafe

#define HTTPSERV_STRSAFE_MAX static_cast<size_t>(STRSAFE_MAX_CCH)

inline HRESULT StringCchCopyA(STRSAFE_LPSTR pszDest, size_t cchDest, STRSAFE_LPCSTR pszSrc) {
  return httpserv::compat::strsafe::copy(pszDest, cchDest, pszSrc, HTTPSERV_STRSAFE_MAX);
}
inline HRESULT StringCchCopyW(STRSAFE_LPWSTR pszDest, size_t cchDest, STRSAFE_LPCWSTR pszSrc) {
  return httpserv::compat::strsafe::copy(pszDest, cchDest, pszSrc, HTTPSERV_STRSAFE_MAX);
}
inline HRESULT StringCchCopyNA(STRSAFE_LPSTR pszDest, size_t cchDest, STRSAFE_LPCSTR pszSrc,
                               size_t cchToCopy) {
  return httpserv::compat::strsafe::copy(pszDest, cchDest, pszSrc, cchToCopy);
}
inline HRESULT StringCchCopyNW(STRSAFE_LPWSTR pszDest, size_t cchDest, STRSAFE_LPCWSTR pszSrc,
                               size_t cchToCopy) {
  return httpserv::compat::strsafe::copy(pszDest, cchDest, pszSrc, cchToCopy);
}
inline HRESULT StringCchCatA(STRSAFE_LPSTR pszDest, size_t cchDest, STRSAFE_LPCSTR pszSrc) {
  return httpserv::compat::strsafe::cat(pszDest, cchDest, pszSrc, HTTPSERV_STRSAFE_MAX);
}
inline HRESULT StringCchCatW(STRSAFE_LPWSTR pszDest, size_t cchDest, STRSAFE_LPCWSTR pszSrc) {
  return httpserv::compat::strsafe::cat(pszDest, cchDest, pszSrc, HTTPSERV_STRSAFE_MAX);
}
inline HRESULT StringCchCatNA(STRSAFE_LPSTR pszDest, size_t cchDest, STRSAFE_LPCSTR pszSrc,
                              size_t cchToAppend) {
  return httpserv::compat::strsafe::cat(pszDest, cchDest, pszSrc, cchToAppend);
}
inline HRESULT StringCchCatNW(STRSAFE_LPWSTR pszDest, size_t cchDest, STRSAFE_LPCWSTR pszSrc,
                              size_t cchToAppend) {
  return httpserv::compat::strsafe::cat(pszDest, cchDest, pszSrc, cchToAppend);
}
inline HRESULT StringCchVPrintfA(STRSAFE_LPSTR pszDest, size_t cchDest, STRSAFE_LPCSTR pszFormat,
                                 va_list argList) {
  return httpserv::compat::strsafe::vprintf(pszDest, cchDest, pszFormat, argList);
}
inline HRESULT StringCchVPrintfW(STRSAFE_LPWSTR pszDest, size_t cchDest, STRSAFE_LPCWSTR pszFormat,
                                 va_list argList) {
  return httpserv::compat::strsafe::vprintf(pszDest, cchDest, pszFormat, argList);
}
inline HRESULT StringCchPrintfA(STRSAFE_LPSTR pszDest, size_t cchDest, STRSAFE_LPCSTR pszFormat,
                                ...) {
  va_list ap;
  va_start(ap, pszFormat);
  HRESULT hr = StringCchVPrintfA(pszDest, cchDest, pszFormat, ap);
  va_end(ap);
  return hr;
}
inline HRESULT StringCchPrintfW(STRSAFE_LPWSTR pszDest, size_t cchDest, STRSAFE_LPCWSTR pszFormat,
                                ...) {
  va_list ap;
  va_start(ap, pszFormat);
  HRESULT hr = StringCchVPrintfW(pszDest, cchDest, pszFormat, ap);
  va_end(ap);
  return hr;
}
inline HRESULT StringCchLengthA(STRSAFE_LPCSTR psz, size_t cchMax, size_t* pcchLength) {
  return httpserv::compat::strsafe::len(psz, cchMax, pcchLength);
}
inline HRESULT StringCchLengthW(STRSAFE_LPCWSTR psz, size_t cchMax, size_t* pcchLength) {
  return httpserv::compat::strsafe::len(psz, cchMax, pcchLength);
}

// Byte-sized forms.
inline HRESULT StringCbCopyA(STRSAFE_LPSTR pszDest, size_t cbDest, STRSAFE_LPCSTR pszSrc) {
  return StringCchCopyA(pszDest, cbDest, pszSrc);
}
inline HRESULT StringCbCopyW(STRSAFE_LPWSTR pszDest, size_t cbDest, STRSAFE_LPCWSTR pszSrc) {
  return StringCchCopyW(pszDest, cbDest / sizeof(wchar_t), pszSrc);
}
inline HRESULT StringCbCopyNA(STRSAFE_LPSTR pszDest, size_t cbDest, STRSAFE_LPCSTR pszSrc,
                              size_t cbToCopy) {
  return StringCchCopyNA(pszDest, cbDest, pszSrc, cbToCopy);
}
inline HRESULT StringCbCopyNW(STRSAFE_LPWSTR pszDest, size_t cbDest, STRSAFE_LPCWSTR pszSrc,
                              size_t cbToCopy) {
  return StringCchCopyNW(pszDest, cbDest / sizeof(wchar_t), pszSrc, cbToCopy / sizeof(wchar_t));
}
inline HRESULT StringCbCatA(STRSAFE_LPSTR pszDest, size_t cbDest, STRSAFE_LPCSTR pszSrc) {
  return StringCchCatA(pszDest, cbDest, pszSrc);
}
inline HRESULT StringCbCatW(STRSAFE_LPWSTR pszDest, size_t cbDest, STRSAFE_LPCWSTR pszSrc) {
  return StringCchCatW(pszDest, cbDest / sizeof(wchar_t), pszSrc);
}
inline HRESULT StringCbCatNA(STRSAFE_LPSTR pszDest, size_t cbDest, STRSAFE_LPCSTR pszSrc,
                             size_t cbToAppend) {
  return StringCchCatNA(pszDest, cbDest, pszSrc, cbToAppend);
}
inline HRESULT StringCbCatNW(STRSAFE_LPWSTR pszDest, size_t cbDest, STRSAFE_LPCWSTR pszSrc,
                             size_t cbToAppend) {
  return StringCchCatNW(pszDest, cbDest / sizeof(wchar_t), pszSrc, cbToAppend / sizeof(wchar_t));
}
inline HRESULT StringCbVPrintfA(STRSAFE_LPSTR pszDest, size_t cbDest, STRSAFE_LPCSTR pszFormat,
                                va_list argList) {
  return StringCchVPrintfA(pszDest, cbDest, pszFormat, argList);
}
inline HRESULT StringCbVPrintfW(STRSAFE_LPWSTR pszDest, size_t cbDest, STRSAFE_LPCWSTR pszFormat,
                                va_list argList) {
  return StringCchVPrintfW(pszDest, cbDest / sizeof(wchar_t), pszFormat, argList);
}
inline HRESULT StringCbPrintfA(STRSAFE_LPSTR pszDest, size_t cbDest, STRSAFE_LPCSTR pszFormat,
                               ...) {
  va_list ap;
  va_start(ap, pszFormat);
  HRESULT hr = StringCchVPrintfA(pszDest, cbDest, pszFormat, ap);
  va_end(ap);
  return hr;
}
inline HRESULT StringCbPrintfW(STRSAFE_LPWSTR pszDest, size_t cbDest, STRSAFE_LPCWSTR pszFormat,
                               ...) {
  va_list ap;
  va_start(ap, pszFormat);
  HRESULT hr = StringCchVPrintfW(pszDest, cbDest / sizeof(wchar_t), pszFormat, ap);
  va_end(ap);
  return hr;
}
// *pcbLength: the length in bytes (characters x sizeof(char type)).
inline HRESULT StringCbLengthA(STRSAFE_LPCSTR psz, size_t cbMax, size_t* pcbLength) {
  return StringCchLengthA(psz, cbMax, pcbLength);
}
inline HRESULT StringCbLengthW(STRSAFE_LPCWSTR psz, size_t cbMax, size_t* pcbLength) {
  size_t cch = 0;
  HRESULT hr = StringCchLengthW(psz, cbMax / sizeof(wchar_t), &cch);
  if (pcbLength != nullptr) *pcbLength = cch * sizeof(wchar_t);
  return hr;
}

#ifdef UNICODE
#define StringCchCopy StringCchCopyW
#define StringCchCopyN StringCchCopyNW
#define StringCchCat StringCchCatW
#define StringCchCatN StringCchCatNW
#define StringCchPrintf StringCchPrintfW
#define StringCchVPrintf StringCchVPrintfW
#define StringCchLength StringCchLengthW
#define StringCbCopy StringCbCopyW
#define StringCbCopyN StringCbCopyNW
#define StringCbCat StringCbCatW
#define StringCbCatN StringCbCatNW
#define StringCbPrintf StringCbPrintfW
#define StringCbVPrintf StringCbVPrintfW
#define StringCbLength StringCbLengthW
#else
#define StringCchCopy StringCchCopyA
#define StringCchCopyN StringCchCopyNA
#define StringCchCat StringCchCatA
#define StringCchCatN StringCchCatNA
#define StringCchPrintf StringCchPrintfA
#define StringCchVPrintf StringCchVPrintfA
#define StringCchLength StringCchLengthA
#define StringCbCopy StringCbCopyA
#define StringCbCopyN StringCbCopyNA
#define StringCbCat StringCbCatA
#define StringCbCatN StringCbCatNA
#define StringCbPrintf StringCbPrintfA
#define StringCbVPrintf StringCbVPrintfA
#define StringCbLength StringCbLengthA
#endif

#endif  // HTTPSERV_COMPAT_STRSAFE_H_
