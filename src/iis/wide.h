#pragma once
// UTF-8 ⇄ wchar_t conversion for the IIS layer. On Linux wchar_t is 32 bits and holds one
// Unicode code point (UTF-32); see docs/iis-headers.md. Neither function depends on the
// process locale (the server runs in the "C" locale).
#include <string>
#include <string_view>

namespace hs::iis {

// UTF-8 → UTF-32. Every maximal ill-formed subsequence (a stray continuation byte, a truncated
// sequence, an overlong form, an encoded surrogate, anything above U+10FFFF) becomes one
// U+FFFD, as Unicode §3.9 recommends. Embedded NULs are kept.
std::wstring widen(std::string_view utf8);

// UTF-32 → UTF-8. A UTF-16 surrogate pair (high then low, as code ported from Windows may
// produce) is combined into its code point; a lone surrogate, a negative value or one above
// U+10FFFF becomes U+FFFD. Embedded NULs are kept.
std::string narrow(std::wstring_view wide);

// narrow() of a NUL-terminated string; null gives "".
std::string narrow(const wchar_t* wide);

}  // namespace hs::iis
