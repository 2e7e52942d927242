#pragma once
// Captures what module code logs through HttpservLogWrite. module_log_capture.cc defines the
// strong HttpservLogWrite (as the server executable does); the test executable must be linked
// with ENABLE_EXPORTS so that dlopen'ed modules bind their weak reference to it.
#include <string>
#include <vector>

namespace iis_test {

struct ModuleLogRecord {
  int level;
  std::string source;
  std::string message;
};

// All records so far (a copy).
std::vector<ModuleLogRecord> module_log();
void clear_module_log();
// Number of records from `source` whose message equals `message`.
int count_module_log(const std::string& source, const std::string& message);
// Messages from `source`, in order.
std::vector<std::string> module_messages(const std::string& source);

}  // namespace iis_test
