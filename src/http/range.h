#pragma once

// Byte-range requests (RFC 9110 §14).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hs::http {

// An inclusive byte range [first, last] of a representation; first <= last < size.
struct ByteRange {
  uint64_t first;
  uint64_t last;

  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

enum class RangeStatus {
  kIgnore,         // no usable Range: serve the whole representation (200)
  kSatisfiable,    // serve `ranges` (206)
  kUnsatisfiable,  // 416 Range Not Satisfiable, with unsatisfied_content_range()
};

struct RangeSet {
  RangeStatus status = RangeStatus::kIgnore;
  // Only for kSatisfiable: non-empty, sorted by `first`, pairwise disjoint and non-adjacent, each
  // within [0, size). Empty otherwise.
  std::vector<ByteRange> ranges;
};

// Parses a Range field value against a representation of `size` bytes.
//
// Syntax: the unit "bytes" (case-insensitive), "=", then a comma-separated list of
// "first-last", "first-" or "-suffix" with decimal positions. Optional whitespace (SP / HTAB) is
// allowed around list members and around the whole value; empty list members are tolerated as in
// the RFC list syntax, but at least one range must be present. Any syntax error, a unit other
// than bytes, last < first, or a number that does not fit in uint64 makes the whole field
// kIgnore (RFC 9110 §14.2: an invalid Range is ignored).
//
// Resolution: a range with first >= size is unsatisfiable and dropped; last is clamped to
// size - 1; "-N" selects the last N bytes (the whole representation if N > size) and "-0" is
// unsatisfiable. If nothing remains the result is kUnsatisfiable; in particular every range is
// unsatisfiable when size == 0. The remaining ranges are sorted and overlapping or adjacent ones
// merged (RFC 9110 §14.2 permits coalescing; it defeats overlap amplification). If more than
// `max_ranges` ranges remain after merging the result is kIgnore, so an abusive request gets the
// plain 200 response (max_ranges == 0 therefore never yields kSatisfiable).
RangeSet parse_range(std::string_view value, uint64_t size, size_t max_ranges = 16);

// Longest output of format_content_range(): "bytes " + three 20-digit numbers + '-' + '/'.
inline constexpr size_t kMaxContentRangeLength = 68;

// Writes a Content-Range field value for `range` of a representation of `size` bytes, e.g.
// "bytes 0-4/13". Writes no NUL terminator. Returns the number of characters written, or 0
// (writing nothing) if `cap` is too small or the range is not within [0, size) with
// first <= last. cap >= kMaxContentRangeLength always suffices.
size_t format_content_range(const ByteRange& range, uint64_t size, char* out, size_t cap);

// The Content-Range field value for a 416 response: "bytes */<size>", e.g. "bytes */13".
std::string unsatisfied_content_range(uint64_t size);

}  // namespace hs::http
