// Microsoft CRT extensions used by published IIS module code: the "secure" *_s functions,
// _snprintf, _itoa and friends, case-insensitive compares. Included by <windows.h>.
//
// Error behaviour follows the MSVC documentation with one deliberate difference: where MSVC
// would call the invalid-parameter handler (which terminates the process by default), these
// functions log a warning through HttpservLogWrite, set errno, empty the destination when
// there is one, and return the documented error value (EINVAL, ERANGE, -1, ...).
// Narrow/wide conversions (wcstombs_s, mbstowcs_s) always use UTF-8 on the narrow side.
// Format strings are glibc's: %s is a char* in both printf and wprintf families (use %ls for
// a wchar_t* in swprintf_s), and %I64d is not supported (use %lld with a cast, or PRId64).

#ifndef HTTPSERV_COMPAT_SECURE_CRT_H_
#define HTTPSERV_COMPAT_SECURE_CRT_H_

#include <malloc.h>
#include <sys/random.h>
#include <time.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cwchar>
#include <cwctype>
#include <string>

#include "../httpserv_log.h"
#include "httpserv_unicode.h"
#include "windef.h"

typedef int errno_t;
typedef size_t rsize_t;

#ifndef _TRUNCATE
#define _TRUNCATE ((size_t)-1)
#endif
#ifndef STRUNCATE
#define STRUNCATE 80
#endif

namespace httpserv::compat {

// Reports what MSVC treats as an invalid parameter, sets errno, returns `err`.
inline int crt_error(const char* function, const char* what, int err) {
  log_printf(HTTPSERV_LOG_WARNING, "crt", "%s: %s", function, what);
  errno = err;
  return err;
}

// Formats |magnitude| (with a leading '-' if |negative|) in |radix| into buffer[0..size).
// Returns 0, EINVAL (bad radix or buffer) or ERANGE (too small; buffer emptied).
inline int format_integer(uint64_t magnitude, bool negative, char* buffer, size_t size, int radix) {
  if (buffer == nullptr || size == 0) return EINVAL;
  if (radix < 2 || radix > 36) {
    buffer[0] = '\0';
    return EINVAL;
  }
  char digits[66];
  size_t n = 0;
  do {
    const unsigned d = static_cast<unsigned>(magnitude % static_cast<unsigned>(radix));
    digits[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + (d - 10));
    magnitude /= static_cast<unsigned>(radix);
  } while (magnitude != 0);
  if (negative) digits[n++] = '-';
  if (n + 1 > size) {
    buffer[0] = '\0';
    return ERANGE;
  }
  for (size_t i = 0; i < n; ++i)
    buffer[i] = digits[n - 1 - i];
  buffer[n] = '\0';
  return 0;
}

// MSVC rule: only radix 10 prints a sign; other radixes show the two's complement bits.
inline int format_signed(int64_t value, unsigned bits, char* buffer, size_t size, int radix) {
  if (radix == 10 && value < 0) {
    return format_integer(0 - static_cast<uint64_t>(value), true, buffer, size, radix);
  }
  uint64_t raw = static_cast<uint64_t>(value);
  if (bits < 64) raw &= (uint64_t{1} << bits) - 1;
  return format_integer(raw, false, buffer, size, radix);
}

// Bound for the unchecked _itoa family: enough for 64 binary digits, a sign and the NUL.
constexpr size_t kUncheckedIntegerBuffer = 66;

}  // namespace httpserv::compat

// ---------------------------------------------------------------------------------------------
// Formatted output.
// ---------------------------------------------------------------------------------------------

// Formats into buffer[0..sizeOfBuffer). Returns the characters written (without the NUL);
// if the text does not fit, empties the buffer, sets errno = ERANGE and returns -1.
inline int vsprintf_s(char* buffer, size_t sizeOfBuffer, const char* format, va_list argptr)
    __attribute__((format(printf, 3, 0)));
inline int vsprintf_s(char* buffer, size_t sizeOfBuffer, const char* format, va_list argptr) {
  if (buffer == nullptr || sizeOfBuffer == 0 || format == nullptr) {
    if (buffer != nullptr && sizeOfBuffer != 0) buffer[0] = '\0';
    httpserv::compat::crt_error("sprintf_s", "null buffer or format, or zero size", EINVAL);
    return -1;
  }
  const int n = std::vsnprintf(buffer, sizeOfBuffer, format, argptr);
  if (n < 0) {
    buffer[0] = '\0';
    errno = EINVAL;
    return -1;
  }
  if (static_cast<size_t>(n) >= sizeOfBuffer) {
    buffer[0] = '\0';
    httpserv::compat::crt_error("sprintf_s", "buffer too small; output discarded", ERANGE);
    return -1;
  }
  return n;
}

inline int sprintf_s(char* buffer, size_t sizeOfBuffer, const char* format, ...)
    __attribute__((format(printf, 3, 4)));
inline int sprintf_s(char* buffer, size_t sizeOfBuffer, const char* format, ...) {
  va_list args;
  va_start(args, format);
  const int n = vsprintf_s(buffer, sizeOfBuffer, format, args);
  va_end(args);
  return n;
}

// Array form: the size is taken from the array type, as in MSVC's C++ overloads.
template <size_t N>
inline int sprintf_s(char (&buffer)[N], const char* format, ...)
    __attribute__((format(printf, 2, 3)));
template <size_t N>
inline int sprintf_s(char (&buffer)[N], const char* format, ...) {
  va_list args;
  va_start(args, format);
  const int n = vsprintf_s(buffer, N, format, args);
  va_end(args);
  return n;
}

// MSVC _vsnprintf: writes at most `count` characters. Returns the length when it fits; when
// the text is exactly `count` long, stores it without a NUL and returns count; when longer,
// stores the first `count` characters without a NUL and returns -1.
inline int _vsnprintf(char* buffer, size_t count, const char* format, va_list argptr)
    __attribute__((format(printf, 3, 0)));
inline int _vsnprintf(char* buffer, size_t count, const char* format, va_list argptr) {
  if (format == nullptr || (buffer == nullptr && count != 0)) {
    httpserv::compat::crt_error("_vsnprintf", "null buffer or format", EINVAL);
    return -1;
  }
  va_list again;
  va_copy(again, argptr);
  const int n = std::vsnprintf(buffer, count, format, argptr);
  if (n < 0 || static_cast<size_t>(n) < count) {
    va_end(again);
    return n;
  }
  // Truncated: redo into a scratch buffer to recover the character lost to the NUL.
  char* scratch = static_cast<char*>(std::malloc(static_cast<size_t>(n) + 1));
  if (scratch != nullptr) {
    std::vsnprintf(scratch, static_cast<size_t>(n) + 1, format, again);
    std::memcpy(buffer, scratch, count);
    std::free(scratch);
  }
  va_end(again);
  return static_cast<size_t>(n) == count ? n : -1;
}

inline int _snprintf(char* buffer, size_t count, const char* format, ...)
    __attribute__((format(printf, 3, 4)));
inline int _snprintf(char* buffer, size_t count, const char* format, ...) {
  va_list args;
  va_start(args, format);
  const int n = _vsnprintf(buffer, count, format, args);
  va_end(args);
  return n;
}

// Writes at most `count` characters (or, with count == _TRUNCATE, as many as fit) plus a NUL.
// Returns the characters written, or -1 if the text was cut. If the kept text does not fit
// in sizeOfBuffer (and count is not _TRUNCATE), empties the buffer and fails with ERANGE.
inline int _vsnprintf_s(char* buffer, size_t sizeOfBuffer, size_t count, const char* format,
                        va_list argptr) __attribute__((format(printf, 4, 0)));
inline int _vsnprintf_s(char* buffer, size_t sizeOfBuffer, size_t count, const char* format,
                        va_list argptr) {
  if (buffer == nullptr || sizeOfBuffer == 0 || format == nullptr) {
    if (buffer != nullptr && sizeOfBuffer != 0) buffer[0] = '\0';
    httpserv::compat::crt_error("_snprintf_s", "null buffer or format, or zero size", EINVAL);
    return -1;
  }
  va_list again;
  va_copy(again, argptr);
  const int len = std::vsnprintf(nullptr, 0, format, argptr);
  if (len < 0) {
    va_end(again);
    buffer[0] = '\0';
    errno = EINVAL;
    return -1;
  }
  const size_t total = static_cast<size_t>(len);
  size_t keep = total;
  if (count == _TRUNCATE) {
    if (keep > sizeOfBuffer - 1) keep = sizeOfBuffer - 1;
  } else {
    if (keep > count) keep = count;
    if (keep > sizeOfBuffer - 1) {
      va_end(again);
      buffer[0] = '\0';
      httpserv::compat::crt_error("_snprintf_s", "buffer too small; output discarded", ERANGE);
      return -1;
    }
  }
  std::vsnprintf(buffer, keep + 1, format, again);
  va_end(again);
  return keep < total ? -1 : len;
}

inline int _snprintf_s(char* buffer, size_t sizeOfBuffer, size_t count, const char* format, ...)
    __attribute__((format(printf, 4, 5)));
inline int _snprintf_s(char* buffer, size_t sizeOfBuffer, size_t count, const char* format, ...) {
  va_list args;
  va_start(args, format);
  const int n = _vsnprintf_s(buffer, sizeOfBuffer, count, format, args);
  va_end(args);
  return n;
}

template <size_t N>
inline int _snprintf_s(char (&buffer)[N], size_t count, const char* format, ...)
    __attribute__((format(printf, 3, 4)));
template <size_t N>
inline int _snprintf_s(char (&buffer)[N], size_t count, const char* format, ...) {
  va_list args;
  va_start(args, format);
  const int n = _vsnprintf_s(buffer, N, count, format, args);
  va_end(args);
  return n;
}

// Wide sprintf_s. Returns the characters written, or -1 (buffer emptied, errno ERANGE) if the
// text does not fit. glibc rules apply to the format: %ls for wchar_t*, %s for char*.
inline int vswprintf_s(wchar_t* buffer, size_t sizeOfBuffer, const wchar_t* format,
                       va_list argptr) {
  if (buffer == nullptr || sizeOfBuffer == 0 || format == nullptr) {
    if (buffer != nullptr && sizeOfBuffer != 0) buffer[0] = L'\0';
    httpserv::compat::crt_error("swprintf_s", "null buffer or format, or zero size", EINVAL);
    return -1;
  }
  const int n = std::vswprintf(buffer, sizeOfBuffer, format, argptr);
  if (n < 0) {
    buffer[0] = L'\0';
    httpserv::compat::crt_error("swprintf_s", "buffer too small or encoding error", ERANGE);
    return -1;
  }
  return n;
}

inline int swprintf_s(wchar_t* buffer, size_t sizeOfBuffer, const wchar_t* format, ...) {
  va_list args;
  va_start(args, format);
  const int n = vswprintf_s(buffer, sizeOfBuffer, format, args);
  va_end(args);
  return n;
}

template <size_t N>
inline int swprintf_s(wchar_t (&buffer)[N], const wchar_t* format, ...) {
  va_list args;
  va_start(args, format);
  const int n = vswprintf_s(buffer, N, format, args);
  va_end(args);
  return n;
}

// ---------------------------------------------------------------------------------------------
// String copy and concatenation. All return 0 or an errno value; on failure the destination
// (if usable) is set to the empty string.
// ---------------------------------------------------------------------------------------------

// Copies src including its NUL. EINVAL for null arguments, ERANGE if it does not fit.
inline errno_t strcpy_s(char* dest, rsize_t destsz, const char* src) {
  if (dest == nullptr || destsz == 0) {
    return httpserv::compat::crt_error("strcpy_s", "null or zero-sized destination", EINVAL);
  }
  if (src == nullptr) {
    dest[0] = '\0';
    return httpserv::compat::crt_error("strcpy_s", "null source", EINVAL);
  }
  const size_t n = strnlen(src, destsz);
  if (n >= destsz) {
    dest[0] = '\0';
    return httpserv::compat::crt_error("strcpy_s", "destination too small", ERANGE);
  }
  std::memcpy(dest, src, n + 1);
  return 0;
}

template <size_t N>
inline errno_t strcpy_s(char (&dest)[N], const char* src) {
  return strcpy_s(dest, N, src);
}

// Appends src to the NUL-terminated dest. EINVAL for null arguments or an unterminated dest,
// ERANGE if the result does not fit.
inline errno_t strcat_s(char* dest, rsize_t destsz, const char* src) {
  if (dest == nullptr || destsz == 0) {
    return httpserv::compat::crt_error("strcat_s", "null or zero-sized destination", EINVAL);
  }
  if (src == nullptr) {
    dest[0] = '\0';
    return httpserv::compat::crt_error("strcat_s", "null source", EINVAL);
  }
  const size_t used = strnlen(dest, destsz);
  if (used == destsz) {
    dest[0] = '\0';
    return httpserv::compat::crt_error("strcat_s", "destination not terminated", EINVAL);
  }
  const size_t add = std::strlen(src);
  if (used + add >= destsz) {
    dest[0] = '\0';
    return httpserv::compat::crt_error("strcat_s", "destination too small", ERANGE);
  }
  std::memcpy(dest + used, src, add + 1);
  return 0;
}

template <size_t N>
inline errno_t strcat_s(char (&dest)[N], const char* src) {
  return strcat_s(dest, N, src);
}

// Copies at most `count` characters of src and a NUL. With count == _TRUNCATE, copies what
// fits and returns STRUNCATE if src was cut; otherwise ERANGE when the copy does not fit.
inline errno_t strncpy_s(char* dest, size_t destsz, const char* src, size_t count) {
  if (dest == nullptr && destsz == 0 && count == 0) return 0;
  if (dest == nullptr || destsz == 0) {
    return httpserv::compat::crt_error("strncpy_s", "null or zero-sized destination", EINVAL);
  }
  if (count == 0) {
    dest[0] = '\0';
    return 0;
  }
  if (src == nullptr) {
    dest[0] = '\0';
    return httpserv::compat::crt_error("strncpy_s", "null source", EINVAL);
  }
  if (count == _TRUNCATE) {
    const size_t n = strnlen(src, destsz);
    if (n >= destsz) {
      std::memcpy(dest, src, destsz - 1);
      dest[destsz - 1] = '\0';
      return STRUNCATE;
    }
    std::memcpy(dest, src, n + 1);
    return 0;
  }
  const size_t n = strnlen(src, count);
  if (n >= destsz) {
    dest[0] = '\0';
    return httpserv::compat::crt_error("strncpy_s", "destination too small", ERANGE);
  }
  std::memcpy(dest, src, n);
  dest[n] = '\0';
  return 0;
}

template <size_t N>
inline errno_t strncpy_s(char (&dest)[N], const char* src, size_t count) {
  return strncpy_s(dest, N, src, count);
}

// Wide versions of strcpy_s / strcat_s / strncpy_s; sizes are in wchar_t units.
inline errno_t wcscpy_s(wchar_t* dest, rsize_t destsz, const wchar_t* src) {
  if (dest == nullptr || destsz == 0) {
    return httpserv::compat::crt_error("wcscpy_s", "null or zero-sized destination", EINVAL);
  }
  if (src == nullptr) {
    dest[0] = L'\0';
    return httpserv::compat::crt_error("wcscpy_s", "null source", EINVAL);
  }
  const size_t n = wcsnlen(src, destsz);
  if (n >= destsz) {
    dest[0] = L'\0';
    return httpserv::compat::crt_error("wcscpy_s", "destination too small", ERANGE);
  }
  std::wmemcpy(dest, src, n + 1);
  return 0;
}

template <size_t N>
inline errno_t wcscpy_s(wchar_t (&dest)[N], const wchar_t* src) {
  return wcscpy_s(dest, N, src);
}

inline errno_t wcscat_s(wchar_t* dest, rsize_t destsz, const wchar_t* src) {
  if (dest == nullptr || destsz == 0) {
    return httpserv::compat::crt_error("wcscat_s", "null or zero-sized destination", EINVAL);
  }
  if (src == nullptr) {
    dest[0] = L'\0';
    return httpserv::compat::crt_error("wcscat_s", "null source", EINVAL);
  }
  const size_t used = wcsnlen(dest, destsz);
  if (used == destsz) {
    dest[0] = L'\0';
    return httpserv::compat::crt_error("wcscat_s", "destination not terminated", EINVAL);
  }
  const size_t add = std::wcslen(src);
  if (used + add >= destsz) {
    dest[0] = L'\0';
    return httpserv::compat::crt_error("wcscat_s", "destination too small", ERANGE);
  }
  std::wmemcpy(dest + used, src, add + 1);
  return 0;
}

template <size_t N>
inline errno_t wcscat_s(wchar_t (&dest)[N], const wchar_t* src) {
  return wcscat_s(dest, N, src);
}

inline errno_t wcsncpy_s(wchar_t* dest, size_t destsz, const wchar_t* src, size_t count) {
  if (dest == nullptr && destsz == 0 && count == 0) return 0;
  if (dest == nullptr || destsz == 0) {
    return httpserv::compat::crt_error("wcsncpy_s", "null or zero-sized destination", EINVAL);
  }
  if (count == 0) {
    dest[0] = L'\0';
    return 0;
  }
  if (src == nullptr) {
    dest[0] = L'\0';
    return httpserv::compat::crt_error("wcsncpy_s", "null source", EINVAL);
  }
  if (count == _TRUNCATE) {
    const size_t n = wcsnlen(src, destsz);
    if (n >= destsz) {
      std::wmemcpy(dest, src, destsz - 1);
      dest[destsz - 1] = L'\0';
      return STRUNCATE;
    }
    std::wmemcpy(dest, src, n + 1);
    return 0;
  }
  const size_t n = wcsnlen(src, count);
  if (n >= destsz) {
    dest[0] = L'\0';
    return httpserv::compat::crt_error("wcsncpy_s", "destination too small", ERANGE);
  }
  std::wmemcpy(dest, src, n);
  dest[n] = L'\0';
  return 0;
}

template <size_t N>
inline errno_t wcsncpy_s(wchar_t (&dest)[N], const wchar_t* src, size_t count) {
  return wcsncpy_s(dest, N, src, count);
}

// Copies count bytes; EINVAL for null pointers, ERANGE (dest zeroed) if destSize < count.
inline errno_t memcpy_s(void* dest, size_t destSize, const void* src, size_t count) {
  if (count == 0) return 0;
  if (dest == nullptr) return httpserv::compat::crt_error("memcpy_s", "null destination", EINVAL);
  if (src == nullptr) {
    std::memset(dest, 0, destSize);
    return httpserv::compat::crt_error("memcpy_s", "null source", EINVAL);
  }
  if (destSize < count) {
    std::memset(dest, 0, destSize);
    return httpserv::compat::crt_error("memcpy_s", "destination too small", ERANGE);
  }
  std::memcpy(dest, src, count);
  return 0;
}

// Same as memcpy_s but the ranges may overlap.
inline errno_t memmove_s(void* dest, size_t destSize, const void* src, size_t count) {
  if (count == 0) return 0;
  if (dest == nullptr || src == nullptr) {
    return httpserv::compat::crt_error("memmove_s", "null pointer", EINVAL);
  }
  if (destSize < count) return httpserv::compat::crt_error("memmove_s", "too small", ERANGE);
  std::memmove(dest, src, count);
  return 0;
}

// Re-entrant tokenizers (MSVC argument order matches POSIX strtok_r / C95 wcstok).
inline char* strtok_s(char* str, const char* delimiters, char** context) {
  return strtok_r(str, delimiters, context);
}
inline wchar_t* wcstok_s(wchar_t* str, const wchar_t* delimiters, wchar_t** context) {
  return std::wcstok(str, delimiters, context);
}

// ---------------------------------------------------------------------------------------------
// Wide <-> multibyte conversion (UTF-8 on the narrow side).
// ---------------------------------------------------------------------------------------------

// Converts wcstr to UTF-8 in mbstr[0..sizeInBytes), at most `count` bytes (or as many as fit
// with count == _TRUNCATE, returning STRUNCATE if cut). *pReturnValue gets the bytes written
// including the NUL. With mbstr == NULL and sizeInBytes == 0 it only reports the size needed
// for the whole string (count is ignored, as in the common `wcstombs_s(&n, NULL, 0, s, 0)`).
// EILSEQ for a character that has no UTF-8 form; ERANGE if the result does not fit.
inline errno_t wcstombs_s(size_t* pReturnValue, char* mbstr, size_t sizeInBytes,
                          const wchar_t* wcstr, size_t count) {
  using httpserv::compat::crt_error;
  if (pReturnValue != nullptr) *pReturnValue = 0;
  if ((mbstr == nullptr) != (sizeInBytes == 0)) {
    return crt_error("wcstombs_s", "inconsistent destination and size", EINVAL);
  }
  if (mbstr != nullptr) mbstr[0] = '\0';
  if (wcstr == nullptr) return crt_error("wcstombs_s", "null source", EINVAL);
  char bytes[4];
  if (mbstr == nullptr) {
    size_t needed = 0;
    for (const wchar_t* p = wcstr; *p != L'\0'; ++p) {
      const size_t n = httpserv::compat::utf8_length(*p);
      if (n == 0) {
        errno = EILSEQ;
        return EILSEQ;
      }
      needed += n;
    }
    if (pReturnValue != nullptr) *pReturnValue = needed + 1;
    return 0;
  }
  size_t out = 0;
  bool truncated = false;
  for (const wchar_t* p = wcstr; *p != L'\0'; ++p) {
    const size_t n = httpserv::compat::utf8_encode(*p, bytes);
    if (n == 0) {
      mbstr[0] = '\0';
      errno = EILSEQ;
      return EILSEQ;
    }
    if (count != _TRUNCATE && out + n > count) break;
    if (out + n > sizeInBytes - 1) {
      if (count == _TRUNCATE) {
        truncated = true;
        break;
      }
      mbstr[0] = '\0';
      return crt_error("wcstombs_s", "destination too small", ERANGE);
    }
    std::memcpy(mbstr + out, bytes, n);
    out += n;
  }
  mbstr[out] = '\0';
  if (pReturnValue != nullptr) *pReturnValue = out + 1;
  return truncated ? STRUNCATE : 0;
}

template <size_t N>
inline errno_t wcstombs_s(size_t* pReturnValue, char (&mbstr)[N], const wchar_t* wcstr,
                          size_t count) {
  return wcstombs_s(pReturnValue, mbstr, N, wcstr, count);
}

// Converts UTF-8 mbstr to wide characters in wcstr[0..sizeInWords), at most `count` of them
// (or as many as fit with _TRUNCATE, returning STRUNCATE if cut). *pReturnValue gets the
// characters written including the NUL. With wcstr == NULL and sizeInWords == 0 it only
// reports the size needed for the whole string (count is ignored). EILSEQ for malformed UTF-8;
// ERANGE if the result does not fit.
inline errno_t mbstowcs_s(size_t* pReturnValue, wchar_t* wcstr, size_t sizeInWords,
                          const char* mbstr, size_t count) {
  using httpserv::compat::crt_error;
  if (pReturnValue != nullptr) *pReturnValue = 0;
  if ((wcstr == nullptr) != (sizeInWords == 0)) {
    return crt_error("mbstowcs_s", "inconsistent destination and size", EINVAL);
  }
  if (wcstr != nullptr) wcstr[0] = L'\0';
  if (mbstr == nullptr) return crt_error("mbstowcs_s", "null source", EINVAL);
  const size_t length = std::strlen(mbstr);
  size_t in = 0;
  size_t out = 0;
  bool truncated = false;
  while (in < length) {
    if (wcstr != nullptr && count != _TRUNCATE && out >= count) break;
    wchar_t wc;
    const size_t n = httpserv::compat::utf8_decode(mbstr + in, length - in, &wc);
    if (n == 0) {
      if (wcstr != nullptr) wcstr[0] = L'\0';
      errno = EILSEQ;
      return EILSEQ;
    }
    if (wcstr != nullptr) {
      if (out + 1 > sizeInWords - 1) {
        if (count == _TRUNCATE) {
          truncated = true;
          break;
        }
        wcstr[0] = L'\0';
        return crt_error("mbstowcs_s", "destination too small", ERANGE);
      }
      wcstr[out] = wc;
    }
    ++out;
    in += n;
  }
  if (wcstr != nullptr) wcstr[out] = L'\0';
  if (pReturnValue != nullptr) *pReturnValue = out + 1;
  return truncated ? STRUNCATE : 0;
}

template <size_t N>
inline errno_t mbstowcs_s(size_t* pReturnValue, wchar_t (&wcstr)[N], const char* mbstr,
                          size_t count) {
  return mbstowcs_s(pReturnValue, wcstr, N, mbstr, count);
}

// ---------------------------------------------------------------------------------------------
// Integer to text. Radix 2..36, lower-case digits; a '-' only for negative values in radix 10
// (other radixes print the two's complement bits of the 32- or 64-bit value, like MSVC).
// The unchecked forms assume a buffer of at least 33 (32-bit) or 65 (64-bit) characters.
// ---------------------------------------------------------------------------------------------

inline char* _itoa(int value, char* buffer, int radix) {
  httpserv::compat::format_signed(value, 32, buffer, httpserv::compat::kUncheckedIntegerBuffer,
                                  radix);
  return buffer;
}
inline char* _ltoa(LONG value, char* buffer, int radix) {
  httpserv::compat::format_signed(value, 32, buffer, httpserv::compat::kUncheckedIntegerBuffer,
                                  radix);
  return buffer;
}
inline char* _ultoa(ULONG value, char* buffer, int radix) {
  httpserv::compat::format_integer(value, false, buffer, httpserv::compat::kUncheckedIntegerBuffer,
                                   radix);
  return buffer;
}
inline char* _i64toa(LONGLONG value, char* buffer, int radix) {
  httpserv::compat::format_signed(value, 64, buffer, httpserv::compat::kUncheckedIntegerBuffer,
                                  radix);
  return buffer;
}
inline char* _ui64toa(ULONGLONG value, char* buffer, int radix) {
  httpserv::compat::format_integer(value, false, buffer, httpserv::compat::kUncheckedIntegerBuffer,
                                   radix);
  return buffer;
}

// Checked forms: EINVAL for a null buffer, zero size or bad radix; ERANGE (buffer emptied)
// if the digits and NUL do not fit in `size` characters.
inline errno_t _itoa_s(int value, char* buffer, size_t size, int radix) {
  const int err = httpserv::compat::format_signed(value, 32, buffer, size, radix);
  return err == 0 ? 0 : httpserv::compat::crt_error("_itoa_s", "bad argument or too small", err);
}
template <size_t N>
inline errno_t _itoa_s(int value, char (&buffer)[N], int radix) {
  return _itoa_s(value, buffer, N, radix);
}
inline errno_t _ltoa_s(LONG value, char* buffer, size_t size, int radix) {
  const int err = httpserv::compat::format_signed(value, 32, buffer, size, radix);
  return err == 0 ? 0 : httpserv::compat::crt_error("_ltoa_s", "bad argument or too small", err);
}
inline errno_t _ultoa_s(ULONG value, char* buffer, size_t size, int radix) {
  const int err = httpserv::compat::format_integer(value, false, buffer, size, radix);
  return err == 0 ? 0 : httpserv::compat::crt_error("_ultoa_s", "bad argument or too small", err);
}
inline errno_t _i64toa_s(LONGLONG value, char* buffer, size_t size, int radix) {
  const int err = httpserv::compat::format_signed(value, 64, buffer, size, radix);
  return err == 0 ? 0 : httpserv::compat::crt_error("_i64toa_s", "bad argument or too small", err);
}
inline errno_t _ui64toa_s(ULONGLONG value, char* buffer, size_t size, int radix) {
  const int err = httpserv::compat::format_integer(value, false, buffer, size, radix);
  return err == 0 ? 0 : httpserv::compat::crt_error("_ui64toa_s", "bad argument or too small", err);
}

// Text to 64-bit integer (MSVC names for strtoll / wcstol).
inline LONGLONG _atoi64(const char* str) {
  return std::strtoll(str, nullptr, 10);
}
inline int _wtoi(const wchar_t* str) {
  return static_cast<int>(std::wcstol(str, nullptr, 10));
}
inline LONG _wtol(const wchar_t* str) {
  return static_cast<LONG>(std::wcstol(str, nullptr, 10));
}

// ---------------------------------------------------------------------------------------------
// Case-insensitive comparison (ASCII/C-locale folding for char, towlower for wchar_t).
// Return < 0, 0 or > 0 like strcmp.
// ---------------------------------------------------------------------------------------------

inline int _strnicmp(const char* string1, const char* string2, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const auto a = static_cast<unsigned char>(string1[i]);
    const auto b = static_cast<unsigned char>(string2[i]);
    const int la = (a >= 'A' && a <= 'Z') ? a + ('a' - 'A') : a;
    const int lb = (b >= 'A' && b <= 'Z') ? b + ('a' - 'A') : b;
    if (la != lb) return la - lb;
    if (a == 0) return 0;
  }
  return 0;
}
inline int _stricmp(const char* string1, const char* string2) {
  return _strnicmp(string1, string2, static_cast<size_t>(-1));
}
inline int _strcmpi(const char* string1, const char* string2) {
  return _stricmp(string1, string2);
}

inline int _wcsnicmp(const wchar_t* string1, const wchar_t* string2, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const wint_t a = std::towlower(static_cast<wint_t>(string1[i]));
    const wint_t b = std::towlower(static_cast<wint_t>(string2[i]));
    if (a != b) return a < b ? -1 : 1;
    if (a == 0) return 0;
  }
  return 0;
}
inline int _wcsicmp(const wchar_t* string1, const wchar_t* string2) {
  return _wcsnicmp(string1, string2, static_cast<size_t>(-1));
}

// malloc-backed copies; release with free().
inline char* _strdup(const char* str) {
  if (str == nullptr) return nullptr;
  const size_t n = std::strlen(str) + 1;
  char* copy = static_cast<char*>(std::malloc(n));
  if (copy != nullptr) std::memcpy(copy, str, n);
  return copy;
}
inline wchar_t* _wcsdup(const wchar_t* str) {
  if (str == nullptr) return nullptr;
  const size_t n = std::wcslen(str) + 1;
  wchar_t* copy = static_cast<wchar_t*>(std::malloc(n * sizeof(wchar_t)));
  if (copy != nullptr) std::wmemcpy(copy, str, n);
  return copy;
}

// ---------------------------------------------------------------------------------------------
// More of the Microsoft CRT: time, random numbers, files, aligned allocation, old names.
// ---------------------------------------------------------------------------------------------

// The non-underscore (deprecated) names of _itoa / _ltoa / _ultoa / _strdup / _stricmp.
inline char* itoa(int value, char* buffer, int radix) {
  return _itoa(value, buffer, radix);
}
inline char* ltoa(LONG value, char* buffer, int radix) {
  return _ltoa(value, buffer, radix);
}
inline char* ultoa(ULONG value, char* buffer, int radix) {
  return _ultoa(value, buffer, radix);
}
inline int stricmp(const char* a, const char* b) {
  return _stricmp(a, b);
}
inline int strnicmp(const char* a, const char* b, size_t n) {
  return _strnicmp(a, b, n);
}

// MSVC's argument order (destination first); 0 or EINVAL (NULL pointers, or a time gmtime
// cannot represent: then *tmDest is set to all -1 as MSVC does).
inline errno_t localtime_s(struct tm* tmDest, const time_t* sourceTime) {
  if (tmDest == nullptr) return EINVAL;
  if (sourceTime == nullptr || ::localtime_r(sourceTime, tmDest) == nullptr) {
    std::memset(tmDest, 0xff, sizeof(*tmDest));
    return EINVAL;
  }
  return 0;
}
inline errno_t gmtime_s(struct tm* tmDest, const time_t* sourceTime) {
  if (tmDest == nullptr) return EINVAL;
  if (sourceTime == nullptr || ::gmtime_r(sourceTime, tmDest) == nullptr) {
    std::memset(tmDest, 0xff, sizeof(*tmDest));
    return EINVAL;
  }
  return 0;
}
inline errno_t _localtime64_s(struct tm* tmDest, const int64_t* sourceTime) {
  time_t t = sourceTime != nullptr ? static_cast<time_t>(*sourceTime) : 0;
  return localtime_s(tmDest, sourceTime != nullptr ? &t : nullptr);
}
inline errno_t _gmtime64_s(struct tm* tmDest, const int64_t* sourceTime) {
  time_t t = sourceTime != nullptr ? static_cast<time_t>(*sourceTime) : 0;
  return gmtime_s(tmDest, sourceTime != nullptr ? &t : nullptr);
}
inline errno_t _localtime32_s(struct tm* tmDest, const int32_t* sourceTime) {
  time_t t = sourceTime != nullptr ? static_cast<time_t>(*sourceTime) : 0;
  return localtime_s(tmDest, sourceTime != nullptr ? &t : nullptr);
}
inline errno_t _gmtime32_s(struct tm* tmDest, const int32_t* sourceTime) {
  time_t t = sourceTime != nullptr ? static_cast<time_t>(*sourceTime) : 0;
  return gmtime_s(tmDest, sourceTime != nullptr ? &t : nullptr);
}
inline errno_t asctime_s(char* buffer, size_t numberOfElements, const struct tm* tmSource) {
  if (buffer == nullptr || tmSource == nullptr || numberOfElements < 26) return EINVAL;
  return ::asctime_r(tmSource, buffer) != nullptr ? 0 : EINVAL;
}
inline errno_t ctime_s(char* buffer, size_t numberOfElements, const time_t* sourceTime) {
  if (buffer == nullptr || sourceTime == nullptr || numberOfElements < 26) return EINVAL;
  return ::ctime_r(sourceTime, buffer) != nullptr ? 0 : EINVAL;
}
inline int64_t _time64(int64_t* destTime) {
  const int64_t t = static_cast<int64_t>(::time(nullptr));
  if (destTime != nullptr) *destTime = t;
  return t;
}
inline int64_t _mkgmtime(struct tm* timeptr) {
  return static_cast<int64_t>(::timegm(timeptr));
}

// A cryptographically secure random unsigned int (getrandom); EINVAL for NULL.
inline errno_t rand_s(unsigned int* randomValue) {
  if (randomValue == nullptr) return EINVAL;
  size_t got = 0;
  while (got < sizeof(*randomValue)) {
    ssize_t n =
        ::getrandom(reinterpret_cast<char*>(randomValue) + got, sizeof(*randomValue) - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    got += static_cast<size_t>(n);
  }
  return 0;
}

// fopen with MSVC's error reporting: 0, or the errno value with *pFile NULL. The mode's 't'
// (text) is dropped, 'b' is meaningless on Linux, "ccs=..." is not supported (EINVAL).
inline errno_t fopen_s(FILE** pFile, const char* filename, const char* mode) {
  if (pFile == nullptr) return EINVAL;
  *pFile = nullptr;
  if (filename == nullptr || mode == nullptr || std::strstr(mode, "ccs=") != nullptr) return EINVAL;
  std::string m;
  for (const char* c = mode; *c != '\0'; ++c) {
    if (*c != 't' && *c != 'S' && *c != 'R' && *c != 'T' && *c != 'D' && *c != 'N') m += *c;
  }
  *pFile = std::fopen(filename, m.c_str());
  return *pFile != nullptr ? 0 : errno;
}
// Wide file names and modes are converted to UTF-8.
inline FILE* _wfopen(const wchar_t* filename, const wchar_t* mode) {
  if (filename == nullptr || mode == nullptr) {
    errno = EINVAL;
    return nullptr;
  }
  FILE* f = nullptr;
  errno_t e = fopen_s(&f, httpserv::compat::wide_to_utf8(filename).c_str(),
                      httpserv::compat::wide_to_utf8(mode).c_str());
  if (e != 0) errno = e;
  return f;
}
inline errno_t _wfopen_s(FILE** pFile, const wchar_t* filename, const wchar_t* mode) {
  if (pFile == nullptr || filename == nullptr || mode == nullptr) return EINVAL;
  return fopen_s(pFile, httpserv::compat::wide_to_utf8(filename).c_str(),
                 httpserv::compat::wide_to_utf8(mode).c_str());
}
inline FILE* _fsopen(const char* filename, const char* mode, int shflag) {
  (void)shflag;
  FILE* f = nullptr;
  errno_t e = fopen_s(&f, filename, mode);
  if (e != 0) errno = e;
  return f;
}
#define _SH_DENYRW 0x10
#define _SH_DENYWR 0x20
#define _SH_DENYRD 0x30
#define _SH_DENYNO 0x40
inline errno_t freopen_s(FILE** pFile, const char* path, const char* mode, FILE* stream) {
  if (pFile == nullptr) return EINVAL;
  *pFile = std::freopen(path, mode, stream);
  return *pFile != nullptr ? 0 : errno;
}
inline int _fileno(FILE* stream) {
  return ::fileno(stream);
}

// Memory aligned to `alignment` (a power of two; rounded up to pointer size). Free it with
// _aligned_free, never free() on Windows (here both work).
inline void* _aligned_malloc(size_t size, size_t alignment) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
    errno = EINVAL;
    return nullptr;
  }
  if (alignment < sizeof(void*)) alignment = sizeof(void*);
  void* p = nullptr;
  if (::posix_memalign(&p, alignment, size != 0 ? size : 1) != 0) {
    errno = ENOMEM;
    return nullptr;
  }
  return p;
}
inline void _aligned_free(void* memblock) {
  std::free(memblock);
}
// Not in place: a new block of `size` bytes, the old contents copied (up to the smaller size,
// which is unknown here: malloc_usable_size of the old block).
inline void* _aligned_realloc(void* memblock, size_t size, size_t alignment) {
  if (memblock == nullptr) return _aligned_malloc(size, alignment);
  if (size == 0) {
    _aligned_free(memblock);
    return nullptr;
  }
  void* p = _aligned_malloc(size, alignment);
  if (p == nullptr) return nullptr;
  size_t old = ::malloc_usable_size(memblock);
  std::memcpy(p, memblock, old < size ? old : size);
  std::free(memblock);
  return p;
}

inline char* _strlwr(char* s) {
  for (char* p = s; p != nullptr && *p != '\0'; ++p)
    if (*p >= 'A' && *p <= 'Z') *p = static_cast<char>(*p - 'A' + 'a');
  return s;
}
inline char* _strupr(char* s) {
  for (char* p = s; p != nullptr && *p != '\0'; ++p)
    if (*p >= 'a' && *p <= 'z') *p = static_cast<char>(*p - 'a' + 'A');
  return s;
}
inline wchar_t* _wcslwr(wchar_t* s) {
  for (wchar_t* p = s; p != nullptr && *p != L'\0'; ++p)
    *p = static_cast<wchar_t>(std::towlower(static_cast<wint_t>(*p)));
  return s;
}
inline wchar_t* _wcsupr(wchar_t* s) {
  for (wchar_t* p = s; p != nullptr && *p != L'\0'; ++p)
    *p = static_cast<wchar_t>(std::towupper(static_cast<wint_t>(*p)));
  return s;
}
inline size_t strnlen_s(const char* str, size_t numberOfElements) {
  return str == nullptr ? 0 : ::strnlen(str, numberOfElements);
}
inline size_t wcsnlen_s(const wchar_t* str, size_t numberOfElements) {
  return str == nullptr ? 0 : ::wcsnlen(str, numberOfElements);
}

// printf_s and friends: printf with MSVC's parameter validation (a NULL format is an error:
// -1, EINVAL); glibc formats.
inline int vprintf_s(const char* format, va_list args) {
  if (format == nullptr) {
    errno = EINVAL;
    return -1;
  }
  return std::vprintf(format, args);
}
inline int printf_s(const char* format, ...) __attribute__((format(printf, 1, 2)));
inline int printf_s(const char* format, ...) {
  va_list args;
  va_start(args, format);
  int n = vprintf_s(format, args);
  va_end(args);
  return n;
}
inline int fprintf_s(FILE* stream, const char* format, ...) __attribute__((format(printf, 2, 3)));
inline int fprintf_s(FILE* stream, const char* format, ...) {
  if (stream == nullptr || format == nullptr) {
    errno = EINVAL;
    return -1;
  }
  va_list args;
  va_start(args, format);
  int n = std::vfprintf(stream, format, args);
  va_end(args);
  return n;
}
inline int wprintf_s(const wchar_t* format, ...) {
  if (format == nullptr) {
    errno = EINVAL;
    return -1;
  }
  va_list args;
  va_start(args, format);
  int n = std::vwprintf(format, args);
  va_end(args);
  return n;
}

namespace httpserv::compat {
// Wide digits of an integer: the narrow conversion, widened.
template <class Conv, class T>
errno_t to_wide_digits(Conv conv, T value, wchar_t* buffer, size_t size, int radix) {
  char narrow[72];
  errno_t e = conv(value, narrow, sizeof(narrow), radix);
  if (e != 0) return e;
  size_t n = std::strlen(narrow);
  if (buffer == nullptr || size <= n) {
    if (buffer != nullptr && size > 0) buffer[0] = L'\0';
    return ERANGE;
  }
  for (size_t i = 0; i <= n; ++i)
    buffer[i] = static_cast<wchar_t>(narrow[i]);
  return 0;
}
}  // namespace httpserv::compat

// _itow_s / _ltow_s / _ultow_s / _i64tow_s / _ui64tow_s: the _itoa_s family into wchar_t.
inline errno_t _itow_s(int value, wchar_t* buffer, size_t size, int radix) {
  return httpserv::compat::to_wide_digits(
      [](int v, char* b, size_t n, int r) { return _itoa_s(v, b, n, r); }, value, buffer, size,
      radix);
}
inline errno_t _ltow_s(LONG value, wchar_t* buffer, size_t size, int radix) {
  return httpserv::compat::to_wide_digits(
      [](LONG v, char* b, size_t n, int r) { return _ltoa_s(v, b, n, r); }, value, buffer, size,
      radix);
}
inline errno_t _ultow_s(ULONG value, wchar_t* buffer, size_t size, int radix) {
  return httpserv::compat::to_wide_digits(
      [](ULONG v, char* b, size_t n, int r) { return _ultoa_s(v, b, n, r); }, value, buffer, size,
      radix);
}
inline errno_t _i64tow_s(LONGLONG value, wchar_t* buffer, size_t size, int radix) {
  return httpserv::compat::to_wide_digits(
      [](LONGLONG v, char* b, size_t n, int r) { return _i64toa_s(v, b, n, r); }, value, buffer,
      size, radix);
}
inline errno_t _ui64tow_s(ULONGLONG value, wchar_t* buffer, size_t size, int radix) {
  return httpserv::compat::to_wide_digits(
      [](ULONGLONG v, char* b, size_t n, int r) { return _ui64toa_s(v, b, n, r); }, value, buffer,
      size, radix);
}
// The unchecked forms (the buffer must hold 33 characters for radix 2, 65 for 64-bit values).
inline wchar_t* _itow(int value, wchar_t* buffer, int radix) {
  _itow_s(value, buffer, 33, radix);
  return buffer;
}
inline wchar_t* _ltow(LONG value, wchar_t* buffer, int radix) {
  _ltow_s(value, buffer, 33, radix);
  return buffer;
}
inline wchar_t* _ultow(ULONG value, wchar_t* buffer, int radix) {
  _ultow_s(value, buffer, 33, radix);
  return buffer;
}
inline wchar_t* _i64tow(LONGLONG value, wchar_t* buffer, int radix) {
  _i64tow_s(value, buffer, 66, radix);
  return buffer;
}
inline wchar_t* _ui64tow(ULONGLONG value, wchar_t* buffer, int radix) {
  _ui64tow_s(value, buffer, 66, radix);
  return buffer;
}

#endif  // HTTPSERV_COMPAT_SECURE_CRT_H_
