// Fuzz target: chunked request bodies. Chunked decoding is llhttp's, driven by RequestParser
// (src/http/codec/http1/parser.cc, cb_body); this target puts a fixed chunked request head in
// front of the fuzzed bytes and checks the decoder against an independent reference decoder
// written from RFC 9112 §7.1: whenever the parser completes the message, the reference must
// agree on the decoded body and on the byte where the message ends — the byte the next
// pipelined request starts at, i.e. the framing a smuggling attack would try to confuse.
//
// The reference is loose about the content of chunk extensions and trailer fields (llhttp checks
// their characters; a stricter parser is fine) but exact about sizes and line terminators (CRLF,
// or LF alone as RFC 9112 §2.2 allows; never a CR alone), which is what decides the framing.
//
// Input: [flags][body limit u16 if flags&1][seed length][seed][chunked payload...]
#include <optional>
#include <string>

#include "fuzz_support.h"
#include "http/codec/http1/parser.h"

namespace hs::fuzz {
namespace {

using http::h1::ParserLimits;
using http::h1::RequestParser;

constexpr std::string_view kHead =
    "POST /upload HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: chunked\r\n\r\n";

struct Decoded {
  std::string body;
  size_t end = 0;  // offset just past the message in the chunked payload
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Position just past the line terminator of the line that starts at `pos`: CRLF, or a lone LF
// (RFC 9112 §2.2: a recipient MAY take LF for the terminator, and llhttp's strict mode does in
// places); nullopt for a CR not followed by LF or a line that does not end within `s`.
std::optional<size_t> line_end(std::string_view s, size_t pos) {
  for (size_t i = pos; i < s.size(); ++i) {
    if (s[i] == '\n') return i + 1;
    if (s[i] == '\r') {
      if (i + 1 < s.size() && s[i + 1] == '\n') return i + 2;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// RFC 9112 §7.1 chunked-body, on the payload after the head. nullopt: malformed or incomplete.
std::optional<Decoded> reference_decode(std::string_view s) {
  Decoded out;
  size_t pos = 0;
  while (true) {
    uint64_t size = 0;
    size_t digits = 0;
    while (pos < s.size() && hex_value(s[pos]) >= 0) {
      if (size > (UINT64_MAX >> 4)) return std::nullopt;  // does not fit: reject
      size = size * 16 + static_cast<uint64_t>(hex_value(s[pos]));
      ++pos;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    if (pos < s.size() && s[pos] != ';' && s[pos] != '\r' && s[pos] != ' ' && s[pos] != '\t') {
      return std::nullopt;  // only an extension (after optional BWS) or CRLF may follow the size
    }
    auto eol = line_end(s, pos);  // chunk-ext, if any, then CRLF
    if (!eol) return std::nullopt;
    pos = *eol;
    if (size == 0) break;
    if (size > s.size() - pos) return std::nullopt;
    out.body.append(s.substr(pos, size));
    pos += size;
    if (s.substr(pos, 2) == "\r\n") {
      pos += 2;
    } else if (s.substr(pos, 1) == "\n") {
      pos += 1;
    } else {
      return std::nullopt;
    }
  }
  // trailer-section, then the empty line.
  while (true) {
    auto eol = line_end(s, pos);
    if (!eol) return std::nullopt;
    bool empty = s[pos] == '\n' || (*eol == pos + 2 && s[pos] == '\r');
    pos = *eol;
    if (empty) break;
  }
  out.end = pos;
  return out;
}

class Listener final : public RequestParser::Listener {
 public:
  void on_head(http::RequestHead& h) override {
    ++heads;
    FUZZ_CHECK(heads == 1);
    FUZZ_CHECK(h.body == http::BodyFraming::kUnknownLength);
  }
  void on_body(std::string_view data) override {
    FUZZ_CHECK(heads == 1 && !complete);
    body.append(data);
  }
  bool on_message_complete() override {
    complete = true;
    return false;  // pause: feed() returns the end of the message
  }
  int heads = 0;
  bool complete = false;
  std::string body;
};

struct Result {
  bool complete = false;
  std::string body;
  size_t end = 0;  // in the whole stream (head included)
  int status = 0;
};

Result run(std::string_view stream, std::string_view seed, const ParserLimits& limits) {
  Listener l;
  RequestParser parser(l, limits);
  Result r;
  for_each_piece(seed, stream.size(), [&](size_t off, size_t n) {
    if (l.complete || parser.failed()) return;
    size_t used = parser.feed(stream.data() + off, n);
    FUZZ_CHECK(used <= n);
    if (l.complete) r.end = off + used;
  });
  r.complete = l.complete;
  r.body = std::move(l.body);
  r.status = parser.error_status();
  FUZZ_CHECK(!(r.complete && parser.failed()));
  FUZZ_CHECK(r.body.size() <= limits.max_body_size);
  return r;
}

}  // namespace
}  // namespace hs::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hs::fuzz;
  Input in(data, size);
  uint8_t flags = in.byte();
  ParserLimits limits;
  if (flags & 1) limits.max_body_size = in.u16();
  std::string_view seed = in.take(in.byte() % 16);
  std::string_view payload = in.rest();
  std::string stream(kHead);
  stream.append(payload);

  Result whole = run(stream, {}, limits);
  Result split = run(stream, seed, limits);
  FUZZ_CHECK(whole.complete == split.complete);
  if (whole.status != split.status) {
    // As in h1_parser_fuzz.cc: malformed and over a limit (here: trailer fields count against the
    // header limits) may give 400 or 413/431 depending on the split. Both must fail.
    auto limit = [](int s) { return s == 413 || s == 414 || s == 431; };
    FUZZ_CHECK(whole.status != 0 && split.status != 0);
    FUZZ_CHECK(limit(whole.status) || limit(split.status));
  }
  if (whole.complete) {
    FUZZ_CHECK(whole.body == split.body && whole.end == split.end);
    std::optional<Decoded> ref = reference_decode(payload);
    FUZZ_CHECK(ref.has_value());
    FUZZ_CHECK(ref->body == whole.body);
    FUZZ_CHECK(ref->end + kHead.size() == whole.end);
  } else if (whole.status == 0) {
    // Still waiting for bytes: the reference cannot have found a complete message either.
    FUZZ_CHECK(whole.body == split.body);
    FUZZ_CHECK(!reference_decode(payload).has_value());
  }
  return 0;
}
