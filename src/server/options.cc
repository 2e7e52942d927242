#include "server/options.h"

#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "server/config_loader.h"

namespace hs::server {
namespace {

#ifndef HTTPSERV_DEFAULT_ROOT
#define HTTPSERV_DEFAULT_ROOT "examples/site"
#endif

enum LongOnly {
  kMaxBody = 256,
  kHeaderTimeout,
  kKeepAliveTimeout,
  kBodyTimeout,
  kSendTimeout,
  kShutdownTimeout,
  kRequestTimeout,
  kLogLevel,
  kModule,
  kFragmentCacheSize,
  kFragmentMaxEntry,
  kMaxResponseBacklog,
  kNoSupervisor,
  kMaxConnections,
  kMinSendRate,
  kMinBodyRate,
  kMaxThreads,
  kQueueLength,
  kHandoffMs,
  kUploadReadAhead,
  kStatusListen,
  kLogFormat,
  kListenTls,
  kListenH2c,
  kTlsCert,
  kTlsKey,
  kTlsClientCerts,
  kTlsClientCa,
  kAccessLog,
};

bool parse_seconds(const char* text, int64_t* ms) {
  char* end = nullptr;
  double v = strtod(text, &end);
  if (end == text || *end != '\0' || !std::isfinite(v) || v <= 0 || v > 86400 * 7) return false;
  *ms = static_cast<int64_t>(v * 1000.0 + 0.5);
  if (*ms < 1) *ms = 1;
  return true;
}

template <typename T>
bool parse_uint(const char* text, T* out) {
  std::string_view s(text);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::string usage() {
  return "Usage: httpserv [options]\n"
         "\n"
         "With no options, serves the embedded default site (" HTTPSERV_DEFAULT_ROOT
         ")\n"
         "on http://127.0.0.1:8080/.\n"
         "\n"
         "Options:\n"
         "  --root DIR               document root for static files\n"
         "  --listen ADDR:PORT       listen address (repeatable); IPv6 as [::1]:8080; port 0\n"
         "                           picks a free port (the log says which)\n"
         "  --listen-tls ADDR:PORT   HTTPS listen address (repeatable); needs --tls-cert\n"
         "                           and --tls-key. Without --listen, only HTTPS is served\n"
         "  --listen-h2c ADDR:PORT   HTTP/2 over cleartext with prior knowledge only\n"
         "                           (repeatable): no HTTP/1 on that port (gRPC-style\n"
         "                           clients, proxies). --listen serves h2c as well\n"
         "  --tls-cert FILE          PEM certificate (and chain) for --listen-tls\n"
         "  --tls-key FILE           its PEM private key. Repeat the pair for more\n"
         "                           certificates: the first is the default, the others are\n"
         "                           chosen by SNI from the names they hold\n"
         "  --tls-client-certs MODE  ask HTTPS clients for a certificate: ignore (default),\n"
         "                           accept (any, or none) or require (one that chains to\n"
         "                           --tls-client-ca); modules read it (CERT_*)\n"
         "  --tls-client-ca FILE     PEM authorities client certificates must chain to\n"
         "  --workers N              worker threads, one event loop each (default: cores)\n"
         "  -c, --config FILE        applicationHost.config-style configuration (its first\n"
         "                           site: bindings, root, modules, handlers); --listen,\n"
         "                           --root and --max-body-size override it\n"
         "  -t, --test-config        validate the configuration, load the modules, and exit\n"
         "  --max-body-size BYTES    largest request body (default 30000000)\n"
         "  --header-timeout SEC     time to receive a request head (default 30)\n"
         "  --keepalive-timeout SEC  idle time between requests (default 120)\n"
         "  --body-timeout SEC       silence while a request body is awaited (default 60)\n"
         "  --send-timeout SEC       time without write progress to a client (default 60)\n"
         "  --shutdown-timeout SEC   graceful-shutdown deadline (default 10)\n"
         "  --request-timeout SEC    longest an IIS module may keep a request pending without\n"
         "                           any completion (default 120)\n"
         "  --log-level LEVEL        error, warn, info (default) or debug\n"
         "  --log-format FORMAT      error log lines as text (default) or json (one object\n"
         "                           per line: time, level, thread, message, fields)\n"
         "  --status-listen ADDR:PORT  serve /metrics (Prometheus) and the /status page on\n"
         "                           this separate address (off by default)\n"
         "  --module NAME=PATH.so    load an IIS native module and enable it for every\n"
         "                           request (repeatable; order = priority order; a\n"
         "                           relative PATH is from the current directory)\n"
         "  --fragment-cache-size BYTES  IHttpServer fragment cache size (default 67108864;\n"
         "                           0 disables it)\n"
         "  --fragment-max-entry BYTES   largest cached fragment (default 262144)\n"
         "  --max-response-backlog BYTES unsent response bytes a request may have copied\n"
         "                           from module memory (default 16777216)\n"
         "  --max-connections N      connections per worker; more get 503 (default 16384)\n"
         "  --min-send-rate B/S      slowest a client may read a response (default 240;\n"
         "                           0 = off)\n"
         "  --min-body-rate B/S      slowest a client may send a body a handler awaits\n"
         "                           (default 240; 0 = off)\n"
         "  --max-threads N          IIS module threads that may block at once, over all\n"
         "                           workers (default 256); beyond, requests wait in a queue\n"
         "  --queue-length N         requests that may wait for a module thread; more get\n"
         "                           503 (default 1000, IIS's queueLength)\n"
         "  --handoff-ms MS          module code running this long moves its worker's other\n"
         "                           connections to another thread (default 2)\n"
         "  --upload-read-ahead BYTES  request body read before the first notification\n"
         "                           (default 49152, IIS's uploadReadAheadSize; 0 = off)\n"
         "  --no-supervisor          run in one process (by default a supervising parent\n"
         "                           keeps the listeners and restarts a crashed server)\n"
         "  --access-log FILE        write the W3C access log (IIS's fields) to FILE; with\n"
         "                           --config, every site logs there instead of its <logFile>\n"
         "  -h, --help               show this help\n"
         "\n"
         "Signals: SIGINT/SIGTERM stop gracefully, SIGQUIT stops at once, SIGHUP reloads,\n"
         "SIGUSR1 reopens the access logs.\n";
}

bool parse_options(int argc, char** argv, Options* out, std::string* error) {
  static const option kLong[] = {
      {"help", no_argument, nullptr, 'h'},
      {"test-config", no_argument, nullptr, 't'},
      {"root", required_argument, nullptr, 'r'},
      {"listen", required_argument, nullptr, 'l'},
      {"workers", required_argument, nullptr, 'w'},
      {"config", required_argument, nullptr, 'c'},
      {"max-body-size", required_argument, nullptr, kMaxBody},
      {"header-timeout", required_argument, nullptr, kHeaderTimeout},
      {"keepalive-timeout", required_argument, nullptr, kKeepAliveTimeout},
      {"body-timeout", required_argument, nullptr, kBodyTimeout},
      {"send-timeout", required_argument, nullptr, kSendTimeout},
      {"shutdown-timeout", required_argument, nullptr, kShutdownTimeout},
      {"request-timeout", required_argument, nullptr, kRequestTimeout},
      {"log-level", required_argument, nullptr, kLogLevel},
      {"module", required_argument, nullptr, kModule},
      {"fragment-cache-size", required_argument, nullptr, kFragmentCacheSize},
      {"fragment-max-entry", required_argument, nullptr, kFragmentMaxEntry},
      {"max-response-backlog", required_argument, nullptr, kMaxResponseBacklog},
      {"no-supervisor", no_argument, nullptr, kNoSupervisor},
      {"max-connections", required_argument, nullptr, kMaxConnections},
      {"min-send-rate", required_argument, nullptr, kMinSendRate},
      {"min-body-rate", required_argument, nullptr, kMinBodyRate},
      {"max-threads", required_argument, nullptr, kMaxThreads},
      {"queue-length", required_argument, nullptr, kQueueLength},
      {"handoff-ms", required_argument, nullptr, kHandoffMs},
      {"upload-read-ahead", required_argument, nullptr, kUploadReadAhead},
      {"status-listen", required_argument, nullptr, kStatusListen},
      {"log-format", required_argument, nullptr, kLogFormat},
      {"listen-tls", required_argument, nullptr, kListenTls},
      {"listen-h2c", required_argument, nullptr, kListenH2c},
      {"tls-cert", required_argument, nullptr, kTlsCert},
      {"tls-key", required_argument, nullptr, kTlsKey},
      {"tls-client-certs", required_argument, nullptr, kTlsClientCerts},
      {"tls-client-ca", required_argument, nullptr, kTlsClientCa},
      {"access-log", required_argument, nullptr, kAccessLog},
      {nullptr, 0, nullptr, 0},
  };
  optind = 0;  // glibc: 0 re-initialises getopt fully (SIGHUP parses argv again)
  opterr = 0;
  session::SessionConfig& s = out->server.session;
  while (true) {
    int idx = 0;
    int c = getopt_long(argc, argv, ":htc:", kLong, &idx);
    if (c == -1) break;
    std::string value = optarg != nullptr ? optarg : "";
    switch (c) {
      case 'h':
        out->help = true;
        break;
      case 't':
        out->test_config = true;
        break;
      case 'r':
        out->root = value;
        break;
      case 'l':
        out->listen.push_back(value);
        break;
      case kListenTls:
        out->listen_tls.push_back(value);
        break;
      case kListenH2c:
        out->listen_h2c.push_back(value);
        break;
      case kTlsCert:
        out->tls_certs.emplace_back(value, "");
        break;
      case kTlsKey:
        if (out->tls_certs.empty() || !out->tls_certs.back().second.empty()) {
          *error = "--tls-key: give it after its --tls-cert";
          return false;
        }
        out->tls_certs.back().second = value;
        break;
      case kTlsClientCerts:
        if (value != "ignore" && value != "accept" && value != "require") {
          *error = "--tls-client-certs: expected ignore, accept or require, got '" + value + "'";
          return false;
        }
        out->tls_client_certs = value;
        break;
      case kTlsClientCa:
        out->tls_client_ca = value;
        break;
      case 'c':
        out->config_file = value;
        break;
      case 'w':
        if (!parse_uint(optarg, &out->workers) || out->workers < 1 || out->workers > 1024) {
          *error = "--workers: expected a number from 1 to 1024, got '" + value + "'";
          return false;
        }
        break;
      case kMaxBody:
        if (!parse_uint(optarg, &s.limits.max_body_size)) {
          *error = "--max-body-size: expected a number of bytes, got '" + value + "'";
          return false;
        }
        out->max_body_size_set = true;
        break;
      case kHeaderTimeout:
      case kKeepAliveTimeout:
      case kBodyTimeout:
      case kSendTimeout:
      case kShutdownTimeout:
      case kRequestTimeout: {
        int64_t ms = 0;
        if (!parse_seconds(optarg, &ms)) {
          *error =
              std::string("--") + kLong[idx].name + ": expected seconds > 0, got '" + value + "'";
          return false;
        }
        if (c == kHeaderTimeout) s.header_timeout_ms = ms;
        if (c == kKeepAliveTimeout) s.keepalive_timeout_ms = ms;
        if (c == kBodyTimeout) s.body_timeout_ms = ms;
        if (c == kSendTimeout) s.send_timeout_ms = ms;
        if (c == kShutdownTimeout) out->server.shutdown_timeout_ms = ms;
        if (c == kRequestTimeout) out->request_timeout_ms = ms;
        break;
      }
      case kStatusListen:
        if (value.empty()) {
          *error = "--status-listen: expected ADDR:PORT, got ''";
          return false;
        }
        out->status_listen = value;
        break;
      case kLogFormat:
        if (!log_parse_format(value, &out->log_format)) {
          *error = "--log-format: expected text or json, got '" + value + "'";
          return false;
        }
        break;
      case kLogLevel:
        if (!log_parse_level(value, &out->log_level)) {
          *error = "--log-level: expected error, warn, info or debug, got '" + value + "'";
          return false;
        }
        break;
      case kMaxConnections:
        if (!parse_uint(optarg, &out->server.max_connections_per_worker) ||
            out->server.max_connections_per_worker == 0) {
          *error = "--max-connections: expected a number > 0, got '" + value + "'";
          return false;
        }
        break;
      case kMinSendRate:
      case kMinBodyRate:
        if (!parse_uint(optarg, c == kMinSendRate ? &s.min_send_rate : &s.min_body_rate)) {
          *error = std::string("--") + kLong[idx].name + ": expected bytes per second, got '" +
                   value + "'";
          return false;
        }
        break;
      case kNoSupervisor:
        out->no_supervisor = true;
        break;
      case kMaxThreads:
        if (!parse_uint(optarg, &out->max_threads) || out->max_threads < 1 ||
            out->max_threads > 65536) {
          *error = "--max-threads: expected a number from 1 to 65536, got '" + value + "'";
          return false;
        }
        break;
      case kQueueLength:
        if (!parse_uint(optarg, &out->queue_length)) {
          *error = "--queue-length: expected a number, got '" + value + "'";
          return false;
        }
        out->queue_length_set = true;
        break;
      case kHandoffMs:
        if (!parse_uint(optarg, &out->handoff_ms) || out->handoff_ms < 1 ||
            out->handoff_ms > 3'600'000) {
          *error = "--handoff-ms: expected milliseconds from 1 to 3600000, got '" + value + "'";
          return false;
        }
        break;
      case kUploadReadAhead:
        if (!parse_uint(optarg, &out->upload_read_ahead) || out->upload_read_ahead > 2147483647u) {
          *error = "--upload-read-ahead: expected bytes from 0 to 2147483647, got '" + value + "'";
          return false;
        }
        out->upload_read_ahead_set = true;
        break;
      case kAccessLog:
        if (value.empty()) {
          *error = "--access-log: expected a file name";
          return false;
        }
        out->access_log = value;
        break;
      case kFragmentCacheSize:
      case kFragmentMaxEntry:
      case kMaxResponseBacklog: {
        uint64_t bytes = 0;
        if (!parse_uint(optarg, &bytes)) {
          *error = std::string("--") + kLong[idx].name + ": expected a number of bytes, got '" +
                   value + "'";
          return false;
        }
        if (c == kFragmentCacheSize) {
          out->fragment_cache_size = bytes;
          out->fragment_cache_size_set = true;
        }
        if (c == kFragmentMaxEntry) {
          out->fragment_max_entry = bytes;
          out->fragment_max_entry_set = true;
        }
        if (c == kMaxResponseBacklog) out->max_response_backlog = bytes;
        break;
      }
      case kModule: {
        size_t eq = value.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == value.size()) {
          *error = "--module: expected NAME=PATH.so, got '" + value + "'";
          return false;
        }
        out->modules.push_back({value.substr(0, eq), value.substr(eq + 1)});
        break;
      }
      case ':':
        *error = std::string("option ") + argv[optind - 1] + " needs a value";
        return false;
      default:
        *error = std::string("unknown option ") + (optind > 0 ? argv[optind - 1] : "?");
        return false;
    }
  }
  if (optind < argc) {
    *error = std::string("unexpected argument '") + argv[optind] + "'";
    return false;
  }
  return true;
}

namespace {

// Appends the addresses of one listener flag to cfg (with their TLS context, or h2c-only).
bool add_listeners(const std::vector<std::string>& addresses, const char* flag,
                   const std::shared_ptr<const io::TlsContext>& tls, bool h2c, ServerConfig* cfg,
                   std::string* error) {
  for (const std::string& l : addresses) {
    auto addr = io::parse_socket_address(l);
    if (!addr) {
      *error = std::string(flag) + ": '" + l + "' is not ADDR:PORT (numeric IPv4, [IPv6] or *)";
      return false;
    }
    cfg->listen.push_back(*addr);
    cfg->listen_tls.push_back(tls);
    if (h2c) cfg->listen_h2c.push_back(true);
  }
  return true;
}

}  // namespace

bool resolve_options(Options& opts, std::string* error) {
  ServerConfig& cfg = opts.server;
  // --module images: a relative path (a bare file name too) is relative to the current
  // directory, as a user expects, not looked up in the dynamic library search path (dlopen's
  // rule for a name without '/').
  for (ModuleSpec& m : opts.modules) {
    if (m.image.front() == '/') continue;
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) == nullptr) {
      *error = "--module " + m.name + ": cannot resolve '" + m.image +
               "': current directory unknown (" + strerror(errno) + ")";
      return false;
    }
    m.image = std::string(cwd) + "/" + m.image;
  }
  if (!opts.access_log.empty() && opts.access_log.front() != '/') {
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) == nullptr) {
      *error = "--access-log: cannot resolve '" + opts.access_log + "': current directory unknown";
      return false;
    }
    opts.access_log = std::string(cwd) + "/" + opts.access_log;
  }
  std::string root = opts.root.empty() ? HTTPSERV_DEFAULT_ROOT : opts.root;
  std::vector<std::string> listen = opts.listen;
  std::vector<io::TlsSettings> listen_tls;  // from the configuration's https bindings
  if (!opts.config_file.empty()) {
    if (!opts.modules.empty()) {
      *error = "--module cannot be combined with --config (list modules in <globalModules>)";
      return false;
    }
    ServerPlan plan;
    std::vector<config::Diagnostic> diags;
    bool ok = load_server_plan(opts.config_file, &plan, &diags);
    for (const config::Diagnostic& d : diags)
      fprintf(stderr, "%s\n", d.to_string().c_str());
    if (!ok) {
      *error = "--config " + opts.config_file + ": the configuration has errors";
      return false;
    }
    if (opts.root.empty()) root = plan.sites.front().root;  // --root replaces the first site's
    if (listen.empty() && opts.listen_tls.empty() && opts.listen_h2c.empty()) {
      if (plan.listen.empty()) {
        *error = "--config " + opts.config_file +
                 ": no site has an http or https binding (add one, or "
                 "give --listen)";
        return false;
      }
      listen = plan.listen;
      listen_tls = plan.listen_tls;
    }
    if (plan.max_body_size_set && !opts.max_body_size_set)
      cfg.session.limits.max_body_size = plan.max_body_size;
    if (plan.fragment_cache_size_set && !opts.fragment_cache_size_set)
      opts.fragment_cache_size = plan.fragment_cache_size;
    if (plan.fragment_max_entry_set && !opts.fragment_max_entry_set)
      opts.fragment_max_entry = plan.fragment_max_entry;
    if (plan.queue_length_set && !opts.queue_length_set) opts.queue_length = plan.queue_length;
    if (!plan.status_listen.empty() && opts.status_listen.empty()) {
      opts.status_listen = plan.status_listen;
      opts.status_listen_from_config = true;
    }
    opts.modules = std::move(plan.modules);
    opts.builtin = std::move(plan.builtin);
    opts.builtin_set = true;
    opts.sites.clear();
    for (SitePlan& p : plan.sites) {
      SiteSpec spec;
      spec.id = p.id;
      spec.name = p.name;
      spec.bindings = std::move(p.bindings);
      if (!opts.listen.empty()) {
        // --listen replaces the bindings' addresses: sites are told apart by host name only.
        for (SiteBinding& b : spec.bindings) {
          b.ip.clear();
          b.port = 0;
        }
      }
      spec.files = cfg.static_files;
      apply_static_settings(p, &spec.files);
      spec.virtual_directories = p.virtual_directories;
      spec.upload_read_ahead = p.upload_read_ahead;
      spec.builtin_site = std::move(p.builtin_site);
      spec.url_hits = p.url_hits;
      auto to_spec = [&](PathPlan& plan) {
        PathSpec out;
        out.prefix = std::move(plan.prefix);
        out.add_catch_all = plan.mappings.empty();  // no <handlers>: enabled modules, then files
        out.mappings = std::move(plan.mappings);
        out.modules = std::move(plan.modules);
        out.all_modules = false;
        out.limits = plan.limits;
        out.builtin = std::move(plan.builtin);
        if (opts.max_body_size_set)
          out.limits.max_allowed_content_length = cfg.session.limits.max_body_size;
        return out;
      };
      spec.root = to_spec(p.at_root);
      for (PathPlan& part : p.parts)
        spec.parts.push_back(to_spec(part));
      opts.sites.push_back(std::move(spec));
    }
    if (!opts.root.empty()) opts.sites.front().files.root = opts.root;
    for (const SiteSpec& site : opts.sites) {
      struct stat st {};
      if (stat(site.files.root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        *error =
            "site '" + site.name + "': document root '" + site.files.root + "' is not a directory";
        return false;
      }
      for (const auto& [prefix, physical] : site.virtual_directories) {
        if (stat(physical.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
          *error = "site '" + site.name + "': virtual directory '" + prefix + "': '" + physical +
                   "' is not a directory";
          return false;
        }
      }
    }
  }
  struct stat st {};
  if (stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    *error = "document root '" + root + "' is not a directory";
    return false;
  }
  cfg.static_files.root = root;
  if (listen.empty() && opts.listen_tls.empty() && opts.listen_h2c.empty()) {
    listen.push_back("127.0.0.1:8080");
  }
  cfg.listen.clear();
  cfg.listen_tls.clear();
  cfg.listen_h2c.clear();
  for (size_t i = 0; i < listen.size(); ++i) {
    const std::string& l = listen[i];
    auto addr = io::parse_socket_address(l);
    if (!addr) {
      *error = (opts.listen.empty() ? "binding: '" : "--listen: '") + l +
               "' is not ADDR:PORT (numeric IPv4, [IPv6] or *)";
      return false;
    }
    cfg.listen.push_back(*addr);
    cfg.listen_tls.push_back(nullptr);
    if (i < listen_tls.size() && !listen_tls[i].certificates.empty()) {
      if (cfg.session.h2.enabled) listen_tls[i].alpn = {"h2", "http/1.1"};
      std::string why;
      cfg.listen_tls.back() = io::TlsContext::create(listen_tls[i], &why);
      if (!cfg.listen_tls.back()) {
        *error = "https binding " + l + ": " + why;
        return false;
      }
    }
  }
  if (!opts.listen_tls.empty() || !opts.tls_certs.empty()) {
    if (opts.listen_tls.empty()) {
      *error = "--tls-cert/--tls-key: give --listen-tls ADDR:PORT too";
      return false;
    }
    io::TlsSettings tls;
    if (cfg.session.h2.enabled) tls.alpn = {"h2", "http/1.1"};
    for (const auto& [cert, key] : opts.tls_certs) {
      if (key.empty()) {
        *error = "--tls-cert " + cert + ": its --tls-key is missing";
        return false;
      }
      io::TlsCertificate c;
      c.cert_file = cert;
      c.key_file = key;
      c.client_certs = opts.tls_client_certs == "require"  ? io::ClientCertMode::kRequire
                       : opts.tls_client_certs == "accept" ? io::ClientCertMode::kAccept
                                                           : io::ClientCertMode::kIgnore;
      c.client_ca_file = opts.tls_client_ca;
      tls.certificates.push_back(std::move(c));
    }
    if (tls.certificates.empty()) {
      *error = "--listen-tls: give --tls-cert FILE and --tls-key FILE";
      return false;
    }
    std::string why;
    std::shared_ptr<const io::TlsContext> ctx = io::TlsContext::create(tls, &why);
    if (!ctx) {
      *error = "--listen-tls: " + why;
      return false;
    }
    if (!add_listeners(opts.listen_tls, "--listen-tls", ctx, false, &cfg, error)) return false;
  }
  if (!opts.listen_h2c.empty() && !cfg.session.h2.enabled) {
    *error = "--listen-h2c: HTTP/2 is disabled in the configuration";
    return false;
  }
  cfg.listen_h2c.assign(cfg.listen.size(), false);
  if (!add_listeners(opts.listen_h2c, "--listen-h2c", nullptr, true, &cfg, error)) return false;
  opts.status_address.reset();
  if (!opts.status_listen.empty()) {
    auto addr = io::parse_socket_address(opts.status_listen);
    if (!addr) {
      *error = std::string(opts.status_listen_from_config ? "<httpservStatus listen>: '"
                                                          : "--status-listen: '") +
               opts.status_listen + "' is not ADDR:PORT (numeric IPv4, [IPv6] or *)";
      return false;
    }
    for (const io::SocketAddress& a : cfg.listen) {
      if (a.to_string() == addr->to_string() && addr->port() != 0) {
        *error = "--status-listen " + opts.status_listen + " is also a serving address";
        return false;
      }
    }
    opts.status_address = *addr;
  }
  cfg.workers = opts.workers > 0
                    ? opts.workers
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return true;
}

}  // namespace hs::server
