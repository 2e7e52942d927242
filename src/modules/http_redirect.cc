#include "modules/http_redirect.h"

#include <cstring>

#include "base/log.h"
#include "http/headers.h"
#include "http/status.h"
#include "iis/request_context.h"
#include "modules/runtime.h"

namespace hs::modules {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// The path below the part's prefix, starting with '/' ("/" for the prefix itself).
std::string_view below(std::string_view prefix, std::string_view path) {
  while (!prefix.empty() && prefix.back() == '/')
    prefix.remove_suffix(1);
  if (prefix.size() <= path.size() && http::iequals(path.substr(0, prefix.size()), prefix)) {
    std::string_view rest = path.substr(prefix.size());
    return rest.empty() ? std::string_view("/") : rest;
  }
  return path;
}

std::string expand(std::string_view dest, std::string_view suffix, std::string_view path,
                   std::string_view query) {
  std::string out;
  for (size_t i = 0; i < dest.size(); ++i) {
    if (dest[i] == '$' && i + 1 < dest.size()) {
      char v = dest[i + 1];
      if (v == 'S') {
        out += suffix;
      } else if (v == 'V') {
        out += path;
      } else if (v == 'Q') {
        if (!query.empty()) {
          out += '?';
          out += query;
        }
      } else if (v == 'P') {
        out += query;
      } else {
        out += '$';
        continue;
      }
      ++i;
      continue;
    }
    out += dest[i];
  }
  return out;
}

}  // namespace

bool wildcard_match(std::string_view p, std::string_view t) {
  // Iterative glob with one backtrack point: linear in practice, no recursion.
  size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (pi < p.size() && lower(p[pi]) == lower(t[ti])) {
      ++pi;
      ++ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*')
    ++pi;
  return pi == p.size();
}

std::string redirect_location(const RedirectOptions& o, std::string_view prefix,
                              std::string_view path, std::string_view query) {
  if (!o.enabled) return {};
  std::string_view suffix = below(prefix, path);
  for (const auto& [pattern, dest] : o.wildcards) {
    std::string_view subject = path;
    if (pattern.find('/') == std::string::npos) {
      size_t slash = path.rfind('/');
      subject = slash == std::string_view::npos ? path : path.substr(slash + 1);
    }
    if (wildcard_match(pattern, subject)) return expand(dest, suffix, path, query);
  }
  if (o.destination.empty()) return {};
  if (o.child_only && suffix.find('/', 1) != std::string_view::npos) return {};
  if (o.exact_destination) return expand(o.destination, suffix, path, query);
  std::string out = o.destination;
  while (!out.empty() && out.back() == '/')
    out.pop_back();
  out += suffix;
  if (!query.empty()) {
    out += '?';
    out += query;
  }
  return out;
}

namespace {

class HttpRedirectionModule final : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS OnBeginRequest(IHttpContext* context, IHttpEventProvider*) override {
    auto* ctx = static_cast<iis::HttpContextImpl*>(context);
    if (ctx->is_child()) return RQ_NOTIFICATION_CONTINUE;
    const PathConfig& cfg = path_config(*ctx);
    const RedirectOptions& o = cfg.options.redirect;
    if (!o.enabled) return RQ_NOTIFICATION_CONTINUE;
    std::string location = redirect_location(o, cfg.prefix, ctx->url(), ctx->query());
    if (location.empty() || location == ctx->raw_target()) return RQ_NOTIFICATION_CONTINUE;
    // Only what a field may hold: a destination with a CR or LF would split the head.
    if (location.find_first_of("\r\n") != std::string::npos || location.size() > 8192) {
      HS_LOG_WARN("httpRedirect: the destination for %s is not a valid Location; not redirected",
                  std::string(ctx->url()).c_str());
      return RQ_NOTIFICATION_CONTINUE;
    }
    unsigned status = o.status;
    if (status != 301 && status != 302 && status != 307 && status != 308) status = 302;
    IHttpResponse* r = ctx->GetResponse();
    std::string reason(http::reason_phrase(static_cast<int>(status)));
    r->SetStatus(static_cast<USHORT>(status), reason.c_str());
    r->SetHeader("Location", location.c_str(), static_cast<USHORT>(location.size()), TRUE);
    // IIS's page (the Location is already a valid field value; '"' and '<' are escaped for
    // the attribute).
    std::string href;
    for (char c : location) {
      if (c == '"') {
        href += "%22";
      } else if (c == '<') {
        href += "%3C";
      } else if (c == '>') {
        href += "%3E";
      } else {
        href += c;
      }
    }
    std::string page =
        "<head><title>Document Moved</title></head>\n<body><h1>Object Moved</h1>"
        "This document may be found <a HREF=\"" +
        href + "\">here</a></body>";
    static constexpr char kType[] = "text/html; charset=UTF-8";
    r->SetHeader("Content-Type", kType, static_cast<USHORT>(std::strlen(kType)), TRUE);
    void* mem = ctx->AllocateRequestMemory(static_cast<DWORD>(page.size()));
    if (mem != nullptr) {
      std::memcpy(mem, page.data(), page.size());
      HTTP_DATA_CHUNK chunk{};
      chunk.DataChunkType = HttpDataChunkFromMemory;
      chunk.FromMemory.pBuffer = mem;
      chunk.FromMemory.BufferLength = static_cast<ULONG>(page.size());
      r->WriteEntityChunks(&chunk, 1, FALSE, FALSE, nullptr);
    }
    return RQ_NOTIFICATION_FINISH_REQUEST;
  }

  VOID Dispose() override {}  // shared by every request (SharedModuleFactory)
};

}  // namespace

HRESULT register_http_redirection(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  static SharedModuleFactory<HttpRedirectionModule> factory;
  HRESULT hr = info->SetRequestNotifications(&factory, RQ_BEGIN_REQUEST, 0);
  if (FAILED(hr)) return hr;
  // FIRST as RequestFilteringModule, registered after it: it runs second.
  return info->SetPriorityForRequestNotification(RQ_BEGIN_REQUEST, PRIORITY_ALIAS_FIRST);
}

}  // namespace hs::modules
