#pragma once
// Validation of the authority a request names: the Host field of HTTP/1.1 (RFC 9112 §3.2) and,
// later, HTTP/2's :authority pseudo-header. Pure; no allocation.
#include <cstdint>
#include <string>
#include <string_view>

namespace hs::http {

// True when `value` is uri-host [":" port] (RFC 9110 §7.2, RFC 3986 §3.2.2-3.2.3):
//   - uri-host: an IP-literal in brackets ("[" IPv6address "]" or "[v" HEXDIG... "." ... "]"),
//     or a reg-name / IPv4address made of unreserved characters, pct-encoded octets and
//     sub-delims, except ',' (a list of hosts, as a proxy might join them) — nginx refuses it
//     too. It must not be empty.
//   - port: digits only (possibly none, as RFC 3986 allows "host:").
// So SP, '/', '?', '#', '@' (userinfo), control characters and bytes >= 0x80 make it invalid.
// The caller trims the field's surrounding whitespace first.
bool is_valid_host(std::string_view value);

// The authority of a URL that names a numeric address (a request without Host): "[addr]" for an
// IPv6 address, then ":port" unless `port` is the scheme's default.
std::string authority_for_address(std::string_view numeric_host, uint16_t port,
                                  uint16_t default_port = 80);

}  // namespace hs::http
