// The HTTP/1 response encoder (http/codec/http1/response_encoder.h), fed heads directly: the
// framing table, the fields it owns, keep-alive, trailers. No session, no socket.
#include "http/codec/http1/response_encoder.h"

#include <gtest/gtest.h>

#include <string>

namespace hs::http::h1 {
namespace {

constexpr std::string_view kDate = "Mon, 07 Dec 2026 10:00:00 GMT";

struct Encoded {
  HeadResult r;
  std::string bytes;
};

Encoded encode(const ResponseHead& head, HeadContext c) {
  c.date = kDate;
  Encoded e;
  e.bytes = "prefix|";  // appended to, never overwritten
  e.r = encode_response_head(head, c, e.bytes);
  return e;
}

TEST(H1ResponseEncoder, LastSendComputesTheLength) {
  ResponseHead h;
  h.headers.add("Content-Type", "text/plain");
  HeadContext c;
  c.last = true;
  c.total = 5;
  Encoded e = encode(h, c);
  EXPECT_EQ(e.r.framing, Framing::kContentLength);
  EXPECT_EQ(e.r.declared, 5u);
  EXPECT_TRUE(e.r.keep_alive);
  EXPECT_EQ(e.bytes,
            "prefix|HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Mon, 07 Dec 2026 "
            "10:00:00 GMT\r\nServer: httpserv\r\nContent-Length: 5\r\n\r\n");
}

TEST(H1ResponseEncoder, MoreToComeIsChunkedOn11AndCloseDelimitedOn10) {
  ResponseHead h;
  HeadContext c;
  Encoded e = encode(h, c);
  EXPECT_EQ(e.r.framing, Framing::kChunked);
  EXPECT_NE(e.bytes.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  c.version_minor = 0;
  e = encode(h, c);
  EXPECT_EQ(e.r.framing, Framing::kClose);
  EXPECT_FALSE(e.r.keep_alive);
  EXPECT_EQ(e.bytes.find("Transfer-Encoding"), std::string::npos);
}

TEST(H1ResponseEncoder, HandlerLengthIsEnforcedAndItsFramingFieldsReplaced) {
  ResponseHead h;
  h.headers.add("Content-Length", "10");
  h.headers.add("Transfer-Encoding", "chunked");
  h.headers.add("Connection", "keep-alive, Upgrade");
  h.headers.add("Keep-Alive", "timeout=5");
  h.headers.add("Date", "yesterday");
  h.headers.add("Upgrade", "websocket");  // HTTP/1 keeps it (a 101 needs it)
  HeadContext c;
  Encoded e = encode(h, c);
  EXPECT_EQ(e.r.framing, Framing::kContentLength);
  EXPECT_EQ(e.r.declared, 10u);
  EXPECT_EQ(e.bytes,
            "prefix|HTTP/1.1 200 OK\r\nUpgrade: websocket\r\nDate: Mon, 07 Dec 2026 10:00:00 "
            "GMT\r\nServer: httpserv\r\nContent-Length: 10\r\n\r\n");
}

TEST(H1ResponseEncoder, InvalidHandlerLengthIsReported) {
  ResponseHead h;
  h.headers.add("Content-Length", "ten");
  HeadContext c;
  c.last = true;
  c.total = 3;
  Encoded e = encode(h, c);
  EXPECT_TRUE(e.r.invalid_length);
  EXPECT_EQ(e.r.declared, 3u);
}

TEST(H1ResponseEncoder, NoBodyStatusesAndHead) {
  for (int status : {100, 204, 304}) {
    ResponseHead h;
    h.status = status;
    HeadContext c;
    c.last = true;
    Encoded e = encode(h, c);
    EXPECT_EQ(e.r.framing, Framing::kNoBody) << status;
    EXPECT_EQ(e.bytes.find("Content-Length"), std::string::npos) << status;
  }
  ResponseHead h;
  HeadContext c;
  c.head_request = true;
  c.last = true;
  c.total = 12;
  Encoded e = encode(h, c);
  EXPECT_EQ(e.r.framing, Framing::kNoBody);
  EXPECT_NE(e.bytes.find("Content-Length: 12\r\n"), std::string::npos);
}

TEST(H1ResponseEncoder, KeepAliveFollowsTheSessionAndTheHandler) {
  ResponseHead h;
  HeadContext c;
  c.last = true;
  c.persist = false;
  Encoded e = encode(h, c);
  EXPECT_FALSE(e.r.keep_alive);
  EXPECT_NE(e.bytes.find("Connection: close\r\n"), std::string::npos);
  c.persist = true;
  h.headers.add("Connection", "close");
  e = encode(h, c);
  EXPECT_FALSE(e.r.keep_alive);
  EXPECT_NE(e.bytes.find("Connection: close\r\n"), std::string::npos);
  ResponseHead h10;
  c.version_minor = 0;
  e = encode(h10, c);
  EXPECT_TRUE(e.r.keep_alive);
  EXPECT_NE(e.bytes.find("Connection: keep-alive\r\n"), std::string::npos);
}

TEST(H1ResponseEncoder, TrailersMakeHttp11Chunked) {
  ResponseHead h;
  h.trailers.add("X-Sum", "1");
  HeadContext c;
  c.last = true;
  c.total = 2;
  EXPECT_EQ(encode(h, c).r.framing, Framing::kChunked);
  c.version_minor = 0;
  EXPECT_EQ(encode(h, c).r.framing, Framing::kContentLength);  // HTTP/1.0 cannot carry them
  std::string out;
  h.trailers.add("Content-Length", "5");
  h.trailers.add("Bad Name", "x");
  append_last_chunk(out, h.trailers);
  EXPECT_EQ(out, "0\r\nX-Sum: 1\r\n\r\n");
  out.clear();
  append_last_chunk(out, ResponseHeaders{});
  EXPECT_EQ(out, "0\r\n\r\n");
}

TEST(H1ResponseEncoder, SuppressedHeadWritesNothing) {
  ResponseHead h;
  h.suppress_head = true;
  Encoded e = encode(h, HeadContext{});
  EXPECT_EQ(e.bytes, "prefix|");
  EXPECT_EQ(e.r.framing, Framing::kClose);
  EXPECT_FALSE(e.r.keep_alive);
}

}  // namespace
}  // namespace hs::http::h1
