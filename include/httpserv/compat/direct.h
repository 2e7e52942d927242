// <direct.h> for httpserv modules on Linux: _mkdir (mode 0777 before the umask), _rmdir,
// _chdir, _getcwd and their wide forms (UTF-8 paths).

#ifndef HTTPSERV_COMPAT_DIRECT_H_
#define HTTPSERV_COMPAT_DIRECT_H_

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <cwchar>
#include <string>

#include "httpserv_unicode.h"

inline int _mkdir(const char* dirname) {
  return ::mkdir(dirname, 0777);
}
inline int _wmkdir(const wchar_t* dirname) {
  return ::mkdir(httpserv::compat::wide_to_utf8(dirname).c_str(), 0777);
}
inline int _rmdir(const char* dirname) {
  return ::rmdir(dirname);
}
inline int _wrmdir(const wchar_t* dirname) {
  return ::rmdir(httpserv::compat::wide_to_utf8(dirname).c_str());
}
inline int _chdir(const char* dirname) {
  return ::chdir(dirname);
}
inline int _wchdir(const wchar_t* dirname) {
  return ::chdir(httpserv::compat::wide_to_utf8(dirname).c_str());
}
// NULL buffer: a malloc'ed copy (free it), as MSVC.
inline char* _getcwd(char* buffer, int maxlen) {
  if (buffer == nullptr) return ::getcwd(nullptr, 0);
  return ::getcwd(buffer, static_cast<size_t>(maxlen));
}
inline wchar_t* _wgetcwd(wchar_t* buffer, int maxlen) {
  char* cwd = ::getcwd(nullptr, 0);
  if (cwd == nullptr) return nullptr;
  std::wstring w = httpserv::compat::utf8_to_wide(cwd);
  std::free(cwd);
  if (buffer == nullptr) {
    buffer = static_cast<wchar_t*>(std::malloc((w.size() + 1) * sizeof(wchar_t)));
    if (buffer == nullptr) return nullptr;
  } else if (static_cast<size_t>(maxlen) <= w.size()) {
    return nullptr;
  }
  std::wmemcpy(buffer, w.c_str(), w.size() + 1);
  return buffer;
}

#endif  // HTTPSERV_COMPAT_DIRECT_H_
