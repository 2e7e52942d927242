#pragma once
// Child requests (spec-2 §3.5): IHttpContext::CloneContext makes a context whose request is a
// copy of the parent's (the parts CLONE_FLAG_* select), ExecuteRequest runs its whole pipeline,
// ReleaseClonedContext lets it go. The child's connection is this exchange: it reads the
// parent's request body (CLONE_FLAG_ENTITY) and hands everything it sends to the parent, which
// copies it into its own response (EXECUTE_FLAG_BUFFER_RESPONSE) or sends it to the client
// (status and headers too, unless EXECUTE_FLAG_NO_HEADERS or the parent's went out already: the
// first header block wins). Decisions for the spec's [UNC] items are in docs/iis-compat.md.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "http/exchange.h"

namespace hs::iis {

class HttpContextImpl;

class ChildExchange final : public http::Exchange {
 public:
  // A copy of `parent`'s request as it stands, by `clone_flags`.
  ChildExchange(HttpContextImpl& parent, uint32_t clone_flags);

  const http::RequestHead& request() const override { return head_; }
  ssize_t read_body(char* dst, size_t cap, std::function<void()> ready) override;
  int64_t body_remaining() const override;
  http::ResponseHead& response() override { return response_; }
  bool headers_sent() const override { return headers_sent_; }
  bool send(std::span<const http::BodyChunk> chunks, bool last, http::SendCompletion done) override;
  void set_close_after() override;
  void reset() override;
  void close_connection() override;
  void set_abort_handler(std::function<void()> handler) override { abort_ = std::move(handler); }
  bool connected() const override;
  std::shared_ptr<http::ConnectionData>* connection_data() override;
  const http::ConnectionInfo& connection_info() const override;
  Executor& executor() override;
  std::string_view remote_address() const override { return remote_host_; }
  uint16_t remote_port() const override { return remote_port_; }
  std::string_view local_address() const override { return local_host_; }
  uint16_t local_port() const override { return local_port_; }

  // The parent ends (or lets go first): nothing here reaches it any more, and a child still
  // running hears that its connection is gone.
  void parent_gone();
  HttpContextImpl* parent() const { return parent_; }
  uint64_t body_bytes_sent() const { return body_sent_; }
  // The parent took (or could not take) the outstanding send: its completion runs.
  void complete_send(bool ok);

 private:
  friend class HttpContextImpl;
  HttpContextImpl* parent_;
  Executor& exec_;
  uint32_t flags_;
  uint32_t execute_flags_ = 0;  // EXECUTE_FLAG_*, set by ExecuteRequest
  std::string method_, target_;
  std::vector<std::pair<std::string, std::string>> fields_;
  http::RequestHead head_;
  std::string body_;  // the parent's request body read ahead and not yet read by the parent
  size_t body_pos_ = 0;
  bool entity_ = false;
  http::ResponseHead response_;
  bool headers_sent_ = false;
  bool send_outstanding_ = false;
  http::SendCompletion pending_done_;
  uint64_t pending_bytes_ = 0;
  uint64_t body_sent_ = 0;
  std::function<void()> abort_;
  std::string remote_host_, local_host_;
  uint16_t remote_port_ = 0, local_port_ = 0;
};

}  // namespace hs::iis
