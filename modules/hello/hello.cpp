// hello: the smallest useful httpserv handler module. Answers "Hello, World!" (text/plain).
// Register it as the handler of a URL (e.g. /hello); it does not look at the URL itself.
#define _WINSOCKAPI_
#include <windows.h>
#include <sal.h>
#include <httpserv.h>
#include <new>

class CHelloModule : public CHttpModule
{
public:
    REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(_In_ IHttpContext *pHttpContext,
                                                        _In_ IHttpEventProvider *pProvider) override
    {
        static char s_szBody[] = "Hello, World!";
        IHttpResponse *pResponse = pHttpContext->GetResponse();
        pResponse->Clear();
        HRESULT hr = pResponse->SetHeader("Content-Type", "text/plain", 10, TRUE);
        if (SUCCEEDED(hr))
        {
            HTTP_DATA_CHUNK chunk;
            chunk.DataChunkType = HttpDataChunkFromMemory;
            chunk.FromMemory.pBuffer = s_szBody;
            chunk.FromMemory.BufferLength = sizeof(s_szBody) - 1; // 13 bytes, no NUL
            DWORD cbSent = 0;
            hr = pResponse->WriteEntityChunks(&chunk, 1, FALSE, FALSE, &cbSent);
        }
        if (FAILED(hr))
        {
            pProvider->SetErrorStatus(hr);
            pResponse->SetStatus(500, "Internal Server Error", 0, hr);
        }
        return RQ_NOTIFICATION_FINISH_REQUEST;
    }
};

class CHelloFactory : public IHttpModuleFactory
{
public:
    HRESULT GetHttpModule(_Outptr_ CHttpModule **ppModule, _In_ IModuleAllocator *) override
    {
        *ppModule = new (std::nothrow) CHelloModule;
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
    CHelloFactory *pFactory = new (std::nothrow) CHelloFactory;
    if (pFactory == NULL)
        return HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY);
    HRESULT hr = pModuleInfo->SetRequestNotifications(pFactory, RQ_EXECUTE_REQUEST_HANDLER, 0);
    if (FAILED(hr))
    {
        delete pFactory; // not registered, so the server will never call Terminate
        return hr;
    }
    httpserv::log_printf(HTTPSERV_LOG_INFO, "hello", "hello module registered (server version %u)",
                         dwServerVersion);
    return S_OK;
}
