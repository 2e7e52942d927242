#pragma once
// The IIS module pipeline as an http::Handler: every request gets an HttpContextImpl that runs
// the RQ_ notifications of the loaded modules. Handler mappings choose which modules get
// RQ_EXECUTE_REQUEST_HANDLER; the built-in StaticFileModule serves files through core.
#include <httpserv.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "http/exchange.h"
#include "iis/fragment_cache.h"
#include "iis/site_objects.h"
#include "iis/url_info.h"

namespace hs::iis {

class ModuleRegistry;
class HttpContextImpl;

// One <handlers><add> entry, resolved.
struct HandlerMapping {
  std::string name;
  std::string path;                  // "*", "name", "*.ext", or a full path starting with '/'
  std::vector<std::string> verbs;    // empty = any
  std::vector<std::string> modules;  // module names (registered, or built-in StaticFileModule)
  uint32_t response_buffer_limit = 4 * 1024 * 1024;
  // What IScriptMapInfo reports (IHttpContext::GetScriptMap), as the configuration wrote it.
  std::string verb_text = "*";
  std::string modules_text;  // "" = the modules above joined with ','
  std::string script_processor;
  std::string type;             // managed type
  uint32_t resource_type = 3;   // File 0, Directory 1, Either 2, Unspecified 3 (IIS schema)
  uint32_t require_access = 3;  // None 0, Read 1, Write 2, Script 3, Execute 4 (IIS schema)
  bool allow_path_info = false;

  bool matches(std::string_view url_path, std::string_view verb) const;
};

inline constexpr std::string_view kStaticFileModule = "StaticFileModule";

// Settings of the server's built-in modules (src/modules: request filtering, logging, custom
// errors, compression...) for one part of a site. Built and read there; the IIS layer only
// carries them with the part's other settings (PathSettings::builtin), so that a module finds
// what applies to its request in one pointer.
class BuiltinSettings {
 public:
  virtual ~BuiltinSettings() = default;
};

// <security><requestFiltering><requestLimits>, per site (IIS's RequestFilteringModule). Checked
// when a request enters the pipeline, after GL_PRE_BEGIN_REQUEST; a request over a limit skips
// to RQ_LOG_REQUEST with the status below, so no RQ_BEGIN_REQUEST.. handler sees it.
struct RequestLimits {
  uint32_t max_url = 4096;           // bytes of the request target before '?': 404 (404.14)
  uint32_t max_query_string = 2048;  // bytes after '?': 404 (404.15)
  // Declared Content-Length: 413. (A chunked body is bounded by the server-wide limit, which
  // is at least as large: the session's parser enforces it.)
  uint64_t max_allowed_content_length = 30000000;
  // <requestFiltering allowHighBitCharacters="false">: a URL with a byte >= 0x80, as received or
  // percent-decoded in its path, gets 404 (404.12). Malformed UTF-8 never gets this far (400).
  bool allow_high_bit_characters = true;
};

class IisHandler final : public http::Handler {
 public:
  // `static_files` serves mappings naming StaticFileModule (may be null: then such a mapping
  // answers 404). None of the pointers is owned; all outlive the handler.
  IisHandler(ModuleRegistry& registry, IHttpServer& server, std::vector<HandlerMapping> mappings,
             http::Handler* static_files);
  // Frees the contexts of timed-out requests still kept for late completions (see
  // set_request_timeout_ms). Call it after every worker loop has stopped.
  ~IisHandler() override;

  void handle(http::Exchange& ex) override;

  // What applies to the requests for one part of the site: the site root (prefix "") or a
  // <location path="Site/app"> (prefix "/app": that path and everything below it).
  struct PathSettings {
    std::string prefix;
    std::vector<HandlerMapping> mappings;  // tried in order
    // The registry's modules that run for these requests (by registration order; a shorter
    // vector enables the rest). Global notifications are not affected.
    std::vector<bool> enabled;
    RequestLimits limits;
    std::shared_ptr<const BuiltinSettings> builtin;  // null: the built-in modules' defaults
    // No native module runs here (nor a GL_PRE_BEGIN_REQUEST one anywhere), and no built-in
    // module that changes every response: a static file the built-in modules leave alone may
    // be served without a pipeline (server/direct_static.h). Set by the server, read there.
    bool direct_static = false;

    bool module_enabled(size_t order) const { return order >= enabled.size() || enabled[order]; }
    // The first mapping that matches (other than `skip`), or null.
    const HandlerMapping* map(std::string_view url_path, std::string_view verb,
                              const HandlerMapping* skip = nullptr) const;
  };
  // Settings for a part of the site (set before serving). The longest prefix that equals the
  // URL path or ends where one of its '/' does wins; prefixes compare case-sensitively.
  void add_path_settings(PathSettings settings);
  // The settings for a decoded, normalised URL path: a part's, or the site root's.
  const PathSettings& settings_for(std::string_view url_path) const;
  // A <virtualDirectory> below the site root: URLs under `prefix` map to files beneath
  // `physical_path`, served by `files` (not owned; outlives the handler). Set before serving.
  struct VirtualDirectory {
    std::string prefix;  // "/img" (no trailing '/')
    std::string physical_path;
    http::Handler* files = nullptr;
  };
  void add_virtual_directory(VirtualDirectory vdir);
  // The virtual directory whose prefix is the longest one equal to the decoded URL path or
  // ending where one of its '/' does; null for the site root's own directory.
  const VirtualDirectory* virtual_directory_for(std::string_view url_path) const;

  // The site root's settings (the constructor's mappings, everything enabled, IIS's limits).
  PathSettings& root_settings() { return site_root_; }
  // The site root's first matching mapping, or null.
  const HandlerMapping* map(std::string_view url_path, std::string_view verb) const {
    return site_root_.map(url_path, verb);
  }
  ModuleRegistry& registry() { return registry_; }
  IHttpServer& server() { return server_; }
  http::Handler* static_files() { return static_files_; }
  size_t live_requests() const { return live_.load(); }
  // The site and root application every request belongs to (defaults: id 1, "Default Web Site").
  // `physical_path` is the site's root directory: IHttpContext::MapPath and GetPhysicalPath map
  // URLs beneath it (none when empty).
  void set_site(DWORD id, std::string_view name, std::string_view physical_path);
  SiteImpl& site() { return *site_; }
  // The site's index for base::metrics::count_response (registered by set_site).
  int metrics_site() const { return metrics_site_; }
  // The process-wide fragment cache that fragment chunks are served from (not owned; null:
  // every fragment chunk misses).
  void set_fragment_cache(FragmentCache* cache) { fragments_ = cache; }
  FragmentCache* fragment_cache() const { return fragments_; }
  // Per-request cap on response bytes copied from module memory and not yet handed to the
  // kernel (docs/response-body.md, "Back-pressure"). A request's effective cap is at least
  // twice its responseBufferLimit, so buffering up to the limit always works.
  static constexpr uint64_t kDefaultMaxResponseBacklog = 16ull << 20;
  void set_max_response_backlog(uint64_t bytes) { max_backlog_ = bytes; }
  uint64_t max_response_backlog() const { return max_backlog_; }
  ApplicationImpl& application() { return *application_; }
  const std::string& root() const { return root_; }

  // How long a request may stay PENDING in one module without any completion reaching it
  // (default 120 s). On expiry the request ends: 500 when the headers have not been sent, a
  // reset otherwise; the module instance is disposed. Set before serving.
  void set_request_timeout_ms(int64_t ms) { request_timeout_ms_ = ms > 0 ? ms : 1; }
  int64_t request_timeout_ms() const { return request_timeout_ms_; }

  // serverRuntime uploadReadAheadSize: body bytes read before the first notification (IIS's
  // default 49,152; 0 turns the read-ahead off). Set before serving.
  static constexpr size_t kDefaultUploadReadAhead = 49152;
  void set_upload_read_ahead(size_t bytes) { upload_read_ahead_ = bytes; }
  size_t upload_read_ahead() const { return upload_read_ahead_; }
  // Requests that may wait for a module thread (IIS's application pool queueLength, default
  // 1000): beyond it a new request gets 503 with Retry-After before any module runs.
  static constexpr size_t kDefaultQueueLength = 1000;
  void set_queue_length(size_t n) { queue_length_ = n; }
  // serverRuntime frequentHitThreshold / frequentHitTimePeriod (IHttpUrlInfo::IsFrequentlyHit).
  void set_url_hit_settings(UrlHitSettings s) { url_hits_ = s; }
  const UrlHitSettings& url_hit_settings() const { return url_hits_; }

  // A timed-out request's context outlives its request for one more timeout, so that a late
  // call from the abandoned module (PostCompletion, IndicateCompletion) finds a live object
  // and is dropped. These keep track of such contexts (any worker thread).
  void keep_zombie(HttpContextImpl* ctx);
  bool release_zombie(HttpContextImpl* ctx);  // true if it was kept (the caller deletes it)

 private:
  friend class HttpContextImpl;
  void refuse_busy(http::Exchange& ex);
  ModuleRegistry& registry_;
  IHttpServer& server_;
  PathSettings site_root_;
  std::vector<PathSettings> parts_;      // longest prefix first
  std::vector<VirtualDirectory> vdirs_;  // longest prefix first
  http::Handler* static_files_;
  std::atomic<size_t> live_{0};  // requests in the pipeline, over all workers
  FragmentCache* fragments_ = nullptr;
  uint64_t max_backlog_ = kDefaultMaxResponseBacklog;
  std::unique_ptr<SiteImpl> site_;
  int metrics_site_ = 0;
  std::unique_ptr<ApplicationImpl> application_;
  std::string root_;
  int64_t request_timeout_ms_ = 120'000;
  size_t upload_read_ahead_ = kDefaultUploadReadAhead;
  size_t queue_length_ = kDefaultQueueLength;
  UrlHitSettings url_hits_;
  std::mutex zombies_mu_;
  std::unordered_set<HttpContextImpl*> zombies_;
};

}  // namespace hs::iis
