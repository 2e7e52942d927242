#include "core/static_file_handler.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>

#include "base/log.h"
#include "core/simple_response.h"
#include "http/conditional.h"
#include "http/http_date.h"
#include "http/range.h"
#include "http/url_path.h"

namespace hs::core {
namespace {

constexpr std::string_view kAllow = "GET, HEAD";

// openat2 with RESOLVE_BENEATH: the kernel refuses any resolution that leaves `dirfd` (through
// "..", an absolute symlink or a symlink to outside) with EXDEV. O_NONBLOCK keeps a FIFO planted in
// the tree from blocking the event loop.
int open_beneath(int dirfd, const char* path) {
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(syscall(SYS_openat2, dirfd, path, &how, sizeof(how)));
}

int status_for_open_error(int err) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return 404;
    case EACCES:
    case EPERM:
    case EXDEV:  // would leave the root
    case ELOOP:
      return 403;
    case ENAMETOOLONG:
      return 414;
    default:
      return 500;
  }
}

// What a response pins until its send completes: the file and any bytes we generated.
struct Pinned {
  int fd = -1;
  std::vector<std::string> parts;
  ~Pinned() {
    if (fd >= 0) close(fd);
  }
};

std::atomic<uint64_t> g_boundary_counter{0};

}  // namespace

StaticFileHandler::StaticFileHandler(StaticFileConfig config) : config_(std::move(config)) {
  root_fd_ = open(config_.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd_ < 0) error_ = "cannot open document root '" + config_.root + "': " + strerror(errno);
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
  const char* rel = path.size() > 1 ? path.c_str() + 1 : ".";
  int fd = open_beneath(root_fd_, rel);
  if (fd < 0) {
    int err = errno;
    int status = status_for_open_error(err);
    if (status == 500) HS_LOG_ERROR("open %s: %s", path.c_str(), strerror(err));
    if (err == EXDEV) HS_LOG_INFO("refused %s: resolves outside the document root", path.c_str());
    send_simple_response(ex, status);
    return;
  }
  struct stat st{};
  if (fstat(fd, &st) != 0) {
    close(fd);
    send_simple_response(ex, 500);
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    if (path.back() != '/') {
      // Redirect to the directory URL so relative links resolve; keep the path as the client
      // spelled it.
      std::string location(target->path);
      location += '/';
      if (target->has_query) {
        location += '?';
        location += target->query;
      }
      close(fd);
      send_simple_response(ex, 301, "Location", location);
      return;
    }
    int doc = -1;
    struct stat doc_st{};
    for (const std::string& name : config_.default_documents) {
      doc = open_beneath(fd, name.c_str());
      if (doc >= 0 && fstat(doc, &doc_st) == 0 && S_ISREG(doc_st.st_mode)) break;
      if (doc >= 0) close(doc);
      doc = -1;
    }
    close(fd);
    if (doc < 0) {
      send_simple_response(ex, 403);  // no default document and no directory listing
      return;
    }
    serve_file(ex, doc, doc_st, config_.default_documents.empty() ? path : path + "index.html");
    return;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    send_simple_response(ex, 404);
    return;
  }
  serve_file(ex, fd, st, path);
}

void StaticFileHandler::serve_file(http::Exchange& ex, int fd, const struct stat& st,
                                   std::string_view path) {
  auto pinned = std::make_shared<Pinned>();
  pinned->fd = fd;
  const http::RequestHead& req = ex.request();
  uint64_t size = static_cast<uint64_t>(st.st_size);
  int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec);

  char etag[64];
  size_t etag_len = http::make_etag(mtime, size, etag, sizeof(etag));
  char last_modified[http::kHttpDateLength];
  http::format_http_date(mtime, last_modified);
  http::Validators validators{std::string_view(etag, etag_len), mtime};

  http::Conditionals cond;
  bool found = false;
  std::string_view v = req.header("If-Match", &found);
  if (found) cond.if_match = v;
  v = req.header("If-None-Match", &found);
  if (found) cond.if_none_match = v;
  v = req.header("If-Modified-Since", &found);
  if (found) cond.if_modified_since = v;
  v = req.header("If-Unmodified-Since", &found);
  if (found) cond.if_unmodified_since = v;

  http::ResponseHead& r = ex.response();
  r.headers.clear();
  r.headers.set("ETag", std::string_view(etag, etag_len));
  r.headers.set("Last-Modified", std::string_view(last_modified, sizeof(last_modified)));

  switch (http::evaluate_preconditions(true, cond, validators)) {
    case http::Precondition::kNotModified:
      r.status = 304;
      ex.send({}, true, [pinned](http::SendResult) {});
      return;
    case http::Precondition::kPreconditionFailed:
      pinned.reset();
      send_simple_response(ex, 412);
      return;
    case http::Precondition::kProceed:
      break;
  }

  std::string_view content_type = config_.mime.lookup(path);
  r.headers.set("Accept-Ranges", "bytes");

  http::RangeSet ranges{http::RangeStatus::kIgnore, {}};
  std::string_view range_value = req.header("Range", &found);
  if (found && req.method == http::Method::kGet) {
    std::string_view if_range = req.header("If-Range", &found);
    if (!found || http::if_range_matches(if_range, validators)) {
      ranges = http::parse_range(range_value, size);
    }
  }

  if (ranges.status == http::RangeStatus::kUnsatisfiable) {
    r.status = 416;
    r.headers.set("Content-Range", http::unsatisfied_content_range(size));
    r.headers.set("Content-Length", "0");
    ex.send({}, true, [pinned](http::SendResult) {});
    return;
  }

  std::vector<http::BodyChunk> chunks;
  if (ranges.status == http::RangeStatus::kSatisfiable && ranges.ranges.size() == 1) {
    const http::ByteRange& br = ranges.ranges.front();
    char content_range[96];
    size_t n = http::format_content_range(br, size, content_range, sizeof(content_range));
    r.status = 206;
    r.headers.set("Content-Type", content_type);
    r.headers.set("Content-Range", std::string_view(content_range, n));
    r.headers.set("Content-Length", std::to_string(br.last - br.first + 1));
    chunks.push_back(http::BodyChunk::file(fd, br.first, br.last - br.first + 1));
  } else if (ranges.status == http::RangeStatus::kSatisfiable) {
    // multipart/byteranges (RFC 9110 §14.6): each part names its range; the length is exact.
    char boundary[40];
    int blen = snprintf(boundary, sizeof(boundary), "%016llx%08llx",
                        static_cast<unsigned long long>(mtime ^ static_cast<int64_t>(size)),
                        static_cast<unsigned long long>(g_boundary_counter.fetch_add(1)));
    std::string_view b(boundary, static_cast<size_t>(blen));
    pinned->parts.reserve(ranges.ranges.size() + 1);
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
      pinned->parts.push_back(std::move(part));
    }
    pinned->parts.push_back("\r\n--" + std::string(b) + "--\r\n");
    for (size_t i = 0; i < ranges.ranges.size(); ++i) {
      const http::ByteRange& br = ranges.ranges[i];
      chunks.push_back(http::BodyChunk::memory(pinned->parts[i]));
      chunks.push_back(http::BodyChunk::file(fd, br.first, br.last - br.first + 1));
      total += pinned->parts[i].size() + (br.last - br.first + 1);
    }
    chunks.push_back(http::BodyChunk::memory(pinned->parts.back()));
    total += pinned->parts.back().size();
    r.status = 206;
    r.headers.set("Content-Type", "multipart/byteranges; boundary=" + std::string(b));
    r.headers.set("Content-Length", std::to_string(total));
  } else {
    r.status = 200;
    r.headers.set("Content-Type", content_type);
    r.headers.set("Content-Length", std::to_string(size));
    if (size > 0) chunks.push_back(http::BodyChunk::file(fd, 0, size));
  }
  ex.send(chunks, true, [pinned](http::SendResult) {});
}

}  // namespace hs::core
