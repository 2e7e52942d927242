#include "modules/log_writer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "base/log.h"

namespace hs::modules {
namespace {

std::atomic<uint64_t> g_writer_ids{0};

int64_t wall_seconds() {
  return static_cast<int64_t>(time(nullptr));
}

tm broken_down(int64_t when_s, bool local) {
  time_t t = static_cast<time_t>(when_s);
  tm out{};
  if (local) {
    localtime_r(&t, &out);
  } else {
    gmtime_r(&t, &out);
  }
  return out;
}

// Week of the month, weeks starting on Sunday (IIS's weekly files): 1..6.
int week_of_month(const tm& t) {
  int first_wday = (t.tm_wday - (t.tm_mday - 1) % 7 + 7) % 7;  // weekday of the 1st
  return (t.tm_mday - 1 + first_wday) / 7 + 1;
}

// mkdir -p; false (errno set) if some component cannot be made.
bool make_dirs(const std::string& dir) {
  if (dir.empty()) return true;
  std::string path;
  size_t i = 0;
  while (i <= dir.size()) {
    size_t j = dir.find('/', i);
    if (j == std::string::npos) j = dir.size();
    path = dir.substr(0, j);
    if (!path.empty() && mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return false;
    i = j + 1;
  }
  struct stat st {};
  return stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string site_dir(const LogFileSpec& spec) {
  std::string d = spec.directory;
  while (d.size() > 1 && d.back() == '/')
    d.pop_back();
  return d + "/W3SVC" + std::to_string(spec.site_id);
}

// The largest N of the u_extendN.log files already there (MaxSize continues from it), or 1.
int last_maxsize_index(const LogFileSpec& spec) {
  DIR* d = opendir(site_dir(spec).c_str());
  if (d == nullptr) return 1;
  const std::string prefix = std::string(spec.utf8 ? "u_" : "") + "extend";
  int best = 1;
  while (dirent* e = readdir(d)) {
    std::string_view name = e->d_name;
    if (name.substr(0, prefix.size()) != prefix) continue;
    int n = std::atoi(std::string(name.substr(prefix.size())).c_str());
    best = std::max(best, n);
  }
  closedir(d);
  return best;
}

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Thread-local: this thread's buffer with the writer it belongs to. At thread exit the buffer
// is marked an orphan (the writer frees it after its next flush); the writer may be gone by
// then, so only the shared buffer is touched.
struct Holder {
  std::shared_ptr<LogWriter::ThreadBuffer> buf;
  uint64_t writer = 0;
  ~Holder() {
    if (!buf) return;
    std::lock_guard<std::mutex> lock(buf->mu);
    buf->orphan = true;
  }
};
thread_local Holder t_holder;

}  // namespace

struct LogWriter::OpenFile {
  int fd = -1;
  int64_t period = -1;
  std::string name;  // the path open now
  uint64_t size = 0;
  int maxsize_index = 0;  // 0: not looked up yet
  int64_t warned_s = -1000000;
  bool dir_ok = false;
};

LogWriter::LogWriter() : id_(++g_writer_ids) {}

LogWriter::~LogWriter() {
  stop();
}

size_t LogWriter::add_file(LogFileSpec spec) {
  for (size_t i = 0; i < specs_.size(); ++i) {
    const LogFileSpec& s = specs_[i];
    bool same = !spec.path.empty()
                    ? s.path == spec.path
                    : s.path.empty() && s.directory == spec.directory && s.site_id == spec.site_id;
    if (same) return i;
  }
  if (spec.truncate_size < (1u << 20)) spec.truncate_size = 1u << 20;  // IIS's minimum
  specs_.push_back(std::move(spec));
  files_.push_back(std::make_unique<OpenFile>());
  return specs_.size() - 1;
}

void LogWriter::start() {
  if (started_ || specs_.empty()) return;
  started_ = true;
  for (size_t i = 0; i < specs_.size(); ++i) {
    const LogFileSpec& s = specs_[i];
    std::string dir = s.path.empty() ? site_dir(s) : s.path.substr(0, s.path.rfind('/') + 1);
    if (!make_dirs(dir)) {
      HS_LOG_WARN("access log: cannot create directory %s: %s (lines are dropped until it can be)",
                  dir.c_str(), strerror(errno));
    }
  }
  thread_ = std::thread([this] { run(); });
}

int64_t LogWriter::period_key(const LogFileSpec& spec, int64_t when_s) const {
  if (!spec.path.empty()) return 0;
  if (spec.period == LogPeriod::kMaxSize || spec.period == LogPeriod::kNone) return 0;
  tm t = broken_down(when_s, spec.local_time_rollover);
  int64_t y = t.tm_year + 1900, m = t.tm_mon + 1, d = t.tm_mday;
  switch (spec.period) {
    case LogPeriod::kHourly:
      return ((y * 100 + m) * 100 + d) * 100 + t.tm_hour;
    case LogPeriod::kWeekly:
      return (y * 100 + m) * 100 + week_of_month(t);
    case LogPeriod::kMonthly:
      return y * 100 + m;
    default:
      return (y * 100 + m) * 100 + d;
  }
}

std::string LogWriter::file_name(const LogFileSpec& spec, int64_t when_s, int maxsize_index) {
  const char* prefix = spec.utf8 ? "u_ex" : "ex";
  const char* suffix = spec.custom_fields ? "_x.log" : ".log";
  char buf[64];
  if (spec.period == LogPeriod::kMaxSize) {
    snprintf(buf, sizeof buf, "%stend%d%s", prefix, maxsize_index, suffix);
    return buf;
  }
  tm t = broken_down(when_s, spec.local_time_rollover);
  int yy = (t.tm_year + 1900) % 100, mm = t.tm_mon + 1;
  switch (spec.period) {
    case LogPeriod::kHourly:
      snprintf(buf, sizeof buf, "%s%02d%02d%02d%02d%s", prefix, yy, mm, t.tm_mday, t.tm_hour,
               suffix);
      break;
    case LogPeriod::kWeekly:
      snprintf(buf, sizeof buf, "%s%02d%02d%02d%s", prefix, yy, mm, week_of_month(t), suffix);
      break;
    case LogPeriod::kMonthly:
      snprintf(buf, sizeof buf, "%s%02d%02d%s", prefix, yy, mm, suffix);
      break;
    default:
      snprintf(buf, sizeof buf, "%s%02d%02d%02d%s", prefix, yy, mm, t.tm_mday, suffix);
      break;
  }
  return buf;
}

LogWriter::ThreadBuffer& LogWriter::thread_buffer() {
  Holder& h = t_holder;
  if (!h.buf || h.writer != id_) {
    if (h.buf) {
      std::lock_guard<std::mutex> lock(h.buf->mu);
      h.buf->orphan = true;
    }
    h.buf = std::make_shared<ThreadBuffer>();
    h.writer = id_;
    std::lock_guard<std::mutex> lock(mu_);
    buffers_.push_back(h.buf);
  }
  return *h.buf;
}

void LogWriter::append(size_t file, int64_t now_s, std::string_view line) {
  if (!started_ || file >= specs_.size()) return;
  ThreadBuffer& b = thread_buffer();
  std::lock_guard<std::mutex> lock(b.mu);
  if (b.bytes + line.size() + 2 > kMaxBufferedBytes) {
    uint64_t n = dropped_.fetch_add(1) + 1;
    int64_t now = wall_seconds();
    int64_t last = drop_logged_s_.load(std::memory_order_relaxed);
    if (now != last && drop_logged_s_.compare_exchange_strong(last, now)) {
      HS_LOG_WARN("access log: the disk does not keep up; %llu line(s) dropped so far",
                  static_cast<unsigned long long>(n));
    }
    return;
  }
  if (b.period_cache.size() < specs_.size()) b.period_cache.resize(specs_.size(), {-1, 0});
  auto& [second, key] = b.period_cache[file];
  if (second != now_s) {
    second = now_s;
    key = period_key(specs_[file], now_s);
  }
  Chunk* c = nullptr;
  for (Chunk& x : b.chunks) {
    if (x.file == file && x.period == key) c = &x;
  }
  if (c == nullptr) {
    b.chunks.push_back(Chunk{file, key, now_s, std::move(b.spare), &b});
    b.spare = std::string();
    c = &b.chunks.back();
    c->data.clear();
  }
  c->data.append(line);
  c->data.append("\r\n");
  b.bytes += line.size() + 2;
}

void LogWriter::reopen() {
  std::lock_guard<std::mutex> lock(mu_);
  reopen_ = true;
  cv_.notify_all();
}

void LogWriter::flush() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!thread_.joinable()) return;
  uint64_t want = ++flush_requests_;
  cv_.notify_all();
  flushed_cv_.wait(lock, [&] { return flushes_done_ >= want || stop_; });
}

void LogWriter::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  for (auto& f : files_) {
    if (f->fd >= 0) close(f->fd);
    f->fd = -1;
  }
}

void LogWriter::run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait_for(lock, std::chrono::milliseconds(kFlushIntervalMs),
                 [&] { return stop_ || reopen_ || flush_requests_ > flushes_done_; });
    bool stopping = stop_;
    bool reopen = reopen_;
    reopen_ = false;
    uint64_t requested = flush_requests_;
    lock.unlock();
    if (reopen) {
      for (auto& f : files_) {
        if (f->fd >= 0) close(f->fd);
        f->fd = -1;
        f->period = -1;
      }
    }
    flush_once();
    lock.lock();
    flushes_done_ = std::max(flushes_done_, requested);
    flushed_cv_.notify_all();
    if (stopping) break;
  }
}

void LogWriter::flush_once() {
  std::lock_guard<std::mutex> writing(write_mu_);
  std::vector<std::shared_ptr<ThreadBuffer>> buffers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    buffers = buffers_;
  }
  std::vector<Chunk> chunks;
  bool orphans = false;
  for (auto& b : buffers) {
    std::lock_guard<std::mutex> lock(b->mu);
    for (Chunk& c : b->chunks)
      chunks.push_back(std::move(c));
    b->chunks.clear();
    b->bytes = 0;
    orphans = orphans || b->orphan;
  }
  // One write per file and period: chunks of the same file from every thread, in order.
  std::stable_sort(chunks.begin(), chunks.end(), [](const Chunk& a, const Chunk& b) {
    return a.file != b.file ? a.file < b.file : a.period < b.period;
  });
  for (size_t i = 0; i < chunks.size();) {
    size_t j = i + 1;
    while (j < chunks.size() && chunks[j].file == chunks[i].file &&
           chunks[j].period == chunks[i].period) {
      chunks[i].data += chunks[j].data;
      ++j;
    }
    write_chunk(chunks[i]);
    i = j;
  }
  // The strings go back to their threads for the next lines (each thread's buffers stay
  // alive through `buffers` until here).
  for (Chunk& c : chunks) {
    if (c.origin == nullptr || c.data.capacity() > kMaxBufferedBytes) continue;
    std::lock_guard<std::mutex> lock(c.origin->mu);
    if (c.origin->spare.capacity() < c.data.capacity()) {
      c.data.clear();
      c.origin->spare = std::move(c.data);
    }
  }
  if (orphans) {
    std::lock_guard<std::mutex> lock(mu_);
    buffers_.erase(std::remove_if(buffers_.begin(), buffers_.end(),
                                  [](const std::shared_ptr<ThreadBuffer>& b) {
                                    std::lock_guard<std::mutex> l(b->mu);
                                    return b->orphan && b->chunks.empty();
                                  }),
                   buffers_.end());
  }
}

void LogWriter::write_chunk(const Chunk& c) {
  if (c.data.empty()) return;
  const LogFileSpec& spec = specs_[c.file];
  OpenFile& f = *files_[c.file];
  const int64_t now = wall_seconds();
  auto warn = [&](const char* what, const std::string& path) {
    if (now - f.warned_s < 60) return;
    f.warned_s = now;
    HS_LOG_WARN("access log: cannot %s %s: %s; lines are dropped until it works", what,
                path.c_str(), strerror(errno));
  };
  if (f.fd >= 0 && spec.period == LogPeriod::kMaxSize && spec.path.empty() &&
      f.size >= spec.truncate_size) {
    close(f.fd);  // full: the next u_extendN.log
    f.fd = -1;
    ++f.maxsize_index;
  }
  if (f.fd >= 0 && f.period != c.period) {
    close(f.fd);
    f.fd = -1;
  }
  if (f.fd < 0) {
    std::string path;
    if (!spec.path.empty()) {
      path = spec.path;
    } else {
      std::string dir = site_dir(spec);
      if (!make_dirs(dir)) {
        warn("create directory", dir);
        return;
      }
      if (spec.period == LogPeriod::kMaxSize && f.maxsize_index == 0)
        f.maxsize_index = last_maxsize_index(spec);
      // The period's file is named after its lines' time, not the flush's: lines buffered
      // before midnight reach yesterday's file after midnight.
      path = dir + "/" + file_name(spec, c.when, f.maxsize_index);
    }
    int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      warn("open", path);
      return;
    }
    struct stat st {};
    f.size = fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
    f.fd = fd;
    f.period = c.period;
    f.name = path;
    // The W3C directives, each time this process opens the file (as IIS after a restart).
    char date[32];
    tm t = broken_down(now, false);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &t);
    std::string header = "#Software: " + spec.software + "\r\n#Version: 1.0\r\n#Date: " + date +
                         "\r\n#Fields: " + spec.fields + "\r\n";
    if (!write_all(fd, header.data(), header.size())) {
      warn("write", path);
      close(fd);
      f.fd = -1;
      return;
    }
    f.size += header.size();
    written_ += header.size();
  }
  if (!write_all(f.fd, c.data.data(), c.data.size())) {
    warn("write", f.name);
    close(f.fd);
    f.fd = -1;
    return;
  }
  f.size += c.data.size();
  written_ += c.data.size();
}

}  // namespace hs::modules
