// <initguid.h> for httpserv modules on Linux: DEFINE_GUID(name, l, w1, w2, b1..b8) defines the
// GUID constant `name` (an inline constexpr variable, so every translation unit may define it,
// whether or not it includes this header first, as Windows requires for the definition).

#ifndef HTTPSERV_COMPAT_INITGUID_H_
#define HTTPSERV_COMPAT_INITGUID_H_

#include "windef.h"

#ifdef DEFINE_GUID
#undef DEFINE_GUID
#endif
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8)                 \
  inline constexpr GUID name = {                                                     \
      static_cast<uint32_t>(l),                                                      \
      static_cast<uint16_t>(w1),                                                     \
      static_cast<uint16_t>(w2),                                                     \
      {static_cast<uint8_t>(b1), static_cast<uint8_t>(b2), static_cast<uint8_t>(b3), \
       static_cast<uint8_t>(b4), static_cast<uint8_t>(b5), static_cast<uint8_t>(b6), \
       static_cast<uint8_t>(b7), static_cast<uint8_t>(b8)}}

#endif  // HTTPSERV_COMPAT_INITGUID_H_
