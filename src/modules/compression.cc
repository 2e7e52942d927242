#include "modules/compression.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "base/log.h"
#include "http/headers.h"
#include "iis/request_context.h"
#include "modules/runtime.h"

namespace hs::modules {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// q of one Accept-Encoding member ("gzip;q=0.5"): 1000 for 1, 0 for refused.
int quality(std::string_view params) {
  size_t q = params.find("q=");
  if (q == std::string_view::npos) q = params.find("Q=");
  if (q == std::string_view::npos) return 1000;
  std::string_view v = trim(params.substr(q + 2));
  v = v.substr(0, v.find(';'));
  double d = std::strtod(std::string(v).c_str(), nullptr);
  if (!(d > 0)) return 0;
  return static_cast<int>(std::min(d, 1.0) * 1000 + 0.5);
}

const char* extension_of(Coding c) {
  switch (c) {
    case Coding::kGzip:
      return ".gz";
    case Coding::kDeflate:
      return ".zz";
    case Coding::kBrotli:
      return ".br";
  }
  return "";
}

// mkdir -p with mode 0700 for what it creates.
bool make_dirs(const std::string& dir) {
  std::string path;
  size_t i = 0;
  while (i <= dir.size()) {
    size_t j = dir.find('/', i);
    if (j == std::string::npos) j = dir.size();
    path = dir.substr(0, j);
    if (!path.empty() && mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return false;
    i = j + 1;
  }
  return true;
}

std::string default_directory() {
  // systemd's CacheDirectory= (the installed unit sets it), else a directory of this user's
  // under the temporary directory.
  if (const char* cache = std::getenv("CACHE_DIRECTORY"); cache != nullptr && *cache == '/') {
    std::string first(cache);
    return first.substr(0, first.find(':')) + "/compressed";
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string base = tmp != nullptr && *tmp == '/' ? tmp : "/tmp";
  return base + "/httpserv-" + std::to_string(getuid()) + "/compressed";
}

}  // namespace

const CompressionOptions::Scheme* choose_scheme(const CompressionOptions& o,
                                                std::string_view accept, bool dynamic) {
  const CompressionOptions::Scheme* best = nullptr;
  int best_q = 0;
  for (const CompressionOptions::Scheme& s : o.schemes) {
    if (dynamic ? !s.do_dynamic : (!s.do_static || s.static_level == 0)) continue;
    int q = -1;    // named: its q
    int any = -1;  // "*": for codings not named
    std::string_view rest = accept;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = trim(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      size_t semi = item.find(';');
      std::string_view coding = trim(item.substr(0, semi));
      std::string_view params = semi == std::string_view::npos ? "" : item.substr(semi + 1);
      if (iequals(coding, s.name)) {
        q = quality(params);
      } else if (coding == "*") {
        any = quality(params);
      }
    }
    int effective = q >= 0 ? q : any;
    if (effective > best_q) {
      best = &s;
      best_q = effective;
    }
  }
  return best;
}

bool type_enabled(const std::vector<CompressionOptions::Type>& types,
                  std::string_view content_type) {
  std::string_view mime = trim(content_type.substr(0, content_type.find(';')));
  size_t slash = mime.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view major = mime.substr(0, slash);
  for (const CompressionOptions::Type& t : types) {
    std::string_view p = t.pattern;
    bool match = p == "*/*" || iequals(mime, p) ||
                 (p.size() == major.size() + 2 && p.substr(major.size()) == "/*" &&
                  iequals(p.substr(0, major.size()), major));
    if (match) return t.enabled;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------

CompressedFiles::Copy::~Copy() {
  if (fd >= 0) close(fd);
}

CompressedFiles::CompressedFiles(const CompressionOptions& options) : options_(options) {
  dir_ = options_.directory.empty() ? default_directory() : options_.directory;
  while (dir_.size() > 1 && dir_.back() == '/')
    dir_.pop_back();
  if (!make_dirs(dir_)) {
    HS_LOG_WARN("static compression: cannot create %s: %s; static files are sent uncompressed",
                dir_.c_str(), strerror(errno));
    return;
  }
  struct stat st {};
  if (lstat(dir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    HS_LOG_WARN("static compression: %s is not a directory; static files are sent uncompressed",
                dir_.c_str());
    return;
  }
  if (options_.directory.empty() && (st.st_uid != getuid() || (st.st_mode & 022) != 0)) {
    // The default lives in a shared temporary directory: only one that is ours alone is trusted
    // (another user could otherwise plant "compressed copies").
    HS_LOG_WARN(
        "static compression: %s is not this user's alone (owner %u, mode %o); static files are "
        "sent uncompressed (set <httpCompression directory>)",
        dir_.c_str(), static_cast<unsigned>(st.st_uid), static_cast<unsigned>(st.st_mode & 0777));
    return;
  }
  ok_ = true;
  scan_disk();
}

std::string CompressedFiles::name_for(const struct stat& st, Coding coding, unsigned level) const {
  char buf[160];
  snprintf(buf, sizeof buf, "%llx-%llx-%llx-%lld.%09ld-%u%s",
           static_cast<unsigned long long>(st.st_dev), static_cast<unsigned long long>(st.st_ino),
           static_cast<unsigned long long>(st.st_size), static_cast<long long>(st.st_mtim.tv_sec),
           static_cast<long>(st.st_mtim.tv_nsec), level, extension_of(coding));
  return buf;
}

void CompressedFiles::scan_disk() {
  // The copies earlier processes left count against the limit; the oldest go first if over.
  DIR* d = opendir(dir_.c_str());
  if (d == nullptr) return;
  struct Found {
    std::string name;
    int64_t mtime;
    uint64_t size;
  };
  std::vector<Found> found;
  uint64_t total = 0;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (fstatat(dirfd(d), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
      continue;
    if (name.rfind(".tmp") != std::string::npos) {  // a copy being written when a process died
      unlinkat(dirfd(d), name.c_str(), 0);
      continue;
    }
    found.push_back(
        {name, static_cast<int64_t>(st.st_mtim.tv_sec), static_cast<uint64_t>(st.st_size)});
    total += static_cast<uint64_t>(st.st_size);
  }
  closedir(d);
  if (options_.limit_disk_space && total > options_.max_disk_bytes) {
    std::sort(found.begin(), found.end(),
              [](const Found& a, const Found& b) { return a.mtime < b.mtime; });
    for (const Found& f : found) {
      if (total <= options_.max_disk_bytes / 10 * 9) break;
      if (unlink((dir_ + "/" + f.name).c_str()) == 0) total -= f.size;
    }
  }
  disk_bytes_ = total;
}

std::shared_ptr<const CompressedFiles::Copy> CompressedFiles::get(int fd, const struct stat& st,
                                                                  Coding coding, unsigned level) {
  if (!ok_) return nullptr;
  const std::string name = name_for(st, coding, level);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(name);
    if (it != index_.end()) {
      lru_.splice(lru_.end(), lru_, it->second.at);
      ++stats_.hits;
      return it->second.copy;
    }
    if (!making_.insert(name).second) return nullptr;  // another thread makes it: send the file
  }
  std::shared_ptr<Copy> copy;
  const std::string path = dir_ + "/" + name;
  int existing = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  bool from_disk = false;
  if (existing >= 0) {
    struct stat cs {};
    if (fstat(existing, &cs) == 0 && S_ISREG(cs.st_mode)) {
      copy = std::make_shared<Copy>();
      copy->fd = existing;
      copy->size = static_cast<uint64_t>(cs.st_size);
      copy->path = path;
      from_disk = true;
    } else {
      close(existing);
    }
  }
  if (!copy) copy = make(fd, st, coding, level, name);
  std::lock_guard<std::mutex> lock(mu_);
  making_.erase(name);
  if (!copy) {
    ++stats_.failures;
    return nullptr;
  }
  if (from_disk) {
    ++stats_.from_disk;
  } else {
    ++stats_.made;
    if (!copy->worthless) disk_bytes_ += copy->size;
  }
  lru_.push_back(name);
  index_[name] = Slot{copy, std::prev(lru_.end())};
  trim_locked();
  return copy;
}

std::shared_ptr<CompressedFiles::Copy> CompressedFiles::make(int fd, const struct stat& st,
                                                             Coding coding, unsigned level,
                                                             const std::string& name) {
  std::unique_ptr<Encoder> enc = make_encoder(coding, level);
  if (!enc) return nullptr;
  const std::string final_path = dir_ + "/" + name;
  std::string tmp = final_path + ".XXXXXX.tmp";
  int out = mkostemps(tmp.data(), 4, O_CLOEXEC);
  if (out < 0) {
    HS_LOG_WARN("static compression: cannot create a file in %s: %s", dir_.c_str(),
                strerror(errno));
    return nullptr;
  }
  auto fail = [&](const char* what) -> std::shared_ptr<Copy> {
    HS_LOG_WARN("static compression: %s %s: %s", what, tmp.c_str(), strerror(errno));
    close(out);
    unlink(tmp.c_str());
    return nullptr;
  };
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  std::vector<char> in(size < 65536 ? std::max<uint64_t>(size, 1) : 65536);
  std::string buf;
  uint64_t done = 0, written = 0;
  while (true) {
    ssize_t n = done < size ? pread(fd, in.data(), in.size(), static_cast<off_t>(done)) : 0;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot read the source of");
    done += static_cast<uint64_t>(n);
    bool last = n == 0 || done >= size;
    buf.clear();
    if (!enc->write(std::string_view(in.data(), static_cast<size_t>(n)),
                    last ? Encoder::Step::kFinish : Encoder::Step::kProcess, &buf)) {
      errno = ENOMEM;
      return fail("cannot compress into");
    }
    size_t at = 0;
    while (at < buf.size()) {
      ssize_t w = write(out, buf.data() + at, buf.size() - at);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return fail("cannot write");
      at += static_cast<size_t>(w);
    }
    written += buf.size();
    if (last) break;
  }
  auto copy = std::make_shared<Copy>();
  if (written >= size) {
    // Not smaller: remember that, and send the file itself.
    close(out);
    unlink(tmp.c_str());
    copy->worthless = true;
    return copy;
  }
  if (rename(tmp.c_str(), final_path.c_str()) != 0) return fail("cannot rename");
  copy->fd = out;  // open for writing; sendfile reads it by offset all the same
  copy->size = written;
  copy->path = final_path;
  return copy;
}

void CompressedFiles::trim_locked() {
  if (!options_.limit_disk_space) return;
  const uint64_t limit = options_.max_disk_bytes;
  if (disk_bytes_ <= limit) return;
  // Down to 90 % of the limit, least recently used first, as IIS.
  while (disk_bytes_ > limit / 10 * 9 && !lru_.empty()) {
    auto it = index_.find(lru_.front());
    lru_.pop_front();
    if (it == index_.end()) continue;
    const Copy& c = *it->second.copy;
    if (!c.worthless && !c.path.empty()) {
      unlink(c.path.c_str());  // a response still sending it keeps its descriptor
      disk_bytes_ -= std::min(disk_bytes_, c.size);
    }
    index_.erase(it);
    ++stats_.evicted;
  }
  if (disk_bytes_ > limit) scan_disk();  // copies of earlier processes, not in the index
}

CompressedFiles::Stats CompressedFiles::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s = stats_;
  s.disk_bytes = disk_bytes_;
  s.entries = index_.size();
  return s;
}

// ---------------------------------------------------------------------------------------------

namespace {

void add_vary(IHttpResponse* r) {
  USHORT n = 0;
  PCSTR vary = r->GetHeader("Vary", &n);
  std::string_view v = vary != nullptr ? std::string_view(vary, n) : std::string_view();
  std::string_view rest = v;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = trim(rest.substr(0, comma));
    if (iequals(item, "Accept-Encoding") || item == "*") return;
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  std::string value = v.empty() ? "Accept-Encoding" : std::string(v) + ", Accept-Encoding";
  r->SetHeader("Vary", value.c_str(), static_cast<USHORT>(value.size()), TRUE);
}

void weaken_etag(IHttpResponse* r) {
  USHORT n = 0;
  PCSTR etag = r->GetHeader("ETag", &n);
  if (etag == nullptr || n == 0 || (n >= 2 && etag[0] == 'W' && etag[1] == '/')) return;
  std::string weak = "W/" + std::string(etag, n);
  r->SetHeader("ETag", weak.c_str(), static_cast<USHORT>(weak.size()), TRUE);
}

void set_header(IHttpResponse* r, const char* name, std::string_view value) {
  r->SetHeader(name, std::string(value).c_str(), static_cast<USHORT>(value.size()), TRUE);
}

// The request rules every compression shares (noCompressionForHttp10 / ForProxies).
bool client_allows(const iis::HttpContextImpl& ctx, const CompressionOptions& o) {
  if (o.no_http10 && ctx.version_major() == 1 && ctx.version_minor() == 0) return false;
  if (o.no_proxies && ctx.request_header("Via") != nullptr) return false;
  return true;
}

class StaticCompressionModule final : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS OnSendResponse(IHttpContext* context,
                                             ISendResponseProvider* provider) override {
    if (!provider->GetHeadersBeingSent()) return RQ_NOTIFICATION_CONTINUE;
    auto* ctx = static_cast<iis::HttpContextImpl*>(context);
    if (!ctx->static_answer() || ctx->is_child()) return RQ_NOTIFICATION_CONTINUE;
    const PathConfig& cfg = path_config(*ctx);
    if (!cfg.options.compression.static_compression || cfg.runtime == nullptr)
      return RQ_NOTIFICATION_CONTINUE;
    const CompressionOptions& o = cfg.runtime->options().compression;
    const USHORT status = ctx->status();
    IHttpResponse* r = ctx->GetResponse();
    if (status == 304) {
      // A client holding the compressed copy's weak tag revalidated it (a weak match): the
      // 304 names what it holds.
      USHORT n = 0;
      PCSTR etag = r->GetHeader("ETag", &n);
      const std::string* inm = ctx->request_header("If-None-Match");
      if (etag != nullptr && n > 0 && inm != nullptr &&
          inm->find("W/" + std::string(etag, n)) != std::string::npos) {
        weaken_etag(r);
        add_vary(r);
      }
      return RQ_NOTIFICATION_CONTINUE;
    }
    if (status != 200 || ctx->buffered_bytes() < o.min_file_size) return RQ_NOTIFICATION_CONTINUE;
    const std::string* type = ctx->response_header("Content-Type");
    if (type == nullptr || !type_enabled(o.static_types, *type)) return RQ_NOTIFICATION_CONTINUE;
    // A representation that could be compressed: caches must key it on Accept-Encoding.
    add_vary(r);
    const std::string* accept = ctx->request_header("Accept-Encoding");
    if (accept == nullptr || !client_allows(*ctx, o)) return identity(cfg);
    if (o.no_range && ctx->request_header("Range") != nullptr) return identity(cfg);
    const CompressionOptions::Scheme* scheme = choose_scheme(o, *accept, false);
    if (scheme == nullptr) return identity(cfg);
    if (!o.ignore_hit_frequency) {
      IHttpUrlInfo* u = ctx->GetUrlInfo();
      if (u == nullptr || !u->IsFrequentlyHit()) return identity(cfg);
    }
    // StaticFileModule's body: the whole file, one chunk.
    const HTTP_RESPONSE* raw = r->GetRawHttpResponse();
    if (raw == nullptr || raw->EntityChunkCount != 1 ||
        raw->pEntityChunks[0].DataChunkType != HttpDataChunkFromFileHandle) {
      return identity(cfg);
    }
    const HTTP_DATA_CHUNK& chunk = raw->pEntityChunks[0];
    int fd = static_cast<int>(reinterpret_cast<intptr_t>(chunk.FromFileHandle.FileHandle));
    struct stat st {};
    if (chunk.FromFileHandle.ByteRange.StartingOffset.QuadPart != 0 || fstat(fd, &st) != 0 ||
        static_cast<uint64_t>(st.st_size) != chunk.FromFileHandle.ByteRange.Length.QuadPart) {
      return identity(cfg);
    }
    CompressedFiles* files = cfg.runtime->compressed_files();
    Coding coding{};
    if (files == nullptr || !parse_coding(scheme->name, &coding)) return identity(cfg);
    std::shared_ptr<const CompressedFiles::Copy> copy;
    {
      base::Region region(ctx->blocking_host());  // may compress a large file now
      copy = files->get(fd, st, coding, scheme->static_level);
    }
    if (copy == nullptr || copy->worthless) return identity(cfg);
    http::BodyChunk body = http::BodyChunk::file(copy->fd, 0, copy->size);
    ctx->replace_body({&body, 1}, [copy](http::SendResult) {});
    set_header(r, "Content-Encoding", coding_name(coding));
    weaken_etag(r);
    if (o.send_cache_headers) {
      set_header(r, "Cache-Control", o.cache_control_header);
      set_header(r, "Expires", o.expires_header);
    }
    cfg.runtime->compression_counters().static_compressed.fetch_add(1, std::memory_order_relaxed);
    return RQ_NOTIFICATION_CONTINUE;
  }

  VOID Dispose() override {}  // shared by every request (SharedModuleFactory)

 private:
  static REQUEST_NOTIFICATION_STATUS identity(const PathConfig& cfg) {
    cfg.runtime->compression_counters().static_identity.fetch_add(1, std::memory_order_relaxed);
    return RQ_NOTIFICATION_CONTINUE;
  }
};

HTTP_MODULE_ID g_dynamic_id = nullptr;

// One response's compression stream (the module's stored context of the request).
class DynamicState final : public IHttpStoredContext {
 public:
  explicit DynamicState(std::unique_ptr<Encoder> e) : encoder(std::move(e)) {}
  VOID CleanupStoredContext() override { delete this; }
  std::unique_ptr<Encoder> encoder;
  bool finished = false;
};

class DynamicCompressionModule final : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS OnSendResponse(IHttpContext* context,
                                             ISendResponseProvider* provider) override {
    auto* ctx = static_cast<iis::HttpContextImpl*>(context);
    if (ctx->static_answer() || ctx->is_child()) return RQ_NOTIFICATION_CONTINUE;
    const bool last = (provider->GetFlags() & HTTP_SEND_RESPONSE_FLAG_MORE_DATA) == 0;
    IHttpModuleContextContainer* container = ctx->GetModuleContextContainer();
    auto* state = static_cast<DynamicState*>(container->GetModuleContext(g_dynamic_id));
    if (provider->GetHeadersBeingSent()) {
      state = start(ctx, last);
      if (state == nullptr) return RQ_NOTIFICATION_CONTINUE;
      container->SetModuleContext(state, g_dynamic_id);
    }
    if (state == nullptr || state->finished) return RQ_NOTIFICATION_CONTINUE;
    compress(ctx, state, last);
    return RQ_NOTIFICATION_CONTINUE;
  }

  VOID Dispose() override {}  // shared by every request (SharedModuleFactory)

 private:
  // Whether this response is compressed, decided as its headers go; the headers set if so.
  static DynamicState* start(iis::HttpContextImpl* ctx, bool last) {
    const PathConfig& cfg = path_config(*ctx);
    if (!cfg.options.compression.dynamic_compression || cfg.runtime == nullptr) return nullptr;
    const CompressionOptions& o = cfg.runtime->options().compression;
    if (ctx->status() != 200 || ctx->method() == "HEAD") return nullptr;
    IHttpResponse* r = ctx->GetResponse();
    if (ctx->response_header("Content-Encoding") != nullptr ||
        ctx->response_header("Content-Range") != nullptr) {
      return nullptr;
    }
    const std::string* type = ctx->response_header("Content-Type");
    if (type == nullptr || !type_enabled(o.dynamic_types, *type)) return nullptr;
    if (last && ctx->buffered_bytes() < o.min_file_size) return nullptr;
    add_vary(r);
    const std::string* accept = ctx->request_header("Accept-Encoding");
    if (accept == nullptr || !client_allows(*ctx, o)) return nullptr;
    const CompressionOptions::Scheme* scheme = choose_scheme(o, *accept, true);
    Coding coding{};
    if (scheme == nullptr || !parse_coding(scheme->name, &coding)) return nullptr;
    std::unique_ptr<Encoder> enc = make_encoder(coding, scheme->dynamic_level);
    if (!enc) return nullptr;
    set_header(r, "Content-Encoding", coding_name(coding));
    r->DeleteHeader("Content-Length");
    weaken_etag(r);
    if (o.send_cache_headers) {
      set_header(r, "Cache-Control", o.cache_control_header);
      set_header(r, "Expires", o.expires_header);
    }
    cfg.runtime->compression_counters().dynamic_compressed.fetch_add(1, std::memory_order_relaxed);
    return new DynamicState(std::move(enc));
  }

  // This send's buffered body, compressed (flushed, or finished on the last send).
  static void compress(iis::HttpContextImpl* ctx, DynamicState* state, bool last) {
    // What to read, taken from the response first: the encoding runs in a region (a large body
    // costs CPU time, a file chunk a read), where the request's state is not touched.
    const HTTP_RESPONSE* raw = ctx->GetResponse()->GetRawHttpResponse();
    std::vector<HTTP_DATA_CHUNK> chunks;
    if (raw != nullptr)
      chunks.assign(raw->pEntityChunks, raw->pEntityChunks + raw->EntityChunkCount);
    auto out = std::make_shared<std::string>();
    uint64_t in_bytes = 0;
    bool ok = true;
    {
      base::Region region(ctx->blocking_host());
      std::vector<char> buf;
      for (size_t i = 0; ok && i < chunks.size(); ++i) {
        const HTTP_DATA_CHUNK& c = chunks[i];
        if (c.DataChunkType == HttpDataChunkFromMemory) {
          std::string_view data(static_cast<const char*>(c.FromMemory.pBuffer),
                                c.FromMemory.BufferLength);
          ok = state->encoder->write(data, Encoder::Step::kProcess, out.get());
          in_bytes += data.size();
        } else if (c.DataChunkType == HttpDataChunkFromFileHandle) {
          int fd = static_cast<int>(reinterpret_cast<intptr_t>(c.FromFileHandle.FileHandle));
          uint64_t at = c.FromFileHandle.ByteRange.StartingOffset.QuadPart;
          uint64_t left = c.FromFileHandle.ByteRange.Length.QuadPart;
          buf.resize(65536);
          while (ok && left > 0) {
            ssize_t n =
                pread(fd, buf.data(), std::min<uint64_t>(left, buf.size()), static_cast<off_t>(at));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
              ok = false;
              break;
            }
            ok = state->encoder->write(std::string_view(buf.data(), static_cast<size_t>(n)),
                                       Encoder::Step::kProcess, out.get());
            at += static_cast<uint64_t>(n);
            left -= static_cast<uint64_t>(n);
            in_bytes += static_cast<uint64_t>(n);
          }
        } else {
          ok = false;  // the buffered body holds memory and file chunks only (fragments resolved)
        }
      }
      if (ok) {
        ok = state->encoder->write({}, last ? Encoder::Step::kFinish : Encoder::Step::kFlush,
                                   out.get());
      }
    }
    if (!ok) {
      // The stream cannot go on: what was sent already is compressed, so the connection is
      // reset rather than sent a corrupt body.
      HS_LOG_ERROR("dynamic compression failed for %s; resetting the connection",
                   std::string(ctx->url()).c_str());
      state->finished = true;
      ctx->GetResponse()->ResetConnection();
      return;
    }
    if (last) state->finished = true;
    const PathConfig& cfg = path_config(*ctx);
    if (cfg.runtime != nullptr) {
      cfg.runtime->compression_counters().dynamic_bytes_in.fetch_add(in_bytes);
      cfg.runtime->compression_counters().dynamic_bytes_out.fetch_add(out->size());
    }
    http::BodyChunk chunk = http::BodyChunk::memory(*out);
    ctx->replace_body({&chunk, out->empty() ? 0u : 1u}, [out](http::SendResult) {});
  }
};

}  // namespace

HRESULT register_static_compression(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  static SharedModuleFactory<StaticCompressionModule> factory;
  HRESULT hr = info->SetRequestNotifications(&factory, RQ_SEND_RESPONSE, 0);
  if (FAILED(hr)) return hr;
  // FIRST runs last in RQ_SEND_RESPONSE: after every module, on what is really sent.
  return info->SetPriorityForRequestNotification(RQ_SEND_RESPONSE, PRIORITY_ALIAS_FIRST);
}

HRESULT register_dynamic_compression(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  static SharedModuleFactory<DynamicCompressionModule> factory;
  g_dynamic_id = info->GetId();  // its stored context per request
  HRESULT hr = info->SetRequestNotifications(&factory, RQ_SEND_RESPONSE, 0);
  if (FAILED(hr)) return hr;
  return info->SetPriorityForRequestNotification(RQ_SEND_RESPONSE, PRIORITY_ALIAS_FIRST);
}

}  // namespace hs::modules
