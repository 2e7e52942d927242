#include "server/status.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "base/blocking.h"
#include "base/log.h"
#include "base/metrics.h"
#include "core/simple_response.h"
#include "http/url_path.h"
#include "iis/fragment_cache.h"

#ifndef HTTPSERV_VERSION
#define HTTPSERV_VERSION "dev"
#endif

namespace hs::server {
namespace {

using Type = MetricFamily::Type;

MetricFamily& family(std::vector<MetricFamily>& out, std::string name, Type type,
                     std::string help) {
  out.push_back(MetricFamily{std::move(name), type, std::move(help), {}});
  return out.back();
}

void single(std::vector<MetricFamily>& out, std::string name, Type type, std::string help,
            double value) {
  family(out, std::move(name), type, std::move(help)).samples.push_back({{}, value});
}

double as_double(uint64_t v) {
  return static_cast<double>(v);
}

// Integers as integers (exact up to 2^53), the rest in the shortest form that reads back the same.
void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  char buf[40];
  std::to_chars_result r = v == std::floor(v) && std::fabs(v) < 9007199254740992.0
                               ? std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(v))
                               : std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

// Prometheus text format: label values escape \, " and newline; HELP escapes \ and newline.
void append_escaped(std::string& out, std::string_view s, bool quote) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;  // site names come from the configuration file, which is UTF-8
    }
  }
  out += '"';
}

}  // namespace

std::vector<MetricFamily> collect_metrics(const StatusSources& src) {
  namespace m = base::metrics;
  m::Totals t = m::collect();
  std::vector<MetricFamily> out;
  out.reserve(40);

  family(out, "httpserv_build_info", Type::kGauge, "Version of this httpserv binary.")
      .samples.push_back({{{"version", HTTPSERV_VERSION}}, 1});
  single(out, "httpserv_process_start_time_seconds", Type::kGauge,
         "When this server process started, in seconds since the epoch.",
         static_cast<double>(m::g_process_start_s.load()));

  // Requests.
  MetricFamily& req = family(out, "httpserv_requests_total", Type::kCounter,
                             "Responses given, by site and status (site \"\": no site answered, "
                             "e.g. a malformed request).");
  for (const auto& site : t.sites) {
    for (const auto& [status, n] : site.statuses) {
      req.samples.push_back(
          {{{"site", site.name}, {"status", status == 0 ? "other" : std::to_string(status)}},
           as_double(n)});
    }
  }
  uint64_t started = t[m::kRequestsStarted];
  uint64_t ended = t[m::kRequestsEnded];
  single(out, "httpserv_requests_in_flight", Type::kGauge,
         "Requests in a site's pipeline now (started, not yet ended).",
         as_double(started >= ended ? started - ended : 0));
  single(out, "httpserv_bytes_received_total", Type::kCounter,
         "Bytes read from client connections.", as_double(t[m::kBytesIn]));
  single(out, "httpserv_bytes_sent_total", Type::kCounter, "Bytes written to client connections.",
         as_double(t[m::kBytesOut]));

  // TLS and HTTP/2.
  single(out, "httpserv_tls_handshakes_total", Type::kCounter, "TLS handshakes completed.",
         as_double(t[m::kTlsHandshakes]));
  single(out, "httpserv_tls_resumptions_total", Type::kCounter,
         "TLS handshakes that resumed a session (a ticket), of those completed.",
         as_double(t[m::kTlsResumptions]));
  single(out, "httpserv_tls_handshake_failures_total", Type::kCounter,
         "TLS handshakes that failed (protocol or certificate errors, the peer closing).",
         as_double(t[m::kTlsHandshakeFailures]));
  single(out, "httpserv_http2_connections_total", Type::kCounter,
         "Connections that spoke HTTP/2 (h2 by ALPN, h2c by prior knowledge or Upgrade).",
         as_double(t[m::kH2Connections]));
  single(out, "httpserv_http2_streams_total", Type::kCounter,
         "HTTP/2 request streams opened by clients.", as_double(t[m::kH2Streams]));
  single(out, "httpserv_http2_resets_received_total", Type::kCounter,
         "HTTP/2 RST_STREAM frames received from clients.", as_double(t[m::kH2ResetsReceived]));
  single(out, "httpserv_http2_resets_sent_total", Type::kCounter,
         "HTTP/2 RST_STREAM frames sent (refused streams, streams reset by the server or a "
         "module).",
         as_double(t[m::kH2ResetsSent]));

  // Connections and loops.
  single(out, "httpserv_connections_accepted_total", Type::kCounter,
         "Connections accepted and served.", as_double(t[m::kConnectionsOpened]));
  single(out, "httpserv_connections_refused_total", Type::kCounter,
         "Connections over --max-connections, answered 503 and closed.",
         as_double(t[m::kConnectionsRefused]));
  MetricFamily* active =
      &family(out, "httpserv_connections_active", Type::kGauge, "Connections open now, by worker.");
  std::vector<Server::WorkerStats> workers;
  if (src.server != nullptr) workers = src.server->worker_stats();
  for (size_t i = 0; i < workers.size(); ++i)
    active->samples.push_back({{{"worker", std::to_string(i)}}, as_double(workers[i].connections)});
  MetricFamily& lag = family(out, "httpserv_event_loop_lag_seconds", Type::kGauge,
                             "How long a task posted to the worker's event loop waited to run "
                             "(latest probe; probes every 250 ms).");
  for (size_t i = 0; i < workers.size(); ++i)
    lag.samples.push_back(
        {{{"worker", std::to_string(i)}}, static_cast<double>(workers[i].lag_ns) / 1e9});
  MetricFamily& threads = family(out, "httpserv_event_loop_threads", Type::kGauge,
                                 "Threads serving the worker's loop now (its own, spares, and "
                                 "those blocked in module code).");
  int total_threads = 0;
  uint64_t handoffs = 0;
  for (size_t i = 0; i < workers.size(); ++i) {
    threads.samples.push_back({{{"worker", std::to_string(i)}}, as_double(workers[i].threads)});
    total_threads += workers[i].threads;
    handoffs += workers[i].handoffs;
  }

  // The module thread pool (base/blocking.h) and its admission queue.
  const base::ThreadBudget& budget = base::thread_budget();
  single(out, "httpserv_module_threads", Type::kGauge,
         "Threads of all worker loops together (--max-threads bounds the busy ones).",
         total_threads);
  single(out, "httpserv_module_threads_busy", Type::kGauge,
         "Threads blocked in module code (or waiting in a synchronous call) now.",
         budget.blocked());
  single(out, "httpserv_module_threads_limit", Type::kGauge,
         "Threads that may be blocked at once (--max-threads plus IncrementThreadCount).",
         budget.limit());
  single(out, "httpserv_module_queue_length", Type::kGauge,
         "Tasks that may block waiting for a thread now.", as_double(budget.queued()));
  single(out, "httpserv_module_queue_limit", Type::kGauge,
         "Waiting requests beyond which new ones get 503 (--queue-length, IIS's queueLength).",
         as_double(src.queue_length));
  single(out, "httpserv_module_queue_full_total", Type::kCounter,
         "Requests answered 503 because every module thread was busy and the queue was full.",
         as_double(t[m::kQueueFullRefusals]));
  single(out, "httpserv_module_handoffs_total", Type::kCounter,
         "Module calls that blocked long enough to have their loop handed to another thread.",
         as_double(handoffs));
  single(out, "httpserv_module_timeouts_total", Type::kCounter,
         "Requests ended because a module kept them pending past --request-timeout.",
         as_double(t[m::kModuleTimeouts]));
  single(out, "httpserv_module_exceptions_total", Type::kCounter,
         "C++ exceptions thrown by module code, caught at the module boundary.",
         as_double(t[m::kModuleExceptions]));
  single(out, "httpserv_module_crashes_total", Type::kCounter,
         "Server processes that died on a signal (a crashing module) and were restarted by the "
         "supervisor; kept across the restarts.",
         as_double(m::g_process_crashes.load()));

  // The fragment cache (IHttpServer::AddFragmentToCache, HttpDataChunkFromFragmentCache).
  if (src.fragments != nullptr) {
    iis::FragmentCache::Stats f = src.fragments->stats();
    single(out, "httpserv_fragment_cache_hits_total", Type::kCounter,
           "Fragment cache lookups that found their entry.", as_double(f.hits));
    single(out, "httpserv_fragment_cache_misses_total", Type::kCounter,
           "Fragment cache lookups of absent names.", as_double(f.misses));
    single(out, "httpserv_fragment_cache_evictions_total", Type::kCounter,
           "Fragment cache entries dropped to make room.", as_double(f.evictions));
    single(out, "httpserv_fragment_cache_entries", Type::kGauge, "Fragment cache entries held.",
           as_double(f.entries));
    single(out, "httpserv_fragment_cache_bytes", Type::kGauge, "Fragment cache bytes held.",
           as_double(f.bytes));
    single(out, "httpserv_fragment_cache_capacity_bytes", Type::kGauge,
           "Fragment cache capacity (--fragment-cache-size, <caching maxCacheSize>).",
           as_double(f.capacity));
  }
  return out;
}

std::string render_prometheus(const std::vector<MetricFamily>& families) {
  std::string out;
  out.reserve(4096);
  for (const MetricFamily& f : families) {
    out += "# HELP ";
    out += f.name;
    out += ' ';
    append_escaped(out, f.help, false);
    out += "\n# TYPE ";
    out += f.name;
    out += f.type == Type::kCounter ? " counter\n" : " gauge\n";
    for (const MetricFamily::Sample& s : f.samples) {
      out += f.name;
      if (!s.labels.empty()) {
        out += '{';
        for (size_t i = 0; i < s.labels.size(); ++i) {
          if (i > 0) out += ',';
          out += s.labels[i].first;
          out += "=\"";
          append_escaped(out, s.labels[i].second, true);
          out += '"';
        }
        out += '}';
      }
      out += ' ';
      append_number(out, s.value);
      out += '\n';
    }
  }
  return out;
}

std::string render_json(const std::vector<MetricFamily>& families) {
  std::string out;
  out.reserve(4096);
  out += "{\"time\":";
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  append_number(out,
                static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec / 1000000) / 1e3);
  out += ",\"metrics\":{";
  for (size_t i = 0; i < families.size(); ++i) {
    const MetricFamily& f = families[i];
    if (i > 0) out += ',';
    append_json_string(out, f.name);
    out += ":{\"type\":";
    out += f.type == Type::kCounter ? "\"counter\"" : "\"gauge\"";
    out += ",\"help\":";
    append_json_string(out, f.help);
    out += ",\"samples\":[";
    for (size_t k = 0; k < f.samples.size(); ++k) {
      const MetricFamily::Sample& s = f.samples[k];
      if (k > 0) out += ',';
      out += "{\"labels\":{";
      for (size_t l = 0; l < s.labels.size(); ++l) {
        if (l > 0) out += ',';
        append_json_string(out, s.labels[l].first);
        out += ':';
        append_json_string(out, s.labels[l].second);
      }
      out += "},\"value\":";
      append_number(out, s.value);
      out += '}';
    }
    out += "]}";
  }
  out += "}}\n";
  return out;
}

void StatusHandler::handle(http::Exchange& ex) {
  const http::RequestHead& req = ex.request();
  std::string_view path = req.target;
  std::string_view query;
  if (auto t = http::split_target(req.target)) {
    path = t->path;
    query = t->query;
  }
  enum class Page { kNone, kMetrics, kStatus, kJson } page = Page::kNone;
  if (path == "/metrics") {
    page = Page::kMetrics;
  } else if (path == "/status.json" || (path == "/status" && query == "json")) {
    page = Page::kJson;
  } else if (path == "/status" || path == "/status/" || path == "/") {
    page = Page::kStatus;
  }
  if (page == Page::kNone) {
    core::send_simple_response(ex, 404);
    return;
  }
  if (req.method != http::Method::kGet && req.method != http::Method::kHead) {
    core::send_simple_response(ex, 405, "Allow", "GET, HEAD");
    return;
  }
  auto body = std::make_shared<std::string>();
  http::ResponseHead& r = ex.response();
  r.status = 200;
  r.headers.set("Cache-Control", "no-store");
  switch (page) {
    case Page::kMetrics:
      *body = render_prometheus(collect_metrics(sources_));
      r.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      break;
    case Page::kJson:
      *body = render_json(collect_metrics(sources_));
      r.headers.set("Content-Type", "application/json");
      break;
    default:
      body->assign(status_page_html());
      r.headers.set("Content-Type", "text/html; charset=utf-8");
      // The page runs only its own inline script and talks only to this listener.
      r.headers.set("Content-Security-Policy",
                    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                    "connect-src 'self'; img-src data:");
      break;
  }
  http::BodyChunk chunk = http::BodyChunk::memory(*body);
  ex.send({&chunk, 1}, true, [body](http::SendResult) {});
}

StatusService::StatusService(StatusSources sources) : sources_(sources), handler_(sources) {}

StatusService::~StatusService() {
  stop();
}

bool StatusService::start(const io::SocketAddress& address, const Listeners* inherited,
                          std::string* error) {
  ServerConfig config;
  config.listen = {address};
  config.inherited = inherited;
  config.workers = 1;
  config.count_metrics = false;
  config.tag_prefix = "status";
  config.max_connections_per_worker = 64;  // operators and scrapers, not the public
  config.shutdown_timeout_ms = 1000;
  server_ = std::make_unique<Server>(config, &handler_);
  if (!server_->start(error)) {
    *error = "status listener: " + *error;
    server_.reset();
    return false;
  }
  bound_ = server_->bound().empty() ? address : server_->bound()[0];
  if (sources_.server != nullptr) {
    Server* watched = sources_.server;
    prober_ = std::thread([this, watched] {
      log_set_thread_tag("status-probe");
      while (!stopping_.load()) {
        watched->probe_loop_lag();
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
      }
    });
  }
  return true;
}

void StatusService::stop() {
  stopping_.store(true);
  if (prober_.joinable()) prober_.join();
  if (server_) {
    server_->stop_now();
    server_->wait();
    server_.reset();
  }
}

}  // namespace hs::server
