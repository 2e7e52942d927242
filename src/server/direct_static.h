#pragma once
// The direct path for static files: a request that no native module would see, and that the
// built-in modules would leave alone, is answered by the static file handler from the open-file
// cache without building an IIS pipeline (an HttpContextImpl, its notifications and its copy of
// the request) — the work a plain file server does, which `make bench`'s small-file scenarios
// measure. Anything else, and every file not in the cache yet, goes to the site's IisHandler
// unchanged; so does a request for which any check below is unsure. No client and no module can
// tell which path answered: the response is the static handler's either way, and the pipeline
// would not have changed it (modules/direct.h says when that holds).
//
// Taken when all of these hold:
//   - GET or HEAD without a body, whose target decodes to a clean path outside every virtual
//     directory and within the site's requestLimits (URL, query string, high-bit bytes);
//   - the path's settings are marked direct_static (set at start-up: only built-in modules the
//     checks cover are enabled there, and no module subscribes to GL_PRE_BEGIN_REQUEST);
//   - its handler mapping is the static file handler's alone;
//   - modules::leaves_request_alone() and, for the cached file, leaves_file_alone().
// An access-log line that is due is written here, as HttpLoggingModule would (the default
// fields; a log with sc-bytes, cs-bytes or custom fields takes the pipeline).
#include <cstdint>

#include "core/static_file_handler.h"
#include "http/exchange.h"
#include "iis/iis_handler.h"
#include "modules/runtime.h"

namespace hs::server {

class DirectStatic final : public http::Handler {
 public:
  // Neither is owned; both outlive this handler. `files` is `site`'s static file handler.
  DirectStatic(iis::IisHandler& site, core::StaticFileHandler& files);

  void handle(http::Exchange& ex) override {
    if (!try_direct(ex)) site_.handle(ex);
  }

  // Whether ex was answered directly (false: nothing was sent).
  bool try_direct(http::Exchange& ex);

 private:
  // Answers with `file` (and writes the access-log line the pipeline would have).
  void serve(http::Exchange& ex, std::shared_ptr<core::CachedFile> file,
             const modules::PathConfig& cfg, std::string_view url);

  iis::IisHandler& site_;
  core::StaticFileHandler& files_;
  uint64_t id_;  // never reused (the per-thread memo's key: an address can be)
};

// Whether requests under `settings` may take the direct path (its direct_static flag): every
// module it enables is a built-in one modules::covered_by_direct_path() names, and no module of
// `registry` subscribes to GL_PRE_BEGIN_REQUEST (which may rewrite any URL).
bool direct_static_allowed(const iis::IisHandler::PathSettings& settings,
                           const iis::ModuleRegistry& registry);

}  // namespace hs::server
