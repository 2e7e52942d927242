#include "http/host.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace hs::http {
namespace {

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// RFC 3986 sub-delims without ',' (see is_valid_host).
bool is_sub_delim(char c) {
  return c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' || c == '*' ||
         c == '+' || c == ';' || c == '=';
}

bool valid_reg_name(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return false;
      if (!is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
      i += 2;
    } else if (!is_unreserved(c) && !is_sub_delim(c)) {
      return false;
    }
  }
  return true;
}

// The inside of "[...]": IPv6address (no zone identifier) or IPvFuture.
bool valid_ip_literal(std::string_view s) {
  if (s.empty()) return false;
  if (s[0] == 'v' || s[0] == 'V') {
    // IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
    size_t i = 1;
    while (i < s.size() && is_hex(s[i]))
      ++i;
    if (i == 1 || i >= s.size() || s[i] != '.' || i + 1 == s.size()) return false;
    for (++i; i < s.size(); ++i) {
      if (!is_unreserved(s[i]) && !is_sub_delim(s[i]) && s[i] != ':') return false;
    }
    return true;
  }
  char buf[64];  // the longest IPv6 text is 45 characters
  if (s.size() >= sizeof(buf)) return false;
  for (char c : s) {
    if (!is_hex(c) && c != ':' && c != '.') return false;
  }
  memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  unsigned char addr[16];
  return inet_pton(AF_INET6, buf, addr) == 1;
}

}  // namespace

bool is_valid_host(std::string_view value) {
  size_t host_end;  // where the optional ":" port begins
  if (!value.empty() && value[0] == '[') {
    size_t close = value.find(']');
    if (close == std::string_view::npos || !valid_ip_literal(value.substr(1, close - 1))) {
      return false;
    }
    host_end = close + 1;
  } else {
    host_end = std::min(value.find(':'), value.size());
    if (host_end == 0 || !valid_reg_name(value.substr(0, host_end))) return false;
  }
  if (host_end == value.size()) return true;
  if (value[host_end] != ':') return false;
  for (char c : value.substr(host_end + 1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string authority_for_address(std::string_view numeric_host, uint16_t port,
                                  uint16_t default_port) {
  std::string out;
  bool v6 = numeric_host.find(':') != std::string_view::npos;
  if (v6) out += '[';
  out += numeric_host;
  if (v6) out += ']';
  if (port != default_port) {
    out += ':';
    out += std::to_string(port);
  }
  return out;
}

}  // namespace hs::http
