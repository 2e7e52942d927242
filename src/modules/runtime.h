#pragma once
// The server's built-in modules (IIS's RequestFilteringModule, HttpLoggingModule, ...): CHttpModule
// implementations registered in the same ModuleRegistry as native modules, before them, so they
// run in the same RQ_ pipeline with priorities (docs/operations.md lists each one's
// notifications). What a request's modules apply is its part's PathConfig
// (iis::IisHandler::PathSettings::builtin); what they share across requests — log files,
// the compressed-file cache, counters — is the Runtime's.
//
// LIFECYCLE. A Runtime is made in the server process (after the supervisor forked it), before
// the registry loads anything: register_builtins() registers the modules the configuration
// needs, make_path_config() builds each part's settings. It must outlive the registry's
// terminate() (server::IisStack orders them so). Module code runs on loop threads; Runtime
// methods called from there are thread-safe.
#include <httpserv.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "iis/iis_handler.h"
#include "iis/module_registry.h"
#include "modules/compression.h"
#include "modules/http_logging.h"
#include "modules/log_writer.h"
#include "modules/settings.h"

namespace hs::iis {
class HttpContextImpl;
}

namespace hs::modules {

class Runtime;

// IIS's names of the built-in modules, in registration order. A configuration's <modules> may
// <add> or <remove> them by these names (docs/operations.md).
inline constexpr std::string_view kRequestFilteringModule = "RequestFilteringModule";
inline constexpr std::string_view kHttpLoggingModule = "HttpLoggingModule";
inline constexpr std::string_view kCustomErrorModule = "CustomErrorModule";
inline constexpr std::string_view kStaticCompressionModule = "StaticCompressionModule";
inline constexpr std::string_view kDynamicCompressionModule = "DynamicCompressionModule";
inline constexpr std::string_view kProtocolSupportModule = "ProtocolSupportModule";
inline constexpr std::string_view kHttpRedirectionModule = "HttpRedirectionModule";
inline constexpr std::string_view kDirectoryListingModule = "DirectoryListingModule";
std::span<const std::string_view> builtin_module_names();

// What the built-in modules read for one part of a site.
struct PathConfig final : iis::BuiltinSettings {
  PathOptions options;
  Runtime* runtime = nullptr;          // null: the defaults object below
  std::shared_ptr<const SiteLog> log;  // the site's access log; null: not logged
  std::string site_root;               // the site's root directory
  std::string prefix;                  // the part's URL prefix ("" for the site root)
};

// The request's PathConfig (IIS's defaults when its part has none).
const PathConfig& path_config(const iis::HttpContextImpl& ctx);

class Runtime {
 public:
  explicit Runtime(ServerOptions options);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const ServerOptions& options() const { return options_; }

  // Registers the built-in modules the configuration needs (Needs), in order, before any native
  // module. False with *error naming the module on failure.
  bool register_builtins(iis::ModuleRegistry& registry, IHttpServer* server, std::string* error);
  // The runtime whose register_builtins() is running (a built-in RegisterModule reads what to
  // subscribe to from it), else null.
  static const Runtime* registering();
  // The settings of one part of `site` (its access log is set up the first time a site is seen).
  std::shared_ptr<const PathConfig> make_path_config(const SiteOptions& site,
                                                     const PathOptions& options,
                                                     std::string_view prefix = {});
  // After every part is made, before serving: starts the log flusher.
  void start();
  // SIGUSR1: the access logs are reopened by name (log rotation).
  void reopen_logs() { log_writer_.reopen(); }
  // Graceful shutdown, after the workers stopped: everything buffered is written.
  void stop() { log_writer_.stop(); }

  LogWriter& log_writer() { return log_writer_; }
  // A custom error page's file, read once and kept while its size and mtime stay (at most
  // 1 MiB); null (logged once per path when `warn`) if it cannot be read.
  std::shared_ptr<const std::string> read_page(const std::string& path, bool warn = true);
  // The compressed copies of static files (made on first use; null when the directory is not
  // usable).
  CompressedFiles* compressed_files();
  CompressionCounters& compression_counters() { return compression_counters_; }
  const std::string& computer_name() const { return computer_name_; }

 private:
  ServerOptions options_;
  LogWriter log_writer_;
  std::vector<std::pair<uint32_t, std::shared_ptr<const SiteLog>>> site_logs_;  // by site id
  std::string computer_name_;
  struct Page {
    int64_t mtime_ns = 0;
    uint64_t size = 0;
    std::shared_ptr<const std::string> text;
  };
  std::mutex pages_mu_;
  std::map<std::string, Page> pages_;
  std::set<std::string> page_warned_;
  std::once_flag compressed_once_;
  std::unique_ptr<CompressedFiles> compressed_;
  CompressionCounters compression_counters_;
};

// One instance serves every request: the built-in modules keep nothing per request in the
// module object (what they need lives in the context), so GetHttpModule hands out the same
// object and Dispose does nothing. T must be default-constructible and stateless.
template <class T>
class SharedModuleFactory final : public IHttpModuleFactory {
 public:
  HRESULT GetHttpModule(CHttpModule** module, IModuleAllocator*) override {
    *module = &instance_;
    return S_OK;
  }
  VOID Terminate() override {}

 private:
  T instance_;
};

}  // namespace hs::modules
