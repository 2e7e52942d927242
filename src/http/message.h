#pragma once
// Protocol-neutral request and response heads. A codec fills RequestHead; handlers read it and
// fill ResponseHead; the session serialises ResponseHead for its protocol (HTTP/1: the codec's
// response encoder, http/codec/http1/response_encoder.h).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/headers.h"
#include "http/method.h"

namespace hs::http {

// Whether a request has a body and if its length is known in advance. The protocol's own
// delimiting (HTTP/1 chunked coding, HTTP/2 END_STREAM) is the session's business.
enum class BodyFraming : unsigned char {
  kNone,           // no body
  kContentLength,  // content_length bytes
  kUnknownLength,  // a body whose end the protocol signals (chunked on HTTP/1)
};

struct RequestHead {
  Method method = Method::kOther;
  std::string_view method_name;  // the token as sent, e.g. "GET"
  std::string_view target;       // request-target as sent, e.g. "/a/b?x=1"
  // "http" or "https": the transport's (HTTP/2 also sends it as :scheme and it must agree).
  std::string_view scheme;
  // The request's authority: the Host field on HTTP/1, :authority on HTTP/2 (which also
  // supplies a Host field to handlers that read it); validated like a Host (http/host.h).
  // Empty when the request had none (HTTP/1.0 without Host).
  std::string_view authority;
  uint8_t version_major = 1;  // 2 on HTTP/2
  uint8_t version_minor = 1;
  std::vector<HeaderView> headers;  // in arrival order
  BodyFraming body = BodyFraming::kNone;
  uint64_t content_length = 0;  // meaningful for kContentLength
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
  // Trailer fields, sent after the body by protocols and framings that can carry them (HTTP/1.1
  // chunked coding, HTTP/2 HEADERS after DATA); read when the last send goes out. Declaring one
  // before the head goes out makes HTTP/1.1 use chunked coding so that it can be delivered.
  ResponseHeaders trailers;
  // HTTP/1 only: the handler writes the status line and headers itself, at the start of the body
  // (IIS SuppressHeaders). HTTP/1 then sends no head and no framing of its own: the body bytes go
  // out as given and the connection closes after them (nothing else can tell the client where the
  // response ends). Protocols without a textual head refuse such a response (500).
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
