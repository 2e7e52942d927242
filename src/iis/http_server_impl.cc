#include "iis/http_server_impl.h"

#include <sys/random.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "base/blocking.h"
#include "base/log.h"
#include "iis/context_container.h"
#include "iis/data_chunks.h"
#include "iis/file_info.h"
#include "iis/global_notifications.h"
#include "iis/module_registry.h"
#include "iis/wide.h"

namespace hs::iis {
namespace {

constexpr GUID kZeroGuid{};

// GL_CONFIGURATION_CHANGE / GL_FILE_CHANGE providers (IHttpServer::Notify*Change).
class ConfigurationChangeProvider final : public IGlobalConfigurationChangeProvider {
 public:
  explicit ConfigurationChangeProvider(PCWSTR path) : path_(path != nullptr ? path : L"") {}
  VOID SetErrorStatus(HRESULT) override {}
  PCWSTR GetChangePath() const override { return path_; }

 private:
  PCWSTR path_;
};

class FileChangeProvider final : public IGlobalFileChangeProvider {
 public:
  explicit FileChangeProvider(PCWSTR file) : file_(file != nullptr ? file : L"") {}
  VOID SetErrorStatus(HRESULT) override {}
  PCWSTR GetFileName() const override { return file_; }
  // Not raised by a monitor (RegisterFileChangeMonitor is not implemented), so none.
  IHttpFileMonitor* GetFileMonitor() override { return nullptr; }

 private:
  PCWSTR file_;
};

// Interface families whose objects, in httpserv, always implement the newest version (single
// inheritance), so converting between versions of one family returns the same pointer.
struct Family {
  const GUID* members[4];
};
constexpr Family kFamilies[] = {
    {{&iid_of<IHttpContext>(), &iid_of<IHttpContext2>(), &iid_of<IHttpContext3>(),
      &iid_of<IHttpContext4>()}},
    {{&iid_of<IHttpRequest>(), &iid_of<IHttpRequest2>(), &iid_of<IHttpRequest3>(),
      &iid_of<IHttpRequest4>()}},
    {{&iid_of<IHttpResponse>(), &iid_of<IHttpResponse2>(), &iid_of<IHttpResponse3>(),
      &iid_of<IHttpResponse4>()}},
    {{&iid_of<IHttpCompletionInfo>(), &iid_of<IHttpCompletionInfo2>(), nullptr, nullptr}},
    {{&iid_of<IGlobalApplicationPreloadProvider>(), &iid_of<IGlobalApplicationPreloadProvider2>(),
      nullptr, nullptr}},
    {{&iid_of<IHttpApplication>(), &iid_of<IHttpApplication2>(), nullptr, nullptr}},
    {{&iid_of<IHttpCachePolicy>(), &iid_of<IHttpCachePolicy2>(), nullptr, nullptr}},
    {{&iid_of<IHttpModuleRegistrationInfo>(), &iid_of<IHttpModuleRegistrationInfo2>(), nullptr,
      nullptr}},
};

int family_of(const GUID& iid) {
  for (size_t f = 0; f < sizeof(kFamilies) / sizeof(kFamilies[0]); ++f) {
    for (const GUID* g : kFamilies[f].members) {
      if (g != nullptr && *g == iid) return static_cast<int>(f);
    }
  }
  return -1;
}

bool is_server_iid(const GUID& iid) {
  return iid == iid_of<IHttpServer>() || iid == iid_of<IHttpServer2>() ||
         iid == iid_of<IHttpServer3>();
}

// Narrow for log lines; never throws (these are called from module code).
std::string log_text(PCWSTR text) {
  try {
    return narrow(text);
  } catch (...) {
    return "?";
  }
}

wchar_t ascii_lower(wchar_t c) {
  return (c >= L'A' && c <= L'Z') ? static_cast<wchar_t>(c - L'A' + L'a') : c;
}

bool iequals(std::wstring_view a, std::wstring_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

bool is_space(wchar_t c) {
  return c == L' ' || c == L'\t';
}

// One precondition term: 1 satisfied, 0 known but not satisfied, -1 unknown.
int evaluate_term(std::wstring_view term) {
  struct Known {
    const wchar_t* name;
    bool satisfied;
  };
  static constexpr Known kKnown[] = {
      {L"bitness64", sizeof(void*) == 8},
      {L"bitness32", sizeof(void*) == 4},
      {L"integratedMode", true},  // modules see the integrated pipeline
      {L"classicMode", false},
      {L"runtimeVersionv4.0", true},  // what the pool reports; no managed code runs
      {L"runtimeVersionv2.0", false},
  };
  for (const Known& k : kKnown) {
    if (iequals(term, k.name)) return k.satisfied ? 1 : 0;
  }
  return -1;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// NullTraceContext / NullPerfCounterInfo

HRESULT NullTraceContext::GetTraceConfiguration(HTTP_TRACE_CONFIGURATION* config) {
  if (config == nullptr) return E_INVALIDARG;
  config->dwAreas = 0;
  config->dwVerbosity = 0;
  config->fProviderEnabled = FALSE;
  return S_OK;
}

HRESULT NullTraceContext::SetTraceConfiguration(HTTP_MODULE_ID, HTTP_TRACE_CONFIGURATION*, DWORD) {
  return S_OK;  // accepted; tracing stays disabled
}

HRESULT NullTraceContext::RaiseTraceEvent(HTTP_TRACE_EVENT*) {
  return S_OK;  // no provider is ever enabled, so there is nobody to deliver to
}

LPCGUID NullTraceContext::GetTraceActivityId() {
  return &kZeroGuid;
}

HRESULT NullTraceContext::QuickTrace(PCWSTR, PCWSTR, HRESULT, UCHAR) {
  return S_OK;
}

HRESULT RequestTraceContext::GetTraceConfiguration(HTTP_TRACE_CONFIGURATION* c) {
  return NullTraceContext().GetTraceConfiguration(c);
}
HRESULT RequestTraceContext::SetTraceConfiguration(HTTP_MODULE_ID, HTTP_TRACE_CONFIGURATION*,
                                                   DWORD) {
  return S_OK;
}
HRESULT RequestTraceContext::RaiseTraceEvent(HTTP_TRACE_EVENT*) {
  return S_OK;
}
HRESULT RequestTraceContext::QuickTrace(PCWSTR, PCWSTR, HRESULT, UCHAR) {
  return S_OK;
}
LPCGUID RequestTraceContext::GetTraceActivityId() {
  if (!has_id_) {
    // A version-4 GUID; the counter keeps IDs distinct if the kernel has no entropy to give.
    static std::atomic<uint64_t> fallback{1};
    unsigned char b[16];
    if (getrandom(b, sizeof b, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof b)) {
      uint64_t v = fallback.fetch_add(1, std::memory_order_relaxed) ^ 0x9E3779B97F4A7C15ull;
      memcpy(b, &v, 8);
      memcpy(b + 8, &v, 8);
    }
    memcpy(&id_.Data1, b, 4);
    memcpy(&id_.Data2, b + 4, 2);
    memcpy(&id_.Data3, b + 6, 2);
    memcpy(id_.Data4, b + 8, 8);
    id_.Data3 = static_cast<USHORT>((id_.Data3 & 0x0FFF) | 0x4000);
    id_.Data4[0] = static_cast<UCHAR>((id_.Data4[0] & 0x3F) | 0x80);
    has_id_ = true;
  }
  return &id_;
}

VOID NullPerfCounterInfo::IncrementCounter(DWORD, DWORD) {}
VOID NullPerfCounterInfo::DecrementCounter(DWORD, DWORD) {}

// ---------------------------------------------------------------------------------------------
// HttpServerImpl

HttpServerImpl::HttpServerImpl() = default;
HttpServerImpl::~HttpServerImpl() = default;

void HttpServerImpl::set_config_file(std::string_view path) {
  config_file_ = widen(path);
}

BOOL HttpServerImpl::IsCommandLineLaunch() const {
  return TRUE;  // started from a shell or a service manager, like IIS Express
}

PCWSTR HttpServerImpl::GetAppPoolName() const {
  return L"httpserv";
}

HRESULT HttpServerImpl::AssociateWithThreadPool(HANDLE, LPOVERLAPPED_COMPLETION_ROUTINE) {
  // Binding a handle to an I/O completion port has no Linux equivalent yet (it would mean
  // registering the fd with a worker's event loop and inventing OVERLAPPED completions).
  return E_NOTIMPL;
}

VOID HttpServerImpl::IncrementThreadCount() {
  // The caller is about to block (spec-2 §1.3): the pool's allowance grows by one, and the loop
  // its module code runs on is handed to another thread now rather than when the monitor sees
  // it blocked (base/blocking.h).
  base::thread_budget().declare(1);
  base::hand_off_now();
}
VOID HttpServerImpl::DecrementThreadCount() {
  base::thread_budget().declare(-1);
}

VOID HttpServerImpl::ReportUnhealthy(PCWSTR pszReasonString, HRESULT hrReason) {
  HS_LOG_WARN("a module reported the server unhealthy: %s (0x%08X); no action taken",
              log_text(pszReasonString).c_str(), static_cast<unsigned>(hrReason));
}

VOID HttpServerImpl::RecycleProcess(PCWSTR pszReason) {
  HS_LOG_WARN("a module asked for a process recycle: %s; no action taken",
              log_text(pszReason).c_str());
}

IAppHostAdminManager* HttpServerImpl::GetAdminManager() const {
  return admin_;  // the server's configuration manager (src/admin), set at startup
}

HRESULT HttpServerImpl::GetFileInfo(PCWSTR pszPhysicalPath, HANDLE, PSID, PCWSTR pszVrPath, HANDLE,
                                    BOOL, IHttpFileInfo** ppFileInfo, IHttpTraceContext*) {
  // The caller gets a reference of its own (file_info.h, REFERENCES); fCache only asks for
  // caching, and entries are always cached.
  if (ppFileInfo == nullptr || pszPhysicalPath == nullptr || *pszPhysicalPath == L'\0')
    return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  *ppFileInfo = nullptr;
  HRESULT hr = S_OK;
  FileInfoImpl* e = FileInfoCache::instance().get(
      narrow(pszPhysicalPath), pszVrPath != nullptr ? std::wstring(pszVrPath) : std::wstring(),
      &hr);
  if (e == nullptr) return hr;
  *ppFileInfo = e;
  return S_OK;
}

HRESULT HttpServerImpl::FlushKernelCache(PCWSTR) {
  return S_OK;  // there is no kernel (HTTP.sys) response cache, so nothing is ever cached
}

HRESULT HttpServerImpl::DoCacheOperation(CACHE_OPERATION, IHttpCacheKey*,
                                         IHttpCacheSpecificData** ppCacheSpecificData,
                                         IHttpTraceContext*) {
  // IIS's server caches (file, token, URL, metadata caches keyed by IHttpCacheKey) do not exist.
  if (ppCacheSpecificData != nullptr) *ppCacheSpecificData = nullptr;
  return E_NOTIMPL;
}

template <class Call>
void HttpServerImpl::dispatch_global(DWORD bit, const char* method, Call call) {
  if (registry_ != nullptr) raise_global(*registry_, bit, method, call);  // HANDLED stops it
}

GLOBAL_NOTIFICATION_STATUS HttpServerImpl::NotifyCustomNotification(
    ICustomNotificationProvider* pCustomOutput) {
  if (pCustomOutput == nullptr) {
    HS_LOG_WARN("NotifyCustomNotification called with a null provider; not dispatched");
    return GL_NOTIFICATION_CONTINUE;
  }
  dispatch_global(GL_CUSTOM_NOTIFICATION, "OnGlobalCustomNotification",
                  [&](CGlobalModule* g) { return g->OnGlobalCustomNotification(pCustomOutput); });
  return GL_NOTIFICATION_CONTINUE;
}

IHttpPerfCounterInfo* HttpServerImpl::GetPerfCounterInfo() {
  return &perf_;  // counters are not published (no Windows performance counters)
}

VOID HttpServerImpl::RecycleApplication(PCWSTR pszAppConfigPath) {
  HS_LOG_WARN("a module asked for an application recycle: %s; no action taken",
              log_text(pszAppConfigPath).c_str());
}

VOID HttpServerImpl::NotifyConfigurationChange(PCWSTR pszPath) {
  ConfigurationChangeProvider provider(pszPath);
  dispatch_global(GL_CONFIGURATION_CHANGE, "OnGlobalConfigurationChange",
                  [&](CGlobalModule* g) { return g->OnGlobalConfigurationChange(&provider); });
}

VOID HttpServerImpl::NotifyFileChange(PCWSTR pszFileName) {
  FileChangeProvider provider(pszFileName);
  dispatch_global(GL_FILE_CHANGE, "OnGlobalFileChange",
                  [&](CGlobalModule* g) { return g->OnGlobalFileChange(&provider); });
}

IDispensedHttpModuleContextContainer* HttpServerImpl::DispenseContainer() {
  return new (std::nothrow) ModuleContextContainer(registry_);  // NULL when out of memory
}

// Fragment cache (spec §7.3): a bounded LRU map of immutable blobs (fragment_cache.h). Callable
// from any thread. Nothing may throw into the module that called.
HRESULT HttpServerImpl::AddFragmentToCache(HTTP_DATA_CHUNK* pDataChunk, PCWSTR pszFragmentName) {
  std::optional<std::wstring_view> name = fragment_name(pszFragmentName);
  if (pDataChunk == nullptr || !name) return E_INVALIDARG;
  try {
    std::string data;
    const HTTP_DATA_CHUNK& c = *pDataChunk;
    if (chunk_type(c) == HttpDataChunkFromMemory) {
      if (c.FromMemory.pBuffer == nullptr && c.FromMemory.BufferLength > 0) return E_INVALIDARG;
      if (!fragments_.admits(c.FromMemory.BufferLength)) {
        return HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_QUOTA);
      }
      data.assign(static_cast<const char*>(c.FromMemory.pBuffer), c.FromMemory.BufferLength);
    } else if (chunk_type(c) == HttpDataChunkFromFileHandle) {
      // The range is read now: the cache holds bytes, not descriptors.
      uint64_t size = 0;
      uint64_t start = c.FromFileHandle.ByteRange.StartingOffset.QuadPart;
      HRESULT hr =
          resolve_file_range(chunk_fd(c), start, c.FromFileHandle.ByteRange.Length.QuadPart, &size);
      if (FAILED(hr)) return hr;
      if (!fragments_.admits(size)) return HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_QUOTA);
      data.resize(size);
      for (uint64_t done = 0; done < size;) {
        ssize_t n =
            pread(chunk_fd(c), data.data() + done, size - done, static_cast<off_t>(start + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return HRESULT_FROM_WIN32(ERROR_HANDLE_EOF);  // shrank, or an I/O error
        done += static_cast<uint64_t>(n);
      }
    } else {
      return E_INVALIDARG;  // only memory and file data can be cached
    }
    switch (fragments_.put(*name, std::move(data))) {
      case FragmentCache::PutResult::kAdded:
      case FragmentCache::PutResult::kReplaced:
        return S_OK;
      case FragmentCache::PutResult::kTooLarge:
        return HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_QUOTA);
      case FragmentCache::PutResult::kInvalidName:
        break;
    }
    return E_INVALIDARG;
  } catch (const std::bad_alloc&) {
    return E_OUTOFMEMORY;
  }
}

HRESULT HttpServerImpl::ReadFragmentFromCache(PCWSTR pszFragmentName, BYTE* pvBuffer, DWORD cbSize,
                                              DWORD* pcbCopied) {
  if (pcbCopied != nullptr) *pcbCopied = 0;
  std::optional<std::wstring_view> name = fragment_name(pszFragmentName);
  if (!name || (pvBuffer == nullptr && cbSize > 0)) return E_INVALIDARG;
  FragmentCache::Blob blob = fragments_.get(*name);
  if (!blob) return HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND);
  // Decision (spec §7.3 [UNC]): the two-call size pattern — a short buffer gets nothing and
  // ERROR_INSUFFICIENT_BUFFER with the size needed in *pcbCopied.
  DWORD size = static_cast<DWORD>(blob->size());
  if (size > cbSize) {
    if (pcbCopied != nullptr) *pcbCopied = size;
    return HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER);
  }
  if (size > 0) memcpy(pvBuffer, blob->data(), size);
  if (pcbCopied != nullptr) *pcbCopied = size;
  return S_OK;
}

HRESULT HttpServerImpl::RemoveFragmentFromCache(PCWSTR pszFragmentName) {
  std::optional<std::wstring_view> name = fragment_name(pszFragmentName);
  if (!name) return E_INVALIDARG;
  return fragments_.remove(*name) ? S_OK : HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND);
}

HRESULT HttpServerImpl::GetWorkerProcessSettings(IWpfSettings** ppWorkerProcessSettings) {
  // IWpfSettings is WAS's worker-process configuration; opaque and absent here.
  if (ppWorkerProcessSettings != nullptr) *ppWorkerProcessSettings = nullptr;
  return E_NOTIMPL;
}

HRESULT HttpServerImpl::GetProtocolManagerCustomInterface(PCWSTR, PCWSTR, DWORD,
                                                          PVOID* ppCustomInterface) {
  // Protocol managers are WAS listener-adapter DLLs (Windows only).
  if (ppCustomInterface != nullptr) *ppCustomInterface = nullptr;
  return E_NOTIMPL;
}

BOOL HttpServerImpl::SatisfiesPrecondition(PCWSTR pszPrecondition,
                                           BOOL* pfUnknownPrecondition) const {
  if (pfUnknownPrecondition != nullptr) *pfUnknownPrecondition = FALSE;
  if (pszPrecondition == nullptr) return TRUE;
  // A comma-separated list; every term must hold.
  std::wstring_view rest(pszPrecondition);
  bool all = true;
  while (true) {
    const size_t comma = rest.find(L',');
    std::wstring_view term = rest.substr(0, comma);
    while (!term.empty() && is_space(term.front()))
      term.remove_prefix(1);
    while (!term.empty() && is_space(term.back()))
      term.remove_suffix(1);
    if (!term.empty()) {
      const int v = evaluate_term(term);
      if (v < 0) {
        if (pfUnknownPrecondition != nullptr) *pfUnknownPrecondition = TRUE;
        return FALSE;
      }
      if (v == 0) all = false;
    }
    if (comma == std::wstring_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return all ? TRUE : FALSE;
}

IHttpTraceContext* HttpServerImpl::GetTraceContext() const {
  return &trace_;
}

HRESULT HttpServerImpl::RegisterFileChangeMonitor(PCWSTR, HANDLE,
                                                  IHttpFileMonitor** ppFileMonitor) {
  // Not implemented yet (would be inotify feeding GL_FILE_CHANGE).
  if (ppFileMonitor != nullptr) *ppFileMonitor = nullptr;
  return E_NOTIMPL;
}

HRESULT HttpServerImpl::GetExtendedInterface(HTTP_SERVER_INTERFACE_VERSION version,
                                             PVOID* ppInterface) {
  if (ppInterface == nullptr) return E_POINTER;
  switch (version) {
    case HTTP_SERVER_INTERFACE_V2:
    case HTTP_SERVER_INTERFACE_V3:
      *ppInterface = static_cast<IHttpServer3*>(this);
      return S_OK;
  }
  *ppInterface = nullptr;
  return E_NOINTERFACE;
}

HRESULT HttpServerImpl::GetToken(PCWSTR, PCWSTR, DWORD, IHttpTokenEntry** ppTokenEntry, PCWSTR,
                                 PSOCKADDR, IHttpTraceContext*) {
  // Windows logon tokens do not exist on Linux.
  if (ppTokenEntry != nullptr) *ppTokenEntry = nullptr;
  return E_NOTIMPL;
}

PCWSTR HttpServerImpl::GetAppPoolConfigFile(DWORD* pcchConfigFilePath) const {
  if (pcchConfigFilePath != nullptr) {
    *pcchConfigFilePath = static_cast<DWORD>(config_file_.size());
  }
  return config_file_.c_str();
}

HRESULT HttpServerImpl::GetExtendedInterface(const GUID& Version1, PVOID pInput,
                                             const GUID& Version2, PVOID* ppOutput) {
  if (ppOutput == nullptr) return E_POINTER;
  *ppOutput = nullptr;
  if (is_server_iid(Version2)) {
    *ppOutput = static_cast<IHttpServer3*>(this);
    return S_OK;
  }
  const int family = family_of(Version1);
  if (family >= 0 && family == family_of(Version2)) {
    if (pInput == nullptr) return E_INVALIDARG;
    *ppOutput = pInput;  // every object implements its family's newest version
    return S_OK;
  }
  return E_NOINTERFACE;
}

HRESULT HttpServerImpl::GetMetadata(PCWSTR pszSiteName, PCWSTR pszUrl,
                                    IReferencedMetadataInfo** ppMetadataInfo) {
  if (ppMetadataInfo == nullptr) return E_POINTER;
  *ppMetadataInfo = nullptr;
  if (pszSiteName == nullptr || pszUrl == nullptr) return E_INVALIDARG;
  if (!metadata_) return HRESULT_FROM_WIN32(ERROR_NOT_FOUND);
  try {
    IReferencedMetadataInfo* info = metadata_(pszSiteName, pszUrl);
    if (info == nullptr) return HRESULT_FROM_WIN32(ERROR_NOT_FOUND);  // no such site
    info->ReferenceMetadata();  // the caller's reference (counted; the site owns the object)
    *ppMetadataInfo = info;
    return S_OK;
  } catch (const std::bad_alloc&) {
    return E_OUTOFMEMORY;
  }
}

HRESULT HttpServerImpl::GetWorkerProcessFramework(
    IWorkerProcessFramework** ppWorkerProcessFramework) {
  // The WAS worker-process framework is Windows only.
  if (ppWorkerProcessFramework != nullptr) *ppWorkerProcessFramework = nullptr;
  return E_NOTIMPL;
}

HRESULT HttpServerImpl::QueryRequestProperty(HTTP_OPAQUE_ID, HTTP_REQUEST_PROPERTY, PVOID, ULONG,
                                             PVOID, ULONG, PULONG pcbBytesReturned, LPOVERLAPPED) {
  // A passthrough to HTTP.sys's HttpQueryRequestProperty; there is no HTTP.sys request id.
  if (pcbBytesReturned != nullptr) *pcbBytesReturned = 0;
  return E_NOTIMPL;
}

}  // namespace hs::iis
