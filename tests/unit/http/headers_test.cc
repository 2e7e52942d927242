// http::iequals against a byte-at-a-time reference: every pair of bytes at every position of names
// from 1 to 24 bytes, so both the byte loop and the word-at-a-time path (with its overlapping last
// word) are covered, and bytes above 0x7f and next to the letter ranges are never folded.
#include "http/headers.h"

#include <gtest/gtest.h>

#include <string>

namespace hs::http {
namespace {

bool reference_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; };
    if (lower(static_cast<unsigned char>(a[i])) != lower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

TEST(Iequals, AgreesWithReferenceForEveryBytePairAtEveryPosition) {
  size_t mismatches = 0;
  size_t equal_seen = 0;
  for (size_t len = 1; len <= 24; ++len) {
    for (size_t pos = 0; pos < len; ++pos) {
      std::string a(len, 'x');
      std::string b(len, 'X');
      for (int x = 0; x < 256; ++x) {
        for (int y = 0; y < 256; ++y) {
          a[pos] = static_cast<char>(x);
          b[pos] = static_cast<char>(y);
          bool want = reference_iequals(a, b);
          equal_seen += want ? 1 : 0;
          if (iequals(a, b) != want) ++mismatches;
        }
      }
    }
  }
  EXPECT_EQ(mismatches, 0u);
  // 256 identical pairs plus 26 * 2 case pairs per position: the equal outcome was exercised.
  EXPECT_EQ(equal_seen, (256u + 52u) * (24u * 25u / 2u));
}

TEST(Iequals, FieldNames) {
  EXPECT_TRUE(iequals("Content-Length", "content-length"));
  EXPECT_TRUE(iequals("CONTENT-LENGTH", "Content-Length"));
  EXPECT_FALSE(iequals("Content-Lengtx", "Content-Length"));
  EXPECT_FALSE(iequals("Xontent-Length", "Content-Length"));
  EXPECT_FALSE(iequals("Content-Length", "Content-Length "));
  EXPECT_FALSE(iequals("Content\rLength", "Content-Length"));  // '\r' | 0x20 would be '-'
  EXPECT_FALSE(iequals("Content-Length", "Content\x0dLength"));
  EXPECT_FALSE(iequals("Transfer-Encodin\xc7", "Transfer-Encodin\xe7"));  // no folding above 0x7f
  EXPECT_FALSE(iequals("Transfer-Encoding", "Transfer-Encodinf"));
  EXPECT_TRUE(iequals("TRANSFER-ENCODING", "transfer-encoding"));
  EXPECT_FALSE(iequals("[]^_@`{}", "{}~\x7f`@[]"));  // neighbours of the letters stay apart
  EXPECT_TRUE(iequals("", ""));
}

}  // namespace
}  // namespace hs::http
