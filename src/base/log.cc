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

// Writes "<timestamp> <level> [tag] " into buf; returns the length.
size_t format_prefix(LogLevel level, char* buf, size_t cap) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  gmtime_r(&ts.tv_sec, &t);
  int n = snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s [%s] ", t.tm_year + 1900,
                   t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, ts.tv_nsec / 1000000,
                   level_name(level), t_tag);
  return n < 0 ? 0 : static_cast<size_t>(n) < cap ? static_cast<size_t>(n) : cap - 1;
}

void emit(char* buf, size_t len, size_t cap) {
  // Control characters from peers (a URL, a header) must not forge extra log lines.
  for (size_t i = 0; i < len; ++i) {
    if (static_cast<unsigned char>(buf[i]) < 0x20 && buf[i] != '\t') buf[i] = '?';
  }
  if (len >= cap) len = cap - 1;
  buf[len++] = '\n';
  ssize_t ignored = ::write(STDERR_FILENO, buf, len);
  (void)ignored;
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

void log_vwrite(LogLevel level, const char* fmt, va_list ap) {
  char buf[2048];
  size_t n = format_prefix(level, buf, sizeof(buf));
  int m = vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
  if (m > 0)
    n += static_cast<size_t>(m) < sizeof(buf) - n ? static_cast<size_t>(m) : sizeof(buf) - n - 1;
  emit(buf, n, sizeof(buf));
}

void log_write(LogLevel level, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  log_vwrite(level, fmt, ap);
  va_end(ap);
}

void log_write_raw(LogLevel level, std::string_view source, std::string_view message) {
  if (!log_enabled(level)) return;
  char buf[2048];
  size_t n = format_prefix(level, buf, sizeof(buf));
  auto append = [&](std::string_view s) {
    size_t k = s.size() < sizeof(buf) - 1 - n ? s.size() : sizeof(buf) - 1 - n;
    memcpy(buf + n, s.data(), k);
    n += k;
  };
  if (!source.empty()) {
    append(source);
    append(": ");
  }
  append(message);
  emit(buf, n, sizeof(buf));
}

}  // namespace hs
