// base/metrics.h: per-thread counters summed at collection, kept when threads exit.
#include "base/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace hs::base::metrics {
namespace {

uint64_t responses(const Totals& t, int site, int status) {
  for (const auto& [s, n] : t.sites.at(static_cast<size_t>(site)).statuses) {
    if (s == status) return n;
  }
  return 0;
}

TEST(Metrics, ThreadsCountAloneAndTheSumSurvivesTheirExit) {
  const int site = register_site("metrics-test-a");
  const Totals before = collect();
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([site] {
      for (int k = 0; k < 1000; ++k) {
        add(kBytesIn, 3);
        count_response(site, 200);
      }
      count_response(site, 404);
    });
  }
  for (auto& t : threads)
    t.join();  // each thread folded its block into the retired totals as it exited
  const Totals after = collect();
  EXPECT_EQ(after[kBytesIn] - before[kBytesIn], 4u * 1000u * 3u);
  EXPECT_EQ(responses(after, site, 200) - responses(before, site, 200), 4000u);
  EXPECT_EQ(responses(after, site, 404) - responses(before, site, 404), 4u);
  EXPECT_EQ(after.sites.at(static_cast<size_t>(site)).name, "metrics-test-a");
}

TEST(Metrics, LiveThreadsAreSummedToo) {
  const Totals before = collect();
  std::atomic<bool> counted{false}, release{false};
  std::thread t([&] {
    add(kModuleTimeouts, 7);
    counted = true;
    while (!release)
      std::this_thread::yield();
  });
  while (!counted)
    std::this_thread::yield();
  EXPECT_EQ(collect()[kModuleTimeouts] - before[kModuleTimeouts], 7u);
  release = true;
  t.join();
  EXPECT_EQ(collect()[kModuleTimeouts] - before[kModuleTimeouts], 7u);
}

TEST(Metrics, SitesAreRegisteredOnceAndIndexZeroIsUnnamed) {
  int a = register_site("metrics-test-b");
  EXPECT_EQ(register_site("metrics-test-b"), a);
  EXPECT_NE(register_site("metrics-test-c"), a);
  EXPECT_EQ(register_site(""), 0);
  EXPECT_EQ(collect().sites.at(0).name, "");
}

TEST(Metrics, OddStatusesAreCountedAsOther) {
  const int site = register_site("metrics-test-d");
  count_response(site, 999);
  count_response(site, 42);
  count_response(site, 599);
  const Totals t = collect();
  EXPECT_EQ(responses(t, site, 0), 2u);
  EXPECT_EQ(responses(t, site, 599), 1u);
}

TEST(Metrics, AnExcludedThreadIsNotSeen) {
  const int site = register_site("metrics-test-e");
  const Totals before = collect();
  std::thread t([site] {
    exclude_this_thread();
    add(kBytesOut, 100);
    count_response(site, 200);
  });
  t.join();
  const Totals after = collect();
  EXPECT_EQ(after[kBytesOut], before[kBytesOut]);
  EXPECT_EQ(responses(after, site, 200), 0u);
}

}  // namespace
}  // namespace hs::base::metrics
