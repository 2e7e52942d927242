// Minimal in-test implementations of the server-side interfaces (newest version of each
// family). Every method is an `override` in a `final` class, so this file only compiles if
// each interface can be implemented with exactly the declared signatures. Only what the
// header tests use does real work; everything else returns E_NOTIMPL / null / FALSE.

#ifndef HTTPSERV_TESTS_HEADERS_FAKE_SERVER_OBJECTS_H_
#define HTTPSERV_TESTS_HEADERS_FAKE_SERVER_OBJECTS_H_

#include <httpserv.h>

#include <map>
#include <string>
#include <vector>

namespace headers_test {

// --- IHttpModuleContextContainer --------------------------------------------------------------

class FakeModuleContextContainer final : public IHttpModuleContextContainer {
 public:
  ~FakeModuleContextContainer() override {
    for (auto& entry : contexts)
      entry.second->CleanupStoredContext();
  }
  IHttpStoredContext* GetModuleContext(HTTP_MODULE_ID moduleId) override {
    auto it = contexts.find(moduleId);
    return it == contexts.end() ? nullptr : it->second;
  }
  HRESULT SetModuleContext(IHttpStoredContext* ppStoredContext, HTTP_MODULE_ID moduleId) override {
    if (ppStoredContext == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
    if (contexts.count(moduleId) != 0) return HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED);
    contexts[moduleId] = ppStoredContext;
    return S_OK;
  }

  std::map<HTTP_MODULE_ID, IHttpStoredContext*> contexts;
};

// --- IHttpResponse4 -----------------------------------------------------------------------------

class FakeResponse final : public IHttpResponse4 {
 public:
  struct Write {
    int version;  // 1 = IHttpResponse::WriteEntityChunks, 2 = IHttpResponse2's.
    std::string bytes;
    DWORD chunks;
    BOOL async;
    BOOL more_data;
  };

  // IHttpResponse
  HTTP_RESPONSE* GetRawHttpResponse() override { return &raw; }
  const HTTP_RESPONSE* GetRawHttpResponse() const override { return &raw; }
  IHttpCachePolicy* GetCachePolicy() override { return nullptr; }
  HRESULT SetStatus(USHORT statusCode, PCSTR pszReason, USHORT uSubStatus, HRESULT hrErrorToReport,
                    IAppHostConfigException* pException, BOOL fTrySkipCustomErrors) override {
    (void)pException;
    (void)fTrySkipCustomErrors;
    status = statusCode;
    sub_status = uSubStatus;
    reason = pszReason != nullptr ? pszReason : "";
    error = hrErrorToReport;
    return S_OK;
  }
  HRESULT SetHeader(PCSTR pszHeaderName, PCSTR pszHeaderValue, USHORT cchHeaderValue,
                    BOOL fReplace) override {
    if (pszHeaderName == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
    std::string value(pszHeaderValue, cchHeaderValue);
    std::string& slot = headers[pszHeaderName];
    slot = (fReplace || slot.empty()) ? value : slot + "," + value;
    return S_OK;
  }
  HRESULT SetHeader(HTTP_HEADER_ID ulHeaderIndex, PCSTR pszHeaderValue, USHORT cchHeaderValue,
                    BOOL fReplace) override {
    (void)fReplace;
    headers["#" + std::to_string(static_cast<int>(ulHeaderIndex))] =
        std::string(pszHeaderValue, cchHeaderValue);
    return S_OK;
  }
  HRESULT DeleteHeader(PCSTR pszHeaderName) override {
    headers.erase(pszHeaderName);
    return S_OK;
  }
  HRESULT DeleteHeader(HTTP_HEADER_ID ulHeaderIndex) override {
    headers.erase("#" + std::to_string(static_cast<int>(ulHeaderIndex)));
    return S_OK;
  }
  PCSTR GetHeader(PCSTR pszHeaderName, USHORT* pcchHeaderValue) const override {
    auto it = headers.find(pszHeaderName);
    if (pcchHeaderValue != nullptr) {
      *pcchHeaderValue = it == headers.end() ? 0 : static_cast<USHORT>(it->second.size());
    }
    return it == headers.end() ? nullptr : it->second.c_str();
  }
  PCSTR GetHeader(HTTP_HEADER_ID ulHeaderIndex, USHORT* pcchHeaderValue) const override {
    return GetHeader(("#" + std::to_string(static_cast<int>(ulHeaderIndex))).c_str(),
                     pcchHeaderValue);
  }
  VOID Clear() override {
    ++clear_calls;
    headers.clear();
    writes.clear();
  }
  VOID ClearHeaders() override { headers.clear(); }
  VOID SetNeedDisconnect() override {}
  VOID ResetConnection() override {}
  VOID DisableKernelCache(ULONG reason) override { (void)reason; }
  BOOL GetKernelCacheEnabled() const override { return TRUE; }
  VOID SuppressHeaders() override {}
  BOOL GetHeadersSuppressed() const override { return FALSE; }
  HRESULT Flush(BOOL fAsync, BOOL fMoreData, DWORD* pcbSent, BOOL* pfCompletionExpected) override {
    (void)fAsync;
    (void)fMoreData;
    if (pcbSent != nullptr) *pcbSent = 0;
    if (pfCompletionExpected != nullptr) *pfCompletionExpected = FALSE;
    ++flush_v1_calls;
    return S_OK;
  }
  HRESULT Redirect(PCSTR pszUrl, BOOL fResetStatusCode, BOOL fIncludeParameters) override {
    (void)pszUrl;
    (void)fResetStatusCode;
    (void)fIncludeParameters;
    return E_NOTIMPL;
  }
  HRESULT WriteEntityChunkByReference(HTTP_DATA_CHUNK* pDataChunk, LONG lInsertPosition) override {
    (void)pDataChunk;
    (void)lInsertPosition;
    return E_NOTIMPL;
  }
  HRESULT WriteEntityChunks(HTTP_DATA_CHUNK* pDataChunks, DWORD nChunks, BOOL fAsync,
                            BOOL fMoreData, DWORD* pcbSent, BOOL* pfCompletionExpected) override {
    return Record(1, pDataChunks, nChunks, fAsync, fMoreData, pcbSent, pfCompletionExpected);
  }
  VOID DisableBuffering() override {}
  VOID GetStatus(USHORT* pStatusCode, USHORT* pSubStatus, PCSTR* ppszReason, USHORT* pcchReason,
                 HRESULT* phrErrorToReport, PCWSTR* ppszModule, DWORD* pdwNotification,
                 IAppHostConfigException** ppException, BOOL* pfTrySkipCustomErrors) override {
    if (pStatusCode != nullptr) *pStatusCode = status;
    if (pSubStatus != nullptr) *pSubStatus = sub_status;
    if (ppszReason != nullptr) *ppszReason = reason.c_str();
    if (pcchReason != nullptr) *pcchReason = static_cast<USHORT>(reason.size());
    if (phrErrorToReport != nullptr) *phrErrorToReport = error;
    if (ppszModule != nullptr) *ppszModule = nullptr;
    if (pdwNotification != nullptr) *pdwNotification = 0;
    if (ppException != nullptr) *ppException = nullptr;
    if (pfTrySkipCustomErrors != nullptr) *pfTrySkipCustomErrors = FALSE;
  }
  HRESULT SetErrorDescription(PCWSTR pszDescription, DWORD cchDescription,
                              BOOL fHtmlEncode) override {
    (void)pszDescription;
    (void)cchDescription;
    (void)fHtmlEncode;
    return E_NOTIMPL;
  }
  PCWSTR GetErrorDescription(DWORD* pcchDescription) override {
    if (pcchDescription != nullptr) *pcchDescription = 0;
    return nullptr;
  }
  HRESULT GetHeaderChanges(DWORD dwOldChangeNumber, DWORD* pdwNewChangeNumber,
                           PCSTR knownHeaderSnapshot[HttpHeaderResponseMaximum],
                           DWORD* pdwUnknownHeaderSnapshot, PCSTR** ppUnknownHeaderNameSnapshot,
                           PCSTR** ppUnknownHeaderValueSnapshot,
                           DWORD diffedKnownHeaderIndices[HttpHeaderResponseMaximum + 1],
                           DWORD* pdwDiffedUnknownHeaders,
                           DWORD** ppDiffedUnknownHeaderIndices) override {
    (void)dwOldChangeNumber;
    (void)pdwNewChangeNumber;
    (void)knownHeaderSnapshot;
    (void)pdwUnknownHeaderSnapshot;
    (void)ppUnknownHeaderNameSnapshot;
    (void)ppUnknownHeaderValueSnapshot;
    (void)diffedKnownHeaderIndices;
    (void)pdwDiffedUnknownHeaders;
    (void)ppDiffedUnknownHeaderIndices;
    return E_NOTIMPL;
  }
  VOID CloseConnection() override {}

  // IHttpResponse2
  HRESULT WriteEntityChunks(HTTP_DATA_CHUNK* pDataChunks, DWORD nChunks, BOOL fAsync,
                            BOOL fMoreData, PFN_ASYNC_COMPLETION pfnCompletionCallback,
                            VOID* pvCompletionContext, DWORD* pcbSent,
                            BOOL* pfCompletionExpected) override {
    (void)pfnCompletionCallback;
    (void)pvCompletionContext;
    return Record(2, pDataChunks, nChunks, fAsync, fMoreData, pcbSent, pfCompletionExpected);
  }
  HRESULT Flush(BOOL fAsync, BOOL fMoreData, PFN_ASYNC_COMPLETION pfnCompletionCallback,
                VOID* pvCompletionContext, DWORD* pcbSent, BOOL* pfCompletionExpected) override {
    (void)fAsync;
    (void)fMoreData;
    (void)pfnCompletionCallback;
    (void)pvCompletionContext;
    if (pcbSent != nullptr) *pcbSent = 0;
    if (pfCompletionExpected != nullptr) *pfCompletionExpected = FALSE;
    ++flush_v2_calls;
    return S_OK;
  }

  // IHttpResponse3
  HRESULT PushPromise(PCSTR pszVerb, PCWSTR pwszPath, PCWSTR pwszQuery, DWORD cHeaders,
                      PCSTR* rgHeaderNames, PCSTR* rgHeaderValues) override {
    (void)pszVerb;
    (void)pwszPath;
    (void)pwszQuery;
    (void)cHeaders;
    (void)rgHeaderNames;
    (void)rgHeaderValues;
    return S_OK;
  }

  // IHttpResponse4
  HRESULT DeleteTrailer(PCSTR pszHeaderName) override {
    (void)pszHeaderName;
    return S_OK;
  }
  PCSTR GetTrailer(PCSTR pszHeaderName, USHORT* pcchHeaderValue) const override {
    (void)pszHeaderName;
    if (pcchHeaderValue != nullptr) *pcchHeaderValue = 0;
    return nullptr;
  }
  VOID ResetStream(ULONG errorCode) override { (void)errorCode; }
  VOID SetNeedGoAway() override {}
  HRESULT SetTrailer(PCSTR pszHeaderName, PCSTR pszHeaderValue, USHORT cchHeaderValue,
                     BOOL fReplace) override {
    (void)pszHeaderName;
    (void)pszHeaderValue;
    (void)cchHeaderValue;
    (void)fReplace;
    return E_NOTIMPL;
  }

  HTTP_RESPONSE raw{};
  std::map<std::string, std::string> headers;
  std::vector<Write> writes;
  int clear_calls = 0;
  int flush_v1_calls = 0;
  int flush_v2_calls = 0;
  USHORT status = 200;
  USHORT sub_status = 0;
  std::string reason = "OK";
  HRESULT error = S_OK;

 private:
  HRESULT Record(int version, HTTP_DATA_CHUNK* chunks, DWORD count, BOOL async, BOOL more,
                 DWORD* sent, BOOL* expected) {
    if (chunks == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
    Write w{version, std::string(), count, async, more};
    for (DWORD i = 0; i < count; ++i) {
      if (chunks[i].DataChunkType != HttpDataChunkFromMemory) {
        return HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED);
      }
      w.bytes.append(static_cast<const char*>(chunks[i].FromMemory.pBuffer),
                     chunks[i].FromMemory.BufferLength);
    }
    if (sent != nullptr) *sent = static_cast<DWORD>(w.bytes.size());
    if (expected != nullptr) *expected = FALSE;
    writes.push_back(w);
    return S_OK;
  }
};

// --- IHttpRequest4 ------------------------------------------------------------------------------

class FakeRequest final : public IHttpRequest4 {
 public:
  // IHttpRequest
  HTTP_REQUEST* GetRawHttpRequest() override { return &raw; }
  const HTTP_REQUEST* GetRawHttpRequest() const override { return &raw; }
  PCSTR GetHeader(PCSTR pszHeaderName, USHORT* pcchHeaderValue) const override {
    (void)pszHeaderName;
    if (pcchHeaderValue != nullptr) *pcchHeaderValue = 0;
    return nullptr;
  }
  PCSTR GetHeader(HTTP_HEADER_ID ulHeaderIndex, USHORT* pcchHeaderValue) const override {
    (void)ulHeaderIndex;
    if (pcchHeaderValue != nullptr) *pcchHeaderValue = 0;
    return nullptr;
  }
  HRESULT SetHeader(PCSTR pszHeaderName, PCSTR pszHeaderValue, USHORT cchHeaderValue,
                    BOOL fReplace) override {
    (void)pszHeaderName;
    (void)pszHeaderValue;
    (void)cchHeaderValue;
    (void)fReplace;
    return E_NOTIMPL;
  }
  HRESULT SetHeader(HTTP_HEADER_ID ulHeaderIndex, PCSTR pszHeaderValue, USHORT cchHeaderValue,
                    BOOL fReplace) override {
    (void)ulHeaderIndex;
    (void)pszHeaderValue;
    (void)cchHeaderValue;
    (void)fReplace;
    return E_NOTIMPL;
  }
  HRESULT DeleteHeader(PCSTR pszHeaderName) override {
    (void)pszHeaderName;
    return S_OK;
  }
  HRESULT DeleteHeader(HTTP_HEADER_ID ulHeaderIndex) override {
    (void)ulHeaderIndex;
    return S_OK;
  }
  PCSTR GetHttpMethod() const override { return "GET"; }
  HRESULT SetHttpMethod(PCSTR pszHttpMethod) override {
    (void)pszHttpMethod;
    return E_NOTIMPL;
  }
  HRESULT SetUrl(PCWSTR pszUrl, DWORD cchUrl, BOOL fResetQueryString) override {
    (void)pszUrl;
    (void)cchUrl;
    (void)fResetQueryString;
    return E_NOTIMPL;
  }
  HRESULT SetUrl(PCSTR pszUrl, DWORD cchUrl, BOOL fResetQueryString) override {
    (void)pszUrl;
    (void)cchUrl;
    (void)fResetQueryString;
    return E_NOTIMPL;
  }
  BOOL GetUrlChanged() const override { return FALSE; }
  PCWSTR GetForwardedUrl() const override { return nullptr; }
  PSOCKADDR GetLocalAddress() const override { return nullptr; }
  PSOCKADDR GetRemoteAddress() const override { return nullptr; }
  HRESULT ReadEntityBody(VOID* pvBuffer, DWORD cbBuffer, BOOL fAsync, DWORD* pcbBytesReceived,
                         BOOL* pfCompletionPending) override {
    (void)pvBuffer;
    (void)cbBuffer;
    (void)fAsync;
    (void)pfCompletionPending;
    ++read_v1_calls;
    if (pcbBytesReceived != nullptr) *pcbBytesReceived = 0;
    return HRESULT_FROM_WIN32(ERROR_HANDLE_EOF);
  }
  HRESULT InsertEntityBody(VOID* pvBuffer, DWORD cbBuffer) override {
    (void)pvBuffer;
    (void)cbBuffer;
    return E_NOTIMPL;
  }
  DWORD GetRemainingEntityBytes() override { return 0; }
  VOID GetHttpVersion(USHORT* pMajorVersion, USHORT* pMinorVersion) const override {
    if (pMajorVersion != nullptr) *pMajorVersion = 1;
    if (pMinorVersion != nullptr) *pMinorVersion = 1;
  }
  HRESULT GetClientCertificate(HTTP_SSL_CLIENT_CERT_INFO** ppClientCertInfo,
                               BOOL* pfClientCertNegotiated) override {
    if (ppClientCertInfo != nullptr) *ppClientCertInfo = nullptr;
    if (pfClientCertNegotiated != nullptr) *pfClientCertNegotiated = FALSE;
    return S_OK;
  }
  HRESULT NegotiateClientCertificate(BOOL fAsync, BOOL* pfCompletionPending) override {
    (void)fAsync;
    (void)pfCompletionPending;
    return E_FAIL;
  }
  DWORD GetSiteId() const override { return 1; }
  HRESULT GetHeaderChanges(DWORD dwOldChangeNumber, DWORD* pdwNewChangeNumber,
                           PCSTR knownHeaderSnapshot[HttpHeaderRequestMaximum],
                           DWORD* pdwUnknownHeaderSnapshot, PCSTR** ppUnknownHeaderNameSnapshot,
                           PCSTR** ppUnknownHeaderValueSnapshot,
                           DWORD diffedKnownHeaderIndices[HttpHeaderRequestMaximum + 1],
                           DWORD* pdwDiffedUnknownHeaders,
                           DWORD** ppDiffedUnknownHeaderIndices) override {
    (void)dwOldChangeNumber;
    (void)pdwNewChangeNumber;
    (void)knownHeaderSnapshot;
    (void)pdwUnknownHeaderSnapshot;
    (void)ppUnknownHeaderNameSnapshot;
    (void)ppUnknownHeaderValueSnapshot;
    (void)diffedKnownHeaderIndices;
    (void)pdwDiffedUnknownHeaders;
    (void)ppDiffedUnknownHeaderIndices;
    return E_NOTIMPL;
  }

  // IHttpRequest2
  HRESULT GetChannelBindingToken(PBYTE* ppToken, DWORD* pTokenSize) override {
    (void)ppToken;
    (void)pTokenSize;
    return E_NOTIMPL;
  }

  // IHttpRequest3
  HRESULT ReadEntityBody(VOID* pvBuffer, DWORD cbBuffer, BOOL fAsync,
                         PFN_ASYNC_COMPLETION pfnCompletionCallback, VOID* pvCompletionContext,
                         DWORD* pcbBytesReceived, BOOL* pfCompletionPending) override {
    (void)pfnCompletionCallback;
    (void)pvCompletionContext;
    ++read_v3_calls;
    return ReadEntityBody(pvBuffer, cbBuffer, fAsync, pcbBytesReceived, pfCompletionPending);
  }

  // IHttpRequest4
  HRESULT ReadEntityBody(VOID* pvBuffer, DWORD cbBuffer, BOOL fAsync, ULONG ulFlags,
                         DWORD* pcbBytesReceived, BOOL* pfCompletionPending) override {
    (void)ulFlags;
    ++read_v4_calls;
    return ReadEntityBody(pvBuffer, cbBuffer, fAsync, pcbBytesReceived, pfCompletionPending);
  }

  HTTP_REQUEST raw{};
  int read_v1_calls = 0;
  int read_v3_calls = 0;
  int read_v4_calls = 0;
};

// --- IHttpContext4 ------------------------------------------------------------------------------

class FakeContext final : public IHttpContext4 {
 public:
  // IHttpContext
  IHttpSite* GetSite() override { return nullptr; }
  IHttpApplication* GetApplication() override { return nullptr; }
  IHttpConnection* GetConnection() override { return nullptr; }
  IHttpRequest* GetRequest() override { return &request; }
  IHttpResponse* GetResponse() override { return &response; }
  BOOL GetResponseHeadersSent() const override { return FALSE; }
  IHttpUser* GetUser() const override { return nullptr; }
  IHttpModuleContextContainer* GetModuleContextContainer() override { return &container; }
  VOID IndicateCompletion(REQUEST_NOTIFICATION_STATUS notificationStatus) override {
    (void)notificationStatus;
  }
  HRESULT PostCompletion(DWORD cbBytes) override {
    (void)cbBytes;
    return E_NOTIMPL;
  }
  VOID DisableNotifications(DWORD dwNotifications, DWORD dwPostNotifications) override {
    (void)dwNotifications;
    (void)dwPostNotifications;
  }
  BOOL GetNextNotification(REQUEST_NOTIFICATION_STATUS status, DWORD* pdwNotification,
                           BOOL* pfIsPostNotification, CHttpModule** ppModuleInfo,
                           IHttpEventProvider** ppRequestOutput) override {
    (void)status;
    (void)pdwNotification;
    (void)pfIsPostNotification;
    (void)ppModuleInfo;
    (void)ppRequestOutput;
    return FALSE;
  }
  BOOL GetIsLastNotification(REQUEST_NOTIFICATION_STATUS status) override {
    (void)status;
    return TRUE;
  }
  HRESULT ExecuteRequest(BOOL fAsync, IHttpContext* pHttpContext, DWORD dwExecuteFlags,
                         IHttpUser* pHttpUser, BOOL* pfCompletionExpected) override {
    (void)fAsync;
    (void)pHttpContext;
    (void)dwExecuteFlags;
    (void)pHttpUser;
    (void)pfCompletionExpected;
    return HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED);
  }
  DWORD GetExecuteFlags() const override { return 0; }
  HRESULT GetServerVariable(PCSTR pszVariableName, PCWSTR* ppszValue,
                            DWORD* pcchValueLength) override {
    (void)pszVariableName;
    (void)ppszValue;
    (void)pcchValueLength;
    return HRESULT_FROM_WIN32(ERROR_INVALID_INDEX);
  }
  HRESULT GetServerVariable(PCSTR pszVariableName, PCSTR* ppszValue,
                            DWORD* pcchValueLength) override {
    (void)pszVariableName;
    (void)ppszValue;
    (void)pcchValueLength;
    return HRESULT_FROM_WIN32(ERROR_INVALID_INDEX);
  }
  HRESULT SetServerVariable(PCSTR pszVariableName, PCWSTR pszVariableValue) override {
    (void)pszVariableName;
    (void)pszVariableValue;
    return E_NOTIMPL;
  }
  VOID* AllocateRequestMemory(DWORD cbAllocation) override {
    (void)cbAllocation;
    return nullptr;
  }
  IHttpUrlInfo* GetUrlInfo() override { return nullptr; }
  IMetadataInfo* GetMetadata() override { return nullptr; }
  PCWSTR GetPhysicalPath(DWORD* pcchPhysicalPath) override {
    if (pcchPhysicalPath != nullptr) *pcchPhysicalPath = 0;
    return L"";
  }
  PCWSTR GetScriptName(DWORD* pcchScriptName) const override {
    if (pcchScriptName != nullptr) *pcchScriptName = 1;
    return L"/";
  }
  PCWSTR GetScriptTranslated(DWORD* pcchScriptTranslated) override {
    if (pcchScriptTranslated != nullptr) *pcchScriptTranslated = 0;
    return L"";
  }
  IScriptMapInfo* GetScriptMap() const override { return nullptr; }
  VOID SetRequestHandled() override {}
  IHttpFileInfo* GetFileInfo() const override { return nullptr; }
  HRESULT MapPath(PCWSTR pszUrl, PWSTR pszPhysicalPath, DWORD* pcbPhysicalPath) override {
    (void)pszUrl;
    (void)pszPhysicalPath;
    (void)pcbPhysicalPath;
    return E_NOTIMPL;
  }
  HRESULT NotifyCustomNotification(ICustomNotificationProvider* pCustomOutput,
                                   BOOL* pfCompletionExpected) override {
    (void)pCustomOutput;
    (void)pfCompletionExpected;
    return E_NOTIMPL;
  }
  IHttpContext* GetParentContext() const override { return nullptr; }
  IHttpContext* GetRootContext() const override { return const_cast<FakeContext*>(this); }
  HRESULT CloneContext(DWORD dwCloneFlags, IHttpContext** ppHttpContext) override {
    (void)dwCloneFlags;
    (void)ppHttpContext;
    return E_NOTIMPL;
  }
  HRESULT ReleaseClonedContext() override { return E_NOTIMPL; }
  HRESULT GetCurrentExecutionStats(DWORD* pdwNotification, DWORD* pdwNotificationStartTickCount,
                                   PCWSTR* ppszModule, DWORD* pdwModuleStartTickCount,
                                   DWORD* pdwAsyncNotification,
                                   DWORD* pdwAsyncNotificationStartTickCount) const override {
    (void)pdwNotification;
    (void)pdwNotificationStartTickCount;
    (void)ppszModule;
    (void)pdwModuleStartTickCount;
    (void)pdwAsyncNotification;
    (void)pdwAsyncNotificationStartTickCount;
    return E_NOTIMPL;
  }
  IHttpTraceContext* GetTraceContext() const override { return nullptr; }
  HRESULT GetServerVarChanges(DWORD dwOldChangeNumber, DWORD* pdwNewChangeNumber,
                              DWORD* pdwVariableSnapshot, PCSTR** ppVariableNameSnapshot,
                              PCWSTR** ppVariableValueSnapshot, DWORD* pdwDiffedVariables,
                              DWORD** ppDiffedVariableIndices) override {
    (void)dwOldChangeNumber;
    (void)pdwNewChangeNumber;
    (void)pdwVariableSnapshot;
    (void)ppVariableNameSnapshot;
    (void)ppVariableValueSnapshot;
    (void)pdwDiffedVariables;
    (void)ppDiffedVariableIndices;
    return E_NOTIMPL;
  }
  HRESULT CancelIo() override { return HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE); }
  HRESULT MapHandler(DWORD dwSiteId, PCWSTR pszSiteName, PCWSTR pszUrl, PCSTR pszVerb,
                     IScriptMapInfo** ppScriptMap, BOOL fIgnoreWildcardMappings) override {
    (void)dwSiteId;
    (void)pszSiteName;
    (void)pszUrl;
    (void)pszVerb;
    (void)ppScriptMap;
    (void)fIgnoreWildcardMappings;
    return E_NOTIMPL;
  }
  HRESULT GetExtendedInterface(HTTP_CONTEXT_INTERFACE_VERSION version,
                               PVOID* ppInterface) override {
    (void)version;
    if (ppInterface != nullptr) *ppInterface = nullptr;
    return E_NOTIMPL;
  }

  // IHttpContext2
  IHttpUser* GetOriginalUser() const override { return nullptr; }

  // IHttpContext3
  INamedContextContainer* GetNamedContextContainer() override { return nullptr; }
  VOID EnableFullDuplex() override {}
  HRESULT InheritServerVariable(PCSTR szName, BOOL fFailIfNotExist) override {
    (void)szName;
    (void)fFailIfNotExist;
    return E_NOTIMPL;
  }
  HRESULT PostCompletion(DWORD cbBytes, LPOVERLAPPED_COMPLETION_ROUTINE pfnCompletionRoutine,
                         VOID* pvCompletionContext) override {
    (void)cbBytes;
    (void)pfnCompletionRoutine;
    (void)pvCompletionContext;
    return E_NOTIMPL;
  }

  // IHttpContext4
  ULONGLONG GetRequestStartTime() override { return 0; }
  ULONGLONG GetRequestElapsedTime() override { return 0; }

  FakeRequest request;
  FakeResponse response;
  FakeModuleContextContainer container;
};

// --- IHttpServer3 -------------------------------------------------------------------------------

// Supports HttpGetExtendedInterface from IHttpResponse/IHttpRequest/IHttpContext/IHttpServer
// to any newer version of the same family.
class FakeServer final : public IHttpServer3 {
 public:
  // IHttpServer
  BOOL IsCommandLineLaunch() const override { return TRUE; }
  PCWSTR GetAppPoolName() const override { return L"test-pool"; }
  HRESULT AssociateWithThreadPool(HANDLE hHandle,
                                  LPOVERLAPPED_COMPLETION_ROUTINE completionRoutine) override {
    (void)hHandle;
    (void)completionRoutine;
    return E_NOTIMPL;
  }
  VOID IncrementThreadCount() override {}
  VOID DecrementThreadCount() override {}
  VOID ReportUnhealthy(PCWSTR pszReasonString, HRESULT hrReason) override {
    (void)pszReasonString;
    (void)hrReason;
  }
  VOID RecycleProcess(PCWSTR pszReason) override { (void)pszReason; }
  IAppHostAdminManager* GetAdminManager() const override { return nullptr; }
  HRESULT GetFileInfo(PCWSTR pszPhysicalPath, HANDLE hUserToken, PSID pSid,
                      PCWSTR pszChangeNotificationPath, HANDLE hChangeNotificationToken,
                      BOOL fCache, IHttpFileInfo** ppFileInfo,
                      IHttpTraceContext* pHttpTraceContext) override {
    (void)pszPhysicalPath;
    (void)hUserToken;
    (void)pSid;
    (void)pszChangeNotificationPath;
    (void)hChangeNotificationToken;
    (void)fCache;
    (void)ppFileInfo;
    (void)pHttpTraceContext;
    return E_NOTIMPL;
  }
  HRESULT FlushKernelCache(PCWSTR pszUrl) override {
    (void)pszUrl;
    return S_OK;
  }
  HRESULT DoCacheOperation(CACHE_OPERATION cacheOperation, IHttpCacheKey* pCacheKey,
                           IHttpCacheSpecificData** ppCacheSpecificData,
                           IHttpTraceContext* pHttpTraceContext) override {
    (void)cacheOperation;
    (void)pCacheKey;
    (void)ppCacheSpecificData;
    (void)pHttpTraceContext;
    return E_NOTIMPL;
  }
  GLOBAL_NOTIFICATION_STATUS NotifyCustomNotification(
      ICustomNotificationProvider* pCustomOutput) override {
    (void)pCustomOutput;
    return GL_NOTIFICATION_CONTINUE;
  }
  IHttpPerfCounterInfo* GetPerfCounterInfo() override { return nullptr; }
  VOID RecycleApplication(PCWSTR pszAppConfigPath) override { (void)pszAppConfigPath; }
  VOID NotifyConfigurationChange(PCWSTR pszPath) override { (void)pszPath; }
  VOID NotifyFileChange(PCWSTR pszFileName) override { (void)pszFileName; }
  IDispensedHttpModuleContextContainer* DispenseContainer() override { return nullptr; }
  HRESULT AddFragmentToCache(HTTP_DATA_CHUNK* pDataChunk, PCWSTR pszFragmentName) override {
    (void)pDataChunk;
    (void)pszFragmentName;
    return E_NOTIMPL;
  }
  HRESULT ReadFragmentFromCache(PCWSTR pszFragmentName, BYTE* pvBuffer, DWORD cbSize,
                                DWORD* pcbCopied) override {
    (void)pszFragmentName;
    (void)pvBuffer;
    (void)cbSize;
    (void)pcbCopied;
    return HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND);
  }
  HRESULT RemoveFragmentFromCache(PCWSTR pszFragmentName) override {
    (void)pszFragmentName;
    return HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND);
  }
  HRESULT GetWorkerProcessSettings(IWpfSettings** ppWorkerProcessSettings) override {
    (void)ppWorkerProcessSettings;
    return E_NOTIMPL;
  }
  HRESULT GetProtocolManagerCustomInterface(PCWSTR pProtocolManagerDll,
                                            PCWSTR pProtocolManagerDllInitFunction,
                                            DWORD dwCustomInterfaceId,
                                            PVOID* ppCustomInterface) override {
    (void)pProtocolManagerDll;
    (void)pProtocolManagerDllInitFunction;
    (void)dwCustomInterfaceId;
    (void)ppCustomInterface;
    return E_NOTIMPL;
  }
  BOOL SatisfiesPrecondition(PCWSTR pszPrecondition, BOOL* pfUnknownPrecondition) const override {
    (void)pszPrecondition;
    if (pfUnknownPrecondition != nullptr) *pfUnknownPrecondition = FALSE;
    return TRUE;
  }
  IHttpTraceContext* GetTraceContext() const override { return nullptr; }
  HRESULT RegisterFileChangeMonitor(PCWSTR pszPath, HANDLE hToken,
                                    IHttpFileMonitor** ppFileMonitor) override {
    (void)pszPath;
    (void)hToken;
    (void)ppFileMonitor;
    return E_NOTIMPL;
  }
  HRESULT GetExtendedInterface(HTTP_SERVER_INTERFACE_VERSION version, PVOID* ppInterface) override {
    if (ppInterface == nullptr) return E_POINTER;
    switch (version) {
      case HTTP_SERVER_INTERFACE_V2:
        *ppInterface = static_cast<IHttpServer2*>(this);
        return S_OK;
      case HTTP_SERVER_INTERFACE_V3:
        *ppInterface = static_cast<IHttpServer3*>(this);
        return S_OK;
    }
    *ppInterface = nullptr;
    return E_NOINTERFACE;
  }

  // IHttpServer2
  HRESULT GetToken(PCWSTR pszUserName, PCWSTR pszPassword, DWORD dwLogonMethod,
                   IHttpTokenEntry** ppTokenEntry, PCWSTR pszDefaultDomain, PSOCKADDR pSockAddr,
                   IHttpTraceContext* pHttpTraceContext) override {
    (void)pszUserName;
    (void)pszPassword;
    (void)dwLogonMethod;
    (void)ppTokenEntry;
    (void)pszDefaultDomain;
    (void)pSockAddr;
    (void)pHttpTraceContext;
    return E_NOTIMPL;
  }
  PCWSTR GetAppPoolConfigFile(DWORD* pcchConfigFilePath) const override {
    if (pcchConfigFilePath != nullptr) *pcchConfigFilePath = 0;
    return L"";
  }
  HRESULT GetExtendedInterface(const GUID& Version1, PVOID pInput, const GUID& Version2,
                               PVOID* ppOutput) override {
    ++extended_interface_calls;
    if (ppOutput == nullptr) return E_POINTER;
    *ppOutput = nullptr;
    if (pInput == nullptr) return E_INVALIDARG;
    // Every family object here is the newest version, so any version of the family maps to
    // the same address (single inheritance).
    if (InFamily<IHttpResponse, IHttpResponse2, IHttpResponse3, IHttpResponse4>(Version1) &&
        InFamily<IHttpResponse, IHttpResponse2, IHttpResponse3, IHttpResponse4>(Version2)) {
      *ppOutput = pInput;
      return S_OK;
    }
    if (InFamily<IHttpRequest, IHttpRequest2, IHttpRequest3, IHttpRequest4>(Version1) &&
        InFamily<IHttpRequest, IHttpRequest2, IHttpRequest3, IHttpRequest4>(Version2)) {
      *ppOutput = pInput;
      return S_OK;
    }
    if (InFamily<IHttpContext, IHttpContext2, IHttpContext3, IHttpContext4>(Version1) &&
        InFamily<IHttpContext, IHttpContext2, IHttpContext3, IHttpContext4>(Version2)) {
      *ppOutput = pInput;
      return S_OK;
    }
    if (InFamily<IHttpServer, IHttpServer2, IHttpServer3>(Version1) &&
        InFamily<IHttpServer, IHttpServer2, IHttpServer3>(Version2)) {
      *ppOutput = pInput;
      return S_OK;
    }
    return E_NOINTERFACE;
  }
  HRESULT GetMetadata(PCWSTR pszSiteName, PCWSTR pszUrl,
                      IReferencedMetadataInfo** ppMetadataInfo) override {
    (void)pszSiteName;
    (void)pszUrl;
    (void)ppMetadataInfo;
    return E_NOTIMPL;
  }
  HRESULT GetWorkerProcessFramework(IWorkerProcessFramework** ppWorkerProcessFramework) override {
    (void)ppWorkerProcessFramework;
    return E_NOTIMPL;
  }

  // IHttpServer3
  HRESULT QueryRequestProperty(HTTP_OPAQUE_ID id, HTTP_REQUEST_PROPERTY propertyId,
                               PVOID pQualifier, ULONG qualifierSize, PVOID pOutput,
                               ULONG outputBufferSize, PULONG pcbBytesReturned,
                               LPOVERLAPPED pOverlapped) override {
    (void)id;
    (void)propertyId;
    (void)pQualifier;
    (void)qualifierSize;
    (void)pOutput;
    (void)outputBufferSize;
    (void)pcbBytesReturned;
    (void)pOverlapped;
    return E_NOTIMPL;
  }

  int extended_interface_calls = 0;

 private:
  template <class... Family>
  static bool InFamily(const GUID& iid) {
    return ((iid == iid_of<Family>()) || ...);
  }
};

// --- Registration, allocator, completion info, event provider ----------------------------------

class FakeRegistrationInfo final : public IHttpModuleRegistrationInfo2 {
 public:
  PCWSTR GetName() const override { return L"PublishedModule"; }
  HTTP_MODULE_ID GetId() const override { return reinterpret_cast<HTTP_MODULE_ID>(0x1234); }
  HRESULT SetRequestNotifications(IHttpModuleFactory* pModuleFactory, DWORD dwRequestNotifications,
                                  DWORD dwPostRequestNotifications) override {
    if (factory != nullptr) return HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS);
    factory = pModuleFactory;
    request_mask = dwRequestNotifications;
    post_request_mask = dwPostRequestNotifications;
    return S_OK;
  }
  HRESULT SetGlobalNotifications(CGlobalModule* pGlobalModule,
                                 DWORD dwGlobalNotifications) override {
    if (global_module != nullptr) return HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS);
    global_module = pGlobalModule;
    global_mask = dwGlobalNotifications;
    return S_OK;
  }
  HRESULT SetPriorityForRequestNotification(DWORD dwRequestNotification,
                                            PCWSTR pszPriority) override {
    request_priorities[dwRequestNotification] = pszPriority;
    return S_OK;
  }
  HRESULT SetPriorityForGlobalNotification(DWORD dwGlobalNotification,
                                           PCWSTR pszPriority) override {
    global_priorities[dwGlobalNotification] = pszPriority;
    return S_OK;
  }
  HRESULT SetPriorityForPostRequestNotification(DWORD dwPostRequestNotification,
                                                PCWSTR pszPriority) override {
    post_request_priorities[dwPostRequestNotification] = pszPriority;
    return S_OK;
  }

  IHttpModuleFactory* factory = nullptr;
  DWORD request_mask = 0;
  DWORD post_request_mask = 0;
  CGlobalModule* global_module = nullptr;
  DWORD global_mask = 0;
  std::map<DWORD, std::wstring> request_priorities;
  std::map<DWORD, std::wstring> global_priorities;
  std::map<DWORD, std::wstring> post_request_priorities;
};

class FakeAllocator final : public IModuleAllocator {
 public:
  ~FakeAllocator() override {
    for (void* block : blocks)
      ::operator delete(block);
  }
  VOID* AllocateMemory(DWORD cbAllocation) override {
    blocks.push_back(::operator new(cbAllocation));
    return blocks.back();
  }
  std::vector<void*> blocks;
};

class FakeCompletionInfo final : public IHttpCompletionInfo2 {
 public:
  DWORD GetCompletionBytes() const override { return bytes; }
  HRESULT GetCompletionStatus() const override { return status; }
  DWORD GetCompletedOperation() const override { return operation; }

  DWORD bytes = 0;
  HRESULT status = S_OK;
  DWORD operation = 0;
};

class FakeEventProvider final : public IHttpEventProvider {
 public:
  VOID SetErrorStatus(HRESULT hrError) override { error = hrError; }
  HRESULT error = S_OK;
};

}  // namespace headers_test

#endif  // HTTPSERV_TESTS_HEADERS_FAKE_SERVER_OBJECTS_H_
