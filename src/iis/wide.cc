#include "iis/wide.h"

#include <bit>
#include <cstdint>

namespace hs::iis {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

void append_utf8(std::string& out, uint32_t u) {
  if (u < 0x80) {
    out.push_back(static_cast<char>(u));
  } else if (u < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (u >> 6)));
    out.push_back(static_cast<char>(0x80 | (u & 0x3F)));
  } else if (u < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (u >> 12)));
    out.push_back(static_cast<char>(0x80 | ((u >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (u & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (u >> 18)));
    out.push_back(static_cast<char>(0x80 | ((u >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((u >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (u & 0x3F)));
  }
}

}  // namespace

std::wstring widen(std::string_view s) {
  std::wstring out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char b0 = p[i];
    if (b0 < 0x80) {
      out.push_back(static_cast<wchar_t>(b0));
      ++i;
      continue;
    }
    // Length and the allowed range of the second byte (Unicode Table 3-7), so overlongs,
    // surrogates and values above U+10FFFF are rejected at the first byte that proves it.
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    uint32_t u;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
      u = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      u = b0 & 0x0F;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      u = b0 & 0x07;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    } else {
      out.push_back(static_cast<wchar_t>(kReplacement));  // 80..C1, F5..FF
      ++i;
      continue;
    }
    size_t k = 1;
    for (; k < len && i + k < n; ++k) {
      const unsigned char b = p[i + k];
      const unsigned char min = k == 1 ? lo : 0x80;
      const unsigned char max = k == 1 ? hi : 0xBF;
      if (b < min || b > max) break;
      u = (u << 6) | (b & 0x3F);
    }
    if (k == len) {
      out.push_back(static_cast<wchar_t>(u));
    } else {
      out.push_back(static_cast<wchar_t>(kReplacement));  // the maximal subpart p[i, i+k)
    }
    i += k;
  }
  return out;
}

std::string narrow(std::wstring_view w) {
  std::string out;
  out.reserve(w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    uint32_t u = std::bit_cast<uint32_t>(w[i]);  // negative values become > U+10FFFF
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < w.size()) {
      const auto low = std::bit_cast<uint32_t>(w[i + 1]);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
        ++i;
      }
    }
    if ((u >= 0xD800 && u <= 0xDFFF) || u > 0x10FFFF) u = kReplacement;
    append_utf8(out, u);
  }
  return out;
}

std::string narrow(const wchar_t* w) {
  return w == nullptr ? std::string() : narrow(std::wstring_view(w));
}

}  // namespace hs::iis
