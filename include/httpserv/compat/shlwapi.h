// <shlwapi.h> for httpserv modules on Linux: the path and string helpers modules use
// (PathFileExists, PathCombine, PathAppend, PathRemoveFileSpec, PathFindFileName,
// PathFindExtension, PathIsRelative, StrStrI, StrCmpI, StrCmpNI), A and W forms. Paths use '/'
// (a '\' is an ordinary character on Linux); buffers are MAX_PATH characters as on Windows.

#ifndef HTTPSERV_COMPAT_SHLWAPI_H_
#define HTTPSERV_COMPAT_SHLWAPI_H_

#include <unistd.h>

#include <cstring>
#include <cwchar>
#include <cwctype>
#include <string>

#include "httpserv_unicode.h"
#include "secure_crt.h"
#include "windef.h"

namespace httpserv::compat::shlwapi {
template <class C>
size_t len(const C* s) {
  return std::char_traits<C>::length(s);
}
template <class C>
C* combine(C* dest, const C* dir, const C* file) {
  if (dest == nullptr) return nullptr;
  std::basic_string<C> out;
  if (file != nullptr && file[0] == C('/')) {
    out = file;
  } else {
    if (dir != nullptr) out = dir;
    if (file != nullptr && file[0] != 0) {
      if (!out.empty() && out.back() != C('/')) out += C('/');
      out += file;
    }
  }
  if (out.size() >= MAX_PATH) {
    dest[0] = 0;
    return nullptr;
  }
  std::char_traits<C>::copy(dest, out.c_str(), out.size() + 1);
  return dest;
}
template <class C>
C* file_name(C* path) {
  C* last = path;
  for (C* p = path; *p != 0; ++p) {
    if (*p == C('/') && p[1] != 0) last = p + 1;
  }
  return last;
}
template <class C>
C* extension(C* path) {
  C* name = file_name(path);
  C* dot = nullptr;
  for (C* p = name; *p != 0; ++p) {
    if (*p == C('.')) dot = p;
  }
  return dot != nullptr ? dot : name + len(name);
}
template <class C>
bool remove_file_spec(C* path) {
  C* slash = nullptr;
  for (C* p = path; *p != 0; ++p) {
    if (*p == C('/')) slash = p;
  }
  if (slash == nullptr) {
    bool changed = path[0] != 0;
    path[0] = 0;
    return changed;
  }
  if (slash == path) {  // "/file" -> "/"
    bool changed = path[1] != 0;
    path[1] = 0;
    return changed;
  }
  *slash = 0;
  return true;
}
inline int fold(wchar_t c) {
  return static_cast<int>(std::towlower(static_cast<wint_t>(c)));
}
inline int fold(char c) {
  return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : static_cast<unsigned char>(c);
}
template <class C>
const C* find_i(const C* hay, const C* needle) {
  if (hay == nullptr || needle == nullptr) return nullptr;
  const size_t n = len(needle);
  for (const C* p = hay; *p != 0; ++p) {
    size_t i = 0;
    while (i < n && p[i] != 0 && fold(p[i]) == fold(needle[i]))
      ++i;
    if (i == n) return p;
  }
  return n == 0 ? hay : nullptr;
}
}  // namespace httpserv::compat::shlwapi

inline BOOL PathFileExistsA(LPCSTR pszPath) {
  return pszPath != nullptr && ::access(pszPath, F_OK) == 0;
}
inline BOOL PathFileExistsW(LPCWSTR pszPath) {
  return pszPath != nullptr && ::access(httpserv::compat::wide_to_utf8(pszPath).c_str(), F_OK) == 0;
}
inline BOOL PathIsRelativeA(LPCSTR pszPath) {
  return pszPath == nullptr || pszPath[0] != '/';
}
inline BOOL PathIsRelativeW(LPCWSTR pszPath) {
  return pszPath == nullptr || pszPath[0] != L'/';
}
// dir + '/' + file (file absolute: file alone); NULL when the result would not fit MAX_PATH.
inline LPSTR PathCombineA(LPSTR pszDest, LPCSTR pszDir, LPCSTR pszFile) {
  return httpserv::compat::shlwapi::combine(pszDest, pszDir, pszFile);
}
inline LPWSTR PathCombineW(LPWSTR pszDest, LPCWSTR pszDir, LPCWSTR pszFile) {
  return httpserv::compat::shlwapi::combine(pszDest, pszDir, pszFile);
}
inline BOOL PathAppendA(LPSTR pszPath, LPCSTR pszMore) {
  char tmp[MAX_PATH];
  if (pszPath == nullptr || httpserv::compat::shlwapi::combine(tmp, pszPath, pszMore) == nullptr)
    return FALSE;
  std::memcpy(pszPath, tmp, std::strlen(tmp) + 1);
  return TRUE;
}
inline BOOL PathAppendW(LPWSTR pszPath, LPCWSTR pszMore) {
  wchar_t tmp[MAX_PATH];
  if (pszPath == nullptr || httpserv::compat::shlwapi::combine(tmp, pszPath, pszMore) == nullptr)
    return FALSE;
  std::wmemcpy(pszPath, tmp, std::wcslen(tmp) + 1);
  return TRUE;
}
// Drops the last path component ("/a/b/c.txt" -> "/a/b"); TRUE if something was removed.
inline BOOL PathRemoveFileSpecA(LPSTR pszPath) {
  return pszPath != nullptr && httpserv::compat::shlwapi::remove_file_spec(pszPath);
}
inline BOOL PathRemoveFileSpecW(LPWSTR pszPath) {
  return pszPath != nullptr && httpserv::compat::shlwapi::remove_file_spec(pszPath);
}
inline LPSTR PathFindFileNameA(LPCSTR pszPath) {
  return httpserv::compat::shlwapi::file_name(const_cast<LPSTR>(pszPath));
}
inline LPWSTR PathFindFileNameW(LPCWSTR pszPath) {
  return httpserv::compat::shlwapi::file_name(const_cast<LPWSTR>(pszPath));
}
// The last '.' of the file name, or its terminating NUL when it has none.
inline LPSTR PathFindExtensionA(LPCSTR pszPath) {
  return httpserv::compat::shlwapi::extension(const_cast<LPSTR>(pszPath));
}
inline LPWSTR PathFindExtensionW(LPCWSTR pszPath) {
  return httpserv::compat::shlwapi::extension(const_cast<LPWSTR>(pszPath));
}
inline LPSTR StrStrIA(LPCSTR pszFirst, LPCSTR pszSrch) {
  return const_cast<LPSTR>(httpserv::compat::shlwapi::find_i(pszFirst, pszSrch));
}
inline LPWSTR StrStrIW(LPCWSTR pszFirst, LPCWSTR pszSrch) {
  return const_cast<LPWSTR>(httpserv::compat::shlwapi::find_i(pszFirst, pszSrch));
}
inline int StrCmpIA(LPCSTR a, LPCSTR b) {
  return _stricmp(a, b);
}
inline int StrCmpIW(LPCWSTR a, LPCWSTR b) {
  return _wcsicmp(a, b);
}
inline int StrCmpNIA(LPCSTR a, LPCSTR b, int n) {
  return _strnicmp(a, b, static_cast<size_t>(n));
}
inline int StrCmpNIW(LPCWSTR a, LPCWSTR b, int n) {
  return _wcsnicmp(a, b, static_cast<size_t>(n));
}

#ifdef UNICODE
#define PathFileExists PathFileExistsW
#define PathIsRelative PathIsRelativeW
#define PathCombine PathCombineW
#define PathAppend PathAppendW
#define PathRemoveFileSpec PathRemoveFileSpecW
#define PathFindFileName PathFindFileNameW
#define PathFindExtension PathFindExtensionW
#define StrStrI StrStrIW
#define StrCmpI StrCmpIW
#define StrCmpNI StrCmpNIW
#else
#define PathFileExists PathFileExistsA
#define PathIsRelative PathIsRelativeA
#define PathCombine PathCombineA
#define PathAppend PathAppendA
#define PathRemoveFileSpec PathRemoveFileSpecA
#define PathFindFileName PathFindFileNameA
#define PathFindExtension PathFindExtensionA
#define StrStrI StrStrIA
#define StrCmpI StrCmpIA
#define StrCmpNI StrCmpNIA
#endif

#endif  // HTTPSERV_COMPAT_SHLWAPI_H_
