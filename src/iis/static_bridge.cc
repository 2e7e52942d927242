#include "iis/static_bridge.h"

#include <cstring>

#include "base/log.h"
#include "iis/request_context.h"

namespace hs::iis {

std::string StaticBridge::encode_path(std::string_view path) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (unsigned char c : path) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 std::strchr("/-._~!$&'()*+,;=:@", c) != nullptr;
    if (plain && c != 0) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool StaticBridge::send(std::span<const http::BodyChunk> chunks, bool last,
                        http::SendCompletion done) {
  if (sent_) {
    HS_LOG_ERROR("static files: a second send for one request; ignored");
    return false;
  }
  sent_ = true;
  (void)last;  // core answers in one send; the IIS response goes on (post-handler notifications)
  http::ResponseHead& head = inner_.response();
  if (!prefix_.empty() && head.status >= 300 && head.status < 400) {
    // A redirect core made (a directory without its '/') names the path it was given.
    if (const std::string* loc = head.headers.find("Location"); loc && loc->rfind('/', 0) == 0)
      head.headers.set("Location", encode_path(prefix_) + *loc);
  }
  ctx_.take_core_response(head, chunks, std::move(done));
  return true;
}

void StaticBridge::set_close_after() {
  ctx_.GetResponse()->SetNeedDisconnect();
}

void StaticBridge::reset() {
  static_cast<IHttpResponse4*>(ctx_.GetResponse())->ResetStream(0);
}

void StaticBridge::close_connection() {
  ctx_.GetResponse()->ResetConnection();
}

}  // namespace hs::iis
