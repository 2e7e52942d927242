#include "http/utf8.h"

#include <cstring>

namespace hs::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool has_high_bit(std::string_view s) {
  // Eight bytes at a time: request targets are scanned on every request.
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t v;
    memcpy(&v, s.data() + i, sizeof(v));
    if (v & 0x8080808080808080ull) return true;
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80) return true;
  }
  return false;
}

bool is_valid_utf8(std::string_view s) {
  if (!has_high_bit(s)) return true;
  Utf8Checker c;
  for (char ch : s) {
    if (!c.push(static_cast<uint8_t>(ch))) return false;
  }
  return c.complete();
}

bool is_valid_utf8_percent_decoded(std::string_view s) {
  Utf8Checker c;
  for (size_t i = 0; i < s.size(); ++i) {
    auto b = static_cast<uint8_t>(s[i]);
    if (s[i] == '%' && i + 2 < s.size()) {
      int h = hex_value(s[i + 1]);
      int l = hex_value(s[i + 2]);
      if (h >= 0 && l >= 0) {
        b = static_cast<uint8_t>(h * 16 + l);
        i += 2;
      }
    }
    if (!c.push(b)) return false;
  }
  return c.complete();
}

}  // namespace hs::http
