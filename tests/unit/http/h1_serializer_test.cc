#include "http/codec/http1/serializer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "http/codec/http1/token.h"

namespace hs::http::h1 {
namespace {

using namespace std::string_literals;

TEST(H1Serializer, StatusLineUsesTheStandardPhraseWhenNoneIsGiven) {
  std::string out = "x";
  append_status_line(out, 1, 200, "");
  append_status_line(out, 0, 404, "");
  EXPECT_EQ(out, "xHTTP/1.1 200 OK\r\nHTTP/1.0 404 Not Found\r\n");
}

TEST(H1Serializer, StatusLineKeepsAHandlerReasonButNeverItsLineBreaks) {
  std::string out;
  append_status_line(out, 1, 299, "Fine\r\nX-Injected: 1");
  EXPECT_EQ(out, "HTTP/1.1 299 Fine  X-Injected: 1\r\n");
  out.clear();
  append_status_line(out, 1, 201, "A\0B"s);
  EXPECT_EQ(out, "HTTP/1.1 201 A B\r\n");
}

TEST(H1Serializer, StatusOutsideThreeDigitsBecomes500) {
  std::string out;
  append_status_line(out, 1, 99, "");
  append_status_line(out, 1, 1000, "Odd");
  append_status_line(out, 1, -5, "");
  EXPECT_EQ(out,
            "HTTP/1.1 500 Internal Server Error\r\nHTTP/1.1 500 Odd\r\n"
            "HTTP/1.1 500 Internal Server Error\r\n");
}

TEST(H1Serializer, FieldIsWrittenAsIs) {
  std::string out = "HEAD\r\n";
  EXPECT_TRUE(append_field(out, "Content-Type", "text/plain; charset=utf-8"));
  EXPECT_TRUE(append_field(out, "X-Empty", ""));
  EXPECT_EQ(out, "HEAD\r\nContent-Type: text/plain; charset=utf-8\r\nX-Empty: \r\n");
}

TEST(H1Serializer, FieldValueCannotSplitTheResponse) {
  std::string out;
  EXPECT_TRUE(append_field(out, "X-A", "1\r\nSet-Cookie: evil\n\0end"s));
  EXPECT_EQ(out, "X-A: 1  Set-Cookie: evil  end\r\n");
  // The scan goes a word at a time: a forbidden byte is found at every position of a word and
  // in the tail after the last whole word.
  for (char bad : {'\r', '\n', '\0'}) {
    for (size_t len : {1u, 7u, 8u, 9u, 16u, 23u, 1000u}) {
      for (size_t at = 0; at < len; ++at) {
        std::string value(len, 'v');
        value[at] = bad;
        std::string expected(len, 'v');
        expected[at] = ' ';
        out.clear();
        ASSERT_TRUE(append_field(out, "X-Long", value));
        ASSERT_EQ(out, "X-Long: " + expected + "\r\n") << "len " << len << " at " << at;
      }
    }
  }
  // Bytes next to the forbidden ones (and high bytes) are kept.
  const std::string near = "\x01\t\x0b\x0c\x0e\x1f\x7f\x80\x8d\x8a\xff caf\xc3\xa9";
  out.clear();
  ASSERT_TRUE(append_field(out, "X-Near", near));
  EXPECT_EQ(out, "X-Near: " + near + "\r\n");
}

TEST(H1Serializer, FieldWithANameThatIsNotATokenIsSkipped) {
  std::string out = "keep";
  EXPECT_FALSE(append_field(out, "", "v"));
  EXPECT_FALSE(append_field(out, "Bad Name", "v"));
  EXPECT_FALSE(append_field(out, "Bad:Name", "v"));
  EXPECT_FALSE(append_field(out, "X-\r\nInjected", "v"));
  EXPECT_FALSE(append_field(out, "N\xc3\xa9", "v"));
  EXPECT_FALSE(append_field(out, "A\0B"s, "v"));
  EXPECT_EQ(out, "keep");
  EXPECT_TRUE(append_field(out, "!#$%&'*+-.^_`|~09azAZ", "v"));
  EXPECT_EQ(out, "keep!#$%&'*+-.^_`|~09azAZ: v\r\n");
}

TEST(H1Serializer, TokenCharactersAreExactlyThoseOfRfc9110) {
  const std::string delimiters = "\"(),/:;<=>?@[\\]{}";
  for (int c = 0; c < 256; ++c) {
    bool expected =
        c > 0x20 && c < 0x7f && delimiters.find(static_cast<char>(c)) == std::string::npos;
    EXPECT_EQ(is_tchar(static_cast<unsigned char>(c)), expected) << "byte " << c;
  }
}

TEST(H1Serializer, InPlaceWritersStayWithinTheirBounds) {
  // Room exactly as stated, with a guard byte after it that must survive.
  std::string name = "X-Trace";
  std::string value = "abc\rdef";
  std::string buf(field_size(name, value) + 1, '#');
  char* end = write_field(buf.data(), name, value);
  EXPECT_EQ(std::string(buf.data(), end), "X-Trace: abc def\r\n");
  EXPECT_EQ(buf.back(), '#');
  EXPECT_EQ(write_field(buf.data(), "no good", "v"), buf.data());

  std::string digits(kMaxDecimal + 1, '#');
  end = write_decimal(digits.data(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(std::string(digits.data(), end), "18446744073709551615");
  EXPECT_EQ(digits.back(), '#');
  end = write_decimal(digits.data(), 0);
  EXPECT_EQ(std::string(digits.data(), end), "0");
}

TEST(H1Serializer, DecimalAndChunkHeader) {
  std::string out;
  append_decimal(out, 0);
  out.push_back(' ');
  append_decimal(out, 1048576);
  out.push_back(' ');
  append_chunk_header(out, 0x1a2b);
  append_chunk_header(out, 0);
  EXPECT_EQ(out, "0 1048576 1a2b\r\n0\r\n");
}

}  // namespace
}  // namespace hs::http::h1
