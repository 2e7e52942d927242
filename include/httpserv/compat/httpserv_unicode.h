// UTF-8 <-> wchar_t helpers used by the compat shim.
//
// On Linux wchar_t holds one UTF-32 code point. The shim's wide/narrow conversions
// (wcstombs_s, mbstowcs_s, the *W event-log and debug functions) always use UTF-8 for the
// narrow side, whatever the process locale is: the server runs in the "C" locale, where the C
// library's own converters would reject every non-ASCII character.

#ifndef HTTPSERV_COMPAT_HTTPSERV_UNICODE_H_
#define HTTPSERV_COMPAT_HTTPSERV_UNICODE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace httpserv::compat {

// Number of UTF-8 bytes needed for `c`, or 0 if `c` is not a Unicode scalar value
// (negative, a surrogate, or above U+10FFFF).
inline size_t utf8_length(wchar_t c) {
  const uint32_t u = static_cast<uint32_t>(c);
  if (u < 0x80) return 1;
  if (u < 0x800) return 2;
  if (u >= 0xD800 && u <= 0xDFFF) return 0;
  if (u < 0x10000) return 3;
  if (u <= 0x10FFFF) return 4;
  return 0;
}

// Writes the UTF-8 form of `c` to `out` (room for 4 bytes); returns the byte count, 0 if
// `c` is not encodable.
inline size_t utf8_encode(wchar_t c, char* out) {
  const uint32_t u = static_cast<uint32_t>(c);
  const size_t n = utf8_length(c);
  switch (n) {
    case 1:
      out[0] = static_cast<char>(u);
      break;
    case 2:
      out[0] = static_cast<char>(0xC0 | (u >> 6));
      out[1] = static_cast<char>(0x80 | (u & 0x3F));
      break;
    case 3:
      out[0] = static_cast<char>(0xE0 | (u >> 12));
      out[1] = static_cast<char>(0x80 | ((u >> 6) & 0x3F));
      out[2] = static_cast<char>(0x80 | (u & 0x3F));
      break;
    case 4:
      out[0] = static_cast<char>(0xF0 | (u >> 18));
      out[1] = static_cast<char>(0x80 | ((u >> 12) & 0x3F));
      out[2] = static_cast<char>(0x80 | ((u >> 6) & 0x3F));
      out[3] = static_cast<char>(0x80 | (u & 0x3F));
      break;
    default:
      break;
  }
  return n;
}

// Decodes one UTF-8 sequence from s[0..avail). Returns the bytes consumed and stores the
// code point in *out, or returns 0 for a malformed, overlong or truncated sequence.
inline size_t utf8_decode(const char* s, size_t avail, wchar_t* out) {
  if (avail == 0) return 0;
  const auto b0 = static_cast<unsigned char>(s[0]);
  size_t n;
  uint32_t u;
  if (b0 < 0x80) {
    *out = static_cast<wchar_t>(b0);
    return 1;
  } else if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
    u = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    u = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    u = b0 & 0x07;
  } else {
    return 0;
  }
  if (avail < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80) return 0;
    u = (u << 6) | (b & 0x3F);
  }
  if ((n == 3 && u < 0x800) || (n == 4 && u < 0x10000) || u > 0x10FFFF ||
      (u >= 0xD800 && u <= 0xDFFF)) {
    return 0;
  }
  *out = static_cast<wchar_t>(u);
  return n;
}

// Converts a NUL-terminated wide string to UTF-8; unencodable characters become U+FFFD.
// A null pointer gives an empty string.
inline std::string wide_to_utf8(const wchar_t* s) {
  std::string result;
  if (s == nullptr) return result;
  char buf[4];
  for (; *s != L'\0'; ++s) {
    size_t n = utf8_encode(*s, buf);
    if (n == 0) n = utf8_encode(static_cast<wchar_t>(0xFFFD), buf);
    result.append(buf, n);
  }
  return result;
}

// Converts UTF-8 to wide characters; invalid bytes become U+FFFD (one per byte).
inline std::wstring utf8_to_wide(std::string_view s) {
  std::wstring result;
  size_t i = 0;
  while (i < s.size()) {
    wchar_t wc;
    size_t n = utf8_decode(s.data() + i, s.size() - i, &wc);
    if (n == 0) {
      wc = static_cast<wchar_t>(0xFFFD);
      n = 1;
    }
    result.push_back(wc);
    i += n;
  }
  return result;
}

}  // namespace httpserv::compat

#endif  // HTTPSERV_COMPAT_HTTPSERV_UNICODE_H_
