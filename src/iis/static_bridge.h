#pragma once
// The built-in StaticFileModule: core's static-file handler (core/static_file_handler.h) answers
// into the IIS response of the request instead of onto the connection, as IIS's own module does.
// Its status, headers and body become the response every module sees and may change: the file is
// a file chunk (HttpDataChunkFromFileHandle) in the buffered body (GetRawHttpResponse), headers a
// module set earlier stay, Clear() drops all of it, RQ_SEND_RESPONSE sees it before it is sent,
// and the bytes still go out with sendfile (or, for a small cached file, from the cached copy).
#include <string>
#include <string_view>

#include "http/exchange.h"

namespace hs::iis {

class HttpContextImpl;

// An http::Exchange for core's handler, alive for one handle() call. Whatever core sends is
// handed to HttpContextImpl::take_core_response() (with the completion, which keeps what the
// chunks point into alive until the IIS response lets go of them).
class StaticBridge final : public http::Exchange {
 public:
  // `inner`: the connection's exchange (the request as received, the connection's facts).
  // `request`: the request core is to answer (the pipeline's URL, relative to the virtual
  // directory `prefix`); used instead of inner's when the pipeline changed the URL.
  StaticBridge(HttpContextImpl& ctx, http::Exchange& inner, const http::RequestHead* request,
               std::string_view prefix)
      : ctx_(ctx), inner_(inner), request_(request), prefix_(prefix) {}

  const http::RequestHead& request() const override {
    return request_ != nullptr ? *request_ : inner_.request();
  }
  ssize_t read_body(char*, size_t, std::function<void()>) override { return http::kBodyEnd; }
  int64_t body_remaining() const override { return 0; }
  // Core writes its head into the connection's (whose field strings are kept from request to
  // request), and the IIS response takes it from there (take_core_response).
  http::ResponseHead& response() override { return inner_.response(); }
  bool headers_sent() const override { return false; }
  bool send(std::span<const http::BodyChunk> chunks, bool last, http::SendCompletion done) override;
  void set_close_after() override;
  void reset() override;
  void close_connection() override;
  void set_abort_handler(std::function<void()>) override {}
  bool connected() const override { return inner_.connected(); }
  std::shared_ptr<http::ConnectionData>* connection_data() override {
    return inner_.connection_data();
  }
  const http::ConnectionInfo& connection_info() const override { return inner_.connection_info(); }
  Executor& executor() override { return inner_.executor(); }
  std::string_view remote_address() const override { return inner_.remote_address(); }
  uint16_t remote_port() const override { return inner_.remote_port(); }
  std::string_view local_address() const override { return inner_.local_address(); }
  uint16_t local_port() const override { return inner_.local_port(); }

  // Percent-encodes what a URL path may not carry as is, so that core's decoding gives back
  // exactly `path` (a '%' in a file name included).
  static std::string encode_path(std::string_view path);

 private:
  HttpContextImpl& ctx_;
  http::Exchange& inner_;
  const http::RequestHead* request_;
  std::string prefix_;
  bool sent_ = false;
};

}  // namespace hs::iis
