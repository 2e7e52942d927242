#include "module_log_capture.h"

#include <mutex>

// Deliberately does not include httpserv_log.h: in a TU that sees its weak declaration, this
// definition would become weak too.

namespace iis_test {
namespace {

std::mutex& mu() {
  static std::mutex m;
  return m;
}

std::vector<ModuleLogRecord>& records() {
  static std::vector<ModuleLogRecord> r;
  return r;
}

}  // namespace

std::vector<ModuleLogRecord> module_log() {
  std::lock_guard<std::mutex> lock(mu());
  return records();
}

void clear_module_log() {
  std::lock_guard<std::mutex> lock(mu());
  records().clear();
}

int count_module_log(const std::string& source, const std::string& message) {
  std::lock_guard<std::mutex> lock(mu());
  int n = 0;
  for (const auto& r : records()) {
    if (r.source == source && r.message == message) ++n;
  }
  return n;
}

std::vector<std::string> module_messages(const std::string& source) {
  std::lock_guard<std::mutex> lock(mu());
  std::vector<std::string> out;
  for (const auto& r : records()) {
    if (r.source == source) out.push_back(r.message);
  }
  return out;
}

}  // namespace iis_test

extern "C" __attribute__((visibility("default"))) void HttpservLogWrite(int level,
                                                                        const char* source,
                                                                        const char* message) {
  std::lock_guard<std::mutex> lock(iis_test::mu());
  iis_test::records().push_back(
      {level, source != nullptr ? source : "", message != nullptr ? message : ""});
}
