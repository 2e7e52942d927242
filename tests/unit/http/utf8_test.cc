// The UTF-8 checks for request targets (http/utf8.h), by table: raw bytes and percent-decoded.
#include "http/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace hs::http {
namespace {

struct Utf8Case {
  const char* name;
  std::string bytes;
  bool valid;
};

void PrintTo(const Utf8Case& c, std::ostream* os) {
  *os << c.name;
}

class Utf8Raw : public ::testing::TestWithParam<Utf8Case> {};

TEST_P(Utf8Raw, Classifies) {
  const Utf8Case& c = GetParam();
  EXPECT_EQ(is_valid_utf8(c.bytes), c.valid);
  // The same bytes percent-encoded decode to the same verdict.
  std::string encoded;
  for (unsigned char b : c.bytes) {
    char buf[4];
    snprintf(buf, sizeof(buf), "%%%02X", b);
    encoded += buf;
  }
  EXPECT_EQ(is_valid_utf8_percent_decoded(encoded), c.valid) << encoded;
  // And behind ASCII (the checker's state carries across bytes, not from the start only).
  EXPECT_EQ(is_valid_utf8("/path/" + c.bytes + "/x"), c.valid);
}

INSTANTIATE_TEST_SUITE_P(
    Table, Utf8Raw,
    ::testing::Values(Utf8Case{"ascii", "hello", true}, Utf8Case{"empty", "", true},
                      Utf8Case{"two bytes U+00E9", "\xC3\xA9", true},
                      Utf8Case{"lowest two-byte U+0080", "\xC2\x80", true},
                      Utf8Case{"three bytes U+20AC", "\xE2\x82\xAC", true},
                      Utf8Case{"lowest three-byte U+0800", "\xE0\xA0\x80", true},
                      Utf8Case{"last before surrogates U+D7FF", "\xED\x9F\xBF", true},
                      Utf8Case{"first after surrogates U+E000", "\xEE\x80\x80", true},
                      Utf8Case{"U+FFFF", "\xEF\xBF\xBF", true},
                      Utf8Case{"lowest four-byte U+10000", "\xF0\x90\x80\x80", true},
                      Utf8Case{"highest U+10FFFF", "\xF4\x8F\xBF\xBF", true},
                      Utf8Case{"japanese", "\xE6\x97\xA5\xE6\x9C\xAC", true},
                      Utf8Case{"overlong slash C0 AF", "\xC0\xAF", false},
                      Utf8Case{"overlong C1 BF", "\xC1\xBF", false},
                      Utf8Case{"overlong three-byte slash", "\xE0\x80\xAF", false},
                      Utf8Case{"overlong three-byte U+07FF", "\xE0\x9F\xBF", false},
                      Utf8Case{"overlong four-byte slash", "\xF0\x80\x80\xAF", false},
                      Utf8Case{"overlong four-byte U+FFFF", "\xF0\x8F\xBF\xBF", false},
                      Utf8Case{"high surrogate U+D800", "\xED\xA0\x80", false},
                      Utf8Case{"low surrogate U+DFFF", "\xED\xBF\xBF", false},
                      Utf8Case{"surrogate pair as CESU-8", "\xED\xA0\xBD\xED\xB8\x80", false},
                      Utf8Case{"above U+10FFFF", "\xF4\x90\x80\x80", false},
                      Utf8Case{"F5 lead", "\xF5\x80\x80\x80", false}, Utf8Case{"FF", "\xFF", false},
                      Utf8Case{"FE", "\xFE", false}, Utf8Case{"lone continuation", "\x80", false},
                      Utf8Case{"continuation after a complete char", "\xC3\xA9\xA9", false},
                      Utf8Case{"truncated two-byte", "\xC3", false},
                      Utf8Case{"truncated three-byte", "\xE2\x82", false},
                      Utf8Case{"truncated four-byte", "\xF0\x90\x80", false},
                      Utf8Case{"lead followed by ascii", "\xC3\x41", false},
                      Utf8Case{"lead followed by a lead", "\xE2\xC3\xA9", false}));

TEST(Utf8PercentDecoded, EscapesAndLiterals) {
  EXPECT_TRUE(is_valid_utf8_percent_decoded("/caf%c3%a9"));           // lower-case hex
  EXPECT_TRUE(is_valid_utf8_percent_decoded("/caf\xC3%A9"));          // raw lead, encoded tail
  EXPECT_FALSE(is_valid_utf8_percent_decoded("/%C0%AF/etc/passwd"));  // the traversal trick
  EXPECT_FALSE(is_valid_utf8_percent_decoded("/%C0/"));
  EXPECT_FALSE(is_valid_utf8_percent_decoded("/a%C3"));
  // A '%' without two hex digits is itself (normalize_path refuses it separately).
  EXPECT_TRUE(is_valid_utf8_percent_decoded("/a%zz"));
  EXPECT_TRUE(is_valid_utf8_percent_decoded("/a%"));
  EXPECT_TRUE(is_valid_utf8_percent_decoded("/a%4"));
  EXPECT_TRUE(is_valid_utf8_percent_decoded("/100%25"));
}

TEST(Utf8HighBit, AnyByteFromEightyUp) {
  EXPECT_FALSE(has_high_bit(""));
  EXPECT_FALSE(has_high_bit("/plain/ascii/path/longer-than-eight?q=1"));
  EXPECT_FALSE(has_high_bit(std::string("\x7f\x00\x01", 3)));
  for (size_t at = 0; at < 20; ++at) {  // every position of the word loop and the tail
    std::string s(20, 'a');
    s[at] = '\x80';
    EXPECT_TRUE(has_high_bit(s)) << at;
    s[at] = '\xff';
    EXPECT_TRUE(has_high_bit(s)) << at;
  }
}

}  // namespace
}  // namespace hs::http
