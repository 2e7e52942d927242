#pragma once

// Entity tags and conditional-request evaluation (RFC 9110 §8.8, §13).
//
// Pure functions over header values already extracted by the caller. If a conditional header
// field occurs more than once, pass its field lines joined with "," (RFC 9110 §5.3); the list
// parsers treat the result as one list.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hs::http {

// Longest ETag make_etag() can produce: two quotes, '-', and two 16-digit hex numbers.
inline constexpr size_t kMaxEtagLength = 35;

// Writes a strong ETag for a file, in the same shape as nginx: "<hex mtime>-<hex size>" including
// the double quotes, lower-case hex without leading zeros, e.g. "\"5e0f3c2a-1a2b\"". A negative
// mtime is written as its 64-bit two's complement. Writes no NUL terminator. Returns the number of
// characters written, or 0 (writing nothing) if `cap` is too small; cap >= kMaxEtagLength always
// suffices.
size_t make_etag(int64_t mtime_seconds, uint64_t size, char* out, size_t cap);

// Convenience overload returning the ETag as a string.
std::string make_etag(int64_t mtime_seconds, uint64_t size);

// Validators of the selected representation.
struct Validators {
  // The complete entity-tag as sent in the ETag field: quotes included, with the "W/" prefix if
  // weak. Empty (or malformed) means the representation has no entity tag: no tag list matches it.
  std::string_view etag;
  // Last-Modified, in Unix seconds.
  int64_t last_modified = 0;
  // False if the representation has no modification date; date conditions are then ignored
  // (RFC 9110 §13.1.3, §13.1.4) and an If-Range date never matches.
  bool has_last_modified = true;
};

// Raw values of the request's conditional header fields; nullopt when a field is absent.
struct Conditionals {
  std::optional<std::string_view> if_match;
  std::optional<std::string_view> if_none_match;
  std::optional<std::string_view> if_modified_since;
  std::optional<std::string_view> if_unmodified_since;
};

enum class Precondition {
  kProceed,             // perform the method (Range may still apply)
  kNotModified,         // 304 Not Modified
  kPreconditionFailed,  // 412 Precondition Failed
};

// Evaluates the preconditions in the order of RFC 9110 §13.2.2, assuming the target resource has a
// current representation (callers answer 404 before asking):
//   1. If-Match present: false -> 412. "*" is true; otherwise true iff some listed tag is a
//      strong match (§8.8.3.2: neither tag weak, same opaque-tag).
//   2. Else If-Unmodified-Since present with a valid HTTP-date: false (last_modified > date)
//      -> 412.
//   3. If-None-Match present: "*" is false; otherwise false iff some listed tag is a weak match
//      (same opaque-tag, W/ ignored). False -> 304 for GET/HEAD, 412 for other methods.
//   4. Else, for GET/HEAD only, If-Modified-Since present with a valid HTTP-date: false
//      (last_modified <= date) -> 304.
//   5. Otherwise kProceed.
// Entity-tag lists are comma-separated with optional whitespace; empty members are allowed and
// malformed members are skipped (they match nothing). "*" is a wildcard only as the entire field
// value. Invalid dates are ignored, as are date conditions when !has_last_modified. RFC 850 dates
// are resolved against the current clock (see parse_http_date()).
Precondition evaluate_preconditions(bool is_get_or_head, const Conditionals& conditionals,
                                    const Validators& validators);

// Evaluates an If-Range field value (RFC 9110 §13.1.5). Returns true if the Range header should be
// honoured, false if the full representation must be sent instead.
//   - An entity-tag ('"' or "W/" first) matches only by strong comparison: a weak tag on either
//     side never matches.
//   - Otherwise the value must be a valid HTTP-date equal to last_modified exactly.
// Anything else (empty, a list, garbage) is false. Surrounding OWS is ignored.
bool if_range_matches(std::string_view if_range, const Validators& validators);

}  // namespace hs::http
