// Captures what header code logs through HttpservLogWrite. test_log_capture.cc defines the
// strong HttpservLogWrite symbol (as the server executable does); link it into a test binary
// to route every header-side log record into this in-memory list.

#ifndef HTTPSERV_TESTS_HEADERS_TEST_LOG_CAPTURE_H_
#define HTTPSERV_TESTS_HEADERS_TEST_LOG_CAPTURE_H_

#include <string>
#include <vector>

namespace headers_test {

struct LogRecord {
  int level;
  std::string source;
  std::string message;
};

// Returns the records written since the last call (or clear_log_records) and forgets them.
std::vector<LogRecord> take_log_records();

// Forgets all records written so far.
void clear_log_records();

// True if a record with this level and source contains `text` in its message.
bool contains_log(const std::vector<LogRecord>& records, int level, const std::string& source,
                  const std::string& text);

}  // namespace headers_test

#endif  // HTTPSERV_TESTS_HEADERS_TEST_LOG_CAPTURE_H_
