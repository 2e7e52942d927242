#include "http/headers.h"

#include <algorithm>

namespace hs::http {
namespace {

inline char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool header_has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view item = trim_ows(value.substr(0, comma));
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

void ResponseHeaders::set(std::string_view name, std::string_view value) {
  bool replaced = false;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (iequals(it->first, name)) {
      if (!replaced) {
        it->second.assign(value);
        replaced = true;
        ++it;
      } else {
        it = entries_.erase(it);
      }
    } else {
      ++it;
    }
  }
  if (!replaced) entries_.emplace_back(std::string(name), std::string(value));
}

void ResponseHeaders::add(std::string_view name, std::string_view value) {
  entries_.emplace_back(std::string(name), std::string(value));
}

size_t ResponseHeaders::remove(std::string_view name) {
  return std::erase_if(entries_, [&](const Entry& e) { return iequals(e.first, name); });
}

const std::string* ResponseHeaders::find(std::string_view name) const {
  for (const auto& e : entries_) {
    if (iequals(e.first, name)) return &e.second;
  }
  return nullptr;
}

}  // namespace hs::http

#include "http/message.h"

namespace hs::http {

std::string_view RequestHead::header(std::string_view name, bool* found) const {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) {
      if (found) *found = true;
      return h.value;
    }
  }
  if (found) *found = false;
  return {};
}

}  // namespace hs::http
