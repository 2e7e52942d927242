#pragma once
// IHttpFileInfo (spec-2 §3.1): a file as IIS's file cache describes it, for
// IHttpContext::GetFileInfo (the request's physical file) and IHttpServer::GetFileInfo (any file).
//
// Entries come from a process-wide cache keyed by physical path, revalidated by stat() on every
// lookup (device, inode, size, mtime): a changed file gets a new entry, so what one entry says
// (size, times, ETag, buffer) is one snapshot of the file. The ETag and Last-Modified string are
// the ones the static file handler sends for the same file (http::make_etag, IMF-fixdate).
//
// Decisions for the [UNC] items of the spec (docs/iis-compat.md): an entry always holds an open
// read-only descriptor (GetFileHandle) and, for files up to kBufferLimit (256 KiB, IIS's
// caching maxResponseSize), the contents (GetFileBuffer), read on first use; GetAttributes is
// FILE_ATTRIBUTE_ARCHIVE (0x20) for a file, plus READONLY (0x01) when the server cannot write
// it; GetHttpCacheAllowed is TRUE with 0xFFFFFFFF seconds (what IIS's sample shows);
// AccessCheck is S_OK for a NULL token and access(R_OK) otherwise.
//
// REFERENCES. An entry starts with one reference, the cache's. ReferenceCacheData/
// DereferenceCacheData are thread-safe; the last reference frees the entry (its module context
// container is cleaned up then). IHttpContext::GetFileInfo's entry is referenced by the context
// for the request; IHttpServer::GetFileInfo gives the caller a reference of its own.
#include <httpserv.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "iis/context_container.h"

namespace hs::iis {

class FileInfoImpl final : public IHttpFileInfo {
 public:
  static constexpr uint64_t kBufferLimit = 262144;

  // Takes ownership of `fd`, an open regular file or directory at `path`.
  FileInfoImpl(std::string path, int fd, const struct stat& st, std::wstring vr_path);

  // IHttpCacheSpecificData.
  IHttpCacheKey* GetCacheKey() const override;
  VOID ReferenceCacheData() override;
  VOID DereferenceCacheData() override;
  VOID ResetTTL() override { ttl_.store(kTtl); }
  VOID DecrementTTL(BOOL* pfTTLExpired) override;
  VOID SetFlushed() override { flushed_.store(true); }
  BOOL GetFlushed() const override { return flushed_.load() ? TRUE : FALSE; }

  // IHttpFileInfo.
  DWORD GetAttributes() const override;
  VOID GetSize(ULARGE_INTEGER* pliSize) const override;
  const BYTE* GetFileBuffer() const override;
  HANDLE GetFileHandle() const override;
  PCWSTR GetFilePath() const override { return wpath_.c_str(); }
  PCSTR GetETag(USHORT* pcchETag = nullptr) const override;
  VOID GetLastModifiedTime(FILETIME* pFileTime) const override;
  PCSTR GetLastModifiedString() const override { return last_modified_; }
  BOOL GetHttpCacheAllowed(DWORD* pSecondsToLive) const override;
  HRESULT AccessCheck(HANDLE hUserToken, PSID pUserSid) override;
  HANDLE GetVrToken() const override { return nullptr; }
  PCWSTR GetVrPath() const override { return vr_path_.empty() ? nullptr : vr_path_.c_str(); }
  IHttpModuleContextContainer* GetModuleContextContainer() override { return &container_; }
  BOOL CheckIfFileHasChanged(HANDLE hUserToken) override;

  // Same file, same snapshot (device, inode, size, mtime) as `st`.
  bool same_as(const struct stat& st) const;
  const std::string& path() const { return path_; }

 private:
  ~FileInfoImpl() override;
  static constexpr int kTtl = 30;

  std::string path_;
  std::wstring wpath_;
  int fd_;
  struct stat st_;
  std::wstring vr_path_;
  std::string etag_;
  char last_modified_[30] = {};
  mutable std::once_flag buffer_once_;
  mutable std::unique_ptr<BYTE[]> buffer_;
  std::atomic<int> refs_{1};
  std::atomic<int> ttl_{kTtl};
  std::atomic<bool> flushed_{false};
  ModuleContextContainer container_;
  class Key;
  std::unique_ptr<Key> key_;
};

// The process-wide cache of FileInfoImpl entries by physical path (bounded, least recently used
// first out). Thread-safe.
class FileInfoCache {
 public:
  static constexpr size_t kMaxEntries = 1024;
  static FileInfoCache& instance();

  // A referenced entry for `path` (the caller Dereferences it), or null with *error (an
  // HRESULT: the path does not exist, cannot be opened, is neither file nor directory).
  FileInfoImpl* get(const std::string& path, const std::wstring& vr_path, HRESULT* error);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::list<FileInfoImpl*> lru_;  // front = most recently used; each holds the cache's reference
  std::unordered_map<std::string, std::list<FileInfoImpl*>::iterator> map_;
};

}  // namespace hs::iis
