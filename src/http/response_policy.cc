#include "http/response_policy.h"

#include <cstdint>

#include "http/headers.h"

namespace hs::http {

ManagedField classify_response_field(std::string_view n) {
  constexpr uint32_t kLengths =
      (1u << 4) | (1u << 6) | (1u << 7) | (1u << 10) | (1u << 14) | (1u << 16) | (1u << 17);
  size_t len = n.size();
  if (len > 17 || ((kLengths >> len) & 1u) == 0) return ManagedField::kNo;
  char c = static_cast<char>(n[0] | 0x20);
  switch (len) {
    case 4:
      return c == 'd' && iequals(n, "Date") ? ManagedField::kDate : ManagedField::kNo;
    case 6:
      return c == 's' && iequals(n, "Server") ? ManagedField::kServer : ManagedField::kNo;
    case 7:
      return c == 'u' && iequals(n, "Upgrade") ? ManagedField::kUpgrade : ManagedField::kNo;
    case 10:
      if (c == 'c' && iequals(n, "Connection")) return ManagedField::kConnection;
      return c == 'k' && iequals(n, "Keep-Alive") ? ManagedField::kKeepAlive : ManagedField::kNo;
    case 14:
      return c == 'c' && iequals(n, "Content-Length") ? ManagedField::kContentLength
                                                      : ManagedField::kNo;
    case 16:
      return c == 'p' && iequals(n, "Proxy-Connection") ? ManagedField::kProxyConnection
                                                        : ManagedField::kNo;
    default:
      return c == 't' && iequals(n, "Transfer-Encoding") ? ManagedField::kTransferEncoding
                                                         : ManagedField::kNo;
  }
}

bool allowed_in_trailers(std::string_view n) {
  static constexpr std::string_view kRefused[] = {"Content-Length",
                                                  "Transfer-Encoding",
                                                  "Connection",
                                                  "Keep-Alive",
                                                  "Upgrade",
                                                  "Host",
                                                  "Content-Type",
                                                  "Content-Encoding",
                                                  "Content-Range",
                                                  "Trailer",
                                                  "TE",
                                                  "Cache-Control",
                                                  "Expect",
                                                  "Max-Forwards",
                                                  "Pragma",
                                                  "Range",
                                                  "Authorization",
                                                  "Set-Cookie",
                                                  "WWW-Authenticate",
                                                  "Proxy-Authenticate",
                                                  "Age",
                                                  "Expires",
                                                  "Date",
                                                  "Location",
                                                  "Retry-After",
                                                  "Vary",
                                                  "Warning",
                                                  "Server",
                                                  "Proxy-Connection"};
  if (n.empty()) return false;
  for (std::string_view r : kRefused) {
    if (iequals(n, r)) return false;
  }
  return true;
}

}  // namespace hs::http
