#pragma once
// Open-file cache for the static handler (like nginx's open_file_cache): a bounded LRU map from a
// normalised request path to an open descriptor, its stat, validators and, for small files, the
// contents. An entry is trusted for `valid_ms` after it was (re)validated; after that the next
// lookup re-opens the path and compares inode, size and mtime. So a changed file is seen within
// valid_ms, and the validators, length and bytes sent always describe the same snapshot.
//
// Thread-safe (one mutex; lookups are short). Entries are shared_ptrs: a response in flight
// keeps its entry (and descriptor) alive after eviction.
#include <sys/stat.h>

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hs::core {

struct CachedFile {
  ~CachedFile();
  int fd = -1;
  struct stat st {};
  std::string etag;
  char last_modified[29] = {};
  std::string_view content_type;  // points into the handler's MIME map
  std::string content;            // whole file when small enough, else empty (use fd)
  bool has_content = false;
  int64_t validated_ms = 0;
};

struct FileCacheLimits {
  size_t max_entries = 1024;
  uint64_t max_content_bytes = 8 * 1024 * 1024;  // total bytes of cached contents
  uint64_t max_file_content = 32 * 1024;         // files up to this size are held in memory
  int64_t valid_ms = 1000;
};

class FileCache {
 public:
  explicit FileCache(FileCacheLimits limits = {}) : limits_(limits) {}
  FileCache(const FileCache&) = delete;
  FileCache& operator=(const FileCache&) = delete;

  // The cached entry for `path`, if present and still within its validity window.
  std::shared_ptr<CachedFile> find(const std::string& path, int64_t now_ms);
  // True while `file` (an entry of this cache) is within its validity window: what find()
  // checks, for a caller that kept the entry from an earlier lookup.
  bool fresh(const CachedFile& file, int64_t now_ms) const {
    return now_ms - file.validated_ms <= limits_.valid_ms;
  }
  // Builds an entry for an open regular file (takes ownership of fd) and caches it under `path`.
  std::shared_ptr<CachedFile> insert(const std::string& path, int fd, const struct stat& st,
                                     std::string_view content_type, int64_t now_ms);
  // Removes `path` (e.g. the file is gone).
  void erase(const std::string& path);

  size_t size() const;
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  struct Slot {
    std::shared_ptr<CachedFile> file;
    std::list<std::string>::iterator lru;
  };
  void evict_locked();

  FileCacheLimits limits_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Slot> map_;
  std::list<std::string> lru_;  // front = most recently used
  uint64_t content_bytes_ = 0;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace hs::core
