#pragma once
// One-line logging to stderr. Each line is written with a single write(2), so lines from
// different threads never interleave. Formats (--log-format):
//   text: 2026-11-24T07:10:00.123Z info  [w0] message
//   json: {"time":"2026-11-24T07:10:00.123Z","level":"info","thread":"w0","message":"message",
//          "fields":{"key":"value"}}   (one object per line; "fields" only when there are some)
// A message is bounded (2 KiB of text); control characters from peers are neutralised ('?' in
// text, \u escapes in JSON) so that no input can forge a line, and JSON lines are valid UTF-8
// (an invalid sequence becomes U+FFFD).
#include <cstdarg>
#include <initializer_list>
#include <string_view>

namespace hs {

// kNotice is always written whatever the configured level (startup lines: bound ports).
enum class LogLevel { kNotice = -1, kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

void log_set_level(LogLevel level);
LogLevel log_level();
inline bool log_enabled(LogLevel level) {
  return level <= log_level();
}
// Parses "error|warn|info|debug"; returns false for anything else.
bool log_parse_level(std::string_view text, LogLevel* out);

enum class LogFormat { kText, kJson };
void log_set_format(LogFormat format);
LogFormat log_format();
// Parses "text|json"; returns false for anything else.
bool log_parse_format(std::string_view text, LogFormat* out);

// A named value logged with a message, for machines: a member of "fields" in JSON lines (the
// text format leaves them out: the message says the same for people). Views: read during the
// call only.
struct LogField {
  std::string_view key;
  std::string_view value;
};

// Tag shown in brackets on every line this thread writes (e.g. "w0" for worker 0). Copied.
void log_set_thread_tag(std::string_view tag);
std::string_view log_thread_tag();

// log_write() writes unconditionally; the HS_LOG_* macros check the level first.
void log_write(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vwrite(LogLevel level, const char* fmt, va_list ap);
// Writes an already formatted message; `source` (may be empty) is shown before it as "source: ".
void log_write_raw(LogLevel level, std::string_view source, std::string_view message);
// A message with fields (written unconditionally, like log_write).
void log_write_fields(LogLevel level, std::initializer_list<LogField> fields, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

}  // namespace hs

#define HS_LOG(level, ...)                                             \
  do {                                                                 \
    if (::hs::log_enabled(level)) ::hs::log_write(level, __VA_ARGS__); \
  } while (0)
#define HS_LOG_ERROR(...) HS_LOG(::hs::LogLevel::kError, __VA_ARGS__)
#define HS_LOG_WARN(...) HS_LOG(::hs::LogLevel::kWarn, __VA_ARGS__)
#define HS_LOG_INFO(...) HS_LOG(::hs::LogLevel::kInfo, __VA_ARGS__)
#define HS_LOG_DEBUG(...) HS_LOG(::hs::LogLevel::kDebug, __VA_ARGS__)
// HS_LOG_FIELDS(level, {{"module", name}}, "format", ...)
#define HS_LOG_FIELDS(level, ...)                                             \
  do {                                                                        \
    if (::hs::log_enabled(level)) ::hs::log_write_fields(level, __VA_ARGS__); \
  } while (0)
