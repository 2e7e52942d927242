// Fuzz target: HTTP-date parsing and formatting (src/http/http_date.*) and conditional requests
// (src/http/conditional.*).
//
// Dates: a parsed date is in the range an IMF-fixdate can express (a leap second may step one
// past the end), formats back to 29 characters that parse to the same instant, and surrounding
// whitespace changes nothing; any instant in range formats and parses back. Conditionals:
// evaluate_preconditions() and if_range_matches() on fuzzed field values must not misbehave, a
// listed tag equal to the representation's strong tag always matches, and a field list without
// any condition proceeds.
//
// Input: [now i64][instant i64][flags][lengths of 5 fields][date text, 4 field values, etag]
#include <optional>
#include <string>

#include "fuzz_support.h"
#include "http/conditional.h"
#include "http/http_date.h"

namespace hs::fuzz {
namespace {

using http::Conditionals;
using http::Precondition;
using http::Validators;

void check_date(std::string_view text, int64_t now) {
  std::optional<int64_t> t = http::parse_http_date(text, now);
  std::string padded = " \t" + std::string(text) + " ";
  FUZZ_CHECK(http::parse_http_date(padded, now) == t);
  if (!t) return;
  FUZZ_CHECK(*t >= http::kMinHttpDate && *t <= http::kMaxHttpDate + 1);
  if (*t > http::kMaxHttpDate) return;  // 9999-12-31T23:59:60: one past what can be written
  char buf[http::kHttpDateLength];
  FUZZ_CHECK(http::format_http_date(*t, buf));
  std::string_view formatted(buf, sizeof(buf));
  FUZZ_CHECK(http::parse_http_date(formatted, now) == t);
}

void check_instant(int64_t t) {
  // Fold into the representable range so that most inputs exercise the formatter.
  const int64_t span = http::kMaxHttpDate - http::kMinHttpDate + 1;
  int64_t folded = http::kMinHttpDate + static_cast<int64_t>(static_cast<uint64_t>(t) % span);
  std::string s = http::format_http_date(folded);
  FUZZ_CHECK(s.size() == http::kHttpDateLength);
  FUZZ_CHECK(http::parse_http_date(s, 0) == folded);
  if (t < http::kMinHttpDate || t > http::kMaxHttpDate) {
    FUZZ_CHECK(http::format_http_date(t).empty());
  }
}

}  // namespace
}  // namespace hs::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hs::fuzz;
  namespace http = hs::http;
  Input in(data, size);
  auto now = static_cast<int64_t>(in.u64());
  auto instant = static_cast<int64_t>(in.u64());
  uint8_t flags = in.byte();
  size_t lens[5];
  for (size_t& n : lens)
    n = in.byte();
  std::string_view date_text = in.take(lens[0]);
  std::string_view fields[4];
  for (int i = 0; i < 4; ++i)
    fields[i] = in.take(lens[i + 1]);
  std::string_view etag_in = in.rest();

  check_date(date_text, now);
  check_instant(instant);

  // make_etag: the documented bound, quotes, and nothing written into too small a buffer.
  char tag_buf[http::kMaxEtagLength];
  size_t tag_len = http::make_etag(now, static_cast<uint64_t>(instant), tag_buf, sizeof(tag_buf));
  FUZZ_CHECK(tag_len >= 5 && tag_len <= http::kMaxEtagLength);
  FUZZ_CHECK(tag_buf[0] == '"' && tag_buf[tag_len - 1] == '"');
  FUZZ_CHECK(http::make_etag(now, static_cast<uint64_t>(instant), tag_buf, tag_len - 1) == 0);

  Validators v;
  v.etag = (flags & 8) ? std::string_view(tag_buf, tag_len) : etag_in;
  v.last_modified = instant;
  v.has_last_modified = (flags & 16) == 0;
  Conditionals c;
  if (flags & 1) c.if_match = fields[0];
  if (flags & 2) c.if_none_match = fields[1];
  if (flags & 4) c.if_modified_since = fields[2];
  if (flags & 32) c.if_unmodified_since = fields[3];
  bool get = (flags & 64) != 0;
  Precondition p = http::evaluate_preconditions(get, c, v);
  FUZZ_CHECK(p == Precondition::kProceed || p == Precondition::kNotModified ||
             p == Precondition::kPreconditionFailed);
  if (!get) FUZZ_CHECK(p != Precondition::kNotModified);  // 304 only for GET/HEAD
  FUZZ_CHECK(http::evaluate_preconditions(get, Conditionals{}, v) == Precondition::kProceed);

  // A list holding our own strong tag: If-Match passes, If-None-Match fails.
  if (flags & 8) {
    // Ours first: a malformed member may swallow what follows it (a comma is an etagc).
    std::string list = std::string(v.etag) + ", " + std::string(fields[0]);
    Conditionals m;
    m.if_match = list;
    FUZZ_CHECK(http::evaluate_preconditions(get, m, v) == Precondition::kProceed);
    Conditionals nm;
    nm.if_none_match = list;
    FUZZ_CHECK(http::evaluate_preconditions(get, nm, v) ==
               (get ? Precondition::kNotModified : Precondition::kPreconditionFailed));
    FUZZ_CHECK(http::if_range_matches(v.etag, v));
  }
  (void)http::if_range_matches(fields[1], v);
  (void)http::if_range_matches(etag_in, v);
  return 0;
}
