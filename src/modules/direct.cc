#include "modules/direct.h"

#include <array>

#include "http/headers.h"
#include "modules/compression.h"
#include "modules/request_filtering.h"

namespace hs::modules {
namespace {

// The request as request filtering sees it, straight from the exchange's head.
class HeadRequest final : public FilterRequest {
 public:
  HeadRequest(const http::RequestHead& h, std::string_view url) : h_(h), url_(url) {}
  std::string_view method() const override { return h_.method_name; }
  std::string_view raw_target() const override { return h_.target; }
  std::string_view url() const override { return url_; }
  bool url_decoded() const override { return true; }  // the caller decoded it
  const std::string* header(std::string_view name) const override {
    for (const http::HeaderView& f : h_.headers) {
      if (http::iequals(f.name, name)) {
        scratch_.assign(f.value);
        return &scratch_;
      }
    }
    return nullptr;
  }
  void for_each_header(
      const std::function<void(std::string_view, std::string_view)>& f) const override {
    for (const http::HeaderView& h : h_.headers)
      f(h.name, h.value);
  }

 private:
  const http::RequestHead& h_;
  std::string_view url_;
  mutable std::string scratch_;
};

// Fields that can turn a static answer into a 206, 304, 412 or 416, which the built-in modules
// may treat differently (custom error pages, Vary on a weak-tag 304).
constexpr std::array<std::string_view, 6> kConditional = {
    "Range", "If-Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"};

}  // namespace

bool covered_by_direct_path(std::string_view name) {
  return name == kRequestFilteringModule || name == kHttpLoggingModule ||
         name == kCustomErrorModule || name == kStaticCompressionModule ||
         name == kDynamicCompressionModule;
}

bool has_conditional_fields(const http::RequestHead& req) {
  for (const http::HeaderView& f : req.headers) {
    for (std::string_view name : kConditional) {
      if (f.name.size() == name.size() && http::iequals(f.name, name)) return true;
    }
  }
  return false;
}

bool request_checks_read_fields(const PathConfig& c) {
  const FilteringOptions& f = c.options.filtering;
  if (!f.header_limits.empty()) return true;
  for (const FilteringOptions::Rule& r : f.rules) {
    if (!r.deny_strings.empty() && (r.scan_all_raw || !r.scan_headers.empty())) return true;
  }
  return false;
}

bool leaves_request_alone(const PathConfig& c, const http::RequestHead& req, std::string_view url) {
  if (c.runtime == nullptr) return false;
  if (c.log != nullptr && !c.options.logging.dont_log) return false;
  if (c.options.filtering.remove_server_header) return false;
  if (has_conditional_fields(req)) return false;
  return filter_request(c.options.filtering, HeadRequest(req, url)).substatus == 0;
}

bool leaves_file_alone(const PathConfig& c, uint64_t size, std::string_view content_type) {
  if (c.runtime == nullptr) return false;
  if (!c.options.compression.static_compression) return true;
  const CompressionOptions& o = c.runtime->options().compression;
  return size < o.min_file_size || !type_enabled(o.static_types, content_type);
}

}  // namespace hs::modules
