#include "iis/iis_handler.h"

#include <algorithm>
#include <atomic>

#include "base/blocking.h"
#include "base/log.h"
#include "base/metrics.h"
#include "http/headers.h"
#include "iis/module_registry.h"
#include "iis/request_context.h"

namespace hs::iis {
namespace {

// IIS handler paths are file-name patterns ("*", "*.aspx", "hello") matched against the last
// segment of the URL, unless they contain a '/' (then the whole path). '*' matches any run.
bool wildcard_match(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() &&
               (pattern[p] | 0x20) == (text[t] | 0x20)) {  // URLs match case-insensitively in IIS
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

}  // namespace

bool HandlerMapping::matches(std::string_view url_path, std::string_view verb) const {
  if (!verbs.empty()) {
    bool ok = false;
    for (const std::string& v : verbs)
      ok = ok || v == "*" || v == verb;
    if (!ok) return false;
  }
  if (path.find('/') != std::string::npos) return wildcard_match(path, url_path);
  std::string_view last = url_path.substr(url_path.rfind('/') + 1);
  return wildcard_match(path, last);
}

IisHandler::IisHandler(ModuleRegistry& registry, IHttpServer& server,
                       std::vector<HandlerMapping> mappings, http::Handler* static_files)
    : registry_(registry), server_(server), static_files_(static_files) {
  site_root_.mappings = std::move(mappings);
  set_site(1, "Default Web Site", "");
}

IisHandler::~IisHandler() {
  std::unordered_set<HttpContextImpl*> left;
  {
    std::lock_guard<std::mutex> lock(zombies_mu_);
    left.swap(zombies_);
  }
  for (HttpContextImpl* ctx : left) {
    ctx->forget_loop();  // its loop is gone: module code runs on this thread, as any
    delete ctx;
  }
  // Requests whose module never completed and whose timeout had not expired when the workers
  // stopped: their module may still hold the context (a thread about to PostCompletion), so it is
  // not freed under it; say so instead of leaking silently.
  if (size_t n = live_.load(); n > 0) {
    HS_LOG_WARN("site '%ls': %zu request(s) still pending in a module at shutdown; not freed",
                site_ ? site_->GetSiteName() : L"?", n);
  }
}

void IisHandler::keep_zombie(HttpContextImpl* ctx) {
  std::lock_guard<std::mutex> lock(zombies_mu_);
  zombies_.insert(ctx);
}

bool IisHandler::release_zombie(HttpContextImpl* ctx) {
  std::lock_guard<std::mutex> lock(zombies_mu_);
  return zombies_.erase(ctx) != 0;
}

void IisHandler::set_site(DWORD id, std::string_view name, std::string_view physical_path) {
  root_.assign(physical_path);
  while (root_.size() > 1 && root_.back() == '/')
    root_.pop_back();
  site_ = std::make_unique<SiteImpl>(id, name, &registry_);
  metrics_site_ = base::metrics::register_site(name);
  application_ = std::make_unique<ApplicationImpl>(id, name, physical_path);
}

const HandlerMapping* IisHandler::PathSettings::map(std::string_view url_path,
                                                    std::string_view verb,
                                                    const HandlerMapping* skip) const {
  for (const HandlerMapping& m : mappings) {
    if (&m != skip && m.matches(url_path, verb)) return &m;
  }
  return nullptr;
}

void IisHandler::add_path_settings(PathSettings settings) {
  while (settings.prefix.size() > 1 && settings.prefix.back() == '/')
    settings.prefix.pop_back();
  auto at = std::find_if(parts_.begin(), parts_.end(), [&](const PathSettings& p) {
    return p.prefix.size() < settings.prefix.size();
  });
  parts_.insert(at, std::move(settings));
}

namespace {

bool under(std::string_view url_path, std::string_view prefix) {
  return url_path.substr(0, prefix.size()) == prefix &&
         (url_path.size() == prefix.size() || url_path[prefix.size()] == '/');
}

}  // namespace

void IisHandler::add_virtual_directory(VirtualDirectory vdir) {
  while (vdir.prefix.size() > 1 && vdir.prefix.back() == '/')
    vdir.prefix.pop_back();
  while (vdir.physical_path.size() > 1 && vdir.physical_path.back() == '/')
    vdir.physical_path.pop_back();
  auto at = std::find_if(vdirs_.begin(), vdirs_.end(), [&](const VirtualDirectory& v) {
    return v.prefix.size() < vdir.prefix.size();
  });
  vdirs_.insert(at, std::move(vdir));
}

const IisHandler::VirtualDirectory* IisHandler::virtual_directory_for(
    std::string_view url_path) const {
  for (const VirtualDirectory& v : vdirs_) {
    if (under(url_path, v.prefix)) return &v;
  }
  return nullptr;
}

const IisHandler::PathSettings& IisHandler::settings_for(std::string_view url_path) const {
  for (const PathSettings& p : parts_) {
    if (under(url_path, p.prefix)) return p;
  }
  return site_root_;
}

void IisHandler::handle(http::Exchange& ex) {
  // Every module thread is busy and the queue for one is full (IIS's queueLength): refused
  // before any module runs, as HTTP.sys refuses when an application pool's queue is full.
  if (base::thread_budget().queued() >= queue_length_) {
    refuse_busy(ex);
    return;
  }
  // The context deletes itself when its pipeline is done and its response has been sent. The
  // pipeline runs in a task of its own (request_context.h, THREADING).
  base::metrics::add(base::metrics::kRequestsStarted);  // ended in HttpContextImpl::maybe_destroy
  auto* ctx = new HttpContextImpl(*this, ex);
  ctx->begin();
}

void IisHandler::refuse_busy(http::Exchange& ex) {
  static std::atomic<int64_t> last_log{-1000000};
  static std::atomic<uint64_t> refused{0};
  uint64_t n = refused.fetch_add(1) + 1;
  base::metrics::add(base::metrics::kQueueFullRefusals);
  base::metrics::count_response(metrics_site_, 503);
  int64_t now = ex.executor().now_ms();
  if (now - last_log.load() >= 1000) {
    last_log.store(now);
    HS_LOG_WARN(
        "every module thread is busy (%d blocked) and %zu requests wait for one (queueLength "
        "%zu): 503 with Retry-After (%llu so far)",
        base::thread_budget().blocked(), base::thread_budget().queued(), queue_length_,
        static_cast<unsigned long long>(n));
  }
  http::ResponseHead& r = ex.response();
  r.status = 503;
  r.reason.clear();
  r.headers.clear();
  r.headers.set("Content-Type", "text/html");
  r.headers.set("Retry-After", "1");
  static constexpr std::string_view kBody =
      "<html><head><title>503 Service Unavailable</title></head><body><h1>503 Service "
      "Unavailable</h1><p>The server is too busy.</p></body></html>\n";
  http::BodyChunk chunk = http::BodyChunk::memory(kBody);
  ex.set_close_after();
  ex.send({&chunk, 1}, true, {});
}

}  // namespace hs::iis
