#pragma once
// The built-in static-file handler: GET and HEAD on files under a document root, served by
// reference (sendfile on cleartext connections) with validators, conditional requests, byte ranges
// (one range → 206; several → multipart/byteranges, at most 16 after merging overlaps, more →
// the whole file with 200) and default documents. A directory without a default document is a
// 403 with substatus 14 (IIS's "directory listing denied"; http::ResponseHead::substatus).
//
// Containment: a request path is percent-decoded and normalised (http/url_path.h: encoded
// slashes, NUL and ".." above the root are refused with 400), then opened beneath the root
// directory (open_beneath.h: openat2() with RESOLVE_BENEATH, or the same walk in user space where
// the kernel lacks it), so no path, symlink or race can leave the root: a symlink pointing
// outside it gives 403.
//
// Files come from the open-file cache (file_cache.h), shared by the workers. In front of it each
// thread keeps a small memo from a request target, byte for byte, to the entry it led to, so a
// repeated target skips decoding, normalising and the cache's lock; it holds entries weakly and
// trusts one only within the cache's validity window (valid_ms), so a changed file is still seen
// within that window.
#include <sys/stat.h>

#include <string>
#include <vector>

#include "core/file_cache.h"
#include "core/open_beneath.h"
#include "http/exchange.h"
#include "http/mime.h"
#include "http/url_path.h"

namespace hs::core {

struct StaticFileConfig {
  std::string root;  // document root directory
  std::vector<std::string> default_documents{"index.html"};
  http::MimeMap mime;     // extension → Content-Type
  FileCacheLimits cache;  // open-file cache
  // IIS's StaticFileModule rule: a file whose extension the MIME map does not list (nor its
  // "." / ".*" entries, http/mime.h) is not served: 404 with substatus 3. Off: such files go
  // out as the map's default type.
  bool only_known_types = false;
};

// The slot, among `slots`, of a per-thread memo keyed by request target (this handler's and the
// server's direct path, server/direct_static.h): cheap and good enough for a handful of hot
// targets (length, last and middle byte). Direct-mapped: a collision only costs a lookup.
inline size_t target_memo_slot(std::string_view target, size_t slots) {
  size_t n = target.size();
  size_t h = n * 31;
  if (n > 0)
    h += static_cast<unsigned char>(target[n - 1]) * 7 + static_cast<unsigned char>(target[n / 2]);
  return h % slots;
}

class StaticFileHandler final : public http::Handler {
 public:
  explicit StaticFileHandler(StaticFileConfig config);
  ~StaticFileHandler() override;
  StaticFileHandler(const StaticFileHandler&) = delete;
  StaticFileHandler& operator=(const StaticFileHandler&) = delete;

  // False when the root could not be opened; error() says why.
  bool ok() const { return root_fd_ >= 0; }
  const std::string& error() const { return error_; }

  void handle(http::Exchange& ex) override;

  // The server's direct path (server/direct_static.h): the open-file cache's entry for a decoded,
  // normalised path ("/dir/" for a directory's default document), or null when it is not cached
  // (nothing is opened). An entry is always a regular file handle() would serve.
  std::shared_ptr<CachedFile> find_cached(const std::string& path, int64_t now_ms) {
    return cache_.find(path, now_ms);
  }
  // Whether an entry found earlier is still within the cache's validity window.
  bool fresh(const CachedFile& file, int64_t now_ms) const { return cache_.fresh(file, now_ms); }
  // Answers a GET or HEAD with `file` exactly as handle() does once it found it (validators,
  // ranges, HEAD), with `server` as the first field (the IIS response's default Server field,
  // in the place it has there) when not empty.
  void serve(http::Exchange& ex, std::shared_ptr<CachedFile> file, std::string_view server) {
    serve_file(ex, std::move(file), server);
  }

 private:
  // Opens `path` (a file, or a directory's default document) and caches it; on failure sends
  // the error response and returns null.
  std::shared_ptr<CachedFile> open_file(http::Exchange& ex, const std::string& path,
                                        const http::Target& target);
  void serve_file(http::Exchange& ex, std::shared_ptr<CachedFile> file,
                  std::string_view server = {});

  StaticFileConfig config_;
  FileCache cache_;
  int root_fd_ = -1;
  std::string error_;
  // openat2 where the kernel has it, else the user-space walk (open_beneath.h).
  int (*open_)(int dirfd, const char* path) = open_beneath;
  uint64_t id_;  // names this handler in the per-thread target memo (static_file_handler.cc)
};

}  // namespace hs::core
