#include "http/codec/http2/request.h"

#include <charconv>

#include "http/headers.h"
#include "http/host.h"
#include "http/url_path.h"
#include "http/utf8.h"

namespace hs::http::h2 {

namespace {

constexpr size_t kKeptFieldBytes = 4096;  // a reset keeps a field's storage up to this size

}  // namespace

void RequestFields::reset(const Limits* limits) {
  limits_ = limits;
  // A field's capacity passes the bound only when a value near it was stored: with fewer bytes
  // in all, none did (a string grows to max(needed, twice its capacity), and capacities were
  // bounded by the previous reset), and the scan over cold strings is skipped.
  for (size_t i = 0; bytes_ > kKeptFieldBytes / 2 && i < size_; ++i) {
    if (fields_[i].first.capacity() > kKeptFieldBytes) std::string().swap(fields_[i].first);
    if (fields_[i].second.capacity() > kKeptFieldBytes) std::string().swap(fields_[i].second);
  }
  if (fields_.size() > 64) fields_.resize(64);
  size_ = 0;
  if (cookie_.capacity() > kKeptFieldBytes) std::string().swap(cookie_);
  cookie_.clear();
  bytes_ = 0;
  too_large_ = false;
}

bool RequestFields::add(std::string_view name, std::string_view value) {
  if (too_large_) return false;
  bytes_ += name.size() + value.size();
  if (size_ >= limits_->max_fields || bytes_ > limits_->max_field_bytes) {
    too_large_ = true;
    return false;
  }
  if (size_ < fields_.size()) {
    fields_[size_].first.assign(name);  // into the spare entry's storage
    fields_[size_].second.assign(value);
  } else {
    fields_.emplace_back(name, value);
  }
  ++size_;
  return true;
}

int RequestFields::make_head(RequestHead* head, bool end_stream, std::string* reason) {
  if (too_large_) {
    *reason = "header section too large";
    return 431;
  }
  std::string_view method, scheme, authority, path;
  head->headers.clear();
  head->headers.reserve(size_ + 1);
  std::string_view host;
  const std::string* content_length = nullptr;
  int cookies = 0;
  using namespace std::string_view_literals;
  for (const auto& [field_name, value] : fields()) {
    // Compared as views (length first): names are lower case already (nghttp2 checked).
    std::string_view name = field_name;
    if (!name.empty() && name[0] == ':') {
      if (name == ":method"sv) method = value;
      if (name == ":scheme"sv) scheme = value;
      if (name == ":authority"sv) authority = value;
      if (name == ":path"sv) path = value;
      continue;  // :protocol (extended CONNECT) is refused by nghttp2 unless enabled
    }
    if (name == "host"sv) host = value;
    if (name == "content-length"sv) content_length = &value;
    if (name == "cookie"sv) {
      // Joined into one field below, as HTTP/1 would have carried it.
      if (cookies++ > 0) cookie_ += "; ";
      cookie_ += value;
      continue;
    }
    if (name == "expect"sv) {
      // HTTP/2 has no 100-continue round trip a handler would need: the body just follows.
      // Anything else is refused as on HTTP/1.
      if (!iequals(value, "100-continue")) {
        *reason = "unsupported expectation";
        return 417;
      }
    }
    head->headers.push_back({name, value});
  }
  if (cookies > 0) head->headers.push_back({"cookie", cookie_});
  head->method_name = method;
  head->method = method_from_token(method);
  head->target = path;
  head->scheme = scheme;
  head->version_major = 2;
  head->version_minor = 0;
  head->expect_continue = false;
  // The authority: :authority, else Host (RFC 9113 §8.3.1); handlers that read Host find one.
  if (authority.empty()) authority = host;
  if (authority.empty()) {
    *reason = "missing :authority and Host";
    return 400;
  }
  if (!is_valid_host(authority)) {
    *reason = "invalid :authority";
    return 400;
  }
  if (!host.empty() && host != authority && !iequals(host, authority)) {
    *reason = "Host differs from :authority";
    return 400;
  }
  head->authority = authority;
  if (host.empty()) head->headers.push_back({"host", authority});
  if (path.size() > limits_->max_target) {
    *reason = "request target too long";
    return 414;
  }
  // The checks HTTP/1 makes of its request target.
  if (!is_valid_utf8(path)) {
    *reason = "request target is not valid UTF-8";
    return 400;
  }
  if (head->method == Method::kConnect) {
    *reason = "CONNECT is not served";
    return 405;
  }
  if (path == "*") {
    if (head->method != Method::kOptions) {
      *reason = "asterisk-form request target with a method other than OPTIONS";
      return 400;
    }
  } else if (path.empty() || path[0] != '/') {
    *reason = "invalid request target";
    return 400;
  } else if (auto t = split_target(path)) {
    if (t->path.find('%') != std::string_view::npos && !is_valid_utf8_percent_decoded(t->path)) {
      *reason = "request path is not valid UTF-8 once decoded";
      return 400;
    }
  }
  // The body: none after END_STREAM on HEADERS; else a declared length (nghttp2 holds DATA to
  // it), or one the stream's end will tell.
  head->content_length = 0;
  if (end_stream) {
    head->body = BodyFraming::kNone;
  } else if (content_length != nullptr) {
    uint64_t n = 0;
    auto [p, ec] =
        std::from_chars(content_length->data(), content_length->data() + content_length->size(), n);
    if (ec != std::errc() || p != content_length->data() + content_length->size()) {
      *reason = "invalid content-length";
      return 400;
    }
    if (n > limits_->max_body_size) {
      *reason = "request body too large";
      return 413;
    }
    head->content_length = n;
    head->body = n > 0 ? BodyFraming::kContentLength : BodyFraming::kNone;
  } else {
    head->body = BodyFraming::kUnknownLength;
  }
  return 0;
}

}  // namespace hs::http::h2
