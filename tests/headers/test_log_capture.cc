#include "test_log_capture.h"

#include <mutex>
#include <utility>

namespace headers_test {
namespace {

std::mutex& log_mutex() {
  static std::mutex m;
  return m;
}

std::vector<LogRecord>& log_records() {
  static std::vector<LogRecord> records;
  return records;
}

}  // namespace

std::vector<LogRecord> take_log_records() {
  std::lock_guard<std::mutex> lock(log_mutex());
  std::vector<LogRecord> out;
  out.swap(log_records());
  return out;
}

void clear_log_records() {
  std::lock_guard<std::mutex> lock(log_mutex());
  log_records().clear();
}

bool contains_log(const std::vector<LogRecord>& records, int level, const std::string& source,
                  const std::string& text) {
  for (const LogRecord& r : records) {
    if (r.level == level && r.source == source && r.message.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace headers_test

// The strong definition of the hook declared weak in httpserv_log.h. This file deliberately
// does not include that header, so the definition stays strong, exactly like the server's.
extern "C" __attribute__((visibility("default"))) void HttpservLogWrite(int level,
                                                                        const char* source,
                                                                        const char* message) {
  std::lock_guard<std::mutex> lock(headers_test::log_mutex());
  headers_test::log_records().push_back(headers_test::LogRecord{
      level, source != nullptr ? source : "", message != nullptr ? message : ""});
}
