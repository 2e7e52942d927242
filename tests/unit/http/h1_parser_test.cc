// The HTTP/1 request parser, fed bytes directly: whole, byte by byte and in random splits.
#include "http/codec/http1/parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace hs::http::h1 {
namespace {

// Records every event as text so that different feeding patterns can be compared exactly.
class Recorder final : public RequestParser::Listener {
 public:
  explicit Recorder(bool pause_each = false) : pause_each_(pause_each) {}
  void on_head(RequestHead& h) override {
    log += "HEAD " + std::string(h.method_name) + " " + std::string(h.target) + " 1." +
           std::to_string(h.version_minor);
    for (const auto& f : h.headers)
      log += " [" + std::string(f.name) + "=" + std::string(f.value) + "]";
    log += " body=" + std::to_string(static_cast<int>(h.body));
    log += " cl=" + std::to_string(h.content_length);
    log += parser == nullptr || parser->keep_alive() ? " ka" : " close";
    if (h.expect_continue) log += " expect";
    log += "\n";
    ++heads;
  }
  void on_body(std::string_view d) override { body += d; }
  bool on_message_complete() override {
    log += "BODY " + body + "\nEND\n";
    body.clear();
    ++messages;
    return !pause_each_;
  }
  const RequestParser* parser = nullptr;  // for keep_alive()
  std::string log;
  std::string body;
  int heads = 0;
  int messages = 0;

 private:
  bool pause_each_;
};

struct Outcome {
  std::string log;
  int status = 0;
};

Outcome parse_all(const std::string& in, const std::vector<size_t>& cuts,
                  const ParserLimits& limits = {}) {
  Recorder rec;
  RequestParser p(rec, limits);
  rec.parser = &p;
  size_t pos = 0;
  for (size_t i = 0; i <= cuts.size() && !p.failed(); ++i) {
    size_t end = i < cuts.size() ? cuts[i] : in.size();
    while (pos < end && !p.failed())
      pos += p.feed(in.data() + pos, end - pos);
  }
  return {rec.log, p.error_status()};
}

Outcome parse_whole(const std::string& in, const ParserLimits& limits = {}) {
  return parse_all(in, {}, limits);
}

// Every message must parse to the same transcript however the bytes are split.
void expect_split_invariant(const std::string& in) {
  Outcome whole = parse_whole(in);
  std::vector<size_t> each;
  for (size_t i = 1; i < in.size(); ++i)
    each.push_back(i);
  Outcome bytewise = parse_all(in, each);
  EXPECT_EQ(whole.log, bytewise.log);
  EXPECT_EQ(whole.status, bytewise.status);
  std::mt19937 rng(1234);
  for (int round = 0; round < 200; ++round) {
    std::vector<size_t> cuts;
    for (size_t i = 1; i < in.size(); ++i) {
      if (rng() % 7 == 0) cuts.push_back(i);
    }
    Outcome split = parse_all(in, cuts);
    ASSERT_EQ(whole.log, split.log) << "round " << round;
    ASSERT_EQ(whole.status, split.status);
  }
}

TEST(H1Parser, SimpleGet) {
  Outcome o = parse_whole("GET /hello.txt HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\n\r\n");
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.log, "HEAD GET /hello.txt 1.1 [Host=a] [User-Agent=t] body=0 cl=0 ka\nBODY \nEND\n");
}

TEST(H1Parser, SplitInvariantAcrossFeatures) {
  expect_split_invariant("GET /a?b=c HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n");
  expect_split_invariant(
      "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world"
      "GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
  expect_split_invariant(
      "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: t\r\n\r\n"
      "GET / HTTP/1.0\r\n\r\n");
  expect_split_invariant("GET / HTTP/1.1\r\nHost: x\r\nX-Empty:\r\nX-Sp:   v  \r\n\r\n");
}

TEST(H1Parser, ChunkedBodyIsDecoded) {
  Outcome o = parse_whole(
      "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n");
  EXPECT_EQ(o.status, 0);
  EXPECT_NE(o.log.find("body=2"), std::string::npos);
  EXPECT_NE(o.log.find("BODY helloabcdefghijklmnopqrstuvwxyz\n"), std::string::npos);
}

TEST(H1Parser, KeepAliveRules) {
  EXPECT_NE(parse_whole("GET / HTTP/1.0\r\n\r\n").log.find(" close"), std::string::npos);
  EXPECT_NE(parse_whole("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").log.find(" ka"),
            std::string::npos);
  EXPECT_NE(
      parse_whole("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").log.find(" close"),
      std::string::npos);
}

TEST(H1Parser, FieldValuesExcludeSurroundingWhitespace) {
  // RFC 9110 §5.5: leading and trailing SP / HTAB are not part of a field value.
  std::string in =
      "GET / HTTP/1.1\r\nHost: a \t\r\nX-Sp:   v  \r\nX-Tab:\tw\t\r\nX-In: a \t b\r\n"
      "X-Blank: \t \r\n\r\n";
  Outcome o = parse_whole(in);
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.log,
            "HEAD GET / 1.1 [Host=a] [X-Sp=v] [X-Tab=w] [X-In=a \t b] [X-Blank=] body=0 cl=0 "
            "ka\nBODY \nEND\n");
  expect_split_invariant(in);
}

TEST(H1Parser, ConnectionTokensWithWhitespace) {
  struct Case {
    const char* head;
    bool keep_alive;
  };
  for (const Case& c : {
           Case{"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\t\r\n\r\n", false},
           Case{"GET / HTTP/1.1\r\nHost: a\r\nConnection: close \t \r\n\r\n", false},
           Case{"GET / HTTP/1.1\r\nHost: a\r\nConnection:\tclose\r\n\r\n", false},
           Case{"GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\t, bar\r\n\r\n", false},
           Case{"GET / HTTP/1.1\r\nHost: a\r\nConnection: foo\r\nConnection: Close\r\n\r\n", false},
           Case{"GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n", true},
           Case{"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\t\r\n\r\n", true},
           Case{"GET / HTTP/1.0\r\nConnection: keep-alive\t\r\n\r\n", true},
           Case{"GET / HTTP/1.0\r\nConnection: x,\tKeep-Alive \r\n\r\n", true},
           Case{"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false},
           Case{"GET / HTTP/1.0\r\n\r\n", false},
       }) {
    Outcome o = parse_whole(c.head);
    EXPECT_EQ(o.status, 0) << c.head;
    EXPECT_NE(o.log.find(c.keep_alive ? " ka\n" : " close\n"), std::string::npos) << c.head << "\n"
                                                                                  << o.log;
  }
  // A keep-alive HTTP/1.0 request whose llhttp reading would have been "close": the next one
  // still parses.
  expect_split_invariant(
      "GET /1 HTTP/1.0\r\nConnection: keep-alive\t\r\n\r\nGET /2 HTTP/1.0\r\n\r\n");
  EXPECT_NE(parse_whole("GET /1 HTTP/1.0\r\nConnection: keep-alive\t\r\n\r\n"
                        "GET /2 HTTP/1.0\r\n\r\n")
                .log.find("HEAD GET /2"),
            std::string::npos);
}

TEST(H1Parser, FramingFieldsWithTrailingTabAreRefused) {
  // llhttp reads Content-Length and Transfer-Encoding itself and takes a trailing HTAB for part
  // of the value: such a request is refused (as nginx does), never framed differently.
  EXPECT_EQ(parse_whole("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\t\r\n\r\nx").status, 400);
  EXPECT_EQ(parse_whole("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\t\r\n\r\n"
                        "0\r\n\r\n")
                .status,
            400);
  // Trailing SP is fine for both.
  EXPECT_EQ(parse_whole("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 \r\n\r\nx").status, 0);
  EXPECT_EQ(parse_whole("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked \r\n\r\n"
                        "0\r\n\r\n")
                .status,
            0);
}

TEST(H1Parser, ExpectContinue) {
  Outcome o = parse_whole(
      "PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nZ");
  EXPECT_EQ(o.status, 0);
  EXPECT_NE(o.log.find(" expect"), std::string::npos);
  EXPECT_EQ(parse_whole("GET / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n").status, 417);
}

TEST(H1Parser, PauseAfterEachMessageLeavesTheRest) {
  Recorder rec(/*pause_each=*/true);
  RequestParser p(rec, {});
  rec.parser = &p;
  std::string in = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n";
  size_t used = p.feed(in.data(), in.size());
  EXPECT_EQ(used, in.find("GET /2"));
  EXPECT_EQ(rec.messages, 1);
  used += p.feed(in.data() + used, in.size() - used);
  EXPECT_EQ(used, in.size());
  EXPECT_EQ(rec.messages, 2);
}

struct ErrorCase {
  const char* name;
  std::string input;
  int status;
};

void PrintTo(const ErrorCase& c, std::ostream* os) {
  *os << c.name;
}

class H1ParserErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(H1ParserErrors, MapsToStatus) {
  const ErrorCase& c = GetParam();
  EXPECT_EQ(parse_whole(c.input).status, c.status) << c.name;
  // Byte-by-byte feeding must fail the same way.
  std::vector<size_t> each;
  for (size_t i = 1; i < c.input.size(); ++i)
    each.push_back(i);
  EXPECT_EQ(parse_all(c.input, each).status, c.status) << c.name << " (bytewise)";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, H1ParserErrors,
    ::testing::Values(
        ErrorCase{"missing host", "GET / HTTP/1.1\r\n\r\n", 400},
        ErrorCase{"two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
        ErrorCase{"host with space", "GET / HTTP/1.1\r\nHost: exa mple/evil\r\n\r\n", 400},
        ErrorCase{"host with path", "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080/path\r\n\r\n", 400},
        ErrorCase{"empty host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 400},
        ErrorCase{"blank host", "GET / HTTP/1.1\r\nHost:  \r\n\r\n", 400},
        ErrorCase{"host userinfo", "GET / HTTP/1.1\r\nHost: user@host\r\n\r\n", 400},
        ErrorCase{"host list", "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", 400},
        ErrorCase{"host bad port", "GET / HTTP/1.1\r\nHost: a:8o\r\n\r\n", 400},
        ErrorCase{"empty host in 1.0", "GET / HTTP/1.0\r\nHost:\r\n\r\n", 400},
        ErrorCase{"bad host in 1.0", "GET / HTTP/1.0\r\nHost: a b\r\n\r\n", 400},
        ErrorCase{
            "cl and te",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            400},
        ErrorCase{
            "te then cl",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
            400},
        ErrorCase{"bad cl", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", 400},
        ErrorCase{"two cls",
                  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
                  400},
        ErrorCase{"cl list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 2\r\n\r\nab", 400},
        ErrorCase{"negative cl", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
        ErrorCase{"te gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
        ErrorCase{"te gzip chunked",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
        ErrorCase{"te chunked gzip",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400},
        ErrorCase{"te chunked twice",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
                  "chunked\r\n\r\n",
                  400},
        ErrorCase{"te in 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
        ErrorCase{"space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},
        ErrorCase{"space before colon unknown name", "GET / HTTP/1.1\r\nHost: a\r\nX-T : 1\r\n\r\n",
                  400},
        ErrorCase{"junk after version", "GET / HTTP/1.1 extra\r\nHost: a\r\n\r\n", 400},
        ErrorCase{"http 0.9", "GET /x\r\n\r\n", 400},
        ErrorCase{"http 1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505},
        ErrorCase{"no colon", "GET / HTTP/1.1\r\nHost a\r\n\r\n", 400},
        ErrorCase{"obs fold", "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n", 400},
        ErrorCase{"obs fold tab", "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n\tc\r\n\r\n", 400},
        ErrorCase{"bare cr", "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400},
        ErrorCase{"bad chunk size",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
        ErrorCase{
            "chunk size overflow",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n",
            400},
        ErrorCase{"http 2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
        ErrorCase{"http 3.0", "GET / HTTP/3.0\r\n\r\n", 505},
        ErrorCase{"unknown method", "FOO / HTTP/1.1\r\nHost: a\r\n\r\n", 501},
        ErrorCase{"unknown method after a known prefix", "GETX / HTTP/1.1\r\nHost: a\r\n\r\n", 501},
        ErrorCase{"unknown method then a control character", "FOO\x01 / HTTP/1.1\r\n\r\n", 400},
        ErrorCase{"unknown method then CRLF", "FOO\r\nHost: a\r\n\r\n", 400},
        ErrorCase{"100000-byte method",
                  std::string(100'000, 'A') + " / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        ErrorCase{"overlong slash in the target", "GET /a\xC0\xAF HTTP/1.1\r\nHost: a\r\n\r\n",
                  400},
        ErrorCase{"lone high byte in the target", "GET /caf\xE9 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        ErrorCase{"truncated sequence in the query", "GET /?q=\xE2\x82 HTTP/1.1\r\nHost: a\r\n\r\n",
                  400},
        ErrorCase{"surrogate in the target", "GET /\xED\xA0\x80 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        ErrorCase{"encoded overlong slash", "GET /%C0%AF../x HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        ErrorCase{"encoded above U+10FFFF", "GET /%F4%90%80%80 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        ErrorCase{"high byte in an absolute-form host",
                  "GET http://h\xC3\xA9/ HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        ErrorCase{"high byte as the whole target", "GET \xC3\xA9 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        ErrorCase{"get asterisk", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        ErrorCase{"head asterisk", "HEAD * HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        ErrorCase{"post asterisk", "POST * HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx", 400},
        ErrorCase{"asterisk and more", "OPTIONS *abc HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        ErrorCase{"two asterisks", "OPTIONS ** HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        ErrorCase{"garbage method", "\x01GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        ErrorCase{"split method", "GE T / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        // Found by fuzz/h1_parser_fuzz.cc: llhttp 8 accepts a field line that starts with ':'
        // (RFC 9112 §5.1: field-name = token, at least one character).
        ErrorCase{"empty field name", "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", 400},
        ErrorCase{"empty first field name", "GET / HTTP/1.1\r\n:Host: a\r\nHost: a\r\n\r\n", 400},
        // Found by fuzz/chunked_fuzz.cc: llhttp's non-strict build takes any byte after the CR.
        ErrorCase{"chunk size cr without lf",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\x1ahello\r\n"
                  "0\r\n\r\n",
                  400},
        ErrorCase{"chunk data without crlf",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX"
                  "0\r\n\r\n",
                  400},
        ErrorCase{"empty field name in 1.0", "GET / HTTP/1.0\r\n:\r\n\r\n", 400},
        // Found by fuzz/h1_parser_fuzz.cc: llhttp ends a CONNECT message after its headers, so
        // the announced body would otherwise be parsed as a second, smuggled request.
        ErrorCase{"connect with content length",
                  "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: 18\r\n\r\n"
                  "GET /x HTTP/1.1\r\n\r\n",
                  400},
        ErrorCase{"connect chunked",
                  "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "0\r\n\r\n",
                  400}));

// CONNECT with an empty body is an ordinary (unserved) request: the parser reports it whole.
TEST(H1Parser, ConnectWithoutContentParses) {
  Outcome o = parse_whole(
      "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: 0\r\n\r\n"
      "GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(o.status, 0);
  EXPECT_NE(o.log.find("CONNECT a:443"), std::string::npos) << o.log;
  EXPECT_NE(o.log.find("GET /next"), std::string::npos) << o.log;
}

TEST(H1Parser, ValidHostForms) {
  for (const char* host : {"a", "example.com:8080", "[::1]:80", "127.0.0.1", "a "}) {
    Outcome o = parse_whole("GET / HTTP/1.1\r\nHost: " + std::string(host) + "\r\n\r\n");
    EXPECT_EQ(o.status, 0) << host;
  }
  EXPECT_EQ(parse_whole("GET / HTTP/1.0\r\n\r\n").status, 0);  // 1.0 needs no Host
}

TEST(H1Parser, Utf8TargetsParse) {
  // Raw UTF-8 in path, query and fragment reaches the head as received, whatever the split;
  // bytes >= 0x80 elsewhere (a header value, a body) are not touched.
  std::string in =
      "GET /caf\xC3\xA9/\xE6\x97\xA5?q=\xE2\x82\xAC#\xF0\x9F\x98\x80 HTTP/1.1\r\nHost: a\r\n"
      "X-V: \xC3\xA9\xFF\r\n\r\n"
      "POST /%C3%A9 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n\xFF\xC0\xAF"
      "GET  /\xC3\xA8 HTTP/1.0\r\n\r\n";
  Outcome o = parse_whole(in);
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.log,
            "HEAD GET /caf\xC3\xA9/\xE6\x97\xA5?q=\xE2\x82\xAC#\xF0\x9F\x98\x80 1.1 [Host=a] "
            "[X-V=\xC3\xA9\xFF] body=0 cl=0 ka\nBODY \nEND\n"
            "HEAD POST /%C3%A9 1.1 [Host=a] [Content-Length=3] body=1 cl=3 ka\n"
            "BODY \xFF\xC0\xAF\nEND\n"
            "HEAD GET /\xC3\xA8 1.0 body=0 cl=0 close\nBODY \nEND\n");
  expect_split_invariant(in);
}

TEST(H1Parser, Utf8TargetOverTheLimitIs414) {
  ParserLimits limits;
  limits.max_request_line = 64;
  std::string target = "/";
  for (int i = 0; i < 40; ++i)
    target += "\xC3\xA9";
  EXPECT_EQ(parse_whole("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n", limits).status, 414);
}

TEST(H1Parser, OptionsAsteriskParses) {
  Outcome o = parse_whole("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.log, "HEAD OPTIONS * 1.1 [Host=a] body=0 cl=0 ka\nBODY \nEND\n");
}

TEST(H1Parser, UnknownMethodLengthBound) {
  // The scan counts from the first byte llhttp refuses ('Z' here: no method starts with 'Z'),
  // up to a request line's length.
  ParserLimits limits;
  limits.max_request_line = 100;
  std::string at = std::string(100, 'Z') + " / HTTP/1.1\r\nHost: a\r\n\r\n";
  std::string over = std::string(101, 'Z') + " / HTTP/1.1\r\nHost: a\r\n\r\n";
  EXPECT_EQ(parse_whole(at, limits).status, 501);
  EXPECT_EQ(parse_whole(over, limits).status, 400);
  // Fed in pieces, the scan carries on across feed() calls.
  EXPECT_EQ(parse_all(at, {3, 50, 99, 100}, limits).status, 501);
  EXPECT_EQ(parse_all(over, {1, 2, 100}, limits).status, 400);
  // A refused method ends the stream: nothing after it is consumed.
  Recorder rec;
  RequestParser p(rec, limits);
  rec.parser = &p;
  EXPECT_EQ(p.feed(over.data(), over.size()), 100u);
  EXPECT_TRUE(p.failed());
  EXPECT_EQ(p.feed(over.data(), over.size()), 0u);
  EXPECT_EQ(rec.heads, 0);
}

TEST(H1Parser, RequestLineLimit) {
  std::string url(8200, 'a');
  EXPECT_EQ(parse_whole("GET /" + url + " HTTP/1.1\r\nHost: a\r\n\r\n").status, 414);
  std::string ok(8000, 'a');
  EXPECT_EQ(parse_whole("GET /" + ok + " HTTP/1.1\r\nHost: a\r\n\r\n").status, 0);
}

TEST(H1Parser, HeaderBytesLimit) {
  std::string big = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 40; ++i)
    big += "X-" + std::to_string(i) + ": " + std::string(1000, 'v') + "\r\n";
  big += "\r\n";
  EXPECT_EQ(parse_whole(big).status, 431);
}

TEST(H1Parser, HeaderCountLimit) {
  std::string many = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 100; ++i)
    many += "X-" + std::to_string(i) + ": v\r\n";
  many += "\r\n";
  EXPECT_EQ(parse_whole(many).status, 431);  // 101 fields
  std::string hundred = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 99; ++i)
    hundred += "X-" + std::to_string(i) + ": v\r\n";
  hundred += "\r\n";
  EXPECT_EQ(parse_whole(hundred).status, 0);  // exactly 100
}

TEST(H1Parser, BodyLimit) {
  ParserLimits limits;
  limits.max_body_size = 10;
  EXPECT_EQ(parse_whole("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", limits).status,
            413);
  EXPECT_EQ(
      parse_whole("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789", limits)
          .status,
      0);
  EXPECT_EQ(parse_whole("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "6\r\n012345\r\n6\r\n012345\r\n0\r\n\r\n",
                        limits)
                .status,
            413);
}

TEST(H1Parser, StorageSwapKeepsViewsValid) {
  struct Keeper final : RequestParser::Listener {
    RequestParser* p = nullptr;
    std::vector<char> kept;
    RequestHead head;
    void on_head(RequestHead& h) override {
      p->swap_storage(kept);
      head = h;
    }
    void on_body(std::string_view) override {}
    bool on_message_complete() override { return true; }
  } k;
  RequestParser p(k, {});
  k.p = &p;
  std::string in = "GET /first HTTP/1.1\r\nHost: one\r\n\r\n";
  p.feed(in.data(), in.size());
  RequestHead first = k.head;
  std::vector<char> first_storage;
  first_storage.swap(k.kept);  // keep the first request's bytes alive elsewhere
  std::string in2 = "GET /second HTTP/1.1\r\nHost: two\r\n\r\n";
  p.feed(in2.data(), in2.size());
  EXPECT_EQ(first.target, "/first");
  EXPECT_EQ(first.header("host"), "one");
  EXPECT_EQ(k.head.target, "/second");
}

}  // namespace
}  // namespace hs::http::h1
