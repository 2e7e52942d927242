#include "iis/iis_handler.h"

#include <algorithm>

#include "base/log.h"
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
  for (HttpContextImpl* ctx : left)
    delete ctx;
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
  application_ = std::make_unique<ApplicationImpl>(id, name, physical_path);
}

const HandlerMapping* IisHandler::PathSettings::map(std::string_view url_path,
                                                    std::string_view verb) const {
  for (const HandlerMapping& m : mappings) {
    if (m.matches(url_path, verb)) return &m;
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
  // The context deletes itself when its pipeline is done and its response has been sent.
  auto* ctx = new HttpContextImpl(*this, ex);
  ctx->start();
}

}  // namespace hs::iis
