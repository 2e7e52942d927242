#include "http/codec/http1/parser.h"

#include <llhttp.h>

#include "http/codec/http1/token.h"

#include <algorithm>
#include <cstring>

#include "http/headers.h"
#include "http/host.h"
#include "http/url_path.h"
#include "http/utf8.h"

namespace hs::http::h1 {
namespace {

RequestParser* self(llhttp_t* p) {
  return static_cast<RequestParser*>(p->data);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Classifies a Transfer-Encoding field value (all field lines joined with ','). 0: a lone final
// "chunked" (acceptable); 400: chunked present but not last, or repeated; 501: a coding we do not
// implement (RFC 9112 §6.1: "SHOULD respond with 501").
int classify_transfer_encoding(std::string_view value) {
  int chunked_count = 0;
  bool last_is_chunked = false;
  bool other = false;
  while (true) {
    size_t comma = value.find(',');
    std::string_view item = trim(value.substr(0, comma));
    if (!item.empty()) {
      last_is_chunked = iequals(item, "chunked");
      if (last_is_chunked) {
        ++chunked_count;
      } else {
        other = true;
      }
    }
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  if (chunked_count > 1 || (chunked_count == 1 && !last_is_chunked)) return 400;
  if (other) return 501;
  if (chunked_count == 0) return 400;  // an empty Transfer-Encoding value
  return 0;
}

}  // namespace

RequestParser::RequestParser(Listener& listener, const ParserLimits& limits)
    : listener_(listener),
      limits_(limits),
      parser_(std::make_unique<llhttp_t>()),
      settings_(std::make_unique<llhttp_settings_t>()) {
  llhttp_settings_t& settings = *settings_;
  llhttp_settings_init(&settings);
  settings.on_message_begin = cb_message_begin;
  settings.on_method = cb_method;
  settings.on_url = cb_url;
  settings.on_method_complete = cb_method_complete;
  settings.on_url_complete = cb_url_complete;
  settings.on_version = cb_version;
  settings.on_header_field = cb_header_field;
  settings.on_header_field_complete = cb_header_field_complete;
  settings.on_header_value = cb_header_value;
  settings.on_headers_complete = cb_headers_complete;
  settings.on_body = cb_body;
  settings.on_message_complete = cb_message_complete;
  llhttp_init(parser_.get(), HTTP_REQUEST, settings_.get());
  // Keep-alive is ours to decide (headers_complete); a caller stops feeding after a message
  // that is not keep-alive (see keep_alive()).
  llhttp_set_lenient_keep_alive(parser_.get(), 1);
  parser_->data = this;
  storage_.reserve(1024);
  fields_.reserve(16);
}

RequestParser::~RequestParser() = default;

int RequestParser::fail(int status, const char* reason) {
  if (error_status_ == 0) {
    error_status_ = status;
    error_reason_ = reason;
  }
  return HPE_USER;
}

int RequestParser::cb_message_begin(llhttp__internal_s* p) {
  RequestParser* s = self(p);
  s->in_message_ = true;
  s->in_body_ = false;
  s->storage_.clear();
  s->fields_.clear();
  s->in_field_name_ = false;
  s->method_done_ = s->url_done_ = false;
  s->method_ = s->url_ = s->version_ = Span{};
  s->header_bytes_ = 0;
  s->body_bytes_ = 0;
  // A fresh head, but the header list keeps its capacity: no allocation per request once warm.
  auto headers = std::move(s->head_.headers);
  headers.clear();
  s->head_ = RequestHead{};
  s->head_.headers = std::move(headers);
  return HPE_OK;
}

int RequestParser::cb_method(llhttp__internal_s* p, const char* at, size_t n) {
  RequestParser* s = self(p);
  if (s->method_.len == 0) s->method_.off = static_cast<uint32_t>(s->storage_.size());
  s->method_.len += static_cast<uint32_t>(n);
  s->storage_.insert(s->storage_.end(), at, at + n);
  return HPE_OK;
}

int RequestParser::cb_method_complete(llhttp__internal_s* p) {
  RequestParser* s = self(p);
  s->method_done_ = true;
  // The target follows: feed() looks at it before llhttp does (see there).
  s->paused_for_target_ = true;
  return HPE_PAUSED;
}

int RequestParser::cb_url_complete(llhttp__internal_s* p) {
  self(p)->url_done_ = true;
  return HPE_OK;
}

int RequestParser::cb_url(llhttp__internal_s* p, const char* at, size_t n) {
  RequestParser* s = self(p);
  if (s->url_.len == 0) s->url_.off = static_cast<uint32_t>(s->storage_.size());
  if (s->url_.len + n + s->method_.len + 10 > s->limits_.max_request_line) {
    return s->fail(414, "request line too long");
  }
  if (s->masked_ != nullptr && at >= s->mask_buf_.data() &&
      at < s->mask_buf_.data() + s->mask_buf_.size()) {
    at = s->masked_ + (at - s->mask_buf_.data());  // the bytes as received
  }
  s->url_.len += static_cast<uint32_t>(n);
  s->storage_.insert(s->storage_.end(), at, at + n);
  return HPE_OK;
}

int RequestParser::cb_version(llhttp__internal_s* p, const char* at, size_t n) {
  RequestParser* s = self(p);
  if (s->version_.len == 0) s->version_.off = static_cast<uint32_t>(s->storage_.size());
  s->version_.len += static_cast<uint32_t>(n);
  s->storage_.insert(s->storage_.end(), at, at + n);
  return HPE_OK;
}

int RequestParser::cb_header_field(llhttp__internal_s* p, const char* at, size_t n) {
  RequestParser* s = self(p);
  s->header_bytes_ += n;
  if (s->header_bytes_ > s->limits_.max_header_bytes) {
    return s->fail(431, "header section too large");
  }
  if (!s->in_field_name_) {  // llhttp may report one name in several pieces
    if (s->fields_.size() >= s->limits_.max_header_count) {
      return s->fail(431, "too many header fields");
    }
    s->fields_.push_back({});
    s->fields_.back().name.off = static_cast<uint32_t>(s->storage_.size());
    s->in_field_name_ = true;
  }
  for (size_t i = 0; i < n; ++i) {
    // llhttp tolerates whitespace between a field name and the colon; RFC 9112 §5.1 says reject.
    if (at[i] == ' ' || at[i] == '\t') return s->fail(400, "whitespace in a header field name");
  }
  s->fields_.back().name.len += static_cast<uint32_t>(n);
  s->storage_.insert(s->storage_.end(), at, at + n);
  return HPE_OK;
}

int RequestParser::cb_header_field_complete(llhttp__internal_s* p) {
  RequestParser* s = self(p);
  // llhttp 8 accepts a line that starts with ':' (no name callback at all, or an empty one);
  // RFC 9112 §5.1 requires a token, and fields_.back() would be the previous field's.
  if (!s->in_field_name_ || s->fields_.empty() || s->fields_.back().name.len == 0) {
    return s->fail(400, "empty header field name");
  }
  s->in_field_name_ = false;
  s->header_bytes_ += 4;  // ": " and CRLF
  s->fields_.back().value.off = static_cast<uint32_t>(s->storage_.size());
  return HPE_OK;
}

int RequestParser::cb_header_value(llhttp__internal_s* p, const char* at, size_t n) {
  RequestParser* s = self(p);
  s->header_bytes_ += n;
  if (s->header_bytes_ > s->limits_.max_header_bytes) {
    return s->fail(431, "header section too large");
  }
  FieldSpans& f = s->fields_.back();
  if (f.value.len > 0 && n > 0 && (at[0] == ' ' || at[0] == '\t') &&
      (at != s->exec_start_ || s->prev_last_byte_ == '\n')) {
    // Within one llhttp_execute() a value arrives as one span unless a line fold (CRLF followed
    // by whitespace) interrupted it; llhttp accepts obs-fold, RFC 9112 §5.2 lets us refuse it.
    return s->fail(400, "obsolete line folding in a header");
  }
  f.value.len += static_cast<uint32_t>(n);
  s->storage_.insert(s->storage_.end(), at, at + n);
  return HPE_OK;
}

int RequestParser::cb_headers_complete(llhttp__internal_s* p) {
  return self(p)->headers_complete();
}

int RequestParser::headers_complete() {
  auto view = [this](Span s) { return std::string_view(storage_.data() + s.off, s.len); };
  head_.method_name = view(method_);
  head_.method = method_from_token(head_.method_name);
  head_.target = view(url_);
  head_.version_major = parser_->http_major;
  head_.version_minor = parser_->http_minor;
  head_.headers.clear();
  head_.headers.reserve(fields_.size());
  // llhttp drops the whitespace before a field value but keeps what follows it; RFC 9110 §5.5:
  // the value excludes both (a trailing HTAB after "close" must not hide it).
  for (const FieldSpans& f : fields_)
    head_.headers.push_back({view(f.name), trim(view(f.value))});

  if (head_.version_major == 0) return fail(400, "HTTP/0.9 requests are not supported");
  if (head_.version_major != 1 || head_.version_minor > 1) {
    return fail(505, "unsupported HTTP version");
  }
  // Raw bytes >= 0x80 in the target must be UTF-8, and so must the path once percent-decoded:
  // an overlong form (C0 AF is '/') or a lone byte is never a name a handler could mean, and
  // further on it would be taken apart differently by different components.
  if (!is_valid_utf8(head_.target)) return fail(400, "request target is not valid UTF-8");
  if (auto t = split_target(head_.target)) {
    // Without a '%' the decoded path is the raw one, checked above.
    if (t->path.find('%') != std::string_view::npos && !is_valid_utf8_percent_decoded(t->path)) {
      return fail(400, "request path is not valid UTF-8 once decoded");
    }
    // An absolute-form target names the host itself (RFC 9112 §3.2.2): the Host rules apply.
    if (!t->authority.empty() && !is_valid_host(t->authority)) {
      return fail(400, "invalid authority in the request target");
    }
  }
  // RFC 9112 §3.2.4: the asterisk-form is "*" alone, and only for OPTIONS.
  if (!head_.target.empty() && head_.target[0] == '*') {
    if (head_.target.size() != 1) return fail(400, "invalid request target");
    if (head_.method != Method::kOptions) {
      return fail(400, "asterisk-form request target with a method other than OPTIONS");
    }
  }
  int hosts = 0;
  bool bad_host = false;
  bool connection_close = false;
  bool connection_keep_alive = false;
  std::string transfer_encoding;
  bool has_te = false;
  for (const HeaderView& h : head_.headers) {
    if (iequals(h.name, "host")) {
      ++hosts;
      bad_host = bad_host || !is_valid_host(h.value);
      head_.authority = h.value;
    } else if (iequals(h.name, "connection")) {
      connection_close = connection_close || header_has_token(h.value, "close");
      connection_keep_alive = connection_keep_alive || header_has_token(h.value, "keep-alive");
    } else if (iequals(h.name, "transfer-encoding")) {
      if (has_te) transfer_encoding += ',';
      transfer_encoding.append(h.value);
      has_te = true;
    } else if (iequals(h.name, "expect")) {
      if (iequals(h.value, "100-continue")) {
        head_.expect_continue = true;
      } else {
        return fail(417, "unsupported expectation");
      }
    }
  }
  if (hosts > 1 || (hosts == 0 && head_.version_minor == 1)) {
    return fail(400, hosts > 1 ? "more than one Host header" : "missing Host header");
  }
  if (bad_host) return fail(400, "invalid Host header");
  // llhttp ends a CONNECT message after its header section (the rest of the stream belongs to the
  // tunnel), so announced content would be parsed as the next request: a smuggling shape. RFC 9110
  // §9.3.6 gives CONNECT content no meaning; refuse it.
  if (head_.method == Method::kConnect &&
      (has_te || ((parser_->flags & F_CONTENT_LENGTH) && parser_->content_length > 0))) {
    return fail(400, "CONNECT request with content");
  }
  if (has_te) {
    if (head_.version_minor == 0) return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
    int status = classify_transfer_encoding(transfer_encoding);
    if (status != 0) return fail(status, "unsupported Transfer-Encoding");
    head_.body = BodyFraming::kUnknownLength;
  } else if (parser_->flags & F_CONTENT_LENGTH) {
    if (parser_->content_length > limits_.max_body_size) return fail(413, "request body too large");
    head_.content_length = parser_->content_length;
    head_.body = parser_->content_length > 0 ? BodyFraming::kContentLength : BodyFraming::kNone;
  }
  // Decided here from the trimmed values, not by llhttp (whose own scan of Connection takes
  // "close<HTAB>" for another token); llhttp runs with lenient keep-alive so that it does not
  // second-guess this. "close" wins over "keep-alive".
  keep_alive_ = !connection_close && (head_.version_minor >= 1 || connection_keep_alive);
  in_body_ = head_.has_body();
  listener_.on_head(head_);
  return HPE_OK;
}

int RequestParser::cb_body(llhttp__internal_s* p, const char* at, size_t n) {
  RequestParser* s = self(p);
  s->body_bytes_ += n;
  if (s->body_bytes_ > s->limits_.max_body_size) return s->fail(413, "request body too large");
  s->listener_.on_body(std::string_view(at, n));
  return HPE_OK;
}

int RequestParser::cb_message_complete(llhttp__internal_s* p) {
  RequestParser* s = self(p);
  s->in_message_ = false;
  s->in_body_ = false;
  bool go_on = s->listener_.on_message_complete();
  if (s->failed()) return HPE_USER;
  return go_on ? HPE_OK : HPE_PAUSED;
}

void RequestParser::map_llhttp_error(int err_code) {
  auto err = static_cast<llhttp_errno_t>(err_code);
  if (error_status_ != 0) return;  // one of our callbacks already chose the status
  const char* reason = llhttp_get_error_reason(parser_.get());
  if (reason == nullptr) reason = llhttp_errno_name(err);
  switch (err) {
    case HPE_INVALID_VERSION: {
      // 505 only for a well-formed "HTTP/d.d" we do not speak; "HTTP/1.1 junk" is malformed.
      std::string_view v(storage_.data() + version_.off, version_.len);
      bool well_formed = v.size() == 3 && v[0] >= '0' && v[0] <= '9' && v[1] == '.' &&
                         v[2] >= '0' && v[2] <= '9' &&
                         strcmp(reason, "Expected CRLF after version") != 0;
      fail(well_formed ? 505 : 400, reason);
      break;
    }
    case HPE_INVALID_METHOD:
      // A token character where llhttp expected another is the start of a method it does not
      // know: feed() scans the rest of that token (scan_unknown_method). Anything else is a
      // malformed request line.
      fail(400, reason);
      break;
    case HPE_INVALID_TRANSFER_ENCODING:
      // llhttp raises it itself for "chunked" that is repeated or not the final coding.
      fail(400, reason);
      break;
    default:
      fail(400, reason);
      break;
  }
}

size_t RequestParser::target_run(const char* p, size_t left) const {
  if (!method_done_ || url_done_) return 0;
  size_t i = 0;
  if (url_.len == 0) {
    while (i < left && p[i] == ' ')  // llhttp allows several before the target
      ++i;
  }
  // A target longer than a request line fails in cb_url (414): no need to copy more.
  size_t cap = std::min(left, i + limits_.max_request_line + 1);
  while (i < cap && p[i] != ' ' && p[i] != '\r' && p[i] != '\n')
    ++i;
  return i;
}

size_t RequestParser::feed(const char* data, size_t len) {
  if (failed()) return 0;
  if (scanning_method_) return scan_unknown_method(data, len);
  const char* p = data;
  size_t left = len;
  while (left > 0) {
    // llhttp refuses bytes >= 0x80 in the target; RFC 9112 leaves them to the server, and IIS
    // takes them (requestFiltering allowHighBitCharacters). So llhttp pauses after each method
    // (cb_method_complete), and a target with such bytes is handed to it on its own, each of them
    // masked as 'a' (valid wherever a target byte may be); cb_url stores the bytes as received
    // and headers_complete checks them (UTF-8). Other input goes to llhttp as it is.
    size_t n = left;
    const char* exec = p;
    if (size_t run = target_run(p, left); run > 0 && has_high_bit(std::string_view(p, run))) {
      n = run;
      mask_buf_.assign(p, run);
      for (char& c : mask_buf_) {
        if (static_cast<unsigned char>(c) >= 0x80) c = 'a';
      }
      exec = mask_buf_.data();
      masked_ = p;
    }
    exec_start_ = exec;
    llhttp_errno_t err = llhttp_execute(parser_.get(), exec, n);
    masked_ = nullptr;
    if (err == HPE_OK) {
      prev_last_byte_ = p[n - 1];
      p += n;
      left -= n;
      continue;
    }
    const char* epos = llhttp_get_error_pos(parser_.get());
    size_t used = epos >= exec && epos <= exec + n ? static_cast<size_t>(epos - exec) : n;
    const char* pos = p + used;
    if (used > 0) prev_last_byte_ = p[used - 1];
    if (err == HPE_PAUSED) {
      llhttp_resume(parser_.get());
      if (paused_for_target_) {
        paused_for_target_ = false;
        p += used;
        left -= used;
        continue;
      }
      return static_cast<size_t>(p - data) + used;
    }
    if (err == HPE_PAUSED_UPGRADE) {
      // We implement no upgrades (h2c, websocket over HTTP/1 are not offered): treat the message
      // as an ordinary request, and CONNECT as a method we do not serve.
      llhttp_resume_after_upgrade(parser_.get());
      p += used;
      left -= used;
      continue;
    }
    if (err == HPE_INVALID_METHOD && !failed() && used < n &&
        is_tchar(static_cast<unsigned char>(*pos))) {
      scanning_method_ = true;
      unknown_method_bytes_ = 0;
      return static_cast<size_t>(p - data) + used + scan_unknown_method(pos, n - used);
    }
    map_llhttp_error(err);
    return static_cast<size_t>(p - data) + used;
  }
  return len;
}

size_t RequestParser::scan_unknown_method(const char* data, size_t len) {
  // From the first byte llhttp refused, which depends only on the method's own bytes, so the
  // outcome does not depend on how the input was split. A token ended by SP is a method we do
  // not implement (RFC 9110 §9.1: 501); a token longer than a whole request line, or one ended
  // by anything else, is a malformed request line.
  for (size_t i = 0; i < len; ++i) {
    auto c = static_cast<unsigned char>(data[i]);
    if (c == ' ') {
      fail(501, "unknown method");
      return i;
    }
    if (!is_tchar(c)) {
      fail(400, "invalid character in the method");
      return i;
    }
    if (++unknown_method_bytes_ > limits_.max_request_line) {
      fail(400, "method longer than a request line may be");
      return i;
    }
  }
  return len;
}

}  // namespace hs::http::h1
