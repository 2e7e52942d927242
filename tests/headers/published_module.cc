// A native module written the way Microsoft's IIS documentation presents sample modules
// (Windows headers, Hungarian names, NULL, C casts, __stdcall RegisterModule), to prove that
// such code builds unchanged against include/httpserv with
//   -I include/httpserv/compat -I include/httpserv
// It is compiled as a MODULE library with -fvisibility=hidden: RegisterModule must still be
// exported, unmangled, thanks to the extern "C" declaration in httpserv.h.
//
// Behaviour (checked by published_module_test.cc):
//   RegisterModule: remembers the server, reports an information event, subscribes a factory to
//     RQ_BEGIN_REQUEST (priority HIGH) and a global module to GL_PRE_BEGIN_REQUEST.
//   OnBeginRequest: replaces the response with a text/plain greeting that counts requests,
//     stores a per-request context, and returns RQ_NOTIFICATION_FINISH_REQUEST.

// clang-format off
// (Kept in the Microsoft sample layout on purpose; do not reformat.)

#define _WINSOCKAPI_
#include <windows.h>
#include <sal.h>
#include <httpserv.h>

// Server instance handed to RegisterModule.
IHttpServer* g_pHttpServer = NULL;

// Identity of this module, used as the key of the module context.
HTTP_MODULE_ID g_pModuleId = NULL;

// Event log handle opened in RegisterModule.
HANDLE g_hEventLog = NULL;

// Number of requests served so far.
volatile LONG g_cRequests = 0;

// Per-request data kept in the context's module context container.
class CGreetingContext : public IHttpStoredContext
{
public:
    CGreetingContext(LONG lRequest) : m_lRequest(lRequest)
    {
    }

    LONG GetRequestNumber() const
    {
        return m_lRequest;
    }

    VOID CleanupStoredContext()
    {
        delete this;
    }

private:
    LONG m_lRequest;
};

// The request-level module: answers every request with a greeting.
class CGreetingModule : public CHttpModule
{
public:
    REQUEST_NOTIFICATION_STATUS
    OnBeginRequest(
        _In_ IHttpContext* pHttpContext,
        _In_ IHttpEventProvider* pProvider
    )
    {
        UNREFERENCED_PARAMETER(pProvider);

        HRESULT hr = S_OK;
        IHttpResponse* pHttpResponse = pHttpContext->GetResponse();
        if (pHttpResponse == NULL)
        {
            return RQ_NOTIFICATION_CONTINUE;
        }

        LONG lRequest = InterlockedIncrement(&g_cRequests);

        // Remember the request number for later notifications of this request.
        IHttpModuleContextContainer* pContainer = pHttpContext->GetModuleContextContainer();
        CGreetingContext* pContext = new CGreetingContext(lRequest);
        hr = pContainer->SetModuleContext(pContext, g_pModuleId);
        if (FAILED(hr))
        {
            pContext->CleanupStoredContext();
        }

        // Replace whatever the response held so far.
        pHttpResponse->Clear();
        PCSTR pszContentType = "text/plain";
        hr = pHttpResponse->SetHeader("Content-Type", pszContentType,
                                      (USHORT)strlen(pszContentType), TRUE);
        if (FAILED(hr))
        {
            pHttpResponse->SetStatus(500, "Server Error", 0, hr);
            return RQ_NOTIFICATION_FINISH_REQUEST;
        }

        // Newer servers expose IHttpResponse2; say whether we got it.
        IHttpResponse2* pHttpResponse2 = NULL;
        hr = HttpGetExtendedInterface(g_pHttpServer, pHttpResponse, &pHttpResponse2);
        PCSTR pszExtended = SUCCEEDED(hr) && pHttpResponse2 != NULL ? "yes" : "no";
        pHttpResponse->SetHeader("X-Extended-Response", pszExtended,
                                 (USHORT)strlen(pszExtended), TRUE);

        // Build the body and send it as one in-memory chunk.
        static char szBody[128];
        int cchBody = sprintf_s(szBody, sizeof(szBody),
                                "Hello from a native module, request %d\r\n", (int)lRequest);
        if (cchBody < 0)
        {
            pHttpResponse->SetStatus(500, "Server Error");
            return RQ_NOTIFICATION_FINISH_REQUEST;
        }

        HTTP_DATA_CHUNK dataChunk;
        dataChunk.DataChunkType = HttpDataChunkFromMemory;
        dataChunk.FromMemory.pBuffer = (PVOID)szBody;
        dataChunk.FromMemory.BufferLength = (ULONG)cchBody;

        DWORD cbSent = 0;
        hr = pHttpResponse->WriteEntityChunks(&dataChunk, 1, FALSE, TRUE, &cbSent);
        if (FAILED(hr))
        {
            pHttpResponse->SetStatus(500, "Server Error", 0, hr);
        }

        return RQ_NOTIFICATION_FINISH_REQUEST;
    }
};

// Creates one CGreetingModule per request.
class CGreetingFactory : public IHttpModuleFactory
{
public:
    HRESULT
    GetHttpModule(
        _Outptr_ CHttpModule** ppModule,
        _In_ IModuleAllocator* pAllocator
    )
    {
        UNREFERENCED_PARAMETER(pAllocator);

        CGreetingModule* pModule = new CGreetingModule;
        if (pModule == NULL)
        {
            return HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY);
        }
        *ppModule = pModule;
        return S_OK;
    }

    VOID
    Terminate()
    {
        delete this;
    }
};

// A global module that traces every request before it enters the pipeline.
class CGreetingGlobalModule : public CGlobalModule
{
public:
    GLOBAL_NOTIFICATION_STATUS
    OnGlobalPreBeginRequest(
        _In_ IPreBeginRequestProvider* pProvider
    )
    {
        UNREFERENCED_PARAMETER(pProvider);
        OutputDebugString("GreetingModule: pre-begin-request\n");
        return GL_NOTIFICATION_CONTINUE;
    }

    VOID
    Terminate()
    {
        if (g_hEventLog != NULL)
        {
            DeregisterEventSource(g_hEventLog);
            g_hEventLog = NULL;
        }
        delete this;
    }
};

// The exported entry point.
HRESULT
__stdcall
RegisterModule(
    DWORD dwServerVersion,
    IHttpModuleRegistrationInfo* pModuleInfo,
    IHttpServer* pGlobalInfo
)
{
    HRESULT hr = S_OK;

    g_pHttpServer = pGlobalInfo;
    g_pModuleId = pModuleInfo->GetId();

    g_hEventLog = RegisterEventSource(NULL, "GreetingModule");
    if (g_hEventLog != NULL)
    {
        CHAR szMessage[128];
        sprintf_s(szMessage, sizeof(szMessage), "GreetingModule loaded by server version %u",
                  (unsigned)dwServerVersion);
        LPCSTR rgStrings[1] = { szMessage };
        ReportEvent(g_hEventLog, EVENTLOG_INFORMATION_TYPE, 0, 1000, NULL, 1, 0, rgStrings, NULL);
    }

    CGreetingFactory* pFactory = new CGreetingFactory;
    hr = pModuleInfo->SetRequestNotifications(pFactory, RQ_BEGIN_REQUEST, 0);
    if (FAILED(hr))
    {
        pFactory->Terminate();
        return hr;
    }

    hr = pModuleInfo->SetPriorityForRequestNotification(RQ_BEGIN_REQUEST, PRIORITY_ALIAS_HIGH);
    if (FAILED(hr))
    {
        return hr;
    }

    CGreetingGlobalModule* pGlobalModule = new CGreetingGlobalModule;
    hr = pModuleInfo->SetGlobalNotifications(pGlobalModule, GL_PRE_BEGIN_REQUEST);
    if (FAILED(hr))
    {
        pGlobalModule->Terminate();
        return hr;
    }

    return S_OK;
}

// clang-format on
