#include "iis/file_info.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "http/conditional.h"
#include "http/http_date.h"
#include "iis/wide.h"

namespace hs::iis {

// IHttpCacheKey of a file entry: the path, in the cache named "FILE".
class FileInfoImpl::Key final : public IHttpCacheKey {
 public:
  explicit Key(const std::wstring& path) : path_(path) {
    hash_ = 2166136261u;  // FNV-1a over the wide characters
    for (wchar_t c : path_) {
      hash_ ^= static_cast<DWORD>(c);
      hash_ *= 16777619u;
    }
  }
  DWORD GetHash() const override { return hash_; }
  PCWSTR GetCacheName() const override { return L"FILE"; }
  bool GetIsEqual(IHttpCacheKey* other) const override {
    auto* k = dynamic_cast<Key*>(other);
    return k != nullptr && k->path_ == path_;
  }
  bool GetIsPrefix(IHttpCacheKey* other) const override {
    auto* k = dynamic_cast<Key*>(other);
    return k != nullptr && k->path_.compare(0, path_.size(), path_) == 0;
  }
  VOID Enum(IHttpCacheSpecificData*) override {}

 private:
  std::wstring path_;
  DWORD hash_;
};

FileInfoImpl::FileInfoImpl(std::string path, int fd, const struct stat& st, std::wstring vr_path)
    : path_(std::move(path)),
      wpath_(widen(path_)),
      fd_(fd),
      st_(st),
      vr_path_(std::move(vr_path)),
      etag_(http::make_etag(static_cast<int64_t>(st.st_mtim.tv_sec),
                            static_cast<uint64_t>(st.st_size))),
      key_(std::make_unique<Key>(wpath_)) {
  http::format_http_date(static_cast<int64_t>(st.st_mtim.tv_sec), last_modified_);
}

FileInfoImpl::~FileInfoImpl() {
  container_.cleanup();  // CleanupStoredContext of what modules stored on the file
  if (fd_ >= 0) close(fd_);
}

IHttpCacheKey* FileInfoImpl::GetCacheKey() const {
  return key_.get();
}

VOID FileInfoImpl::ReferenceCacheData() {
  refs_.fetch_add(1, std::memory_order_relaxed);
}

VOID FileInfoImpl::DereferenceCacheData() {
  int left = refs_.fetch_sub(1, std::memory_order_acq_rel) - 1;
  if (left == 0) {
    delete this;
  } else if (left < 0) {
    HS_LOG_ERROR("IHttpFileInfo::DereferenceCacheData called once too often; ignored");
    refs_.fetch_add(1);
  }
}

VOID FileInfoImpl::DecrementTTL(BOOL* expired) {
  int left = ttl_.fetch_sub(1) - 1;
  if (expired != nullptr) *expired = left <= 0 ? TRUE : FALSE;
}

DWORD FileInfoImpl::GetAttributes() const {
  DWORD a = S_ISDIR(st_.st_mode) ? 0x10 : 0x20;     // FILE_ATTRIBUTE_DIRECTORY / _ARCHIVE
  if (access(path_.c_str(), W_OK) != 0) a |= 0x01;  // FILE_ATTRIBUTE_READONLY
  return a;
}

VOID FileInfoImpl::GetSize(ULARGE_INTEGER* size) const {
  if (size != nullptr) size->QuadPart = static_cast<ULONGLONG>(st_.st_size);
}

const BYTE* FileInfoImpl::GetFileBuffer() const {
  if (!S_ISREG(st_.st_mode) || static_cast<uint64_t>(st_.st_size) > kBufferLimit) return nullptr;
  std::call_once(buffer_once_, [this] {
    size_t n = static_cast<size_t>(st_.st_size);
    auto buf = std::make_unique<BYTE[]>(n + 1);  // never a zero-length allocation
    size_t got = 0;
    while (got < n) {
      ssize_t r = pread(fd_, buf.get() + got, n - got, static_cast<off_t>(got));
      if (r <= 0) break;
      got += static_cast<size_t>(r);
    }
    if (got == n) buffer_ = std::move(buf);  // a file that shrank meanwhile has no buffer
  });
  return buffer_.get();
}

HANDLE FileInfoImpl::GetFileHandle() const {
  return reinterpret_cast<HANDLE>(static_cast<intptr_t>(fd_));
}

PCSTR FileInfoImpl::GetETag(USHORT* cch) const {
  if (cch != nullptr) *cch = static_cast<USHORT>(etag_.size());
  return etag_.c_str();
}

VOID FileInfoImpl::GetLastModifiedTime(FILETIME* ft) const {
  if (ft == nullptr) return;
  // 100-ns intervals since 1601-01-01 UTC.
  uint64_t t = static_cast<uint64_t>(st_.st_mtim.tv_sec) * 10'000'000ull +
               static_cast<uint64_t>(st_.st_mtim.tv_nsec) / 100 + 116444736000000000ull;
  ft->dwLowDateTime = static_cast<DWORD>(t);
  ft->dwHighDateTime = static_cast<DWORD>(t >> 32);
}

BOOL FileInfoImpl::GetHttpCacheAllowed(DWORD* seconds) const {
  if (seconds != nullptr) *seconds = 0xFFFFFFFF;
  return TRUE;
}

HRESULT FileInfoImpl::AccessCheck(HANDLE token, PSID) {
  if (token == nullptr) return S_OK;
  return access(path_.c_str(), R_OK) == 0 ? S_OK : HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED);
}

bool FileInfoImpl::same_as(const struct stat& st) const {
  return st.st_dev == st_.st_dev && st.st_ino == st_.st_ino && st.st_size == st_.st_size &&
         st.st_mtim.tv_sec == st_.st_mtim.tv_sec && st.st_mtim.tv_nsec == st_.st_mtim.tv_nsec;
}

BOOL FileInfoImpl::CheckIfFileHasChanged(HANDLE) {
  struct stat st {};
  if (stat(path_.c_str(), &st) != 0) return TRUE;
  return same_as(st) ? FALSE : TRUE;
}

// ----------------------------------------------------------------------------------------------

FileInfoCache& FileInfoCache::instance() {
  static FileInfoCache* cache = new FileInfoCache();  // entries may outlive static destructors
  return *cache;
}

size_t FileInfoCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return map_.size();
}

FileInfoImpl* FileInfoCache::get(const std::string& path, const std::wstring& vr_path,
                                 HRESULT* error) {
  struct stat st {};
  if (path.empty() || stat(path.c_str(), &st) != 0) {
    *error = HRESULT_FROM_WIN32(errno == ENOTDIR || errno == ENOENT ? ERROR_FILE_NOT_FOUND
                                : errno == EACCES                   ? ERROR_ACCESS_DENIED
                                                                    : ERROR_PATH_NOT_FOUND);
    return nullptr;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(path);
    if (it != map_.end()) {
      FileInfoImpl* e = *it->second;
      if (e->same_as(st)) {
        lru_.splice(lru_.begin(), lru_, it->second);
        e->ReferenceCacheData();
        return e;
      }
      e->SetFlushed();  // changed: a new entry replaces it
      lru_.erase(it->second);
      map_.erase(it);
      e->DereferenceCacheData();
    }
  }
  if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
    *error = HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND);
    return nullptr;
  }
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
  if (fd < 0 || fstat(fd, &st) != 0) {
    *error = HRESULT_FROM_WIN32(errno == EACCES ? ERROR_ACCESS_DENIED : ERROR_FILE_NOT_FOUND);
    if (fd >= 0) close(fd);
    return nullptr;
  }
  auto* e = new FileInfoImpl(path, fd, st, vr_path);
  e->ReferenceCacheData();  // the caller's
  std::lock_guard<std::mutex> lock(mu_);
  auto it = map_.find(path);
  if (it != map_.end()) {  // another thread cached it meanwhile: replace
    FileInfoImpl* old = *it->second;
    lru_.erase(it->second);
    map_.erase(it);
    old->DereferenceCacheData();
  }
  lru_.push_front(e);
  map_.emplace(path, lru_.begin());
  while (map_.size() > kMaxEntries) {
    FileInfoImpl* last = lru_.back();
    lru_.pop_back();
    map_.erase(last->path());
    last->SetFlushed();
    last->DereferenceCacheData();
  }
  return e;
}

}  // namespace hs::iis
