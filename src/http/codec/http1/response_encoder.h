#pragma once
// HTTP/1.x response framing as a pure encoder: from the response head and what the session knows
// when the head goes out, the head's bytes and how the body is delimited. No I/O, no clock (the
// Date value is passed in), no logging (results say what went wrong).
//
// Framing (ARCHITECTURE.md has the table):
//   HEAD, 1xx, 204, 304          no body bytes; HEAD keeps a declared Content-Length, or states
//                                the computed one when the first send is also the last
//   handler set Content-Length   identity, exactly that many bytes (the session enforces it)
//   first send is also the last  Content-Length computed from it (unless trailers are declared
//                                on HTTP/1.1: chunked, so that they can be delivered)
//   HTTP/1.1, more to come       Transfer-Encoding: chunked, one chunk per send
//   HTTP/1.0, more to come       close-delimited
//   suppress_head                nothing of ours: the handler's bytes, then close
// The handler's Content-Length, Transfer-Encoding, Connection, Keep-Alive and Date fields are
// replaced by the encoder's own; a Server field is the handler's, else "Server: httpserv" when
// ResponseHead::add_server.
#include <cstdint>
#include <string>
#include <string_view>

#include "http/codec/http1/serializer.h"
#include "http/message.h"

namespace hs::http::h1 {

// What the session knows when a response's head goes out.
struct HeadContext {
  uint8_t version_minor = 1;  // the request's
  bool head_request = false;
  // The session would keep the connection for another request after this one (the client asked
  // for keep-alive, the connection is not closing or draining, the request body is handled).
  bool persist = true;
  bool last = false;      // the first send is also the last
  uint64_t total = 0;     // body bytes of that first send
  std::string_view date;  // IMF-fixdate for the Date field
};

struct HeadResult {
  Framing framing = Framing::kNoBody;
  uint64_t declared = 0;        // kContentLength: the body's exact length
  bool keep_alive = false;      // the connection may carry another request after this response
  bool invalid_length = false;  // the handler's Content-Length was not a number (ignored)
};

// Appends the head of `r` to `out` (nothing when r.suppress_head) and decides the framing.
HeadResult encode_response_head(const ResponseHead& r, const HeadContext& c, std::string& out);

// The end of a chunked body: the last chunk, `trailers` (fields that may not be trailers, such as
// framing or Content-Length, are dropped), and the empty line.
void append_last_chunk(std::string& out, const ResponseHeaders& trailers);

}  // namespace hs::http::h1
