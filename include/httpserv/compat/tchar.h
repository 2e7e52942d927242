// <tchar.h> for httpserv modules on Linux: the generic-text mappings. With _UNICODE, _TCHAR is
// wchar_t and _tcs* are the wcs* functions; otherwise char and str*. The
// _mbs* (multibyte) forms are the str* ones (UTF-8 is the only multibyte code page here).

#ifndef HTTPSERV_COMPAT_TCHAR_H_
#define HTTPSERV_COMPAT_TCHAR_H_

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cwchar>
#include <cwctype>

#include "secure_crt.h"
#include "windef.h"

// As on Windows, _UNICODE selects tchar.h's mappings and UNICODE selects TCHAR and the Win32
// A/W names (windef.h); define both (MSVC's "Use Unicode Character Set" does).
#if defined(_UNICODE)
#ifndef _T
#define _T(x) L##x
#endif
#ifndef _TEXT
#define _TEXT(x) L##x
#endif
typedef wchar_t _TCHAR;
typedef wchar_t _TSCHAR;
typedef wchar_t _TUCHAR;
typedef wchar_t _TXCHAR;
typedef wint_t _TINT;
#define _TEOF WEOF
#define _tcslen wcslen
#define _tcsnlen wcsnlen
#define _tcscpy wcscpy
#define _tcsncpy wcsncpy
#define _tcscat wcscat
#define _tcsncat wcsncat
#define _tcscmp wcscmp
#define _tcsncmp wcsncmp
#define _tcsicmp _wcsicmp
#define _tcsnicmp _wcsnicmp
#define _tcschr wcschr
#define _tcsrchr wcsrchr
#define _tcsstr wcsstr
#define _tcsspn wcsspn
#define _tcscspn wcscspn
#define _tcspbrk wcspbrk
#define _tcstok wcstok
#define _tcstok_s wcstok_s
#define _tcsdup _wcsdup
#define _tcslwr _wcslwr
#define _tcsupr _wcsupr
#define _tcstol wcstol
#define _tcstoul wcstoul
#define _tcstoi64 wcstoll
#define _tcstoui64 wcstoull
#define _tcstod wcstod
#define _ttoi _wtoi
#define _ttol _wtol
#define _tstoi _wtoi
#define _tstol _wtol
#define _tcscpy_s wcscpy_s
#define _tcsncpy_s wcsncpy_s
#define _tcscat_s wcscat_s
#define _stprintf swprintf
#define _stprintf_s swprintf_s
#define _sntprintf swprintf
#define _vstprintf vswprintf
#define _vsntprintf vswprintf
#define _tprintf wprintf
#define _ftprintf fwprintf
#define _tfopen _wfopen
#define _tfopen_s _wfopen_s
#define _totlower towlower
#define _totupper towupper
#define _istspace iswspace
#define _istdigit iswdigit
#define _istalpha iswalpha
#define _istalnum iswalnum
#define _istxdigit iswxdigit
#define _istupper iswupper
#define _istlower iswlower
#define _tmain wmain
#else
#ifndef _T
#define _T(x) x
#endif
#ifndef _TEXT
#define _TEXT(x) x
#endif
typedef char _TCHAR;
typedef signed char _TSCHAR;
typedef unsigned char _TUCHAR;
typedef char _TXCHAR;
typedef int _TINT;
#define _TEOF EOF
#define _tcslen strlen
#define _tcsnlen strnlen
#define _tcscpy strcpy
#define _tcsncpy strncpy
#define _tcscat strcat
#define _tcsncat strncat
#define _tcscmp strcmp
#define _tcsncmp strncmp
#define _tcsicmp _stricmp
#define _tcsnicmp _strnicmp
#define _tcschr strchr
#define _tcsrchr strrchr
#define _tcsstr strstr
#define _tcsspn strspn
#define _tcscspn strcspn
#define _tcspbrk strpbrk
#define _tcstok strtok
#define _tcstok_s strtok_s
#define _tcsdup _strdup
#define _tcslwr _strlwr
#define _tcsupr _strupr
#define _tcstol strtol
#define _tcstoul strtoul
#define _tcstoi64 strtoll
#define _tcstoui64 strtoull
#define _tcstod strtod
#define _ttoi atoi
#define _ttol atol
#define _tstoi atoi
#define _tstol atol
#define _tcscpy_s strcpy_s
#define _tcsncpy_s strncpy_s
#define _tcscat_s strcat_s
#define _stprintf sprintf
#define _stprintf_s sprintf_s
#define _sntprintf _snprintf
#define _vstprintf vsprintf
#define _vsntprintf _vsnprintf
#define _tprintf printf
#define _ftprintf fprintf
#define _tfopen fopen
#define _tfopen_s fopen_s
#define _totlower tolower
#define _totupper toupper
#define _istspace isspace
#define _istdigit isdigit
#define _istalpha isalpha
#define _istalnum isalnum
#define _istxdigit isxdigit
#define _istupper isupper
#define _istlower islower
#define _tmain main
#endif

#define _tcsclen _tcslen
#define _mbslen(s) strlen(reinterpret_cast<const char*>(s))
#define _mbscpy(d, s)               \
  reinterpret_cast<unsigned char*>( \
      strcpy(reinterpret_cast<char*>(d), reinterpret_cast<const char*>(s)))

#endif  // HTTPSERV_COMPAT_TCHAR_H_
