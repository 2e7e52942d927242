#pragma once
// The process-wide IHttpServer3 handed to RegisterModule (spec §7.3).
//
// Implemented: IsCommandLineLaunch, GetAppPoolName, GetAppPoolConfigFile, the health and
// recycle reports (logged, no action), the thread-count hints (base/blocking.h: the thread budget
// grows by one per increment, and the caller's loop is handed off at once), GetTraceContext
// (tracing disabled), GetPerfCounterInfo (no-op counters), both GetExtendedInterface forms,
// NotifyCustomNotification / NotifyConfigurationChange / NotifyFileChange (dispatched to the
// subscribed global modules), DispenseContainer, SatisfiesPrecondition and the fragment cache
// (Add/Read/RemoveFragmentFromCache on a FragmentCache shared by every worker). Everything that
// needs Windows (tokens, the kernel cache, protocol managers, HTTP.sys
// request properties) returns E_NOTIMPL / NULL, each with its reason at the definition.
//
// THREADING. Every method may be called from any thread once the registry is frozen; the
// setters are for startup only.
#include <httpserv.h>

#include <functional>
#include <string>
#include <string_view>

#include "iis/fragment_cache.h"

namespace hs::iis {

class ModuleRegistry;

// Tracing is never enabled: GetTraceConfiguration reports every provider disabled, and the
// other methods succeed without doing anything. Stateless, so one object serves all threads.
class NullTraceContext final : public IHttpTraceContext {
 public:
  HRESULT GetTraceConfiguration(HTTP_TRACE_CONFIGURATION* pHttpTraceConfiguration) override;
  HRESULT SetTraceConfiguration(HTTP_MODULE_ID moduleId,
                                HTTP_TRACE_CONFIGURATION* pHttpTraceConfiguration,
                                DWORD cHttpTraceConfiguration = 1) override;
  HRESULT RaiseTraceEvent(HTTP_TRACE_EVENT* pTraceEvent) override;
  LPCGUID GetTraceActivityId() override;  // a zero GUID, never null
  HRESULT QuickTrace(PCWSTR pszData1, PCWSTR pszData2 = nullptr, HRESULT hrLastError = S_OK,
                     UCHAR Level = 4) override;
};

// A request's trace context: tracing is off as in NullTraceContext, but the request has an
// activity ID of its own, as under IIS (a random GUID, made on first use, so a request that
// never asks costs nothing). Used by the request's thread only.
class RequestTraceContext final : public IHttpTraceContext {
 public:
  HRESULT GetTraceConfiguration(HTTP_TRACE_CONFIGURATION* pHttpTraceConfiguration) override;
  HRESULT SetTraceConfiguration(HTTP_MODULE_ID moduleId,
                                HTTP_TRACE_CONFIGURATION* pHttpTraceConfiguration,
                                DWORD cHttpTraceConfiguration = 1) override;
  HRESULT RaiseTraceEvent(HTTP_TRACE_EVENT* pTraceEvent) override;
  LPCGUID GetTraceActivityId() override;
  HRESULT QuickTrace(PCWSTR pszData1, PCWSTR pszData2 = nullptr, HRESULT hrLastError = S_OK,
                     UCHAR Level = 4) override;

 private:
  GUID id_{};
  bool has_id_ = false;
};

// Performance counters are not exported anywhere; increments are accepted and dropped.
class NullPerfCounterInfo final : public IHttpPerfCounterInfo {
 public:
  VOID IncrementCounter(DWORD dwCounterIndex, DWORD dwValue = 1) override;
  VOID DecrementCounter(DWORD dwCounterIndex, DWORD dwValue = 1) override;
};

class HttpServerImpl final : public IHttpServer3 {
 public:
  HttpServerImpl();
  ~HttpServerImpl() override;
  HttpServerImpl(const HttpServerImpl&) = delete;
  HttpServerImpl& operator=(const HttpServerImpl&) = delete;

  // The registry whose global modules receive GL_CUSTOM_NOTIFICATION, GL_CONFIGURATION_CHANGE
  // and GL_FILE_CHANGE. Not owned. Without one those notifications reach nobody.
  void set_registry(ModuleRegistry* registry) { registry_ = registry; }
  ModuleRegistry* registry() const { return registry_; }
  // The fragment cache behind Add/Read/RemoveFragmentFromCache and fragment chunks.
  FragmentCache& fragment_cache() { return fragments_; }
  // What GetAdminManager returns (not owned; the server's immortal configuration manager,
  // src/admin). Set before modules load: modules read their configuration in RegisterModule.
  void set_admin_manager(IAppHostAdminManager* manager) { admin_ = manager; }
  // What IHttpServer2::GetMetadata(site name, URL) returns: the site's metadata object for the
  // URL (metadata_info.h), or null for an unknown site. Set before serving.
  using MetadataResolver =
      std::function<IReferencedMetadataInfo*(std::wstring_view site, std::wstring_view url)>;
  void set_metadata_resolver(MetadataResolver resolver) { metadata_ = std::move(resolver); }
  // What GetAppPoolConfigFile returns (the server's configuration file; "" by default).
  void set_config_file(std::string_view path);

  // IHttpServer.
  BOOL IsCommandLineLaunch() const override;
  PCWSTR GetAppPoolName() const override;
  HRESULT AssociateWithThreadPool(HANDLE hHandle,
                                  LPOVERLAPPED_COMPLETION_ROUTINE completionRoutine) override;
  VOID IncrementThreadCount() override;
  VOID DecrementThreadCount() override;
  VOID ReportUnhealthy(PCWSTR pszReasonString, HRESULT hrReason) override;
  VOID RecycleProcess(PCWSTR pszReason) override;
  IAppHostAdminManager* GetAdminManager() const override;
  HRESULT GetFileInfo(PCWSTR pszPhysicalPath, HANDLE hUserToken, PSID pSid,
                      PCWSTR pszChangeNotificationPath, HANDLE hChangeNotificationToken,
                      BOOL fCache, IHttpFileInfo** ppFileInfo,
                      IHttpTraceContext* pHttpTraceContext = nullptr) override;
  HRESULT FlushKernelCache(PCWSTR pszUrl) override;
  HRESULT DoCacheOperation(CACHE_OPERATION cacheOperation, IHttpCacheKey* pCacheKey,
                           IHttpCacheSpecificData** ppCacheSpecificData,
                           IHttpTraceContext* pHttpTraceContext = nullptr) override;
  GLOBAL_NOTIFICATION_STATUS NotifyCustomNotification(
      ICustomNotificationProvider* pCustomOutput) override;
  IHttpPerfCounterInfo* GetPerfCounterInfo() override;
  VOID RecycleApplication(PCWSTR pszAppConfigPath) override;
  VOID NotifyConfigurationChange(PCWSTR pszPath) override;
  VOID NotifyFileChange(PCWSTR pszFileName) override;
  IDispensedHttpModuleContextContainer* DispenseContainer() override;
  HRESULT AddFragmentToCache(HTTP_DATA_CHUNK* pDataChunk, PCWSTR pszFragmentName) override;
  HRESULT ReadFragmentFromCache(PCWSTR pszFragmentName, BYTE* pvBuffer, DWORD cbSize,
                                DWORD* pcbCopied) override;
  HRESULT RemoveFragmentFromCache(PCWSTR pszFragmentName) override;
  HRESULT GetWorkerProcessSettings(IWpfSettings** ppWorkerProcessSettings) override;
  HRESULT GetProtocolManagerCustomInterface(PCWSTR pProtocolManagerDll,
                                            PCWSTR pProtocolManagerDllInitFunction,
                                            DWORD dwCustomInterfaceId,
                                            PVOID* ppCustomInterface) override;
  BOOL SatisfiesPrecondition(PCWSTR pszPrecondition,
                             BOOL* pfUnknownPrecondition = nullptr) const override;
  IHttpTraceContext* GetTraceContext() const override;
  HRESULT RegisterFileChangeMonitor(PCWSTR pszPath, HANDLE hToken,
                                    IHttpFileMonitor** ppFileMonitor) override;
  HRESULT GetExtendedInterface(HTTP_SERVER_INTERFACE_VERSION version, PVOID* ppInterface) override;

  // IHttpServer2.
  HRESULT GetToken(PCWSTR pszUserName, PCWSTR pszPassword, DWORD dwLogonMethod,
                   IHttpTokenEntry** ppTokenEntry, PCWSTR pszDefaultDomain = nullptr,
                   PSOCKADDR pSockAddr = nullptr,
                   IHttpTraceContext* pHttpTraceContext = nullptr) override;
  PCWSTR GetAppPoolConfigFile(DWORD* pcchConfigFilePath = nullptr) const override;
  HRESULT GetExtendedInterface(const GUID& Version1, PVOID pInput, const GUID& Version2,
                               PVOID* ppOutput) override;
  HRESULT GetMetadata(PCWSTR pszSiteName, PCWSTR pszUrl,
                      IReferencedMetadataInfo** ppMetadataInfo) override;
  HRESULT GetWorkerProcessFramework(IWorkerProcessFramework** ppWorkerProcessFramework) override;

  // IHttpServer3.
  HRESULT QueryRequestProperty(HTTP_OPAQUE_ID id, HTTP_REQUEST_PROPERTY propertyId,
                               PVOID pQualifier, ULONG qualifierSize, PVOID pOutput,
                               ULONG outputBufferSize, PULONG pcbBytesReturned,
                               LPOVERLAPPED pOverlapped) override;

 private:
  // Calls `call(global_module)` on each subscriber of `bit` until one returns HANDLED; a module
  // that throws is logged (by name) and skipped.
  template <class Call>
  void dispatch_global(DWORD bit, const char* method, Call call);

  ModuleRegistry* registry_ = nullptr;
  IAppHostAdminManager* admin_ = nullptr;
  MetadataResolver metadata_;
  std::wstring config_file_;
  mutable NullTraceContext trace_;
  NullPerfCounterInfo perf_;
  FragmentCache fragments_;
};

}  // namespace hs::iis
