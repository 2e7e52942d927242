#pragma once
// One request as IIS modules see it: IHttpContext4 with its IHttpRequest4 and IHttpResponse4, and
// the request pipeline (RQ_ notifications) that drives the modules. Built on http::Exchange, so it
// never learns which protocol carries the request.
//
// PIPELINE STATE MACHINE. The context is kIdle between steps, kInModule while a module method is
// on the stack, kPending after a module returned RQ_NOTIFICATION_PENDING, and kDone after
// END_REQUEST. Completions (async I/O, PostCompletion, IndicateCompletion) are queued to the
// loop and delivered only when the context is kPending, so a completion never runs re-entrantly
// on the stack of the call that started it. Misuse (a second completion, IndicateCompletion while
// nothing is pending) is logged and ignored — never undefined behaviour.
//
// THREADING (base/blocking.h). The request's state is touched only by a thread that holds the
// exchange's loop. Module code runs in regions, from tasks of the request (schedule()): one task
// of a request at a time — work that arrives while a task of the same request is in module code
// (a completion, a timer) waits for it — and a module that blocks hands the loop to another
// thread. Every method of IHttpContext, IHttpRequest and IHttpResponse holds the loop for its
// duration (on_loop()): called from module code that pauses the region; called from another
// thread (a module's own worker, as ANCM does while its request is PENDING) it waits for its turn.
// If it does not get the loop within kForeignCallTimeoutMs (every thread busy), the call is not
// run, is logged as an error naming the method, and returns
// HRESULT_FROM_WIN32(ERROR_INVALID_STATE) (or FALSE, null, 0, nothing). PostCompletion and
// IndicateCompletion post to the loop. Synchronous calls wait as IIS's do: ReadEntityBody for
// body bytes, an unbuffered WriteEntityChunks/Flush until its bytes are in the kernel — without
// holding the loop.
//
// REQUEST TIMEOUT. While kPending, a timer watches for activity (a completion delivered to the
// module). When none arrives for IisHandler::request_timeout_ms(), the request is ended: the
// module's in-flight reads and write completions are cancelled, its stored request context is
// cleaned up and its instance disposed (it gets no further notification), the response becomes
// a 500 (nothing sent yet) or the connection is reset (something sent), and LOG/END run for the
// other modules. The context then outlives the request for one more timeout (IisHandler keeps
// it), so that a late PostCompletion/IndicateCompletion from the abandoned module finds a live
// object and is dropped with a log line.
//
// NON-DETERMINISTIC NOTIFICATIONS. RQ_MAP_PATH (MapPath, and the request's own physical path),
// RQ_READ_ENTITY (every read of body bytes from the connection) and RQ_CUSTOM_NOTIFICATION
// (NotifyCustomNotification) run synchronously, nested inside whatever raised them, for every
// subscriber in priority order. PENDING from them is treated as CONTINUE (logged); FINISH_REQUEST
// stops that notification's dispatch to later modules and nothing else.
#include <httpserv.h>

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/arena.h"
#include "base/blocking.h"
#include "base/pooling.h"
#include "http/exchange.h"
#include "iis/data_chunks.h"
#include "iis/fragment_cache.h"
#include "iis/http_server_impl.h"
#include "iis/iis_handler.h"
#include "iis/metadata_info.h"

namespace hs::iis {

struct ModuleRegistration;
class IisHandler;
struct HandlerMapping;
class ScriptMapInfoImpl;

class HttpContextImpl;
class ChildExchange;

class RequestImpl final : public IHttpRequest4 {
 public:
  explicit RequestImpl(HttpContextImpl& ctx) : ctx_(ctx) {}
  // Rebuilds the struct GetRawHttpRequest handed out, if it did (after a request change).
  void refresh_raw();
  HTTP_REQUEST* GetRawHttpRequest() override;
  const HTTP_REQUEST* GetRawHttpRequest() const override;
  PCSTR GetHeader(PCSTR pszHeaderName, USHORT* pcchHeaderValue = nullptr) const override;
  PCSTR GetHeader(HTTP_HEADER_ID ulHeaderIndex, USHORT* pcchHeaderValue = nullptr) const override;
  HRESULT SetHeader(PCSTR pszHeaderName, PCSTR pszHeaderValue, USHORT cchHeaderValue,
                    BOOL fReplace) override;
  HRESULT SetHeader(HTTP_HEADER_ID ulHeaderIndex, PCSTR pszHeaderValue, USHORT cchHeaderValue,
                    BOOL fReplace) override;
  HRESULT DeleteHeader(PCSTR pszHeaderName) override;
  HRESULT DeleteHeader(HTTP_HEADER_ID ulHeaderIndex) override;
  PCSTR GetHttpMethod() const override;
  HRESULT SetHttpMethod(PCSTR pszHttpMethod) override;
  HRESULT SetUrl(PCWSTR pszUrl, DWORD cchUrl, BOOL fResetQueryString) override;
  HRESULT SetUrl(PCSTR pszUrl, DWORD cchUrl, BOOL fResetQueryString) override;
  BOOL GetUrlChanged() const override;
  PCWSTR GetForwardedUrl() const override;
  PSOCKADDR GetLocalAddress() const override;
  PSOCKADDR GetRemoteAddress() const override;
  HRESULT ReadEntityBody(VOID* pvBuffer, DWORD cbBuffer, BOOL fAsync, DWORD* pcbBytesReceived,
                         BOOL* pfCompletionPending = nullptr) override;
  HRESULT InsertEntityBody(VOID* pvBuffer, DWORD cbBuffer) override;
  DWORD GetRemainingEntityBytes() override;
  VOID GetHttpVersion(USHORT* pMajorVersion, USHORT* pMinorVersion) const override;
  HRESULT GetClientCertificate(HTTP_SSL_CLIENT_CERT_INFO** ppClientCertInfo,
                               BOOL* pfClientCertNegotiated) override;
  HRESULT NegotiateClientCertificate(BOOL fAsync, BOOL* pfCompletionPending = nullptr) override;
  DWORD GetSiteId() const override;
  HRESULT GetHeaderChanges(DWORD dwOldChangeNumber, DWORD* pdwNewChangeNumber,
                           PCSTR knownHeaderSnapshot[HttpHeaderRequestMaximum],
                           DWORD* pdwUnknownHeaderSnapshot, PCSTR** ppUnknownHeaderNameSnapshot,
                           PCSTR** ppUnknownHeaderValueSnapshot,
                           DWORD diffedKnownHeaderIndices[HttpHeaderRequestMaximum + 1],
                           DWORD* pdwDiffedUnknownHeaders,
                           DWORD** ppDiffedUnknownHeaderIndices) override;
  HRESULT GetChannelBindingToken(PBYTE* ppToken, DWORD* pTokenSize) override;
  HRESULT ReadEntityBody(VOID* pvBuffer, DWORD cbBuffer, BOOL fAsync,
                         PFN_ASYNC_COMPLETION pfnCompletionCallback, VOID* pvCompletionContext,
                         DWORD* pcbBytesReceived, BOOL* pfCompletionPending = nullptr) override;
  HRESULT ReadEntityBody(VOID* pvBuffer, DWORD cbBuffer, BOOL fAsync, ULONG ulFlags,
                         DWORD* pcbBytesReceived, BOOL* pfCompletionPending = nullptr) override;

 private:
  HttpContextImpl& ctx_;
};

class ResponseImpl final : public IHttpResponse4 {
 public:
  explicit ResponseImpl(HttpContextImpl& ctx) : ctx_(ctx) {}
  HTTP_RESPONSE* GetRawHttpResponse() override;
  const HTTP_RESPONSE* GetRawHttpResponse() const override;
  IHttpCachePolicy* GetCachePolicy() override;
  HRESULT SetStatus(USHORT statusCode, PCSTR pszReason, USHORT uSubStatus = 0,
                    HRESULT hrErrorToReport = S_OK, IAppHostConfigException* pException = nullptr,
                    BOOL fTrySkipCustomErrors = FALSE) override;
  HRESULT SetHeader(PCSTR pszHeaderName, PCSTR pszHeaderValue, USHORT cchHeaderValue,
                    BOOL fReplace) override;
  HRESULT SetHeader(HTTP_HEADER_ID ulHeaderIndex, PCSTR pszHeaderValue, USHORT cchHeaderValue,
                    BOOL fReplace) override;
  HRESULT DeleteHeader(PCSTR pszHeaderName) override;
  HRESULT DeleteHeader(HTTP_HEADER_ID ulHeaderIndex) override;
  PCSTR GetHeader(PCSTR pszHeaderName, USHORT* pcchHeaderValue = nullptr) const override;
  PCSTR GetHeader(HTTP_HEADER_ID ulHeaderIndex, USHORT* pcchHeaderValue = nullptr) const override;
  VOID Clear() override;
  VOID ClearHeaders() override;
  VOID SetNeedDisconnect() override;
  VOID ResetConnection() override;
  VOID DisableKernelCache(ULONG reason = 9) override;
  BOOL GetKernelCacheEnabled() const override;
  VOID SuppressHeaders() override;
  BOOL GetHeadersSuppressed() const override;
  HRESULT Flush(BOOL fAsync, BOOL fMoreData, DWORD* pcbSent,
                BOOL* pfCompletionExpected = nullptr) override;
  HRESULT Redirect(PCSTR pszUrl, BOOL fResetStatusCode = TRUE,
                   BOOL fIncludeParameters = FALSE) override;
  HRESULT WriteEntityChunkByReference(HTTP_DATA_CHUNK* pDataChunk,
                                      LONG lInsertPosition = -1) override;
  HRESULT WriteEntityChunks(HTTP_DATA_CHUNK* pDataChunks, DWORD nChunks, BOOL fAsync,
                            BOOL fMoreData, DWORD* pcbSent,
                            BOOL* pfCompletionExpected = nullptr) override;
  VOID DisableBuffering() override;
  VOID GetStatus(USHORT* pStatusCode, USHORT* pSubStatus = nullptr, PCSTR* ppszReason = nullptr,
                 USHORT* pcchReason = nullptr, HRESULT* phrErrorToReport = nullptr,
                 PCWSTR* ppszModule = nullptr, DWORD* pdwNotification = nullptr,
                 IAppHostConfigException** ppException = nullptr,
                 BOOL* pfTrySkipCustomErrors = nullptr) override;
  HRESULT SetErrorDescription(PCWSTR pszDescription, DWORD cchDescription,
                              BOOL fHtmlEncode = TRUE) override;
  PCWSTR GetErrorDescription(DWORD* pcchDescription = nullptr) override;
  HRESULT GetHeaderChanges(DWORD dwOldChangeNumber, DWORD* pdwNewChangeNumber,
                           PCSTR knownHeaderSnapshot[HttpHeaderResponseMaximum],
                           DWORD* pdwUnknownHeaderSnapshot, PCSTR** ppUnknownHeaderNameSnapshot,
                           PCSTR** ppUnknownHeaderValueSnapshot,
                           DWORD diffedKnownHeaderIndices[HttpHeaderResponseMaximum + 1],
                           DWORD* pdwDiffedUnknownHeaders,
                           DWORD** ppDiffedUnknownHeaderIndices) override;
  VOID CloseConnection() override;
  HRESULT WriteEntityChunks(HTTP_DATA_CHUNK* pDataChunks, DWORD nChunks, BOOL fAsync,
                            BOOL fMoreData, PFN_ASYNC_COMPLETION pfnCompletionCallback,
                            VOID* pvCompletionContext, DWORD* pcbSent,
                            BOOL* pfCompletionExpected = nullptr) override;
  HRESULT Flush(BOOL fAsync, BOOL fMoreData, PFN_ASYNC_COMPLETION pfnCompletionCallback,
                VOID* pvCompletionContext, DWORD* pcbSent,
                BOOL* pfCompletionExpected = nullptr) override;
  HRESULT PushPromise(PCSTR pszVerb, PCWSTR pwszPath, PCWSTR pwszQuery, DWORD cHeaders,
                      PCSTR* rgHeaderNames, PCSTR* rgHeaderValues) override;
  HRESULT DeleteTrailer(PCSTR pszHeaderName) override;
  PCSTR GetTrailer(PCSTR pszHeaderName, USHORT* pcchHeaderValue = nullptr) const override;
  VOID ResetStream(ULONG errorCode) override;
  VOID SetNeedGoAway() override;
  HRESULT SetTrailer(PCSTR pszHeaderName, PCSTR pszHeaderValue, USHORT cchHeaderValue,
                     BOOL fReplace) override;

 private:
  HttpContextImpl& ctx_;
};

// Where a module's async operation reports: v1 (OnAsyncCompletion of the pending module) or a v2
// callback (IHttpResponse2/IHttpRequest3).
struct CompletionTarget {
  PFN_ASYNC_COMPLETION callback = nullptr;
  void* callback_context = nullptr;
};

class HttpContextImpl final : public IHttpContext4 {
 public:
  HttpContextImpl(IisHandler& owner, http::Exchange& ex);
  ~HttpContextImpl() override;
  // One per request, a few KiB: the memory comes from a per-thread cache (base::BlockCache).
  static void* operator new(size_t size);
  static void operator delete(void* p, size_t size) noexcept;

  // Runs the pipeline from RQ_BEGIN_REQUEST (after the body's read-ahead), in a task of its own.
  void begin();
  // The loop has stopped and is gone (a context freed at shutdown): nothing may reach it.
  void forget_loop() { host_ = nullptr; }

  // The built-in StaticFileModule's answer (static_bridge.h): core's status and headers merge into
  // the response, its body joins the buffered body by reference; `done` keeps what the chunks
  // point into until the response lets go of them.
  void take_core_response(const http::ResponseHead& head, std::span<const http::BodyChunk> chunks,
                          http::SendCompletion done);

  // --- For the server's built-in modules (src/modules), which run in the pipeline like native
  // modules but read the request without the IIS API's copies and wide strings. Loop thread,
  // during a notification of this request.
  struct HeaderView {
    std::string_view name, value;
  };
  const IisHandler::PathSettings& path_settings() const { return *settings_; }
  IisHandler& handler() const { return owner_; }
  std::string_view method() const { return method_; }
  std::string_view raw_target() const { return raw_target_; }  // as received
  std::string_view url() const { return url_; }      // decoded, normalised (after a SetUrl)
  bool url_decoded() const { return !url_raw_; }     // false: url() is the path as received
  std::string_view query() const { return query_; }  // without '?'
  uint8_t version_major() const { return version_major_; }
  uint8_t version_minor() const { return version_minor_; }
  std::string_view remote_address() const { return remote_host_; }
  std::string_view local_address() const { return local_host_; }
  uint16_t local_port() const { return local_port_; }
  const char* scheme() const { return tls_ ? "https://" : "http://"; }  // with "://"
  const std::string* request_header(std::string_view name) const {
    return find_request_header(name);
  }
  template <class F>
  void for_each_request_header(F&& f) const {
    for (const Header& h : request_headers_)
      f(HeaderView{h.name, h.value});
  }
  const std::string* response_header(std::string_view name) const;
  template <class F>
  void for_each_response_header(F&& f) const {
    for (const Header& h : response_headers_)
      f(std::string_view(h.name), std::string_view(h.value));
  }
  // The connection failed or closed before the response was complete.
  bool connection_lost() const { return connection_lost_; }
  USHORT status() const { return status_; }
  USHORT substatus() const { return substatus_; }
  // SetStatus's fTrySkipCustomErrors (custom errors leave such a response alone).
  bool try_skip_custom_errors() const { return try_skip_custom_errors_; }
  bool is_child() const { return parent_ != nullptr || child_exchange_ != nullptr; }
  int64_t start_ms() const { return start_ms_; }
  // Body bytes handed to the connection so far, and request body bytes read from it.
  uint64_t body_bytes_sent() const { return body_bytes_sent_; }
  uint64_t body_bytes_read() const { return body_bytes_read_; }
  const HandlerMapping* mapping() const { return mapping_; }
  uint64_t buffered_bytes() const { return buffered_bytes_; }  // the buffered body's size
  // For a built-in module's work that may block (a file read, compressing): a base::Region on
  // this host lets the loop go on without it (the module runs inline otherwise).
  base::BlockingHost* blocking_host() const { return host_; }
  // The body is StaticFileModule's answer (a file of the site), not a module's.
  bool static_answer() const { return static_answer_; }
  // Replaces the buffered body with `chunks`, by reference (memory and file ranges, as core's
  // answer is taken); `pin` keeps what they point into until the response lets go of them.
  void replace_body(std::span<const http::BodyChunk> chunks, http::SendCompletion pin);

  // IHttpContext
  IHttpSite* GetSite() override;
  IHttpApplication* GetApplication() override;
  IHttpConnection* GetConnection() override;
  IHttpRequest* GetRequest() override { return &request_; }
  IHttpResponse* GetResponse() override { return &response_; }
  BOOL GetResponseHeadersSent() const override { return headers_sent_; }
  IHttpUser* GetUser() const override;
  IHttpModuleContextContainer* GetModuleContextContainer() override;
  VOID IndicateCompletion(REQUEST_NOTIFICATION_STATUS notificationStatus) override;
  HRESULT PostCompletion(DWORD cbBytes) override;
  VOID DisableNotifications(DWORD dwNotifications, DWORD dwPostNotifications) override;
  BOOL GetNextNotification(REQUEST_NOTIFICATION_STATUS status, DWORD* pdwNotification,
                           BOOL* pfIsPostNotification, CHttpModule** ppModuleInfo,
                           IHttpEventProvider** ppRequestOutput) override;
  BOOL GetIsLastNotification(REQUEST_NOTIFICATION_STATUS status) override;
  HRESULT ExecuteRequest(BOOL fAsync, IHttpContext* pHttpContext, DWORD dwExecuteFlags,
                         IHttpUser* pHttpUser, BOOL* pfCompletionExpected = nullptr) override;
  DWORD GetExecuteFlags() const override { return execute_flags_; }
  HRESULT GetServerVariable(PCSTR pszVariableName, PCWSTR* ppszValue,
                            DWORD* pcchValueLength) override;
  HRESULT GetServerVariable(PCSTR pszVariableName, PCSTR* ppszValue,
                            DWORD* pcchValueLength) override;
  HRESULT SetServerVariable(PCSTR pszVariableName, PCWSTR pszVariableValue) override;
  VOID* AllocateRequestMemory(DWORD cbAllocation) override;
  IHttpUrlInfo* GetUrlInfo() override;
  IMetadataInfo* GetMetadata() override { return metadata_for(owner_, url_); }
  PCWSTR GetPhysicalPath(DWORD* pcchPhysicalPath = nullptr) override;
  PCWSTR GetScriptName(DWORD* pcchScriptName = nullptr) const override;
  PCWSTR GetScriptTranslated(DWORD* pcchScriptTranslated = nullptr) override;
  IScriptMapInfo* GetScriptMap() const override;
  VOID SetRequestHandled() override { request_handled_ = true; }
  IHttpFileInfo* GetFileInfo() const override;
  HRESULT MapPath(PCWSTR pszUrl, PWSTR pszPhysicalPath, DWORD* pcbPhysicalPath) override;
  HRESULT NotifyCustomNotification(ICustomNotificationProvider* pCustomOutput,
                                   BOOL* pfCompletionExpected) override;
  IHttpContext* GetParentContext() const override { return parent_; }
  // As documented: NULL for the root itself (spec-2 §3.5 [UNC]; docs/iis-compat.md).
  IHttpContext* GetRootContext() const override;
  HRESULT CloneContext(DWORD dwCloneFlags, IHttpContext** ppHttpContext) override;
  HRESULT ReleaseClonedContext() override;
  HRESULT GetCurrentExecutionStats(
      DWORD* pdwNotification, DWORD* pdwNotificationStartTickCount = nullptr,
      PCWSTR* ppszModule = nullptr, DWORD* pdwModuleStartTickCount = nullptr,
      DWORD* pdwAsyncNotification = nullptr,
      DWORD* pdwAsyncNotificationStartTickCount = nullptr) const override;
  IHttpTraceContext* GetTraceContext() const override;
  HRESULT GetServerVarChanges(DWORD dwOldChangeNumber, DWORD* pdwNewChangeNumber,
                              DWORD* pdwVariableSnapshot, PCSTR** ppVariableNameSnapshot,
                              PCWSTR** ppVariableValueSnapshot, DWORD* pdwDiffedVariables,
                              DWORD** ppDiffedVariableIndices) override;
  HRESULT CancelIo() override;
  HRESULT MapHandler(DWORD dwSiteId, PCWSTR pszSiteName, PCWSTR pszUrl, PCSTR pszVerb,
                     IScriptMapInfo** ppScriptMap, BOOL fIgnoreWildcardMappings = FALSE) override;
  HRESULT GetExtendedInterface(HTTP_CONTEXT_INTERFACE_VERSION version, PVOID* ppInterface) override;
  // IHttpContext2..4
  IHttpUser* GetOriginalUser() const override { return GetUser(); }
  INamedContextContainer* GetNamedContextContainer() override { return nullptr; }
  VOID EnableFullDuplex() override { full_duplex_ = true; }
  HRESULT InheritServerVariable(PCSTR szName, BOOL fFailIfNotExist = FALSE) override;
  HRESULT PostCompletion(DWORD cbBytes, LPOVERLAPPED_COMPLETION_ROUTINE pfnCompletionRoutine,
                         VOID* pvCompletionContext) override;
  ULONGLONG GetRequestStartTime() override { return static_cast<ULONGLONG>(start_ms_); }
  ULONGLONG GetRequestElapsedTime() override;

  static constexpr int64_t kForeignCallTimeoutMs = 5'000;
  bool on_loop_thread() const {
    return host_ != nullptr ? host_->holds() : exec_.in_executor_thread();
  }
  // Runs `body` here on the loop thread; from another thread, on the loop while the caller
  // waits (see THREADING). `what` names the method in the log; `fallback` is returned when the
  // call could not be run.
  template <class R, class F>
  R on_loop(const char* what, R fallback, F&& body) const {
    if (on_loop_thread()) return body();
    if (host_ != nullptr) {
      base::Call call(host_, kForeignCallTimeoutMs);
      if (!call.ok()) {
        call_refused(what);
        return fallback;
      }
      return body();
    }
    R result = fallback;
    if (!run_from_foreign_thread(what, [&] { result = body(); })) return fallback;
    return result;
  }
  template <class F>
  void on_loop_void(const char* what, F&& body) const {
    on_loop<int>(what, 0, [&] {
      body();
      return 0;
    });
  }

 private:
  // The foreign-thread half of on_loop() on an executor without blocking support: posted and
  // waited for. False when the call was not run.
  bool run_from_foreign_thread(const char* what, const std::function<void()>& call) const;
  void call_refused(const char* what) const;

  // Tasks of this request (see THREADING): `fn` runs in a blocking task of the loop, after the
  // task of this request that runs now, if any. The context is not destroyed while one is queued
  // (tasks_), so a task needs no more than `this`.
  template <class F>
  void schedule(F fn) {
    ++tasks_;
    exec_.defer_blocking([this, fn = std::move(fn)]() mutable {
      --tasks_;
      run_serialized(std::move(fn));
    });
  }
  template <class F>
  void run_serialized(F fn) {
    if (busy_) {
      later_.emplace_back(std::move(fn));
      return;
    }
    busy_ = true;
    fn();
    run_later();
  }
  // The tasks that arrived while one ran, then the end of a task (maybe_destroy).
  void run_later();
  void start();
  void serve_static();
  // The body's read-ahead (serverRuntime uploadReadAheadSize), before the first notification.
  void read_ahead();

  friend class RequestImpl;
  friend class ResponseImpl;
  friend class ChildExchange;

  // Child requests (child_request.h). A child's output, taken in a task of this (the parent's)
  // request: copied into this response, and sent on unless the child buffers.
  static constexpr int kMaxChildDepth = 10;
  void take_child_output(ChildExchange& child, bool first, std::span<const http::BodyChunk> chunks,
                         bool last);
  // Copies `chunks` (memory, and duplicated descriptors) to the end of the buffered body.
  HRESULT append_copy(std::span<const http::BodyChunk> chunks);
  // Appends `chunks` to the buffered body by reference (file ranges as file chunks, a cached
  // file's memory copy kept beside them); `done` is released with the buffer's storage.
  void append_by_reference(std::span<const http::BodyChunk> chunks, http::SendCompletion done);
  // This child is done (END_REQUEST ran, its output was taken): its parent hears of it.
  void report_to_parent();
  struct Header {
    std::string name;
    std::string value;
  };
  // A duplicate of a module's descriptor, closed when the last reference goes.
  struct DupFd {
    explicit DupFd(int f) : fd(f) {}
    DupFd(const DupFd&) = delete;
    DupFd& operator=(const DupFd&) = delete;
    ~DupFd();
    int fd;
  };
  using FdRef = std::shared_ptr<DupFd>;
  struct DupCacheEntry {
    uint64_t dev = 0, ino = 0;
    FdRef fd;
  };
  // A piece of response output waiting for (or in) an Exchange::send. It owns what its chunks
  // point into: bytes copied from module memory (in slabs that never move), duplicated
  // descriptors (closed with the item) and fragment-cache blobs.
  struct OutItem {
    OutItem() = default;
    OutItem(const OutItem&) = delete;
    OutItem& operator=(const OutItem&) = delete;
    ~OutItem() { release(); }
    // Copies n bytes into the item's slabs; returns where they now live.
    const char* copy(const void* p, size_t n);
    // Moves `from`'s storage (slabs, descriptors, blobs, copied count) into this item.
    void take_storage(OutItem& from);
    // Frees the storage: closes the descriptors, drops slabs and blobs.
    void release();
    // Whether `p` points into one of the item's fragment blobs (chunks added without copies own
    // nothing else).
    bool is_owned(const char* p) const;

    std::vector<http::BodyChunk> chunks;
    std::vector<std::unique_ptr<char[]>> slabs;
    char* slab_pos = nullptr;
    size_t slab_left = 0;
    std::vector<FdRef> fds;
    std::vector<FragmentCache::Blob> blobs;
    // Keep-alives of chunks by reference (core's static answer): released with the storage.
    std::vector<http::SendCompletion> pins;
    // File ranges also held in memory (a small cached file): sent from the copy.
    struct Mirror {
      int fd;
      const char* data;  // the file's byte 0
      uint64_t size;
    };
    std::vector<Mirror> mirrors;
    uint64_t copied = 0;  // bytes in slabs: what this item adds to the output backlog
    bool last = false;
    bool notify = false;  // deliver a module completion when sent
    CompletionTarget target;
    uint64_t bytes = 0;     // body bytes in `chunks`
    uint64_t reported = 0;  // what the module's completion reports (notify)
  };
  enum class State { kIdle, kInModule, kPending, kDone };

  // The containers a request fills, kept per thread between requests (base::FreeList) so that a
  // request does not take each one from malloc again. recycle() empties them and refuses storage
  // a large request grew, so what is kept stays small (and bounded: kKeptStorage per thread).
  struct Storage {
    bool recycle();

    std::vector<Header> request_headers;
    std::vector<Header> response_headers;
    std::vector<HTTP_UNKNOWN_HEADER> raw_unknown_headers;
    std::vector<std::pair<std::string, std::string>> variables;
    std::deque<std::string> inserted_body;
    std::vector<const ModuleRegistration*> list;
    std::vector<CHttpModule*> instances;
    std::vector<std::pair<DWORD, DWORD>> disabled;
    std::vector<bool> abandoned;
    std::vector<HTTP_DATA_CHUNK> buffered;
    std::vector<ResolvedChunk> scratch;
    std::deque<std::unique_ptr<OutItem>> queue;
    // Tasks posted from other threads check it: false once the context is destroyed. Reused
    // only when no task holds it any more.
    std::shared_ptr<bool> alive = std::make_shared<bool>(true);
    base::Arena arena;  // AllocateRequestMemory's
  };
  static constexpr size_t kKeptStorage = 128;
  using StoragePool = base::FreeList<Storage, kKeptStorage>;
  // Owns the context's storage; hands it back to the pool when the context is destroyed (after
  // every other member, so the module instances and the queue are gone by then).
  struct StorageRef {
    StorageRef() : p(StoragePool::take()) {}
    StorageRef(const StorageRef&) = delete;
    StorageRef& operator=(const StorageRef&) = delete;
    ~StorageRef() { StoragePool::give(std::move(p)); }
    Storage* operator->() const { return p.get(); }
    std::unique_ptr<Storage> p;
  };

  // Pipeline.
  void run();
  bool call_module(const ModuleRegistration* reg, DWORD notification, bool post,
                   REQUEST_NOTIFICATION_STATUS* status);
  void after_status(REQUEST_NOTIFICATION_STATUS status);
  bool finish_to_log();
  void enter_stage(int stage, bool post);
  CHttpModule* instance(const ModuleRegistration* reg);
  template <class Call>
  void raise_nested(DWORD notification, const char* method, Call call);
  void deliver_async(DWORD bytes, HRESULT status, CompletionTarget target, DWORD operation);
  void resume_with(REQUEST_NOTIFICATION_STATUS status);
  void finish_request_phase();
  void maybe_destroy();
  void on_exchange_gone();

  // GL_PRE_BEGIN_REQUEST; true if a global module returned GL_NOTIFICATION_HANDLED.
  bool raise_pre_begin_request();
  // Applies the site's requestLimits; true (status set) if the request is refused.
  bool refuse_over_limits();
  // Request timeout (see REQUEST TIMEOUT above).
  void arm_pending_timer();
  void on_pending_timer();
  void expire_pending();
  void abandon(const ModuleRegistration* reg);

  // Non-deterministic notifications.
  // Maps a decoded URL path onto the site root and raises RQ_MAP_PATH. S_OK with *physical;
  // ERROR_INVALID_PARAMETER for a path that is not absolute, has a '\' or control byte, or
  // climbs above the root; ERROR_PATH_NOT_FOUND when the site has no root directory.
  HRESULT resolve_physical(std::string_view url, std::string* physical);
  const std::string& request_physical_path();  // for url_, cached until the URL changes
  void raise_read_entity(void* buf, DWORD cb, DWORD* n);

  // Response.
  // Validates and resolves a module's chunk array into scratch_ (data_chunks.h).
  HRESULT resolve(const HTTP_DATA_CHUNK* chunks, DWORD n, uint64_t* total);
  // Appends scratch_ to the buffered body, duplicating descriptors; memory is copied when
  // `copy`, else borrowed (until the send completes, or by reference).
  HRESULT buffer_resolved(size_t insert_at, bool copy);
  // Checks that copying `bytes` more keeps the request's output backlog within its limit.
  HRESULT check_backlog(uint64_t bytes);
  HRESULT write(HTTP_DATA_CHUNK* chunks, DWORD n, BOOL fAsync, BOOL fMoreData,
                CompletionTarget target, DWORD* pcbSent, BOOL* pfCompletionExpected);
  HRESULT flush(BOOL fAsync, BOOL fMoreData, CompletionTarget target, DWORD* pcbSent,
                BOOL* pfCompletionExpected);
  HRESULT write_by_reference(HTTP_DATA_CHUNK* chunk, LONG position);
  void post_write_completion(DWORD bytes, CompletionTarget target);
  // Raises RQ_SEND_RESPONSE, then queues the buffered body (and the head, the first time) for
  // the exchange; `reported` is what an async completion reports (kReportItemBytes: the item's
  // bytes). With `sync_wait`, returns once the bytes are in the kernel.
  static constexpr uint64_t kReportItemBytes = ~uint64_t{0};
  HRESULT send_buffered(BOOL fAsync, CompletionTarget target, uint64_t reported, DWORD* sent,
                        BOOL* expected, bool sync_wait);
  // Waits until `item` (queued) is in the kernel. If waiting is not possible, the item copies
  // the memory chunks it borrowed.
  HRESULT wait_until_sent(const OutItem* item);
  // A shared duplicate of the chunk's descriptor (null when dup() fails).
  FdRef duplicate(const ResolvedChunk& r);
  bool duplicate_scratch_fds(std::vector<FdRef>* refs);
  void move_buffer_into(OutItem& item);
  void send_response_notifications(bool last);
  void prepare_head();
  void sync_trailers();  // trailers_ into the exchange's response head
  void pump();
  void fail_queued(bool notify);

  // Request body.
  HRESULT read_body(void* buf, DWORD cb, BOOL fAsync, CompletionTarget target, DWORD* received,
                    BOOL* pending);
  void on_body_ready();
  void finish_pending_read();
  void on_sent(http::SendResult result);
  // A synchronous call's wait (see THREADING): false when the loop cannot be left to wait.
  bool wait_here(base::Waiter& w);
  void sync_from_raw_response();
  // IIS's default response headers (Server): a new response has them, and Clear/ClearHeaders
  // restore them (request_impl.cc).
  void add_default_response_headers();
  void fill_addresses();  // remote_sa_ and local_sa_, on first use (few modules ask)

  const std::string* find_request_header(std::string_view name) const;
  std::string server_variable(std::string_view name, bool* found) const;
  HRESULT lookup_variable(PCSTR name, std::string* value) const;
  char* arena_copy(std::string_view s);
  wchar_t* arena_widen(std::string_view s, DWORD* cch);

  StorageRef storage_;  // first: the members below refer into it
  IisHandler& owner_;
  http::Exchange* ex_;  // null once the exchange is gone (response sent, or connection failed)
  Executor& exec_;
  base::BlockingHost* host_;  // the loop's blocking support (null: none; waits are refused)
  RequestImpl request_{*this};
  ResponseImpl response_{*this};
  int64_t start_ms_ = 0;

  // Request copy (owned: the pipeline outlives the exchange).
  std::string method_;
  std::string raw_target_;
  std::string url_;    // decoded path
  std::string query_;  // without '?'
  uint8_t version_major_ = 1, version_minor_ = 1;
  std::optional<uint64_t> declared_length_;  // Content-Length, when the body has one
  bool has_body_ = false;
  std::vector<Header>& request_headers_ = storage_->request_headers;
  bool url_changed_ = false;
  bool url_raw_ = false;  // the target's path did not normalise: url_ holds it as received
  std::string remote_host_, local_host_;
  sockaddr_storage remote_sa_{}, local_sa_{};
  bool addresses_filled_ = false;
  HTTP_REQUEST raw_request_{};
  HTTP_RESPONSE raw_response_{};
  std::wstring raw_cooked_url_;
  std::vector<HTTP_UNKNOWN_HEADER>& raw_unknown_headers_ =
      storage_->raw_unknown_headers;  // GetRawHttpRequest's pUnknownHeaders
  bool raw_response_given_ = false;
  // GetRawHttpRequest was called: request changes (headers, URL, verb) rebuild the struct in
  // place, so the module's pointer stays valid and current.
  bool raw_request_given_ = false;
  USHORT raw_given_status_ = 0;  // what GetRawHttpResponse handed out, to see what changed
  size_t raw_given_count_ = 0;
  uint16_t remote_port_ = 0, local_port_ = 0;
  // The connection's protocol and TLS facts, copied (the context outlives its exchange); null on
  // plain HTTP. HTTPS_*/CERT_* server variables and GetClientCertificate read them.
  struct TlsCopy {
    std::string version, cipher, server_subject, server_issuer;
    std::string peer_certificate, peer_subject, peer_issuer, peer_serial;
    int cipher_bits = 0;
    int peer_key_bits = 0;
    bool peer_verified = false;
    HTTP_SSL_CLIENT_CERT_INFO cert_info{};  // GetClientCertificate's answer
  };
  std::unique_ptr<TlsCopy> tls_;
  // IHttpResponse4::SetTrailer's fields, in order; sent with the last send where the protocol
  // carries them (HTTP/2; HTTP/1.1 when set before the head goes out: chunked). A list: the
  // value GetTrailer returned stays where it is until that trailer is replaced or deleted, as
  // IIS's request-pool strings do (a module may set another trailer and still read it).
  std::list<std::pair<std::string, std::string>> trailers_;
  std::vector<std::pair<std::string, std::string>>& variables_ =
      storage_->variables;  // SetServerVariable
  std::deque<std::string>& inserted_body_ = storage_->inserted_body;
  bool body_eof_ = false;

  // Pipeline position.
  State state_ = State::kIdle;
  int stage_ = 0;  // 0..11 = BEGIN_REQUEST..END_REQUEST
  // A PENDING from OnMapPath while the server maps the request's URL parks the pipeline there
  // (raise_nested records the module; run() parks). Any other nested PENDING is a CONTINUE.
  bool map_path_may_park_ = false;
  const ModuleRegistration* map_path_parked_ = nullptr;
  // GetCurrentExecutionStats: when the current notification and the current module's call began
  // (the loop's monotonic milliseconds, GetTickCount's clock) and which module runs.
  int64_t notification_start_ms_ = 0;
  int64_t module_start_ms_ = 0;
  const ModuleRegistration* running_module_ = nullptr;
  // IHttpContext::GetTraceContext: this request's activity ID (made on first use).
  mutable RequestTraceContext trace_context_;
  // IHttpContext::GetScriptMap: the serving handler mapping, made on first use.
  mutable std::unique_ptr<ScriptMapInfoImpl> script_map_;
  bool post_ = false;
  size_t index_ = 0;
  std::vector<const ModuleRegistration*>& list_ = storage_->list;
  const ModuleRegistration* pending_module_ = nullptr;
  DWORD pending_notification_ = 0;
  bool pending_post_ = false;
  bool finish_ = false;
  bool request_handled_ = false;
  bool final_flushed_ = false;
  const HandlerMapping* mapping_ = nullptr;
  std::vector<CHttpModule*>& instances_ =
      storage_->instances;  // by registration order, created on first use
  std::vector<std::pair<DWORD, DWORD>>& disabled_ =
      storage_->disabled;  // per registration order: pre/post masks
  bool full_duplex_ = false;
  bool async_write_ = false;  // a module-visible async write/flush is in flight
  bool async_read_ = false;   // a module-visible async read is in flight
  bool in_send_response_ = false;
  bool try_skip_custom_errors_ = false;
  bool static_answer_ = false;
  uint64_t body_bytes_sent_ = 0;
  uint64_t body_bytes_read_ = 0;
  bool destroy_scheduled_ = false;
  bool wrote_body_ = false;    // a module wrote body bytes (then StaticFileModule does not answer)
  std::string static_target_;  // the target core answers, when the pipeline changed it
  // A task of this request runs (see schedule()); tasks arriving meanwhile wait in later_.
  bool busy_ = false;
  std::vector<std::function<void()>> later_;  // (a deque would allocate even when empty)
  int tasks_ = 0;                             // tasks scheduled and not yet run

  // Response state.
  USHORT status_ = 200;
  USHORT substatus_ = 0;
  std::string reason_ = "OK";
  std::vector<Header>& response_headers_ = storage_->response_headers;
  std::vector<HTTP_DATA_CHUNK>& buffered_ = storage_->buffered;  // the live buffered body
  OutItem buffer_;                                               // storage behind buffered_
  uint64_t buffered_bytes_ = 0;
  // Bytes copied from module memory and not yet in the kernel (buffered + queued): bounded by
  // backlog_limit_ (docs/response-body.md, "Back-pressure").
  uint64_t backlog_ = 0;
  uint64_t backlog_limit_ = 0;
  bool backlog_warned_ = false;
  std::vector<ResolvedChunk>& scratch_ = storage_->scratch;
  std::array<DupCacheEntry, 4> dups_;
  size_t dup_next_ = 0;
  bool buffering_ = true;
  uint64_t buffer_limit_ = 4 * 1024 * 1024;
  bool headers_sent_ = false;
  bool headers_suppressed_ = false;
  bool no_more_data_ = false;
  bool need_disconnect_ = false;
  std::deque<std::unique_ptr<OutItem>>& queue_ = storage_->queue;
  // A synchronous unbuffered write or flush waiting for its item to reach the kernel.
  base::Waiter* write_waiter_ = nullptr;
  const OutItem* write_wait_item_ = nullptr;
  bool write_wait_ok_ = false;
  bool send_outstanding_ = false;
  bool exchange_last_sent_ = false;
  bool last_queued_ = false;  // an OutItem with last=true is in queue_ (or sent)

  // Pending async read.
  struct PendingRead {
    void* buf = nullptr;
    DWORD cb = 0;
    CompletionTarget target;
  };
  std::unique_ptr<PendingRead> pending_read_;
  base::Waiter* read_waiter_ = nullptr;  // a synchronous ReadEntityBody waiting for bytes
  // Body bytes read ahead before the first notification, not yet handed to a module.
  std::string readahead_;
  size_t readahead_pos_ = 0;
  bool readahead_done_ = false;
  bool readahead_pending_ = false;  // waiting for the exchange's ready callback
  uint64_t readahead_unread() const { return readahead_.size() - readahead_pos_; }

  std::unique_ptr<class ModuleContextContainer> container_;  // created on first use
  // IHttpConnection for this request, over the connection's shared state: the module context
  // container is the connection's (kept across keep-alive requests); AllocateMemory is request
  // lifetime, as the IIS documentation says.
  class Connection final : public IHttpConnection {
   public:
    explicit Connection(HttpContextImpl& ctx) : ctx_(ctx) {}
    BOOL IsConnected() const override;
    VOID* AllocateMemory(DWORD cb) override { return ctx_.AllocateRequestMemory(cb); }
    IHttpConnectionModuleContextContainer* GetModuleContextContainer() override;

   private:
    HttpContextImpl& ctx_;
  };
  Connection connection_{*this};
  std::shared_ptr<class ConnectionState> connection_state_;  // never null
  bool own_connection_state_ = false;  // the exchange has no connection slot: ours alone
  bool connection_lost_ = false;
  base::Arena& arena_ = storage_->arena;

  // Child requests: the parent (null for a root or once the parent is gone), the connection a
  // child has (its ChildExchange), the clones not yet released (creation order).
  HttpContextImpl* parent_ = nullptr;
  std::unique_ptr<class ChildExchange> child_exchange_;
  std::vector<HttpContextImpl*> children_;
  DWORD execute_flags_ = 0;
  int depth_ = 0;             // 0 for a root
  bool executed_ = false;     // ExecuteRequest ran this clone
  bool released_ = false;     // ReleaseClonedContext (or the parent's end) let it go
  bool reported_ = false;     // the parent heard that it is done
  int running_children_ = 0;  // executed and not yet reported
  const HandlerMapping* skip_mapping_ = nullptr;  // EXECUTE_FLAG_IGNORE_CURRENT_INTERCEPTOR

  // GetFileInfo's entry (referenced; file_info.h) for file_info_path_, GetUrlInfo's view and
  // GetCachePolicy's policy: made on first use.
  mutable class FileInfoImpl* file_info_ = nullptr;
  mutable std::string file_info_path_;
  std::unique_ptr<class UrlInfoView> url_info_;
  std::unique_ptr<class CachePolicyImpl> cache_policy_;

  // Request timeout.
  Executor::TimerId pending_timer_ = 0;
  bool pending_timer_armed_ = false;
  int64_t pending_activity_ms_ = 0;  // last time the pending module was started or heard from
  bool timed_out_ = false;
  std::string timed_out_module_;
  // Per registration order: disposed after a timeout, or not enabled for the site: no instance
  // is (re)created and no notification reaches it.
  std::vector<bool>& abandoned_ = storage_->abandoned;
  const IisHandler::PathSettings* settings_ = nullptr;  // set by start()
  std::shared_ptr<bool>& alive_ = storage_->alive;      // see Storage::alive

  // The request's physical path (RQ_MAP_PATH), for physical_url_.
  bool physical_resolved_ = false;
  std::string physical_url_, physical_path_;
};

}  // namespace hs::iis
