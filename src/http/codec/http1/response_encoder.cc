#include "http/codec/http1/response_encoder.h"

#include <algorithm>
#include <charconv>

#include "http/headers.h"
#include "http/response_policy.h"

namespace hs::http::h1 {
namespace {

bool parse_content_length(std::string_view v, uint64_t* out) {
  if (v.empty()) return false;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
  return ec == std::errc() && p == v.data() + v.size();
}

// HTTP/1 writes these itself; Upgrade and Proxy-Connection stay the handler's (a 101 needs its
// Upgrade field).
bool h1_drops(ManagedField kind) {
  switch (kind) {
    case ManagedField::kContentLength:
    case ManagedField::kTransferEncoding:
    case ManagedField::kConnection:
    case ManagedField::kKeepAlive:
    case ManagedField::kDate:
      return true;
    default:
      return false;
  }
}

}  // namespace

HeadResult encode_response_head(const ResponseHead& r, const HeadContext& c, std::string& o) {
  HeadResult res;
  int status = r.status;

  // One pass learns what the handler set that the encoder must act on, and how many bytes its
  // other fields take.
  const std::string* cl = nullptr;
  const std::string* connection = nullptr;
  bool has_server = false;
  bool some_managed = false;  // a field the encoder writes itself (or drops) is among them
  size_t fields_size = 0;
  std::span<const ResponseHeaders::Entry> fields = r.headers.entries();
  for (const auto& [name, value] : fields) {
    ManagedField kind = classify_response_field(name);
    if (kind == ManagedField::kContentLength) {
      if (cl == nullptr) cl = &value;
    } else if (kind == ManagedField::kConnection) {
      if (connection == nullptr) connection = &value;
    } else if (kind == ManagedField::kServer) {
      has_server = true;
    }
    if (h1_drops(kind)) {
      some_managed = true;
    } else {
      fields_size += field_size(name, value);
    }
  }

  uint64_t handler_length = 0;
  bool has_length = false;
  if (cl != nullptr) {
    has_length = parse_content_length(*cl, &handler_length);
    res.invalid_length = !has_length;
  }
  if (r.suppress_head) {
    // The handler's bytes are the whole message (see ResponseHead::suppress_head).
    res.framing = Framing::kClose;
    res.keep_alive = false;
    return res;
  }
  bool body_allowed = status_allows_body(status);
  bool trailers = !r.trailers.empty() && c.version_minor >= 1;
  if (!body_allowed || c.head_request) {
    res.framing = Framing::kNoBody;
  } else if (has_length) {
    res.framing = Framing::kContentLength;
    res.declared = handler_length;
  } else if (c.last && !trailers) {
    res.framing = Framing::kContentLength;
    res.declared = c.total;
  } else if (c.version_minor >= 1) {
    res.framing = Framing::kChunked;
  } else {
    res.framing = Framing::kClose;
  }

  bool keep_alive = c.persist && res.framing != Framing::kClose;
  if (connection != nullptr && header_has_token(*connection, "close")) keep_alive = false;
  res.keep_alive = keep_alive;

  size_t start = o.size();
  // The head is written in place into room sized once: status line, the handler's fields, ours.
  constexpr std::string_view kDate = "Date: ";
  constexpr std::string_view kServer = "Server: httpserv\r\n";
  constexpr std::string_view kContentLength = "Content-Length: ";
  constexpr std::string_view kChunked = "Transfer-Encoding: chunked\r\n";
  constexpr std::string_view kClose = "Connection: close\r\n";
  constexpr std::string_view kKeepAlive = "Connection: keep-alive\r\n";
  size_t room = status_line_size(status, r.reason) + fields_size + kDate.size() + c.date.size() +
                2 + kServer.size() +
                std::max(kContentLength.size() + kMaxDecimal + 2, kChunked.size()) +
                std::max(kClose.size(), kKeepAlive.size()) + 2;
  o.resize(start + room);
  char* p = write_status_line(o.data() + start, c.version_minor, status, r.reason);
  for (const auto& [name, value] : fields) {
    // Classified again only when something is to be left out.
    if (!some_managed || !h1_drops(classify_response_field(name))) p = write_field(p, name, value);
  }
  p = write_raw(p, kDate);
  p = write_raw(p, c.date);
  p = write_raw(p, kCrlf);
  if (!has_server && r.add_server) p = write_raw(p, kServer);
  if (res.framing == Framing::kContentLength ||
      (res.framing == Framing::kNoBody && body_allowed && (has_length || c.last))) {
    p = write_raw(p, kContentLength);
    p = write_decimal(p, has_length ? handler_length : c.total);
    p = write_raw(p, kCrlf);
  } else if (res.framing == Framing::kChunked) {
    p = write_raw(p, kChunked);
  }
  if (c.version_minor >= 1 && !keep_alive) {
    p = write_raw(p, kClose);
  } else if (c.version_minor == 0 && keep_alive) {
    p = write_raw(p, kKeepAlive);
  }
  p = write_raw(p, kCrlf);
  o.resize(static_cast<size_t>(p - o.data()));
  return res;
}

void append_last_chunk(std::string& out, const ResponseHeaders& trailers) {
  if (trailers.empty()) {
    out.append(kLastChunk);
    return;
  }
  out.append("0\r\n");
  for (const auto& [name, value] : trailers.entries()) {
    if (allowed_in_trailers(name)) append_field(out, name, value);
  }
  out.append(kCrlf);
}

}  // namespace hs::http::h1
