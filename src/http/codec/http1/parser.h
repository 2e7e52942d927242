#pragma once
// HTTP/1.x request parser: a pure codec over llhttp. Bytes in, events out; no I/O, no clocks.
// Strict RFC 9112 parsing (llhttp's lenient modes stay off, but for keep-alive, which this parser
// decides itself) plus our limits. When it fails, it reports the status to answer with (400,
// 413, 414, 417, 431, 501, 505); after any failure the framing can no longer be trusted and the
// caller must close the connection after answering.
// Field values in the head exclude surrounding whitespace (RFC 9110 §5.5). A message whose head
// says !keep_alive() is the last one the caller may act on: the parser itself would go on.
// The head's authority is its Host field (HTTP/1 has no other); the scheme is the transport's
// (left empty here).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

// llhttp stays an implementation detail: its global names (e.g. the HTTP_REQUEST enumerator)
// would collide with HTTP.sys's structs in code that also sees the IIS API.
struct llhttp__internal_s;
struct llhttp_settings_s;

namespace hs::http::h1 {

struct ParserLimits {
  size_t max_request_line = 8 * 1024;   // method + target + version; over it: 414
  size_t max_header_bytes = 32 * 1024;  // all header field lines; over it: 431
  size_t max_header_count = 100;        // field lines; over it: 431
  uint64_t max_body_size = 30'000'000;  // decoded body bytes; over it: 413 (IIS's default)
};

class RequestParser {
 public:
  class Listener {
   public:
    // The head is complete; `head` stays valid until the next message begins.
    virtual void on_head(RequestHead& head) = 0;
    // Decoded body bytes (chunked framing removed). `data` is valid only during the call.
    virtual void on_body(std::string_view data) = 0;
    // The whole message has been parsed. Return true to go on parsing the next pipelined message
    // within the same feed() call, false to pause: feed() returns right after this message and
    // the caller feeds the remaining bytes later.
    virtual bool on_message_complete() = 0;

   protected:
    ~Listener() = default;
  };

  RequestParser(Listener& listener, const ParserLimits& limits);
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Parses up to `len` bytes and returns how many were consumed: all of them, unless the listener
  // paused (the rest belongs to later messages) or parsing failed (then failed() is true).
  size_t feed(const char* data, size_t len);

  // Hands the bytes the current head's views point into to `other` (the views stay valid, they
  // move with the heap buffer) and takes other's buffer for the next message. Lets a request
  // outlive the parser's position in the stream (pipelined responses).
  void swap_storage(std::vector<char>& other) { storage_.swap(other); }

  bool failed() const { return error_status_ != 0; }
  int error_status() const { return error_status_; }
  const std::string& error_reason() const { return error_reason_; }

  // True once a message has begun and until it is complete.
  bool in_message() const { return in_message_; }
  // True after the head and before the end of the body.
  bool in_body() const { return in_body_; }
  // Whether the connection may carry another request after the last head (HTTP/1.1 without
  // Connection: close, or HTTP/1.0 with Connection: keep-alive). Valid from on_head().
  bool keep_alive() const { return keep_alive_; }

 private:
  static int cb_message_begin(llhttp__internal_s* p);
  static int cb_method(llhttp__internal_s* p, const char* at, size_t n);
  static int cb_method_complete(llhttp__internal_s* p);
  static int cb_url(llhttp__internal_s* p, const char* at, size_t n);
  static int cb_url_complete(llhttp__internal_s* p);
  static int cb_version(llhttp__internal_s* p, const char* at, size_t n);
  static int cb_header_field(llhttp__internal_s* p, const char* at, size_t n);
  static int cb_header_field_complete(llhttp__internal_s* p);
  static int cb_header_value(llhttp__internal_s* p, const char* at, size_t n);
  static int cb_headers_complete(llhttp__internal_s* p);
  static int cb_body(llhttp__internal_s* p, const char* at, size_t n);
  static int cb_message_complete(llhttp__internal_s* p);

  int fail(int status, const char* reason);
  size_t scan_unknown_method(const char* data, size_t len);
  // How many of the next bytes belong to the request target (with the spaces before it), when
  // the parser is between the method and the end of the target; else 0.
  size_t target_run(const char* p, size_t left) const;
  int headers_complete();
  void map_llhttp_error(int err);

  struct Span {
    uint32_t off = 0;
    uint32_t len = 0;
  };
  struct FieldSpans {
    Span name;
    Span value;
  };

  Listener& listener_;
  ParserLimits limits_;
  std::unique_ptr<llhttp__internal_s> parser_;
  std::unique_ptr<llhttp_settings_s> settings_;

  RequestHead head_;
  std::vector<char> storage_;  // method, target and header bytes of the current message
  Span method_, url_, version_;
  std::vector<FieldSpans> fields_;
  size_t header_bytes_ = 0;
  uint64_t body_bytes_ = 0;
  bool in_message_ = false;
  bool in_body_ = false;
  bool keep_alive_ = true;
  bool in_field_name_ = false;
  const char* exec_start_ = nullptr;  // first byte of the current llhttp_execute() call
  char prev_last_byte_ = 0;           // last byte consumed by the previous call

  // Targets with bytes >= 0x80 (see feed()).
  bool method_done_ = false;  // the current message's method is complete
  bool url_done_ = false;     // ... and its target
  bool paused_for_target_ = false;
  std::string mask_buf_;             // the target bytes handed to llhttp, masked
  const char* masked_ = nullptr;     // while llhttp runs on mask_buf_: the bytes it stands for
  bool scanning_method_ = false;     // llhttp refused the method: the rest of its token is ours
  size_t unknown_method_bytes_ = 0;  // token bytes scanned so far
  int error_status_ = 0;
  std::string error_reason_;
};

}  // namespace hs::http::h1
