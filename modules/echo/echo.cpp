// echo: handler module that sends the request body back.
//
//   POST /echo                 reads the body with asynchronous ReadEntityBody calls (default)
//   POST /echo?mode=sync       reads it with synchronous ReadEntityBody calls; httpserv answers
//                              those only from bytes already received (else ERROR_IO_PENDING),
//                              so the module then switches to asynchronous reads
//
// The response has the request's Content-Type (application/octet-stream when there is none)
// and the body, byte for byte. Bodies larger than 16 MiB get 413 (at once when Content-Length
// says so, otherwise as soon as the 16 MiB + 1st byte arrives). A malformed `mode` gets 400.
//
// Shows:
//   - the ReadEntityBody loop: HRESULT_FROM_WIN32(ERROR_HANDLE_EOF) (returned or as a completion
//     status) and GetRemainingEntityBytes() == 0 both mean "end of body";
//   - async reads: RQ_NOTIFICATION_PENDING when *pfCompletionPending is TRUE, continue in
//     OnAsyncCompletion, and iterate (never recurse) while reads complete inline (spec 6.6);
//   - module-owned memory that outlives every pending read (freed in the destructor, which the
//     server runs through Dispose() at the end of the request);
//   - the response written with one async WriteEntityChunks(fMoreData = FALSE);
//   - ReportEvent as the way a Windows module writes its start-up line.

#define _WINSOCKAPI_
#include <windows.h>
#include <sal.h>
#include <httpserv.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace
{

constexpr DWORD kMaxBody = 16 * 1024 * 1024; // Largest body echoed; more -> 413.
constexpr DWORD kInitialBuffer = 64 * 1024;  // First allocation when the length is unknown.
constexpr HRESULT kEof = HRESULT_FROM_WIN32(ERROR_HANDLE_EOF);
constexpr HRESULT kWouldBlock = HRESULT_FROM_WIN32(ERROR_IO_PENDING); // Sync read, no data yet.

// Value of `name` in a query string "a=1&b=2" (no leading '?'), or NULL; *pcch gets its length.
PCSTR FindQueryValue(PCSTR pszQuery, DWORD cchQuery, PCSTR pszName, DWORD *pcch)
{
    const size_t cchName = strlen(pszName);
    DWORD i = 0;
    while (i < cchQuery)
    {
        DWORD end = i;
        while (end < cchQuery && pszQuery[end] != '&')
            ++end;
        if (end - i > cchName && strncmp(pszQuery + i, pszName, cchName) == 0 &&
            pszQuery[i + cchName] == '=')
        {
            *pcch = end - i - static_cast<DWORD>(cchName) - 1;
            return pszQuery + i + cchName + 1;
        }
        i = end + 1;
    }
    *pcch = 0;
    return NULL;
}

} // namespace

class CEchoModule : public CHttpModule
{
public:
    CEchoModule() = default;
    CEchoModule(const CEchoModule &) = delete;
    CEchoModule &operator=(const CEchoModule &) = delete;

    REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(_In_ IHttpContext *pHttpContext,
                                                        _In_ IHttpEventProvider *pProvider) override
    {
        try
        {
            IHttpResponse *pResponse = pHttpContext->GetResponse();
            pResponse->Clear();

            // ?mode=sync | ?mode=async (default)
            PCSTR pszQuery = NULL;
            DWORD cchQuery = 0;
            HRESULT hr = pHttpContext->GetServerVariable("QUERY_STRING", &pszQuery, &cchQuery);
            if (FAILED(hr) || pszQuery == NULL)
            {
                pszQuery = "";
                cchQuery = 0;
            }
            DWORD cchMode = 0;
            PCSTR pszMode = FindQueryValue(pszQuery, cchQuery, "mode", &cchMode);
            if (pszMode != NULL)
            {
                if (cchMode == 4 && strncmp(pszMode, "sync", 4) == 0)
                    m_fAsync = FALSE;
                else if (!(cchMode == 5 && strncmp(pszMode, "async", 5) == 0))
                    return SendError(pHttpContext, 400, "Bad Request",
                                     "mode must be sync or async\n");
            }

            // Known length: refuse oversized bodies before reading anything, and allocate once.
            DWORD cbRemaining = pHttpContext->GetRequest()->GetRemainingEntityBytes();
            if (cbRemaining != INFINITE && cbRemaining > kMaxBody)
                return SendTooLarge(pHttpContext);
            if (cbRemaining != INFINITE && cbRemaining > 0 && !Grow(cbRemaining))
                return SendError(pHttpContext, 500, "Internal Server Error", "out of memory\n");

            return ReadLoop(pHttpContext, pProvider);
        }
        catch (...)
        {
            return SendError(pHttpContext, 500, "Internal Server Error", "unexpected exception\n");
        }
    }

    REQUEST_NOTIFICATION_STATUS OnAsyncCompletion(
        _In_ IHttpContext *pHttpContext, _In_ DWORD dwNotification, _In_ BOOL fPostNotification,
        _In_ IHttpEventProvider *pProvider, _In_ IHttpCompletionInfo *pCompletionInfo) override
    {
        UNREFERENCED_PARAMETER(dwNotification);
        UNREFERENCED_PARAMETER(fPostNotification);
        try
        {
            HRESULT hr = pCompletionInfo->GetCompletionStatus();
            if (m_state == State::kWriting)
            {
                // The response is complete (or the client is gone: nothing more to do).
                if (FAILED(hr))
                    pProvider->SetErrorStatus(hr);
                m_state = State::kDone;
                return RQ_NOTIFICATION_FINISH_REQUEST;
            }

            // A read completed.
            if (hr == kEof)
                return WriteBody(pHttpContext, pProvider);
            if (FAILED(hr))
                return ReadFailed(pHttpContext, pProvider, hr);
            DWORD cbRead = pCompletionInfo->GetCompletionBytes();
            if (cbRead == 0)
                return WriteBody(pHttpContext, pProvider);
            if (cbRead > m_cbBuffer - m_cbData) // More than we asked for: a server bug.
                return ReadFailed(pHttpContext, pProvider, E_UNEXPECTED);
            m_cbData += cbRead;
            return ReadLoop(pHttpContext, pProvider);
        }
        catch (...)
        {
            return SendError(pHttpContext, 500, "Internal Server Error", "unexpected exception\n");
        }
    }

private:
    enum class State
    {
        kReading,
        kWriting,
        kDone
    };

    ~CEchoModule() override
    {
        free(m_pBuffer);
    }

    // Reads until the body ends or a read goes pending. Iterative: an async read that completes
    // inline (*pfCompletionPending == FALSE) continues the loop instead of recursing.
    REQUEST_NOTIFICATION_STATUS ReadLoop(IHttpContext *pHttpContext, IHttpEventProvider *pProvider)
    {
        IHttpRequest *pRequest = pHttpContext->GetRequest();
        for (;;)
        {
            // Checked first: a chunked body of exactly kMaxBody + 1 bytes is complete (nothing
            // remaining) and must still be refused.
            if (m_cbData > kMaxBody)
                return SendTooLarge(pHttpContext);
            if (pRequest->GetRemainingEntityBytes() == 0)
                return WriteBody(pHttpContext, pProvider);
            if (m_cbData == m_cbBuffer)
            {
                DWORD cbNew = m_cbBuffer == 0 ? kInitialBuffer : m_cbBuffer * 2;
                if (cbNew > kMaxBody + 1)
                    cbNew = kMaxBody + 1;
                if (!Grow(cbNew))
                    return SendError(pHttpContext, 500, "Internal Server Error", "out of memory\n");
            }

            DWORD cbRead = 0;
            BOOL fPending = FALSE;
            HRESULT hr = pRequest->ReadEntityBody(m_pBuffer + m_cbData, m_cbBuffer - m_cbData,
                                                  m_fAsync, &cbRead, &fPending);
            if (hr == kEof)
                return WriteBody(pHttpContext, pProvider);
            if (hr == kWouldBlock && !m_fAsync)
            {
                // httpserv never blocks its event loop: a synchronous read only returns bytes
                // that have already arrived, and fails with ERROR_IO_PENDING otherwise. Carry on
                // asynchronously (what a ported module that insists on sync reads should do).
                m_fAsync = TRUE;
                continue;
            }
            if (FAILED(hr))
                return ReadFailed(pHttpContext, pProvider, hr);
            if (m_fAsync && fPending)
                return RQ_NOTIFICATION_PENDING; // Continues in OnAsyncCompletion.
            if (cbRead == 0)
                return WriteBody(pHttpContext, pProvider); // Nothing more will come.
            if (cbRead > m_cbBuffer - m_cbData)            // More than we asked for: a server bug.
                return ReadFailed(pHttpContext, pProvider, E_UNEXPECTED);
            m_cbData += cbRead;
        }
    }

    REQUEST_NOTIFICATION_STATUS WriteBody(IHttpContext *pHttpContext, IHttpEventProvider *pProvider)
    {
        IHttpResponse *pResponse = pHttpContext->GetResponse();
        USHORT cchType = 0;
        PCSTR pszType = pHttpContext->GetRequest()->GetHeader(HttpHeaderContentType, &cchType);
        if (pszType == NULL || cchType == 0)
        {
            pszType = "application/octet-stream";
            cchType = static_cast<USHORT>(strlen(pszType));
        }
        HRESULT hr = pResponse->SetHeader("Content-Type", pszType, cchType, TRUE);
        if (FAILED(hr))
            return SendError(pHttpContext, 500, "Internal Server Error", "SetHeader failed\n");

        if (m_cbData == 0)
        {
            m_state = State::kDone;
            return RQ_NOTIFICATION_FINISH_REQUEST; // Empty body; the server ends the response.
        }

        // m_chunk and m_pBuffer are members: they stay valid until the completion even if the
        // response is unbuffered (spec 6.7).
        m_chunk.DataChunkType = HttpDataChunkFromMemory;
        m_chunk.FromMemory.pBuffer = m_pBuffer;
        m_chunk.FromMemory.BufferLength = m_cbData;
        m_state = State::kWriting;
        DWORD cbSent = 0;
        BOOL fCompletionExpected = FALSE;
        hr = pResponse->WriteEntityChunks(&m_chunk, 1, TRUE, FALSE, &cbSent, &fCompletionExpected);
        if (FAILED(hr))
        {
            m_state = State::kDone;
            pProvider->SetErrorStatus(hr);
            if (!pHttpContext->GetResponseHeadersSent())
                return SendError(pHttpContext, 500, "Internal Server Error", "write failed\n");
            return RQ_NOTIFICATION_FINISH_REQUEST;
        }
        if (fCompletionExpected)
            return RQ_NOTIFICATION_PENDING;
        m_state = State::kDone;
        return RQ_NOTIFICATION_FINISH_REQUEST;
    }

    REQUEST_NOTIFICATION_STATUS ReadFailed(IHttpContext *pHttpContext,
                                           IHttpEventProvider *pProvider, HRESULT hr)
    {
        pProvider->SetErrorStatus(hr);
        return SendError(pHttpContext, 400, "Bad Request", "could not read the request body\n");
    }

    REQUEST_NOTIFICATION_STATUS SendTooLarge(IHttpContext *pHttpContext)
    {
        // The rest of the body stays unread: do not reuse the connection.
        pHttpContext->GetResponse()->SetNeedDisconnect();
        return SendError(pHttpContext, 413, "Payload Too Large", "request body exceeds 16 MiB\n");
    }

    // Replaces the response with a short text/plain error. Never throws.
    REQUEST_NOTIFICATION_STATUS SendError(IHttpContext *pHttpContext, USHORT status,
                                          PCSTR pszReason, PCSTR pszText) noexcept
    {
        m_state = State::kDone;
        IHttpResponse *pResponse = pHttpContext->GetResponse();
        pResponse->Clear();
        pResponse->SetStatus(status, pszReason);
        if (SUCCEEDED(pResponse->SetHeader("Content-Type", "text/plain", 10, TRUE)))
        {
            HTTP_DATA_CHUNK chunk;
            chunk.DataChunkType = HttpDataChunkFromMemory;
            chunk.FromMemory.pBuffer = const_cast<char *>(pszText); // Static text; copied.
            chunk.FromMemory.BufferLength = static_cast<ULONG>(strlen(pszText));
            DWORD cbSent = 0;
            pResponse->WriteEntityChunks(&chunk, 1, FALSE, FALSE, &cbSent);
        }
        return RQ_NOTIFICATION_FINISH_REQUEST;
    }

    // Resizes the body buffer to cbNew bytes (never below the data held). Only called while no
    // read is pending, so moving the buffer is safe.
    bool Grow(DWORD cbNew) noexcept
    {
        if (cbNew < m_cbData)
            return false;
        void *pNew = realloc(m_pBuffer, cbNew);
        if (pNew == NULL)
            return false;
        m_pBuffer = static_cast<BYTE *>(pNew);
        m_cbBuffer = cbNew;
        return true;
    }

    BOOL m_fAsync = TRUE;
    State m_state = State::kReading;
    BYTE *m_pBuffer = NULL;
    DWORD m_cbBuffer = 0; // Allocated bytes.
    DWORD m_cbData = 0;   // Body bytes received.
    HTTP_DATA_CHUNK m_chunk = {};
};

class CEchoFactory : public IHttpModuleFactory
{
public:
    HRESULT GetHttpModule(_Outptr_ CHttpModule **ppModule,
                          _In_ IModuleAllocator *pAllocator) override
    {
        UNREFERENCED_PARAMETER(pAllocator);
        if (ppModule == NULL)
            return E_POINTER;
        *ppModule = new (std::nothrow) CEchoModule;
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
    try
    {
        CEchoFactory *pFactory = new (std::nothrow) CEchoFactory;
        if (pFactory == NULL)
            return HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY);
        HRESULT hr = pModuleInfo->SetRequestNotifications(pFactory, RQ_EXECUTE_REQUEST_HANDLER, 0);
        if (FAILED(hr))
        {
            delete pFactory;
            return hr;
        }

        // The Windows way to say hello: an information event in the application log. On Linux
        // it becomes one info line in the server log, with the event source as its source.
        HANDLE hEventLog = RegisterEventSourceA(NULL, "echo");
        if (hEventLog != NULL)
        {
            char szVersion[16];
            sprintf_s(szVersion, "%u", dwServerVersion);
            LPCSTR rgStrings[] = {"echo module registered; server version", szVersion};
            ReportEventA(hEventLog, EVENTLOG_INFORMATION_TYPE, 0, 0, NULL, 2, 0, rgStrings, NULL);
            DeregisterEventSource(hEventLog);
        }
        return S_OK;
    }
    catch (...)
    {
        return E_FAIL;
    }
}
