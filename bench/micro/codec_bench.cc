// The HTTP/1 codec alone (src/http/codec/http1): no sockets, no allocation beyond the codec's own.
//   H1Parse/get            one typical browser GET per feed(), on a parser kept across requests
//                          (keep-alive);
//   H1Parse/pipelined16    16 of them in one feed() (a pipelined burst);
//   H1SerializeHead        the head of a typical static-file 200 (status line, 7 fields) into a
//                          reused buffer, as Http1Session does.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/codec/http1/parser.h"
#include "http/codec/http1/serializer.h"

namespace hs::bench {
namespace {

constexpr std::string_view kGet =
    "GET /static/app.js?v=42 HTTP/1.1\r\n"
    "Host: 127.0.0.1:8080\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
    "Accept: */*\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Referer: http://127.0.0.1:8080/index.html\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: session=0123456789abcdef; theme=dark\r\n"
    "If-None-Match: \"5f3a-1c2b\"\r\n"
    "\r\n";

class CountingListener final : public http::h1::RequestParser::Listener {
 public:
  void on_head(http::RequestHead& head) override {
    ++heads;
    fields += head.headers.size();
  }
  void on_body(std::string_view) override {}
  bool on_message_complete() override {
    ++messages;
    return true;
  }
  size_t heads = 0, fields = 0, messages = 0;
};

void parse(benchmark::State& state, int burst) {
  std::string input;
  for (int i = 0; i < burst; ++i)
    input.append(kGet);
  CountingListener l;
  http::h1::RequestParser parser(l, http::h1::ParserLimits{});
  for (auto _ : state) {
    size_t n = parser.feed(input.data(), input.size());
    if (n != input.size() || parser.failed()) {
      state.SkipWithError("the parser rejected the benchmark request");
      return;
    }
  }
  const auto it = static_cast<double>(state.iterations());
  if (l.messages != static_cast<size_t>(it) * static_cast<size_t>(burst) ||
      l.fields != l.heads * 9) {
    (void)std::fprintf(stderr, "codec bench: %zu messages, %zu fields for %zu heads\n", l.messages,
                       l.fields, l.heads);
    std::abort();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
  state.counters["per_request"] =
      benchmark::Counter(static_cast<double>(burst), benchmark::Counter::kIsIterationInvariantRate |
                                                         benchmark::Counter::kInvert);
}

void bm_h1_parse_get(benchmark::State& state) {
  parse(state, 1);
}
void bm_h1_parse_pipelined16(benchmark::State& state) {
  parse(state, 16);
}

void bm_h1_serialize_head(benchmark::State& state) {
  std::string out;
  out.reserve(512);
  for (auto _ : state) {
    out.clear();
    http::h1::append_status_line(out, 1, 200, "");
    http::h1::append_field(out, "Content-Type", "application/javascript");
    http::h1::append_field(out, "ETag", "\"5f3a-1c2c\"");
    http::h1::append_field(out, "Last-Modified", "Tue, 24 Nov 2026 08:51:00 GMT");
    http::h1::append_field(out, "Accept-Ranges", "bytes");
    out.append("Date: Wed, 02 Dec 2026 04:30:00 GMT\r\n");
    out.append("Server: httpserv\r\n");
    out.append("Content-Length: ");
    http::h1::append_decimal(out, 24378);
    out.append(http::h1::kCrlf);
    out.append(http::h1::kCrlf);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
}

BENCHMARK(bm_h1_parse_get)->Name("H1Parse/get");
BENCHMARK(bm_h1_parse_pipelined16)->Name("H1Parse/pipelined16");
BENCHMARK(bm_h1_serialize_head)->Name("H1SerializeHead");

}  // namespace
}  // namespace hs::bench
