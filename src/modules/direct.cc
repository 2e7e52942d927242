#include "modules/direct.h"

#include <time.h>

#include <array>

#include "base/clock.h"
#include "http/headers.h"
#include "modules/compression.h"
#include "modules/http_logging.h"
#include "modules/log_writer.h"
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

// A log line is due here that direct_log_line() cannot write as the module would: sc-bytes and
// cs-bytes count the head as the pipeline holds it, custom fields read server variables.
bool log_needs_pipeline(const PathConfig& c) {
  if (c.log == nullptr || c.options.logging.dont_log) return false;
  return (c.log->flags & (kLogBytesSent | kLogBytesRecv)) != 0 || !c.log->custom_fields.empty();
}

std::string_view field(const http::RequestHead& h, std::string_view name) {
  for (const http::HeaderView& f : h.headers) {
    if (http::iequals(f.name, name)) return f.value;
  }
  return {};
}

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
  if (log_needs_pipeline(c)) return false;
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

bool direct_log_line(const PathConfig& c, const http::Exchange& ex, std::string_view url,
                     int64_t start_ms, std::string* line, int64_t* now_s) {
  if (c.log == nullptr || c.runtime == nullptr || c.options.logging.dont_log ||
      c.options.logging.selective == HttpLoggingOptions::Selective::kLogError) {
    return false;  // a 200 is not logged here
  }
  const SiteLog& log = *c.log;
  const http::RequestHead& h = ex.request();
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  LogRecord r;
  r.now_ms = static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
  r.site_name = log.site_name;
  r.computer_name = c.runtime->computer_name();
  r.server_ip = ex.local_address();
  r.method = h.method_name;
  r.uri_stem = url;
  size_t q = h.target.find('?');
  r.uri_query = q == std::string_view::npos ? std::string_view() : h.target.substr(q + 1);
  r.server_port = ex.local_port();
  r.client_ip = ex.remote_address();
  static constexpr std::string_view kVersions[] = {"HTTP/1.0", "HTTP/1.1"};
  r.version = h.version_major == 1 && h.version_minor <= 1 ? kVersions[h.version_minor]
                                                           : std::string_view("HTTP/2");
  if (log.flags & kLogUserAgent) r.user_agent = field(h, "User-Agent");
  if (log.flags & kLogCookie) r.cookie = field(h, "Cookie");
  if (log.flags & kLogReferer) r.referer = field(h, "Referer");
  if (log.flags & kLogHost) r.host = field(h, "Host");
  r.status = 200;
  int64_t taken = monotonic_ms() - start_ms;
  r.time_taken_ms = taken > 0 ? static_cast<uint64_t>(taken) : 0;
  line->clear();
  format_w3c(log, r, line);
  *now_s = now.tv_sec;
  return true;
}

void append_direct_log(const PathConfig& c, int64_t now_s, const std::string& line) {
  c.runtime->log_writer().append(c.log->file, now_s, line);
}

}  // namespace hs::modules
