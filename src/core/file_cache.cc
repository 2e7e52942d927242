#include "core/file_cache.h"

#include <unistd.h>

#include "http/conditional.h"
#include "http/http_date.h"

namespace hs::core {

CachedFile::~CachedFile() {
  if (fd >= 0) close(fd);
}

std::shared_ptr<CachedFile> FileCache::find(const std::string& path, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = map_.find(path);
  if (it == map_.end() || now_ms - it->second.file->validated_ms > limits_.valid_ms) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.file;
}

std::shared_ptr<CachedFile> FileCache::insert(const std::string& path, int fd,
                                              const struct stat& st, std::string_view content_type,
                                              int64_t now_ms) {
  auto f = std::make_shared<CachedFile>();
  f->fd = fd;
  f->content_type = content_type;
  f->st = st;
  int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec);
  f->etag = http::make_etag(mtime, static_cast<uint64_t>(st.st_size));
  http::format_http_date(mtime, f->last_modified);
  f->validated_ms = now_ms;
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size <= limits_.max_file_content) {
    // Read the snapshot once; a short read (the file changed under us) keeps the fd path.
    f->content.resize(size);
    ssize_t n = size > 0 ? pread(fd, f->content.data(), size, 0) : 0;
    f->has_content = n == static_cast<ssize_t>(size);
    if (!f->has_content) f->content.clear();
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = map_.find(path);
  if (it != map_.end()) {
    if (it->second.file->has_content) content_bytes_ -= it->second.file->content.size();
    lru_.erase(it->second.lru);
    map_.erase(it);
  }
  lru_.push_front(path);
  map_.emplace(path, Slot{f, lru_.begin()});
  if (f->has_content) content_bytes_ += f->content.size();
  evict_locked();
  return f;
}

void FileCache::erase(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = map_.find(path);
  if (it == map_.end()) return;
  if (it->second.file->has_content) content_bytes_ -= it->second.file->content.size();
  lru_.erase(it->second.lru);
  map_.erase(it);
}

void FileCache::evict_locked() {
  while (!lru_.empty() &&
         (map_.size() > limits_.max_entries || content_bytes_ > limits_.max_content_bytes)) {
    auto it = map_.find(lru_.back());
    if (it->second.file->has_content) content_bytes_ -= it->second.file->content.size();
    map_.erase(it);
    lru_.pop_back();
  }
}

size_t FileCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return map_.size();
}

}  // namespace hs::core
