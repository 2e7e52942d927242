#include "base/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace hs {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
thread_local char t_tag[16] = "main";

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kNotice:
      return "note ";
    case LogLevel::kError:
      return "error";
    case LogLevel::kWarn:
      return "warn ";
    case LogLevel::kInfo:
      return "info ";
    case LogLevel::kDebug:
      return "debug";
  }
  return "?";
}

const char* json_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kNotice:
      return "notice";
    case LogLevel::kError:
      return "error";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kDebug:
      return "debug";
  }
  return "?";
}

std::atomic<int> g_format{static_cast<int>(LogFormat::kText)};

// A bounded line under construction: appends stop at the capacity (a newline stays possible).
struct Line {
  // Room for a 2 KiB message escaped six-fold; JSON strings stop kReserve short of the end, so
  // the closing quotes and braces always fit.
  static constexpr size_t kCap = 16384;
  static constexpr size_t kReserve = 256;
  char buf[kCap];
  size_t n = 0;
  void put(char c) {
    if (n < kCap - 1) buf[n++] = c;
  }
  void append(std::string_view s) {
    size_t k = s.size() < kCap - 1 - n ? s.size() : kCap - 1 - n;
    memcpy(buf + n, s.data(), k);
    n += k;
  }
  // Plain text: control characters (from peers: a URL, a header) must not forge extra lines.
  void text(std::string_view s) {
    for (char c : s)
      put(static_cast<unsigned char>(c) < 0x20 && c != '\t' ? '?' : c);
  }
  // A JSON string's contents: escapes, and U+FFFD for what is not UTF-8.
  void json(std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < s.size() && n < kCap - kReserve;) {
      auto c = static_cast<unsigned char>(s[i]);
      if (c < 0x80) {
        if (c == '"' || c == '\\') {
          put('\\');
          put(static_cast<char>(c));
        } else if (c < 0x20 || c == 0x7f) {
          append("\\u00");
          put(kHex[c >> 4]);
          put(kHex[c & 15]);
        } else {
          put(static_cast<char>(c));
        }
        ++i;
        continue;
      }
      // A well-formed UTF-8 sequence (RFC 3629: no overlongs, surrogates or > U+10FFFF) is
      // copied; anything else is one replacement character per byte.
      size_t len = c >= 0xc2 && c <= 0xdf   ? 2
                   : c >= 0xe0 && c <= 0xef ? 3
                   : c >= 0xf0 && c <= 0xf4 ? 4
                                            : 0;
      bool ok = len != 0 && i + len <= s.size();
      for (size_t k = 1; ok && k < len; ++k)
        ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
      if (ok && len >= 3) {
        auto c1 = static_cast<unsigned char>(s[i + 1]);
        ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0) && !(c == 0xf0 && c1 < 0x90) &&
             !(c == 0xf4 && c1 >= 0x90);
      }
      if (ok) {
        append(s.substr(i, len));
        i += len;
      } else {
        append("\xef\xbf\xbd");
        ++i;
      }
    }
  }
  void emit() {
    buf[n++] = '\n';
    ssize_t ignored = ::write(STDERR_FILENO, buf, n);
    (void)ignored;
  }
};

// "2026-11-24T07:10:00.123Z"
void timestamp(Line& line) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  gmtime_r(&ts.tv_sec, &t);
  char b[32];
  int k = snprintf(b, sizeof(b), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", t.tm_year + 1900,
                   t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, ts.tv_nsec / 1000000);
  if (k > 0) line.append(std::string_view(b, static_cast<size_t>(k)));
}

void write_line(LogLevel level, std::string_view source, std::string_view message,
                std::initializer_list<LogField> fields) {
  if (message.size() > 2048) message = message.substr(0, 2048);  // as a formatted one
  Line line;
  if (log_format() == LogFormat::kJson) {
    line.append("{\"time\":\"");
    timestamp(line);
    line.append("\",\"level\":\"");
    line.append(json_level_name(level));
    line.append("\",\"thread\":\"");
    line.json(t_tag);
    line.append("\",\"message\":\"");
    line.json(message);
    line.put('"');
    if (!source.empty() || fields.size() != 0) {
      line.append(",\"fields\":{");
      bool first = true;
      auto member = [&](std::string_view k, std::string_view v) {
        if (!first) line.put(',');
        first = false;
        line.put('"');
        line.json(k);
        line.append("\":\"");
        line.json(v);
        line.put('"');
      };
      if (!source.empty()) member("source", source);
      for (const LogField& f : fields)
        member(f.key, f.value);
      line.put('}');
    }
    line.put('}');
  } else {
    timestamp(line);
    line.put(' ');
    line.append(level_name(level));
    line.append(" [");
    line.text(t_tag);
    line.append("] ");
    if (!source.empty()) {
      line.text(source);
      line.append(": ");
    }
    line.text(message);  // fields repeat what the message says: JSON only
  }
  line.emit();
}

void vwrite_fields(LogLevel level, std::initializer_list<LogField> fields, const char* fmt,
                   va_list ap) {
  char msg[2048];
  int m = vsnprintf(msg, sizeof(msg), fmt, ap);
  size_t n = m < 0                                  ? 0
             : static_cast<size_t>(m) < sizeof(msg) ? static_cast<size_t>(m)
                                                    : sizeof(msg) - 1;
  write_line(level, {}, std::string_view(msg, n), fields);
}

}  // namespace

void log_set_level(LogLevel level) {
  g_level.store(static_cast<int>(level));
}
LogLevel log_level() {
  return static_cast<LogLevel>(g_level.load(std::memory_order_relaxed));
}

bool log_parse_level(std::string_view text, LogLevel* out) {
  if (text == "error")
    *out = LogLevel::kError;
  else if (text == "warn" || text == "warning")
    *out = LogLevel::kWarn;
  else if (text == "info")
    *out = LogLevel::kInfo;
  else if (text == "debug")
    *out = LogLevel::kDebug;
  else
    return false;
  return true;
}

std::string_view log_thread_tag() {
  return t_tag;
}

void log_set_thread_tag(std::string_view tag) {
  size_t n = tag.size() < sizeof(t_tag) - 1 ? tag.size() : sizeof(t_tag) - 1;
  memcpy(t_tag, tag.data(), n);
  t_tag[n] = '\0';
}

void log_set_format(LogFormat format) {
  g_format.store(static_cast<int>(format));
}
LogFormat log_format() {
  return static_cast<LogFormat>(g_format.load(std::memory_order_relaxed));
}
bool log_parse_format(std::string_view text, LogFormat* out) {
  if (text == "text")
    *out = LogFormat::kText;
  else if (text == "json")
    *out = LogFormat::kJson;
  else
    return false;
  return true;
}

void log_vwrite(LogLevel level, const char* fmt, va_list ap) {
  vwrite_fields(level, {}, fmt, ap);
}

void log_write(LogLevel level, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vwrite_fields(level, {}, fmt, ap);
  va_end(ap);
}

void log_write_fields(LogLevel level, std::initializer_list<LogField> fields, const char* fmt,
                      ...) {
  va_list ap;
  va_start(ap, fmt);
  vwrite_fields(level, fields, fmt, ap);
  va_end(ap);
}

void log_write_raw(LogLevel level, std::string_view source, std::string_view message) {
  if (!log_enabled(level)) return;
  write_line(level, source, message, {});
}

}  // namespace hs
