#pragma once
// The status listener (--status-listen ADDR:PORT, <system.applicationHost><httpservStatus
// listen>): a separate HTTP listener, on a thread of its own, serving
//   /metrics       Prometheus text exposition format 0.0.4, families httpserv_*
//   /status        a live status page (HTML and a little JavaScript, no framework), which
//                  fetches /status.json every second
//   /status.json   the same values as /metrics, as JSON (the page's feed)
// from the counters of base/metrics.h, the workers' loops, the module thread budget and the
// fragment cache (docs/operations.md, "Metrics and status page"). Its own traffic is not
// counted. Nothing here runs on the serving workers except a lag probe (a posted task, four a
// second per worker).
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/exchange.h"
#include "io/socket.h"
#include "server/server.h"

namespace hs::iis {
class FragmentCache;
}

namespace hs::server {

// What the status listener reads. Pointers stay valid while the service runs; null: absent.
struct StatusSources {
  Server* server = nullptr;
  iis::FragmentCache* fragments = nullptr;
  size_t queue_length = 0;  // --queue-length (IIS's queueLength) in effect
};

// One metric family and its samples, as exposed.
struct MetricFamily {
  enum class Type { kCounter, kGauge };
  std::string name;  // httpserv_..., with _total for counters
  Type type = Type::kGauge;
  std::string help;
  struct Sample {
    std::vector<std::pair<std::string, std::string>> labels;
    double value = 0;
  };
  std::vector<Sample> samples;
};

// Every family, read now.
std::vector<MetricFamily> collect_metrics(const StatusSources& sources);
// Prometheus text format 0.0.4 (# HELP, # TYPE, samples; labels escaped).
std::string render_prometheus(const std::vector<MetricFamily>& families);
// {"time": seconds, "metrics": {"name": {"type", "help", "samples": [{"labels": {}, "value"}]}}}
std::string render_json(const std::vector<MetricFamily>& families);
// The page (static bytes).
std::string_view status_page_html();

// Answers the status listener's requests: GET/HEAD of the three paths above; 404 elsewhere,
// 405 for other methods.
class StatusHandler final : public http::Handler {
 public:
  explicit StatusHandler(StatusSources sources) : sources_(sources) {}
  void handle(http::Exchange& ex) override;

 private:
  StatusSources sources_;
};

class StatusService {
 public:
  explicit StatusService(StatusSources sources);
  ~StatusService();
  StatusService(const StatusService&) = delete;
  StatusService& operator=(const StatusService&) = delete;

  // Serves on `address`, or on `inherited` (a socket the supervisor bound and keeps across
  // server processes). False with *error naming the cause.
  bool start(const io::SocketAddress& address, const Listeners* inherited, std::string* error);
  const io::SocketAddress& bound() const { return bound_; }
  // Stops the listener and the lag prober; waits for them.
  void stop();

 private:
  StatusSources sources_;
  StatusHandler handler_;
  std::unique_ptr<Server> server_;
  io::SocketAddress bound_;
  std::thread prober_;
  std::atomic<bool> stopping_{false};
};

}  // namespace hs::server
