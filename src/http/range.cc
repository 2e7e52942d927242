#include "http/range.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>

namespace hs::http {
namespace {

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

bool equals_ignore_case(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    if (c != lower[i]) {
      return false;
    }
  }
  return true;
}

// 1*DIGIT that fits in uint64_t; anything else (empty, non-digit, overflow) is nullopt.
std::optional<uint64_t> parse_u64(std::string_view s) {
  if (s.empty()) {
    return std::nullopt;
  }
  uint64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    const auto d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) {
      return std::nullopt;
    }
    v = v * 10 + d;
  }
  return v;
}

enum class SpecResult { kSyntaxError, kUnsatisfiable, kSatisfiable };

// Parses one non-empty, trimmed range-spec and resolves it against `size`.
SpecResult parse_spec(std::string_view spec, uint64_t size, ByteRange& out) {
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos) {
    return SpecResult::kSyntaxError;
  }
  if (dash == 0) {
    // suffix-range = "-" suffix-length
    const auto suffix = parse_u64(spec.substr(1));
    if (!suffix) {
      return SpecResult::kSyntaxError;
    }
    if (*suffix == 0 || size == 0) {
      return SpecResult::kUnsatisfiable;
    }
    out.first = *suffix >= size ? 0 : size - *suffix;
    out.last = size - 1;
    return SpecResult::kSatisfiable;
  }
  // int-range = first-pos "-" [ last-pos ]
  const auto first = parse_u64(spec.substr(0, dash));
  if (!first) {
    return SpecResult::kSyntaxError;
  }
  uint64_t last = std::numeric_limits<uint64_t>::max();
  if (dash + 1 < spec.size()) {
    const auto parsed = parse_u64(spec.substr(dash + 1));
    if (!parsed || *parsed < *first) {
      return SpecResult::kSyntaxError;
    }
    last = *parsed;
  }
  if (*first >= size) {
    return SpecResult::kUnsatisfiable;
  }
  out.first = *first;
  out.last = std::min(last, size - 1);
  return SpecResult::kSatisfiable;
}

size_t write_u64(uint64_t v, char* out) {
  // 20 digits hold any uint64_t; the caller guarantees the space.
  const auto result = std::to_chars(out, out + 20, v);
  return static_cast<size_t>(result.ptr - out);
}

}  // namespace

RangeSet parse_range(std::string_view value, uint64_t size, size_t max_ranges) {
  RangeSet result;
  value = trim_ows(value);
  const size_t eq = value.find('=');
  if (eq == std::string_view::npos || !equals_ignore_case(value.substr(0, eq), "bytes")) {
    return result;
  }
  std::string_view list = value.substr(eq + 1);

  bool any_spec = false;
  while (true) {
    const size_t comma = list.find(',');
    const std::string_view member = trim_ows(list.substr(0, comma));
    if (!member.empty()) {
      any_spec = true;
      ByteRange range{};
      switch (parse_spec(member, size, range)) {
        case SpecResult::kSyntaxError:
          result.ranges.clear();
          return result;
        case SpecResult::kUnsatisfiable:
          break;
        case SpecResult::kSatisfiable:
          result.ranges.push_back(range);
          break;
      }
    }
    if (comma == std::string_view::npos) {
      break;
    }
    list.remove_prefix(comma + 1);
  }
  if (!any_spec) {
    return result;  // "bytes=" or only empty members: 1#range-spec not met
  }
  if (result.ranges.empty()) {
    result.status = RangeStatus::kUnsatisfiable;
    return result;
  }

  std::sort(result.ranges.begin(), result.ranges.end(),
            [](const ByteRange& a, const ByteRange& b) { return a.first < b.first; });
  // Merge in place. last <= size - 1 < UINT64_MAX, so last + 1 cannot overflow.
  size_t merged = 0;
  for (size_t i = 1; i < result.ranges.size(); ++i) {
    ByteRange& current = result.ranges[merged];
    const ByteRange& next = result.ranges[i];
    if (next.first <= current.last + 1) {
      current.last = std::max(current.last, next.last);
    } else {
      result.ranges[++merged] = next;
    }
  }
  result.ranges.resize(merged + 1);

  if (result.ranges.size() > max_ranges) {
    result.ranges.clear();
    return result;
  }
  result.status = RangeStatus::kSatisfiable;
  return result;
}

size_t format_content_range(const ByteRange& range, uint64_t size, char* out, size_t cap) {
  if (out == nullptr || range.first > range.last || range.last >= size) {
    return 0;
  }
  char buf[kMaxContentRangeLength];
  char* p = std::copy_n("bytes ", 6, buf);
  p += write_u64(range.first, p);
  *p++ = '-';
  p += write_u64(range.last, p);
  *p++ = '/';
  p += write_u64(size, p);
  const auto n = static_cast<size_t>(p - buf);
  if (n > cap) {
    return 0;
  }
  std::copy_n(buf, n, out);
  return n;
}

std::string unsatisfied_content_range(uint64_t size) {
  char buf[8 + 20];
  char* p = std::copy_n("bytes */", 8, buf);
  p += write_u64(size, p);
  return std::string(buf, p);
}

}  // namespace hs::http
