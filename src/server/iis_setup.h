#pragma once
// Builds the IIS module pipeline for the server: loads modules, resolves handler mappings and
// puts the static-file handler behind the built-in StaticFileModule.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/static_file_handler.h"
#include "iis/http_server_impl.h"
#include "iis/iis_handler.h"
#include "iis/module_registry.h"
#include "modules/runtime.h"
#include "modules/settings.h"
#include "server/direct_static.h"
#include "server/site_router.h"

namespace hs::server {

struct ModuleSpec {
  std::string name;
  std::string image;
};

// What applies to one part of a site: its root, or a <location path="Site/app"> below it.
struct PathSpec {
  std::string prefix;  // "/app"; "" for the site root
  // Tried in order. With `add_catch_all`, a final catch-all mapping ("*") names every enabled
  // module that no mapping routes, then StaticFileModule, so that `--module` enables a module
  // for every request. Without it (a configuration file's <handlers>), a request no mapping
  // matches gets 404.
  std::vector<iis::HandlerMapping> mappings;
  bool add_catch_all = true;
  // The modules (names, as loaded) that run for these requests; all of them when `all_modules`.
  std::vector<std::string> modules;
  bool all_modules = true;
  iis::RequestLimits limits;
  modules::PathOptions builtin;  // the built-in modules' settings here (IIS's defaults)
};

// One site (virtual host) of the pipeline.
struct SiteSpec {
  uint32_t id = 1;
  std::string name = "Default Web Site";
  // Where the router sends requests to this site; empty: every request (a single site only).
  std::vector<SiteBinding> bindings;
  core::StaticFileConfig files;  // files.root is the site's root directory; site-wide
  // Other virtual directories: URL prefix → physical path (served with `files`' settings).
  std::vector<std::pair<std::string, std::string>> virtual_directories;
  PathSpec root;                // the settings at the site root (prefix "")
  std::vector<PathSpec> parts;  // <location>s below the root
  // <serverRuntime>: the body read ahead, IsFrequentlyHit's rule (unset: the command line's).
  std::optional<uint64_t> upload_read_ahead;
  iis::UrlHitSettings url_hits;
  modules::SiteOptions builtin_site;  // the built-in modules' per-site settings (its access log)
};

struct SiteStack {
  std::unique_ptr<core::StaticFileHandler> files;
  std::vector<std::unique_ptr<core::StaticFileHandler>> vdir_files;
  std::unique_ptr<iis::IisHandler> handler;
  std::unique_ptr<DirectStatic> direct;  // in front of `handler`: where the site's requests enter
};

// Everything the pipeline needs, kept alive for the server's lifetime. Members are destroyed in
// reverse order: the router and the sites first, the registry (which Terminate()s and unloads
// modules) last.
struct IisStack {
  // The built-in modules' shared state; outlives the registry (which terminates them first).
  std::unique_ptr<modules::Runtime> runtime;
  iis::ModuleRegistry registry;
  iis::HttpServerImpl server;
  std::vector<std::unique_ptr<SiteStack>> sites;
  std::unique_ptr<SiteRouter> router;  // null with one site that takes every request
  iis::IisHandler* handler = nullptr;  // the first site's
  http::Handler* front = nullptr;      // the first site's entry (its DirectStatic)
  // Where requests enter: the router, or the only site's DirectStatic.
  http::Handler* entry() const;
  size_t live_requests() const;  // over all sites
  ~IisStack();
};

// Registers the built-in modules (src/modules) the settings need, then loads `modules` in order,
// and builds one pipeline per site, sharing the modules; several sites (or any binding with a
// host name) get a router. Static files follow IIS's StaticFileModule (only extensions in the
// MIME map: 404.3). False with *error naming the module and image (or the site and root) on
// failure.
bool build_iis_stack(const std::vector<ModuleSpec>& modules, std::vector<SiteSpec> sites,
                     IisStack* out, std::string* error,
                     modules::ServerOptions builtin = modules::ServerOptions());

// The same for one site that takes every request ("Default Web Site", id 1).
bool build_iis_stack(const std::vector<ModuleSpec>& modules,
                     std::vector<iis::HandlerMapping> mappings, const core::StaticFileConfig& files,
                     IisStack* out, std::string* error, bool add_catch_all = true);

// The built-in modules' settings at a path, and server-wide, when there is no configuration
// file: IIS's defaults.
modules::PathOptions default_builtin_options();
modules::ServerOptions default_builtin_server_options();

// The sample modules the embedded default site mounts (/hello, /echo, /stream, /async and the
// header filter), if they were built next to the server. Empty when they are missing.
std::vector<ModuleSpec> default_sample_modules(std::vector<iis::HandlerMapping>* mappings);

}  // namespace hs::server
