#pragma once

// HTTP-date formatting and parsing (RFC 9110 §5.6.7).
//
// All functions are pure arithmetic: no locale, no time zone database, no libc time conversion,
// so they are thread-safe and usable from any context. Times are Unix seconds (UTC, leap
// seconds not counted).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hs::http {

// Length of an IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
inline constexpr size_t kHttpDateLength = 29;

// Smallest and largest instants an IMF-fixdate can express (its year has exactly four digits):
// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z, proleptic Gregorian calendar.
inline constexpr int64_t kMinHttpDate = -62167219200;
inline constexpr int64_t kMaxHttpDate = 253402300799;

// Writes `unix_seconds` as an IMF-fixdate into out[0..28]. Exactly kHttpDateLength characters
// are written and no NUL terminator. Returns false (and leaves `out` untouched) if the instant is
// outside [kMinHttpDate, kMaxHttpDate].
bool format_http_date(int64_t unix_seconds, char out[kHttpDateLength]);

// Convenience overload: the IMF-fixdate as a string, or an empty string if out of range.
std::string format_http_date(int64_t unix_seconds);

// Parses an HTTP-date in any of the three formats a recipient must accept:
//   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
//   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"   (obsolete)
//   asctime      "Sun Nov  6 08:49:37 1994"         (obsolete; day may also be "06")
// Leading and trailing OWS (SP / HTAB) is ignored. Names ("Sun", "Nov", "GMT") are
// case-sensitive, as in the RFC grammar. The day name must be a valid name for the format but is
// not checked against the date. Hours 00-23, minutes 00-59, seconds 00-60 (a leap second counts
// as the first second of the next minute); the day must exist in the month (no Feb 30, Feb 29
// only in leap years). Anything else yields nullopt.
//
// The two-digit year of an RFC 850 date is placed in the 100-year window ending 50 years after
// the year of `now_unix_seconds`: a year that would be more than 50 years in the future is taken
// as the most recent past year with the same last two digits (RFC 9110 §5.6.7). The comparison
// is made on calendar years. A resulting year outside 0000-9999 (only possible for an absurd
// `now_unix_seconds`) yields nullopt.
std::optional<int64_t> parse_http_date(std::string_view value, int64_t now_unix_seconds);

// As above, with the current wall-clock time as the reference for RFC 850 two-digit years. The
// clock is read only for RFC 850 input.
std::optional<int64_t> parse_http_date(std::string_view value);

}  // namespace hs::http
