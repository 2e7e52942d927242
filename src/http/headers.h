#pragma once
// Header lists. Request headers are views into the request's own storage; response headers own
// their strings. Names compare case-insensitively (RFC 9110 §5.1); order is preserved.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hs::http {

namespace detail {
// ASCII lower-casing of eight bytes at once: 'A'..'Z' gain 0x20, every other byte (0x80..0xff
// included) is left as it is. A byte is upper case when its low seven bits are at least 'A' and
// at most 'Z' and its top bit is clear; both bounds are tested with one add per word, the carry
// of each byte landing in its own top bit.
inline uint64_t lower8(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  uint64_t low7 = x & ~kHigh;
  uint64_t ge_a = low7 + kOnes * (0x80 - 'A');      // top bit set when low7 >= 'A'
  uint64_t gt_z = low7 + kOnes * (0x80 - 'Z' - 1);  // top bit set when low7 > 'Z'
  uint64_t upper = ge_a & ~gt_z & ~x & kHigh;
  return x | (upper >> 2);
}
inline uint64_t load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
}  // namespace detail

// ASCII case-insensitive equality. Inline: the parser and the session compare field names with
// it on every request, mostly against literals whose length already differs. Names of eight
// bytes or more are compared a word at a time (the last word overlapping the one before).
inline bool iequals(std::string_view a, std::string_view b) {
  size_t n = a.size();
  if (n != b.size()) return false;
  if (n >= 8) {
    const char* x = a.data();
    const char* y = b.data();
    for (size_t i = 0; i + 8 < n; i += 8) {
      if (detail::lower8(detail::load8(x + i)) != detail::lower8(detail::load8(y + i)))
        return false;
    }
    return detail::lower8(detail::load8(x + n - 8)) == detail::lower8(detail::load8(y + n - 8));
  }
  for (size_t i = 0; i < n; ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x | 0x20);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y | 0x20);
    if (x != y) return false;
  }
  return true;
}
// True when the comma-separated list `value` contains `token` (case-insensitive, OWS trimmed).
bool header_has_token(std::string_view value, std::string_view token);

struct HeaderView {
  std::string_view name;
  std::string_view value;
};

class ResponseHeaders {
 public:
  using Entry = std::pair<std::string, std::string>;

  // Replaces every header called `name` by one with `value`.
  void set(std::string_view name, std::string_view value);
  // Adds another field line, keeping existing ones.
  void add(std::string_view name, std::string_view value) {
    if (size_ < entries_.size()) {
      // Inline: a static file adds five fields per response into a warm entry's strings.
      Entry& e = entries_[size_];
      refill(e.first, name);
      refill(e.second, value);
      ++size_;
    } else {
      add_new(name, value);
    }
  }
  // Removes every header called `name`; returns how many were removed.
  size_t remove(std::string_view name);
  // First value, or nullptr when absent.
  const std::string* find(std::string_view name) const;
  // Keeps the storage: the next add() reuses its strings (a response head per request, on a
  // reused exchange, allocates nothing once warm).
  void clear() { size_ = 0; }
  bool empty() const { return size_ == 0; }
  std::span<const Entry> entries() const { return {entries_.data(), size_}; }

 private:
  void erase_at(size_t i);  // keeps the entry's strings, beyond size_, for reuse
  void add_new(std::string_view name, std::string_view value);
  // s = v in s's own storage. clear() + append() is the short path when it fits; assign()
  // handles v pointing into s itself.
  static void refill(std::string& s, std::string_view v) {
    if (v.size() <= s.capacity() && (v.data() < s.data() || v.data() > s.data() + s.size())) {
      s.clear();
      s.append(v.data(), v.size());
    } else {
      s.assign(v);
    }
  }
  std::vector<Entry> entries_;  // [0, size_) are the fields; the rest is spare storage
  size_t size_ = 0;
};

}  // namespace hs::http
