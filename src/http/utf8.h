#pragma once
// UTF-8 well-formedness (RFC 3629, Unicode §3.9 Table 3-7), for request targets: raw bytes and
// percent-decoded ones. Pure; no allocation.
#include <cstdint>
#include <string_view>

namespace hs::http {

// A byte-at-a-time checker. Refuses what RFC 3629 forbids: a continuation byte without a lead,
// a lead byte without its continuation bytes (truncated), overlong forms (C0 AF for '/', E0 80 AF,
// F0 80 80 AF), encoded surrogates (ED A0..BF ..), code points above U+10FFFF (F4 90.., F5..FF).
class Utf8Checker {
 public:
  // Takes the next byte; false once the input is ill-formed (and from then on).
  bool push(uint8_t b) {
    if (bad_) return false;
    if (need_ == 0) {
      if (b < 0x80) return true;
      lo_ = 0x80;
      hi_ = 0xBF;
      if (b >= 0xC2 && b <= 0xDF) {
        need_ = 1;
      } else if (b >= 0xE0 && b <= 0xEF) {
        need_ = 2;
        if (b == 0xE0) lo_ = 0xA0;  // overlong below U+0800
        if (b == 0xED) hi_ = 0x9F;  // U+D800..U+DFFF
      } else if (b >= 0xF0 && b <= 0xF4) {
        need_ = 3;
        if (b == 0xF0) lo_ = 0x90;  // overlong below U+10000
        if (b == 0xF4) hi_ = 0x8F;  // above U+10FFFF
      } else {
        bad_ = true;  // 80..C1 (continuation or overlong lead), F5..FF
      }
      return !bad_;
    }
    if (b < lo_ || b > hi_) {
      bad_ = true;
      return false;
    }
    lo_ = 0x80;
    hi_ = 0xBF;
    --need_;
    return true;
  }
  // True when everything pushed is well-formed and no sequence is left open.
  bool complete() const { return !bad_ && need_ == 0; }

 private:
  uint8_t need_ = 0;  // continuation bytes still expected
  uint8_t lo_ = 0x80;
  uint8_t hi_ = 0xBF;
  bool bad_ = false;
};

bool is_valid_utf8(std::string_view s);

// Whether `s` is well-formed UTF-8 once each "%XX" (two hex digits) is decoded; a '%' not followed
// by two hex digits is taken as itself (refusing bad escapes is normalize_path's business).
bool is_valid_utf8_percent_decoded(std::string_view s);

// True when any byte of `s` is >= 0x80.
bool has_high_bit(std::string_view s);

}  // namespace hs::http
