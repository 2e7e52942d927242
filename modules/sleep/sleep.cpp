// sleep: a handler that blocks, as modules that call a database, a file share or a lock do.
// GET /sleep?ms=N sleeps N milliseconds (at most 10,000; default 100) in the notification, with a
// plain synchronous Sleep, then answers "slept N ms". The server hands the worker's other
// connections to another thread while it sleeps (docs/writing-modules.md, "Blocking").
#define _WINSOCKAPI_
#include <windows.h>
#include <sal.h>
#include <httpserv.h>
#include <new>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

class CSleepModule : public CHttpModule
{
public:
    REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(_In_ IHttpContext *pHttpContext,
                                                        _In_ IHttpEventProvider *pProvider) override
    {
        DWORD dwMs = 100;
        PCSTR pszQuery = NULL;
        DWORD cchQuery = 0;
        if (SUCCEEDED(pHttpContext->GetServerVariable("QUERY_STRING", &pszQuery, &cchQuery)) &&
            pszQuery != NULL && strncmp(pszQuery, "ms=", 3) == 0)
        {
            dwMs = static_cast<DWORD>(strtoul(pszQuery + 3, NULL, 10));
            if (dwMs > 10000)
                dwMs = 10000;
        }
        Sleep(dwMs);

        IHttpResponse *pResponse = pHttpContext->GetResponse();
        pResponse->Clear();
        HRESULT hr = pResponse->SetHeader("Content-Type", "text/plain", 10, TRUE);
        if (SUCCEEDED(hr))
        {
            int cch = snprintf(m_szBody, sizeof(m_szBody), "slept %u ms", dwMs);
            HTTP_DATA_CHUNK chunk;
            chunk.DataChunkType = HttpDataChunkFromMemory;
            chunk.FromMemory.pBuffer = m_szBody;
            chunk.FromMemory.BufferLength = static_cast<ULONG>(cch);
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

private:
    char m_szBody[32];
};

class CSleepFactory : public IHttpModuleFactory
{
public:
    HRESULT GetHttpModule(_Outptr_ CHttpModule **ppModule, _In_ IModuleAllocator *) override
    {
        *ppModule = new (std::nothrow) CSleepModule;
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
    UNREFERENCED_PARAMETER(dwServerVersion);
    UNREFERENCED_PARAMETER(pGlobalInfo);
    CSleepFactory *pFactory = new (std::nothrow) CSleepFactory;
    if (pFactory == NULL)
        return HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY);
    HRESULT hr = pModuleInfo->SetRequestNotifications(pFactory, RQ_EXECUTE_REQUEST_HANDLER, 0);
    if (FAILED(hr))
        delete pFactory;
    return hr;
}
