#pragma once
// Protocol-neutral request and response heads. A codec fills RequestHead; handlers read it and
// fill ResponseHead; the session serialises ResponseHead for its protocol.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/headers.h"
#include "http/method.h"

namespace hs::http {

enum class BodyFraming : unsigned char { kNone, kContentLength, kChunked };

struct RequestHead {
  Method method = Method::kOther;
  std::string_view method_name;  // the token as sent, e.g. "GET"
  std::string_view target;       // request-target as sent, e.g. "/a/b?x=1"
  uint8_t version_major = 1;
  uint8_t version_minor = 1;
  std::vector<HeaderView> headers;  // in arrival order
  BodyFraming body = BodyFraming::kNone;
  uint64_t content_length = 0;  // meaningful for kContentLength
  bool keep_alive = true;       // what the client asked for (version default + Connection)
  bool expect_continue = false;

  // First value of header `name`, or an empty view with found=false.
  std::string_view header(std::string_view name, bool* found = nullptr) const;
  bool has_body() const { return body != BodyFraming::kNone; }
  bool is_head() const { return method == Method::kHead; }
};

struct ResponseHead {
  int status = 200;
  std::string reason;  // empty → the standard phrase
  ResponseHeaders headers;
  // The handler writes the status line and headers itself, at the start of the body (IIS
  // SuppressHeaders). The protocol then sends no head and no framing of its own: on HTTP/1 the
  // body bytes go out as given and the connection closes after them (nothing else can tell the
  // client where the response ends).
  bool suppress_head = false;
  // The protocol adds "Server: httpserv" when the handler set no Server field. A handler that
  // manages the field itself (the IIS layer: modules may remove it) turns this off.
  bool add_server = true;
  // IIS's sub-status (404.3: an extension not in the MIME map; 403.14: a directory without a
  // default document). Never sent: a handler answering into the IIS response (StaticFileModule,
  // iis/static_bridge.h) hands it to the log and to custom errors. Meaningful only where the
  // caller reset it before the handler ran.
  uint16_t substatus = 0;
};

}  // namespace hs::http
