// IIS 7+ native module API for httpserv (Linux re-implementation of httpserv.h).
//
// Written from the project's behavioural spec of the API (sections quoted as "spec x.y").
// Names, parameter lists, const-ness, default arguments, numeric values and GUIDs are
// Microsoft's; the comments are ours. Linux specifics:
//   - All interfaces are plain pure-virtual classes (no IUnknown). Each versioned family is
//     one single-inheritance chain (IHttpContext4 -> 3 -> 2 -> IHttpContext, ...), so the
//     object the server hands out is always the newest version and a C-style cast between
//     versions needs no pointer adjustment. Every interface has a public virtual destructor
//     so that module classes can `delete this` without -Wdelete-non-virtual-dtor.
//   - __uuidof(T) is replaced by the traits template HttpservIid<T> / iid_of<T>() (and a
//     __uuidof macro that maps to it); HttpGetExtendedInterface is re-implemented on top.
//   - IHttpResponse2 and IHttpRequest3 re-export the v1 overloads they would otherwise hide
//     (using-declarations, spec 5.2).
//   - RegisterModule is declared extern "C" with default visibility, so a module's
//     definition is exported unmangled even when built with -fvisibility=hidden.
//   - Default arguments that Microsoft writes as NULL are written nullptr (same value; keeps
//     -Wzero-as-null-pointer-constant quiet in module builds).
//   - Default notification handlers of CHttpModule / CGlobalModule log
//     "module subscribed to <X> but did not override it" through HttpservLogWrite and return
//     CONTINUE (no DebugBreak).
// See docs/iis-headers.md.

#ifndef HTTPSERV_HTTPSERV_H_
#define HTTPSERV_HTTPSERV_H_

#include "ahadmin.h"
#include "compat/httpserv_uuid.h"
#include "compat/sal.h"
#include "compat/windef.h"
#include "compat/windows.h"
#include "compat/winerror.h"
#include "compat/winsock2.h"
#include "http.h"
#include "httpserv_log.h"

// =============================================================================================
// Request notifications (spec 4.1). Pass to IHttpModuleRegistrationInfo::SetRequestNotifications
// (the same bits select post-notifications in its second mask).
// =============================================================================================

#define RQ_BEGIN_REQUEST 0x00000001
#define RQ_AUTHENTICATE_REQUEST 0x00000002
#define RQ_AUTHORIZE_REQUEST 0x00000004
#define RQ_RESOLVE_REQUEST_CACHE 0x00000008
#define RQ_MAP_REQUEST_HANDLER 0x00000010
#define RQ_ACQUIRE_REQUEST_STATE 0x00000020
#define RQ_PRE_EXECUTE_REQUEST_HANDLER 0x00000040
#define RQ_EXECUTE_REQUEST_HANDLER 0x00000080
#define RQ_RELEASE_REQUEST_STATE 0x00000100
#define RQ_UPDATE_REQUEST_CACHE 0x00000200
#define RQ_LOG_REQUEST 0x00000400
#define RQ_END_REQUEST 0x00000800
#define RQ_SEND_RESPONSE_STATUS_AND_HEADERS 0x08000000  // Internal; never dispatched.
#define RQ_CUSTOM_NOTIFICATION 0x10000000
#define RQ_SEND_RESPONSE 0x20000000
#define RQ_READ_ENTITY 0x40000000
#define RQ_MAP_PATH 0x80000000

// =============================================================================================
// Global notifications (spec 4.2). Pass to IHttpModuleRegistrationInfo::SetGlobalNotifications.
// =============================================================================================

#define GL_STOP_LISTENING 0x00000002
#define GL_CACHE_CLEANUP 0x00000004
#define GL_CACHE_OPERATION 0x00000010
#define GL_HEALTH_CHECK 0x00000020
#define GL_CONFIGURATION_CHANGE 0x00000040
#define GL_FILE_CHANGE 0x00000080
#define GL_PRE_BEGIN_REQUEST 0x00000100
#define GL_APPLICATION_START 0x00000200
#define GL_APPLICATION_RESOLVE_MODULES 0x00000400
#define GL_APPLICATION_STOP 0x00000800
#define GL_RSCA_QUERY 0x00001000
#define GL_TRACE_EVENT 0x00002000
#define GL_CUSTOM_NOTIFICATION 0x00004000
#define GL_THREAD_CLEANUP 0x00008000
#define GL_APPLICATION_PRELOAD 0x00010000
#define GL_SUSPEND_PROCESS 0x00020000

// =============================================================================================
// Status values, priorities, flags and small enums.
// =============================================================================================

// What a request notification handler (or OnAsyncCompletion, or a v2 completion callback)
// tells the pipeline (spec 4.4).
enum REQUEST_NOTIFICATION_STATUS {
  RQ_NOTIFICATION_CONTINUE = 0,        // Go on with the next module / notification.
  RQ_NOTIFICATION_PENDING = 1,         // Async work started; a completion will resume the request.
  RQ_NOTIFICATION_FINISH_REQUEST = 2,  // Stop processing stages; the response is complete.
};

// What a global notification handler tells the server (spec 3.4).
enum GLOBAL_NOTIFICATION_STATUS {
  GL_NOTIFICATION_CONTINUE = 0,  // Call the next global module.
  GL_NOTIFICATION_HANDLED = 1,   // Stop dispatching this event.
};

// Priority aliases for SetPriorityFor*Notification (wide strings; MEDIUM is the default).
#define PRIORITY_ALIAS_FIRST L"FIRST"
#define PRIORITY_ALIAS_HIGH L"HIGH"
#define PRIORITY_ALIAS_MEDIUM L"MEDIUM"
#define PRIORITY_ALIAS_LOW L"LOW"
#define PRIORITY_ALIAS_LAST L"LAST"

// IHttpContext::CloneContext flags (spec 4.7).
#define CLONE_FLAG_BASICS 0x01  // URL, query string, verb.
#define CLONE_FLAG_HEADERS 0x02
#define CLONE_FLAG_ENTITY 0x04
#define CLONE_FLAG_NO_PRECONDITION 0x08  // Drop Range and If-* headers.
#define CLONE_FLAG_NO_DAV 0x10
#define CLONE_FLAG_USER_CACHE_VARY_BY 0x20
#define CLONE_FLAG_SERVER_VARIABLE 0x40

// IHttpContext::ExecuteRequest flags (spec 4.7).
#define EXECUTE_FLAG_NONE 0x00
#define EXECUTE_FLAG_NO_HEADERS 0x01
#define EXECUTE_FLAG_IGNORE_CURRENT_INTERCEPTOR 0x02
#define EXECUTE_FLAG_IGNORE_APPPOOL 0x04
#define EXECUTE_FLAG_DISABLE_CUSTOM_ERROR 0x08
#define EXECUTE_FLAG_SAME_URL 0x10
#define EXECUTE_FLAG_BUFFER_RESPONSE 0x20  // Child output is copied into the parent.
#define EXECUTE_FLAG_HTTP_CACHE_ELIGIBLE 0x40

// ICacheProvider::GetCacheOperation / IHttpServer::DoCacheOperation.
enum CACHE_OPERATION {
  CACHE_OPERATION_RETRIEVE = 0,
  CACHE_OPERATION_ADD = 1,
  CACHE_OPERATION_DELETE = 2,
  CACHE_OPERATION_FLUSH_PREFIX = 3,
  CACHE_OPERATION_ENUM = 4,
};

// IHttpServer::GetExtendedInterface versions.
enum HTTP_SERVER_INTERFACE_VERSION {
  HTTP_SERVER_INTERFACE_V2 = 0,  // Returns IHttpServer2.
  HTTP_SERVER_INTERFACE_V3 = 1,  // Returns IHttpServer3.
};

// IHttpContext::GetExtendedInterface versions (deprecated; no values defined).
enum HTTP_CONTEXT_INTERFACE_VERSION {};

// Opaque per-module identity (IHttpModuleRegistrationInfo::GetId); key of every context
// container.
typedef VOID* HTTP_MODULE_ID;

// Name of the entry point every module exports.
#define MODULE_REGISTERMODULE "RegisterModule"

// =============================================================================================
// Forward declarations.
// =============================================================================================

class CHttpModule;
class CGlobalModule;
class IHttpModuleFactory;
class IModuleAllocator;
class IHttpModuleRegistrationInfo;
class IHttpModuleRegistrationInfo2;
class IHttpStoredContext;
class IHttpModuleContextContainer;
class IDispensedHttpModuleContextContainer;
class INamedContextContainer;
class IHttpConnectionStoredContext;
class IHttpConnectionModuleContextContainer;
class IHttpCompletionInfo;
class IHttpCompletionInfo2;
class IHttpUser;
class IHttpConnection;
class IHttpSite;
class IHttpApplication;
class IHttpApplication2;
class IScriptMapInfo;
class IMetadataInfo;
class IReferencedMetadataInfo;
class IHttpUrlInfo;
class IHttpCacheKey;
class IHttpCacheSpecificData;
class IHttpFileInfo;
class IHttpTokenEntry;
class IHttpFileMonitor;
class IHttpTraceContext;
class IHttpPerfCounterInfo;
class IHttpCachePolicy;
class IHttpCachePolicy2;
class IHttpResponse;
class IHttpResponse2;
class IHttpResponse3;
class IHttpResponse4;
class IHttpRequest;
class IHttpRequest2;
class IHttpRequest3;
class IHttpRequest4;
class IHttpContext;
class IHttpContext2;
class IHttpContext3;
class IHttpContext4;
class IHttpEventProvider;
class IAuthenticationProvider;
class IMapHandlerProvider;
class IMapPathProvider;
class ISendResponseProvider;
class IReadEntityProvider;
class ICustomNotificationProvider;
class IPreBeginRequestProvider;
class IHttpApplicationProvider;
class IHttpApplicationResolveModulesProvider;
class IGlobalStopListeningProvider;
class ICacheProvider;
class IGlobalConfigurationChangeProvider;
class IGlobalFileChangeProvider;
class IGlobalTraceEventProvider;
class IGlobalThreadCleanupProvider;
class IGlobalApplicationPreloadProvider;
class IGlobalApplicationPreloadProvider2;
class IGlobalRSCAQueryProvider;
class IGlobalSuspendProcessCallback;
class IHttpServer;
class IHttpServer2;
class IHttpServer3;

// WAS settings and the worker-process framework are out of scope on Linux: declared only so
// that signatures match (the server returns NULL / E_NOTIMPL). The configuration API
// (IAppHostAdminManager, IAppHostConfigException) comes from ahadmin.h, included above.
class IWpfSettings;
class IWorkerProcessFramework;

// Completion callback of the v2 async APIs (IHttpResponse2::WriteEntityChunks / Flush,
// IHttpRequest3::ReadEntityBody), called instead of CHttpModule::OnAsyncCompletion (spec 6.5).
typedef REQUEST_NOTIFICATION_STATUS(WINAPI* PFN_ASYNC_COMPLETION)(
    IHttpContext3* pHttpContext, IHttpCompletionInfo2* pCompletionInfo, VOID* pvCompletionContext);

// IHttpRequest4::ReadEntityBody, IHttpContext3::PostCompletion and
// IHttpServer2::GetExtendedInterface hide the base-class overloads of the same name, exactly
// as in Microsoft's header (call the older forms through the older interface). Keep
// -Woverloaded-virtual quiet about that for the interface declarations below; GCC reports
// it at the base-class declaration, so the whole block is covered.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverloaded-virtual"

// =============================================================================================
// Module context storage (spec 3.5).
// =============================================================================================

// Module-owned data attached to a server scope (request, connection, site, application, ...).
class IHttpStoredContext {
 public:
  virtual ~IHttpStoredContext() = default;

  // Called exactly once when the owning scope ends; the context frees itself (usually
  // `delete this`).
  virtual VOID CleanupStoredContext() = 0;
};

// Per-scope table of IHttpStoredContext, one slot per module id. The container owns what is
// stored in it.
class IHttpModuleContextContainer {
 public:
  virtual ~IHttpModuleContextContainer() = default;

  // The context stored for moduleId, or NULL. The caller must not free it.
  virtual IHttpStoredContext* GetModuleContext(HTTP_MODULE_ID moduleId) = 0;

  // Stores ppStoredContext for moduleId. HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED) if the
  // slot is taken, ERROR_INVALID_PARAMETER for NULL, ERROR_NOT_ENOUGH_MEMORY.
  virtual HRESULT SetModuleContext(IHttpStoredContext* ppStoredContext,
                                   HTTP_MODULE_ID moduleId) = 0;
};

// A stand-alone container created by IHttpServer::DispenseContainer.
class IDispensedHttpModuleContextContainer : public IHttpModuleContextContainer {
 public:
  // Calls CleanupStoredContext on every stored context and frees the container.
  virtual VOID ReleaseContainer() = 0;
};

// Contexts stored by name rather than by module id (IHttpContext3::GetNamedContextContainer).
class INamedContextContainer {
 public:
  virtual ~INamedContextContainer() = default;

  // The context stored under pszName, or NULL.
  virtual IHttpStoredContext* GetNamedContext(LPCWSTR pszName) = 0;

  // Stores pNamedContext under pszName; the container takes ownership.
  virtual HRESULT SetNamedContext(IHttpStoredContext* pNamedContext, LPCWSTR pszName) = 0;
};

// A connection-scope context that also hears about client disconnects.
class IHttpConnectionStoredContext : public IHttpStoredContext {
 public:
  // Called when the client connection drops, even while a request is PENDING.
  virtual VOID NotifyDisconnect() = 0;
};

// The per-connection container (IHttpConnection::GetModuleContextContainer).
class IHttpConnectionModuleContextContainer : public IHttpModuleContextContainer {
 public:
  // The connection context stored for moduleId, or NULL.
  virtual IHttpConnectionStoredContext* GetConnectionModuleContext(HTTP_MODULE_ID moduleId) = 0;

  // Stores a connection context for moduleId; errors as SetModuleContext.
  virtual HRESULT SetConnectionModuleContext(IHttpConnectionStoredContext* ppStoredContext,
                                             HTTP_MODULE_ID moduleId) = 0;
};

// =============================================================================================
// Supporting objects (spec 7.4).
// =============================================================================================

// Result of an asynchronous operation, passed to OnAsyncCompletion (spec 4.6).
class IHttpCompletionInfo {
 public:
  virtual ~IHttpCompletionInfo() = default;

  // Bytes read, written or flushed (or PostCompletion's cbBytes).
  virtual DWORD GetCompletionBytes() const = 0;

  // Outcome of the operation; HRESULT_FROM_WIN32(ERROR_HANDLE_EOF) at the end of a body.
  virtual HRESULT GetCompletionStatus() const = 0;
};

class IHttpCompletionInfo2 : public IHttpCompletionInfo {
 public:
  // Which operation completed: 1 = read, 2 = write/flush, 0 = other (httpserv encoding).
  virtual DWORD GetCompletedOperation() const = 0;
};

// An authenticated (or anonymous) user. Reference-counted; authentication modules implement
// it and hand it over with IAuthenticationProvider::SetUser.
class IHttpUser {
 public:
  virtual ~IHttpUser() = default;

  // The user name as sent by the client (REMOTE_USER).
  virtual PCWSTR GetRemoteUserName() = 0;

  // The user name after mapping (LOGON_USER).
  virtual PCWSTR GetUserName() = 0;

  // The authentication scheme, e.g. L"Basic"; empty for anonymous.
  virtual PCWSTR GetAuthenticationType() = 0;

  // The password for Basic authentication, otherwise empty.
  virtual PCWSTR GetPassword() = 0;

  // Windows impersonation token; NULL on Linux.
  virtual HANDLE GetImpersonationToken() = 0;

  // Windows primary token; NULL on Linux.
  virtual HANDLE GetPrimaryToken() = 0;

  // Adds a reference.
  virtual VOID ReferenceUser() = 0;

  // Drops a reference; the last one frees the user.
  virtual VOID DereferenceUser() = 0;

  // TRUE if IsInRole can answer.
  virtual BOOL SupportsIsInRole() = 0;

  // Sets *pfInRole to whether the user belongs to pszRoleName.
  virtual HRESULT IsInRole(PCWSTR pszRoleName, BOOL* pfInRole) = 0;

  // Implementation-specific data by name ("SID", "CtxtHandle", "CredHandle"), or NULL.
  virtual PVOID GetUserVariable(PCSTR pszVariableName) = 0;
};

// The client connection a request arrived on.
class IHttpConnection {
 public:
  virtual ~IHttpConnection() = default;

  // FALSE once the client has gone; modules then usually return FINISH_REQUEST.
  virtual BOOL IsConnected() const = 0;

  // Memory from the connection's pool, freed by the server; NULL on failure.
  virtual VOID* AllocateMemory(DWORD cbAllocation) = 0;

  // Per-connection module contexts.
  virtual IHttpConnectionModuleContextContainer* GetModuleContextContainer() = 0;
};

// The site that serves the request.
class IHttpSite {
 public:
  virtual ~IHttpSite() = default;

  // Numeric site id.
  virtual DWORD GetSiteId() const = 0;

  // Configured site name.
  virtual PCWSTR GetSiteName() const = 0;

  // Per-site module contexts.
  virtual IHttpModuleContextContainer* GetModuleContextContainer() = 0;

  // The site's performance counters.
  virtual IHttpPerfCounterInfo* GetPerfCounterInfo() = 0;
};

// The application that serves the request.
class IHttpApplication {
 public:
  virtual ~IHttpApplication() = default;

  // Physical root directory of the application.
  virtual PCWSTR GetApplicationPhysicalPath() const = 0;

  // Application id, e.g. L"/LM/W3SVC/1/ROOT".
  virtual PCWSTR GetApplicationId() const = 0;

  // Configuration path, e.g. L"MACHINE/WEBROOT/APPHOST/Default Web Site".
  virtual PCWSTR GetAppConfigPath() const = 0;

  // Per-application module contexts.
  virtual IHttpModuleContextContainer* GetModuleContextContainer() = 0;
};

class IHttpApplication2 : public IHttpApplication {
 public:
  // Marks the start of application warm-up (application initialisation).
  virtual VOID BeginApplicationWarmup() = 0;

  // Marks the end of application warm-up.
  virtual VOID EndApplicationWarmup() = 0;

  // TRUE between BeginApplicationWarmup and EndApplicationWarmup.
  virtual BOOL QueryIsWarmingUp() = 0;
};

// The handler mapping selected for a request.
class IScriptMapInfo {
 public:
  virtual ~IScriptMapInfo() = default;

  // The path pattern of the mapping, e.g. L"*.aspx".
  virtual PCWSTR GetPath() const = 0;

  // Comma-separated verbs the mapping accepts.
  virtual PCSTR GetAllowedVerbs() const = 0;

  // Module names of the handler; *pcchModules gets the length in characters.
  virtual PCWSTR GetModules(DWORD* pcchModules = nullptr) const = 0;

  // Script processor (executable or DLL) of the handler.
  virtual PCWSTR GetScriptProcessor(DWORD* pcchScriptProcessor = nullptr) const = 0;

  // Managed handler type, if any.
  virtual PCWSTR GetManagedType(DWORD* pcchManagedType = nullptr) const = 0;

  // Whether PATH_INFO is allowed for script mappings.
  virtual BOOL GetAllowPathInfoForScriptMappings() const = 0;

  // Required access flags of the handler.
  virtual DWORD GetRequiredAccess() const = 0;

  // Resource type the mapping requires (file, directory, either, unspecified).
  virtual DWORD GetResourceType() const = 0;

  // TRUE for a wildcard ("*") mapping.
  virtual BOOL GetIsStarScriptMap() const = 0;

  // Response buffer limit in bytes (default 4194304; 0 disables buffering), spec 6.2.
  virtual DWORD GetResponseBufferLimit() const = 0;

  // Name of the handler entry.
  virtual PCWSTR GetName() const = 0;
};

// Configuration metadata of a URL.
class IMetadataInfo {
 public:
  virtual ~IMetadataInfo() = default;

  // Configuration path of the URL.
  virtual PCWSTR GetMetaPath() const = 0;

  // Physical path of the virtual directory.
  virtual PCWSTR GetVrPath() const = 0;

  // Token of the virtual directory's credentials; NULL on Linux.
  virtual IHttpTokenEntry* GetVrToken() = 0;

  // Per-metadata module contexts.
  virtual IHttpModuleContextContainer* GetModuleContextContainer() = 0;
};

// Metadata with an explicit reference count (IHttpServer2::GetMetadata).
class IReferencedMetadataInfo : public IMetadataInfo {
 public:
  // Adds a reference.
  virtual VOID ReferenceMetadata() = 0;

  // Drops a reference; the last one frees the object.
  virtual VOID DereferenceMetadata() = 0;
};

// Cached information about a URL.
class IHttpUrlInfo {
 public:
  virtual ~IHttpUrlInfo() = default;

  // Per-URL module contexts.
  virtual IHttpModuleContextContainer* GetModuleContextContainer() = 0;

  // TRUE if the URL is requested often enough to be worth caching.
  virtual BOOL IsFrequentlyHit() const = 0;
};

// Key of an entry in a server cache.
class IHttpCacheKey {
 public:
  virtual ~IHttpCacheKey() = default;

  // Hash of the key.
  virtual DWORD GetHash() const = 0;

  // Name of the cache the key belongs to.
  virtual PCWSTR GetCacheName() const = 0;

  // true if this key equals pCacheCompareKey.
  virtual bool GetIsEqual(IHttpCacheKey* pCacheCompareKey) const = 0;

  // true if this key is a prefix of pCacheCompareKey (for flush-by-prefix).
  virtual bool GetIsPrefix(IHttpCacheKey* pCacheCompareKey) const = 0;

  // Called for each entry during a CACHE_OPERATION_ENUM.
  virtual VOID Enum(IHttpCacheSpecificData* pCacheData) = 0;
};

// An entry of a server cache (file info, token, ...). Reference-counted, with a time to live.
class IHttpCacheSpecificData {
 public:
  virtual ~IHttpCacheSpecificData() = default;

  // The key the entry is stored under.
  virtual IHttpCacheKey* GetCacheKey() const = 0;

  // Adds a reference.
  virtual VOID ReferenceCacheData() = 0;

  // Drops a reference; the last one frees the entry.
  virtual VOID DereferenceCacheData() = 0;

  // Restarts the entry's time to live.
  virtual VOID ResetTTL() = 0;

  // Ages the entry; *pfTTLExpired becomes TRUE when it should be evicted.
  virtual VOID DecrementTTL(BOOL* pfTTLExpired) = 0;

  // Marks the entry as flushed from the cache.
  virtual VOID SetFlushed() = 0;

  // TRUE after SetFlushed.
  virtual BOOL GetFlushed() const = 0;
};

// A file as seen through the server's file cache.
class IHttpFileInfo : public IHttpCacheSpecificData {
 public:
  // File attributes (FILE_ATTRIBUTE_* bits; directory = 0x10).
  virtual DWORD GetAttributes() const = 0;

  // File size in bytes.
  virtual VOID GetSize(ULARGE_INTEGER* pliSize) const = 0;

  // The file contents when cached in memory, else NULL.
  virtual const BYTE* GetFileBuffer() const = 0;

  // Open descriptor as (HANDLE)(intptr_t)fd, owned by the cache; do not close it.
  virtual HANDLE GetFileHandle() const = 0;

  // Physical path of the file.
  virtual PCWSTR GetFilePath() const = 0;

  // Entity tag (quoted); *pcchETag gets its length.
  virtual PCSTR GetETag(USHORT* pcchETag = nullptr) const = 0;

  // Last-write time of the file.
  virtual VOID GetLastModifiedTime(FILETIME* pFileTime) const = 0;

  // Last-write time as an HTTP date string.
  virtual PCSTR GetLastModifiedString() const = 0;

  // TRUE if the response may be cached; *pSecondsToLive gets the lifetime.
  virtual BOOL GetHttpCacheAllowed(DWORD* pSecondsToLive) const = 0;

  // Checks that the user may read the file; S_OK or an access-denied HRESULT.
  virtual HRESULT AccessCheck(HANDLE hUserToken, PSID pUserSid) = 0;

  // Token of the virtual directory's credentials; NULL on Linux.
  virtual HANDLE GetVrToken() const = 0;

  // Physical path of the virtual directory.
  virtual PCWSTR GetVrPath() const = 0;

  // Per-file module contexts.
  virtual IHttpModuleContextContainer* GetModuleContextContainer() = 0;

  // TRUE if the file changed since it was cached.
  virtual BOOL CheckIfFileHasChanged(HANDLE hUserToken) = 0;
};

// A cached logon token (IHttpServer2::GetToken). Windows-only data; NULL values on Linux.
class IHttpTokenEntry : public IHttpCacheSpecificData {
 public:
  // Impersonation token.
  virtual HANDLE GetImpersonationToken() = 0;

  // Primary token.
  virtual HANDLE GetPrimaryToken() = 0;

  // Security identifier of the user.
  virtual PSID GetSid() = 0;
};

// A watch on a file or directory (IHttpServer::RegisterFileChangeMonitor).
class IHttpFileMonitor {
 public:
  virtual ~IHttpFileMonitor() = default;

  // Per-monitor module contexts.
  virtual IHttpModuleContextContainer* GetModuleContextContainer() = 0;

  // Releases the monitor.
  virtual VOID DereferenceFileMonitor() = 0;
};

// ---- Tracing (minimal; the server's trace context is a no-op that reports "disabled") ----

// Data type of a trace event item (VARTYPE numbering).
enum HTTP_TRACE_TYPE {
  HTTP_TRACE_TYPE_BYTE = 17,
  HTTP_TRACE_TYPE_USHORT = 18,
  HTTP_TRACE_TYPE_ULONG = 19,
  HTTP_TRACE_TYPE_ULONGLONG = 21,
  HTTP_TRACE_TYPE_CHAR = 16,
  HTTP_TRACE_TYPE_SHORT = 2,
  HTTP_TRACE_TYPE_LONG = 3,
  HTTP_TRACE_TYPE_LONGLONG = 20,
  HTTP_TRACE_TYPE_LPCWSTR = 31,
  HTTP_TRACE_TYPE_LPCSTR = 30,
  HTTP_TRACE_TYPE_LPCGUID = 72,
  HTTP_TRACE_TYPE_BOOL = 11,
};

// One named value of a trace event.
struct HTTP_TRACE_EVENT_ITEM {
  LPCWSTR pszName;
  HTTP_TRACE_TYPE dwDataType;
  PBYTE pbData;
  DWORD cbData;
  LPCWSTR pszDataDescription;
};

#define HTTP_TRACE_EVENT_FLAG_STATIC_DESCRIPTIVE_FIELDS 0x00000001

// A trace event raised through IHttpTraceContext::RaiseTraceEvent.
struct HTTP_TRACE_EVENT {
  LPCGUID pProviderGuid;
  DWORD dwArea;
  LPCGUID pAreaGuid;
  DWORD dwEvent;
  LPCWSTR pszEventName;
  DWORD dwEventVersion;
  DWORD dwVerbosity;
  LPCGUID pActivityGuid;
  LPCGUID pRelatedActivityGuid;
  DWORD dwTimeStamp;
  DWORD dwFlags;
  DWORD cEventItems;
  HTTP_TRACE_EVENT_ITEM* pEventItems;
};

// Whether a trace provider is enabled, and for which areas and verbosity.
struct HTTP_TRACE_CONFIGURATION {
  LPCGUID pProviderGuid;
  DWORD dwAreas;
  DWORD dwVerbosity;
  BOOL fProviderEnabled;
};

// Request tracing (failed-request tracing in IIS).
class IHttpTraceContext {
 public:
  virtual ~IHttpTraceContext() = default;

  // Fills in whether pHttpTraceConfiguration->pProviderGuid is enabled; httpserv reports
  // disabled, so modules can skip building events.
  virtual HRESULT GetTraceConfiguration(HTTP_TRACE_CONFIGURATION* pHttpTraceConfiguration) = 0;

  // Sets the trace configuration for a module's providers.
  virtual HRESULT SetTraceConfiguration(HTTP_MODULE_ID moduleId,
                                        HTTP_TRACE_CONFIGURATION* pHttpTraceConfiguration,
                                        DWORD cHttpTraceConfiguration = 1) = 0;

  // Emits an event (a no-op when tracing is disabled). Not allowed inside RegisterModule.
  virtual HRESULT RaiseTraceEvent(HTTP_TRACE_EVENT* pTraceEvent) = 0;

  // Activity id of the request, or NULL.
  virtual LPCGUID GetTraceActivityId() = 0;

  // Emits a simple text event; Level 4 = informational.
  virtual HRESULT QuickTrace(PCWSTR pszData1, PCWSTR pszData2 = nullptr, HRESULT hrLastError = S_OK,
                             UCHAR Level = 4) = 0;
};

// Site or server performance counters.
class IHttpPerfCounterInfo {
 public:
  virtual ~IHttpPerfCounterInfo() = default;

  // Adds dwValue to counter dwCounterIndex.
  virtual VOID IncrementCounter(DWORD dwCounterIndex, DWORD dwValue = 1) = 0;

  // Subtracts dwValue from counter dwCounterIndex.
  virtual VOID DecrementCounter(DWORD dwCounterIndex, DWORD dwValue = 1) = 0;
};

// =============================================================================================
// Cache policy (spec 5.6).
// =============================================================================================

// Output-cache settings of a response.
class IHttpCachePolicy {
 public:
  virtual ~IHttpCachePolicy() = default;

  // The kernel (HTTP.sys) cache policy of the response; server-owned, writable.
  virtual HTTP_CACHE_POLICY* GetKernelCachePolicy() = 0;

  // Marks that a kernel-cache invalidator was set.
  virtual VOID SetKernelCacheInvalidatorSet() = 0;

  // The user-mode output cache policy; server-owned, writable.
  virtual HTTP_CACHE_POLICY* GetUserCachePolicy() = 0;

  // Adds a request header to vary the cached response by.
  virtual HRESULT AppendVaryByHeader(PCSTR pszHeader) = 0;

  // The vary-by headers, comma-separated, or NULL.
  virtual PCSTR GetVaryByHeaders() const = 0;

  // Adds a query-string parameter to vary by.
  virtual HRESULT AppendVaryByQueryString(PCSTR pszParam) = 0;

  // The vary-by query-string parameters, or NULL.
  virtual PCSTR GetVaryByQueryStrings() const = 0;

  // Sets a custom value to vary by.
  virtual HRESULT SetVaryByValue(PCSTR pszValue) = 0;

  // The custom vary-by value, or NULL.
  virtual PCSTR GetVaryByValue() const = 0;

  // TRUE unless the user-mode cache was disabled for this response.
  virtual BOOL IsUserCacheEnabled() const = 0;

  // Keeps this response out of the user-mode cache.
  virtual VOID DisableUserCache() = 0;

  // TRUE if the response came from the cache.
  virtual BOOL IsCached() const = 0;

  // Marks the response as served from the cache.
  virtual VOID SetIsCached() = 0;

  // TRUE after SetKernelCacheInvalidatorSet.
  virtual BOOL GetKernelCacheInvalidatorSet() const = 0;
};

class IHttpCachePolicy2 : public IHttpCachePolicy {
 public:
  // TRUE after SetForceUpdate.
  virtual BOOL IsForceUpdateSet() const = 0;

  // Forces the cached entry to be replaced by this response.
  virtual VOID SetForceUpdate() = 0;
};

// =============================================================================================
// IHttpResponse family (spec 5, 6). The server's response object is an IHttpResponse4.
// =============================================================================================

class IHttpResponse {
 public:
  virtual ~IHttpResponse() = default;

  // The live HTTP_RESPONSE (V2), owned by the server until the response ends. Modules may
  // read and modify it (e.g. EntityChunkCount = 0 drops the buffered body).
  virtual HTTP_RESPONSE* GetRawHttpResponse() = 0;

  // Read-only view of the live HTTP_RESPONSE.
  virtual const HTTP_RESPONSE* GetRawHttpResponse() const = 0;

  // The response's cache policy; server-owned.
  virtual IHttpCachePolicy* GetCachePolicy() = 0;

  // Sets status code, reason, sub-status, an error for logs/error pages and whether custom
  // error pages may be skipped. ERROR_INVALID_DATA if the reason is too long.
  virtual HRESULT SetStatus(USHORT statusCode, PCSTR pszReason, USHORT uSubStatus = 0,
                            HRESULT hrErrorToReport = S_OK,
                            IAppHostConfigException* pException = nullptr,
                            BOOL fTrySkipCustomErrors = FALSE) = 0;

  // Sets a header by (case-insensitive) name. fReplace FALSE appends ", value" to an existing
  // one. cchHeaderValue excludes the NUL. ERROR_INVALID_PARAMETER for a NULL name.
  virtual HRESULT SetHeader(PCSTR pszHeaderName, PCSTR pszHeaderValue, USHORT cchHeaderValue,
                            BOOL fReplace) = 0;

  // Same by response header id (0-29). Quirk: Server is appended to, not replaced.
  virtual HRESULT SetHeader(HTTP_HEADER_ID ulHeaderIndex, PCSTR pszHeaderValue,
                            USHORT cchHeaderValue, BOOL fReplace) = 0;

  // Removes a header by name; succeeds even if it is absent.
  virtual HRESULT DeleteHeader(PCSTR pszHeaderName) = 0;

  // Removes a header by id; succeeds even if it is absent.
  virtual HRESULT DeleteHeader(HTTP_HEADER_ID ulHeaderIndex) = 0;

  // NUL-terminated value of a header by name, or NULL (and *pcch = 0) when absent.
  virtual PCSTR GetHeader(PCSTR pszHeaderName, USHORT* pcchHeaderValue = nullptr) const = 0;

  // NUL-terminated value of a header by id, or NULL (and *pcch = 0) when absent.
  virtual PCSTR GetHeader(HTTP_HEADER_ID ulHeaderIndex,
                          USHORT* pcchHeaderValue = nullptr) const = 0;

  // Resets status, headers and body to the defaults; no visible effect after a flush.
  virtual VOID Clear() = 0;

  // Removes all headers and restores the server's default set.
  virtual VOID ClearHeaders() = 0;

  // Close the connection after this response (no keep-alive).
  virtual VOID SetNeedDisconnect() = 0;

  // Resets the connection now; the module should then return FINISH_REQUEST.
  virtual VOID ResetConnection() = 0;

  // Marks the response as not kernel-cacheable (reason 9 = handler HTTP.sys-unfriendly).
  virtual VOID DisableKernelCache(ULONG reason = 9) = 0;

  // TRUE unless kernel caching was disabled.
  virtual BOOL GetKernelCacheEnabled() const = 0;

  // Sends no status line and headers; the module writes the raw bytes itself.
  virtual VOID SuppressHeaders() = 0;

  // TRUE after SuppressHeaders.
  virtual BOOL GetHeadersSuppressed() const = 0;

  // Sends what is buffered (at least status and headers). fMoreData FALSE ends the response.
  // Async with *pfCompletionExpected TRUE: return PENDING; the result comes to OnAsyncCompletion.
  virtual HRESULT Flush(BOOL fAsync, BOOL fMoreData, DWORD* pcbSent,
                        BOOL* pfCompletionExpected = nullptr) = 0;

  // Redirects to pszUrl (302 with Location when fResetStatusCode); drops the buffered body.
  // No effect once the response was flushed. Return FINISH_REQUEST afterwards.
  virtual HRESULT Redirect(PCSTR pszUrl, BOOL fResetStatusCode = TRUE,
                           BOOL fIncludeParameters = FALSE) = 0;

  // Appends (lInsertPosition -1) or prepends (0) one chunk without copying; its memory must
  // live until the response is sent. ERROR_ARITHMETIC_OVERFLOW past the chunk limit.
  virtual HRESULT WriteEntityChunkByReference(HTTP_DATA_CHUNK* pDataChunk,
                                              LONG lInsertPosition = -1) = 0;

  // Appends nChunks chunks to the body (copied when buffered). See spec 6 for fAsync,
  // fMoreData, *pcbSent and *pfCompletionExpected.
  virtual HRESULT WriteEntityChunks(HTTP_DATA_CHUNK* pDataChunks, DWORD nChunks, BOOL fAsync,
                                    BOOL fMoreData, DWORD* pcbSent,
                                    BOOL* pfCompletionExpected = nullptr) = 0;

  // Turns response buffering off for this request: every write is sent at once.
  virtual VOID DisableBuffering() = 0;

  // The full status: code, sub-status, reason, error, setting module and notification, ...
  // Any out-pointer may be NULL. Strings are server-owned.
  virtual VOID GetStatus(USHORT* pStatusCode, USHORT* pSubStatus = nullptr,
                         PCSTR* ppszReason = nullptr, USHORT* pcchReason = nullptr,
                         HRESULT* phrErrorToReport = nullptr, PCWSTR* ppszModule = nullptr,
                         DWORD* pdwNotification = nullptr,
                         IAppHostConfigException** ppException = nullptr,
                         BOOL* pfTrySkipCustomErrors = nullptr) = 0;

  // Extra text for the detailed error page; HTML-encoded when fHtmlEncode.
  virtual HRESULT SetErrorDescription(PCWSTR pszDescription, DWORD cchDescription,
                                      BOOL fHtmlEncode = TRUE) = 0;

  // The text set by SetErrorDescription, or NULL.
  virtual PCWSTR GetErrorDescription(DWORD* pcchDescription = nullptr) = 0;

  // Internal header-sync API used by ASP.NET; modules should not call it (may be E_NOTIMPL).
  virtual HRESULT GetHeaderChanges(DWORD dwOldChangeNumber, DWORD* pdwNewChangeNumber,
                                   PCSTR knownHeaderSnapshot[HttpHeaderResponseMaximum],
                                   DWORD* pdwUnknownHeaderSnapshot,
                                   PCSTR** ppUnknownHeaderNameSnapshot,
                                   PCSTR** ppUnknownHeaderValueSnapshot,
                                   DWORD diffedKnownHeaderIndices[HttpHeaderResponseMaximum + 1],
                                   DWORD* pdwDiffedUnknownHeaders,
                                   DWORD** ppDiffedUnknownHeaderIndices) = 0;

  // Closes the connection and sends a reset to the client.
  virtual VOID CloseConnection() = 0;
};

class IHttpResponse2 : public IHttpResponse {
 public:
  // Keep the v1 overloads callable through IHttpResponse2* (spec 5.2).
  using IHttpResponse::Flush;
  using IHttpResponse::WriteEntityChunks;

  // Like the v1 WriteEntityChunks, but an async completion calls pfnCompletionCallback
  // (with pvCompletionContext) instead of OnAsyncCompletion.
  virtual HRESULT WriteEntityChunks(HTTP_DATA_CHUNK* pDataChunks, DWORD nChunks, BOOL fAsync,
                                    BOOL fMoreData, PFN_ASYNC_COMPLETION pfnCompletionCallback,
                                    VOID* pvCompletionContext, DWORD* pcbSent,
                                    BOOL* pfCompletionExpected = nullptr) = 0;

  // Like the v1 Flush, with completion through pfnCompletionCallback.
  virtual HRESULT Flush(BOOL fAsync, BOOL fMoreData, PFN_ASYNC_COMPLETION pfnCompletionCallback,
                        VOID* pvCompletionContext, DWORD* pcbSent,
                        BOOL* pfCompletionExpected = nullptr) = 0;
};

class IHttpResponse3 : public IHttpResponse2 {
 public:
  // HTTP/2 server push of a request for pwszPath (query and headers optional). On a
  // connection without push it does nothing.
  virtual HRESULT PushPromise(PCSTR pszVerb, PCWSTR pwszPath, PCWSTR pwszQuery, DWORD cHeaders,
                              PCSTR* rgHeaderNames, PCSTR* rgHeaderValues) = 0;
};

class IHttpResponse4 : public IHttpResponse3 {
 public:
  // Removes a trailer; succeeds if absent.
  virtual HRESULT DeleteTrailer(PCSTR pszHeaderName) = 0;

  // NUL-terminated value of a trailer, or NULL.
  virtual PCSTR GetTrailer(PCSTR pszHeaderName, USHORT* pcchHeaderValue = nullptr) const = 0;

  // Aborts the HTTP/2 stream with RST_STREAM(errorCode); the request counts as aborted.
  virtual VOID ResetStream(ULONG errorCode) = 0;

  // Sends an HTTP/2 GOAWAY after this response.
  virtual VOID SetNeedGoAway() = 0;

  // Sets a trailer (sent after the body); same value rules as SetHeader. Forbidden trailer
  // fields (Content-Length, Transfer-Encoding, Host, ...) are rejected.
  virtual HRESULT SetTrailer(PCSTR pszHeaderName, PCSTR pszHeaderValue, USHORT cchHeaderValue,
                             BOOL fReplace) = 0;
};

// =============================================================================================
// IHttpRequest family (spec 7.2). The server's request object is an IHttpRequest4.
// =============================================================================================

class IHttpRequest {
 public:
  virtual ~IHttpRequest() = default;

  // The live HTTP_REQUEST (V2), owned by the server for the request's lifetime.
  virtual HTTP_REQUEST* GetRawHttpRequest() = 0;

  // Read-only view of the live HTTP_REQUEST.
  virtual const HTTP_REQUEST* GetRawHttpRequest() const = 0;

  // NUL-terminated value of a request header by name, or NULL (and *pcch = 0) when absent.
  virtual PCSTR GetHeader(PCSTR pszHeaderName, USHORT* pcchHeaderValue = nullptr) const = 0;

  // NUL-terminated value of a request header by id (0-40), or NULL when absent.
  virtual PCSTR GetHeader(HTTP_HEADER_ID ulHeaderIndex,
                          USHORT* pcchHeaderValue = nullptr) const = 0;

  // Sets a request header by name (fReplace FALSE appends ", value").
  virtual HRESULT SetHeader(PCSTR pszHeaderName, PCSTR pszHeaderValue, USHORT cchHeaderValue,
                            BOOL fReplace) = 0;

  // Sets a request header by id.
  virtual HRESULT SetHeader(HTTP_HEADER_ID ulHeaderIndex, PCSTR pszHeaderValue,
                            USHORT cchHeaderValue, BOOL fReplace) = 0;

  // Removes a request header by name; succeeds if absent.
  virtual HRESULT DeleteHeader(PCSTR pszHeaderName) = 0;

  // Removes a request header by id; succeeds if absent.
  virtual HRESULT DeleteHeader(HTTP_HEADER_ID ulHeaderIndex) = 0;

  // The request method, e.g. "GET".
  virtual PCSTR GetHttpMethod() const = 0;

  // Changes the method seen by later stages and logging.
  virtual HRESULT SetHttpMethod(PCSTR pszHttpMethod) = 0;

  // Changes the URL the rest of the pipeline sees (not a redirect). fResetQueryString drops
  // the old query. ERROR_INVALID_PARAMETER if the URL is too long.
  virtual HRESULT SetUrl(PCWSTR pszUrl, DWORD cchUrl, BOOL fResetQueryString) = 0;

  // Narrow-string variant of SetUrl.
  virtual HRESULT SetUrl(PCSTR pszUrl, DWORD cchUrl, BOOL fResetQueryString) = 0;

  // TRUE after SetUrl.
  virtual BOOL GetUrlChanged() const = 0;

  // The target after SetUrl to a non-local URL, else NULL.
  virtual PCWSTR GetForwardedUrl() const = 0;

  // Local socket address of the connection.
  virtual PSOCKADDR GetLocalAddress() const = 0;

  // Remote (client) socket address of the connection.
  virtual PSOCKADDR GetRemoteAddress() const = 0;

  // Reads up to cbBuffer body bytes (de-chunked). At the end of the body it returns (or
  // completes with) HRESULT_FROM_WIN32(ERROR_HANDLE_EOF). Async rules as in spec 6.4.
  virtual HRESULT ReadEntityBody(VOID* pvBuffer, DWORD cbBuffer, BOOL fAsync,
                                 DWORD* pcbBytesReceived, BOOL* pfCompletionPending = nullptr) = 0;

  // Puts pvBuffer back in front of the unread body (not copied: keep it alive for the
  // request). Content-Length is not updated.
  virtual HRESULT InsertEntityBody(VOID* pvBuffer, DWORD cbBuffer) = 0;

  // Body bytes not read yet; 0xFFFFFFFF (INFINITE) when unknown (chunked).
  virtual DWORD GetRemainingEntityBytes() = 0;

  // The request's HTTP version.
  virtual VOID GetHttpVersion(USHORT* pMajorVersion, USHORT* pMinorVersion) const = 0;

  // The TLS client certificate, if negotiated; *pfClientCertNegotiated says whether it was.
  virtual HRESULT GetClientCertificate(HTTP_SSL_CLIENT_CERT_INFO** ppClientCertInfo,
                                       BOOL* pfClientCertNegotiated) = 0;

  // Asks the client for a certificate (renegotiation / post-handshake auth). E_FAIL on failure.
  virtual HRESULT NegotiateClientCertificate(BOOL fAsync, BOOL* pfCompletionPending = nullptr) = 0;

  // Id of the site serving the request.
  virtual DWORD GetSiteId() const = 0;

  // Internal header-sync API used by ASP.NET; modules should not call it (may be E_NOTIMPL).
  virtual HRESULT GetHeaderChanges(DWORD dwOldChangeNumber, DWORD* pdwNewChangeNumber,
                                   PCSTR knownHeaderSnapshot[HttpHeaderRequestMaximum],
                                   DWORD* pdwUnknownHeaderSnapshot,
                                   PCSTR** ppUnknownHeaderNameSnapshot,
                                   PCSTR** ppUnknownHeaderValueSnapshot,
                                   DWORD diffedKnownHeaderIndices[HttpHeaderRequestMaximum + 1],
                                   DWORD* pdwDiffedUnknownHeaders,
                                   DWORD** ppDiffedUnknownHeaderIndices) = 0;
};

class IHttpRequest2 : public IHttpRequest {
 public:
  // TLS channel-binding token of the connection (server-owned buffer).
  virtual HRESULT GetChannelBindingToken(PBYTE* ppToken, DWORD* pTokenSize) = 0;
};

class IHttpRequest3 : public IHttpRequest2 {
 public:
  // Keep the v1 overload callable through IHttpRequest3* (spec 5.2).
  using IHttpRequest::ReadEntityBody;

  // Like the v1 ReadEntityBody, but an async completion calls pfnCompletionCallback
  // instead of OnAsyncCompletion.
  virtual HRESULT ReadEntityBody(VOID* pvBuffer, DWORD cbBuffer, BOOL fAsync,
                                 PFN_ASYNC_COMPLETION pfnCompletionCallback,
                                 VOID* pvCompletionContext, DWORD* pcbBytesReceived,
                                 BOOL* pfCompletionPending = nullptr) = 0;
};

class IHttpRequest4 : public IHttpRequest3 {
 public:
  // ReadEntityBody with read flags (1 = fill the buffer before completing).
  virtual HRESULT ReadEntityBody(VOID* pvBuffer, DWORD cbBuffer, BOOL fAsync, ULONG ulFlags,
                                 DWORD* pcbBytesReceived, BOOL* pfCompletionPending = nullptr) = 0;
};

// =============================================================================================
// IHttpContext family (spec 7.1, 4.6, 4.7). The server's context object is an IHttpContext4.
// =============================================================================================

class IHttpContext {
 public:
  virtual ~IHttpContext() = default;

  // The site serving the request.
  virtual IHttpSite* GetSite() = 0;

  // The application serving the request.
  virtual IHttpApplication* GetApplication() = 0;

  // The client connection; may be NULL (e.g. preload / warm-up requests).
  virtual IHttpConnection* GetConnection() = 0;

  // The request (really an IHttpRequest4).
  virtual IHttpRequest* GetRequest() = 0;

  // The response (really an IHttpResponse4).
  virtual IHttpResponse* GetResponse() = 0;

  // TRUE once status and headers have gone to the client.
  virtual BOOL GetResponseHeadersSent() const = 0;

  // The authenticated user, or NULL before authentication; owned by the context.
  virtual IHttpUser* GetUser() const = 0;

  // Per-request module contexts; never NULL.
  virtual IHttpModuleContextContainer* GetModuleContextContainer() = 0;

  // Resumes the parked pipeline on the calling thread as if the pending notification had
  // returned notificationStatus; the notification is not re-entered.
  virtual VOID IndicateCompletion(REQUEST_NOTIFICATION_STATUS notificationStatus) = 0;

  // Queues a completion: the pending module gets OnAsyncCompletion with cbBytes and S_OK.
  // Do not touch the context after posting.
  virtual HRESULT PostCompletion(DWORD cbBytes) = 0;

  // Skips the given future (post-)notifications for this module and request only.
  virtual VOID DisableNotifications(DWORD dwNotifications, DWORD dwPostNotifications) = 0;

  // Pulls the next notification for this module without returning to the pipeline; FALSE
  // when there is none (always allowed).
  virtual BOOL GetNextNotification(REQUEST_NOTIFICATION_STATUS status, DWORD* pdwNotification,
                                   BOOL* pfIsPostNotification, CHttpModule** ppModuleInfo,
                                   IHttpEventProvider** ppRequestOutput) = 0;

  // TRUE if no further notification is pending for this module, given status.
  virtual BOOL GetIsLastNotification(REQUEST_NOTIFICATION_STATUS status) = 0;

  // Runs a cloned child context (async only; ERROR_NOT_SUPPORTED otherwise). pHttpUser
  // non-NULL skips the child's authentication. Nesting deeper than 10 fails.
  virtual HRESULT ExecuteRequest(BOOL fAsync, IHttpContext* pHttpContext, DWORD dwExecuteFlags,
                                 IHttpUser* pHttpUser, BOOL* pfCompletionExpected = nullptr) = 0;

  // The EXECUTE_FLAG_* this (child) request runs with.
  virtual DWORD GetExecuteFlags() const = 0;

  // Wide value of a server variable (server-owned). ERROR_INVALID_INDEX for unknown names.
  virtual HRESULT GetServerVariable(PCSTR pszVariableName, PCWSTR* ppszValue,
                                    DWORD* pcchValueLength) = 0;

  // Narrow value of a server variable (server-owned). ERROR_INVALID_INDEX for unknown names.
  virtual HRESULT GetServerVariable(PCSTR pszVariableName, PCSTR* ppszValue,
                                    DWORD* pcchValueLength) = 0;

  // Sets (or creates) a server variable.
  virtual HRESULT SetServerVariable(PCSTR pszVariableName, PCWSTR pszVariableValue) = 0;

  // Memory freed at the end of the request; NULL on failure.
  virtual VOID* AllocateRequestMemory(DWORD cbAllocation) = 0;

  // Cached information about the request URL.
  virtual IHttpUrlInfo* GetUrlInfo() = 0;

  // Configuration metadata of the request URL.
  virtual IMetadataInfo* GetMetadata() = 0;

  // Physical path the URL maps to; *pcchPhysicalPath gets its length in characters.
  virtual PCWSTR GetPhysicalPath(DWORD* pcchPhysicalPath = nullptr) = 0;

  // The script name (URL path).
  virtual PCWSTR GetScriptName(DWORD* pcchScriptName = nullptr) const = 0;

  // Physical path of the script.
  virtual PCWSTR GetScriptTranslated(DWORD* pcchScriptTranslated = nullptr) = 0;

  // The handler mapping selected for the request.
  virtual IScriptMapInfo* GetScriptMap() const = 0;

  // Stops further handlers from running for this request.
  virtual VOID SetRequestHandled() = 0;

  // The file the request maps to, or NULL.
  virtual IHttpFileInfo* GetFileInfo() const = 0;

  // Maps pszUrl to a physical path (fires RQ_MAP_PATH). ERROR_INSUFFICIENT_BUFFER with the
  // size needed in *pcbPhysicalPath if the buffer is too small.
  virtual HRESULT MapPath(PCWSTR pszUrl, PWSTR pszPhysicalPath, DWORD* pcbPhysicalPath) = 0;

  // Raises RQ_CUSTOM_NOTIFICATION for subscribed modules.
  virtual HRESULT NotifyCustomNotification(ICustomNotificationProvider* pCustomOutput,
                                           BOOL* pfCompletionExpected) = 0;

  // The parent of a child context, NULL for the root.
  virtual IHttpContext* GetParentContext() const = 0;

  // The root context of a child chain.
  virtual IHttpContext* GetRootContext() const = 0;

  // Creates a child context copying the parts selected by CLONE_FLAG_*.
  virtual HRESULT CloneContext(DWORD dwCloneFlags, IHttpContext** ppHttpContext) = 0;

  // Releases this cloned context; clones go in reverse creation order (else
  // ERROR_INVALID_PARAMETER).
  virtual HRESULT ReleaseClonedContext() = 0;

  // The notification (and module) currently executing, with start tick counts.
  virtual HRESULT GetCurrentExecutionStats(
      DWORD* pdwNotification, DWORD* pdwNotificationStartTickCount = nullptr,
      PCWSTR* ppszModule = nullptr, DWORD* pdwModuleStartTickCount = nullptr,
      DWORD* pdwAsyncNotification = nullptr,
      DWORD* pdwAsyncNotificationStartTickCount = nullptr) const = 0;

  // The request's trace context; never NULL (a no-op object when tracing is off).
  virtual IHttpTraceContext* GetTraceContext() const = 0;

  // Internal server-variable sync API used by ASP.NET; modules should not call it.
  virtual HRESULT GetServerVarChanges(DWORD dwOldChangeNumber, DWORD* pdwNewChangeNumber,
                                      DWORD* pdwVariableSnapshot, PCSTR** ppVariableNameSnapshot,
                                      PCWSTR** ppVariableValueSnapshot, DWORD* pdwDiffedVariables,
                                      DWORD** ppDiffedVariableIndices) = 0;

  // Cancels pending sends and receives; ERROR_INVALID_HANDLE if it cannot. Cancelled
  // operations complete with ERROR_OPERATION_ABORTED.
  virtual HRESULT CancelIo() = 0;

  // Looks up the handler mapping for a site, URL and verb.
  virtual HRESULT MapHandler(DWORD dwSiteId, PCWSTR pszSiteName, PCWSTR pszUrl, PCSTR pszVerb,
                             IScriptMapInfo** ppScriptMap,
                             BOOL fIgnoreWildcardMappings = FALSE) = 0;

  // Deprecated; returns E_NOTIMPL.
  virtual HRESULT GetExtendedInterface(HTTP_CONTEXT_INTERFACE_VERSION version,
                                       PVOID* ppInterface) = 0;
};

class IHttpContext2 : public IHttpContext {
 public:
  // The user before any authentication module replaced it.
  virtual IHttpUser* GetOriginalUser() const = 0;
};

class IHttpContext3 : public IHttpContext2 {
 public:
  // Contexts stored by name (e.g. IIS_WEBSOCKET).
  virtual INamedContextContainer* GetNamedContextContainer() = 0;

  // Allows one read and one write in flight at once (WebSockets); completions then go to
  // the v2 callbacks.
  virtual VOID EnableFullDuplex() = 0;

  // Copies a server variable from the parent context into this child.
  virtual HRESULT InheritServerVariable(PCSTR szName, BOOL fFailIfNotExist = FALSE) = 0;

  // Queues a completion that calls pfnCompletionRoutine instead of OnAsyncCompletion.
  virtual HRESULT PostCompletion(DWORD cbBytes,
                                 LPOVERLAPPED_COMPLETION_ROUTINE pfnCompletionRoutine,
                                 VOID* pvCompletionContext) = 0;
};

class IHttpContext4 : public IHttpContext3 {
 public:
  // Monotonic millisecond tick (GetTickCount64 style) when the request started.
  virtual ULONGLONG GetRequestStartTime() = 0;

  // Milliseconds since the request started.
  virtual ULONGLONG GetRequestElapsedTime() = 0;
};

// =============================================================================================
// Event providers (spec 4.5): the second argument of notification handlers.
// =============================================================================================

class IHttpEventProvider {
 public:
  virtual ~IHttpEventProvider() = default;

  // Records a failure cause for tracing and error pages; does not change control flow.
  virtual VOID SetErrorStatus(HRESULT hrError) = 0;
};

// RQ_AUTHENTICATE_REQUEST.
class IAuthenticationProvider : public IHttpEventProvider {
 public:
  // Sets the authenticated user; the server references it.
  virtual VOID SetUser(IHttpUser* pUser) = 0;
};

// RQ_MAP_REQUEST_HANDLER.
class IMapHandlerProvider : public IHttpEventProvider {
 public:
  // Overrides the script name of the request.
  virtual HRESULT SetScriptName(PCWSTR pszScriptName, DWORD cchScriptName) = 0;

  // Overrides the selected handler mapping.
  virtual VOID SetScriptMap(IScriptMapInfo* pScriptMap) = 0;

  // Overrides the file the request maps to.
  virtual VOID SetFileInfo(IHttpFileInfo* pFileInfo) = 0;
};

// RQ_MAP_PATH.
class IMapPathProvider : public IHttpEventProvider {
 public:
  // The URL being mapped.
  virtual PCWSTR GetUrl() const = 0;

  // The physical path chosen so far.
  virtual PCWSTR GetPhysicalPath() const = 0;

  // Replaces the physical path.
  virtual HRESULT SetPhysicalPath(PCWSTR pszPhysicalPath, DWORD cchPhysicalPath) = 0;
};

// RQ_SEND_RESPONSE: fired for every send (flush) of the response.
class ISendResponseProvider : public IHttpEventProvider {
 public:
  // TRUE on the send that carries status and headers (not after SuppressHeaders).
  virtual BOOL GetHeadersBeingSent() const = 0;

  // HTTP_SEND_RESPONSE_FLAG_* of this send (MORE_DATA unless it is the last).
  virtual DWORD GetFlags() const = 0;

  // Replaces the send flags (e.g. OPAQUE on a 101).
  virtual VOID SetFlags(DWORD dwFlags) = 0;

  // The request's log record; only when GetReadyToLogData() is TRUE, else NULL.
  virtual HTTP_LOG_DATA* GetLogData() const = 0;

  // Replaces the log record.
  virtual HRESULT SetLogData(HTTP_LOG_DATA* pLogData) = 0;

  // TRUE once RQ_LOG_REQUEST has run and the log record is available.
  virtual BOOL GetReadyToLogData() const = 0;
};

// RQ_READ_ENTITY.
class IReadEntityProvider : public IHttpEventProvider {
 public:
  // The entity data just read: buffer, bytes of data, buffer size.
  virtual VOID GetEntity(PVOID* ppBuffer, DWORD* pcbData, DWORD* pcbBuffer) = 0;

  // Replaces the entity data just read (cbBuffer >= cbData).
  virtual VOID SetEntity(PVOID pBuffer, DWORD cbData, DWORD cbBuffer) = 0;
};

// RQ_CUSTOM_NOTIFICATION / GL_CUSTOM_NOTIFICATION; implemented by the raising module.
class ICustomNotificationProvider : public IHttpEventProvider {
 public:
  // Identifies the kind of custom notification.
  virtual PCWSTR QueryNotificationType() = 0;
};

// GL_PRE_BEGIN_REQUEST.
class IPreBeginRequestProvider : public IHttpEventProvider {
 public:
  // The context of the request about to enter the pipeline.
  virtual IHttpContext* GetHttpContext() = 0;
};

// GL_APPLICATION_START / GL_APPLICATION_STOP.
class IHttpApplicationProvider : public IHttpEventProvider {
 public:
  // The application starting or stopping.
  virtual IHttpApplication* GetApplication() = 0;
};

typedef IHttpApplicationProvider IHttpApplicationStartProvider;
typedef IHttpApplicationProvider IHttpApplicationStopProvider;

// GL_APPLICATION_RESOLVE_MODULES: register extra modules for one application.
class IHttpApplicationResolveModulesProvider : public IHttpApplicationProvider {
 public:
  // Registers a request-level module for the application.
  virtual HRESULT RegisterModule(HTTP_MODULE_ID parentModuleId, IHttpModuleFactory* pModuleFactory,
                                 PCWSTR pszModuleName, PCWSTR pszModuleType,
                                 PCWSTR pszModulePreCondition, DWORD dwRequestNotifications,
                                 DWORD dwPostRequestNotifications) = 0;

  // Sets the priority of a module registered above for one notification.
  virtual HRESULT SetPriorityForRequestNotification(PCWSTR pszModuleName,
                                                    DWORD dwRequestNotification,
                                                    PCWSTR pszPriorityAlias) = 0;
};

// GL_STOP_LISTENING.
class IGlobalStopListeningProvider : public IHttpEventProvider {
 public:
  // TRUE if in-flight requests should be allowed to finish.
  virtual BOOL DrainRequestsGracefully() const = 0;
};

// GL_CACHE_OPERATION.
class ICacheProvider : public IHttpEventProvider {
 public:
  // The operation being performed.
  virtual CACHE_OPERATION GetCacheOperation() const = 0;

  // The key of the entry concerned.
  virtual IHttpCacheKey* GetCacheKey() const = 0;

  // The entry found (retrieve) or being added, or NULL.
  virtual IHttpCacheSpecificData* GetCacheRecord() const = 0;

  // Supplies the entry for a retrieve.
  virtual VOID SetCacheRecord(IHttpCacheSpecificData* pCacheRecord) = 0;

  // Trace context of the operation.
  virtual IHttpTraceContext* GetTraceContext() const = 0;
};

// GL_CONFIGURATION_CHANGE.
class IGlobalConfigurationChangeProvider : public IHttpEventProvider {
 public:
  // Configuration path that changed.
  virtual PCWSTR GetChangePath() const = 0;
};

// GL_FILE_CHANGE.
class IGlobalFileChangeProvider : public IHttpEventProvider {
 public:
  // Path of the file that changed.
  virtual PCWSTR GetFileName() const = 0;

  // The monitor that reported the change.
  virtual IHttpFileMonitor* GetFileMonitor() = 0;
};

// GL_TRACE_EVENT.
class IGlobalTraceEventProvider : public IHttpEventProvider {
 public:
  // The event being raised.
  virtual HRESULT GetTraceEvent(HTTP_TRACE_EVENT** ppTraceEvent) = 0;

  // TRUE if ModuleId subscribed to this event's provider.
  virtual BOOL CheckSubscription(HTTP_MODULE_ID ModuleId) = 0;

  // The request that raised the event, if any.
  virtual HRESULT GetCurrentHttpRequestContext(IHttpContext** ppHttpContext) = 0;
};

// GL_THREAD_CLEANUP.
class IGlobalThreadCleanupProvider : public IHttpEventProvider {
 public:
  // The application the thread last served.
  virtual IHttpApplication* GetApplication() = 0;
};

// GL_APPLICATION_PRELOAD.
class IGlobalApplicationPreloadProvider : public IHttpEventProvider {
 public:
  // Creates a context for a preload request.
  virtual HRESULT CreateContext(IHttpContext** ppHttpContext) = 0;

  // Runs a preload request created with CreateContext.
  virtual HRESULT ExecuteRequest(IHttpContext* pHttpContext, IHttpUser* pHttpUser) = 0;
};

class IGlobalApplicationPreloadProvider2 : public IGlobalApplicationPreloadProvider {
 public:
  // TRUE if the preload runs because the worker process was recycled.
  virtual BOOL IsProcessRecycled() = 0;
};

// GL_RSCA_QUERY (runtime status and control queries).
class IGlobalRSCAQueryProvider : public IHttpEventProvider {
 public:
  // Name of the queried function.
  virtual PCWSTR GetFunctionName() const = 0;

  // Parameters of the query.
  virtual PCWSTR GetFunctionParameters() const = 0;

  // A server-owned output buffer of at least cbBuffer bytes.
  virtual HRESULT GetOutputBuffer(DWORD cbBuffer, BYTE** ppbBuffer) = 0;

  // Grows the output buffer, keeping the first cbBytesToCopy bytes.
  virtual HRESULT ResizeOutputBuffer(DWORD cbNewBuffer, DWORD cbBytesToCopy, BYTE** ppbBuffer) = 0;

  // Reports cbData bytes of output and the result.
  virtual VOID SetResult(DWORD cbData, HRESULT hr) = 0;
};

// Given back by CGlobalModule::OnSuspendProcess; the server calls Resume on wake-up.
class IGlobalSuspendProcessCallback {
 public:
  virtual ~IGlobalSuspendProcessCallback() = default;

  // The suspended worker process resumed.
  virtual VOID Resume() = 0;
};

// =============================================================================================
// IHttpServer family (spec 7.3). The object passed to RegisterModule is an IHttpServer3.
// =============================================================================================

class IHttpServer {
 public:
  virtual ~IHttpServer() = default;

  // TRUE when the server was started from a command line (IIS Express style).
  virtual BOOL IsCommandLineLaunch() const = 0;

  // Name of the application pool (worker process group).
  virtual PCWSTR GetAppPoolName() const = 0;

  // Binds a module-owned handle (fd) to the server's I/O pool; completions call
  // completionRoutine.
  virtual HRESULT AssociateWithThreadPool(HANDLE hHandle,
                                          LPOVERLAPPED_COMPLETION_ROUTINE completionRoutine) = 0;

  // Tells the pool that the calling thread is about to block.
  virtual VOID IncrementThreadCount() = 0;

  // Undoes IncrementThreadCount.
  virtual VOID DecrementThreadCount() = 0;

  // Reports the worker process as unhealthy.
  virtual VOID ReportUnhealthy(PCWSTR pszReasonString, HRESULT hrReason) = 0;

  // Asks for the worker process to be recycled.
  virtual VOID RecycleProcess(PCWSTR pszReason) = 0;

  // IIS configuration API; NULL on Linux.
  virtual IAppHostAdminManager* GetAdminManager() const = 0;

  // Opens (and optionally caches) a file; *ppFileInfo is released with DereferenceCacheData.
  virtual HRESULT GetFileInfo(PCWSTR pszPhysicalPath, HANDLE hUserToken, PSID pSid,
                              PCWSTR pszChangeNotificationPath, HANDLE hChangeNotificationToken,
                              BOOL fCache, IHttpFileInfo** ppFileInfo,
                              IHttpTraceContext* pHttpTraceContext = nullptr) = 0;

  // Removes a URL from the kernel cache.
  virtual HRESULT FlushKernelCache(PCWSTR pszUrl) = 0;

  // Performs a cache operation on a server cache.
  virtual HRESULT DoCacheOperation(CACHE_OPERATION cacheOperation, IHttpCacheKey* pCacheKey,
                                   IHttpCacheSpecificData** ppCacheSpecificData,
                                   IHttpTraceContext* pHttpTraceContext = nullptr) = 0;

  // Raises GL_CUSTOM_NOTIFICATION.
  virtual GLOBAL_NOTIFICATION_STATUS NotifyCustomNotification(
      ICustomNotificationProvider* pCustomOutput) = 0;

  // Server-wide performance counters.
  virtual IHttpPerfCounterInfo* GetPerfCounterInfo() = 0;

  // Recycles one application.
  virtual VOID RecycleApplication(PCWSTR pszAppConfigPath) = 0;

  // Announces a configuration change (GL_CONFIGURATION_CHANGE).
  virtual VOID NotifyConfigurationChange(PCWSTR pszPath) = 0;

  // Announces a file change (GL_FILE_CHANGE).
  virtual VOID NotifyFileChange(PCWSTR pszFileName) = 0;

  // A new stand-alone context container; free it with ReleaseContainer.
  virtual IDispensedHttpModuleContextContainer* DispenseContainer() = 0;

  // Stores the chunk's data under pszFragmentName in the fragment cache (may be evicted at
  // any time). E_INVALIDARG / ERROR_INVALID_PARAMETER on bad input.
  virtual HRESULT AddFragmentToCache(HTTP_DATA_CHUNK* pDataChunk, PCWSTR pszFragmentName) = 0;

  // Copies a cached fragment into pvBuffer. HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND) when
  // absent; ERROR_INSUFFICIENT_BUFFER with the size in *pcbCopied if cbSize is too small.
  virtual HRESULT ReadFragmentFromCache(PCWSTR pszFragmentName, BYTE* pvBuffer, DWORD cbSize,
                                        DWORD* pcbCopied) = 0;

  // Removes a fragment. HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND) when absent.
  virtual HRESULT RemoveFragmentFromCache(PCWSTR pszFragmentName) = 0;

  // Worker-process settings; server-owned. May fail with E_NOTIMPL on Linux.
  virtual HRESULT GetWorkerProcessSettings(IWpfSettings** ppWorkerProcessSettings) = 0;

  // Loads a protocol manager's custom interface (Windows-only; E_NOTIMPL on Linux).
  virtual HRESULT GetProtocolManagerCustomInterface(PCWSTR pProtocolManagerDll,
                                                    PCWSTR pProtocolManagerDllInitFunction,
                                                    DWORD dwCustomInterfaceId,
                                                    PVOID* ppCustomInterface) = 0;

  // Evaluates a module precondition string; *pfUnknownPrecondition reports unknown terms.
  virtual BOOL SatisfiesPrecondition(PCWSTR pszPrecondition,
                                     BOOL* pfUnknownPrecondition = nullptr) const = 0;

  // The server's trace context (not per request).
  virtual IHttpTraceContext* GetTraceContext() const = 0;

  // Watches a path for changes; events arrive as GL_FILE_CHANGE.
  virtual HRESULT RegisterFileChangeMonitor(PCWSTR pszPath, HANDLE hToken,
                                            IHttpFileMonitor** ppFileMonitor) = 0;

  // HTTP_SERVER_INTERFACE_V2 gives IHttpServer2, V3 gives IHttpServer3.
  virtual HRESULT GetExtendedInterface(HTTP_SERVER_INTERFACE_VERSION version,
                                       PVOID* ppInterface) = 0;
};

class IHttpServer2 : public IHttpServer {
 public:
  // Logs a user on and returns a cached token entry (Windows-only; fails on Linux).
  virtual HRESULT GetToken(PCWSTR pszUserName, PCWSTR pszPassword, DWORD dwLogonMethod,
                           IHttpTokenEntry** ppTokenEntry, PCWSTR pszDefaultDomain = nullptr,
                           PSOCKADDR pSockAddr = nullptr,
                           IHttpTraceContext* pHttpTraceContext = nullptr) = 0;

  // Path of the application pool's configuration file.
  virtual PCWSTR GetAppPoolConfigFile(DWORD* pcchConfigFilePath = nullptr) const = 0;

  // Returns in *ppOutput the Version2 interface of pInput (an object of interface Version1),
  // or E_NOINTERFACE with *ppOutput = nullptr. Used by HttpGetExtendedInterface.
  virtual HRESULT GetExtendedInterface(const GUID& Version1, PVOID pInput, const GUID& Version2,
                                       PVOID* ppOutput) = 0;

  // Configuration metadata of a site and URL; release with DereferenceMetadata.
  virtual HRESULT GetMetadata(PCWSTR pszSiteName, PCWSTR pszUrl,
                              IReferencedMetadataInfo** ppMetadataInfo) = 0;

  // The worker-process framework (out of scope on Linux).
  virtual HRESULT GetWorkerProcessFramework(IWorkerProcessFramework** ppWorkerProcessFramework) = 0;
};

class IHttpServer3 : public IHttpServer2 {
 public:
  // Queries an HTTP_REQUEST_PROPERTY of request id (HttpQueryRequestProperty). Returns
  // E_NOTIMPL for properties the server does not support.
  virtual HRESULT QueryRequestProperty(HTTP_OPAQUE_ID id, HTTP_REQUEST_PROPERTY propertyId,
                                       PVOID pQualifier, ULONG qualifierSize, PVOID pOutput,
                                       ULONG outputBufferSize, PULONG pcbBytesReturned,
                                       LPOVERLAPPED pOverlapped) = 0;
};

// =============================================================================================
// Modules (spec 3).
// =============================================================================================

// Request-pool allocator handed to IHttpModuleFactory::GetHttpModule.
class IModuleAllocator {
 public:
  virtual ~IModuleAllocator() = default;

  // Memory from the request's pool, freed after the request (and after Dispose) ends.
  virtual VOID* AllocateMemory(DWORD cbAllocation) = 0;
};

namespace httpserv::detail {
// Logs the diagnostic of a notification handler that was subscribed but not overridden.
inline void log_not_overridden(const char* notification) {
  log_printf(HTTPSERV_LOG_WARNING, "httpserv-module",
             "module subscribed to %s but did not override it", notification);
}
}  // namespace httpserv::detail

// Base class of request-level modules. The server gets one instance per request from the
// module's factory, calls the subscribed On* methods, and calls Dispose at the end of the
// request. Every handler that is not overridden logs a warning and returns CONTINUE.
class CHttpModule {
 public:
  // RQ_BEGIN_REQUEST.
  virtual REQUEST_NOTIFICATION_STATUS OnBeginRequest(IHttpContext* pHttpContext,
                                                     IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnBeginRequest");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_BEGIN_REQUEST, post-notification.
  virtual REQUEST_NOTIFICATION_STATUS OnPostBeginRequest(IHttpContext* pHttpContext,
                                                         IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnPostBeginRequest");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_AUTHENTICATE_REQUEST; set the user with pProvider->SetUser.
  virtual REQUEST_NOTIFICATION_STATUS OnAuthenticateRequest(IHttpContext* pHttpContext,
                                                            IAuthenticationProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnAuthenticateRequest");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_AUTHENTICATE_REQUEST, post-notification.
  virtual REQUEST_NOTIFICATION_STATUS OnPostAuthenticateRequest(IHttpContext* pHttpContext,
                                                                IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnPostAuthenticateRequest");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_AUTHORIZE_REQUEST.
  virtual REQUEST_NOTIFICATION_STATUS OnAuthorizeRequest(IHttpContext* pHttpContext,
                                                         IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnAuthorizeRequest");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_AUTHORIZE_REQUEST, post-notification.
  virtual REQUEST_NOTIFICATION_STATUS OnPostAuthorizeRequest(IHttpContext* pHttpContext,
                                                             IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnPostAuthorizeRequest");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_RESOLVE_REQUEST_CACHE.
  virtual REQUEST_NOTIFICATION_STATUS OnResolveRequestCache(IHttpContext* pHttpContext,
                                                            IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnResolveRequestCache");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_RESOLVE_REQUEST_CACHE, post-notification.
  virtual REQUEST_NOTIFICATION_STATUS OnPostResolveRequestCache(IHttpContext* pHttpContext,
                                                                IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnPostResolveRequestCache");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_MAP_REQUEST_HANDLER; pProvider can override script name, mapping and file.
  virtual REQUEST_NOTIFICATION_STATUS OnMapRequestHandler(IHttpContext* pHttpContext,
                                                          IMapHandlerProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnMapRequestHandler");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_MAP_REQUEST_HANDLER, post-notification.
  virtual REQUEST_NOTIFICATION_STATUS OnPostMapRequestHandler(IHttpContext* pHttpContext,
                                                              IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnPostMapRequestHandler");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_ACQUIRE_REQUEST_STATE.
  virtual REQUEST_NOTIFICATION_STATUS OnAcquireRequestState(IHttpContext* pHttpContext,
                                                            IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnAcquireRequestState");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_ACQUIRE_REQUEST_STATE, post-notification.
  virtual REQUEST_NOTIFICATION_STATUS OnPostAcquireRequestState(IHttpContext* pHttpContext,
                                                                IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnPostAcquireRequestState");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_PRE_EXECUTE_REQUEST_HANDLER.
  virtual REQUEST_NOTIFICATION_STATUS OnPreExecuteRequestHandler(IHttpContext* pHttpContext,
                                                                 IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnPreExecuteRequestHandler");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_PRE_EXECUTE_REQUEST_HANDLER, post-notification.
  virtual REQUEST_NOTIFICATION_STATUS OnPostPreExecuteRequestHandler(
      IHttpContext* pHttpContext, IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnPostPreExecuteRequestHandler");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_EXECUTE_REQUEST_HANDLER: only for the module(s) of the selected handler mapping.
  virtual REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext* pHttpContext,
                                                              IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnExecuteRequestHandler");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_EXECUTE_REQUEST_HANDLER, post-notification.
  virtual REQUEST_NOTIFICATION_STATUS OnPostExecuteRequestHandler(IHttpContext* pHttpContext,
                                                                  IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnPostExecuteRequestHandler");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_RELEASE_REQUEST_STATE.
  virtual REQUEST_NOTIFICATION_STATUS OnReleaseRequestState(IHttpContext* pHttpContext,
                                                            IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnReleaseRequestState");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_RELEASE_REQUEST_STATE, post-notification.
  virtual REQUEST_NOTIFICATION_STATUS OnPostReleaseRequestState(IHttpContext* pHttpContext,
                                                                IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnPostReleaseRequestState");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_UPDATE_REQUEST_CACHE.
  virtual REQUEST_NOTIFICATION_STATUS OnUpdateRequestCache(IHttpContext* pHttpContext,
                                                           IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnUpdateRequestCache");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_UPDATE_REQUEST_CACHE, post-notification.
  virtual REQUEST_NOTIFICATION_STATUS OnPostUpdateRequestCache(IHttpContext* pHttpContext,
                                                               IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnPostUpdateRequestCache");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_LOG_REQUEST.
  virtual REQUEST_NOTIFICATION_STATUS OnLogRequest(IHttpContext* pHttpContext,
                                                   IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnLogRequest");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_LOG_REQUEST, post-notification.
  virtual REQUEST_NOTIFICATION_STATUS OnPostLogRequest(IHttpContext* pHttpContext,
                                                       IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnPostLogRequest");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_END_REQUEST.
  virtual REQUEST_NOTIFICATION_STATUS OnEndRequest(IHttpContext* pHttpContext,
                                                   IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnEndRequest");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_END_REQUEST, post-notification.
  virtual REQUEST_NOTIFICATION_STATUS OnPostEndRequest(IHttpContext* pHttpContext,
                                                       IHttpEventProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnPostEndRequest");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_SEND_RESPONSE: before every send of the response (no post-notification).
  virtual REQUEST_NOTIFICATION_STATUS OnSendResponse(IHttpContext* pHttpContext,
                                                     ISendResponseProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnSendResponse");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_MAP_PATH: whenever a URL is mapped to a physical path.
  virtual REQUEST_NOTIFICATION_STATUS OnMapPath(IHttpContext* pHttpContext,
                                                IMapPathProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnMapPath");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_READ_ENTITY: after request entity data was read.
  virtual REQUEST_NOTIFICATION_STATUS OnReadEntity(IHttpContext* pHttpContext,
                                                   IReadEntityProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnReadEntity");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // RQ_CUSTOM_NOTIFICATION raised by IHttpContext::NotifyCustomNotification.
  virtual REQUEST_NOTIFICATION_STATUS OnCustomRequestNotification(
      IHttpContext* pHttpContext, ICustomNotificationProvider* pProvider) {
    (void)pHttpContext;
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnCustomRequestNotification");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // Completion of this module's own async operation started in notification dwNotification
  // (fPostNotification); pProvider is that notification's provider. Returns like a handler.
  virtual REQUEST_NOTIFICATION_STATUS OnAsyncCompletion(IHttpContext* pHttpContext,
                                                        DWORD dwNotification,
                                                        BOOL fPostNotification,
                                                        IHttpEventProvider* pProvider,
                                                        IHttpCompletionInfo* pCompletionInfo) {
    (void)pHttpContext;
    (void)dwNotification;
    (void)fPostNotification;
    (void)pProvider;
    (void)pCompletionInfo;
    httpserv::detail::log_not_overridden("OnAsyncCompletion");
    return RQ_NOTIFICATION_CONTINUE;
  }

  // Called by the server at the end of the request; the default deletes the module.
  virtual VOID Dispose() { delete this; }

 protected:
  CHttpModule() {}
  virtual ~CHttpModule() {}
};

// Creates the per-request CHttpModule instances of a module.
class IHttpModuleFactory {
 public:
  virtual ~IHttpModuleFactory() = default;

  // Creates the module instance for one request (optionally in pAllocator's request pool).
  virtual HRESULT GetHttpModule(CHttpModule** ppModule, IModuleAllocator* pAllocator) = 0;

  // Called once at shutdown; the factory frees itself (usually `delete this`).
  virtual VOID Terminate() = 0;
};

// Base class of global (server-level) modules. Every handler that is not overridden logs a
// warning and returns GL_NOTIFICATION_CONTINUE. Terminate is called at shutdown.
class CGlobalModule {
 public:
  virtual ~CGlobalModule() = default;

  // GL_STOP_LISTENING: the server stops accepting requests.
  virtual GLOBAL_NOTIFICATION_STATUS OnGlobalStopListening(
      IGlobalStopListeningProvider* pProvider) {
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnGlobalStopListening");
    return GL_NOTIFICATION_CONTINUE;
  }

  // GL_CACHE_CLEANUP: periodic cache cleanup.
  virtual GLOBAL_NOTIFICATION_STATUS OnGlobalCacheCleanup() {
    httpserv::detail::log_not_overridden("OnGlobalCacheCleanup");
    return GL_NOTIFICATION_CONTINUE;
  }

  // GL_CACHE_OPERATION: an operation on a server cache.
  virtual GLOBAL_NOTIFICATION_STATUS OnGlobalCacheOperation(ICacheProvider* pProvider) {
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnGlobalCacheOperation");
    return GL_NOTIFICATION_CONTINUE;
  }

  // GL_HEALTH_CHECK: periodic health check.
  virtual GLOBAL_NOTIFICATION_STATUS OnGlobalHealthCheck() {
    httpserv::detail::log_not_overridden("OnGlobalHealthCheck");
    return GL_NOTIFICATION_CONTINUE;
  }

  // GL_CONFIGURATION_CHANGE.
  virtual GLOBAL_NOTIFICATION_STATUS OnGlobalConfigurationChange(
      IGlobalConfigurationChangeProvider* pProvider) {
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnGlobalConfigurationChange");
    return GL_NOTIFICATION_CONTINUE;
  }

  // GL_FILE_CHANGE.
  virtual GLOBAL_NOTIFICATION_STATUS OnGlobalFileChange(IGlobalFileChangeProvider* pProvider) {
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnGlobalFileChange");
    return GL_NOTIFICATION_CONTINUE;
  }

  // GL_PRE_BEGIN_REQUEST: before a request enters the pipeline.
  virtual GLOBAL_NOTIFICATION_STATUS OnGlobalPreBeginRequest(IPreBeginRequestProvider* pProvider) {
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnGlobalPreBeginRequest");
    return GL_NOTIFICATION_CONTINUE;
  }

  // GL_APPLICATION_START.
  virtual GLOBAL_NOTIFICATION_STATUS OnGlobalApplicationStart(
      IHttpApplicationStartProvider* pProvider) {
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnGlobalApplicationStart");
    return GL_NOTIFICATION_CONTINUE;
  }

  // GL_APPLICATION_RESOLVE_MODULES: register per-application modules.
  virtual GLOBAL_NOTIFICATION_STATUS OnGlobalApplicationResolveModules(
      IHttpApplicationResolveModulesProvider* pProvider) {
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnGlobalApplicationResolveModules");
    return GL_NOTIFICATION_CONTINUE;
  }

  // GL_APPLICATION_STOP.
  virtual GLOBAL_NOTIFICATION_STATUS OnGlobalApplicationStop(
      IHttpApplicationStopProvider* pProvider) {
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnGlobalApplicationStop");
    return GL_NOTIFICATION_CONTINUE;
  }

  // GL_RSCA_QUERY: runtime status query.
  virtual GLOBAL_NOTIFICATION_STATUS OnGlobalRSCAQuery(IGlobalRSCAQueryProvider* pProvider) {
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnGlobalRSCAQuery");
    return GL_NOTIFICATION_CONTINUE;
  }

  // GL_TRACE_EVENT: a trace event was raised.
  virtual GLOBAL_NOTIFICATION_STATUS OnGlobalTraceEvent(IGlobalTraceEventProvider* pProvider) {
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnGlobalTraceEvent");
    return GL_NOTIFICATION_CONTINUE;
  }

  // GL_CUSTOM_NOTIFICATION raised by IHttpServer::NotifyCustomNotification.
  virtual GLOBAL_NOTIFICATION_STATUS OnGlobalCustomNotification(
      ICustomNotificationProvider* pProvider) {
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnGlobalCustomNotification");
    return GL_NOTIFICATION_CONTINUE;
  }

  // Called once at shutdown; the module frees itself (usually `delete this`).
  virtual VOID Terminate() = 0;

  // GL_THREAD_CLEANUP: a pool thread is about to be reused or retired.
  virtual GLOBAL_NOTIFICATION_STATUS OnGlobalThreadCleanup(
      IGlobalThreadCleanupProvider* pProvider) {
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnGlobalThreadCleanup");
    return GL_NOTIFICATION_CONTINUE;
  }

  // GL_APPLICATION_PRELOAD: create and run preload requests.
  virtual GLOBAL_NOTIFICATION_STATUS OnGlobalApplicationPreload(
      IGlobalApplicationPreloadProvider* pProvider) {
    (void)pProvider;
    httpserv::detail::log_not_overridden("OnGlobalApplicationPreload");
    return GL_NOTIFICATION_CONTINUE;
  }

  // GL_SUSPEND_PROCESS: the worker process is being suspended; a module may return a
  // callback in *pCallback to hear about the resume.
  virtual GLOBAL_NOTIFICATION_STATUS OnSuspendProcess(IGlobalSuspendProcessCallback** pCallback) {
    (void)pCallback;
    httpserv::detail::log_not_overridden("OnSuspendProcess");
    return GL_NOTIFICATION_CONTINUE;
  }
};

// What RegisterModule uses to subscribe the module (spec 3.2).
class IHttpModuleRegistrationInfo {
 public:
  virtual ~IHttpModuleRegistrationInfo() = default;

  // The module's configured name.
  virtual PCWSTR GetName() const = 0;

  // Opaque id of the loaded module, constant for its lifetime; key of every context container.
  virtual HTTP_MODULE_ID GetId() const = 0;

  // Subscribes pModuleFactory's modules to request notifications (RQ_* masks, the second for
  // post-notifications). A second call returns HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS).
  virtual HRESULT SetRequestNotifications(IHttpModuleFactory* pModuleFactory,
                                          DWORD dwRequestNotifications,
                                          DWORD dwPostRequestNotifications) = 0;

  // Subscribes pGlobalModule to GL_* notifications. A second call returns ERROR_ALREADY_EXISTS.
  virtual HRESULT SetGlobalNotifications(CGlobalModule* pGlobalModule,
                                         DWORD dwGlobalNotifications) = 0;

  // Sets the module's priority (PRIORITY_ALIAS_*) for one request notification.
  virtual HRESULT SetPriorityForRequestNotification(DWORD dwRequestNotification,
                                                    PCWSTR pszPriority) = 0;

  // Sets the module's priority (PRIORITY_ALIAS_*) for one global notification.
  virtual HRESULT SetPriorityForGlobalNotification(DWORD dwGlobalNotification,
                                                   PCWSTR pszPriority) = 0;
};

class IHttpModuleRegistrationInfo2 : public IHttpModuleRegistrationInfo {
 public:
  // Sets the module's priority for one post-request notification.
  virtual HRESULT SetPriorityForPostRequestNotification(DWORD dwPostRequestNotification,
                                                        PCWSTR pszPriority) = 0;
};

// Signature of the module entry point exported as MODULE_REGISTERMODULE.
typedef HRESULT(WINAPI* PFN_REGISTERMODULE)(DWORD dwServerVersion,
                                            IHttpModuleRegistrationInfo* pModuleInfo,
                                            IHttpServer* pGlobalInfo);

// The module entry point, defined by every module. Called once after dlopen with the server
// version, the registration object and the server; return S_OK or the module fails to load.
// Declared extern "C" with default visibility so the module's definition is exported as the
// unmangled symbol "RegisterModule".
extern "C" __attribute__((visibility("default"))) HRESULT WINAPI RegisterModule(
    DWORD dwServerVersion, IHttpModuleRegistrationInfo* pModuleInfo, IHttpServer* pGlobalInfo);

#pragma GCC diagnostic pop

// =============================================================================================
// Interface ids (spec 8) and HttpGetExtendedInterface (spec 5.5).
// =============================================================================================

HTTPSERV_DEFINE_IID(IHttpStoredContext, "f1927f76-790e-4ccb-a72e-396bdfdae05d");
HTTPSERV_DEFINE_IID(IHttpModuleContextContainer, "d7fad7c9-aa27-4ab9-bd60-e55ccba3f5dc");
HTTPSERV_DEFINE_IID(INamedContextContainer, "16db6f7c-1a94-47ca-a8e8-fea6005ff3ba");
HTTPSERV_DEFINE_IID(IDispensedHttpModuleContextContainer, "2ae49359-95dd-4e48-ae20-c0cb9d0bc03a");
HTTPSERV_DEFINE_IID(IHttpPerfCounterInfo, "bdfc4c4a-12a4-4744-87d8-765eb320c59f");
HTTPSERV_DEFINE_IID(IHttpApplication, "3f75d9e6-1075-422c-ad89-93a85f2d7bdc");
HTTPSERV_DEFINE_IID(IHttpApplication2, "311a3b7a-b673-4a1c-8349-2e98a23cadcb");
HTTPSERV_DEFINE_IID(IHttpUrlInfo, "7e0e6167-0094-49a1-8287-ecf6dc6e73a6");
HTTPSERV_DEFINE_IID(IScriptMapInfo, "d7fe3d77-68bc-4d4a-851f-eec9fb68017c");
HTTPSERV_DEFINE_IID(IHttpTokenEntry, "fd86e6de-fb0e-47dd-820a-e0da12be46e9");
HTTPSERV_DEFINE_IID(IMetadataInfo, "48b10633-825d-495e-93b0-225380053e8e");
HTTPSERV_DEFINE_IID(IReferencedMetadataInfo, "3fc5c336-9ad7-45ea-af2f-31b59302c9fe");
HTTPSERV_DEFINE_IID(IHttpRequest, "e8698f7e-576e-4cac-a309-67435355faef");
HTTPSERV_DEFINE_IID(IHttpRequest2, "d9244ae1-51f8-4aa1-a66d-19277c33e610");
HTTPSERV_DEFINE_IID(IHttpRequest3, "b32e4e0f-4057-4feb-aeab-7b69c03c6314");
HTTPSERV_DEFINE_IID(IHttpRequest4, "3816f517-f631-49f0-8b51-16d6f0c6ffb2");
HTTPSERV_DEFINE_IID(IHttpCachePolicy, "cb1c40ca-70f2-41a0-add2-881f5ef57388");
HTTPSERV_DEFINE_IID(IHttpCachePolicy2, "9f4ba807-050e-4495-ae55-8870f7e9194a");
HTTPSERV_DEFINE_IID(IHttpResponse, "7e1c6b38-628f-4e6c-95dc-41237eb7f95e");
HTTPSERV_DEFINE_IID(IHttpResponse2, "0822c871-f14e-4974-a1e6-5b3c1f09b76a");
HTTPSERV_DEFINE_IID(IHttpResponse3, "19578e49-d080-45da-b673-96cb475d3c5d");
HTTPSERV_DEFINE_IID(IHttpResponse4, "1a2acc57-cae2-4f28-b4ab-00c8f96b12ec");
HTTPSERV_DEFINE_IID(IHttpUser, "8059e6f8-10ce-4d61-b47e-5a1d8d9a8b67");
HTTPSERV_DEFINE_IID(IHttpConnectionStoredContext, "841d9a71-75f4-4626-8b97-66046ca7e45b");
HTTPSERV_DEFINE_IID(IHttpConnectionModuleContextContainer, "f3dd2fb3-4d11-4295-b8ab-4cb667add1fe");
HTTPSERV_DEFINE_IID(IHttpConnection, "d9a5de00-3346-4599-9826-fe88565e1226");
HTTPSERV_DEFINE_IID(IHttpFileInfo, "71e95595-8c74-44d9-88a9-f5112d5f5900");
HTTPSERV_DEFINE_IID(IHttpSite, "eb16a6ec-ba5d-436f-bf24-3ede13906450");
HTTPSERV_DEFINE_IID(ICustomNotificationProvider, "671e6d34-9380-4df4-b453-91129df02b24");
HTTPSERV_DEFINE_IID(IHttpEventProvider, "6f3f657d-2fb8-43c6-a096-5064b41f0580");
HTTPSERV_DEFINE_IID(IHttpContext, "424c1b8c-a1ba-44d7-ac98-9f8f457701a5");
HTTPSERV_DEFINE_IID(IHttpContext2, "c986182c-cf4a-4482-8205-0dbbc1fd6cee");
HTTPSERV_DEFINE_IID(IHttpContext3, "bf53c022-ca4b-4349-a38e-a4b78ad897fb");
HTTPSERV_DEFINE_IID(IHttpContext4, "2c9463d8-4ec4-4622-8917-d486321a9443");
HTTPSERV_DEFINE_IID(IHttpTraceContext, "9f9098d5-915c-4294-a52e-66532a232bc9");
HTTPSERV_DEFINE_IID(IHttpCacheSpecificData, "37776aff-852e-4eec-93a5-b85a285a95b8");
HTTPSERV_DEFINE_IID(IHttpCacheKey, "cdef2aad-20b3-4512-b1b1-094b3844aeb2");
HTTPSERV_DEFINE_IID(IHttpFileMonitor, "985422da-b0cf-473b-ba9e-8148ceb3e240");
HTTPSERV_DEFINE_IID(IHttpServer, "eda2a40f-fb92-4d6d-b52b-c8c207380b4e");
HTTPSERV_DEFINE_IID(IHttpServer2, "34af637e-afe8-4556-bcc1-767f8e0b4a4e");
HTTPSERV_DEFINE_IID(IHttpServer3, "f7a66d59-c0a2-48b5-a88f-be5975c960fb");
HTTPSERV_DEFINE_IID(IHttpCompletionInfo, "49dd20e3-d9c0-463c-8821-f3413b55cc00");
HTTPSERV_DEFINE_IID(IHttpCompletionInfo2, "53129f70-0196-47ec-b16c-127906e2afeb");
HTTPSERV_DEFINE_IID(IAuthenticationProvider, "304d51d0-0307-45ed-83fd-dd3fc032fdfc");
HTTPSERV_DEFINE_IID(IMapHandlerProvider, "fea3ce6b-e346-47e7-b2a6-ad265baeff2c");
HTTPSERV_DEFINE_IID(IMapPathProvider, "8efdf557-a8f1-4bc9-b462-6df3b038a59a");
HTTPSERV_DEFINE_IID(ISendResponseProvider, "57f2e7bc-0bcf-4a9f-94a4-10e55c6e5b51");
HTTPSERV_DEFINE_IID(IReadEntityProvider, "fe6d905a-99b8-49fd-b389-cfc809562b81");
HTTPSERV_DEFINE_IID(IPreBeginRequestProvider, "fb715d26-aff9-476a-8fc0-6b1acb3d1098");
HTTPSERV_DEFINE_IID(IHttpApplicationProvider, "1de2c71c-c126-4512-aed3-f4f885e14997");
HTTPSERV_DEFINE_IID(IHttpApplicationResolveModulesProvider, "0617d9b9-e20f-4a9f-94f9-35403b3be01e");
HTTPSERV_DEFINE_IID(IGlobalRSCAQueryProvider, "63fdc43f-934a-4ee5-bcd8-7e7b50b75605");
HTTPSERV_DEFINE_IID(IGlobalStopListeningProvider, "41f9a601-e25d-4ac8-8a1f-635698a30ab9");
HTTPSERV_DEFINE_IID(ICacheProvider, "58925fb9-7c5e-4684-833b-4a04e1286690");
HTTPSERV_DEFINE_IID(IGlobalConfigurationChangeProvider, "3405f3b4-b3d6-4b73-b5f5-4d8a3cc642ce");
HTTPSERV_DEFINE_IID(IGlobalFileChangeProvider, "ece31ee5-0486-4fb0-a875-6739a2d7daf5");
HTTPSERV_DEFINE_IID(IGlobalTraceEventProvider, "7c6bb150-0310-4718-a01f-6faceb62dc1d");
HTTPSERV_DEFINE_IID(IGlobalThreadCleanupProvider, "6b36a149-8620-45a0-8197-00814a706e2e");
HTTPSERV_DEFINE_IID(IGlobalApplicationPreloadProvider, "2111f8d6-0c41-4ff7-bd45-5c04c7e91a73");
HTTPSERV_DEFINE_IID(IGlobalApplicationPreloadProvider2, "251db2dd-81e7-44ce-ae02-46529f2d71ea");
HTTPSERV_DEFINE_IID(IGlobalSuspendProcessCallback, "7fd8f303-1031-4e50-918a-b7b916fd6c54");
HTTPSERV_DEFINE_IID(IModuleAllocator, "85c1679c-0b21-491c-afb5-c7b5c86464c4");
HTTPSERV_DEFINE_IID(IHttpModuleFactory, "ba32d330-9ea8-4b9e-89f1-8c76a323277f");
HTTPSERV_DEFINE_IID(IHttpModuleRegistrationInfo, "07e5beb3-b798-459d-a98a-e6c485b2b3bc");
HTTPSERV_DEFINE_IID(IHttpModuleRegistrationInfo2, "4fd11cbf-8cc5-418e-8000-c9e765f88533");

// Gets the newer interface T2 of pInput (an object of interface T1) through
// IHttpServer2::GetExtendedInterface, e.g.
//   IHttpResponse2* pResponse2;
//   HttpGetExtendedInterface(pServer, pHttpContext->GetResponse(), &pResponse2);
// Returns the server's HRESULT (E_NOINTERFACE when unsupported, with *ppOutput = nullptr).
template <class T1, class T2>
HRESULT HttpGetExtendedInterface(IHttpServer* pHttpServer, T1* pInput, T2** ppOutput) {
  if (ppOutput == nullptr) return E_POINTER;
  *ppOutput = nullptr;
  if (pHttpServer == nullptr) return E_POINTER;
  IHttpServer2* pHttpServer2 = nullptr;
  HRESULT hr = pHttpServer->GetExtendedInterface(HTTP_SERVER_INTERFACE_V2,
                                                 reinterpret_cast<PVOID*>(&pHttpServer2));
  if (SUCCEEDED(hr)) {
    hr = pHttpServer2->GetExtendedInterface(
        iid_of<T1>(), const_cast<PVOID>(static_cast<const volatile void*>(pInput)), iid_of<T2>(),
        reinterpret_cast<PVOID*>(ppOutput));
  }
  return hr;
}

#endif  // HTTPSERV_HTTPSERV_H_
