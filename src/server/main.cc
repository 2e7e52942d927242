// httpserv entry point: options, signals, and the server's lifetime. Everything else lives in the
// libraries so that tests can embed the same server.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "admin/admin_manager.h"
#include "base/blocking.h"
#include "base/log.h"
#include "base/metrics.h"
#include "iis/global_notifications.h"
#include "io/event_loop.h"
#include "server/config_loader.h"
#include "server/options.h"
#include "server/server.h"
#include "server/service_notify.h"
#include "server/status.h"
#include "server/supervisor.h"

#ifndef HTTPSERV_VERSION
#define HTTPSERV_VERSION "dev"
#endif

// Module .so files log through this hook (include/httpserv/httpserv_log.h) into our log.
extern "C" __attribute__((visibility("default"))) void HttpservLogWrite(int level,
                                                                        const char* source,
                                                                        const char* message) {
  int clamped = level < 0 ? 0 : level > 3 ? 3 : level;  // modules cannot use kNotice
  hs::log_write_raw(static_cast<hs::LogLevel>(clamped), source != nullptr ? source : "",
                    message != nullptr ? message : "");
}

// CoCreateInstance in module code (include/httpserv/compat/httpserv_com.h) creates the
// configuration API's admin managers through this hook.
extern "C" __attribute__((visibility("default"))) HRESULT HttpservCoCreateInstance(
    const GUID* rclsid, const GUID* riid, void** ppv) {
  if (rclsid == nullptr || riid == nullptr) return E_INVALIDARG;
  return hs::admin::co_create_instance(*rclsid, *riid, ppv);
}

namespace {

// The configuration API's model (the file and the schemas); its diagnostics go to the log (or
// to stderr for -t). False if a schema file has an error.
bool install_admin_model(const std::string& config_file, bool to_stderr) {
  std::vector<hs::config::Diagnostic> diags;
  hs::admin::set_process_model(hs::server::load_admin_model(config_file, &diags));
  bool ok = true;
  for (const auto& d : diags) {
    const bool error = d.severity == hs::config::Diagnostic::Severity::kError;
    ok = ok && !error;
    if (to_stderr) {
      fprintf(stderr, "%s\n", d.to_string().c_str());
    } else if (error) {
      HS_LOG_ERROR("%s", d.to_string().c_str());
    } else {
      HS_LOG_WARN("%s", d.to_string().c_str());
    }
  }
  return ok;
}

// Builds the pipeline and runs the server until a stop signal (taken from `set`, blocked in this
// thread). `announce`: log the bound addresses (the supervisor already did). Once the server
// accepts connections, one byte goes to `ready_fd` (a reload waits for it), unless it is -1.
int serve(hs::server::Options& opts, const sigset_t& set, bool announce, int ready_fd) {
  std::string error;
  hs::base::metrics::g_process_start_s.store(static_cast<int64_t>(time(nullptr)));
  // The IIS module pipeline: modules and handler mappings from --config, modules from --module,
  // or the sample modules when the embedded default site is served. Without any of them, the
  // pipeline still runs the built-in modules (src/modules) in front of the static files.
  std::vector<hs::server::SiteSpec> sites = std::move(opts.sites);
  std::vector<hs::server::ModuleSpec> modules = opts.modules;
  bool embedded_default = opts.root.empty() && opts.modules.empty() && opts.config_file.empty();
  hs::modules::ServerOptions builtin =
      opts.builtin_set ? opts.builtin : hs::server::default_builtin_server_options();
  builtin.software = "httpserv " HTTPSERV_VERSION;
  builtin.access_log = opts.access_log;
  builtin.several_sites = sites.size() > 1;
  if (sites.empty()) {  // no configuration file: one site that takes every request
    sites.resize(1);
    sites[0].files = opts.server.static_files;
    if (embedded_default) modules = hs::server::default_sample_modules(&sites[0].root.mappings);
    sites[0].root.limits.max_allowed_content_length = opts.server.session.limits.max_body_size;
    sites[0].root.builtin = hs::server::default_builtin_options();
    if (!opts.builtin_set) builtin.needs.add(sites[0].root.builtin);
  }
  install_admin_model(opts.config_file, false);
  hs::server::IisStack iis;
  hs::http::Handler* handler = nullptr;
  auto for_each_application = [&](auto fn) {
    for (const auto& site : iis.sites)
      fn(&site->handler->application());
  };
  {
    if (!hs::server::build_iis_stack(modules, std::move(sites), &iis, &error, std::move(builtin))) {
      HS_LOG_ERROR("%s", error.c_str());
      return 1;
    }
    iis.server.fragment_cache().set_limits(opts.fragment_cache_size, opts.fragment_max_entry);
    for (const auto& site : iis.sites) {
      site->handler->set_max_response_backlog(opts.max_response_backlog);
      site->handler->set_request_timeout_ms(opts.request_timeout_ms);
      site->handler->set_queue_length(opts.queue_length);
      if (opts.upload_read_ahead_set) site->handler->set_upload_read_ahead(opts.upload_read_ahead);
    }
    handler = iis.entry();
    // Before any worker exists: no request can overlap it (global_notifications.h).
    for_each_application(
        [&](IHttpApplication* app) { hs::iis::raise_application_start(iis.registry, app); });
    if (opts.reloaded) {
      hs::iis::raise_configuration_change(iis.registry, L"MACHINE/WEBROOT/APPHOST");
    }
  }
  // The execution model: module code that blocks moves its worker's loop to another thread.
  hs::base::thread_budget().set_limit(opts.max_threads);
  hs::io::configure_handoff(hs::io::HandoffSettings{opts.handoff_ms, 60'000});
  hs::server::Server server(opts.server, handler);
  if (!server.start(&error)) {
    HS_LOG_ERROR("%s", error.c_str());
    for_each_application(
        [&](IHttpApplication* app) { hs::iis::raise_application_stop(iis.registry, app); });
    return 1;
  }
  // The status listener (/metrics, /status): after the server, so that it sees every worker.
  hs::server::StatusService status_service(
      {&server, handler != nullptr ? &iis.server.fragment_cache() : nullptr, opts.queue_length});
  if (opts.status_address &&
      !status_service.start(*opts.status_address, opts.status_inherited, &error)) {
    HS_LOG_ERROR("%s", error.c_str());
    server.stop_now();
    server.wait();
    for_each_application(
        [&](IHttpApplication* app) { hs::iis::raise_application_stop(iis.registry, app); });
    return 1;
  }
  // Written whatever the log level: operators and tests need the bound ports.
  if (announce) {
    hs::log_write(hs::LogLevel::kNotice, "httpserv %s: serving %s with %d worker(s)",
                  HTTPSERV_VERSION, opts.server.static_files.root.c_str(), opts.server.workers);
  }
  if (announce) {
    std::string status = "serving";
    for (size_t i = 0; i < server.bound().size(); ++i) {
      const char* scheme = opts.server.is_tls(i) ? "https" : opts.server.is_h2c(i) ? "h2c" : "http";
      std::string addr = server.bound()[i].to_string();
      hs::log_write(hs::LogLevel::kNotice, "listening on %s://%s", scheme, addr.c_str());
      status += std::string(" ") + scheme + "://" + addr;
    }
    if (opts.status_address) {
      std::string addr = status_service.bound().to_string();
      hs::log_write(hs::LogLevel::kNotice, "status on http://%s/status and /metrics", addr.c_str());
      status += " status http://" + addr + "/status";
    }
    // Unsupervised, this is the service's main process: it tells systemd itself.
    hs::server::service::ready(status);
  }
  if (ready_fd >= 0) {
    ssize_t n = write(ready_fd, "1", 1);
    (void)n;  // a parent that is gone reaps nobody; nothing to do
    close(ready_fd);
  }

  bool stopping = false;
  while (!server.finished()) {
    timespec tick{0, 100 * 1000 * 1000};
    int sig = sigtimedwait(&set, nullptr, &tick);
    if (sig == SIGUSR1) {
      HS_LOG_INFO("SIGUSR1: reopening the access logs");
      if (iis.runtime) iis.runtime->reopen_logs();
    }
    if (sig == SIGQUIT) {
      HS_LOG_INFO("SIGQUIT: stopping immediately");
      _exit(0);
    }
    if ((sig == SIGINT || sig == SIGTERM) && !stopping) {
      stopping = true;
      if (announce) hs::server::service::stopping();
      HS_LOG_INFO("%s: stopping gracefully (deadline %lld ms)", strsignal(sig),
                  static_cast<long long>(opts.server.shutdown_timeout_ms));
      // GL_STOP_LISTENING → drain → (workers joined) GL_APPLICATION_STOP → Terminate.
      if (handler != nullptr) hs::iis::raise_stop_listening(iis.registry, true);
      server.stop_graceful();
      // A draining process stops answering on the status socket too: after a reload the new
      // process, which shares the socket, is the one whose numbers a scrape should get.
      status_service.stop();
    } else if (sig == SIGHUP) {
      // Reloading replaces the server process (server/supervisor.h); this one has no parent.
      HS_LOG_WARN("SIGHUP: reloading needs the supervisor (runs without --no-supervisor); ignored");
    }
  }
  server.wait();
  status_service.stop();
  if (iis.runtime) iis.runtime->stop();  // every buffered access-log line reaches the disk
  for_each_application(
      [&](IHttpApplication* app) { hs::iis::raise_application_stop(iis.registry, app); });
  if (iis.handler != nullptr) {
    hs::iis::FragmentCache::Stats f = iis.server.fragment_cache().stats();
    HS_LOG_INFO(
        "fragment cache: %llu entries, %llu of %llu bytes; %llu hits, %llu misses, %llu added, "
        "%llu replaced, %llu evicted, %llu removed, %llu refused",
        static_cast<unsigned long long>(f.entries), static_cast<unsigned long long>(f.bytes),
        static_cast<unsigned long long>(f.capacity), static_cast<unsigned long long>(f.hits),
        static_cast<unsigned long long>(f.misses), static_cast<unsigned long long>(f.insertions),
        static_cast<unsigned long long>(f.replacements),
        static_cast<unsigned long long>(f.evictions), static_cast<unsigned long long>(f.removals),
        static_cast<unsigned long long>(f.rejections));
  }
  HS_LOG_INFO("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  hs::server::Options opts;
  std::string error;
  if (!hs::server::parse_options(argc, argv, &opts, &error)) {
    fprintf(stderr, "httpserv: %s\n(see httpserv --help)\n", error.c_str());
    return 2;
  }
  if (opts.help) {
    fputs(hs::server::usage().c_str(), stdout);
    return 0;
  }
  hs::log_set_level(opts.log_level);
  hs::log_set_format(opts.log_format);
  if (!hs::server::resolve_options(opts, &error)) {
    fprintf(stderr, "httpserv: %s\n", error.c_str());
    return 2;
  }
  if (opts.test_config) {
    // Also load (and unload) the modules, from --module or the configuration file, so that a
    // missing image or one without RegisterModule is reported now rather than at startup.
    if (!install_admin_model(opts.config_file, true)) return 2;
    if (!hs::server::try_load_modules(opts.modules, &error)) {
      fprintf(stderr, "httpserv: %s\n", error.c_str());
      return 2;
    }
    printf("httpserv: configuration OK (root %s, %zu listener(s), %d worker(s))\n",
           opts.server.static_files.root.c_str(), opts.server.listen.size(), opts.server.workers);
    return 0;
  }

  // Every connection is a descriptor: take all the kernel allows (the soft limit is often 1024),
  // as nginx's worker_rlimit_nofile would; --max-connections bounds the use.
  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &nofile);
  }

  // Signals are taken synchronously by this thread; workers inherit the blocked mask.
  signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1})
    sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  if (opts.no_supervisor) return serve(opts, set, true, -1);
  // Supervised (the default): this process binds the listeners and keeps them while worker
  // processes come and go (server/supervisor.h).
  hs::server::Listeners listeners;
  if (!hs::server::bind_listeners(opts.server.listen, opts.server.workers, opts.server.backlog,
                                  &listeners, &error)) {
    HS_LOG_ERROR("%s", error.c_str());
    return 1;
  }
  // The status listener's socket too, kept across server processes like the others.
  hs::server::Listeners status_listeners;
  if (opts.status_address &&
      !hs::server::bind_listeners({*opts.status_address}, 1, 64, &status_listeners, &error)) {
    HS_LOG_ERROR("status listener: %s", error.c_str());
    listeners.close_all();
    return 1;
  }
  // Announced once the first worker process serves: its modules loaded and its workers
  // accepting (a module that fails to load ends the parent without a "listening on" line).
  auto announce = [&listeners, &status_listeners, root = opts.server.static_files.root,
                   workers = opts.server.workers, tls = opts.server.listen_tls,
                   h2c = opts.server.listen_h2c] {
    hs::log_write(hs::LogLevel::kNotice, "httpserv %s: serving %s with %d worker(s)",
                  HTTPSERV_VERSION, root.c_str(), workers);
    std::string status = "serving";
    for (size_t i = 0; i < listeners.bound.size(); ++i) {
      bool secure = i < tls.size() && tls[i] != nullptr;
      const char* scheme = secure ? "https" : i < h2c.size() && h2c[i] ? "h2c" : "http";
      std::string addr = listeners.bound[i].to_string();
      hs::log_write(hs::LogLevel::kNotice, "listening on %s://%s", scheme, addr.c_str());
      status += std::string(" ") + scheme + "://" + addr;
    }
    for (const auto& a : status_listeners.bound) {
      std::string addr = a.to_string();
      hs::log_write(hs::LogLevel::kNotice, "status on http://%s/status and /metrics", addr.c_str());
      status += " status http://" + addr + "/status";
    }
    hs::server::service::ready(status);  // systemd's Type=notify (server/service_notify.h)
  };
  auto body_for = [&](std::shared_ptr<hs::server::Options> o) -> hs::server::ChildMain {
    return [o, &listeners, &status_listeners, &set](int ready_fd) {
      o->server.inherited = &listeners;
      if (o->status_address) o->status_inherited = &status_listeners;
      return serve(*o, set, false, ready_fd);
    };
  };
  auto active = std::make_shared<hs::server::Options>(std::move(opts));
  // SIGHUP: the same command line, read again, so a changed --config file is taken up. The
  // listening sockets stay those of the parent: their addresses and count cannot change.
  auto reload = [&](std::string* err) -> hs::server::ChildMain {
    auto next = std::make_shared<hs::server::Options>();
    if (!hs::server::parse_options(argc, argv, next.get(), err)) return nullptr;
    if (!hs::server::resolve_options(*next, err)) return nullptr;
    std::vector<std::string> was;
    std::vector<std::string> now;
    for (size_t i = 0; i < active->server.listen.size(); ++i)
      was.push_back(active->server.listen[i].to_string() + (active->server.is_tls(i) ? "s" : "") +
                    (active->server.is_h2c(i) ? "c" : ""));
    for (size_t i = 0; i < next->server.listen.size(); ++i)
      now.push_back(next->server.listen[i].to_string() + (next->server.is_tls(i) ? "s" : "") +
                    (next->server.is_h2c(i) ? "c" : ""));
    std::string status_was = active->status_address ? active->status_address->to_string() : "";
    std::string status_now = next->status_address ? next->status_address->to_string() : "";
    if (status_was != status_now) {
      *err = "the status listener's address changed; that needs a restart";
      return nullptr;
    }
    if (was != now || next->server.workers != active->server.workers) {
      *err = "the listening addresses or the worker count changed; that needs a restart";
      return nullptr;
    }
    hs::log_set_level(next->log_level);
    hs::log_set_format(next->log_format);
    next->reloaded = true;
    active = next;
    return body_for(next);
  };
  return hs::server::supervise(listeners, body_for(active), reload, announce, &status_listeners);
}
