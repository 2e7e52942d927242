#include "core/static_file_handler.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>

#include "base/log.h"
#include "core/open_beneath.h"
#include "core/simple_response.h"
#include "http/conditional.h"
#include "http/http_date.h"
#include "http/range.h"
#include "http/url_path.h"

namespace hs::core {
namespace {

constexpr std::string_view kAllow = "GET, HEAD";

int status_for_open_error(int err) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
    case ENAMETOOLONG:  // no file can have that name
      return 404;
    case EACCES:
    case EPERM:
    case EXDEV:  // would leave the root
    case ELOOP:
      return 403;
    default:
      return 500;
  }
}

std::atomic<uint64_t> g_boundary_counter{0};
std::atomic<uint64_t> g_handler_ids{0};

// A per-thread memo from a request target, byte for byte, to the cached file it led to last time.
// The same bytes always split, decode and normalise to the same path, so a hit skips that work
// and the shared cache's lock. It holds entries weakly and trusts one only while it is fresh by
// the cache's own rule (FileCache::fresh), so a changed file is still seen within valid_ms; an
// entry the cache has evicted but a response still holds may serve until then, as it could
// have been found a moment earlier. Direct-mapped: a collision only means the full path.
struct TargetMemo {
  uint64_t handler = 0;  // StaticFileHandler::id_: ids are never reused, 0 is none
  std::string target;
  std::weak_ptr<CachedFile> file;
};
constexpr size_t kMemoSlots = 16;
thread_local std::array<TargetMemo, kMemoSlots> t_memo;

}  // namespace

StaticFileHandler::StaticFileHandler(StaticFileConfig config)
    : config_(std::move(config)), cache_(config_.cache), id_(++g_handler_ids) {
  root_fd_ = open(config_.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd_ < 0) {
    error_ = "cannot open document root '" + config_.root + "': " + strerror(errno);
    return;
  }
  if (!openat2_works(root_fd_)) {
    open_ = open_beneath_walk;
    HS_LOG_WARN("openat2 is not available (%s): paths beneath %s are resolved in user space",
                strerror(errno), config_.root.c_str());
  }
}

StaticFileHandler::~StaticFileHandler() {
  if (root_fd_ >= 0) close(root_fd_);
}

void StaticFileHandler::handle(http::Exchange& ex) {
  const http::RequestHead& req = ex.request();
  if (req.method != http::Method::kGet && req.method != http::Method::kHead) {
    send_simple_response(ex, 405, "Allow", kAllow);
    return;
  }
  int64_t now_ms = ex.executor().now_ms();
  TargetMemo& memo = t_memo[target_memo_slot(req.target, kMemoSlots)];
  if (memo.handler == id_ && memo.target == req.target) {
    std::shared_ptr<CachedFile> file = memo.file.lock();
    if (file && cache_.fresh(*file, now_ms)) {
      serve_file(ex, std::move(file));
      return;
    }
  }
  std::optional<http::Target> target = http::split_target(req.target);
  if (!target || target->path == "*") {
    send_simple_response(ex, 400);
    return;
  }
  std::string path;
  if (http::normalize_path(target->path, path) != http::PathStatus::kOk) {
    send_simple_response(ex, 400);
    return;
  }
  std::shared_ptr<CachedFile> file = cache_.find(path, now_ms);
  if (!file) {
    file = open_file(ex, path, *target);
    if (!file) return;
  }
  memo.handler = id_;
  memo.target.assign(req.target);
  memo.file = file;
  serve_file(ex, std::move(file));
}

std::shared_ptr<CachedFile> StaticFileHandler::open_file(http::Exchange& ex,
                                                         const std::string& path,
                                                         const http::Target& target) {
  const char* rel = path.size() > 1 ? path.c_str() + 1 : ".";
  int fd = open_(root_fd_, rel);
  if (fd < 0) {
    int err = errno;
    int status = status_for_open_error(err);
    if (status == 500) HS_LOG_ERROR("open %s: %s", path.c_str(), strerror(err));
    if (err == EXDEV) HS_LOG_INFO("refused %s: resolves outside the document root", path.c_str());
    cache_.erase(path);
    send_simple_response(ex, status);
    return nullptr;
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    close(fd);
    send_simple_response(ex, 500);
    return nullptr;
  }
  std::string_view type_path = path;
  std::string doc_path;
  if (S_ISDIR(st.st_mode)) {
    if (path.back() != '/') {
      // Redirect to the directory URL so relative links resolve; keep the path as the client
      // spelled it.
      std::string location(target.path);
      location += '/';
      if (target.has_query) {
        location += '?';
        location += target.query;
      }
      close(fd);
      send_simple_response(ex, 301, "Location", location);
      return nullptr;
    }
    int doc = -1;
    for (const std::string& name : config_.default_documents) {
      doc = open_(fd, name.c_str());
      if (doc >= 0 && fstat(doc, &st) == 0 && S_ISREG(st.st_mode)) {
        doc_path = path + name;
        break;
      }
      if (doc >= 0) close(doc);
      doc = -1;
    }
    close(fd);
    if (doc < 0) {
      ex.response().substatus = 14;  // no default document, and no listing here (IIS 403.14)
      send_simple_response(ex, 403);
      return nullptr;
    }
    fd = doc;
    type_path = doc_path;
  } else if (!S_ISREG(st.st_mode)) {
    close(fd);
    send_simple_response(ex, 404);
    return nullptr;
  }
  std::string_view type = config_.mime.lookup(type_path);
  if (config_.only_known_types) {
    std::optional<std::string_view> known = config_.mime.lookup_known(type_path);
    if (!known) {
      // Not cached: the decision is the map's, and the map does not change while serving.
      close(fd);
      HS_LOG_DEBUG("refused %s: its extension is not in the MIME map (404.3)", path.c_str());
      ex.response().substatus = 3;
      send_simple_response(ex, 404);
      return nullptr;
    }
    type = *known;
  }
  return cache_.insert(path, fd, st, type, ex.executor().now_ms());
}

void StaticFileHandler::serve_file(http::Exchange& ex, std::shared_ptr<CachedFile> file,
                                   std::string_view server) {
  // `file` is pinned by the send's completion: the descriptor and cached bytes stay valid until
  // the body is out.
  const CachedFile& f = *file;
  const int fd = f.fd;
  const http::RequestHead& req = ex.request();
  uint64_t size = static_cast<uint64_t>(f.st.st_size);
  int64_t mtime = static_cast<int64_t>(f.st.st_mtim.tv_sec);
  http::Validators validators{f.etag, mtime};

  // One pass over the request headers for everything that conditions the answer.
  http::Conditionals cond;
  std::optional<std::string_view> range_value, if_range;
  for (const http::HeaderView& h : req.headers) {
    if (h.name.size() < 5) continue;
    char c0 = static_cast<char>(h.name[0] | 0x20);
    if (c0 == 'r') {
      if (!range_value && http::iequals(h.name, "Range")) range_value = h.value;
    } else if (c0 == 'i' && (h.name[1] | 0x20) == 'f' && h.name[2] == '-') {
      std::string_view n = h.name.substr(3);
      if (!cond.if_match && http::iequals(n, "Match"))
        cond.if_match = h.value;
      else if (!cond.if_none_match && http::iequals(n, "None-Match"))
        cond.if_none_match = h.value;
      else if (!cond.if_modified_since && http::iequals(n, "Modified-Since"))
        cond.if_modified_since = h.value;
      else if (!cond.if_unmodified_since && http::iequals(n, "Unmodified-Since"))
        cond.if_unmodified_since = h.value;
      else if (!if_range && http::iequals(n, "Range"))
        if_range = h.value;
    }
  }

  http::ResponseHead& r = ex.response();
  r.headers.clear();
  if (!server.empty()) r.headers.add("Server", server);
  r.headers.add("ETag", f.etag);
  r.headers.add("Last-Modified", std::string_view(f.last_modified, sizeof(f.last_modified)));

  switch (http::evaluate_preconditions(true, cond, validators)) {
    case http::Precondition::kNotModified:
      r.status = 304;
      ex.send({}, true, {});  // no body: nothing of the file is referenced
      return;
    case http::Precondition::kPreconditionFailed:
      file.reset();
      send_simple_response(ex, 412);
      return;
    case http::Precondition::kProceed:
      break;
  }

  std::string_view content_type = f.content_type;
  r.headers.add("Accept-Ranges", "bytes");

  http::RangeSet ranges{http::RangeStatus::kIgnore, {}};
  if (range_value && req.method == http::Method::kGet &&
      (!if_range || http::if_range_matches(*if_range, validators))) {
    ranges = http::parse_range(*range_value, size);
  }

  if (ranges.status == http::RangeStatus::kUnsatisfiable) {
    r.status = 416;
    r.headers.set("Content-Range", http::unsatisfied_content_range(size));
    r.headers.set("Content-Length", "0");
    ex.send({}, true, [file](http::SendResult) {});
    return;
  }

  std::vector<http::BodyChunk> chunks;  // multipart only: the common cases use `one`
  std::shared_ptr<std::vector<std::string>> parts;
  http::BodyChunk one;
  size_t ones = 0;
  if (ranges.status == http::RangeStatus::kSatisfiable && ranges.ranges.size() == 1) {
    const http::ByteRange& br = ranges.ranges.front();
    char content_range[96];
    size_t n = http::format_content_range(br, size, content_range, sizeof(content_range));
    r.status = 206;
    r.headers.set("Content-Type", content_type);
    r.headers.set("Content-Range", std::string_view(content_range, n));
    r.headers.set("Content-Length", std::to_string(br.last - br.first + 1));
    one = http::BodyChunk::file(fd, br.first, br.last - br.first + 1);
    ones = 1;
  } else if (ranges.status == http::RangeStatus::kSatisfiable) {
    // multipart/byteranges (RFC 9110 §14.6): each part names its range; the length is exact.
    char boundary[40];
    int blen = snprintf(boundary, sizeof(boundary), "%016llx%08llx",
                        static_cast<unsigned long long>(mtime ^ static_cast<int64_t>(size)),
                        static_cast<unsigned long long>(g_boundary_counter.fetch_add(1)));
    std::string_view b(boundary, static_cast<size_t>(blen));
    parts = std::make_shared<std::vector<std::string>>();  // the part headers, pinned likewise
    parts->reserve(ranges.ranges.size() + 1);
    uint64_t total = 0;
    for (size_t i = 0; i < ranges.ranges.size(); ++i) {
      const http::ByteRange& br = ranges.ranges[i];
      char content_range[96];
      size_t n = http::format_content_range(br, size, content_range, sizeof(content_range));
      std::string part = i == 0 ? "--" : "\r\n--";
      part.append(b);
      part.append("\r\nContent-Type: ");
      part.append(content_type);
      part.append("\r\nContent-Range: ");
      part.append(content_range, n);
      part.append("\r\n\r\n");
      parts->push_back(std::move(part));
    }
    parts->push_back("\r\n--" + std::string(b) + "--\r\n");
    for (size_t i = 0; i < ranges.ranges.size(); ++i) {
      const http::ByteRange& br = ranges.ranges[i];
      chunks.push_back(http::BodyChunk::memory((*parts)[i]));
      chunks.push_back(http::BodyChunk::file(fd, br.first, br.last - br.first + 1));
      total += (*parts)[i].size() + (br.last - br.first + 1);
    }
    chunks.push_back(http::BodyChunk::memory(parts->back()));
    total += parts->back().size();
    r.status = 206;
    r.headers.set("Content-Type", "multipart/byteranges; boundary=" + std::string(b));
    r.headers.set("Content-Length", std::to_string(total));
  } else {
    r.status = 200;
    r.headers.add("Content-Type", content_type);
    // No Content-Length field: the whole body goes in the one final send below, so the protocol
    // layer states its length (http/exchange.h), as IIS's core does (spec §6.3); a HEAD request
    // gets the same value. Setting it here would add a field that the session parses and drops
    // (6 % of pipelined hello.txt).
    if (f.has_content) {
      // Small files leave with the head in one write. The chunk still names the file range it
      // copies (http::BodyChunk): a consumer that shows the body as a file (IIS) can.
      if (size > 0) {
        one = http::BodyChunk::memory(f.content);
        one.fd = fd;
      }
    } else if (size > 0) {
      one = http::BodyChunk::file(fd, 0, size);
    }
    ones = size > 0 ? 1 : 0;
  }
  if (!chunks.empty()) {
    ex.send(chunks, true, [file, parts](http::SendResult) {});
  } else if (ones == 0 ||
             (one.kind == http::BodyChunk::Kind::kMemory && one.size <= http::kSendCopiesUpTo)) {
    // send() copies what it is given (see http/exchange.h): nothing to keep alive, and no
    // completion to allocate on the commonest path of all, a small cached file.
    ex.send({&one, ones}, true, {});
  } else {
    ex.send({&one, ones}, true, [file = std::move(file)](http::SendResult) {});
  }
}

}  // namespace hs::core
