#include "http/url_path.h"

namespace hs::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Decodes the escape whose '%' is at s[i]; both digits must lie before `end`.
int decode_escape(std::string_view s, size_t i, size_t end) {
  if (i + 2 >= end) {
    return -1;
  }
  const int hi = hex_value(s[i + 1]);
  const int lo = hex_value(s[i + 2]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
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

bool is_control(unsigned char c) {
  return c < 0x20 || c == 0x7F;
}

}  // namespace

std::optional<Target> split_target(std::string_view request_target) {
  if (request_target.empty()) {
    return std::nullopt;
  }
  for (const char ch : request_target) {
    const auto c = static_cast<unsigned char>(ch);
    // A fragment is never part of a request-target, and SP / CTLs cannot be (RFC 9112 §3.2).
    if (c == ' ' || is_control(c) || c == '#') {
      return std::nullopt;
    }
  }
  Target target;
  if (request_target == "*") {
    target.path = request_target;
    return target;
  }
  std::string_view rest = request_target;
  if (request_target.front() != '/') {
    // absolute-form: scheme "://" authority [ path-abempty ] [ "?" query ]
    const size_t sep = request_target.find("://");
    if (sep == std::string_view::npos) {
      return std::nullopt;
    }
    const std::string_view scheme = request_target.substr(0, sep);
    if (!equals_ignore_case(scheme, "http") && !equals_ignore_case(scheme, "https")) {
      return std::nullopt;
    }
    rest = request_target.substr(sep + 3);
    const size_t authority_end = rest.find_first_of("/?");
    target.authority = rest.substr(0, authority_end);
    if (target.authority.empty() || target.authority.find('@') != std::string_view::npos) {
      return std::nullopt;
    }
    rest =
        authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  }
  const size_t question = rest.find('?');
  target.path = rest.substr(0, question);
  if (question != std::string_view::npos) {
    target.has_query = true;
    target.query = rest.substr(question + 1);
  }
  if (target.path.empty()) {
    target.path = "/";
  }
  return target;
}

bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    const int byte = decode_escape(in, i, in.size());
    if (byte < 0) {
      return false;
    }
    out.push_back(static_cast<char>(byte));
    i += 2;
  }
  return true;
}

PathStatus normalize_path(std::string_view raw_path, std::string& out) {
  if (raw_path.empty() || raw_path.front() != '/') {
    return PathStatus::kBadRequest;
  }
  // Decoding and dot-segment removal happen in one pass, one raw segment at a time. Before each
  // segment `out` ends with '/'. A decoded segment never contains '/' (%2F is refused), so the
  // segment a ".." removes is found by searching back for the previous '/' in `out` itself.
  out.clear();
  out.reserve(raw_path.size());
  out.push_back('/');
  size_t pos = 1;
  while (true) {
    size_t end = raw_path.find('/', pos);
    const bool last = end == std::string_view::npos;
    if (last) {
      end = raw_path.size();
    }
    const size_t segment_start = out.size();
    for (size_t i = pos; i < end; ++i) {
      auto c = static_cast<unsigned char>(raw_path[i]);
      if (c == '%') {
        // The escape must lie inside this segment; a literal '/' is not a hex digit anyway.
        const int byte = decode_escape(raw_path, i, end);
        if (byte < 0 || byte == '/' || byte == '\\') {
          return PathStatus::kBadRequest;
        }
        c = static_cast<unsigned char>(byte);
        i += 2;
      } else if (c == '\\') {
        return PathStatus::kBadRequest;
      }
      if (is_control(c)) {
        return PathStatus::kBadRequest;
      }
      out.push_back(static_cast<char>(c));
    }
    const std::string_view segment = std::string_view(out).substr(segment_start);
    if (segment == ".") {
      out.resize(segment_start);
    } else if (segment == "..") {
      if (segment_start == 1) {
        return PathStatus::kBadRequest;  // would climb above the root
      }
      // out[segment_start - 1] is the '/' closing the previous segment; find the one opening it.
      out.resize(out.rfind('/', segment_start - 2) + 1);
    } else if (!segment.empty() && !last) {
      out.push_back('/');
    }
    if (last) {
      break;
    }
    pos = end + 1;
  }
  return PathStatus::kOk;
}

}  // namespace hs::http
