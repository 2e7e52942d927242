// Logging hook shared by the httpserv headers and the compat shim.
//
// Header-inline code (CHttpModule default handlers, ReportEvent, OutputDebugString, ...)
// cannot link against the server, so it logs through HttpservLogWrite, declared here as a
// weak symbol with default visibility. The httpserv executable defines (and exports) the
// strong symbol, so messages from a module .so end up in the server log. When nothing
// defines it (a unit test, a tool that loads a module outside the server) the address is
// null and the message goes to stderr as a single line instead.
//
// Levels: 0 error, 1 warning, 2 info, 3 debug.

#ifndef HTTPSERV_HTTPSERV_LOG_H_
#define HTTPSERV_HTTPSERV_LOG_H_

#include <cstdarg>
#include <cstdio>

// Writes one log record. `source` names the component (module, event source, ...);
// `message` is one line without a trailing newline. Both may be null.
extern "C" void HttpservLogWrite(int level, const char* source, const char* message)
    __attribute__((weak, visibility("default")));

#define HTTPSERV_LOG_ERROR 0
#define HTTPSERV_LOG_WARNING 1
#define HTTPSERV_LOG_INFO 2
#define HTTPSERV_LOG_DEBUG 3

namespace httpserv {

// Sends a record to HttpservLogWrite when the server provides it, else to stderr.
inline void log_write(int level, const char* source, const char* message) {
  if (source == nullptr) source = "";
  if (message == nullptr) message = "";
  if (HttpservLogWrite != nullptr) {
    HttpservLogWrite(level, source, message);
    return;
  }
  static const char* const kLevelNames[] = {"error", "warning", "info", "debug"};
  const char* level_name = (level >= 0 && level <= 3) ? kLevelNames[level] : "log";
  std::fprintf(stderr, "httpserv %s [%s] %s\n", level_name, source, message);
}

// printf-style variant of log_write; the text is truncated at 1023 bytes.
inline void log_vprintf(int level, const char* source, const char* format, va_list args)
    __attribute__((format(printf, 3, 0)));
inline void log_vprintf(int level, const char* source, const char* format, va_list args) {
  char buffer[1024];
  if (format == nullptr) format = "";
  int n = std::vsnprintf(buffer, sizeof(buffer), format, args);
  if (n < 0) buffer[0] = '\0';
  log_write(level, source, buffer);
}

inline void log_printf(int level, const char* source, const char* format, ...)
    __attribute__((format(printf, 3, 4)));
inline void log_printf(int level, const char* source, const char* format, ...) {
  va_list args;
  va_start(args, format);
  log_vprintf(level, source, format, args);
  va_end(args);
}

}  // namespace httpserv

#endif  // HTTPSERV_HTTPSERV_LOG_H_
