#include "modules/directory_listing.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>

#include "base/blocking.h"
#include "http/headers.h"
#include "iis/request_context.h"
#include "iis/wide.h"
#include "modules/html.h"
#include "modules/runtime.h"

namespace hs::modules {
namespace {

constexpr uint32_t kDate = 2, kTime = 4, kSize = 8, kExtension = 16, kLongDate = 32;

// A listed name: control bytes (tabs too) as '?'.
void escape_html(std::string* out, std::string_view s) {
  modules::escape_html(out, s, "?", false);
}

// A path segment for a link: everything but unreserved characters percent-encoded.
void encode_segment(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '.' || c == '_' || c == '~';
    if (plain) {
      *out += static_cast<char>(c);
    } else {
      *out += '%';
      *out += kHex[c >> 4];
      *out += kHex[c & 15];
    }
  }
}

void encode_path(std::string* out, std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view seg =
        path.substr(start, slash == std::string_view::npos ? path.npos : slash - start);
    encode_segment(out, seg);
    if (slash == std::string_view::npos) break;
    *out += '/';
    start = slash + 1;
  }
}

}  // namespace

std::string directory_listing_page(std::string_view host, std::string_view url,
                                   std::vector<ListingEntry> entries, uint32_t flags,
                                   bool truncated) {
  std::sort(entries.begin(), entries.end(),
            [](const ListingEntry& a, const ListingEntry& b) { return a.name < b.name; });
  std::string title;
  escape_html(&title, host);
  title += " - ";
  escape_html(&title, url);
  std::string out;
  out.reserve(512 + entries.size() * 120);
  out += "<html><head><title>" + title + "</title></head><body><H1>" + title + "</H1><hr>\n\n<pre>";
  if (url.size() > 1) {
    std::string_view parent = url.substr(0, url.size() - 1);
    parent = parent.substr(0, parent.rfind('/') + 1);
    out += "<A HREF=\"";
    encode_path(&out, parent);
    out += "\">[To Parent Directory]</A><br><br>";
  }
  for (const ListingEntry& e : entries) {
    char buf[96];
    std::tm tm{};
    time_t t = static_cast<time_t>(e.mtime);
    gmtime_r(&t, &tm);
    if (flags & kDate) {
      // IIS: "12/7/2026" or, with LongDate, "Monday, December 7, 2026", right-aligned.
      if (flags & kLongDate) {
        strftime(buf, sizeof buf, "%A, %B ", &tm);
        std::string d = buf + std::to_string(tm.tm_mday) + ", " + std::to_string(tm.tm_year + 1900);
        std::snprintf(buf, sizeof buf, "%30s", d.c_str());
      } else {
        std::snprintf(buf, sizeof buf, "%10s",
                      (std::to_string(tm.tm_mon + 1) + "/" + std::to_string(tm.tm_mday) + "/" +
                       std::to_string(tm.tm_year + 1900))
                          .c_str());
      }
      out += buf;
    }
    if (flags & kTime) {
      int h = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
      std::snprintf(buf, sizeof buf, " %2d:%02d %s", h, tm.tm_min, tm.tm_hour < 12 ? "AM" : "PM");
      out += buf;
    }
    if (flags & kSize) {
      if (e.directory) {
        out += "        &lt;dir&gt;";
      } else {
        std::snprintf(buf, sizeof buf, " %12llu", static_cast<unsigned long long>(e.size));
        out += buf;
      }
    }
    out += " <A HREF=\"";
    encode_path(&out, url);
    encode_segment(&out, e.name);
    if (e.directory) out += '/';
    out += "\">";
    std::string_view shown = e.name;
    if (!(flags & kExtension) && !e.directory) {
      size_t dot = shown.rfind('.');
      if (dot != std::string_view::npos && dot > 0) shown = shown.substr(0, dot);
    }
    escape_html(&out, shown);
    out += "</A><br>";
  }
  if (truncated) {
    out += "<br>(only the first " + std::to_string(kMaxEntries) + " entries are listed)<br>";
  }
  out += "</pre><hr></body></html>";
  return out;
}

namespace {

bool hidden(const FilteringOptions& f, std::string_view name) {
  if (name.empty() || name[0] == '.') return true;
  return std::any_of(f.hidden_segments.begin(), f.hidden_segments.end(),
                     [&](const std::string& s) { return http::iequals(s, name); });
}

// The entries of `dir` (at most kMaxEntries); false if it cannot be read.
bool read_directory(const std::string& dir, const FilteringOptions& f,
                    std::vector<ListingEntry>* out, bool* truncated) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  DIR* d = fdopendir(fd);
  if (d == nullptr) {
    close(fd);
    return false;
  }
  while (dirent* de = readdir(d)) {
    std::string_view name = de->d_name;
    if (hidden(f, name)) continue;
    struct stat st {};
    if (fstatat(fd, de->d_name, &st, 0) != 0) continue;  // a dangling link, a race
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) continue;
    if (out->size() == kMaxEntries) {
      *truncated = true;
      break;
    }
    out->push_back({std::string(name), S_ISDIR(st.st_mode), static_cast<uint64_t>(st.st_size),
                    static_cast<int64_t>(st.st_mtim.tv_sec)});
  }
  closedir(d);
  return true;
}

class DirectoryListingModule final : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS OnSendResponse(IHttpContext* context,
                                             ISendResponseProvider* provider) override {
    if (!provider->GetHeadersBeingSent()) return RQ_NOTIFICATION_CONTINUE;
    auto* ctx = static_cast<iis::HttpContextImpl*>(context);
    if (ctx->status() != 403 || ctx->substatus() != 14 || ctx->is_child())
      return RQ_NOTIFICATION_CONTINUE;
    const PathConfig& cfg = path_config(*ctx);
    if (!cfg.options.browse.enabled) return RQ_NOTIFICATION_CONTINUE;
    if (ctx->method() != "GET" && ctx->method() != "HEAD") return RQ_NOTIFICATION_CONTINUE;
    DWORD cch = 0;
    PCWSTR wpath = ctx->GetPhysicalPath(&cch);
    if (wpath == nullptr) return RQ_NOTIFICATION_CONTINUE;
    std::string dir = iis::narrow(std::wstring_view(wpath, cch));
    std::vector<ListingEntry> entries;
    bool truncated = false;
    bool ok;
    {
      base::Region region(ctx->blocking_host());  // directory reads
      ok = read_directory(dir, cfg.options.filtering, &entries, &truncated);
    }
    if (!ok) return RQ_NOTIFICATION_CONTINUE;  // the 403.14 stands
    const std::string* host = ctx->request_header("Host");
    std::string url(ctx->url());
    if (url.empty() || url.back() != '/') url += '/';
    auto page = std::make_shared<const std::string>(
        directory_listing_page(host != nullptr ? std::string_view(*host) : ctx->local_address(),
                               url, std::move(entries), cfg.options.browse.show_flags, truncated));
    IHttpResponse* r = ctx->GetResponse();
    r->SetStatus(200, "OK");
    r->DeleteHeader("Content-Length");
    static constexpr char kType[] = "text/html; charset=utf-8";
    r->SetHeader("Content-Type", kType, sizeof kType - 1, TRUE);
    http::BodyChunk chunk = http::BodyChunk::memory(*page);
    ctx->replace_body({&chunk, 1u}, [page](http::SendResult) {});
    return RQ_NOTIFICATION_CONTINUE;
  }

  VOID Dispose() override {}  // shared by every request (SharedModuleFactory)
};

}  // namespace

HRESULT register_directory_listing(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  static SharedModuleFactory<DirectoryListingModule> factory;
  HRESULT hr = info->SetRequestNotifications(&factory, RQ_SEND_RESPONSE, 0);
  if (FAILED(hr)) return hr;
  return info->SetPriorityForRequestNotification(RQ_SEND_RESPONSE, PRIORITY_ALIAS_FIRST);
}

}  // namespace hs::modules
