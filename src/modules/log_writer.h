#pragma once
// The access logs' files: lines buffered per thread, written by one flusher thread.
//
// A request never waits for the disk. Its line goes into the calling thread's buffer (a mutex
// only the flusher ever contends for, once per flush), tagged with the file and the rollover
// period it belongs to; the flusher wakes every kFlushIntervalMs, takes every buffer and writes
// each file's bytes with one write(2) (O_APPEND: whole lines, also when another process — a
// reload's overlap — appends to the same file). So every line is on disk within about half a
// second, and at stop() (graceful shutdown) everything buffered is written. A buffer that grows
// past kMaxBufferedBytes (the disk stalls) drops further lines, counted and logged once a second:
// never blocking a request is the contract.
//
// Files. A site's file is <directory>/W3SVC<id>/<name>, with IIS's names: u_exYYMMDD.log
// (Daily), u_exYYMMDDHH.log (Hourly), u_exYYMMWW.log (Weekly, WW = week of the month, weeks from
// Sunday), u_exYYMM.log (Monthly), u_extendN.log (MaxSize: the next N once truncateSize is
// reached); "ex" instead of "u_ex" without logInUTF8, "_x" before ".log" with custom fields.
// Periods follow UTC unless localTimeRollover. A fixed path (--access-log) is exactly that file,
// never rolled over. Each time this process opens a file (first line, new period, reopen) it
// writes the W3C directives (#Software, #Version, #Date, #Fields) first, as IIS does after a
// restart. A directory that cannot be created or a file that cannot be opened is a warning (once
// a minute), never a failure: the lines are dropped and the next flush tries again.
//
// reopen() (SIGUSR1, logrotate's postrotate) closes every file; the next flush opens them again
// by name.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace hs::modules {

enum class LogPeriod { kMaxSize = 0, kDaily = 1, kWeekly = 2, kMonthly = 3, kHourly = 4, kNone };

struct LogFileSpec {
  std::string path;       // a fixed file (--access-log); else the site's directory below
  std::string directory;  // <logFile directory>; the files go to directory/W3SVC<site_id>/
  uint32_t site_id = 1;
  LogPeriod period = LogPeriod::kDaily;
  uint64_t truncate_size = 20971520;  // MaxSize; at least 1 MiB (IIS)
  bool local_time_rollover = false;
  bool utf8 = true;            // "u_" prefix (IIS's logInUTF8)
  bool custom_fields = false;  // "_x" suffix
  std::string software;        // the #Software directive's value
  std::string fields;          // the #Fields directive's value
};

class LogWriter {
 public:
  static constexpr int64_t kFlushIntervalMs = 500;
  static constexpr size_t kMaxBufferedBytes = 8u << 20;  // per thread

  LogWriter();
  ~LogWriter();  // stop()
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Before start(): a file to write; returns its index for append(). The same fixed path or the
  // same directory and site given twice share one file.
  size_t add_file(LogFileSpec spec);
  // Starts the flusher (no thread without files). Creates the directories (a warning if that
  // fails; it is retried at each flush).
  void start();

  // Any thread: `line` (without its CRLF) for file `file`, at `now_s` (UTC seconds: chooses the
  // rollover period).
  void append(size_t file, int64_t now_s, std::string_view line);

  // Any thread: the files are reopened by name at the next flush (log rotation).
  void reopen();
  // Writes everything buffered and stops the flusher. Idempotent.
  void stop();
  // Flushes now and waits for it (tests, and the status page's "log" line).
  void flush();

  // The file name (under its directory) a period key gives, for tests: `when_s` in UTC.
  static std::string file_name(const LogFileSpec& spec, int64_t when_s, int maxsize_index = 1);
  uint64_t dropped() const { return dropped_.load(); }
  uint64_t written_bytes() const { return written_.load(); }

  struct ThreadBuffer;
  struct Chunk {
    size_t file = 0;
    int64_t period = 0;  // rollover key of its lines (0 for MaxSize and fixed files)
    int64_t when = 0;    // the time of its first line: names the period's file
    std::string data;
    ThreadBuffer* origin = nullptr;  // whose buffer it was (its string goes back there)
  };
  struct ThreadBuffer {
    std::mutex mu;
    std::vector<Chunk> chunks;
    size_t bytes = 0;
    bool orphan = false;  // its thread has exited: freed after the next flush
    // Per file: the second and period key computed last (one computation per second).
    std::vector<std::pair<int64_t, int64_t>> period_cache;
    // A written chunk's string, emptied, kept for the next chunk: the thread appends into
    // memory it already has rather than growing a new string (and faulting its pages in) after
    // every flush. At most one, of at most kMaxBufferedBytes' capacity.
    std::string spare;
  };

 private:
  struct OpenFile;
  void run();
  void flush_once();
  void write_chunk(const Chunk& c);
  ThreadBuffer& thread_buffer();
  int64_t period_key(const LogFileSpec& spec, int64_t when_s) const;

  const uint64_t id_;  // tells thread-local buffers of another writer apart
  std::vector<LogFileSpec> specs_;
  std::vector<std::unique_ptr<OpenFile>> files_;  // flusher thread only (and stop())
  std::mutex mu_;                                 // buffers_, stop_, reopen_
  std::condition_variable cv_;
  std::vector<std::shared_ptr<ThreadBuffer>> buffers_;
  bool stop_ = false;
  bool reopen_ = false;
  uint64_t flush_requests_ = 0, flushes_done_ = 0;
  std::condition_variable flushed_cv_;
  std::thread thread_;
  std::mutex write_mu_;  // one flush at a time (the flusher, or stop() after it)
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> written_{0};
  std::atomic<int64_t> drop_logged_s_{0};
  bool started_ = false;
};

}  // namespace hs::modules
