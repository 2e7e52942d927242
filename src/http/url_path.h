#pragma once

// Request-target splitting and path normalisation (RFC 9112 §3.2, RFC 3986 §2.1, §5.2.4).

#include <optional>
#include <string>
#include <string_view>

namespace hs::http {

// A request-target split into its parts. All views point into the request-target, except the
// path "/" supplied for an absolute-form target without a path, which is static.
struct Target {
  std::string_view path;   // still percent-encoded; "*" for asterisk-form
  std::string_view query;  // without the '?'; empty if absent or empty
  bool has_query = false;  // distinguishes "/a?" (true, empty query) from "/a" (false)
  // Host and optional port of an absolute-form target, which takes precedence over the Host
  // field (RFC 9112 §3.2.2); empty for the other forms.
  std::string_view authority;
};

// Splits a request-target:
//   origin-form    "/a/b?x"                 -> path "/a/b", query "x"
//   absolute-form  "http://host:8080/a?x"   -> path "/a", query "x", authority "host:8080"
//                  scheme "http" or "https", case-insensitive; a non-empty authority without
//                  userinfo ('@' is refused, RFC 9110 §4.2.4); an empty path becomes "/".
//   asterisk-form  "*"                      -> path "*"
// Anything else, including authority-form ("host:443"), relative references, other schemes, an
// empty target, and a target containing SP, a control character or '#', is nullopt. Other
// characters are not validated here.
std::optional<Target> split_target(std::string_view request_target);

enum class PathStatus { kOk, kBadRequest };

// Percent-decodes `in` into `out` (overwritten): each "%XX" with two hex digits of either case
// becomes that byte; every other byte is copied ('+' stays '+'). Returns false on a '%' not
// followed by two hex digits; `out` is then unspecified. Decoded bytes are not checked.
bool percent_decode(std::string_view in, std::string& out);

// Turns the raw path of a request-target into a decoded, dot-segment-free path suitable for
// mapping onto a directory tree. `raw_path` must start with '/'. On kOk `out` (overwritten)
// always starts with '/'; on kBadRequest its contents are unspecified.
//
// kBadRequest for:
//   - a raw path not starting with '/';
//   - a bad escape: '%' not followed by two hex digits ("%zz", "%4");
//   - an encoded '/' (%2F) or '\' (%5C): the decoded path would be ambiguous about segment
//     boundaries, and we refuse rather than guess;
//   - a literal '\', which some file systems and clients treat as a separator;
//   - a decoded control character (0x00-0x1F, 0x7F), NUL included;
//   - a ".." segment that would climb above the root.
// Segments are resolved after decoding, so "%2e%2e" is "..": empty segments ("//") collapse,
// "." segments are removed and ".." removes the preceding segment. A trailing slash is preserved,
// and a path ending in a "." or ".." segment ends with '/':
//   "/a/./b//c/" -> "/a/b/c/"    "/a/." -> "/a/"    "/a/.." -> "/"    "/a/%2e%2e/b" -> "/b"
// Bytes >= 0x80 pass through unchanged (the HTTP/1 parser has checked that they are UTF-8).
PathStatus normalize_path(std::string_view raw_path, std::string& out);

}  // namespace hs::http
