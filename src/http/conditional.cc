#include "http/conditional.h"

#include "http/http_date.h"

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

// etagc = %x21 / %x23-7E / obs-text
bool is_etagc(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return c == 0x21 || (c >= 0x23 && c != 0x7F);
}

struct EntityTag {
  std::string_view opaque;  // between the quotes
  bool weak = false;
};

// Parses one entity-tag at the start of `s`. On success returns the tag and sets `consumed`.
std::optional<EntityTag> parse_entity_tag_prefix(std::string_view s, size_t& consumed) {
  EntityTag tag;
  size_t pos = 0;
  if (s.substr(0, 2) == "W/") {
    tag.weak = true;
    pos = 2;
  }
  if (pos >= s.size() || s[pos] != '"') {
    return std::nullopt;
  }
  const size_t open = ++pos;
  while (pos < s.size() && is_etagc(s[pos])) {
    ++pos;
  }
  if (pos >= s.size() || s[pos] != '"') {
    return std::nullopt;
  }
  tag.opaque = s.substr(open, pos - open);
  consumed = pos + 1;
  return tag;
}

// Parses a value that must be exactly one entity-tag.
std::optional<EntityTag> parse_entity_tag(std::string_view s) {
  size_t consumed = 0;
  auto tag = parse_entity_tag_prefix(s, consumed);
  if (!tag || consumed != s.size()) {
    return std::nullopt;
  }
  return tag;
}

bool strong_match(const EntityTag& a, const EntityTag& b) {
  return !a.weak && !b.weak && a.opaque == b.opaque;
}

bool weak_match(const EntityTag& a, const EntityTag& b) {
  return a.opaque == b.opaque;
}

// Returns true if some well-formed member of the #entity-tag list matches `current`.
//
// A malformed member is skipped by resuming after the next comma following its start. An
// opaque-tag may itself contain commas, so a well-formed tag is always recognised before
// resynchronising; the resync only decides where to look after garbage, and garbage never
// produces a match on its own.
bool list_matches(std::string_view list, const EntityTag& current, bool strong) {
  size_t pos = 0;
  while (pos < list.size()) {
    if (is_ows(list[pos]) || list[pos] == ',') {
      ++pos;
      continue;
    }
    const size_t start = pos;
    size_t consumed = 0;
    const auto tag = parse_entity_tag_prefix(list.substr(start), consumed);
    if (tag) {
      pos = start + consumed;
      while (pos < list.size() && is_ows(list[pos])) {
        ++pos;
      }
      if (pos == list.size() || list[pos] == ',') {
        if (strong ? strong_match(*tag, current) : weak_match(*tag, current)) {
          return true;
        }
        continue;
      }
    }
    const size_t comma = list.find(',', start);
    pos = comma == std::string_view::npos ? list.size() : comma + 1;
  }
  return false;
}

// If-Match / If-None-Match: does the field value match the representation? `strong` selects the
// comparison function.
bool tag_condition_matches(std::string_view value, const Validators& v, bool strong) {
  value = trim_ows(value);
  if (value == "*") {
    return true;  // the representation exists (caller's contract)
  }
  const auto current = parse_entity_tag(v.etag);
  return current && list_matches(value, *current, strong);
}

}  // namespace

size_t make_etag(int64_t mtime_seconds, uint64_t size, char* out, size_t cap) {
  constexpr char kHex[] = "0123456789abcdef";
  // Writes `v` in hex at the end of a scratch area, returning the number of digits.
  auto hex = [&](uint64_t v, char* end) {
    size_t n = 0;
    do {
      *--end = kHex[v & 0xF];
      v >>= 4;
      ++n;
    } while (v != 0);
    return n;
  };
  char mtime_buf[16];
  char size_buf[16];
  const size_t mtime_len = hex(static_cast<uint64_t>(mtime_seconds), mtime_buf + 16);
  const size_t size_len = hex(size, size_buf + 16);
  const size_t total = mtime_len + size_len + 3;
  if (out == nullptr || cap < total) {
    return 0;
  }
  char* p = out;
  *p++ = '"';
  for (size_t i = 16 - mtime_len; i < 16; ++i) {
    *p++ = mtime_buf[i];
  }
  *p++ = '-';
  for (size_t i = 16 - size_len; i < 16; ++i) {
    *p++ = size_buf[i];
  }
  *p = '"';
  return total;
}

std::string make_etag(int64_t mtime_seconds, uint64_t size) {
  char buf[kMaxEtagLength];
  const size_t n = make_etag(mtime_seconds, size, buf, sizeof(buf));
  return std::string(buf, n);
}

Precondition evaluate_preconditions(bool is_get_or_head, const Conditionals& conditionals,
                                    const Validators& validators) {
  // Step 1 / 2: If-Match takes precedence over If-Unmodified-Since.
  if (conditionals.if_match) {
    if (!tag_condition_matches(*conditionals.if_match, validators, /*strong=*/true)) {
      return Precondition::kPreconditionFailed;
    }
  } else if (conditionals.if_unmodified_since && validators.has_last_modified) {
    const auto date = parse_http_date(*conditionals.if_unmodified_since);
    if (date && validators.last_modified > *date) {
      return Precondition::kPreconditionFailed;
    }
  }
  // Step 3 / 4: If-None-Match takes precedence over If-Modified-Since.
  if (conditionals.if_none_match) {
    if (tag_condition_matches(*conditionals.if_none_match, validators, /*strong=*/false)) {
      return is_get_or_head ? Precondition::kNotModified : Precondition::kPreconditionFailed;
    }
  } else if (is_get_or_head && conditionals.if_modified_since && validators.has_last_modified) {
    const auto date = parse_http_date(*conditionals.if_modified_since);
    if (date && validators.last_modified <= *date) {
      return Precondition::kNotModified;
    }
  }
  return Precondition::kProceed;
}

bool if_range_matches(std::string_view if_range, const Validators& validators) {
  if_range = trim_ows(if_range);
  // RFC 9110 §13.1.5: a DQUOTE within the first three characters marks an entity-tag.
  if (!if_range.empty() && (if_range.front() == '"' || if_range.substr(0, 2) == "W/")) {
    const auto requested = parse_entity_tag(if_range);
    const auto current = parse_entity_tag(validators.etag);
    return requested && current && strong_match(*requested, *current);
  }
  if (!validators.has_last_modified) {
    return false;
  }
  const auto date = parse_http_date(if_range);
  return date && *date == validators.last_modified;
}

}  // namespace hs::http
