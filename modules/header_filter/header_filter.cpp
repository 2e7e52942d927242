// header_filter: a filter module (not a handler) that decorates every response.
//
// On the send that carries the status line and headers it adds
//   X-Powered-By: httpserv-sample
//   X-Request-Count: <n>      n = this request's number, counted from 1 since the module loaded
// Later sends of the same response (flushes of a streamed body) are left alone.
//
// Shows:
//   - a post-notification without the matching pre-notification: SetRequestNotifications(
//     factory, RQ_SEND_RESPONSE, RQ_BEGIN_REQUEST) calls OnPostBeginRequest, never
//     OnBeginRequest (subscribing to a notification without overriding its handler only gets
//     the base class's warning);
//   - RQ_SEND_RESPONSE: fired for every send; GetHeadersBeingSent() is TRUE on the first;
//   - per-request state in the CHttpModule instance (one instance per request);
//   - per-module state shared by all requests and threads (a static std::atomic);
//   - SetPriorityForRequestNotification(RQ_SEND_RESPONSE, PRIORITY_ALIAS_HIGH). Send-response
//     priorities run in reverse: a HIGH module sees the headers after the MEDIUM/LOW ones;
//   - module instances placed in the request pool through IModuleAllocator (the pattern of
//     Microsoft's ASP.NET Core Module): a placement operator new, and an operator delete that
//     frees nothing, so the default Dispose() (`delete this`) only runs the destructor.

#define _WINSOCKAPI_
#include <windows.h>
#include <sal.h>
#include <httpserv.h>

#include <atomic>
#include <cstring>
#include <new>

namespace
{

// Requests seen since the module was loaded (all threads).
std::atomic<ULONGLONG> g_cRequests{0};

constexpr char kPoweredBy[] = "httpserv-sample";

} // namespace

class CHeaderFilterModule : public CHttpModule
{
public:
    // Allocation from the request pool; freed by the server after the request (and Dispose).
    static void *operator new(size_t cb, IModuleAllocator *pAllocator) noexcept
    {
        return pAllocator->AllocateMemory(static_cast<DWORD>(cb));
    }
    // Called if the constructor throws (it does not); the pool owns the memory.
    static void operator delete(void *pv, IModuleAllocator *pAllocator) noexcept
    {
        UNREFERENCED_PARAMETER(pv);
        UNREFERENCED_PARAMETER(pAllocator);
    }
    // Called by `delete this` in CHttpModule::Dispose after the destructor; the pool owns it.
    static void operator delete(void *pv) noexcept
    {
        UNREFERENCED_PARAMETER(pv);
    }

    CHeaderFilterModule() = default;

    REQUEST_NOTIFICATION_STATUS OnPostBeginRequest(_In_ IHttpContext *pHttpContext,
                                                   _In_ IHttpEventProvider *pProvider) override
    {
        UNREFERENCED_PARAMETER(pHttpContext);
        UNREFERENCED_PARAMETER(pProvider);
        m_ullRequest = g_cRequests.fetch_add(1, std::memory_order_relaxed) + 1;
        return RQ_NOTIFICATION_CONTINUE;
    }

    REQUEST_NOTIFICATION_STATUS OnSendResponse(_In_ IHttpContext *pHttpContext,
                                               _In_ ISendResponseProvider *pProvider) override
    {
        if (!pProvider->GetHeadersBeingSent())
            return RQ_NOTIFICATION_CONTINUE; // A later flush: headers are already out.

        try
        {
            IHttpResponse *pResponse = pHttpContext->GetResponse();
            HRESULT hr = pResponse->SetHeader("X-Powered-By", kPoweredBy,
                                              static_cast<USHORT>(sizeof(kPoweredBy) - 1), TRUE);
            if (SUCCEEDED(hr) && m_ullRequest != 0)
            {
                char szCount[24];
                int cch = sprintf_s(szCount, "%llu", static_cast<unsigned long long>(m_ullRequest));
                hr = cch > 0 ? pResponse->SetHeader("X-Request-Count", szCount,
                                                    static_cast<USHORT>(cch), TRUE)
                             : E_UNEXPECTED;
            }
            if (FAILED(hr))
            {
                // A decoration is not worth failing the response for; note it at debug level.
                // (The shim's OutputDebugString builds a std::string, hence the try.)
                OutputDebugStringA("header_filter: could not set a response header\n");
            }
        }
        catch (...)
        {
            // Never fail a response because of a decoration.
        }
        return RQ_NOTIFICATION_CONTINUE;
    }

private:
    ~CHeaderFilterModule() override = default;

    // 0 when the request never reached POST_BEGIN_REQUEST (then no X-Request-Count).
    ULONGLONG m_ullRequest = 0;
};

class CHeaderFilterFactory : public IHttpModuleFactory
{
public:
    HRESULT GetHttpModule(_Outptr_ CHttpModule **ppModule,
                          _In_ IModuleAllocator *pAllocator) override
    {
        if (ppModule == NULL || pAllocator == NULL)
            return E_INVALIDARG;
        *ppModule = new (pAllocator) CHeaderFilterModule;
        return *ppModule != NULL ? S_OK : HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY);
    }

    VOID Terminate() override
    {
        delete this;
    }
};

HRESULT __stdcall RegisterModule(DWORD dwServerVersion, IHttpModuleRegistrationInfo *pModuleInfo,
                                 IHttpServer *pGlobalInfo)
{
    UNREFERENCED_PARAMETER(pGlobalInfo);
    CHeaderFilterFactory *pFactory = new (std::nothrow) CHeaderFilterFactory;
    if (pFactory == NULL)
        return HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY);
    HRESULT hr = pModuleInfo->SetRequestNotifications(pFactory, RQ_SEND_RESPONSE, RQ_BEGIN_REQUEST);
    if (FAILED(hr))
    {
        delete pFactory;
        return hr;
    }

    // Not fatal: without it the module runs at the default (MEDIUM) priority.
    hr = pModuleInfo->SetPriorityForRequestNotification(RQ_SEND_RESPONSE, PRIORITY_ALIAS_HIGH);
    if (FAILED(hr))
    {
        httpserv::log_printf(HTTPSERV_LOG_WARNING, "header_filter",
                             "SetPriorityForRequestNotification failed (hr 0x%08x)",
                             static_cast<unsigned>(hr));
    }
    httpserv::log_printf(HTTPSERV_LOG_INFO, "header_filter",
                         "header_filter module registered (server version %u)", dwServerVersion);
    return S_OK;
}
