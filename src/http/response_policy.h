#pragma once
// Response rules every protocol shares (RFC 9110), so that HTTP/1 and HTTP/2 decide alike.
#include <string_view>

namespace hs::http {

// False for 1xx, 204 and 304, which never carry a body (RFC 9110 §6.4.1).
inline bool status_allows_body(int status) {
  return status >= 200 && status != 204 && status != 304;
}

// Response fields a protocol writes itself (framing, connection management, Date) or has to
// notice (Server). A handler's connection-specific fields are never forwarded: HTTP/2 forbids
// them (RFC 9113 §8.2.2) and HTTP/1 writes its own.
enum class ManagedField : unsigned char {
  kNo,
  kContentLength,
  kTransferEncoding,
  kConnection,
  kKeepAlive,
  kDate,
  kServer,
  kUpgrade,
  kProxyConnection,
};

// Most names have none of the managed lengths: one shift and mask turns them away, and the rest
// are told apart by length and first letter before a full compare.
ManagedField classify_response_field(std::string_view name);

// Whether `name` may be sent as a trailer field (RFC 9110 §6.5.1: not framing, routing, control
// or authentication fields). Protocols drop the others.
bool allowed_in_trailers(std::string_view name);

}  // namespace hs::http
