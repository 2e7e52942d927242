#include "http/http_date.h"

#include <algorithm>
#include <chrono>

namespace hs::http {
namespace {

constexpr std::string_view kDayNames[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::string_view kLongDayNames[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                               "Thursday", "Friday", "Saturday"};
constexpr std::string_view kMonthNames[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

constexpr int64_t kSecondsPerDay = 86400;
constexpr int64_t kDaysPer400Years = 146097;
constexpr int64_t kDaysPer100Years = 36524;
constexpr int64_t kDaysPer4Years = 1461;

// The calendar arithmetic counts years that begin on March 1st. February then closes the year,
// so the leap day is always the last day of a counted year and month offsets need no leap case.
// kMarchMonthStart[i] is the day-of-year of the first day of the i-th month counted from March.
constexpr int64_t kMarchMonthStart[12] = {0, 31, 61, 92, 122, 153, 184, 214, 245, 275, 306, 337};

// Days from 0000-03-01 (start of March-based year 0) to 1970-01-01.
constexpr int64_t kEpochShift = 719468;

// 1970-01-01 was a Thursday (index 4 in kDayNames).
constexpr int64_t kEpochWeekday = 4;

constexpr int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0))) {
    --q;
  }
  return q;
}

constexpr bool is_leap_year(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr int days_in_month(int64_t year, int month) {
  constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

struct CivilDate {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

// Days since 1970-01-01 of a proleptic Gregorian date.
constexpr int64_t days_from_civil(int64_t year, int month, int day) {
  const int64_t y = month <= 2 ? year - 1 : year;
  const int march_month = month <= 2 ? month + 9 : month - 3;
  // Leap days inside March-based years 0..y-1 are the Feb 29ths of calendar years 1..y.
  const int64_t leap_days = floor_div(y, 4) - floor_div(y, 100) + floor_div(y, 400);
  return 365 * y + leap_days + kMarchMonthStart[march_month] + (day - 1) - kEpochShift;
}

constexpr CivilDate civil_from_days(int64_t days) {
  const int64_t shifted = days + kEpochShift;
  const int64_t era = floor_div(shifted, kDaysPer400Years);
  int64_t rem = shifted - era * kDaysPer400Years;  // [0, 146096]
  // Within an era only the last century and, within a century or four-year block, only the last
  // year carry the extra day, so clamping the quotient absorbs it.
  const int64_t centuries = std::min<int64_t>(rem / kDaysPer100Years, 3);
  rem -= centuries * kDaysPer100Years;
  const int64_t quads = rem / kDaysPer4Years;
  rem -= quads * kDaysPer4Years;
  const int64_t years = std::min<int64_t>(rem / 365, 3);
  rem -= years * 365;  // day of the March-based year, [0, 365]
  int march_month = 11;
  while (kMarchMonthStart[march_month] > rem) {
    --march_month;
  }
  CivilDate date{};
  date.day = static_cast<int>(rem - kMarchMonthStart[march_month]) + 1;
  date.month = march_month < 10 ? march_month + 3 : march_month - 9;
  date.year = era * 400 + centuries * 100 + quads * 4 + years + (date.month <= 2 ? 1 : 0);
  return date;
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11017);
static_assert(civil_from_days(11016).month == 2 && civil_from_days(11016).day == 29);

void put2(char* p, int64_t v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// Sequential reader over a date string; every accessor consumes only on success.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}

  bool at_end() const { return s_.empty(); }

  bool literal(std::string_view lit) {
    if (s_.substr(0, lit.size()) != lit) {
      return false;
    }
    s_.remove_prefix(lit.size());
    return true;
  }

  // Exactly `count` ASCII digits.
  bool digits(int count, int& value) {
    if (s_.size() < static_cast<size_t>(count)) {
      return false;
    }
    int v = 0;
    for (int i = 0; i < count; ++i) {
      const char c = s_[static_cast<size_t>(i)];
      if (c < '0' || c > '9') {
        return false;
      }
      v = v * 10 + (c - '0');
    }
    s_.remove_prefix(static_cast<size_t>(count));
    value = v;
    return true;
  }

  // Index of the name at the cursor, or -1. No name in a table is a prefix of another.
  template <size_t N>
  int name(const std::string_view (&names)[N]) {
    for (size_t i = 0; i < N; ++i) {
      if (literal(names[i])) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

 private:
  std::string_view s_;
};

struct Fields {
  int64_t year = 0;
  int month = 0;  // 1..12
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
};

bool read_month(Cursor& c, Fields& f) {
  const int m = c.name(kMonthNames);
  f.month = m + 1;
  return m >= 0;
}

bool read_time_of_day(Cursor& c, Fields& f) {
  return c.digits(2, f.hour) && c.literal(":") && c.digits(2, f.minute) && c.literal(":") &&
         c.digits(2, f.second) && f.hour <= 23 && f.minute <= 59 && f.second <= 60;
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
bool parse_imf_fixdate(Cursor& c, Fields& f) {
  int year = 0;
  const bool ok = c.name(kDayNames) >= 0 && c.literal(", ") && c.digits(2, f.day) &&
                  c.literal(" ") && read_month(c, f) && c.literal(" ") && c.digits(4, year) &&
                  c.literal(" ") && read_time_of_day(c, f) && c.literal(" GMT") && c.at_end();
  f.year = year;
  return ok;
}

// "Sunday, 06-Nov-94 08:49:37 GMT"
bool parse_rfc850(Cursor& c, Fields& f, int64_t now_unix_seconds) {
  int yy = 0;
  const bool ok = c.name(kLongDayNames) >= 0 && c.literal(", ") && c.digits(2, f.day) &&
                  c.literal("-") && read_month(c, f) && c.literal("-") && c.digits(2, yy) &&
                  c.literal(" ") && read_time_of_day(c, f) && c.literal(" GMT") && c.at_end();
  if (!ok) {
    return false;
  }
  const int64_t now_year = civil_from_days(floor_div(now_unix_seconds, kSecondsPerDay)).year;
  int64_t year = floor_div(now_year, 100) * 100 + yy;
  if (year > now_year + 50) {
    year -= 100;
  } else if (year <= now_year - 50) {
    year += 100;
  }
  f.year = year;
  return true;
}

// "Sun Nov  6 08:49:37 1994" (the day is "( 2DIGIT / ( SP DIGIT ) )")
bool parse_asctime(Cursor& c, Fields& f) {
  int year = 0;
  bool ok = c.name(kDayNames) >= 0 && c.literal(" ") && read_month(c, f) && c.literal(" ");
  if (ok) {
    ok = c.literal(" ") ? c.digits(1, f.day) : c.digits(2, f.day);
  }
  ok = ok && c.literal(" ") && read_time_of_day(c, f) && c.literal(" ") && c.digits(4, year) &&
       c.at_end();
  f.year = year;
  return ok;
}

bool is_ows(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_ows(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

bool format_http_date(int64_t unix_seconds, char out[kHttpDateLength]) {
  if (unix_seconds < kMinHttpDate || unix_seconds > kMaxHttpDate) {
    return false;
  }
  const int64_t days = floor_div(unix_seconds, kSecondsPerDay);
  const int64_t second_of_day = unix_seconds - days * kSecondsPerDay;
  const CivilDate date = civil_from_days(days);
  const int64_t weekday = ((days + kEpochWeekday) % 7 + 7) % 7;

  const std::string_view day_name = kDayNames[weekday];
  const std::string_view month_name = kMonthNames[date.month - 1];
  char* p = out;
  p = std::copy(day_name.begin(), day_name.end(), p);
  *p++ = ',';
  *p++ = ' ';
  put2(p, date.day);
  p += 2;
  *p++ = ' ';
  p = std::copy(month_name.begin(), month_name.end(), p);
  *p++ = ' ';
  put2(p, date.year / 100);
  put2(p + 2, date.year % 100);
  p += 4;
  *p++ = ' ';
  put2(p, second_of_day / 3600);
  p[2] = ':';
  put2(p + 3, second_of_day / 60 % 60);
  p[5] = ':';
  put2(p + 6, second_of_day % 60);
  p += 8;
  std::copy_n(" GMT", 4, p);
  return true;
}

std::string format_http_date(int64_t unix_seconds) {
  char buf[kHttpDateLength];
  if (!format_http_date(unix_seconds, buf)) {
    return {};
  }
  return std::string(buf, kHttpDateLength);
}

std::optional<int64_t> parse_http_date(std::string_view value, int64_t now_unix_seconds) {
  value = trim_ows(value);
  if (value.size() < 4) {
    return std::nullopt;
  }
  // The fourth character tells the formats apart: ',' after a short day name (IMF-fixdate),
  // SP after a short day name (asctime), otherwise a long day name (RFC 850).
  Cursor cursor(value);
  Fields f;
  bool ok = false;
  if (value[3] == ',') {
    ok = parse_imf_fixdate(cursor, f);
  } else if (value[3] == ' ') {
    ok = parse_asctime(cursor, f);
  } else {
    ok = parse_rfc850(cursor, f, now_unix_seconds);
  }
  // The year bound only matters for RFC 850 relative to an extreme `now`; it keeps the
  // arithmetic below far from overflow.
  if (!ok || f.year < 0 || f.year > 9999 || f.day < 1 || f.day > days_in_month(f.year, f.month)) {
    return std::nullopt;
  }
  return days_from_civil(f.year, f.month, f.day) * kSecondsPerDay + int64_t{f.hour} * 3600 +
         int64_t{f.minute} * 60 + f.second;
}

std::optional<int64_t> parse_http_date(std::string_view value) {
  value = trim_ows(value);
  // Only RFC 850 dates need the clock; both other formats have a ',' or SP as fourth character.
  int64_t now = 0;
  if (value.size() >= 4 && value[3] != ',' && value[3] != ' ') {
    now = std::chrono::duration_cast<std::chrono::seconds>(
              std::chrono::system_clock::now().time_since_epoch())
              .count();
  }
  return parse_http_date(value, now);
}

}  // namespace hs::http
