#include "modules/request_filtering.h"

#include <algorithm>
#include <cstring>

#include "base/log.h"
#include "http/headers.h"
#include "http/url_path.h"
#include "iis/request_context.h"
#include "modules/runtime.h"

namespace hs::modules {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// ASCII case-insensitive search of `needle` (already lower case) in `hay`.
bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return false;
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (lower(hay[i]) != needle[0]) continue;
    size_t k = 1;
    while (k < needle.size() && lower(hay[i + k]) == needle[k])
      ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

// `a` against `lower_b`, a lower-case string.
bool iequals_lower(std::string_view a, std::string_view lower_b) {
  if (a.size() != lower_b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower_b[i]) return false;
  }
  return true;
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// The extension of one path segment as request filtering keys it: ".ext" (with its dot), or
// "." for a segment without one.
std::string_view extension_of(std::string_view segment) {
  size_t dot = segment.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == segment.size()) return ".";
  return segment.substr(dot);
}

std::string_view last_segment(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

template <class F>
void for_each_segment(std::string_view path, F&& f) {
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i && f(path.substr(i, j - i))) return;
    i = j + 1;
  }
}

// The listed entry for `ext`, or null. The list is sorted (settings.h); extensions longer than
// any listed one cannot match.
const FilteringOptions::Extension* find_extension(const FilteringOptions& f, std::string_view ext) {
  char buf[64];
  if (ext.size() > sizeof(buf) || f.extensions.empty()) return nullptr;
  for (size_t i = 0; i < ext.size(); ++i)
    buf[i] = lower(ext[i]);
  std::string_view key(buf, ext.size());
  auto it = std::lower_bound(
      f.extensions.begin(), f.extensions.end(), key,
      [](const FilteringOptions::Extension& e, std::string_view k) { return e.ext < k; });
  return it != f.extensions.end() && it->ext == key ? &*it : nullptr;
}

}  // namespace

FilterVerdict filter_request(const FilteringOptions& f, const FilterRequest& r) {
  std::string_view url = r.url();
  std::string_view raw = r.raw_target();
  size_t q = raw.find('?');
  std::string_view raw_path = raw.substr(0, q);
  std::string_view raw_query = q == std::string_view::npos ? std::string_view() : raw.substr(q + 1);

  bool url_always_allowed =
      std::any_of(f.always_allowed_urls.begin(), f.always_allowed_urls.end(),
                  [&](const std::string& a) { return iequals_lower(url, a); });
  if (!url_always_allowed) {
    // Verbs: a listed verb says itself; an unlisted one is allowed only with allowUnlisted.
    std::string_view method = r.method();
    const FilteringOptions::Verb* listed = nullptr;
    for (const FilteringOptions::Verb& v : f.verbs) {
      if (v.verb == method) listed = &v;
    }
    if (listed != nullptr ? !listed->allowed : !f.verbs_allow_unlisted)
      return {6, "the verb is denied (verbs)"};

    // Double escaping: once decoded, the path must not still hold an escape ('%' and two hex
    // digits: it would decode again) nor a '+' (read as a space by some), as IIS refuses both.
    if (!f.allow_double_escaping && r.url_decoded()) {
      if (url.find('+') != std::string_view::npos) return {11, "'+' in the URL (double escaping)"};
      for (size_t p = url.find('%'); p != std::string_view::npos; p = url.find('%', p + 1)) {
        if (p + 2 < url.size() && is_hex(url[p + 1]) && is_hex(url[p + 2]))
          return {11, "an escape left after decoding the URL (double escaping)"};
      }
    }

    // Hidden segments: any segment of the path, as a whole.
    if (!f.hidden_segments.empty()) {
      bool hidden = false;
      for_each_segment(url, [&](std::string_view seg) {
        for (const std::string& h : f.hidden_segments) {
          if (iequals_lower(seg, h)) return hidden = true;
        }
        return false;
      });
      if (hidden) return {8, "a hidden segment (hiddenSegments)"};
    }

    // URL sequences: in the path as received and once decoded (".." is gone after
    // normalisation, but not from what the client sent).
    for (const std::string& s : f.deny_url_sequences) {
      if (icontains(raw_path, s) || icontains(url, s))
        return {5, "a denied URL sequence (denyUrlSequences)"};
    }

    // File extensions: a denied extension on any segment (a "directory" named x.config is as
    // much a way in); allowUnlisted="false" is decided by the last segment's ("." = none).
    if (!f.extensions.empty() || !f.extensions_allow_unlisted) {
      bool denied = false;
      for_each_segment(url, [&](std::string_view seg) {
        const FilteringOptions::Extension* e = find_extension(f, extension_of(seg));
        return denied = e != nullptr && !e->allowed;
      });
      if (denied) return {7, "a denied file extension (fileExtensions)"};
      if (!f.extensions_allow_unlisted) {
        const FilteringOptions::Extension* e = find_extension(f, extension_of(last_segment(url)));
        if (e == nullptr) return {7, "an unlisted file extension (fileExtensions allowUnlisted)"};
      }
    }
  }

  // Query string: sequences, in the raw query and (unescapeQueryString) once decoded.
  bool query_always_allowed =
      std::any_of(f.always_allowed_query_strings.begin(), f.always_allowed_query_strings.end(),
                  [&](const std::string& a) { return iequals_lower(raw_query, a); });
  std::string decoded_query;
  bool have_decoded = false;
  auto decoded = [&]() -> std::string_view {
    if (!have_decoded) {
      have_decoded = true;
      if (!http::percent_decode(raw_query, decoded_query)) decoded_query.assign(raw_query);
    }
    return decoded_query;
  };
  if (!query_always_allowed && !raw_query.empty()) {
    for (const std::string& s : f.deny_query_sequences) {
      if (icontains(raw_query, s) || (f.unescape_query_string && icontains(decoded(), s)))
        return {18, "a denied query string sequence (denyQueryStringSequences)"};
    }
  }

  // Header limits: a value longer than its limit (0 refuses the header altogether).
  for (const FilteringOptions::HeaderLimit& h : f.header_limits) {
    const std::string* v = r.header(h.header);
    if (v != nullptr && (h.size_limit == 0 || v->size() > h.size_limit))
      return {10, "a request header over its limit (headerLimits)"};
  }

  // Filtering rules.
  if (!url_always_allowed) {
    for (const FilteringOptions::Rule& rule : f.rules) {
      if (rule.deny_strings.empty()) continue;
      if (!rule.applies_to.empty()) {
        std::string_view ext = extension_of(last_segment(url));
        bool applies = std::any_of(rule.applies_to.begin(), rule.applies_to.end(),
                                   [&](const std::string& e) { return iequals_lower(ext, e); });
        if (!applies) continue;
      }
      auto hit = [&](std::string_view text) {
        return std::any_of(rule.deny_strings.begin(), rule.deny_strings.end(),
                           [&](const std::string& s) { return icontains(text, s); });
      };
      bool denied = (rule.scan_url && (hit(url) || hit(raw_path))) ||
                    (rule.scan_query && !query_always_allowed &&
                     (hit(raw_query) || (f.unescape_query_string && hit(decoded()))));
      for (const std::string& name : rule.scan_headers) {
        if (denied) break;
        const std::string* v = r.header(name);
        denied = v != nullptr && hit(*v);
      }
      if (!denied && rule.scan_all_raw) {
        r.for_each_header(
            [&](std::string_view n, std::string_view v) { denied = denied || hit(n) || hit(v); });
      }
      if (denied) return {19, "a filtering rule (filteringRules)"};
    }
  }
  return {};
}

namespace {

class ContextRequest final : public FilterRequest {
 public:
  explicit ContextRequest(const iis::HttpContextImpl& c) : c_(c) {}
  std::string_view method() const override { return c_.method(); }
  std::string_view raw_target() const override { return c_.raw_target(); }
  std::string_view url() const override { return c_.url(); }
  bool url_decoded() const override { return c_.url_decoded(); }
  const std::string* header(std::string_view name) const override {
    return c_.request_header(name);
  }
  void for_each_header(
      const std::function<void(std::string_view, std::string_view)>& f) const override {
    c_.for_each_request_header([&](iis::HttpContextImpl::HeaderView h) { f(h.name, h.value); });
  }

 private:
  const iis::HttpContextImpl& c_;
};

class RequestFilteringModule final : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS OnBeginRequest(IHttpContext* context, IHttpEventProvider*) override {
    auto* ctx = static_cast<iis::HttpContextImpl*>(context);
    const FilteringOptions& f = path_config(*ctx).options.filtering;
    FilterVerdict v = filter_request(f, ContextRequest(*ctx));
    if (v.substatus == 0) return RQ_NOTIFICATION_CONTINUE;
    HS_LOG_INFO("request filtering: %s %s refused, %s: 404.%u", std::string(ctx->method()).c_str(),
                std::string(ctx->url()).c_str(), v.why, static_cast<unsigned>(v.substatus));
    ctx->GetResponse()->SetStatus(404, "Not Found", v.substatus);
    return RQ_NOTIFICATION_FINISH_REQUEST;
  }

  REQUEST_NOTIFICATION_STATUS OnSendResponse(IHttpContext* context,
                                             ISendResponseProvider* provider) override {
    auto* ctx = static_cast<iis::HttpContextImpl*>(context);
    if (provider->GetHeadersBeingSent() &&
        path_config(*ctx).options.filtering.remove_server_header) {
      ctx->GetResponse()->DeleteHeader("Server");
    }
    return RQ_NOTIFICATION_CONTINUE;
  }

  VOID Dispose() override {}  // shared by every request (SharedModuleFactory)
};

}  // namespace

HRESULT register_request_filtering(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  static SharedModuleFactory<RequestFilteringModule> factory;
  const Runtime* rt = Runtime::registering();
  DWORD mask = RQ_BEGIN_REQUEST;
  if (rt != nullptr && rt->options().needs.remove_server_header) mask |= RQ_SEND_RESPONSE;
  HRESULT hr = info->SetRequestNotifications(&factory, mask, 0);
  if (FAILED(hr)) return hr;
  hr = info->SetPriorityForRequestNotification(RQ_BEGIN_REQUEST, PRIORITY_ALIAS_FIRST);
  if (FAILED(hr)) return hr;
  if (mask & RQ_SEND_RESPONSE) {
    // Last in RQ_SEND_RESPONSE order is "FIRST" priority (the order is reversed there): after
    // every module that might add its own Server field.
    hr = info->SetPriorityForRequestNotification(RQ_SEND_RESPONSE, PRIORITY_ALIAS_FIRST);
  }
  return hr;
}

}  // namespace hs::modules
