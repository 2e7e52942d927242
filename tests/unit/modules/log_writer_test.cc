#include "modules/log_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "modules/http_logging.h"

namespace hs::modules {
namespace {

namespace fs = std::filesystem;

// 2026-12-07 11:35:20 UTC, a Monday (the 1st of December 2026 is a Tuesday).
constexpr int64_t kWhen = 1796643320;

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

struct TempDir {
  TempDir() {
    char t[] = "/tmp/hs-logwriter-XXXXXX";
    path = mkdtemp(t);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string path;
};

TEST(LogWriter, IisFileNames) {
  LogFileSpec s;
  EXPECT_EQ(LogWriter::file_name(s, kWhen), "u_ex261207.log");
  s.period = LogPeriod::kHourly;
  EXPECT_EQ(LogWriter::file_name(s, kWhen), "u_ex26120711.log");
  s.period = LogPeriod::kMonthly;
  EXPECT_EQ(LogWriter::file_name(s, kWhen), "u_ex2612.log");
  s.period = LogPeriod::kWeekly;  // Sun 29 Nov - Sat 5 Dec is week 1; the 7th is in week 2
  EXPECT_EQ(LogWriter::file_name(s, kWhen), "u_ex261202.log");
  EXPECT_EQ(LogWriter::file_name(s, kWhen - 6 * 86400), "u_ex261201.log");  // Tue the 1st
  s.period = LogPeriod::kMaxSize;
  EXPECT_EQ(LogWriter::file_name(s, kWhen, 3), "u_extend3.log");
  s.utf8 = false;
  s.custom_fields = true;
  s.period = LogPeriod::kDaily;
  EXPECT_EQ(LogWriter::file_name(s, kWhen), "ex261207_x.log");
}

TEST(LogWriter, LinesFromManyThreadsAndDirectives) {
  TempDir d;
  LogWriter w;
  LogFileSpec s;
  s.directory = d.path;
  s.site_id = 4;
  s.software = "test";
  s.fields = "a b";
  size_t f = w.add_file(s);
  EXPECT_EQ(w.add_file(s), f);  // the same site shares the file
  w.start();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i)
        w.append(f, kWhen, std::to_string(t) + " " + std::to_string(i));
    });
  }
  for (auto& t : threads)
    t.join();
  w.stop();
  std::string text = slurp(d.path + "/W3SVC4/u_ex261207.log");
  EXPECT_EQ(text.rfind("#Software: test\r\n#Version: 1.0\r\n#Date: ", 0), 0u);
  EXPECT_NE(text.find("\r\n#Fields: a b\r\n"), std::string::npos);
  size_t lines = 0;
  for (size_t p = text.find("\r\n"); p != std::string::npos; p = text.find("\r\n", p + 2))
    ++lines;
  EXPECT_EQ(lines, 4u + 2000u);
}

TEST(LogWriter, PeriodsGoToTheirOwnFiles) {
  TempDir d;
  LogWriter w;
  LogFileSpec s;
  s.directory = d.path;
  s.period = LogPeriod::kHourly;
  size_t f = w.add_file(s);
  w.start();
  w.append(f, kWhen, "eleven");
  w.append(f, kWhen + 3600, "twelve");
  w.stop();
  EXPECT_NE(slurp(d.path + "/W3SVC1/u_ex26120711.log").find("eleven"), std::string::npos);
  EXPECT_NE(slurp(d.path + "/W3SVC1/u_ex26120712.log").find("twelve"), std::string::npos);
  EXPECT_EQ(slurp(d.path + "/W3SVC1/u_ex26120712.log").find("eleven"), std::string::npos);
}

TEST(LogWriter, MaxSizeRollsOver) {
  TempDir d;
  LogWriter w;
  LogFileSpec s;
  s.directory = d.path;
  s.period = LogPeriod::kMaxSize;
  s.truncate_size = 1;  // raised to IIS's minimum, 1 MiB
  size_t f = w.add_file(s);
  w.start();
  std::string line(1000, 'x');
  for (int i = 0; i < 1500; ++i) {
    w.append(f, kWhen, line);
    if (i % 100 == 0) w.flush();
  }
  w.stop();
  EXPECT_TRUE(fs::exists(d.path + "/W3SVC1/u_extend1.log"));
  EXPECT_TRUE(fs::exists(d.path + "/W3SVC1/u_extend2.log"));
  EXPECT_GE(fs::file_size(d.path + "/W3SVC1/u_extend1.log"), 1u << 20);
  // A new writer continues with the last file.
  LogWriter again;
  f = again.add_file(s);
  again.start();
  again.append(f, kWhen, "later");
  again.stop();
  EXPECT_NE(slurp(d.path + "/W3SVC1/u_extend2.log").find("later"), std::string::npos);
}

TEST(LogWriter, ReopenAfterRename) {
  TempDir d;
  LogWriter w;
  LogFileSpec s;
  s.path = d.path + "/fixed.log";
  size_t f = w.add_file(s);
  w.start();
  w.append(f, kWhen, "one");
  w.flush();
  fs::rename(s.path, d.path + "/fixed.log.1");
  w.reopen();
  w.flush();
  w.append(f, kWhen, "two");
  w.stop();
  EXPECT_NE(slurp(d.path + "/fixed.log.1").find("one"), std::string::npos);
  EXPECT_NE(slurp(s.path).find("two"), std::string::npos);
  EXPECT_EQ(slurp(s.path).find("one"), std::string::npos);
}

TEST(LogWriter, UnwritableDirectoryDropsLines) {
  TempDir d;
  std::ofstream(d.path + "/file") << "x";
  LogWriter w;
  LogFileSpec s;
  s.directory = d.path + "/file/sub";
  size_t f = w.add_file(s);
  w.start();
  w.append(f, kWhen, "lost");
  w.stop();  // no crash, nothing written
  EXPECT_EQ(w.written_bytes(), 0u);
}

TEST(W3c, FieldsAndEscaping) {
  SiteLog log;
  log.flags = kDefaultLogFlags;
  EXPECT_EQ(w3c_fields(log.flags, {}),
            "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
            "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken");
  LogRecord r;
  r.now_ms = kWhen * 1000 + 999;
  r.server_ip = "10.0.0.1";
  r.method = "GET";
  r.uri_stem = "/a b/caf\xc3\xa9";
  r.client_ip = "::1";
  r.user_agent = "evil\r\n2026-01-01 forged";
  r.server_port = 80;
  r.status = 404;
  r.substatus = 8;
  r.time_taken_ms = 12;
  std::string line;
  format_w3c(log, r, &line);
  EXPECT_EQ(line,
            "2026-12-07 11:35:20 10.0.0.1 GET /a+b/caf\xc3\xa9 - 80 - ::1 "
            "evil%0D%0A2026-01-01+forged - 404 8 0 12");
  log.custom_fields = {{"X-Long", "X-Long", 0}};
  log.max_custom_field_length = 3;
  r.custom = {"abcdef"};
  line.clear();
  format_w3c(log, r, &line);
  EXPECT_EQ(line.substr(line.size() - 4), " abc");
}

// The field copy runs 8 bytes at a time until a byte needs escaping: every byte value at every
// position of long fields gives what a byte-by-byte escape gives.
TEST(W3c, EscapingAtEveryPosition) {
  auto reference = [](std::string_view v) {
    std::string out;
    char buf[4];
    for (char ch : v) {
      auto c = static_cast<unsigned char>(ch);
      if (c > ' ' && c != 0x7F) {
        out += ch;
      } else if (c == ' ') {
        out += '+';
      } else {
        snprintf(buf, sizeof buf, "%%%02X", c);
        out += buf;
      }
    }
    return out;
  };
  SiteLog log;
  log.flags = kLogUserAgent;
  for (int c = 0; c < 256; ++c) {
    for (size_t len : {1u, 7u, 8u, 9u, 16u, 23u}) {
      for (size_t at = 0; at < len; ++at) {
        std::string ua(len, 'a');
        ua[at] = static_cast<char>(c);
        LogRecord r;
        r.user_agent = ua;
        std::string line;
        format_w3c(log, r, &line);
        ASSERT_EQ(line, reference(ua)) << "byte " << c << " at " << at << " of " << len;
      }
    }
  }
}

}  // namespace
}  // namespace hs::modules
