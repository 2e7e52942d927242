#include "modules/http_logging.h"

#include <time.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>

#include "base/clock.h"
#include "iis/request_context.h"
#include "modules/runtime.h"

namespace hs::modules {
namespace {

// IIS's field order, with the flag that turns each on. FieldIndex names the positions: the
// formatting loop switches on the position (dense: a jump table), not on the flag.
struct FieldDef {
  uint32_t flag;
  const char* name;
};
enum FieldIndex : uint8_t {
  kDateField,
  kTimeField,
  kSiteNameField,
  kComputerNameField,
  kServerIpField,
  kMethodField,
  kUriStemField,
  kUriQueryField,
  kServerPortField,
  kUserNameField,
  kClientIpField,
  kProtocolVersionField,
  kUserAgentField,
  kCookieField,
  kRefererField,
  kHostField,
  kHttpStatusField,
  kHttpSubStatusField,
  kWin32StatusField,
  kBytesSentField,
  kBytesRecvField,
  kTimeTakenField,
  kFieldCount
};
constexpr FieldDef kFields[] = {
    {kLogDate, "date"},
    {kLogTime, "time"},
    {kLogSiteName, "s-sitename"},
    {kLogComputerName, "s-computername"},
    {kLogServerIp, "s-ip"},
    {kLogMethod, "cs-method"},
    {kLogUriStem, "cs-uri-stem"},
    {kLogUriQuery, "cs-uri-query"},
    {kLogServerPort, "s-port"},
    {kLogUserName, "cs-username"},
    {kLogClientIp, "c-ip"},
    {kLogProtocolVersion, "cs-version"},
    {kLogUserAgent, "cs(User-Agent)"},
    {kLogCookie, "cs(Cookie)"},
    {kLogReferer, "cs(Referer)"},
    {kLogHost, "cs-host"},
    {kLogHttpStatus, "sc-status"},
    {kLogHttpSubStatus, "sc-substatus"},
    {kLogWin32Status, "sc-win32-status"},
    {kLogBytesSent, "sc-bytes"},
    {kLogBytesRecv, "cs-bytes"},
    {kLogTimeTaken, "time-taken"},
};
static_assert(std::size(kFields) == kFieldCount);

// The bytes of `x` that must be escaped in a field — a control byte or a space (< 0x21), or
// DEL — as a mask with the high bit of each such byte set; bytes >= 0x80 (UTF-8) pass. (SWAR:
// for b < 0x80, b < n sets the high bit of (b - n) & ~b. A borrow can only mark a byte above
// one that is truly marked, so the lowest marked byte is always a real one.)
static_assert(std::endian::native == std::endian::little, "escape_mask8's byte order");
inline uint64_t escape_mask8(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  uint64_t low = (x - kOnes * 0x21) & ~x & kHigh;
  uint64_t del = x ^ (kOnes * 0x7F);
  uint64_t is_del = (del - kOnes) & ~del & kHigh;
  return low | is_del;
}

// Writes a line into memory the caller sized beforehand (at most 3 bytes per input byte, plus
// the fixed fields): no capacity check per byte, as this runs for every request. The functions
// work on a local copy of the cursor: stores through a char* may alias a member, which would make
// the compiler reload and store the cursor around every byte.
struct LineWriter {
  char* p;
  void raw(std::string_view v) {
    memcpy(p, v.data(), v.size());
    p += v.size();
  }
  // A field's text: "-" when empty, ' ' as '+', control bytes as %XX; at most `limit` bytes.
  void text(std::string_view v, size_t limit = SIZE_MAX) {
    if (v.empty()) {
      *p++ = '-';
      return;
    }
    if (v.size() > limit) v = v.substr(0, limit);
    const char* in = v.data();
    const char* const end = in + v.size();
    char* out = p;
    static const char kHex[] = "0123456789ABCDEF";
    while (in < end) {
      // Most of a field needs no escaping: 8 bytes at a time up to the first byte that does
      // (little-endian: the lowest marked byte comes first).
      if (end - in >= 8) {
        uint64_t x;
        memcpy(&x, in, 8);
        uint64_t mask = escape_mask8(x);
        memcpy(out, &x, 8);  // room: the caller sized for 3 bytes per input byte
        size_t plain = mask == 0 ? 8 : static_cast<size_t>(__builtin_ctzll(mask) >> 3);
        in += plain;
        out += plain;
        if (plain == 8) continue;
      }
      auto c = static_cast<unsigned char>(*in++);
      if (c > ' ' && c != 0x7F) {
        *out++ = static_cast<char>(c);
      } else if (c == ' ') {
        *out++ = '+';
      } else {
        out[0] = '%';
        out[1] = kHex[c >> 4];
        out[2] = kHex[c & 15];
        out += 3;
      }
    }
    p = out;
  }
  void number(uint64_t n) { p = std::to_chars(p, p + 20, n).ptr; }
};

// "YYYY-MM-DD" and "HH:MM:SS" of a UTC second, formatted once per second per thread.
struct DateCache {
  int64_t second = -1;
  char date[32];
  char time[32];
};
thread_local DateCache t_date;

const DateCache& date_of(int64_t now_s) {
  DateCache& d = t_date;
  if (d.second != now_s) {
    time_t t = static_cast<time_t>(now_s);
    tm u{};
    gmtime_r(&t, &u);
    snprintf(d.date, sizeof d.date, "%04d-%02d-%02d", u.tm_year + 1900, u.tm_mon + 1, u.tm_mday);
    snprintf(d.time, sizeof d.time, "%02d:%02d:%02d", u.tm_hour, u.tm_min, u.tm_sec);
    d.second = now_s;
  }
  return d;
}

}  // namespace

std::string w3c_fields(uint32_t flags, const std::vector<SiteLogOptions::CustomField>& custom) {
  std::string out;
  for (const FieldDef& f : kFields) {
    if ((flags & f.flag) == 0) continue;
    if (!out.empty()) out += ' ';
    out += f.name;
  }
  for (const SiteLogOptions::CustomField& c : custom) {
    if (!out.empty()) out += ' ';
    out += c.name;
  }
  return out;
}

void format_w3c(const SiteLog& log, const LogRecord& r, std::string* out) {
  const DateCache& d = date_of(r.now_ms / 1000);
  // Room for the worst case: every text byte escaped, every number at 20 digits.
  size_t room = 64 + 22 * 24;
  for (std::string_view v :
       {r.site_name, r.computer_name, r.server_ip, r.method, r.uri_stem, r.uri_query, r.user_name,
        r.client_ip, r.version, r.user_agent, r.cookie, r.referer, r.host})
    room += 3 * v.size() + 2;
  for (const std::string& c : r.custom)
    room += 3 * std::min<size_t>(c.size(), log.max_custom_field_length) + 2;
  room += 2 * log.custom_fields.size();
  // Written into a per-thread scratch buffer (grown, never cleared), then appended once.
  thread_local std::unique_ptr<char[]> scratch;
  thread_local size_t scratch_size = 0;
  if (scratch_size < room) {
    scratch_size = std::max(room, size_t{4096});
    scratch = std::make_unique<char[]>(scratch_size);
  }
  char* const begin = scratch.get();
  LineWriter w{begin};
  bool first = true;
  for (uint8_t i = 0; i < kFieldCount; ++i) {
    if ((log.flags & kFields[i].flag) == 0) continue;
    if (!first) *w.p++ = ' ';
    first = false;
    switch (static_cast<FieldIndex>(i)) {
      case kDateField:
        w.raw(std::string_view(d.date, 10));
        break;
      case kTimeField:
        w.raw(std::string_view(d.time, 8));
        break;
      case kSiteNameField:
        w.text(r.site_name);
        break;
      case kComputerNameField:
        w.text(r.computer_name);
        break;
      case kServerIpField:
        w.text(r.server_ip);
        break;
      case kMethodField:
        w.text(r.method);
        break;
      case kUriStemField:
        w.text(r.uri_stem);
        break;
      case kUriQueryField:
        w.text(r.uri_query);
        break;
      case kServerPortField:
        w.number(r.server_port);
        break;
      case kUserNameField:
        w.text(r.user_name);
        break;
      case kClientIpField:
        w.text(r.client_ip);
        break;
      case kProtocolVersionField:
        w.text(r.version);
        break;
      case kUserAgentField:
        w.text(r.user_agent);
        break;
      case kCookieField:
        w.text(r.cookie);
        break;
      case kRefererField:
        w.text(r.referer);
        break;
      case kHostField:
        w.text(r.host);
        break;
      case kHttpStatusField:
        w.number(r.status);
        break;
      case kHttpSubStatusField:
        w.number(r.substatus);
        break;
      case kWin32StatusField:
        w.number(r.win32_status);
        break;
      case kBytesSentField:
        w.number(r.bytes_sent);
        break;
      case kBytesRecvField:
        w.number(r.bytes_received);
        break;
      case kTimeTakenField:
        w.number(r.time_taken_ms);
        break;
      case kFieldCount:
        break;
    }
  }
  for (size_t i = 0; i < log.custom_fields.size(); ++i) {
    if (!first) *w.p++ = ' ';
    first = false;
    w.text(i < r.custom.size() ? std::string_view(r.custom[i]) : std::string_view(),
           log.max_custom_field_length);
  }
  out->append(begin, static_cast<size_t>(w.p - begin));
}

namespace {

class HttpLoggingModule final : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS OnLogRequest(IHttpContext* context, IHttpEventProvider*) override {
    auto* ctx = static_cast<iis::HttpContextImpl*>(context);
    if (ctx->is_child()) return RQ_NOTIFICATION_CONTINUE;
    const PathConfig& cfg = path_config(*ctx);
    if (cfg.log == nullptr || cfg.runtime == nullptr) return RQ_NOTIFICATION_CONTINUE;
    const HttpLoggingOptions& opt = cfg.options.logging;
    USHORT status = ctx->status();
    if (opt.dont_log ||
        (opt.selective == HttpLoggingOptions::Selective::kLogSuccessful && status >= 400) ||
        (opt.selective == HttpLoggingOptions::Selective::kLogError && status < 400)) {
      return RQ_NOTIFICATION_CONTINUE;
    }
    const SiteLog& log = *cfg.log;
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    LogRecord r;
    r.now_ms = static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
    r.site_name = log.site_name;
    r.computer_name = cfg.runtime->computer_name();
    r.server_ip = ctx->local_address();
    r.method = ctx->method();
    r.uri_stem = ctx->url();
    r.uri_query = ctx->query();
    r.server_port = ctx->local_port();
    r.client_ip = ctx->remote_address();
    static constexpr std::string_view kVersions[] = {"HTTP/1.0", "HTTP/1.1"};
    r.version = ctx->version_major() == 1 && ctx->version_minor() <= 1
                    ? kVersions[ctx->version_minor()]
                    : std::string_view("HTTP/2");
    auto header = [&](std::string_view name) -> std::string_view {
      const std::string* v = ctx->request_header(name);
      return v != nullptr ? std::string_view(*v) : std::string_view();
    };
    if (log.flags & kLogUserAgent) r.user_agent = header("User-Agent");
    if (log.flags & kLogCookie) r.cookie = header("Cookie");
    if (log.flags & kLogReferer) r.referer = header("Referer");
    if (log.flags & kLogHost) r.host = header("Host");
    r.status = status;
    r.substatus = ctx->substatus();
    // IIS writes the Win32 error that ended the response: 64 (the network name is no longer
    // available) when the client went away before it was sent.
    r.win32_status = ctx->connection_lost() ? 64 : 0;
    if (log.flags & (kLogBytesSent | kLogBytesRecv)) {
      // IIS counts the heads too. Estimated from the fields as HTTP/1.1 carries them (status
      // line, Date and framing fields included): the session's exact bytes are not visible here.
      uint64_t head = 0;
      ctx->for_each_response_header(
          [&](std::string_view n, std::string_view v) { head += n.size() + v.size() + 4; });
      bool no_body = ctx->method() == "HEAD" || status == 204 || status == 304 || status < 200;
      r.bytes_sent = head + 17 + 37 + 2 + (no_body ? 0 : ctx->body_bytes_sent());
      uint64_t in = ctx->method().size() + ctx->raw_target().size() + 12;
      ctx->for_each_request_header(
          [&](iis::HttpContextImpl::HeaderView h) { in += h.name.size() + h.value.size() + 4; });
      r.bytes_received = in + 2 + ctx->body_bytes_read();
    }
    int64_t taken = monotonic_ms() - ctx->start_ms();
    r.time_taken_ms = taken > 0 ? static_cast<uint64_t>(taken) : 0;
    for (const SiteLogOptions::CustomField& f : log.custom_fields) {
      std::string v;
      if (f.type == 0) {
        v = std::string(header(f.source));
      } else if (f.type == 1) {
        const std::string* h = ctx->response_header(f.source);
        if (h != nullptr) v = *h;
      } else {
        PCSTR value = nullptr;
        DWORD cch = 0;
        if (SUCCEEDED(ctx->GetServerVariable(f.source.c_str(), &value, &cch)) && value)
          v.assign(value, cch);
      }
      r.custom.push_back(std::move(v));
    }
    thread_local std::string line;
    line.clear();
    format_w3c(log, r, &line);
    cfg.runtime->log_writer().append(log.file, now.tv_sec, line);
    return RQ_NOTIFICATION_CONTINUE;
  }

  VOID Dispose() override {}  // shared by every request (SharedModuleFactory)
};

}  // namespace

HRESULT register_http_logging(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  static SharedModuleFactory<HttpLoggingModule> factory;
  HRESULT hr = info->SetRequestNotifications(&factory, RQ_LOG_REQUEST, 0);
  if (FAILED(hr)) return hr;
  return info->SetPriorityForRequestNotification(RQ_LOG_REQUEST, PRIORITY_ALIAS_LAST);
}

}  // namespace hs::modules
