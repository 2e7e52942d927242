#include "http/range.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace hs::http {
namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

struct Case {
  const char* value;
  uint64_t size;
  RangeStatus status;
  std::vector<ByteRange> ranges;
};

void run_cases(const std::vector<Case>& cases, size_t max_ranges = 16) {
  for (const auto& c : cases) {
    const RangeSet set = parse_range(c.value, c.size, max_ranges);
    EXPECT_EQ(set.status, c.status) << '"' << c.value << "\" size " << c.size;
    EXPECT_EQ(set.ranges, c.ranges) << '"' << c.value << "\" size " << c.size;
  }
}

constexpr RangeStatus kOk = RangeStatus::kSatisfiable;
constexpr RangeStatus kIgnore = RangeStatus::kIgnore;
constexpr RangeStatus k416 = RangeStatus::kUnsatisfiable;

TEST(ParseRange, SingleRanges) {
  run_cases({
      {"bytes=0-4", 13, kOk, {{0, 4}}},
      {"bytes=0-0", 13, kOk, {{0, 0}}},
      {"bytes=12-12", 13, kOk, {{12, 12}}},
      {"bytes=5-", 13, kOk, {{5, 12}}},
      {"bytes=0-", 13, kOk, {{0, 12}}},
      {"bytes=12-", 13, kOk, {{12, 12}}},
      {"bytes=0-12", 13, kOk, {{0, 12}}},
      {"bytes=3-100", 13, kOk, {{3, 12}}},  // last clamped
      {"bytes=0-18446744073709551615", 13, kOk, {{0, 12}}},
      {"bytes=007-0009", 13, kOk, {{7, 9}}},  // leading zeros
      {"bytes=0-4", kMax, kOk, {{0, 4}}},
      {"bytes=18446744073709551614-", kMax, kOk, {{kMax - 1, kMax - 1}}},
  });
}

TEST(ParseRange, SuffixRanges) {
  run_cases({
      {"bytes=-5", 13, kOk, {{8, 12}}},
      {"bytes=-1", 13, kOk, {{12, 12}}},
      {"bytes=-13", 13, kOk, {{0, 12}}},
      {"bytes=-14", 13, kOk, {{0, 12}}},  // longer than the representation: all of it
      {"bytes=-18446744073709551615", 13, kOk, {{0, 12}}},
      {"bytes=-0", 13, k416, {}},
      {"bytes=-000", 13, k416, {}},
      {"bytes=-0, 0-1", 13, kOk, {{0, 1}}},
  });
}

TEST(ParseRange, Unsatisfiable) {
  run_cases({
      {"bytes=13-", 13, k416, {}},
      {"bytes=13-20", 13, k416, {}},
      {"bytes=100-200", 13, k416, {}},
      {"bytes=13-, 20-30, -0", 13, k416, {}},
      {"bytes=13-, 2-3", 13, kOk, {{2, 3}}},  // unsatisfiable members are dropped
      {"bytes=18446744073709551615-18446744073709551615", 13, k416, {}},
  });
}

TEST(ParseRange, EmptyRepresentation) {
  run_cases({
      {"bytes=0-", 0, k416, {}},
      {"bytes=0-0", 0, k416, {}},
      {"bytes=-1", 0, k416, {}},
      {"bytes=-0", 0, k416, {}},
      {"bytes=0-0, -5", 0, k416, {}},
      {"bytes=5-4", 0, kIgnore, {}},  // syntax errors still win
      {"pages=0-0", 0, kIgnore, {}},
  });
}

TEST(ParseRange, MultipleRangesAreSortedAndMerged) {
  run_cases({
      {"bytes=0-1,4-5", 13, kOk, {{0, 1}, {4, 5}}},
      {"bytes=4-5,0-1", 13, kOk, {{0, 1}, {4, 5}}},  // sorted
      {"bytes=0-1,2-3", 13, kOk, {{0, 3}}},          // adjacent
      {"bytes=0-5,3-8", 13, kOk, {{0, 8}}},          // overlapping
      {"bytes=3-8,0-5", 13, kOk, {{0, 8}}},          //
      {"bytes=0-10,2-3", 13, kOk, {{0, 10}}},        // contained
      {"bytes=2-3,0-10", 13, kOk, {{0, 10}}},        //
      {"bytes=0-1,3-4,6-7", 13, kOk, {{0, 1}, {3, 4}, {6, 7}}},
      {"bytes=0-1,3-4,2-2", 13, kOk, {{0, 4}}},       // middle one bridges
      {"bytes=0-0,0-0,0-0", 13, kOk, {{0, 0}}},       // duplicates
      {"bytes=-3,0-2", 13, kOk, {{0, 2}, {10, 12}}},  // suffix sorted after
      {"bytes=-3,9-", 13, kOk, {{9, 12}}},            // suffix overlapping open range
      {"bytes=0-,-1", 13, kOk, {{0, 12}}},            //
      {"bytes=5-6,1-2,9-10,3-3", 13, kOk, {{1, 3}, {5, 6}, {9, 10}}},
      {"bytes=10-20,11-30", 13, kOk, {{10, 12}}},  // merged after clamping
  });
}

TEST(ParseRange, Whitespace) {
  run_cases({
      {" bytes=0-4 ", 13, kOk, {{0, 4}}},
      {"\tbytes=0-4\t", 13, kOk, {{0, 4}}},
      {"bytes= 0-4", 13, kOk, {{0, 4}}},
      {"bytes=0-1 , 4-5", 13, kOk, {{0, 1}, {4, 5}}},
      {"bytes=0-1,\t4-5", 13, kOk, {{0, 1}, {4, 5}}},
      {"bytes=0-1,,4-5", 13, kOk, {{0, 1}, {4, 5}}},  // empty list elements
      {"bytes=,0-1", 13, kOk, {{0, 1}}},
      {"bytes=0-1,", 13, kOk, {{0, 1}}},
      {"bytes= , 0-1 , ,", 13, kOk, {{0, 1}}},
      {"bytes =0-4", 13, kIgnore, {}},  // no BWS around '='
      {"bytes= 0 -4", 13, kIgnore, {}},
      {"bytes=0- 4", 13, kIgnore, {}},
      {"bytes=0 - 4", 13, kIgnore, {}},
      {"bytes=- 5", 13, kIgnore, {}},
      {"bytes=0-1 4-5", 13, kIgnore, {}},
  });
}

TEST(ParseRange, UnitIsCaseInsensitive) {
  run_cases({
      {"Bytes=0-4", 13, kOk, {{0, 4}}},
      {"BYTES=0-4", 13, kOk, {{0, 4}}},
      {"bYtEs=0-4", 13, kOk, {{0, 4}}},
  });
}

TEST(ParseRange, SyntaxErrorsAreIgnored) {
  run_cases({
      {"", 13, kIgnore, {}},
      {"bytes", 13, kIgnore, {}},
      {"bytes=", 13, kIgnore, {}},
      {"bytes=,", 13, kIgnore, {}},
      {"bytes= , ", 13, kIgnore, {}},
      {"=0-4", 13, kIgnore, {}},
      {"items=0-4", 13, kIgnore, {}},
      {"byte=0-4", 13, kIgnore, {}},
      {"bytess=0-4", 13, kIgnore, {}},
      {"none", 13, kIgnore, {}},
      {"bytes=0", 13, kIgnore, {}},
      {"bytes=-", 13, kIgnore, {}},
      {"bytes=--5", 13, kIgnore, {}},
      {"bytes=1-2-3", 13, kIgnore, {}},
      {"bytes=a-4", 13, kIgnore, {}},
      {"bytes=0-4a", 13, kIgnore, {}},
      {"bytes=0x1-4", 13, kIgnore, {}},
      {"bytes=+1-4", 13, kIgnore, {}},
      {"bytes=-+5", 13, kIgnore, {}},
      {"bytes=-5-", 13, kIgnore, {}},
      {"bytes=5-4", 13, kIgnore, {}},      // last < first
      {"bytes=20-19", 13, kIgnore, {}},    // even when unsatisfiable
      {"bytes=0-1,5-4", 13, kIgnore, {}},  // one bad member spoils all
      {"bytes=0-1,x", 13, kIgnore, {}},
      {"bytes=0-1;2-3", 13, kIgnore, {}},
      {"bytes=0-4=", 13, kIgnore, {}},
      {"bytes==0-4", 13, kIgnore, {}},
      {"bytes=0-4, bytes=5-6", 13, kIgnore, {}},
  });
}

TEST(ParseRange, OverflowingDigitsAreIgnored) {
  run_cases({
      {"bytes=18446744073709551616-", 13, kIgnore, {}},
      {"bytes=0-18446744073709551616", 13, kIgnore, {}},
      {"bytes=-18446744073709551616", 13, kIgnore, {}},
      {"bytes=99999999999999999999999999-", 13, kIgnore, {}},
      {"bytes=0-1,-99999999999999999999999999", 13, kIgnore, {}},
      {"bytes=000000000000000000000000000001-2", 13, kOk, {{1, 2}}},  // long but small
  });
}

TEST(ParseRange, MaxRanges) {
  const std::string three = "bytes=0-0,2-2,4-4";
  EXPECT_EQ(parse_range(three, 13, 3).status, kOk);
  EXPECT_EQ(parse_range(three, 13, 3).ranges.size(), 3u);
  EXPECT_EQ(parse_range(three, 13, 2).status, kIgnore);
  EXPECT_TRUE(parse_range(three, 13, 2).ranges.empty());
  EXPECT_EQ(parse_range("bytes=0-0", 13, 0).status, kIgnore);
  EXPECT_EQ(parse_range("bytes=20-", 13, 0).status, k416);  // limit applies to satisfiable sets

  // Counted after merging: many overlapping ranges collapse to one.
  std::string overlapping = "bytes=";
  for (int i = 0; i < 1000; ++i) {
    overlapping += "0-" + std::to_string(i) + ",";
  }
  run_cases({{overlapping.c_str(), 13, kOk, {{0, 12}}}}, 1);

  // 17 disjoint ranges exceed the default limit of 16; 16 do not.
  std::string sixteen = "bytes=";
  for (int i = 0; i < 16; ++i) {
    sixteen += std::to_string(i * 2) + "-" + std::to_string(i * 2) + ",";
  }
  EXPECT_EQ(parse_range(sixteen, 100).status, kOk);
  EXPECT_EQ(parse_range(sixteen, 100).ranges.size(), 16u);
  EXPECT_EQ(parse_range(sixteen + "40-41", 100).status, kIgnore);
  // Adjacent ranges merge, so the same number of members stays satisfiable.
  std::string adjacent = "bytes=";
  for (int i = 0; i < 100; ++i) {
    adjacent += std::to_string(i) + "-" + std::to_string(i) + ",";
  }
  run_cases({{adjacent.c_str(), 1000, kOk, {{0, 99}}}}, 1);
}

// ---------------------------------------------------------------------------------------------

std::string content_range(ByteRange r, uint64_t size, size_t cap = kMaxContentRangeLength) {
  std::vector<char> buf(cap + 1, '#');
  const size_t n = format_content_range(r, size, buf.data(), cap);
  EXPECT_EQ(buf[cap], '#');
  if (n == 0) {
    EXPECT_EQ(std::string(buf.begin(), buf.end()), std::string(cap + 1, '#'));
  }
  return std::string(buf.data(), n);
}

TEST(ContentRange, Format) {
  EXPECT_EQ(content_range({0, 4}, 13), "bytes 0-4/13");
  EXPECT_EQ(content_range({12, 12}, 13), "bytes 12-12/13");
  EXPECT_EQ(content_range({0, 0}, 1), "bytes 0-0/1");
  EXPECT_EQ(content_range({kMax - 2, kMax - 1}, kMax),
            "bytes 18446744073709551613-18446744073709551614/18446744073709551615");
  EXPECT_EQ(content_range({0, 4}, 13, 12), "bytes 0-4/13");  // exact fit
}

TEST(ContentRange, RejectsBadInputOrSmallBuffer) {
  EXPECT_EQ(content_range({0, 4}, 13, 11), "");
  EXPECT_EQ(content_range({0, 4}, 13, 0), "");
  EXPECT_EQ(content_range({5, 4}, 13), "");   // first > last
  EXPECT_EQ(content_range({0, 13}, 13), "");  // beyond the end
  EXPECT_EQ(content_range({0, 0}, 0), "");
  EXPECT_EQ(format_content_range({0, 4}, 13, nullptr, 100), 0u);
}

TEST(ContentRange, Unsatisfied) {
  EXPECT_EQ(unsatisfied_content_range(13), "bytes */13");
  EXPECT_EQ(unsatisfied_content_range(0), "bytes */0");
  EXPECT_EQ(unsatisfied_content_range(kMax), "bytes */18446744073709551615");
}

}  // namespace
}  // namespace hs::http
