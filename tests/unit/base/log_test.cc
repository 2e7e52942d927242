// base/log.h: both formats, written to a captured stderr.
#include "base/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace hs {
namespace {

// Runs `fn` with stderr redirected to a temporary file; returns what was written.
template <class Fn>
std::string capture(Fn fn) {
  fflush(stderr);
  FILE* tmp = tmpfile();
  int saved = dup(STDERR_FILENO);
  dup2(fileno(tmp), STDERR_FILENO);
  fn();
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::string out;
  rewind(tmp);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), tmp)) > 0)
    out.append(buf, n);
  fclose(tmp);
  return out;
}

struct FormatGuard {
  ~FormatGuard() { log_set_format(LogFormat::kText); }
};

TEST(Log, ParsesFormats) {
  LogFormat f = LogFormat::kText;
  EXPECT_TRUE(log_parse_format("json", &f));
  EXPECT_EQ(f, LogFormat::kJson);
  EXPECT_TRUE(log_parse_format("text", &f));
  EXPECT_EQ(f, LogFormat::kText);
  EXPECT_FALSE(log_parse_format("JSON", &f));
  EXPECT_FALSE(log_parse_format("", &f));
}

TEST(Log, TextLineNeutralisesControlCharacters) {
  std::string out = capture([] { log_write(LogLevel::kWarn, "a\nb %s", "c\rd"); });
  ASSERT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\n'), out.size() - 1);  // one line
  EXPECT_NE(out.find(" warn  ["), std::string::npos);
  EXPECT_NE(out.find("a?b c?d"), std::string::npos);
}

TEST(Log, JsonLineHasTimeLevelThreadMessageAndFields) {
  FormatGuard guard;
  log_set_format(LogFormat::kJson);
  log_set_thread_tag("w7");
  std::string out = capture([] {
    log_write_fields(LogLevel::kError, {{"module", "Probe"}, {"url", "/a\"b\\c"}}, "module %s: %s",
                     "Probe", "line\nbreak\x01");
  });
  ASSERT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\n'), out.size() - 1);
  EXPECT_EQ(out.rfind("{\"time\":\"", 0), 0u) << out;
  EXPECT_NE(out.find("Z\",\"level\":\"error\",\"thread\":\"w7\",\"message\":\"module Probe: "
                     "line\\u000abreak\\u0001\",\"fields\":{\"module\":\"Probe\",\"url\":"
                     "\"/a\\\"b\\\\c\"}}\n"),
            std::string::npos)
      << out;
}

TEST(Log, JsonReplacesWhatIsNotUtf8AndKeepsWhatIs) {
  FormatGuard guard;
  log_set_format(LogFormat::kJson);
  std::string out = capture([] {
    log_write_raw(LogLevel::kInfo, "mod",
                  "caf\xc3\xa9 \xff \xed\xa0\x80 \xe2\x82 \xf0\x9f\x98\x80");
  });
  EXPECT_NE(
      out.find("\"message\":\"caf\xc3\xa9 \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
               "\xef\xbf\xbd\xef\xbf\xbd \xf0\x9f\x98\x80\",\"fields\":{\"source\":\"mod\"}}"),
      std::string::npos)
      << out;
}

TEST(Log, JsonLineStaysWholeWhenTheMessageIsHuge) {
  FormatGuard guard;
  log_set_format(LogFormat::kJson);
  std::string big(5000, '\x01');  // 6 bytes each once escaped
  std::string out = capture([&] { log_write_raw(LogLevel::kInfo, "", big); });
  ASSERT_GT(out.size(), 2u);
  EXPECT_EQ(out.substr(out.size() - 3), "\"}\n");
  EXPECT_EQ(out.find('\n'), out.size() - 1);
}

}  // namespace
}  // namespace hs
