// Fuzz target: Range header parsing (src/http/range.*).
//
// Checks parse_range() against its contract (range.h): satisfiable ranges are non-empty, sorted,
// disjoint, non-adjacent, within the representation and at most max_ranges; a zero-length
// representation is never satisfiable; surrounding whitespace and the case of "bytes" do not
// matter; format_content_range() writes exactly "bytes F-L/S". For representations of up to 64
// bytes the result is also compared with a reference that marks the selected bytes in a bit mask,
// written independently from RFC 9110 §14.1.2.
//
// Input: [flags][size: 1 byte if flags&1 (0..63), else 8 bytes][max_ranges byte][field value]
#include <charconv>
#include <optional>
#include <string>

#include "fuzz_support.h"
#include "http/range.h"

namespace hs::fuzz {
namespace {

using http::ByteRange;
using http::RangeSet;
using http::RangeStatus;

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::optional<uint64_t> number(std::string_view s) {
  uint64_t v = 0;
  if (!all_digits(s)) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view strip(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// The selected bytes of a representation of `size` (<= 64) bytes as a bit mask, and whether the
// field is ignored (syntax) — kIgnore — or selects nothing — kUnsatisfiable.
struct Reference {
  RangeStatus status = RangeStatus::kIgnore;
  uint64_t mask = 0;
};

Reference reference(std::string_view value, uint64_t size) {
  Reference r;
  value = strip(value);
  size_t eq = value.find('=');
  if (eq == std::string_view::npos || eq != 5) return r;
  for (size_t i = 0; i < 5; ++i) {
    if ((value[i] | 0x20) != "bytes"[i]) return r;
  }
  std::string_view list = value.substr(6);
  bool any = false;
  uint64_t mask = 0;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view spec = strip(list.substr(start, comma - start));
    start = comma + 1;
    if (spec.empty()) continue;
    any = true;
    size_t dash = spec.find('-');
    if (dash == std::string_view::npos) return r;
    std::string_view a = spec.substr(0, dash);
    std::string_view b = spec.substr(dash + 1);
    uint64_t lo;
    uint64_t hi;  // inclusive, may exceed size
    if (a.empty()) {
      auto n = number(b);
      if (!n) return r;
      if (*n == 0) continue;  // "-0": unsatisfiable
      lo = *n >= size ? 0 : size - *n;
      hi = size == 0 ? 0 : size - 1;
      if (size == 0) continue;
    } else {
      auto f = number(a);
      if (!f) return r;
      lo = *f;
      hi = UINT64_MAX;
      if (!b.empty()) {
        auto l = number(b);
        if (!l || *l < *f) return r;
        hi = *l;
      }
      if (lo >= size) continue;
    }
    for (uint64_t i = lo; i < size && i <= hi; ++i)
      mask |= uint64_t{1} << i;
  }
  if (!any) return r;
  r.status = mask == 0 ? RangeStatus::kUnsatisfiable : RangeStatus::kSatisfiable;
  r.mask = mask;
  return r;
}

void check_contract(const RangeSet& rs, uint64_t size, size_t max_ranges) {
  if (rs.status != RangeStatus::kSatisfiable) {
    FUZZ_CHECK(rs.ranges.empty());
    return;
  }
  FUZZ_CHECK(size > 0);
  FUZZ_CHECK(!rs.ranges.empty() && rs.ranges.size() <= max_ranges);
  for (size_t i = 0; i < rs.ranges.size(); ++i) {
    const ByteRange& r = rs.ranges[i];
    FUZZ_CHECK(r.first <= r.last && r.last < size);
    if (i > 0) FUZZ_CHECK(rs.ranges[i - 1].last + 1 < r.first);  // sorted, apart, not adjacent
    char buf[http::kMaxContentRangeLength];
    size_t n = http::format_content_range(r, size, buf, sizeof(buf));
    std::string expect = "bytes " + std::to_string(r.first) + "-" + std::to_string(r.last) + "/" +
                         std::to_string(size);
    FUZZ_CHECK(std::string_view(buf, n) == expect);
    // Too small a buffer writes nothing.
    FUZZ_CHECK(http::format_content_range(r, size, buf, expect.size() - 1) == 0);
  }
}

}  // namespace
}  // namespace hs::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hs::fuzz;
  namespace http = hs::http;
  Input in(data, size);
  uint8_t flags = in.byte();
  uint64_t rep_size = (flags & 1) ? in.byte() % 64 : in.u64();
  size_t max_ranges = in.byte() % 20;
  std::string_view value = in.rest();

  RangeSet rs = http::parse_range(value, rep_size, max_ranges);
  check_contract(rs, rep_size, max_ranges);

  // Whitespace around the value and the case of the unit change nothing.
  std::string padded = " \t" + std::string(value) + "\t ";
  RangeSet again = http::parse_range(padded, rep_size, max_ranges);
  FUZZ_CHECK(again.status == rs.status && again.ranges == rs.ranges);
  std::string upper(value);
  for (size_t i = 0; i < upper.size() && i < 8; ++i)
    if (upper[i] >= 'a' && upper[i] <= 'z') upper[i] = static_cast<char>(upper[i] - 32);
  RangeSet cased = http::parse_range(upper, rep_size, max_ranges);
  FUZZ_CHECK(cased.status == rs.status && cased.ranges == rs.ranges);

  if (rep_size <= 64) {
    Reference ref = reference(value, rep_size);
    // Merging happens before the max_ranges cut: count the runs of selected bytes.
    size_t runs = 0;
    for (uint64_t i = 0; i < rep_size; ++i) {
      bool on = (ref.mask >> i) & 1;
      bool prev = i > 0 && ((ref.mask >> (i - 1)) & 1);
      if (on && !prev) ++runs;
    }
    RangeStatus want = ref.status;
    if (want == RangeStatus::kSatisfiable && runs > max_ranges) want = RangeStatus::kIgnore;
    FUZZ_CHECK(rs.status == want);
    if (want == RangeStatus::kSatisfiable) {
      uint64_t got = 0;
      for (const ByteRange& r : rs.ranges)
        for (uint64_t i = r.first; i <= r.last; ++i)
          got |= uint64_t{1} << i;
      FUZZ_CHECK(got == ref.mask);
    }
  }
  return 0;
}
