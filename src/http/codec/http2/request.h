#pragma once
// HTTP/2 request heads: from the fields of a HEADERS block (decoded by nghttp2, which has already
// checked the HTTP/2 rules: pseudo-fields present once and first, no connection-specific field,
// lower-case names, content-length against DATA) to a protocol-neutral RequestHead, with the
// checks HTTP/1 applies to the same facts, so that both protocols answer alike: an invalid
// :authority gets the answer an invalid Host gets. Pure: no I/O.
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "http/message.h"

namespace hs::http::h2 {

struct Limits {
  size_t max_fields = 100;              // as HTTP/1's header section
  size_t max_field_bytes = 32 * 1024;   // names + values, as HTTP/1's header section
  uint64_t max_body_size = 30'000'000;  // a declared content-length above it: 413
  size_t max_target = 8 * 1024;         // as HTTP/1's request line: 414
};

// The fields of one request as they arrive (nghttp2's on_header callback), bounded. Reusable:
// reset() empties it for the next request and keeps its strings' storage, so a warm object
// allocates nothing for a request of usual size.
class RequestFields {
 public:
  using Field = std::pair<std::string, std::string>;
  explicit RequestFields(const Limits* limits) : limits_(limits) { fields_.reserve(16); }
  // For the next request (under `limits`, which must outlive the use; set_limits may set them
  // later). Keeps the fields' storage up to a bound.
  void reset(const Limits* limits);
  void set_limits(const Limits* limits) { limits_ = limits; }
  // Keeps a field; false (and keeps nothing more) once the limits are passed: answer 431.
  bool add(std::string_view name, std::string_view value);
  bool too_large() const { return too_large_; }
  std::span<const Field> fields() const { return {fields_.data(), size_}; }

  // Fills `head` (its views point into this object, which must not change afterwards).
  // `end_stream`: the HEADERS frame ended the stream (no body). Returns 0, or the status to
  // answer (400, 413, 414, 431) with *reason set.
  int make_head(RequestHead* head, bool end_stream, std::string* reason);

 private:
  const Limits* limits_;
  std::vector<Field> fields_;  // [0, size_) are the fields; the rest is spare storage
  size_t size_ = 0;
  std::string cookie_;  // several cookie fields joined (RFC 9113 §8.2.3)
  size_t bytes_ = 0;
  bool too_large_ = false;
};

}  // namespace hs::http::h2
