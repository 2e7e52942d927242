#pragma once
// Turns an applicationHost.config file (src/config, docs/configuration.md) into what the server
// runs: listen addresses, the sites (virtual hosts: bindings, root directory, enabled modules,
// handler mappings, static settings, request limits), and the native modules to load. Each
// site's settings are those at its root ("Site" and "" <location>s included); a <location> for a
// path below a site root gives that part its own modules, handlers and request limits (static
// settings stay site-wide). Every virtual directory is served from its physicalPath;
// applications other than "/" are served as directories of the site (one application per site).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "admin/admin_manager.h"
#include "config/config.h"
#include "core/static_file_handler.h"
#include "iis/iis_handler.h"
#include "io/tls.h"
#include "modules/settings.h"
#include "server/iis_setup.h"
#include "server/site_router.h"

namespace hs::server {

// Built-in module names a configuration may enable and map without a <globalModules> entry.
// DefaultDocumentModule is served by the static-file handler (default documents), so a mapping
// naming it is treated as naming StaticFileModule. So is DirectoryListingModule, which IIS's own
// StaticFile handler names: the static handler answers a directory without a default document
// (403.14), and the built-in DirectoryListingModule (modules/directory_listing.h, not a handler
// here) turns that answer into the listing where <directoryBrowse enabled="true">.
inline constexpr std::string_view kDefaultDocumentModule = "DefaultDocumentModule";
inline constexpr std::string_view kDirectoryListingModule = "DirectoryListingModule";

// The settings in effect at one path of a site (its root, or a <location> below it).
struct PathPlan {
  std::string prefix;  // "" for the site root, else "/app"
  // Modules enabled there: global modules, and the built-in ones (src/modules) that no level in
  // effect <remove>d or <clear>ed (IIS lists them in its own <modules>; a file need not).
  std::vector<std::string> modules;
  std::vector<iis::HandlerMapping> mappings;  // <handlers> in effect there, in order
  iis::RequestLimits limits;
  bool max_allowed_content_length_set = false;  // some level in effect there sets it
  modules::PathOptions builtin;                 // the built-in modules' sections in effect there
};

struct SitePlan {
  uint32_t id = 0;
  std::string name;
  std::vector<SiteBinding> bindings;  // http and https bindings (the router's view)
  // The https ones among them, with their certificates (index into `bindings`).
  std::vector<std::pair<size_t, io::TlsCertificate>> tls;
  std::string root;  // the root virtual directory's physicalPath, resolved
  // The other virtual directories: URL prefix ("/img", "/app/docs") → physicalPath, resolved.
  std::vector<std::pair<std::string, std::string>> virtual_directories;
  PathPlan at_root;
  std::vector<PathPlan> parts;  // one per <location path="Site/..."> below the root
  // Static settings are site-wide (those at the root).
  std::vector<std::string> default_documents;
  bool mime_clear = false;               // a <clear/> in <staticContent>: drop the built-ins
  std::vector<std::string> mime_remove;  // <remove fileExtension> applied to the built-ins
  std::vector<std::pair<std::string, std::string>> mime_set;  // extension, type
  modules::SiteOptions builtin_site;                          // the site's <logFile>
  // <system.webServer><serverRuntime> at the site's root.
  uint64_t upload_read_ahead = iis::IisHandler::kDefaultUploadReadAhead;
  iis::UrlHitSettings url_hits;
};

struct ServerPlan {
  std::vector<SitePlan> sites;      // file order; at least one when loading succeeded
  std::vector<std::string> listen;  // "ADDR:PORT" (io::parse_socket_address), one per socket
  // TLS of listen[i]: no certificates = plain HTTP. The certificates of every https binding on
  // that socket, chosen by SNI from the binding's host name (the first without one is the
  // default).
  std::vector<io::TlsSettings> listen_tls;
  std::vector<ModuleSpec> modules;  // global modules enabled by any site, <globalModules> order
  // The server-wide body limit (the session's parser): the largest maxAllowedContentLength of
  // the sites; set when any level sets it.
  bool max_body_size_set = false;
  uint64_t max_body_size = 0;
  // <caching maxCacheSize (MB; 0 = default) maxResponseSize>: the fragment cache's limits.
  bool fragment_cache_size_set = false;
  uint64_t fragment_cache_size = 0;
  bool fragment_max_entry_set = false;
  uint64_t fragment_max_entry = 0;
  // <applicationPools><applicationPoolDefaults queueLength>: requests that may wait for a thread.
  bool queue_length_set = false;
  uint64_t queue_length = iis::IisHandler::kDefaultQueueLength;
  // <system.applicationHost><httpservStatus listen="ADDR:PORT"> (httpserv's own element): the
  // status listener's address; empty: none.
  std::string status_listen;
  // The built-in modules' server-wide settings (what they need anywhere, httpCompression...).
  modules::ServerOptions builtin;
};

// Loads and checks `file` and builds the plan. Every diagnostic (the parser's, the module
// cross-check's and this function's own) is appended to *diags in order. Returns false if any
// of them is an error.
bool load_server_plan(const std::string& file, ServerPlan* out,
                      std::vector<config::Diagnostic>* diags);

// Root, default documents and MIME map of a site, applied to `files`.
void apply_static_settings(const SitePlan& site, core::StaticFileConfig* files);

// The configuration API's model (src/admin) for `config_file` ("" = no file: every section at
// its defaults): the file, the built-in schema, then the schema files of `<dir of the file>/schema`
// and of the installed schema directory (HTTPSERV_SCHEMA_DIR), in that order. Problems (the file
// cannot be read again, a bad schema file) are appended to *diags; the model is always usable.
std::shared_ptr<const admin::Model> load_admin_model(const std::string& config_file,
                                                     std::vector<config::Diagnostic>* diags);

// For -t: loads `modules` into a temporary registry (dlopen + RegisterModule), then terminates
// and unloads them. False with *error naming the first module that failed.
bool try_load_modules(const std::vector<ModuleSpec>& modules, std::string* error);

}  // namespace hs::server
