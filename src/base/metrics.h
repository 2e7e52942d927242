#pragma once
// The server's counters, read by the status listener (/metrics, /status; docs/operations.md,
// "Metrics and status page"; ARCHITECTURE.md, "Counters").
//
// COST ON THE HOT PATH. A count adds to a block of the calling thread: relaxed atomics that only
// that thread writes, so an increment is a plain load and store (no lock prefix, no lock, no
// shared cache line), and nothing is allocated per request (a thread's block on its first count,
// a site's status table on that thread's first response for the site). A loop is held by one
// thread at a time but not always the same one (base/blocking.h): blocks are per thread, not per
// loop, and a request may start on one thread and end on another, so "in flight" is the
// difference of two sums (started - ended), right only as a total.
//
// SCRAPING. collect() sums the blocks of every live thread, plus what exited threads left behind
// (a thread folds its block into the retired totals as it exits), under the registry's mutex,
// which a counting thread takes only for its first count, a new site table and its exit. A sum
// read while threads count is not a snapshot: each value is one the counter had, and counters
// never go down (so Prometheus' rate() sees no false reset).
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hs::base::metrics {

enum Counter : unsigned {
  kRequestsStarted,     // requests that entered a site's pipeline
  kRequestsEnded,       // ... and left it (response sent or connection gone)
  kBytesIn,             // bytes read from client connections
  kBytesOut,            // bytes written to client connections (heads, bodies, files)
  kConnectionsOpened,   // connections accepted and served
  kConnectionsClosed,   // ... and closed since
  kConnectionsRefused,  // accepted over --max-connections: 503 and closed
  kQueueFullRefusals,   // 503: every module thread busy and the admission queue full
  kModuleTimeouts,      // requests ended by --request-timeout (a module never completed)
  kModuleExceptions,    // C++ exceptions out of module code, caught at the module boundary
  kTlsHandshakes,       // TLS handshakes completed
  kTlsResumptions,      // ... of which resumed a session (ticket)
  kTlsHandshakeFailures,
  kH2Connections,     // connections that speak HTTP/2 (ALPN h2, h2c prior knowledge or Upgrade)
  kH2Streams,         // request streams opened by clients
  kH2ResetsReceived,  // RST_STREAM frames from clients
  kH2ResetsSent,      // RST_STREAM frames we sent (refused streams, resets by handlers)
  kCounterCount
};

// Responses counted per site and status. Sites are registered before serving (site 0 is the
// unnamed one: responses no site gave, such as a malformed request's 400); a process with more
// than kMaxSites sites counts the rest under the last. Statuses outside 100..kStatusSlots-1 are
// counted as status 0 ("other").
inline constexpr int kMaxSites = 256;
inline constexpr int kStatusSlots = 600;
struct StatusCounts {
  std::atomic<uint64_t> n[kStatusSlots] = {};
};

struct alignas(64) Block {
  std::atomic<uint64_t> counters[kCounterCount] = {};
  std::atomic<StatusCounts*> sites[kMaxSites] = {};
};

// The calling thread's block (registered on first use; see SCRAPING).
Block& attach() noexcept;
inline constinit thread_local Block* t_block = nullptr;
inline Block& local() noexcept {
  Block* b = t_block;
  return b != nullptr ? *b : attach();
}

// The single writer's increment: no read-modify-write needed.
inline void bump(std::atomic<uint64_t>& a, uint64_t n = 1) noexcept {
  a.store(a.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}
inline void add(Counter c, uint64_t n = 1) noexcept {
  bump(local().counters[c], n);
}

StatusCounts* add_site_table(Block& b, int site) noexcept;
// One response given for `site` (a registered index) with `status`.
inline void count_response(int site, int status) noexcept {
  if (site < 0 || site >= kMaxSites) site = kMaxSites - 1;
  Block& b = local();
  StatusCounts* s = b.sites[site].load(std::memory_order_relaxed);
  if (s == nullptr) s = add_site_table(b, site);
  bump(s->n[status >= 100 && status < kStatusSlots ? status : 0]);
}

// A site's index for count_response(); the same name gives the same index. Index 0 is "".
int register_site(std::string_view name);

// The calling thread's counts go nowhere visible (the status listener's own thread, so that
// scraping does not count itself).
void exclude_this_thread() noexcept;

// The sums over every thread, now.
struct Totals {
  std::array<uint64_t, kCounterCount> counters{};
  struct Site {
    std::string name;
    std::vector<std::pair<int, uint64_t>> statuses;  // (status, responses), nonzero, ascending
  };
  std::vector<Site> sites;  // registered sites, index order (those with no response included)
  uint64_t operator[](Counter c) const { return counters[c]; }
};
Totals collect();

// Server processes that died on a signal (a crashing module) and were replaced by the
// supervisor. The supervisor counts them in its own process before it forks the replacement,
// which inherits the count: it survives the restarts it counts.
inline std::atomic<uint64_t> g_process_crashes{0};
// When this server process started (wall clock, seconds since the epoch; set by main).
inline std::atomic<int64_t> g_process_start_s{0};

}  // namespace hs::base::metrics
