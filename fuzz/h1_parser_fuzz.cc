// Fuzz target: the HTTP/1 request parser (src/http/codec/http1/parser.*).
//
// The same bytes are parsed twice — in one feed() and in pieces whose lengths the input chooses —
// and both runs must report the same messages, the same body bytes and the same error status.
// On top of that every event is checked against the parser's contract: limits respected, framing
// consistent, no CR/LF in a field value, head views valid until the next message (also after
// swap_storage), feed() consuming everything unless paused or failed, and nothing after a failure.
//
// Input: [flags][limits...][seed length][seed][payload]. Flags: bit 0 pauses after every message
// (as the session does), bit 1 uses small limits taken from the next bytes, bit 2 moves the head's
// storage out in on_head (as the session does).
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "http/codec/http1/parser.h"
#include "http/codec/http1/token.h"

namespace hs::fuzz {
namespace {

using http::h1::ParserLimits;
using http::h1::RequestParser;

struct Message {
  std::string head;  // every field of the RequestHead, as text
  std::string body;
  bool complete = false;
};

struct Trace {
  std::vector<Message> messages;
  int status = 0;
};

std::string describe(const http::RequestHead& h, bool keep_alive) {
  std::string s;
  s.append(h.method_name).append(" ").append(h.target);
  s += " " + std::to_string(h.version_major) + "." + std::to_string(h.version_minor);
  s += " m=" + std::to_string(static_cast<int>(h.method));
  for (const auto& f : h.headers)
    s.append(" [").append(f.name).append("=").append(f.value).append("]");
  s += " body=" + std::to_string(static_cast<int>(h.body));
  s += " cl=" + std::to_string(h.content_length);
  s += keep_alive ? " ka" : " close";
  if (h.expect_continue) s += " expect";
  return s;
}

class Recorder final : public RequestParser::Listener {
 public:
  Recorder(const ParserLimits& limits, bool pause, bool swap, Trace* trace)
      : limits_(limits), pause_(pause), swap_(swap), trace_(trace) {}
  void attach(RequestParser* parser) { parser_ = parser; }

  void on_head(http::RequestHead& h) override {
    FUZZ_CHECK(parser_->in_message());
    FUZZ_CHECK(!in_message_);  // one head per message
    in_message_ = true;
    // Limits (parser.h): the request line, the header section and the declared length.
    FUZZ_CHECK(h.method_name.size() + h.target.size() + 10 <= limits_.max_request_line);
    FUZZ_CHECK(h.headers.size() <= limits_.max_header_count);
    size_t header_bytes = 0;
    for (const auto& f : h.headers) {
      header_bytes += f.name.size() + f.value.size() + 4;
      FUZZ_CHECK(!f.name.empty());
      for (char c : f.name)
        FUZZ_CHECK(http::h1::is_tchar(static_cast<unsigned char>(c)));
      // A CR or LF in a value would let a field smuggle another one into what handlers see.
      FUZZ_CHECK(f.value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos);
    }
    FUZZ_CHECK(header_bytes <= limits_.max_header_bytes);
    FUZZ_CHECK(!h.method_name.empty() && !h.target.empty());
    FUZZ_CHECK(h.version_major == 1 && h.version_minor <= 1);
    if (h.body == http::BodyFraming::kContentLength) {
      FUZZ_CHECK(h.content_length > 0 && h.content_length <= limits_.max_body_size);
    } else {
      FUZZ_CHECK(h.content_length == 0);
    }
    if (h.body == http::BodyFraming::kUnknownLength) FUZZ_CHECK(h.version_minor == 1);
    FUZZ_CHECK(parser_->in_body() == h.has_body());

    trace_->messages.push_back({describe(h, parser_->keep_alive()), {}, false});
    head_ = h;
    if (swap_) {
      // What the session does: the head's bytes leave with the exchange; its views must follow.
      parser_->swap_storage(spare_);
    }
  }

  void on_body(std::string_view data) override {
    FUZZ_CHECK(in_message_ && parser_->in_body());
    FUZZ_CHECK(!data.empty());
    Message& m = trace_->messages.back();
    m.body.append(data);
    FUZZ_CHECK(m.body.size() <= limits_.max_body_size);
    if (head_.body == http::BodyFraming::kContentLength) {
      FUZZ_CHECK(m.body.size() <= head_.content_length);
    }
  }

  bool on_message_complete() override {
    FUZZ_CHECK(in_message_);
    in_message_ = false;
    Message& m = trace_->messages.back();
    if (head_.body == http::BodyFraming::kContentLength) {
      FUZZ_CHECK(m.body.size() == head_.content_length);
    } else if (head_.body == http::BodyFraming::kNone) {
      FUZZ_CHECK(m.body.empty());
    }
    // The head's views are still those of this message (after swap_storage too).
    FUZZ_CHECK(describe(head_, parser_->keep_alive()) == m.head);
    m.complete = true;
    return !pause_;
  }

 private:
  ParserLimits limits_;
  bool pause_;
  bool swap_;
  Trace* trace_;
  RequestParser* parser_ = nullptr;
  http::RequestHead head_;
  std::vector<char> spare_;
  bool in_message_ = false;
};

// Feeds `payload` in the pieces chosen by `seed`, re-feeding after every pause like the session.
Trace run(std::string_view payload, std::string_view seed, const ParserLimits& limits, bool pause,
          bool swap) {
  Trace trace;
  Recorder rec(limits, pause, swap, &trace);
  RequestParser parser(rec, limits);
  rec.attach(&parser);
  bool stopped = false;
  for_each_piece(seed, payload.size(), [&](size_t off, size_t n) {
    if (stopped) return;
    const char* p = payload.data() + off;
    while (n > 0) {
      size_t messages_before = trace.messages.size();
      bool complete_before = !trace.messages.empty() && trace.messages.back().complete;
      size_t used = parser.feed(p, n);
      FUZZ_CHECK(used <= n);
      if (parser.failed()) {
        FUZZ_CHECK(parser.feed(p + used, n - used) == 0);  // nothing after a failure
        stopped = true;
        return;
      }
      if (used < n) {
        // Only a pause stops early, and only right after a message completed.
        FUZZ_CHECK(pause);
        FUZZ_CHECK(!trace.messages.empty() && trace.messages.back().complete);
        FUZZ_CHECK(trace.messages.size() > messages_before || !complete_before);
        FUZZ_CHECK(!parser.in_message());
      }
      p += used;
      n -= used;
    }
  });
  trace.status = parser.error_status();
  if (parser.failed()) {
    int s = trace.status;
    FUZZ_CHECK(s == 400 || s == 413 || s == 414 || s == 417 || s == 431 || s == 501 || s == 505);
    FUZZ_CHECK(!parser.error_reason().empty());
  }
  return trace;
}

}  // namespace
}  // namespace hs::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hs::fuzz;
  Input in(data, size);
  uint8_t flags = in.byte();
  ParserLimits limits;
  if (flags & 2) {
    limits.max_request_line = 16 + in.byte();
    limits.max_header_bytes = 16 + in.u16() % 2048;
    limits.max_header_count = in.byte() % 16;
    limits.max_body_size = in.u16();
  }
  std::string_view seed = in.take(in.byte() % 16);
  std::string_view payload = in.rest();
  bool pause = (flags & 1) != 0;
  bool swap = (flags & 4) != 0;

  Trace whole = run(payload, {}, limits, pause, swap);
  Trace split = run(payload, seed, limits, pause, swap);

  if (whole.status != split.status) {
    // Accepted divergence: a request that is both malformed and over a limit may get 400 or the
    // limit's status depending on where the bytes were cut. Limits are checked on every piece
    // llhttp hands over (that is what bounds the memory), and llhttp hands over a partial token
    // only at the end of a feed() — so a piece boundary can reveal the size before llhttp reaches
    // the bad byte. Both runs must still fail, in the same message.
    auto limit = [](int s) { return s == 413 || s == 414 || s == 431; };
    FUZZ_CHECK(whole.status != 0 && split.status != 0);
    FUZZ_CHECK(limit(whole.status) || limit(split.status));
  }
  FUZZ_CHECK(whole.messages.size() == split.messages.size());
  for (size_t i = 0; i < whole.messages.size(); ++i) {
    const Message& a = whole.messages[i];
    const Message& b = split.messages[i];
    FUZZ_CHECK(a.head == b.head);
    FUZZ_CHECK(a.complete == b.complete);
    if (a.complete || whole.status == 0) {
      FUZZ_CHECK(a.body == b.body);
    } else {
      // A failed body (413) may stop at a different byte depending on the pieces, but what was
      // delivered is always a prefix of the same body.
      size_t n = std::min(a.body.size(), b.body.size());
      FUZZ_CHECK(a.body.compare(0, n, b.body, 0, n) == 0);
    }
  }
  return 0;
}
