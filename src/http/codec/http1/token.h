#pragma once
// RFC 9110 §5.6.2 token characters, shared by the HTTP/1 parser and serializer.
#include <array>
#include <string_view>

namespace hs::http::h1 {

namespace detail {
// One lookup per byte: the serializer checks every response field name with it.
inline constexpr std::array<bool, 256> kTchar = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c)
    t[static_cast<size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) {
    t[static_cast<size_t>(c)] = true;
    t[static_cast<size_t>(c - 'a' + 'A')] = true;
  }
  for (char c : std::string_view("!#$%&'*+-.^_`|~"))
    t[static_cast<unsigned char>(c)] = true;
  return t;
}();
}  // namespace detail

inline bool is_tchar(unsigned char c) {
  return detail::kTchar[c];
}

// True for a non-empty string of token characters (a valid field name).
inline bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tchar(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace hs::http::h1
