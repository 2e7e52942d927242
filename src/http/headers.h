#pragma once
// Header lists. Request headers are views into the request's own storage; response headers own
// their strings. Names compare case-insensitively (RFC 9110 §5.1); order is preserved.
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hs::http {

// ASCII case-insensitive equality. Inline: the parser and the session compare field names with
// it on every request, mostly against literals whose length already differs.
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
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
