#include "iis/child_request.h"

#include <cstring>

#include "http/headers.h"
#include "http/method.h"
#include "iis/request_context.h"
#include "iis/static_bridge.h"

namespace hs::iis {
namespace {

bool is_precondition(std::string_view name) {
  return http::iequals(name, "Range") ||
         (name.size() > 3 && http::iequals(name.substr(0, 3), "If-"));
}

bool is_dav(std::string_view name) {
  static constexpr std::string_view kDav[] = {
      "Depth", "Destination", "Overwrite", "If", "Lock-Token", "Timeout", "DAV", "Translate"};
  for (std::string_view d : kDav) {
    if (http::iequals(name, d)) return true;
  }
  return false;
}

}  // namespace

ChildExchange::ChildExchange(HttpContextImpl& parent, uint32_t flags)
    : parent_(&parent), exec_(parent.exec_), flags_(flags) {
  // The request line always comes along (CLONE_FLAG_BASICS is implied: a child with no URL
  // could not run).
  method_ = parent.method_;
  target_ = StaticBridge::encode_path(parent.url_);
  if (!parent.query_.empty()) {
    target_ += '?';
    target_ += parent.query_;
  }
  for (const auto& h : parent.request_headers_) {
    bool keep = (flags & CLONE_FLAG_HEADERS) != 0 || http::iequals(h.name, "Host");
    if ((flags & CLONE_FLAG_NO_PRECONDITION) && is_precondition(h.name)) keep = false;
    if ((flags & CLONE_FLAG_NO_DAV) && is_dav(h.name)) keep = false;
    if (keep) fields_.emplace_back(h.name, h.value);
  }
  entity_ = (flags & CLONE_FLAG_ENTITY) != 0;
  if (entity_) {
    // What the parent read ahead and did not hand to a module yet belongs to the child now.
    body_.assign(parent.readahead_, parent.readahead_pos_);
    parent.readahead_.clear();
    parent.readahead_pos_ = 0;
  }
  head_.method = http::method_from_token(method_);
  head_.method_name = method_;
  head_.target = target_;
  head_.version_major = parent.version_major_;
  head_.version_minor = parent.version_minor_;
  for (const auto& [name, value] : fields_)
    head_.headers.push_back(http::HeaderView{name, value});
  int64_t rest = entity_ ? body_remaining() : 0;
  if (rest > 0) {
    head_.body = http::BodyFraming::kContentLength;
    head_.content_length = static_cast<uint64_t>(rest);
  } else if (rest < 0) {
    head_.body = http::BodyFraming::kUnknownLength;
  }
  remote_host_ = parent.remote_host_;
  local_host_ = parent.local_host_;
  remote_port_ = parent.remote_port_;
  local_port_ = parent.local_port_;
}

ssize_t ChildExchange::read_body(char* dst, size_t cap, std::function<void()> ready) {
  if (!entity_ || cap == 0) return http::kBodyEnd;
  if (body_pos_ < body_.size()) {
    size_t n = std::min(cap, body_.size() - body_pos_);
    memcpy(dst, body_.data() + body_pos_, n);
    body_pos_ += n;
    return static_cast<ssize_t>(n);
  }
  if (parent_ == nullptr) return http::kBodyError;
  if (parent_->ex_ == nullptr) {
    return parent_->exchange_last_sent_ ? http::kBodyEnd : http::kBodyError;
  }
  return parent_->ex_->read_body(dst, cap, std::move(ready));
}

int64_t ChildExchange::body_remaining() const {
  if (!entity_) return 0;
  int64_t buffered = static_cast<int64_t>(body_.size() - body_pos_);
  if (parent_ == nullptr || parent_->ex_ == nullptr) return buffered;
  int64_t r = parent_->ex_->body_remaining();
  return r < 0 ? -1 : r + buffered;
}

bool ChildExchange::send(std::span<const http::BodyChunk> chunks, bool last,
                         http::SendCompletion done) {
  if (parent_ == nullptr || send_outstanding_) return false;
  send_outstanding_ = true;
  bool first = !headers_sent_;
  headers_sent_ = true;
  uint64_t bytes = 0;
  for (const http::BodyChunk& c : chunks)
    bytes += c.size;
  body_sent_ += bytes;
  pending_done_ = std::move(done);
  pending_bytes_ = bytes;
  // The parent copies the chunks in a task of its own; the completion follows (never here).
  parent_->take_child_output(*this, first, chunks, last);
  return true;
}

void ChildExchange::complete_send(bool ok) {
  if (!send_outstanding_) return;
  send_outstanding_ = false;
  http::SendCompletion done = std::move(pending_done_);
  pending_done_ = nullptr;
  if (done) done(http::SendResult{ok, ok ? pending_bytes_ : 0});
}

void ChildExchange::set_close_after() {
  if (parent_ != nullptr) parent_->need_disconnect_ = true;
}

void ChildExchange::reset() {
  if (parent_ != nullptr) static_cast<IHttpResponse4*>(parent_->GetResponse())->ResetStream(0);
}

void ChildExchange::close_connection() {
  if (parent_ != nullptr) parent_->GetResponse()->ResetConnection();
}

const http::ConnectionInfo& ChildExchange::connection_info() const {
  // The parent's connection (the child runs on it); plain once the parent let go.
  if (parent_ != nullptr && parent_->ex_ != nullptr) return parent_->ex_->connection_info();
  return http::Exchange::connection_info();
}

bool ChildExchange::connected() const {
  return parent_ != nullptr && parent_->ex_ != nullptr && !parent_->connection_lost_;
}

std::shared_ptr<http::ConnectionData>* ChildExchange::connection_data() {
  return parent_ != nullptr && parent_->ex_ != nullptr ? parent_->ex_->connection_data() : nullptr;
}

Executor& ChildExchange::executor() {
  return exec_;
}

void ChildExchange::parent_gone() {
  parent_ = nullptr;
  complete_send(false);
  if (abort_) {
    std::function<void()> handler = std::move(abort_);
    abort_ = nullptr;
    handler();
  }
}

}  // namespace hs::iis
