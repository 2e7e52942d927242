// GUIDs at compile time and __uuidof for httpserv modules on Linux.
//
// MSVC attaches a GUID to a type with __declspec(uuid(...)) and reads it back with the
// __uuidof keyword. GCC has neither, so the id of a type T is the traits member
// HttpservIid<T>::value (defined with HTTPSERV_DEFINE_IID next to each interface), and
// __uuidof(x) is a macro that looks it up by the type of x. x may be a type name
// (__uuidof(IAppHostElement)) or an expression (__uuidof(*pElement), __uuidof(**ppv) as in
// IID_PPV_ARGS); references, pointers' pointee cv-qualifiers are stripped. A type without an
// id fails to compile ("incomplete type HttpservIid<...>").

#ifndef HTTPSERV_COMPAT_HTTPSERV_UUID_H_
#define HTTPSERV_COMPAT_HTTPSERV_UUID_H_

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "windef.h"

namespace httpserv::detail {

constexpr uint32_t hex_digit(char c) {
  if (c >= '0' && c <= '9') return static_cast<uint32_t>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<uint32_t>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<uint32_t>(c - 'A' + 10);
  throw "invalid hex digit in GUID";  // Compile-time error in a constant expression.
}

constexpr uint32_t hex_value(const char* text, int first, int count) {
  uint32_t v = 0;
  for (int i = 0; i < count; ++i)
    v = (v << 4) | hex_digit(text[first + i]);
  return v;
}

// Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" at compile time.
template <size_t N>
constexpr GUID guid_from_string(const char (&text)[N]) {
  static_assert(N == 37, "GUID text must be 36 characters");
  if (text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') {
    throw "misplaced '-' in GUID";
  }
  GUID g{};
  g.Data1 = hex_value(text, 0, 8);
  g.Data2 = static_cast<uint16_t>(hex_value(text, 9, 4));
  g.Data3 = static_cast<uint16_t>(hex_value(text, 14, 4));
  g.Data4[0] = static_cast<uint8_t>(hex_value(text, 19, 2));
  g.Data4[1] = static_cast<uint8_t>(hex_value(text, 21, 2));
  for (int i = 0; i < 6; ++i)
    g.Data4[2 + i] = static_cast<uint8_t>(hex_value(text, 24 + 2 * i, 2));
  return g;
}

}  // namespace httpserv::detail

// HttpservIid<T>::value is the interface id of T (what __uuidof(T) gives on Windows).
// Using it with a type that has no id fails to compile.
template <class T>
struct HttpservIid;

#define HTTPSERV_DEFINE_IID(type, text)                                       \
  template <>                                                                 \
  struct HttpservIid<type> {                                                  \
    static constexpr GUID value = ::httpserv::detail::guid_from_string(text); \
  }

// The interface id of T, e.g. iid_of<IHttpResponse2>().
template <class T>
constexpr const GUID& iid_of() {
  return HttpservIid<std::remove_cv_t<std::remove_reference_t<T>>>::value;
}

// __uuidof(x) for ported code: x is a type or an expression whose type has an id.
#if !defined(_MSC_VER) && !defined(_MSC_EXTENSIONS) && !defined(__uuidof)
#define __uuidof(x) iid_of<__typeof__(x)>()
#endif

#endif  // HTTPSERV_COMPAT_HTTPSERV_UUID_H_
