#include "http/http_date.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <random>
#include <string>

namespace hs::http {
namespace {

constexpr int64_t kRfcExample = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
constexpr int64_t kDay = 86400;

constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kLongWeekdays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Reference conversion through the C library (test only).
std::tm reference_tm(int64_t t) {
  const auto tt = static_cast<std::time_t>(t);
  std::tm tm{};
  EXPECT_NE(gmtime_r(&tt, &tm), nullptr);
  return tm;
}

std::string reference_imf(int64_t t) {
  const std::tm tm = reference_tm(t);
  char buf[64];
  (void)std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                      kWeekdays[tm.tm_wday], tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900,
                      tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string reference_rfc850(int64_t t) {
  const std::tm tm = reference_tm(t);
  char buf[64];
  (void)std::snprintf(buf, sizeof(buf), "%s, %02d-%s-%02d %02d:%02d:%02d GMT",
                      kLongWeekdays[tm.tm_wday], tm.tm_mday, kMonths[tm.tm_mon],
                      (tm.tm_year + 1900) % 100, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string reference_asctime(int64_t t) {
  const std::tm tm = reference_tm(t);
  char buf[64];
  (void)std::snprintf(buf, sizeof(buf), "%s %s %2d %02d:%02d:%02d %04d", kWeekdays[tm.tm_wday],
                      kMonths[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                      tm.tm_year + 1900);
  return buf;
}

std::string format_buffer(int64_t t) {
  char buf[kHttpDateLength + 1];
  std::memset(buf, '#', sizeof(buf));
  if (!format_http_date(t, buf)) {
    return "<false>";
  }
  EXPECT_EQ(buf[kHttpDateLength], '#') << "wrote past 29 characters";
  return std::string(buf, kHttpDateLength);
}

TEST(HttpDateFormat, KnownValues) {
  struct Case {
    int64_t t;
    const char* expected;
  };
  const Case cases[] = {
      {kRfcExample, "Sun, 06 Nov 1994 08:49:37 GMT"},
      {0, "Thu, 01 Jan 1970 00:00:00 GMT"},
      {-1, "Wed, 31 Dec 1969 23:59:59 GMT"},
      {951782400, "Tue, 29 Feb 2000 00:00:00 GMT"},
      {951868799, "Tue, 29 Feb 2000 23:59:59 GMT"},
      {4107542400, "Mon, 01 Mar 2100 00:00:00 GMT"},
      {2147483647, "Tue, 19 Jan 2038 03:14:07 GMT"},
      {2147483648, "Tue, 19 Jan 2038 03:14:08 GMT"},
      {-2208988800, "Mon, 01 Jan 1900 00:00:00 GMT"},
      {-62135596800, "Mon, 01 Jan 0001 00:00:00 GMT"},
      {kMinHttpDate, "Sat, 01 Jan 0000 00:00:00 GMT"},
      {kMaxHttpDate, "Fri, 31 Dec 9999 23:59:59 GMT"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(format_buffer(c.t), c.expected) << c.t;
    EXPECT_EQ(format_http_date(c.t), c.expected) << c.t;
  }
}

TEST(HttpDateFormat, OutOfRangeIsRejectedWithoutWriting) {
  const int64_t bad[] = {kMinHttpDate - 1, kMaxHttpDate + 1, std::numeric_limits<int64_t>::min(),
                         std::numeric_limits<int64_t>::max()};
  for (const int64_t t : bad) {
    char buf[kHttpDateLength];
    std::memset(buf, 'x', sizeof(buf));
    EXPECT_FALSE(format_http_date(t, buf)) << t;
    EXPECT_EQ(std::string(buf, sizeof(buf)), std::string(kHttpDateLength, 'x')) << t;
    EXPECT_EQ(format_http_date(t), "") << t;
  }
}

// Every day from 1970 to 2100 at a random time of day, in all three formats, against gmtime_r.
TEST(HttpDateRoundTrip, EveryDay1970To2100) {
  std::mt19937_64 rng(12345);
  std::uniform_int_distribution<int64_t> second_of_day(0, kDay - 1);
  const int64_t first_day = 0;
  const int64_t end_day = 4133980800 / kDay;  // 2101-01-01
  int checked = 0;
  for (int64_t day = first_day; day < end_day; ++day) {
    const int64_t t = day * kDay + second_of_day(rng);
    const std::string imf = format_http_date(t);
    ASSERT_EQ(imf, reference_imf(t)) << t;
    ASSERT_EQ(parse_http_date(imf, 0), t) << imf;
    // A reference "now" equal to the instant keeps the two-digit year in its own century.
    ASSERT_EQ(parse_http_date(reference_rfc850(t), t), t) << reference_rfc850(t);
    ASSERT_EQ(parse_http_date(reference_asctime(t), 0), t) << reference_asctime(t);
    ++checked;
  }
  EXPECT_EQ(checked, 47847);
}

TEST(HttpDateRoundTrip, RandomInstantsOverWholeRange) {
  std::mt19937_64 rng(987654321);
  std::uniform_int_distribution<int64_t> instant(kMinHttpDate, kMaxHttpDate);
  for (int i = 0; i < 200000; ++i) {
    const int64_t t = instant(rng);
    const std::string imf = format_http_date(t);
    ASSERT_EQ(imf, reference_imf(t)) << t;
    ASSERT_EQ(parse_http_date(imf, 0), t) << imf;
    ASSERT_EQ(parse_http_date(reference_asctime(t), 0), t) << reference_asctime(t);
  }
}

TEST(HttpDateRoundTrip, RangeEndsAndCenturyBoundaries) {
  const int64_t instants[] = {kMinHttpDate,
                              kMinHttpDate + 1,
                              kMinHttpDate + kDay * 59,
                              kMinHttpDate + kDay * 60,  // 0000-03-01 (year 0 is leap)
                              -62135596801,
                              -62135596800,
                              -12219292800,
                              -2208988801,
                              946684799,
                              946684800,
                              4102444799,
                              4102444800,
                              253402214400,
                              kMaxHttpDate - 1,
                              kMaxHttpDate};
  for (const int64_t t : instants) {
    EXPECT_EQ(format_http_date(t), reference_imf(t)) << t;
    EXPECT_EQ(parse_http_date(format_http_date(t), 0), t) << t;
  }
}

TEST(HttpDateParse, ThreeFormatsOfTheRfcExample) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), kRfcExample);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", 1700000000), kRfcExample);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), kRfcExample);
  EXPECT_EQ(parse_http_date("Sun Nov 06 08:49:37 1994"), kRfcExample);  // 2DIGIT day
  EXPECT_EQ(parse_http_date("Wed Nov 16 08:49:37 1994"), kRfcExample + 10 * kDay);
}

TEST(HttpDateParse, ClockOverloadHandlesAllFormats) {
  // Valid until 2044, after which "94" would denote 2094 (within 50 years).
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), kRfcExample);
  EXPECT_EQ(parse_http_date("  Sun, 06 Nov 1994 08:49:37 GMT\t"), kRfcExample);
  EXPECT_EQ(parse_http_date("garbage"), std::nullopt);
}

TEST(HttpDateParse, SurroundingOwsIsIgnored) {
  EXPECT_EQ(parse_http_date(" \t Sun, 06 Nov 1994 08:49:37 GMT \t ", 0), kRfcExample);
  EXPECT_EQ(parse_http_date("\tSun Nov  6 08:49:37 1994 ", 0), kRfcExample);
  EXPECT_EQ(parse_http_date(" Sunday, 06-Nov-94 08:49:37 GMT ", 1700000000), kRfcExample);
}

TEST(HttpDateParse, DayNameIsNotCheckedAgainstDate) {
  EXPECT_EQ(parse_http_date("Mon, 06 Nov 1994 08:49:37 GMT", 0), kRfcExample);
  EXPECT_EQ(parse_http_date("Friday, 06-Nov-94 08:49:37 GMT", 1700000000), kRfcExample);
  EXPECT_EQ(parse_http_date("Sat Nov  6 08:49:37 1994", 0), kRfcExample);
}

TEST(HttpDateParse, LeapSecondsAndLeapDays) {
  EXPECT_EQ(parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT", 0), 1483228800);
  EXPECT_EQ(parse_http_date("Sat, 31 Dec 2016 23:59:59 GMT", 0), 1483228799);
  EXPECT_EQ(parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT", 0), 951782400);
  EXPECT_EQ(parse_http_date("Thu, 29 Feb 2024 12:00:00 GMT", 0), 1709208000);
  EXPECT_EQ(parse_http_date("Sat, 29 Feb 0000 00:00:00 GMT", 0), kMinHttpDate + 59 * kDay);
  EXPECT_EQ(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT", 0), kMaxHttpDate);
  EXPECT_EQ(parse_http_date("Fri, 31 Dec 9999 23:59:60 GMT", 0), kMaxHttpDate + 1);
}

TEST(HttpDateParse, InvalidValues) {
  const char* const invalid[] = {
      "",
      " ",
      "Sun",
      "Sun,",
      "Sun, 06 Nov 1994 08:49:37",                                     // no GMT
      "Sun, 06 Nov 1994 08:49:37 UTC",                                 // wrong zone
      "Sun, 06 Nov 1994 08:49:37 gmt",                                 // names are case-sensitive
      "sun, 06 Nov 1994 08:49:37 GMT",                                 //
      "Sun, 06 nov 1994 08:49:37 GMT",                                 //
      "Sun, 06 NOV 1994 08:49:37 GMT",                                 //
      "Sun, 6 Nov 1994 08:49:37 GMT",                                  // IMF day needs 2 digits
      "Sun,  06 Nov 1994 08:49:37 GMT",                                // extra SP
      "Sun, 06 Nov 1994  08:49:37 GMT",                                //
      "Sun, 06 Nov 94 08:49:37 GMT",                                   // 2-digit year in IMF
      "Sun, 06 Nov 01994 08:49:37 GMT",                                //
      "Sun, 06 Nov 1994 8:49:37 GMT",                                  //
      "Sun, 06 Nov 1994 08:49 GMT",                                    //
      "Sun, 06 Nov 1994 08:49:37 GMTX",                                // trailing garbage
      "Sun, 06 Nov 1994 08:49:37 GMT,",                                //
      "Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT",  // a list
      "Sun, 06-Nov-1994 08:49:37 GMT",                                 // mixed formats
      "Sunday, 06 Nov 1994 08:49:37 GMT",                              //
      "Sun, 06-Nov-94 08:49:37 GMT",       // RFC 850 needs the long day name
      "Sundy, 06-Nov-94 08:49:37 GMT",     //
      "Sunday, 06-Nov-1994 08:49:37 GMT",  //
      "Sunday, 6-Nov-94 08:49:37 GMT",     //
      "Sunday 06-Nov-94 08:49:37 GMT",     //
      "Sun Nov 6 08:49:37 1994",           // asctime single digit needs SP padding
      "Sun Nov  6 08:49:37 94",            //
      "Sun Nov  6 08:49:37 1994 GMT",      //
      "Sun Nov   6 08:49:37 1994",         //
      "Sun, 00 Nov 1994 08:49:37 GMT",     // day 0
      "Sun, 31 Nov 1994 08:49:37 GMT",     // November has 30 days
      "Sun, 32 Dec 1994 08:49:37 GMT",     //
      "Sun, 29 Feb 1900 08:49:37 GMT",     // 1900 is not a leap year
      "Sun, 29 Feb 2023 08:49:37 GMT",     //
      "Sun, 30 Feb 2000 08:49:37 GMT",     //
      "Sun, 06 Nov 1994 24:00:00 GMT",     // hour 24
      "Sun, 06 Nov 1994 23:60:00 GMT",     // minute 60
      "Sun, 06 Nov 1994 23:59:61 GMT",     // second 61
      "Sun, 06 Nov 1994 -8:49:37 GMT",     //
      "Sun, 06 Nov 1994 08:49:3a GMT",     //
      "Sun, 06 Nov +994 08:49:37 GMT",     //
      "Sun Nov  0 08:49:37 1994",          //
      "Sun Feb 29 08:49:37 2100",          //
      "1994-11-06T08:49:37Z",              // ISO 8601
      "784111777",                         //
  };
  for (const char* value : invalid) {
    EXPECT_EQ(parse_http_date(value, 1700000000), std::nullopt) << '"' << value << '"';
  }
  // Embedded NUL.
  std::string with_nul = "Sun, 06 Nov 1994 08:49:37 GMT";
  with_nul.push_back('\0');
  EXPECT_EQ(parse_http_date(with_nul, 0), std::nullopt);
  with_nul = "Sun, 06 Nov 1994 08:49:37 GMT";
  with_nul[16] = '\0';
  EXPECT_EQ(parse_http_date(with_nul, 0), std::nullopt);
}

TEST(HttpDateParse, Rfc850TwoDigitYearWindow) {
  struct Case {
    const char* now;  // IMF-fixdate of the reference instant
    const char* yy;
    int expected_year;
  };
  const Case cases[] = {
      {"Mon, 01 Jan 2024 00:00:00 GMT", "94", 1994}, {"Mon, 01 Jan 2024 00:00:00 GMT", "24", 2024},
      {"Mon, 01 Jan 2024 00:00:00 GMT", "00", 2000}, {"Mon, 01 Jan 2024 00:00:00 GMT", "74", 2074},
      {"Mon, 01 Jan 2024 00:00:00 GMT", "75", 1975}, {"Mon, 01 Jan 2024 00:00:00 GMT", "99", 1999},
      {"Thu, 01 Jan 2099 00:00:00 GMT", "00", 2100}, {"Thu, 01 Jan 2099 00:00:00 GMT", "49", 2149},
      {"Thu, 01 Jan 2099 00:00:00 GMT", "50", 2050}, {"Thu, 01 Jan 1970 00:00:00 GMT", "20", 2020},
      {"Thu, 01 Jan 1970 00:00:00 GMT", "21", 1921}, {"Thu, 01 Jan 1970 00:00:00 GMT", "70", 1970},
  };
  for (const auto& c : cases) {
    const auto now = parse_http_date(c.now, 0);
    ASSERT_TRUE(now.has_value()) << c.now;
    const std::string value = std::string("Monday, 01-Mar-") + c.yy + " 00:00:00 GMT";
    const auto parsed = parse_http_date(value, *now);
    ASSERT_TRUE(parsed.has_value()) << value;
    char expected[64];
    (void)std::snprintf(expected, sizeof(expected), "01 Mar %04d 00:00:00 GMT", c.expected_year);
    EXPECT_EQ(format_http_date(*parsed).substr(5), expected) << value << " relative to " << c.now;
  }
}

TEST(HttpDateParse, Rfc850WithExtremeReferenceIsRejected) {
  const char* value = "Sunday, 06-Nov-94 08:49:37 GMT";
  EXPECT_EQ(parse_http_date(value, std::numeric_limits<int64_t>::max()), std::nullopt);
  EXPECT_EQ(parse_http_date(value, std::numeric_limits<int64_t>::min()), std::nullopt);
  // Reference in year 9990: "94" -> 9994 is within 50 years, accepted.
  const auto now = parse_http_date("Mon, 01 Jan 9990 00:00:00 GMT", 0);
  ASSERT_TRUE(now.has_value());
  const auto parsed = parse_http_date(value, *now);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(format_http_date(*parsed).substr(5), "06 Nov 9994 08:49:37 GMT");
  // Reference in year 9980: "20" -> 10020 is out of range.
  const auto late = parse_http_date("Mon, 01 Jan 9980 00:00:00 GMT", 0);
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(parse_http_date("Monday, 01-Jan-20 00:00:00 GMT", *late), std::nullopt);
}

}  // namespace
}  // namespace hs::http
