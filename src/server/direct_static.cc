#include "server/direct_static.h"

#include <array>
#include <atomic>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/metrics.h"
#include "http/headers.h"
#include "http/url_path.h"
#include "http/utf8.h"
#include "iis/module_registry.h"
#include "modules/direct.h"
#include "server/config_loader.h"

namespace hs::server {
namespace {

// A mapping that ends in the static file handler and nothing else (its default documents and,
// for directories the cache never holds, its listing).
bool static_only(const iis::HandlerMapping& m) {
  if (m.modules.empty()) return false;
  for (const std::string& name : m.modules) {
    if (!http::iequals(name, iis::kStaticFileModule) &&
        !http::iequals(name, kDefaultDocumentModule) &&
        !http::iequals(name, modules::kDirectoryListingModule)) {
      return false;
    }
  }
  return true;
}

// Each thread remembers, for a few recent (site, method, target), that every check the target
// alone decides passed and which cached file it led to, as the static file handler's own memo
// does: a repeated request then skips decoding, the settings, the mapping and request filtering.
// Kept only where those checks read no header field (request_checks_read_fields); the entry is
// trusted only while its file is fresh in the cache, so a changed file is seen as before.
struct DirectMemo {
  uint64_t owner = 0;  // DirectStatic::id_; 0 is none
  http::Method method{};
  std::string target;
  std::weak_ptr<core::CachedFile> file;
  std::string url;                              // decoded, normalised (the log's cs-uri-stem)
  const modules::PathConfig* config = nullptr;  // the built-in modules' settings there
};
constexpr size_t kMemoSlots = 16;
// The IIS response's default Server field (iis/request_impl.cc), first as it is there.
constexpr std::string_view kServerField = "httpserv";
thread_local std::array<DirectMemo, kMemoSlots> t_memo;
std::atomic<uint64_t> g_ids{0};

}  // namespace

bool direct_static_allowed(const iis::IisHandler::PathSettings& settings,
                           const iis::ModuleRegistry& registry) {
  if (settings.builtin == nullptr) return false;
  for (const auto& reg : registry.modules()) {
    if (reg->global_mask & GL_PRE_BEGIN_REQUEST) return false;
    if (!settings.module_enabled(reg->order)) continue;
    if (reg->image != iis::ModuleRegistry::kBuiltinImage ||
        !modules::covered_by_direct_path(reg->name)) {
      return false;
    }
  }
  return true;
}

DirectStatic::DirectStatic(iis::IisHandler& site, core::StaticFileHandler& files)
    : site_(site), files_(files), id_(++g_ids) {}

bool DirectStatic::try_direct(http::Exchange& ex) {
  const http::RequestHead& h = ex.request();
  if ((h.method != http::Method::kGet && h.method != http::Method::kHead) || h.has_body())
    return false;
  const int64_t now_ms = ex.executor().now_ms();
  DirectMemo& memo = t_memo[core::target_memo_slot(h.target, kMemoSlots)];
  if (memo.owner == id_ && memo.method == h.method && memo.target == h.target) {
    std::shared_ptr<core::CachedFile> file = memo.file.lock();
    if (file && files_.fresh(*file, now_ms) && !modules::has_conditional_fields(h)) {
      serve(ex, std::move(file), *memo.config, memo.url);
      return true;
    }
  }
  std::optional<http::Target> t = http::split_target(h.target);
  if (!t || t->path == "*") return false;
  // One string per thread: its capacity is kept from request to request.
  thread_local std::string url;
  if (http::normalize_path(t->path, url) != http::PathStatus::kOk) return false;
  const iis::IisHandler::PathSettings& ps = site_.settings_for(url);
  if (!ps.direct_static) return false;
  // requestLimits, as the pipeline checks them (IisHandler, refuse_over_limits).
  const iis::RequestLimits& lim = ps.limits;
  std::string_view target = h.target;
  size_t q = target.find('?');
  size_t path_len = q == std::string_view::npos ? target.size() : q;
  size_t query_len = q == std::string_view::npos ? 0 : target.size() - q - 1;
  if (path_len > lim.max_url || query_len > lim.max_query_string) return false;
  if (!lim.allow_high_bit_characters && (http::has_high_bit(h.target) || http::has_high_bit(url)))
    return false;
  if (site_.virtual_directory_for(url) != nullptr) return false;
  const iis::HandlerMapping* m = ps.map(url, h.method_name);
  if (m == nullptr || !static_only(*m)) return false;
  const auto& cfg = static_cast<const modules::PathConfig&>(*ps.builtin);
  if (!modules::leaves_request_alone(cfg, h, url)) return false;
  std::shared_ptr<core::CachedFile> file = files_.find_cached(url, now_ms);
  if (!file || !modules::leaves_file_alone(cfg, static_cast<uint64_t>(file->st.st_size),
                                           file->content_type)) {
    return false;
  }
  if (!modules::request_checks_read_fields(cfg)) {
    memo.owner = id_;
    memo.method = h.method;
    memo.target.assign(h.target);
    memo.file = file;
    memo.url.assign(url);
    memo.config = &cfg;
  }
  serve(ex, std::move(file), cfg, url);
  return true;
}

void DirectStatic::serve(http::Exchange& ex, std::shared_ptr<core::CachedFile> file,
                         const modules::PathConfig& cfg, std::string_view url) {
  // The access-log line is made first: the request's fields may go with the exchange once the
  // answer is sent.
  thread_local std::string line;
  int64_t now_s = 0;
  bool log =
      cfg.log != nullptr && modules::direct_log_line(cfg, ex, url, monotonic_ms(), &line, &now_s);
  files_.serve(ex, std::move(file), kServerField);
  // Counted as the pipeline would at its end (the exchange lives until its send completes,
  // which never runs inside serve()); never in flight: it was answered in this call.
  base::metrics::count_response(site_.metrics_site(), ex.response().status);
  if (log) modules::append_direct_log(cfg, now_s, line);
}

}  // namespace hs::server
