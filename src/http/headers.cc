#include "http/headers.h"

#include <algorithm>

namespace hs::http {
namespace {

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

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

void ResponseHeaders::erase_at(size_t i) {
  std::rotate(entries_.begin() + static_cast<ptrdiff_t>(i),
              entries_.begin() + static_cast<ptrdiff_t>(i) + 1,
              entries_.begin() + static_cast<ptrdiff_t>(size_));
  --size_;
}

void ResponseHeaders::set(std::string_view name, std::string_view value) {
  bool replaced = false;
  for (size_t i = 0; i < size_;) {
    if (iequals(entries_[i].first, name)) {
      if (!replaced) {
        entries_[i].second.assign(value);
        replaced = true;
        ++i;
      } else {
        erase_at(i);
      }
    } else {
      ++i;
    }
  }
  if (!replaced) add(name, value);
}

void ResponseHeaders::add_new(std::string_view name, std::string_view value) {
  entries_.emplace_back(std::string(name), std::string(value));
  ++size_;
}

size_t ResponseHeaders::remove(std::string_view name) {
  size_t removed = 0;
  for (size_t i = 0; i < size_;) {
    if (iequals(entries_[i].first, name)) {
      erase_at(i);
      ++removed;
    } else {
      ++i;
    }
  }
  return removed;
}

const std::string* ResponseHeaders::find(std::string_view name) const {
  for (size_t i = 0; i < size_; ++i) {
    if (iequals(entries_[i].first, name)) return &entries_[i].second;
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
