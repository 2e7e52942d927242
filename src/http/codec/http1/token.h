#pragma once
// RFC 9110 §5.6.2 token characters, shared by the HTTP/1 parser and serializer.
#include <cstring>

namespace hs::http::h1 {

inline bool is_tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

}  // namespace hs::http::h1
