#pragma once
// IIS's StaticCompressionModule and DynamicCompressionModule (<urlCompression> per location,
// <httpCompression> server-wide), built in and on by default, with gzip and br (IIS needs the
// iisbrotli add-on for br; it is ours) from Debian's zlib and libbrotli.
//
// Both act in RQ_SEND_RESPONSE, priority FIRST and registered before CustomErrorModule: they run
// after every other module there (the order is reversed), on what is really sent.
//
// Static: a StaticFileModule 200 whose type is in <staticTypes>, of at least minFileSizeForComp
// bytes, for a client whose Accept-Encoding takes one of the <scheme>s (doStaticCompression,
// staticCompressionLevel > 0), goes out as the compressed copy of the file, made once and kept
// on disk (CompressedFiles). Range requests, HTTP/1.0 and proxied (Via) requests are served
// identity by default (noCompressionForRange/Http10/Proxies). Such a response carries
// "Vary: Accept-Encoding" whether it was compressed or not, and a compressed one a weak ETag
// (W/"..."), so a conditional request with it gets a 304 (weak comparison) but never a range of
// the other representation (If-Range compares strongly); a 304 for a client holding the weak tag
// answers with it. staticCompressionIgnoreHitFrequency is true by default (IIS: false): a file
// is compressed at its first request, not after two within 10 s.
//
// Dynamic: a module's 200 of a type in <dynamicTypes> is compressed as it streams: each send is
// compressed and flushed (a client sees every chunk as the module sends it), the last one ends
// the stream; Content-Length goes, Vary is added, a strong ETag becomes weak. A response whose
// whole body is in its only send and is smaller than minFileSizeForComp is left alone (our
// decision: compressing it would make it bigger; IIS compresses every dynamic response).
#include <httpserv.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "modules/codec.h"
#include "modules/settings.h"

namespace hs::modules {

// The scheme a client's Accept-Encoding takes: the highest q among the enabled schemes (static
// or dynamic), ties to the configured order; "*" stands for codings the header does not name.
// Null when none (no header, "identity" only, q=0...).
const CompressionOptions::Scheme* choose_scheme(const CompressionOptions& o,
                                                std::string_view accept_encoding, bool dynamic);
// Whether `content_type` (parameters ignored) is enabled by the first matching entry
// ("type/subtype", "type/*", "*/*"; ASCII case-insensitive).
bool type_enabled(const std::vector<CompressionOptions::Type>& types,
                  std::string_view content_type);

// The compressed copies of static files, on disk in the compression directory, named after the
// file's identity (device, inode, size, modification time) and the coding and level, so a
// changed file never meets an old copy and a restart finds the copies made before it. Copies
// are written to a temporary name and renamed, so a copy is complete or absent. An index of
// open copies (least recently used first) keeps the bytes on disk under maxDiskSpaceUsage
// (evicting down to 90 %, as IIS); a copy still being sent stays readable after its eviction
// (its descriptor is held until then). Thread-safe.
class CompressedFiles {
 public:
  struct Copy {
    ~Copy();
    int fd = -1;
    uint64_t size = 0;
    std::string path;
    bool worthless = false;  // compressing did not make it smaller: send the file
  };

  explicit CompressedFiles(const CompressionOptions& options);
  // Whether the directory is usable (else a warning was logged and get() returns null).
  bool ok() const { return ok_; }
  const std::string& directory() const { return dir_; }

  // The copy of the file open as `fd` (whose fstat is `st`) in `coding` at `level`: from the
  // index, from the disk, or compressed now by the calling thread (module code: it may take a
  // while for a large file, and the loop is handed off meanwhile). Null when another thread is
  // making it right now (the caller sends the file), or it cannot be made.
  std::shared_ptr<const Copy> get(int fd, const struct stat& st, Coding coding, unsigned level);

  struct Stats {
    uint64_t hits = 0, made = 0, from_disk = 0, evicted = 0, failures = 0;
    uint64_t disk_bytes = 0, entries = 0;
  };
  Stats stats() const;

 private:
  std::string name_for(const struct stat& st, Coding coding, unsigned level) const;
  std::shared_ptr<Copy> make(int fd, const struct stat& st, Coding coding, unsigned level,
                             const std::string& name);
  void account(const std::shared_ptr<const Copy>& copy, const std::string& name);
  void trim_locked();
  void scan_disk();

  const CompressionOptions options_;
  std::string dir_;
  bool ok_ = false;
  mutable std::mutex mu_;
  std::list<std::string> lru_;  // names, least recently used first
  struct Slot {
    std::shared_ptr<const Copy> copy;
    std::list<std::string>::iterator at;
  };
  std::map<std::string, Slot> index_;
  std::set<std::string> making_;
  uint64_t disk_bytes_ = 0;
  Stats stats_;
};

// What the compression modules count (the metrics endpoint reads it).
struct CompressionCounters {
  std::atomic<uint64_t> static_compressed{0}, static_identity{0}, dynamic_compressed{0};
  std::atomic<uint64_t> dynamic_bytes_in{0}, dynamic_bytes_out{0};
};

HRESULT register_static_compression(DWORD version, IHttpModuleRegistrationInfo* info,
                                    IHttpServer* server);
HRESULT register_dynamic_compression(DWORD version, IHttpModuleRegistrationInfo* info,
                                     IHttpServer* server);

}  // namespace hs::modules
