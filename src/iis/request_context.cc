#include "iis/request_context.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>

#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "http/headers.h"
#include "http/status.h"
#include "http/url_path.h"
#include "http/utf8.h"
#include "iis/child_request.h"
#include "iis/context_container.h"
#include "iis/file_info.h"
#include "iis/global_notifications.h"
#include "iis/iis_handler.h"
#include "iis/module_region.h"
#include "iis/module_registry.h"
#include "iis/script_map_info.h"
#include "iis/site_objects.h"
#include "iis/static_bridge.h"
#include "iis/url_info.h"
#include "iis/wide.h"

namespace hs::iis {
namespace {

constexpr int kStages = 12;
constexpr int kLogStage = 10;  // RQ_LOG_REQUEST
constexpr int kEndStage = 11;  // RQ_END_REQUEST
constexpr int kExecuteStage = 7;

DWORD stage_bit(int stage) {
  return 1u << stage;
}

// Whether a module's header list (entries with .name and .value) still equals the head's.
template <class List>
bool same_headers(const http::ResponseHeaders& head, const List& list) {
  std::span<const http::ResponseHeaders::Entry> e = head.entries();
  if (e.size() != list.size()) return false;
  for (size_t i = 0; i < e.size(); ++i) {
    if (e[i].first != list[i].name || e[i].second != list[i].value) return false;
  }
  return true;
}

// Event providers handed to notifications. One per context; IIS's are per-notification but
// carry no state modules may rely on beyond the notification.
class EventProvider final : public IMapHandlerProvider {
 public:
  VOID SetErrorStatus(HRESULT hr) override { error_ = hr; }
  HRESULT SetScriptName(PCWSTR, DWORD) override { return S_OK; }
  VOID SetScriptMap(IScriptMapInfo*) override {}
  VOID SetFileInfo(IHttpFileInfo*) override {}
  HRESULT error_ = S_OK;
};

class AuthProvider final : public IAuthenticationProvider {
 public:
  VOID SetErrorStatus(HRESULT hr) override { error_ = hr; }
  VOID SetUser(IHttpUser*) override {}  // authentication modules arrive with a later issue
  HRESULT error_ = S_OK;
};

class CompletionInfo final : public IHttpCompletionInfo2 {
 public:
  CompletionInfo(DWORD bytes, HRESULT status, DWORD op) : bytes_(bytes), status_(status), op_(op) {}
  DWORD GetCompletionBytes() const override { return bytes_; }
  HRESULT GetCompletionStatus() const override { return status_; }
  DWORD GetCompletedOperation() const override { return op_; }

 private:
  DWORD bytes_;
  HRESULT status_;
  DWORD op_;
};

// 1 = read (as iisnode reads it), 2 = write/flush, 0 = other (spec §4.6, our decision).
constexpr DWORD kOpOther = 0, kOpRead = 1;

class Allocator final : public IModuleAllocator {
 public:
  explicit Allocator(HttpContextImpl& ctx) : ctx_(ctx) {}
  VOID* AllocateMemory(DWORD cb) override { return ctx_.AllocateRequestMemory(cb); }

 private:
  HttpContextImpl& ctx_;
};

const char* stage_name(int stage) {
  static const char* const kNames[kStages] = {"RQ_BEGIN_REQUEST",
                                              "RQ_AUTHENTICATE_REQUEST",
                                              "RQ_AUTHORIZE_REQUEST",
                                              "RQ_RESOLVE_REQUEST_CACHE",
                                              "RQ_MAP_REQUEST_HANDLER",
                                              "RQ_ACQUIRE_REQUEST_STATE",
                                              "RQ_PRE_EXECUTE_REQUEST_HANDLER",
                                              "RQ_EXECUTE_REQUEST_HANDLER",
                                              "RQ_RELEASE_REQUEST_STATE",
                                              "RQ_UPDATE_REQUEST_CACHE",
                                              "RQ_LOG_REQUEST",
                                              "RQ_END_REQUEST"};
  return stage >= 0 && stage < kStages ? kNames[stage] : "?";
}

class PreBeginProvider final : public IPreBeginRequestProvider {
 public:
  explicit PreBeginProvider(IHttpContext* ctx) : ctx_(ctx) {}
  VOID SetErrorStatus(HRESULT) override {}
  IHttpContext* GetHttpContext() override { return ctx_; }

 private:
  IHttpContext* ctx_;
};

// Lexical normalisation of an absolute, decoded path: empty and "." segments vanish, ".."
// removes the previous segment. False for a relative path, a '\' or control byte, or a ".."
// that would climb above "/". A trailing '/' is kept.
bool normalize_decoded(std::string_view in, std::string* out) {
  if (in.empty() || in[0] != '/') return false;
  std::vector<std::string_view> segs;
  size_t i = 0;
  while (i < in.size()) {
    size_t j = in.find('/', i);
    if (j == std::string_view::npos) j = in.size();
    std::string_view seg = in.substr(i, j - i);
    for (char c : seg) {
      auto u = static_cast<unsigned char>(c);
      if (c == '\\' || u < 0x20 || u == 0x7F) return false;
    }
    if (seg == "..") {
      if (segs.empty()) return false;
      segs.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segs.push_back(seg);
    }
    i = j + 1;
  }
  out->clear();
  for (std::string_view seg : segs) {
    out->push_back('/');
    out->append(seg);
  }
  bool dir = in.back() == '/' || in.ends_with("/.") || in.ends_with("/..");
  if (out->empty() || dir) out->push_back('/');
  return true;
}

// IMapPathProvider: the module may redirect the mapping, but only to somewhere beneath the site
// root (a physical path outside it gets HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED)).
class MapPathProvider final : public IMapPathProvider {
 public:
  MapPathProvider(const std::string& root, std::string_view url, std::string physical)
      : root_(root),
        url_(widen(url)),
        physical_(std::move(physical)),
        wphysical_(widen(physical_)) {}
  VOID SetErrorStatus(HRESULT) override {}
  PCWSTR GetUrl() const override { return url_.c_str(); }
  PCWSTR GetPhysicalPath() const override { return wphysical_.c_str(); }
  HRESULT SetPhysicalPath(PCWSTR path, DWORD cch) override {
    if (path == nullptr || cch == 0) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
    std::string want = narrow(std::wstring_view(path, cch));
    std::string norm;
    if (!normalize_decoded(want, &norm)) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
    std::string r = root_ == "/" ? std::string() : root_;
    bool inside = norm == r + "/" || norm.rfind(r + "/", 0) == 0;
    if (!inside) return HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED);
    if (norm.size() > 1 && norm.back() == '/' && want.back() != '/') norm.pop_back();
    physical_ = norm;
    wphysical_ = widen(physical_);
    return S_OK;
  }
  const std::string& physical() const { return physical_; }

 private:
  const std::string& root_;
  std::wstring url_;
  std::string physical_;
  std::wstring wphysical_;
};

class ReadEntityProvider final : public IReadEntityProvider {
 public:
  ReadEntityProvider(void* buf, DWORD data, DWORD cb) : buf_(buf), data_(data), cb_(cb) {}
  VOID SetErrorStatus(HRESULT) override {}
  VOID GetEntity(PVOID* ppBuffer, DWORD* pcbData, DWORD* pcbBuffer) override {
    if (ppBuffer) *ppBuffer = buf_;
    if (pcbData) *pcbData = data_;
    if (pcbBuffer) *pcbBuffer = cb_;
  }
  VOID SetEntity(PVOID pBuffer, DWORD cbData, DWORD cbBuffer) override {
    if (pBuffer == nullptr && cbData > 0) return;  // nothing to read from: ignored
    buf_ = pBuffer;
    data_ = cbData;
    cb_ = cbBuffer < cbData ? cbData : cbBuffer;
  }
  void* buf_;
  DWORD data_, cb_;
};

thread_local EventProvider t_event_provider;
thread_local AuthProvider t_auth_provider;

}  // namespace

// ----------------------------------------------------------------------------------------------

namespace {
using ContextMemory = base::BlockCache<sizeof(HttpContextImpl), 128>;
}  // namespace

void* HttpContextImpl::operator new(size_t size) {
  return size == sizeof(HttpContextImpl) ? ContextMemory::take() : ::operator new(size);
}

void HttpContextImpl::operator delete(void* p, size_t size) noexcept {
  if (size == sizeof(HttpContextImpl))
    ContextMemory::give(p);
  else
    ::operator delete(p);
}

bool HttpContextImpl::Storage::recycle() {
  // A task still queued holds the flag and must keep finding it false; and containers grown past
  // what a usual request needs give their memory back rather than keep it per thread.
  constexpr size_t kMaxKept = 64;
  if (alive.use_count() != 1 || request_headers.capacity() > kMaxKept ||
      response_headers.capacity() > kMaxKept || raw_unknown_headers.capacity() > kMaxKept ||
      variables.capacity() > kMaxKept || list.capacity() > kMaxKept ||
      instances.capacity() > kMaxKept || disabled.capacity() > kMaxKept ||
      buffered.capacity() > kMaxKept || scratch.capacity() > kMaxKept ||
      abandoned.capacity() > 8 * kMaxKept || arena.extra_capacity() > kMaxKept)
    return false;
  request_headers.clear();
  response_headers.clear();
  raw_unknown_headers.clear();
  variables.clear();
  inserted_body.clear();
  list.clear();
  instances.clear();
  disabled.clear();
  abandoned.clear();
  buffered.clear();
  scratch.clear();
  queue.clear();
  arena.reset();
  *alive = true;
  return true;
}

HttpContextImpl::HttpContextImpl(IisHandler& owner, http::Exchange& ex)
    : owner_(owner), ex_(&ex), exec_(ex.executor()), host_(exec_.blocking_host()) {
  start_ms_ = monotonic_ms();
  const http::RequestHead& h = ex.request();
  method_.assign(h.method_name);
  raw_target_.assign(h.target);
  version_major_ = h.version_major;
  version_minor_ = h.version_minor;
  if (h.body == http::BodyFraming::kContentLength) declared_length_ = h.content_length;
  has_body_ = h.has_body();
  if (auto t = http::split_target(h.target)) {
    if (http::normalize_path(t->path, url_) != http::PathStatus::kOk) {
      url_.assign(t->path);
      url_raw_ = true;
    }
    query_.assign(t->query);
  } else {
    url_.assign(h.target);
  }
  request_headers_.reserve(h.headers.size());
  for (const auto& f : h.headers)
    request_headers_.push_back({std::string(f.name), std::string(f.value)});
  remote_host_.assign(ex.remote_address());
  local_host_.assign(ex.local_address());
  remote_port_ = ex.remote_port();
  local_port_ = ex.local_port();
  if (const http::ConnectionInfo& ci = ex.connection_info(); ci.secure) {
    tls_ = std::make_unique<TlsCopy>();
    tls_->version = ci.tls_version;
    tls_->cipher = ci.cipher;
    tls_->cipher_bits = ci.cipher_bits;
    tls_->server_subject = ci.server_subject;
    tls_->server_issuer = ci.server_issuer;
    tls_->peer_certificate = ci.peer_certificate;
    tls_->peer_subject = ci.peer_subject;
    tls_->peer_issuer = ci.peer_issuer;
    tls_->peer_serial = ci.peer_serial;
    tls_->peer_key_bits = ci.peer_key_bits;
    tls_->peer_verified = ci.peer_verified;
  }
  instances_.assign(owner_.registry().modules().size(), nullptr);
  disabled_.assign(owner_.registry().modules().size(), {0, 0});
  abandoned_.assign(owner_.registry().modules().size(), false);
  // The connection's IIS state, shared by the requests of one connection (keep-alive).
  if (std::shared_ptr<http::ConnectionData>* slot = ex.connection_data()) {
    connection_state_ = std::dynamic_pointer_cast<ConnectionState>(*slot);
    if (!connection_state_ && !*slot) {
      connection_state_ = std::make_shared<ConnectionState>(&owner_.registry());
      *slot = connection_state_;
    }
  }
  if (!connection_state_) {
    connection_state_ = std::make_shared<ConnectionState>(&owner_.registry());
    own_connection_state_ = true;
  }
  add_default_response_headers();
  ex.set_abort_handler([this] { on_exchange_gone(); });
  ++owner_.live_;
}

HttpContextImpl::~HttpContextImpl() {
  *alive_ = false;  // tasks still queued from other threads find a dead context and do nothing
  // Clones still held (the parent module did not release them): let go of them, newest first.
  // One still running hears that its connection is gone and ends by itself.
  while (!children_.empty()) {
    HttpContextImpl* child = children_.back();
    children_.pop_back();
    child->parent_ = nullptr;
    child->released_ = true;
    if (child->child_exchange_) child->child_exchange_->parent_gone();
    if (!child->executed_) {
      child->exec_.defer_blocking([child] { delete child; });
    } else {
      child->maybe_destroy();
    }
  }
  // Stored contexts are cleaned up (exactly once each) before the modules are disposed.
  if (container_) {
    base::Region region(host_);
    container_->cleanup();
  }
  for (CHttpModule*& m : instances_) {
    if (m == nullptr) continue;
    try {
      base::Region region(host_);
      m->Dispose();
    } catch (...) {
      HS_LOG_ERROR("a module threw from Dispose()");
    }
    m = nullptr;
  }
  if (file_info_ != nullptr) file_info_->DereferenceCacheData();
  // Our reference to the connection's state goes before the request memory does: if it was the
  // last one, CleanupStoredContext runs now (the connection closed before this request ended).
  connection_state_.reset();
  --owner_.live_;  // buffer_ and queue_ close their descriptors as they go
}

void HttpContextImpl::serve_static() {
  // IIS's StaticFileModule: core's handler answers into this response (static_bridge.h). It is
  // given the request's URL as the pipeline has it (a rewrite included), relative to the virtual
  // directory it is under; a target that did not decode to a clean path (and was not rewritten)
  // goes as received, so that core refuses it as it does without the pipeline (400).
  const IisHandler::VirtualDirectory* vdir = owner_.virtual_directory_for(url_);
  http::Handler* files = vdir != nullptr ? vdir->files : owner_.static_files();
  std::string_view prefix = vdir != nullptr ? std::string_view(vdir->prefix) : std::string_view();
  if (vdir != nullptr && url_.size() == prefix.size()) {
    // The virtual directory itself, without its '/': 301 to the directory URL, as core answers
    // for every other directory (relative links inside it must resolve beneath it).
    std::string location = StaticBridge::encode_path(url_) + "/";
    if (!query_.empty()) location += "?" + query_;
    response_.SetStatus(301, "Moved Permanently");
    response_.SetHeader("Location", location.c_str(), static_cast<USHORT>(location.size()), TRUE);
    return;
  }
  const http::RequestHead* request = nullptr;
  http::RequestHead rewritten;
  // The request's own target decodes to url_: core gets it as it came, unless the pipeline
  // changed the URL or a virtual directory takes part of it.
  if (url_changed_ || vdir != nullptr) {
    std::string_view rest = std::string_view(url_).substr(std::min(prefix.size(), url_.size()));
    std::string target = StaticBridge::encode_path(rest.empty() ? std::string_view("/") : rest);
    if (!query_.empty()) {
      target += '?';
      target.append(query_);
    }
    // Most requests keep the target they came with: core then reads the connection's own head.
    if (target != ex_->request().target) {
      static_target_ = std::move(target);
      rewritten = ex_->request();
      rewritten.target = static_target_;
      request = &rewritten;
    }
  }
  StaticBridge bridge(*this, *ex_, request, prefix);
  ex_->response().substatus = 0;  // core sets it only for IIS's 404.3 and 403.14
  files->handle(bridge);
}

void HttpContextImpl::take_core_response(const http::ResponseHead& head,
                                         std::span<const http::BodyChunk> chunks,
                                         http::SendCompletion done) {
  sync_from_raw_response();
  static_answer_ = true;
  if (!headers_sent_) {
    status_ = static_cast<USHORT>(head.status);
    substatus_ = head.substatus;
    reason_ = head.reason.empty() ? std::string(http::reason_phrase(head.status)) : head.reason;
    // Merged into what modules set before (IIS keeps those), each field replacing its name.
    // Content-Length stays out: the response is sent in one final send whose length the
    // protocol states (as IIS's core does), and a module may still change the body.
    bool merge = !response_headers_.empty();
    for (const auto& [name, value] : head.headers.entries()) {
      if (name.size() == 14 && http::iequals(name, "Content-Length")) continue;
      auto it = merge ? std::find_if(response_headers_.begin(), response_headers_.end(),
                                     [&](const Header& h) { return http::iequals(h.name, name); })
                      : response_headers_.end();
      if (it == response_headers_.end()) {
        response_headers_.push_back({name, value});
      } else {
        it->value = value;
        response_headers_.erase(
            std::remove_if(it + 1, response_headers_.end(),
                           [&](const Header& h) { return http::iequals(h.name, name); }),
            response_headers_.end());
      }
    }
  }
  append_by_reference(chunks, std::move(done));
}

void HttpContextImpl::replace_body(std::span<const http::BodyChunk> chunks,
                                   http::SendCompletion pin) {
  sync_from_raw_response();
  // What was buffered stays owned by buffer_ (copies, descriptors, pins) until the send: a
  // chunk may still point into it only if the caller keeps it, which is its business.
  buffered_.clear();
  buffered_bytes_ = 0;
  append_by_reference(chunks, std::move(pin));
  wrote_body_ = true;
}

const std::string* HttpContextImpl::response_header(std::string_view name) const {
  for (const Header& h : response_headers_) {
    if (http::iequals(h.name, name)) return &h.value;
  }
  return nullptr;
}

void HttpContextImpl::append_by_reference(std::span<const http::BodyChunk> chunks,
                                          http::SendCompletion done) {
  for (const http::BodyChunk& c : chunks) {
    if (c.size == 0) continue;
    HTTP_DATA_CHUNK d{};
    if (c.kind == http::BodyChunk::Kind::kFile || c.fd >= 0) {
      // The file, by reference (core's open-file cache keeps it until `done` is released); a
      // small cached file's copy in memory is kept beside it for the send.
      d.DataChunkType = HttpDataChunkFromFileHandle;
      d.FromFileHandle.ByteRange.StartingOffset.QuadPart = c.offset;
      d.FromFileHandle.ByteRange.Length.QuadPart = c.size;
      d.FromFileHandle.FileHandle = reinterpret_cast<HANDLE>(static_cast<intptr_t>(c.fd));
      if (c.kind == http::BodyChunk::Kind::kMemory)
        buffer_.mirrors.push_back({c.fd, c.data - c.offset, c.offset + c.size});
    } else {
      d.DataChunkType = HttpDataChunkFromMemory;
      d.FromMemory.pBuffer = const_cast<char*>(c.data);
      d.FromMemory.BufferLength = static_cast<ULONG>(c.size);
    }
    buffered_.push_back(d);
    buffered_bytes_ += c.size;
  }
  if (done) buffer_.pins.push_back(std::move(done));
}

void HttpContextImpl::begin() {
  schedule([this] { start(); });
}

void HttpContextImpl::run_later() {
  for (size_t i = 0; i < later_.size(); ++i) {
    std::function<void()> next = std::move(later_[i]);  // may append to later_
    next();
  }
  later_.clear();
  busy_ = false;
  maybe_destroy();  // last: it may schedule the deletion
}

void HttpContextImpl::start() {
  // GL_PRE_BEGIN_REQUEST comes first: a global module may still SetUrl, which the handler
  // mapping below then sees.
  bool handled = parent_ == nullptr && raise_pre_begin_request();
  // The part of the site the (possibly rewritten) URL belongs to: its handler mappings, the
  // modules it enables (the others are never created) and its request limits.
  settings_ = &owner_.settings_for(url_);
  for (size_t i = 0; i < abandoned_.size(); ++i)
    abandoned_[i] = !settings_->module_enabled(i);
  mapping_ = settings_->map(url_, method_, skip_mapping_);
  if (mapping_ != nullptr) buffer_limit_ = mapping_->response_buffer_limit;
  if (buffer_limit_ == 0) buffering_ = false;
  if (!handled && refuse_over_limits()) {
    // Like IIS's request filtering: the status is sent, RQ_LOG_REQUEST and RQ_END_REQUEST run.
    finish_ = true;
    finish_request_phase();
    enter_stage(kLogStage, false);
  } else if (handled) {
    // Our decision (docs/iis-compat.md): HANDLED means the global module dealt with the request
    // itself. Like FINISH_REQUEST, BEGIN..UPDATE_REQUEST_CACHE are skipped; what the module wrote
    // (by default an empty 200) is sent and LOG/END still run.
    finish_ = true;
    finish_request_phase();
    enter_stage(kLogStage, false);
  } else {
    enter_stage(0, false);
    // IIS reads the start of the body before the first notification (uploadReadAheadSize); the
    // pipeline starts when that is done.
    if (ex_ != nullptr && has_body_ && owner_.upload_read_ahead() > 0) {
      read_ahead();
      return;
    }
  }
  run();
}

void HttpContextImpl::read_ahead() {
  size_t limit = owner_.upload_read_ahead();
  while (!readahead_done_) {
    if (ex_ == nullptr || readahead_.size() >= limit) {
      readahead_done_ = true;
      break;
    }
    size_t at = readahead_.size();
    size_t want = std::min<size_t>(limit - at, 16 * 1024);
    readahead_.resize(at + want);
    ssize_t r = ex_->read_body(readahead_.data() + at, want, [this, alive = alive_] {
      if (*alive) schedule([this] { read_ahead(); });
    });
    readahead_.resize(at + (r > 0 ? static_cast<size_t>(r) : 0));
    body_bytes_read_ += r > 0 ? static_cast<uint64_t>(r) : 0;
    readahead_pending_ = r == http::kBodyPending;
    if (readahead_pending_) return;      // resumed by the ready callback, or on_exchange_gone
    if (r <= 0) readahead_done_ = true;  // the end, or an error the module's read will see
  }
  run();
}

bool HttpContextImpl::refuse_over_limits() {
  // From the context's own copy of the request: the exchange may be gone already.
  const RequestLimits& lim = settings_->limits;
  std::string_view target = raw_target_;
  size_t q = target.find('?');
  size_t path_len = q == std::string_view::npos ? target.size() : q;
  size_t query_len = q == std::string_view::npos ? 0 : target.size() - q - 1;
  if (!lim.allow_high_bit_characters && (http::has_high_bit(target) || http::has_high_bit(url_))) {
    HS_LOG_INFO("URL with non-ASCII bytes, allowHighBitCharacters is false: 404.12");
    response_.SetStatus(404, "Not Found", 12);
  } else if (path_len > lim.max_url) {
    HS_LOG_INFO("request URL of %zu bytes over maxUrl %u: 404.14", path_len, lim.max_url);
    response_.SetStatus(404, "Not Found", 14);
  } else if (query_len > lim.max_query_string) {
    HS_LOG_INFO("query string of %zu bytes over maxQueryString %u: 404.15", query_len,
                lim.max_query_string);
    response_.SetStatus(404, "Not Found", 15);
  } else if (declared_length_ && *declared_length_ > lim.max_allowed_content_length) {
    HS_LOG_INFO("Content-Length %llu over maxAllowedContentLength %llu: 413",
                static_cast<unsigned long long>(*declared_length_),
                static_cast<unsigned long long>(lim.max_allowed_content_length));
    response_.SetStatus(413, "Content Too Large");  // the session closes rather than read it
  } else {
    return false;
  }
  return true;
}

bool HttpContextImpl::raise_pre_begin_request() {
  const ModuleRegistry& reg = owner_.registry();
  if (reg.global_subscribers(GL_PRE_BEGIN_REQUEST).empty()) return false;
  PreBeginProvider p(this);
  base::Region region(host_);
  return raise_global(reg, GL_PRE_BEGIN_REQUEST, "OnGlobalPreBeginRequest", [&](CGlobalModule* g) {
           return g->OnGlobalPreBeginRequest(&p);
         }) == GL_NOTIFICATION_HANDLED;
}

CHttpModule* HttpContextImpl::instance(const ModuleRegistration* reg) {
  if (abandoned_[reg->order]) return nullptr;  // disposed after a timeout: never recreated
  CHttpModule*& m = instances_[reg->order];
  if (m == nullptr && reg->factory != nullptr) {
    Allocator alloc(*this);
    try {
      HRESULT hr;
      {
        ModuleRegion region(host_, reg, exec_.now_ms());
        hr = reg->factory->GetHttpModule(&m, &alloc);
      }
      if (FAILED(hr)) {
        HS_LOG_ERROR("module %s: GetHttpModule failed with 0x%08X", reg->name.c_str(),
                     static_cast<unsigned>(hr));
        m = nullptr;
      }
    } catch (...) {
      HS_LOG_ERROR("module %s: GetHttpModule threw", reg->name.c_str());
      m = nullptr;
    }
  }
  return m;
}

// A non-deterministic notification (RQ_MAP_PATH, RQ_READ_ENTITY, RQ_CUSTOM_NOTIFICATION), run
// synchronously inside the call that raised it: every subscriber in order, a throw logged and
// skipped, PENDING taken as CONTINUE (nothing can be parked here), FINISH_REQUEST ending it.
template <class Call>
void HttpContextImpl::raise_nested(DWORD notification, const char* method, Call call) {
  State saved = state_;
  for (const ModuleRegistration* reg : owner_.registry().subscribers(notification, false)) {
    CHttpModule* m = instance(reg);
    if (m == nullptr) continue;
    REQUEST_NOTIFICATION_STATUS st = RQ_NOTIFICATION_CONTINUE;
    state_ = State::kInModule;
    const ModuleRegistration* outer = running_module_;  // GetCurrentExecutionStats
    running_module_ = reg;
    try {
      ModuleRegion region(host_, reg, exec_.now_ms());
      st = call(m);
    } catch (...) {
      base::metrics::add(base::metrics::kModuleExceptions);
      HS_LOG_ERROR("module %s threw in %s", reg->name.c_str(), method);
    }
    running_module_ = outer;
    state_ = saved;
    if (st == RQ_NOTIFICATION_PENDING && notification == RQ_MAP_PATH && map_path_may_park_) {
      // The server's own mapping of the request's URL is a pipeline step: the request waits
      // for this module's completion there (Microsoft's ExecuteRequest sample runs a child
      // request from OnMapPath and returns PENDING). The rest of the subscribers are skipped.
      map_path_parked_ = reg;
      break;
    }
    if (st == RQ_NOTIFICATION_PENDING) {
      HS_LOG_WARN("module %s returned PENDING from %s; treated as CONTINUE", reg->name.c_str(),
                  method);
    }
    if (st == RQ_NOTIFICATION_FINISH_REQUEST) break;
  }
}

void HttpContextImpl::enter_stage(int stage, bool post) {
  stage_ = stage;
  post_ = post;
  notification_start_ms_ = exec_.now_ms();
  index_ = 0;
  list_.clear();
  if (stage >= kStages) return;
  const auto& subs = owner_.registry().subscribers(stage_bit(stage), post);
  for (const ModuleRegistration* reg : subs) {
    if (abandoned_[reg->order]) continue;
    auto [pre_off, post_off] = disabled_[reg->order];
    if ((post ? post_off : pre_off) & stage_bit(stage)) continue;
    if (stage == kExecuteStage && !post) {
      // Only the modules the handler mapping names get the handler notification.
      if (mapping_ == nullptr || request_handled_) continue;
      bool named = std::any_of(mapping_->modules.begin(), mapping_->modules.end(),
                               [&](const std::string& n) { return http::iequals(n, reg->name); });
      if (!named) continue;
    }
    list_.push_back(reg);
  }
}

bool HttpContextImpl::call_module(const ModuleRegistration* reg, DWORD notification, bool post,
                                  REQUEST_NOTIFICATION_STATUS* status) {
  CHttpModule* m = instance(reg);
  if (m == nullptr) return false;
  IHttpEventProvider* p = &t_event_provider;
  state_ = State::kInModule;
  running_module_ = reg;
  module_start_ms_ = exec_.now_ms();
  try {
    ModuleRegion region(host_, reg, module_start_ms_);
    switch (notification) {
#define HS_STAGE(bit, pre, postfn)                         \
  case bit:                                                \
    *status = post ? m->postfn(this, p) : m->pre(this, p); \
    break;
      HS_STAGE(RQ_BEGIN_REQUEST, OnBeginRequest, OnPostBeginRequest)
      case RQ_AUTHENTICATE_REQUEST:
        *status = post ? m->OnPostAuthenticateRequest(this, p)
                       : m->OnAuthenticateRequest(this, &t_auth_provider);
        break;
        HS_STAGE(RQ_AUTHORIZE_REQUEST, OnAuthorizeRequest, OnPostAuthorizeRequest)
        HS_STAGE(RQ_RESOLVE_REQUEST_CACHE, OnResolveRequestCache, OnPostResolveRequestCache)
      case RQ_MAP_REQUEST_HANDLER:
        *status = post ? m->OnPostMapRequestHandler(this, p)
                       : m->OnMapRequestHandler(this, &t_event_provider);
        break;
        HS_STAGE(RQ_ACQUIRE_REQUEST_STATE, OnAcquireRequestState, OnPostAcquireRequestState)
        HS_STAGE(RQ_PRE_EXECUTE_REQUEST_HANDLER, OnPreExecuteRequestHandler,
                 OnPostPreExecuteRequestHandler)
        HS_STAGE(RQ_EXECUTE_REQUEST_HANDLER, OnExecuteRequestHandler, OnPostExecuteRequestHandler)
        HS_STAGE(RQ_RELEASE_REQUEST_STATE, OnReleaseRequestState, OnPostReleaseRequestState)
        HS_STAGE(RQ_UPDATE_REQUEST_CACHE, OnUpdateRequestCache, OnPostUpdateRequestCache)
        HS_STAGE(RQ_LOG_REQUEST, OnLogRequest, OnPostLogRequest)
        HS_STAGE(RQ_END_REQUEST, OnEndRequest, OnPostEndRequest)
#undef HS_STAGE
      default:
        *status = RQ_NOTIFICATION_CONTINUE;
        break;
    }
  } catch (const std::exception& e) {
    base::metrics::add(base::metrics::kModuleExceptions);
    HS_LOG_ERROR("module %s threw in notification 0x%X%s: %s", reg->name.c_str(), notification,
                 post ? " (post)" : "", e.what());
    if (!headers_sent_) response_.SetStatus(500, "Internal Server Error");
    *status = RQ_NOTIFICATION_FINISH_REQUEST;
  } catch (...) {
    base::metrics::add(base::metrics::kModuleExceptions);
    HS_LOG_ERROR("module %s threw in notification 0x%X%s", reg->name.c_str(), notification,
                 post ? " (post)" : "");
    if (!headers_sent_) response_.SetStatus(500, "Internal Server Error");
    *status = RQ_NOTIFICATION_FINISH_REQUEST;
  }
  state_ = State::kIdle;
  return true;
}

void HttpContextImpl::run() {
  while (state_ == State::kIdle) {
    if (stage_ >= kStages) {
      state_ = State::kDone;
      maybe_destroy();
      return;
    }
    if (index_ >= list_.size()) {
      // Leaving a notification: built-in work that belongs to it, then the next one.
      if (stage_ == kExecuteStage && !post_ && !finish_) {
        // A module that wrote a body or set a status answered; headers it flushed do not count
        // (the file follows them, as under IIS).
        bool module_answered = wrote_body_ || exchange_last_sent_ || status_ != 200;
        if (!module_answered && !request_handled_ && ex_ != nullptr && !connection_lost_) {
          bool static_mapped =
              mapping_ != nullptr &&
              std::any_of(mapping_->modules.begin(), mapping_->modules.end(),
                          [](const std::string& n) { return http::iequals(n, kStaticFileModule); });
          if (static_mapped && owner_.static_files() != nullptr) {
            serve_static();
          } else if (list_.empty()) {
            response_.SetStatus(404, nullptr);  // no handler produced a response
          }
        }
      }
      if (post_ && stage_bit(stage_) == RQ_MAP_REQUEST_HANDLER &&
          !owner_.registry().subscribers(RQ_MAP_PATH, false).empty()) {
        map_path_may_park_ = true;
        request_physical_path();  // the server maps the request's URL: RQ_MAP_PATH
        map_path_may_park_ = false;
        if (map_path_parked_ != nullptr) {
          // Parked at the end of this notification: the completion's CONTINUE comes back here
          // (index_ past the end) and goes on to the next stage; the mapping is done by then.
          state_ = State::kPending;
          pending_module_ = map_path_parked_;
          pending_notification_ = RQ_MAP_PATH;
          pending_post_ = false;
          map_path_parked_ = nullptr;
          arm_pending_timer();
          return;
        }
      }
      if (post_) {
        if (stage_ == kLogStage - 1) finish_request_phase();
        enter_stage(stage_ + 1, false);
      } else {
        enter_stage(stage_, true);
      }
      continue;
    }
    const ModuleRegistration* reg = list_[index_];
    REQUEST_NOTIFICATION_STATUS status = RQ_NOTIFICATION_CONTINUE;
    if (!call_module(reg, stage_bit(stage_), post_, &status)) {
      ++index_;
      continue;
    }
    if (status == RQ_NOTIFICATION_PENDING) {
      state_ = State::kPending;
      pending_module_ = reg;
      pending_notification_ = stage_bit(stage_);
      pending_post_ = post_;
      arm_pending_timer();
      return;
    }
    after_status(status);
  }
}

// FINISH_REQUEST semantics: skip to RQ_LOG_REQUEST (sending the response), or past a post-
// notification. False when in a pre-notification of LOG/END: the caller decides what follows.
bool HttpContextImpl::finish_to_log() {
  finish_ = true;
  if (stage_ < kLogStage) {
    finish_request_phase();
    enter_stage(kLogStage, false);
    return true;
  }
  if (post_) {
    enter_stage(stage_ + 1, false);
    return true;
  }
  return false;
}

void HttpContextImpl::after_status(REQUEST_NOTIFICATION_STATUS status) {
  if (status == RQ_NOTIFICATION_FINISH_REQUEST) {
    // Skip the rest of this notification and every stage before LOG_REQUEST; the response is
    // still sent and LOG/END still run (spec §4.4 [INF], our decision).
    if (!finish_to_log()) enter_stage(stage_, true);
    return;
  }
  ++index_;
}

void HttpContextImpl::finish_request_phase() {
  // The implicit final send happens after POST_UPDATE_REQUEST_CACHE (spec §4.3, our decision).
  if (final_flushed_) return;
  final_flushed_ = true;
  if (ex_ == nullptr) return;
  flush(FALSE, FALSE, CompletionTarget{}, nullptr, nullptr);
}

void HttpContextImpl::resume_with(REQUEST_NOTIFICATION_STATUS status) {
  if (state_ != State::kPending) {
    HS_LOG_ERROR("a completion arrived while the request was not pending; ignored");
    return;
  }
  if (status == RQ_NOTIFICATION_PENDING) return;  // still parked on the same module
  if (pending_timer_armed_) {
    exec_.cancel(pending_timer_);
    pending_timer_armed_ = false;
  }
  state_ = State::kIdle;
  pending_module_ = nullptr;
  after_status(status);
  run();
}

void HttpContextImpl::deliver_async(DWORD bytes, HRESULT hr, CompletionTarget target,
                                    DWORD operation) {
  if (timed_out_ && state_ != State::kPending) {
    HS_LOG_WARN(
        "late completion (0x%08X, %u bytes) for a request that timed out in module %s; "
        "dropped",
        static_cast<unsigned>(hr), static_cast<unsigned>(bytes), timed_out_module_.c_str());
    return;
  }
  pending_activity_ms_ = exec_.now_ms();
  CompletionInfo info(bytes, hr, operation);
  if (target.callback != nullptr) {
    REQUEST_NOTIFICATION_STATUS st = RQ_NOTIFICATION_PENDING;
    try {
      ModuleRegion region(host_, pending_module_, exec_.now_ms());
      st = target.callback(this, &info, target.callback_context);
    } catch (...) {
      HS_LOG_ERROR("a module's completion callback threw");
      st = RQ_NOTIFICATION_FINISH_REQUEST;
    }
    // PENDING: nothing for the pipeline; otherwise it acts like IndicateCompletion (spec §6.5).
    if (st != RQ_NOTIFICATION_PENDING && state_ == State::kPending) resume_with(st);
    return;
  }
  if (state_ != State::kPending || pending_module_ == nullptr) {
    HS_LOG_ERROR(
        "async completion with no pending notification (module returned without "
        "PENDING?); dropped");
    return;
  }
  const ModuleRegistration* reg = pending_module_;
  CHttpModule* m = instance(reg);
  REQUEST_NOTIFICATION_STATUS st = RQ_NOTIFICATION_FINISH_REQUEST;
  state_ = State::kInModule;
  try {
    ModuleRegion region(host_, reg, exec_.now_ms());
    st = m->OnAsyncCompletion(this, pending_notification_, pending_post_, &t_event_provider, &info);
  } catch (...) {
    HS_LOG_ERROR("module %s threw in OnAsyncCompletion", reg->name.c_str());
    if (!headers_sent_) response_.SetStatus(500, "Internal Server Error");
  }
  state_ = State::kPending;
  resume_with(st);
}

bool HttpContextImpl::run_from_foreign_thread(const char* what,
                                              const std::function<void()>& call) const {
  // Shared with the posted task, which may outlive this frame when the wait gives up.
  struct Rendezvous {
    std::mutex mu;
    std::condition_variable cv;
    bool started = false;
    bool done = false;
    bool abandoned = false;
  };
  auto r = std::make_shared<Rendezvous>();
  const std::function<void()>* callp = &call;
  bool posted = exec_.post([r, callp] {
    {
      std::lock_guard<std::mutex> lock(r->mu);
      if (r->abandoned) return;  // the caller gave up: its frame (and *callp) is gone
      r->started = true;
    }
    (*callp)();
    std::lock_guard<std::mutex> lock(r->mu);
    r->done = true;
    r->cv.notify_all();
  });
  if (!posted) {
    HS_LOG_ERROR("%s called from a foreign thread after the server stopped; not run", what);
    return false;
  }
  std::unique_lock<std::mutex> lock(r->mu);
  if (!r->cv.wait_for(lock, std::chrono::milliseconds(kForeignCallTimeoutMs),
                      [&] { return r->done; })) {
    if (!r->started) {
      r->abandoned = true;
      HS_LOG_ERROR(
          "%s called from a foreign thread: the request's thread did not take the call within "
          "%lld ms (is it blocked waiting for this thread?); not run",
          what, static_cast<long long>(kForeignCallTimeoutMs));
      return false;
    }
    r->cv.wait(lock, [&] { return r->done; });  // running now: its result is on its way
  }
  return true;
}

void HttpContextImpl::call_refused(const char* what) const {
  HS_LOG_ERROR(
      "%s called from a foreign thread: the request's loop was not free within %lld ms (every "
      "thread busy?); not run",
      what, static_cast<long long>(kForeignCallTimeoutMs));
}

VOID HttpContextImpl::IndicateCompletion(REQUEST_NOTIFICATION_STATUS status) {
  // Always through the loop: never on the caller's stack, from any thread.
  exec_.post_blocking([this, alive = alive_, status] {
    if (!*alive) return;
    run_serialized([this, status] {
      if (timed_out_ && state_ != State::kPending) {
        HS_LOG_WARN("late IndicateCompletion for a request that timed out in module %s; dropped",
                    timed_out_module_.c_str());
        return;
      }
      resume_with(status);
    });
  });
}

HRESULT HttpContextImpl::PostCompletion(DWORD cb) {
  if (!exec_.post_blocking([this, alive = alive_, cb] {
        if (*alive)
          run_serialized([this, cb] { deliver_async(cb, S_OK, CompletionTarget{}, kOpOther); });
      })) {
    return HRESULT_FROM_WIN32(ERROR_SERVER_SHUTDOWN_IN_PROGRESS);
  }
  return S_OK;
}

HRESULT HttpContextImpl::PostCompletion(DWORD cb, LPOVERLAPPED_COMPLETION_ROUTINE routine,
                                        VOID* context) {
  if (routine == nullptr) return PostCompletion(cb);
  // Decision (spec §9.8): the routine gets (S_OK, cbBytes, (LPOVERLAPPED)pvCompletionContext).
  base::BlockingHost* host = host_;
  if (!exec_.post_blocking([host, routine, cb, context] {
        base::Region region(host);
        routine(0, cb, static_cast<LPOVERLAPPED>(context));
      })) {
    return HRESULT_FROM_WIN32(ERROR_SERVER_SHUTDOWN_IN_PROGRESS);
  }
  return S_OK;
}

void HttpContextImpl::on_exchange_gone() {
  ex_ = nullptr;
  connection_lost_ = true;
  // A shared state hears about the close from the connection itself (after every exchange).
  if (own_connection_state_) connection_state_->connection_closed();
  // Queued output can no longer be sent: async writers hear about it with a failure status, and
  // synchronous callers waiting for the client stop waiting.
  fail_queued(true);
  if (read_waiter_ != nullptr) {
    host_->wake(*read_waiter_);
    read_waiter_ = nullptr;
  }
  if (write_waiter_ != nullptr) {
    write_wait_ok_ = false;
    host_->wake(*write_waiter_);
    write_waiter_ = nullptr;
  }
  if (readahead_pending_) {
    readahead_pending_ = false;
    schedule([this] { read_ahead(); });  // the pipeline starts without the rest
  }
  if (pending_read_) {
    CompletionTarget t = pending_read_->target;
    pending_read_.reset();
    schedule(
        [this, t] { deliver_async(0, HRESULT_FROM_WIN32(ERROR_CONNECTION_ABORTED), t, kOpRead); });
  }
  maybe_destroy();
}

void HttpContextImpl::maybe_destroy() {
  if (state_ != State::kDone || destroy_scheduled_ || busy_ || tasks_ > 0) return;
  if (ex_ != nullptr && !exchange_last_sent_) return;  // the final send is still to be made
  if (send_outstanding_ || !queue_.empty()) return;
  if (running_children_ > 0) return;  // a child still runs and reports here
  if (child_exchange_) {
    report_to_parent();
    if (!released_) return;  // the parent module still holds the clone
  }
  destroy_scheduled_ = true;
  if (!child_exchange_) {  // a request from a client (IisHandler::handle counted its start)
    base::metrics::add(base::metrics::kRequestsEnded);
    base::metrics::count_response(owner_.metrics_site(), status_);
  }
  if (timed_out_) {
    // The abandoned module may still call in (its thread does not know it was given up): keep
    // the object for one more timeout. IisHandler frees it if the loop stops first.
    owner_.keep_zombie(this);
    exec_.schedule(owner_.request_timeout_ms(), [this, alive = alive_] {
      // The destructor disposes module instances: module code, in a task that may block.
      exec_.defer_blocking([this, alive] {
        if (*alive && owner_.release_zombie(this)) delete this;
      });
    });
    return;
  }
  exec_.defer_blocking([this] { delete this; });
}

// --- request timeout ----------------------------------------------------------------------------

void HttpContextImpl::arm_pending_timer() {
  pending_activity_ms_ = exec_.now_ms();
  if (pending_timer_armed_) return;  // the armed timer re-checks the activity when it fires
  pending_timer_armed_ = true;
  pending_timer_ = exec_.schedule(owner_.request_timeout_ms(), [this] {
    pending_timer_armed_ = false;
    schedule([this] { on_pending_timer(); });
  });
}

void HttpContextImpl::on_pending_timer() {
  if (state_ != State::kPending || pending_timer_armed_) return;
  int64_t idle = exec_.now_ms() - pending_activity_ms_;
  int64_t limit = owner_.request_timeout_ms();
  if (idle < limit) {
    // Something reached the module meanwhile (e.g. each read of a long upload): wait the rest.
    pending_timer_armed_ = true;
    pending_timer_ = exec_.schedule(limit - idle, [this] {
      pending_timer_armed_ = false;
      schedule([this] { on_pending_timer(); });
    });
    return;
  }
  expire_pending();
}

void HttpContextImpl::expire_pending() {
  const ModuleRegistration* reg = pending_module_;
  int stage = stage_;
  bool post = pending_post_;
  // Something already went to the connection (or is queued for it): the only honest end is a
  // reset. Otherwise the client gets a 500.
  bool reset = headers_sent_ || send_outstanding_ || !queue_.empty();
  const char* module = reg != nullptr ? reg->name.c_str() : "?";
  HS_LOG_FIELDS(
      LogLevel::kError,
      {{"module", module}, {"stage", stage_name(stage)}, {"method", method_}, {"url", url_}},
      "module %s did not complete %s%s within %lld ms (%s %s): request ended with %s; "
      "module instance disposed",
      module, stage_name(stage), post ? " (post)" : "",
      static_cast<long long>(owner_.request_timeout_ms()), method_.c_str(), url_.c_str(),
      reset ? "a connection reset" : "500");
  timed_out_ = true;
  timed_out_module_ = reg != nullptr ? reg->name : "?";
  base::metrics::add(base::metrics::kModuleTimeouts);
  // Cancel what the module has in flight: its buffers and callbacks are no longer trusted.
  if (pending_read_) pending_read_.reset();
  async_read_ = false;
  for (auto& item : queue_)
    item->notify = false;
  async_write_ = false;
  pending_module_ = nullptr;
  state_ = State::kIdle;
  if (reg != nullptr) abandon(reg);
  if (reset) {
    if (ex_ != nullptr) ex_->reset();  // this request's stream, not the connection's others
    final_flushed_ = true;  // nothing more can be sent; the abort handler fails what is queued
  } else {
    response_.Clear();
    response_.SetStatus(500, "Internal Server Error");
    need_disconnect_ = true;  // the client may still be sending a body the module never read
  }
  // Then as FINISH_REQUEST: the response goes out, LOG/END run for the other modules.
  if (!finish_to_log()) ++index_;  // in LOG/END, the other modules still get it
  run();
}

void HttpContextImpl::abandon(const ModuleRegistration* reg) {
  abandoned_[reg->order] = true;
  // As at the end of a request: its stored context first, then the instance.
  ModuleRegion region(host_, reg, exec_.now_ms());
  if (container_) container_->cleanup_module(reg->id);
  CHttpModule*& m = instances_[reg->order];
  if (m != nullptr) {
    try {
      m->Dispose();
    } catch (...) {
      HS_LOG_ERROR("module %s threw from Dispose()", reg->name.c_str());
    }
    m = nullptr;
  }
}

// --- server variables ---------------------------------------------------------------------------

const std::string* HttpContextImpl::find_request_header(std::string_view name) const {
  for (const Header& h : request_headers_) {
    if (http::iequals(h.name, name)) return &h.value;
  }
  return nullptr;
}

std::string HttpContextImpl::server_variable(std::string_view n, bool* found) const {
  *found = true;
  for (const auto& [k, v] : variables_) {
    if (http::iequals(k, n)) return v;
  }
  auto is = [&](std::string_view x) { return http::iequals(n, x); };
  if (is("REQUEST_METHOD") || is("HTTP_METHOD")) return method_;
  if (is("URL") || is("SCRIPT_NAME") || is("PATH_INFO")) return url_;
  if (is("QUERY_STRING")) return query_;
  if (is("REQUEST_URI") || is("UNENCODED_URL") || is("HTTP_URL") || is("CACHE_URL")) {
    return raw_target_;
  }
  if (is("REMOTE_ADDR") || is("REMOTE_HOST")) return remote_host_;
  if (is("REMOTE_PORT")) return std::to_string(remote_port_);
  if (is("LOCAL_ADDR") || is("SERVER_ADDR")) return local_host_;
  if (is("SERVER_PORT")) return std::to_string(local_port_);
  // IIS's spellings: HTTPS is "on"/"off" in lower case (modules compare it so).
  if (is("SERVER_PORT_SECURE")) return tls_ ? "1" : "0";
  if (is("HTTPS")) return tls_ ? "on" : "off";
  if (n.size() > 5 &&
      (http::iequals(n.substr(0, 6), "HTTPS_") || http::iequals(n.substr(0, 5), "CERT_"))) {
    const TlsCopy* t = tls_.get();
    bool cert = t != nullptr && !t->peer_certificate.empty();
    if (is("HTTPS_KEYSIZE")) return t ? std::to_string(t->cipher_bits) : std::string();
    if (is("HTTPS_SECRETKEYSIZE")) return t ? std::to_string(t->cipher_bits) : std::string();
    if (is("HTTPS_SERVER_SUBJECT") || is("CERT_SERVER_SUBJECT")) {
      return t ? t->server_subject : std::string();
    }
    if (is("HTTPS_SERVER_ISSUER") || is("CERT_SERVER_ISSUER")) {
      return t ? t->server_issuer : std::string();
    }
    if (is("HTTPS_PROTOCOL")) return t ? t->version : std::string();  // an httpserv addition
    if (is("HTTPS_CIPHER")) return t ? t->cipher : std::string();     // an httpserv addition
    // CERT_FLAGS: bit 0, a client certificate is present; bit 1, its issuer is not trusted.
    if (is("CERT_FLAGS")) return cert ? (t->peer_verified ? "1" : "3") : "0";
    if (is("CERT_SUBJECT")) return cert ? t->peer_subject : std::string();
    if (is("CERT_ISSUER")) return cert ? t->peer_issuer : std::string();
    if (is("CERT_SERIALNUMBER")) return cert ? t->peer_serial : std::string();
    if (is("CERT_KEYSIZE") || is("CERT_SECRETKEYSIZE")) {
      return t ? std::to_string(t->cipher_bits) : std::string();
    }
    if (is("CERT_COOKIE")) {
      // A value unique to the certificate: FNV-1a of its DER, in hex (IIS uses a hash too).
      if (!cert) return {};
      uint64_t h = 1469598103934665603ull;
      for (unsigned char c : t->peer_certificate) {
        h ^= c;
        h *= 1099511628211ull;
      }
      char buf[17];
      snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
      return buf;
    }
  }
  if (is("SERVER_PROTOCOL") || is("HTTP_VERSION")) {
    // IIS says "HTTP/2" (no minor version) on HTTP/2.
    if (version_major_ == 2) return "HTTP/2";
    return "HTTP/" + std::to_string(version_major_) + "." + std::to_string(version_minor_);
  }
  if (is("SERVER_SOFTWARE")) return "httpserv";
  if (is("GATEWAY_INTERFACE")) return "CGI/1.1";
  if (is("INSTANCE_ID")) return std::to_string(owner_.site().GetSiteId());
  if (is("APPL_PHYSICAL_PATH") || is("DOCUMENT_ROOT")) {
    return owner_.root().empty() ? std::string()
                                 : owner_.root() + (owner_.root() == "/" ? "" : "/");
  }
  if (is("PATH_TRANSLATED") || is("SCRIPT_TRANSLATED") || is("SCRIPT_FILENAME") ||
      is("REQUEST_FILENAME")) {
    return const_cast<HttpContextImpl*>(this)->request_physical_path();  // a cache, not a change
  }
  if (is("SERVER_NAME")) {
    const std::string* host = find_request_header("Host");
    if (host == nullptr) return local_host_;
    std::string h = *host;
    if (!h.empty() && h.front() == '[') return h.substr(0, h.find(']') + 1);
    return h.substr(0, h.find(':'));
  }
  if (is("CONTENT_LENGTH")) {
    const std::string* v = find_request_header("Content-Length");
    return v ? *v : "0";
  }
  if (is("CONTENT_TYPE")) {
    const std::string* v = find_request_header("Content-Type");
    return v ? *v : "";
  }
  if (is("AUTH_TYPE") || is("AUTH_USER") || is("REMOTE_USER") || is("LOGON_USER") ||
      is("AUTH_PASSWORD") || is("UNMAPPED_REMOTE_USER")) {
    return "";  // anonymous
  }
  if (is("ALL_HTTP") || is("ALL_RAW")) {
    std::string out;
    bool raw = is("ALL_RAW");
    for (const Header& h : request_headers_) {
      if (raw) {
        out += h.name + ": " + h.value + "\r\n";
      } else {
        std::string k = "HTTP_";
        for (char c : h.name)
          k += c == '-' ? '_' : static_cast<char>(toupper(c));
        out += k + ":" + h.value + "\n";
      }
    }
    return out;
  }
  if (n.size() > 5 && http::iequals(n.substr(0, 5), "HTTP_")) {
    std::string_view want = n.substr(5);
    for (const Header& h : request_headers_) {
      if (h.name.size() != want.size()) continue;
      bool eq = true;
      for (size_t i = 0; i < want.size() && eq; ++i) {
        char a = h.name[i] == '-' ? '_' : static_cast<char>(toupper(h.name[i]));
        eq = a == static_cast<char>(toupper(want[i]));
      }
      if (eq) return h.value;
    }
  }
  *found = false;
  return {};
}

char* HttpContextImpl::arena_copy(std::string_view s) {
  char* p = static_cast<char*>(AllocateRequestMemory(static_cast<DWORD>(s.size() + 1)));
  if (p == nullptr) return nullptr;
  memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}

wchar_t* HttpContextImpl::arena_widen(std::string_view s, DWORD* cch) {
  std::wstring w = widen(s);
  auto* p = static_cast<wchar_t*>(
      AllocateRequestMemory(static_cast<DWORD>((w.size() + 1) * sizeof(wchar_t))));
  if (p == nullptr) return nullptr;
  memcpy(p, w.c_str(), (w.size() + 1) * sizeof(wchar_t));
  if (cch) *cch = static_cast<DWORD>(w.size());
  return p;
}

HRESULT HttpContextImpl::lookup_variable(PCSTR name, std::string* value) const {
  if (name == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  bool found = false;
  *value = server_variable(name, &found);
  return found ? S_OK : HRESULT_FROM_WIN32(ERROR_INVALID_INDEX);
}

HRESULT HttpContextImpl::GetServerVariable(PCSTR name, PCSTR* value, DWORD* cch) {
  if (!on_loop_thread())
    return on_loop<HRESULT>("IHttpContext::GetServerVariable",
                            HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                            [&] { return GetServerVariable(name, value, cch); });
  if (value == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  *value = nullptr;
  if (cch) *cch = 0;
  std::string v;
  HRESULT hr = lookup_variable(name, &v);
  if (FAILED(hr)) return hr;
  *value = arena_copy(v);
  if (*value == nullptr) return HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY);
  if (cch) *cch = static_cast<DWORD>(v.size());
  return S_OK;
}

HRESULT HttpContextImpl::GetServerVariable(PCSTR name, PCWSTR* value, DWORD* cch) {
  if (!on_loop_thread())
    return on_loop<HRESULT>("IHttpContext::GetServerVariable",
                            HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                            [&] { return GetServerVariable(name, value, cch); });
  if (value == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  *value = nullptr;
  if (cch) *cch = 0;
  std::string v;
  HRESULT hr = lookup_variable(name, &v);
  if (FAILED(hr)) return hr;
  *value = arena_widen(v, cch);
  return *value ? S_OK : HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY);
}

HRESULT HttpContextImpl::SetServerVariable(PCSTR name, PCWSTR value) {
  if (!on_loop_thread())
    return on_loop<HRESULT>("IHttpContext::SetServerVariable",
                            HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                            [&] { return SetServerVariable(name, value); });
  if (name == nullptr || *name == '\0') return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  std::string v = value ? narrow(value) : std::string();
  for (auto& [k, old] : variables_) {
    if (http::iequals(k, name)) {
      old = v;
      return S_OK;
    }
  }
  variables_.emplace_back(name, v);
  return S_OK;
}

HRESULT HttpContextImpl::InheritServerVariable(PCSTR, BOOL) {
  return E_NOTIMPL;
}

VOID* HttpContextImpl::AllocateRequestMemory(DWORD cb) {
  if (!on_loop_thread())
    return on_loop<VOID*>("IHttpContext::AllocateRequestMemory", nullptr,
                          [&] { return AllocateRequestMemory(cb); });
  try {
    return arena_.allocate(cb);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

PCWSTR HttpContextImpl::GetScriptName(DWORD* cch) const {
  if (!on_loop_thread())
    return on_loop<PCWSTR>("IHttpContext::GetScriptName", nullptr,
                           [&] { return GetScriptName(cch); });
  return const_cast<HttpContextImpl*>(this)->arena_widen(url_, cch);
}
PCWSTR HttpContextImpl::GetPhysicalPath(DWORD* cch) {
  if (!on_loop_thread())
    return on_loop<PCWSTR>("IHttpContext::GetPhysicalPath", nullptr,
                           [&] { return GetPhysicalPath(cch); });
  if (cch) *cch = 0;
  const wchar_t* w = arena_widen(request_physical_path(), cch);
  return w != nullptr ? w : L"";
}
PCWSTR HttpContextImpl::GetScriptTranslated(DWORD* cch) {
  if (!on_loop_thread())
    return on_loop<PCWSTR>("IHttpContext::GetScriptTranslated", nullptr,
                           [&] { return GetScriptTranslated(cch); });
  return GetPhysicalPath(cch);  // no PATH_INFO split: the script is the whole mapped path
}

HRESULT HttpContextImpl::resolve_physical(std::string_view url, std::string* physical) {
  physical->clear();
  std::string_view path = url.substr(0, url.find('?'));
  std::string norm;
  if (!normalize_decoded(path, &norm)) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  // Beneath the virtual directory the URL is under, else the site's root directory.
  const IisHandler::VirtualDirectory* vdir = owner_.virtual_directory_for(norm);
  const std::string& root = vdir != nullptr ? vdir->physical_path : owner_.root();
  if (root.empty()) return HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND);
  std::string_view rest = norm;
  if (vdir != nullptr) {
    rest.remove_prefix(vdir->prefix.size());
    if (rest.empty()) rest = "/";
  }
  std::string mapped = (root == "/" ? std::string() : root) + std::string(rest);
  // RQ_MAP_PATH: subscribers may look at the mapping and move it (beneath the root only).
  const auto& subs = owner_.registry().subscribers(RQ_MAP_PATH, false);
  if (subs.empty()) {
    *physical = std::move(mapped);
    return S_OK;
  }
  MapPathProvider p(root, norm, std::move(mapped));  // GetUrl: the normalised URL
  raise_nested(RQ_MAP_PATH, "OnMapPath", [&](CHttpModule* m) { return m->OnMapPath(this, &p); });
  *physical = p.physical();
  return S_OK;
}

const std::string& HttpContextImpl::request_physical_path() {
  if (!physical_resolved_ || physical_url_ != url_) {
    physical_resolved_ = true;
    physical_url_ = url_;
    if (FAILED(resolve_physical(url_, &physical_path_))) physical_path_.clear();
  }
  return physical_path_;
}

void HttpContextImpl::raise_read_entity(void* buf, DWORD cb, DWORD* n) {
  const auto& subs = owner_.registry().subscribers(RQ_READ_ENTITY, false);
  if (subs.empty() || *n == 0) return;
  ReadEntityProvider p(buf, *n, cb);
  raise_nested(RQ_READ_ENTITY, "OnReadEntity",
               [&](CHttpModule* m) { return m->OnReadEntity(this, &p); });
  if (p.buf_ == buf && p.data_ == *n) return;
  // Replaced: the reader gets what fits of the new data in its own buffer, and the rest is read
  // next (as if inserted with InsertEntityBody).
  DWORD take = std::min(p.data_, cb);
  if (p.buf_ != buf && take > 0) memmove(buf, p.buf_, take);
  if (p.data_ > take) {
    inserted_body_.emplace_front(static_cast<const char*>(p.buf_) + take, p.data_ - take);
  }
  *n = take;
}
ULONGLONG HttpContextImpl::GetRequestElapsedTime() {
  if (!on_loop_thread())
    return on_loop<ULONGLONG>("IHttpContext::GetRequestElapsedTime", ULONGLONG{},
                              [&] { return GetRequestElapsedTime(); });
  return static_cast<ULONGLONG>(monotonic_ms() - start_ms_);
}

IHttpFileInfo* HttpContextImpl::GetFileInfo() const {
  if (!on_loop_thread())
    return on_loop<IHttpFileInfo*>("IHttpContext::GetFileInfo", nullptr,
                                   [&] { return GetFileInfo(); });
  // From RQ_MAP_REQUEST_HANDLER on (spec-2 §3.1 [UNC], our decision), for a request whose
  // physical path is an existing file or directory; the context keeps its reference.
  if (stage_ < 4) return nullptr;
  auto* self = const_cast<HttpContextImpl*>(this);
  const std::string& path = self->request_physical_path();
  if (path.empty()) return nullptr;
  if (file_info_ != nullptr && file_info_path_ == path &&
      !file_info_->CheckIfFileHasChanged(nullptr)) {
    return file_info_;
  }
  if (file_info_ != nullptr) file_info_->DereferenceCacheData();
  file_info_ = nullptr;
  HRESULT hr = S_OK;
  file_info_ = FileInfoCache::instance().get(path, std::wstring(), &hr);
  file_info_path_ = path;
  return file_info_;
}

IHttpUrlInfo* HttpContextImpl::GetUrlInfo() {
  if (!on_loop_thread())
    return on_loop<IHttpUrlInfo*>("IHttpContext::GetUrlInfo", nullptr,
                                  [&] { return GetUrlInfo(); });
  if (!url_info_) {
    bool frequent = false;
    auto entry = UrlInfoTable::instance().hit(owner_.site().GetSiteId(), url_, exec_.now_ms(),
                                              owner_.url_hit_settings(), &frequent);
    url_info_ = std::make_unique<UrlInfoView>(std::move(entry), frequent);
  }
  return url_info_.get();
}

// Not yet implemented: each returns a clear HRESULT (docs/iis-compat.md lists them).
IHttpSite* HttpContextImpl::GetSite() {
  if (!on_loop_thread())
    return on_loop<IHttpSite*>("IHttpContext::GetSite", nullptr, [&] { return GetSite(); });
  return &owner_.site();
}
IHttpApplication* HttpContextImpl::GetApplication() {
  if (!on_loop_thread())
    return on_loop<IHttpApplication*>("IHttpContext::GetApplication", nullptr,
                                      [&] { return GetApplication(); });
  return &owner_.application();
}
IHttpConnection* HttpContextImpl::GetConnection() {
  if (!on_loop_thread())
    return on_loop<IHttpConnection*>("IHttpContext::GetConnection", nullptr,
                                     [&] { return GetConnection(); });
  return &connection_;
}
IHttpUser* HttpContextImpl::GetUser() const {
  if (!on_loop_thread())
    return on_loop<IHttpUser*>("IHttpContext::GetUser", nullptr, [&] { return GetUser(); });
  return &AnonymousUser::instance();
}
BOOL HttpContextImpl::Connection::IsConnected() const {
  return !ctx_.connection_lost_ && ctx_.connection_state_->connected() ? TRUE : FALSE;
}
IHttpConnectionModuleContextContainer* HttpContextImpl::Connection::GetModuleContextContainer() {
  return &ctx_.connection_state_->container();
}
IHttpModuleContextContainer* HttpContextImpl::GetModuleContextContainer() {
  if (!on_loop_thread())
    return on_loop<IHttpModuleContextContainer*>("IHttpContext::GetModuleContextContainer", nullptr,
                                                 [&] { return GetModuleContextContainer(); });
  if (!container_) container_ = std::make_unique<ModuleContextContainer>(&owner_.registry());
  return container_.get();
}
VOID HttpContextImpl::DisableNotifications(DWORD pre, DWORD post) {
  if (!on_loop_thread())
    return on_loop_void("IHttpContext::DisableNotifications",
                        [&] { DisableNotifications(pre, post); });
  if (state_ != State::kInModule || list_.empty() || index_ >= list_.size()) return;
  auto& d = disabled_[list_[index_]->order];
  d.first |= pre;
  d.second |= post;
}
BOOL HttpContextImpl::GetNextNotification(REQUEST_NOTIFICATION_STATUS, DWORD*, BOOL*, CHttpModule**,
                                          IHttpEventProvider**) {
  return FALSE;  // always allowed (spec §4.7)
}
BOOL HttpContextImpl::GetIsLastNotification(REQUEST_NOTIFICATION_STATUS status) {
  if (!on_loop_thread()) {
    return on_loop<BOOL>("IHttpContext::GetIsLastNotification", FALSE,
                         [&] { return GetIsLastNotification(status); });
  }
  return index_ + 1 >= list_.size() ? TRUE : FALSE;
}
HRESULT HttpContextImpl::ExecuteRequest(BOOL fAsync, IHttpContext* target, DWORD flags, IHttpUser*,
                                        BOOL* expected) {
  if (!on_loop_thread())
    return on_loop<HRESULT>(
        "IHttpContext::ExecuteRequest", HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
        [&] { return ExecuteRequest(fAsync, target, flags, nullptr, expected); });
  if (expected) *expected = FALSE;
  // Asynchronous only, and only a clone of this context, once (spec-2 §3.5).
  if (!fAsync) return HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED);
  auto it = std::find(children_.begin(), children_.end(), target);
  if (target == nullptr || it == children_.end()) return HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED);
  HttpContextImpl* child = *it;
  if (child->executed_) return HRESULT_FROM_WIN32(ERROR_INVALID_STATE);
  if (child->depth_ > kMaxChildDepth) return HRESULT_FROM_WIN32(ERROR_STACK_OVERFLOW);
  child->executed_ = true;
  child->execute_flags_ = flags;
  child->child_exchange_->execute_flags_ = flags;
  if (flags & EXECUTE_FLAG_IGNORE_CURRENT_INTERCEPTOR) child->skip_mapping_ = mapping_;
  ++running_children_;
  child->begin();  // its whole pipeline, in tasks of its own; the completion reaches this one
  if (expected) *expected = TRUE;
  return S_OK;
}

IHttpContext* HttpContextImpl::GetRootContext() const {
  if (!on_loop_thread())
    return on_loop<IHttpContext*>("IHttpContext::GetRootContext", nullptr,
                                  [&] { return GetRootContext(); });
  if (parent_ == nullptr) return nullptr;
  const HttpContextImpl* c = this;
  while (c->parent_ != nullptr)
    c = c->parent_;
  return const_cast<HttpContextImpl*>(c);
}

void HttpContextImpl::take_child_output(ChildExchange& child, bool first,
                                        std::span<const http::BodyChunk> chunks, bool last) {
  std::vector<http::BodyChunk> copy(chunks.begin(), chunks.end());
  http::ResponseHead head;
  if (first) head = child.response_;
  (void)last;  // the child's end is reported when its pipeline is done (report_to_parent)
  HttpContextImpl* parent = this;
  schedule([parent, &child, copy = std::move(copy), head = std::move(head), first] {
    HttpContextImpl& p = *parent;
    DWORD flags = child.execute_flags_;
    bool buffer = (flags & EXECUTE_FLAG_BUFFER_RESPONSE) != 0;
    p.sync_from_raw_response();
    if (!buffer && first && !p.headers_sent_ && !(flags & EXECUTE_FLAG_NO_HEADERS)) {
      // The child's head goes out as the response's: the first header block wins.
      p.status_ = static_cast<USHORT>(head.status);
      p.substatus_ = 0;
      p.reason_ = head.reason.empty() ? std::string(http::reason_phrase(head.status)) : head.reason;
      p.response_headers_.clear();
      for (const auto& [name, value] : head.headers.entries()) {
        if (http::iequals(name, "Content-Length") || http::iequals(name, "Transfer-Encoding"))
          continue;
        p.response_headers_.push_back({name, value});
      }
    }
    HRESULT hr = p.append_copy(copy);
    if (SUCCEEDED(hr) && !buffer && p.ex_ != nullptr && !p.connection_lost_ && !p.last_queued_ &&
        !p.exchange_last_sent_) {
      hr = p.flush(FALSE, TRUE, CompletionTarget{}, nullptr, nullptr);  // more may follow
    }
    child.complete_send(SUCCEEDED(hr));
  });
}

HRESULT HttpContextImpl::append_copy(std::span<const http::BodyChunk> chunks) {
  for (const http::BodyChunk& c : chunks) {
    if (c.size == 0) continue;
    HTTP_DATA_CHUNK d{};
    if (c.kind == http::BodyChunk::Kind::kFile) {
      int fd = dup(c.fd);
      if (fd < 0) return HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY);
      buffer_.fds.push_back(std::make_shared<DupFd>(fd));
      d.DataChunkType = HttpDataChunkFromFileHandle;
      d.FromFileHandle.ByteRange.StartingOffset.QuadPart = c.offset;
      d.FromFileHandle.ByteRange.Length.QuadPart = c.size;
      d.FromFileHandle.FileHandle = reinterpret_cast<HANDLE>(static_cast<intptr_t>(fd));
    } else {
      d.DataChunkType = HttpDataChunkFromMemory;
      d.FromMemory.pBuffer = const_cast<char*>(buffer_.copy(c.data, c.size));
      d.FromMemory.BufferLength = static_cast<ULONG>(c.size);
      backlog_ += c.size;
    }
    buffered_.push_back(d);
    buffered_bytes_ += c.size;
  }
  return S_OK;
}

void HttpContextImpl::report_to_parent() {
  if (reported_) return;
  reported_ = true;
  if (parent_ == nullptr || !child_exchange_) return;
  uint64_t bytes = child_exchange_->body_bytes_sent();
  HttpContextImpl* parent = parent_;
  // The parent module's OnAsyncCompletion (or v1 completion) for its ExecuteRequest: S_OK and
  // the bytes the child's body had (spec-2 §3.5 [UNC], our decision).
  parent->schedule([parent, bytes] {
    --parent->running_children_;
    parent->deliver_async(static_cast<DWORD>(std::min<uint64_t>(bytes, 0xFFFFFFFF)), S_OK,
                          CompletionTarget{}, kOpOther);
  });
}
HRESULT HttpContextImpl::MapPath(PCWSTR url, PWSTR out, DWORD* pcb) {
  if (!on_loop_thread())
    return on_loop<HRESULT>("IHttpContext::MapPath", HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                            [&] { return MapPath(url, out, pcb); });
  // Decision (spec §9.14): *pcbPhysicalPath counts BYTES, as its name says, including the
  // terminating NUL (sizeof(WCHAR) = 4 here). Too small (or a NULL buffer) →
  // ERROR_INSUFFICIENT_BUFFER with the size needed; on success it is set to the bytes written.
  if (url == nullptr || pcb == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  std::string physical;
  HRESULT hr = resolve_physical(narrow(url), &physical);
  if (FAILED(hr)) return hr;
  std::wstring w = widen(physical);
  DWORD need = static_cast<DWORD>((w.size() + 1) * sizeof(wchar_t));
  if (out == nullptr || *pcb < need) {
    *pcb = need;
    return HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER);
  }
  memcpy(out, w.c_str(), need);
  *pcb = need;
  return S_OK;
}
HRESULT HttpContextImpl::NotifyCustomNotification(ICustomNotificationProvider* provider, BOOL* pf) {
  if (!on_loop_thread())
    return on_loop<HRESULT>("IHttpContext::NotifyCustomNotification",
                            HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                            [&] { return NotifyCustomNotification(provider, pf); });
  // Synchronous: every subscriber has run when this returns, so no completion follows.
  if (pf) *pf = FALSE;
  if (provider == nullptr) return E_INVALIDARG;
  raise_nested(RQ_CUSTOM_NOTIFICATION, "OnCustomRequestNotification",
               [&](CHttpModule* m) { return m->OnCustomRequestNotification(this, provider); });
  return S_OK;
}
HRESULT HttpContextImpl::CloneContext(DWORD flags, IHttpContext** pp) {
  if (!on_loop_thread())
    return on_loop<HRESULT>("IHttpContext::CloneContext", HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                            [&] { return CloneContext(flags, pp); });
  if (pp == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  *pp = nullptr;
  try {
    auto cx = std::make_unique<ChildExchange>(*this, flags);
    auto* child = new HttpContextImpl(owner_, *cx);
    child->child_exchange_ = std::move(cx);
    child->parent_ = this;
    child->depth_ = depth_ + 1;
    if (flags & CLONE_FLAG_SERVER_VARIABLE) child->variables_ = variables_;
    children_.push_back(child);
    *pp = child;
    return S_OK;
  } catch (const std::bad_alloc&) {
    return HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY);
  }
}
HRESULT HttpContextImpl::ReleaseClonedContext() {
  if (!on_loop_thread())
    return on_loop<HRESULT>("IHttpContext::ReleaseClonedContext",
                            HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                            [&] { return ReleaseClonedContext(); });
  // Called on the clone. A root, or a clone whose parent is gone (released after its parent),
  // has nothing to release.
  if (parent_ == nullptr || released_) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  // Its own clones first, newest first.
  while (!children_.empty())
    children_.back()->ReleaseClonedContext();
  std::erase(parent_->children_, this);
  released_ = true;
  if (!executed_) {
    exec_.defer_blocking([this] { delete this; });  // never ran: nothing else holds it
  } else {
    maybe_destroy();  // now, or when its pipeline is done
  }
  return S_OK;
}
HRESULT HttpContextImpl::GetCurrentExecutionStats(DWORD* n, DWORD* n_start, PCWSTR* module,
                                                  DWORD* module_start, DWORD* async_n,
                                                  DWORD* async_start) const {
  // Every out-parameter is filled (Microsoft's sample passes the module name to wcslen): the
  // current notification, its start and the current module's, as GetTickCount values. No
  // asynchronous operation is reported (0): completions are delivered as the notification.
  if (n) *n = stage_ < kStages ? stage_bit(stage_) : 0;
  if (n_start) *n_start = static_cast<DWORD>(notification_start_ms_);
  if (module) *module = running_module_ != nullptr ? running_module_->wname.c_str() : L"";
  if (module_start) *module_start = static_cast<DWORD>(module_start_ms_);
  if (async_n) *async_n = 0;
  if (async_start) *async_start = 0;
  return S_OK;
}
IScriptMapInfo* HttpContextImpl::GetScriptMap() const {
  if (!on_loop_thread())
    return on_loop<IScriptMapInfo*>("IHttpContext::GetScriptMap", nullptr,
                                    [&] { return GetScriptMap(); });
  // IIS chooses the handler in RQ_MAP_REQUEST_HANDLER: from then on (as GetFileInfo).
  if (mapping_ == nullptr || stage_ < 4) return nullptr;
  if (!script_map_ || script_map_->mapping() != mapping_) {
    try {
      script_map_ = std::make_unique<ScriptMapInfoImpl>(*mapping_);
    } catch (const std::bad_alloc&) {
      return nullptr;
    }
  }
  return script_map_.get();
}
IHttpTraceContext* HttpContextImpl::GetTraceContext() const {
  if (!on_loop_thread())
    return on_loop<IHttpTraceContext*>("IHttpContext::GetTraceContext", nullptr,
                                       [&] { return GetTraceContext(); });
  return &trace_context_;
}
HRESULT HttpContextImpl::GetServerVarChanges(DWORD, DWORD*, DWORD*, PCSTR**, PCWSTR**, DWORD*,
                                             DWORD**) {
  return E_NOTIMPL;
}
HRESULT HttpContextImpl::CancelIo() {
  if (!on_loop_thread())
    return on_loop<HRESULT>("IHttpContext::CancelIo", HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                            [&] { return CancelIo(); });
  return HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE);
}
HRESULT HttpContextImpl::MapHandler(DWORD, PCWSTR, PCWSTR, PCSTR, IScriptMapInfo** pp, BOOL) {
  if (pp) *pp = nullptr;
  return E_NOTIMPL;
}
HRESULT HttpContextImpl::GetExtendedInterface(HTTP_CONTEXT_INTERFACE_VERSION, PVOID* pp) {
  if (pp) *pp = nullptr;
  return E_NOTIMPL;  // deprecated in IIS itself
}

}  // namespace hs::iis
