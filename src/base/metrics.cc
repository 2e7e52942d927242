#include "base/metrics.h"

#include <algorithm>
#include <memory>
#include <mutex>

namespace hs::base::metrics {
namespace {

struct Registry {
  std::mutex mu;
  std::vector<Block*> live;  // blocks of running threads
  Block retired;             // what exited threads counted
  std::vector<std::string> sites{std::string()};
};

// Never destroyed: threads may exit (and fold their blocks) during static destruction.
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

// Counts of threads that asked not to be seen; shared, so concurrent stores may lose counts,
// which nobody reads anyway.
Block g_sink;

void fold(Block& into, const Block& from) {
  for (unsigned c = 0; c < kCounterCount; ++c)
    bump(into.counters[c], from.counters[c].load(std::memory_order_relaxed));
  for (int s = 0; s < kMaxSites; ++s) {
    StatusCounts* src = from.sites[s].load(std::memory_order_relaxed);
    if (src == nullptr) continue;
    StatusCounts* dst = into.sites[s].load(std::memory_order_relaxed);
    if (dst == nullptr) {
      dst = new StatusCounts;
      into.sites[s].store(dst, std::memory_order_relaxed);
    }
    for (int i = 0; i < kStatusSlots; ++i)
      bump(dst->n[i], src->n[i].load(std::memory_order_relaxed));
  }
}

void free_tables(Block& b) {
  for (auto& s : b.sites)
    delete s.exchange(nullptr, std::memory_order_relaxed);
}

// Folds the thread's block into the retired totals when the thread exits.
struct Retire {
  Block* block = nullptr;
  ~Retire() {
    if (block == nullptr) return;
    Registry& r = registry();
    {
      std::lock_guard<std::mutex> lock(r.mu);
      fold(r.retired, *block);
      r.live.erase(std::find(r.live.begin(), r.live.end(), block));
    }
    t_block = &g_sink;  // a count from a later thread-exit destructor goes nowhere
    free_tables(*block);
    delete block;
  }
};

}  // namespace

Block& attach() noexcept {
  thread_local Retire retire;
  auto* b = new Block;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mu);
    r.live.push_back(b);
  }
  retire.block = b;
  t_block = b;
  return *b;
}

StatusCounts* add_site_table(Block& b, int site) noexcept {
  auto* t = new StatusCounts;
  if (&b == &g_sink) {
    // Shared by excluded threads: install once, never freed.
    StatusCounts* expect = nullptr;
    if (!b.sites[site].compare_exchange_strong(expect, t)) {
      delete t;
      return expect;
    }
    return t;
  }
  // Published under the mutex so that a scrape sees either no table or a whole one.
  std::lock_guard<std::mutex> lock(registry().mu);
  b.sites[site].store(t, std::memory_order_release);
  return t;
}

int register_site(std::string_view name) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  for (size_t i = 0; i < r.sites.size(); ++i) {
    if (r.sites[i] == name) return static_cast<int>(i);
  }
  if (r.sites.size() >= static_cast<size_t>(kMaxSites)) return kMaxSites - 1;
  r.sites.emplace_back(name);
  return static_cast<int>(r.sites.size() - 1);
}

void exclude_this_thread() noexcept {
  if (t_block == nullptr) t_block = &g_sink;
}

Totals collect() {
  Registry& r = registry();
  Totals t;
  std::vector<std::array<uint64_t, kStatusSlots>> per_site;
  std::lock_guard<std::mutex> lock(r.mu);
  per_site.resize(r.sites.size());
  auto add_block = [&](const Block& b) {
    for (unsigned c = 0; c < kCounterCount; ++c)
      t.counters[c] += b.counters[c].load(std::memory_order_relaxed);
    for (size_t s = 0; s < per_site.size(); ++s) {
      const StatusCounts* sc = b.sites[s].load(std::memory_order_acquire);
      if (sc == nullptr) continue;
      for (int i = 0; i < kStatusSlots; ++i)
        per_site[s][static_cast<size_t>(i)] += sc->n[i].load(std::memory_order_relaxed);
    }
  };
  add_block(r.retired);
  for (const Block* b : r.live)
    add_block(*b);
  t.sites.resize(r.sites.size());
  for (size_t s = 0; s < r.sites.size(); ++s) {
    t.sites[s].name = r.sites[s];
    for (int i = 0; i < kStatusSlots; ++i) {
      uint64_t n = per_site[s][static_cast<size_t>(i)];
      if (n != 0) t.sites[s].statuses.emplace_back(i, n);
    }
  }
  return t;
}

}  // namespace hs::base::metrics
