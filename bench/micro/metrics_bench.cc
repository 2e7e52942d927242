// The cost of the counters behind /metrics (base/metrics.h) on the request path: one count, a
// response by site and status, and what a request through the IIS pipeline adds (start, end,
// site+status), against an empty loop body. And a scrape's sum, for scale.
#include <benchmark/benchmark.h>

#include "base/metrics.h"

namespace {

namespace m = hs::base::metrics;

void BM_MetricsNothing(benchmark::State& state) {
  uint64_t x = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(++x);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_MetricsNothing);

void BM_MetricsAdd(benchmark::State& state) {
  for (auto _ : state) {
    m::add(m::kBytesOut, 100);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_MetricsAdd);

void BM_MetricsCountResponse(benchmark::State& state) {
  const int site = m::register_site("bench");
  for (auto _ : state) {
    m::count_response(site, 200);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_MetricsCountResponse);

// What one request through the IIS pipeline counts (IisHandler::handle, the context's end).
void BM_MetricsPerIisRequest(benchmark::State& state) {
  const int site = m::register_site("bench");
  for (auto _ : state) {
    m::add(m::kRequestsStarted);
    m::add(m::kRequestsEnded);
    m::count_response(site, 200);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_MetricsPerIisRequest);

void BM_MetricsCollect(benchmark::State& state) {
  const int site = m::register_site("bench");
  m::count_response(site, 200);
  for (auto _ : state) {
    m::Totals t = m::collect();
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_MetricsCollect);

}  // namespace
