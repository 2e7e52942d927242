// stream: handler module that streams a generated body with unbuffered asynchronous writes.
//
//   GET /stream?chunks=N&size=S[&length=1]
//     chunks  number of writes, 0..100000 (default 10)
//     size    bytes per write, 1..1048576 (default 1024)
//     length  1: also send Content-Length (N*S) so the body goes out unchunked; 0 (default):
//             no Content-Length, so an HTTP/1.1 response is sent with chunked encoding
//   Any other value (or a value out of range) gets 400.
//
// The body is N*S bytes of text/plain where byte i of the whole stream is 'a' + (i % 26).
//
// Shows:
//   - DisableBuffering(): every WriteEntityChunks goes to the client at once;
//   - WriteEntityChunks(fAsync = TRUE, fMoreData = TRUE, &cbSent, &fCompletionExpected):
//     return RQ_NOTIFICATION_PENDING when a completion is expected and continue from
//     OnAsyncCompletion; when a write completes inline, loop (never recurse; spec 6.6);
//   - the last write carries fMoreData = FALSE (with no chunks at all, a final
//     Flush(fMoreData = FALSE) ends the response);
//   - memory lifetime for unbuffered async writes (spec 6.7): the chunk array (a member) and
//     the data (request memory from AllocateRequestMemory) stay valid until the completion;
//   - query parsing with the narrow GetServerVariable("QUERY_STRING") overload.

#define _WINSOCKAPI_
#include <windows.h>
#include <sal.h>
#include <httpserv.h>

#include <cstring>
#include <new>

namespace
{

constexpr DWORD kDefaultChunks = 10;
constexpr DWORD kMaxChunks = 100000;
constexpr DWORD kDefaultSize = 1024;
constexpr DWORD kMaxSize = 1024 * 1024;
constexpr DWORD kAlphabet = 26;

// Parses the decimal query parameter `name` of "a=1&b=2" into *pdwValue. Absent: dwDefault.
// Returns FALSE when present but empty, not all digits, or outside [dwMin, dwMax].
BOOL GetQueryDword(PCSTR pszQuery, DWORD cchQuery, PCSTR pszName, DWORD dwDefault, DWORD dwMin,
                   DWORD dwMax, DWORD *pdwValue)
{
    *pdwValue = dwDefault;
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
            DWORD first = i + static_cast<DWORD>(cchName) + 1;
            if (first == end)
                return FALSE;
            ULONGLONG value = 0;
            for (DWORD k = first; k < end; ++k)
            {
                if (pszQuery[k] < '0' || pszQuery[k] > '9')
                    return FALSE;
                value = value * 10 + static_cast<ULONGLONG>(pszQuery[k] - '0');
                if (value > dwMax)
                    return FALSE;
            }
            if (value < dwMin)
                return FALSE;
            *pdwValue = static_cast<DWORD>(value); // Last occurrence wins.
        }
        i = end + 1;
    }
    return TRUE;
}

} // namespace

class CStreamModule : public CHttpModule
{
public:
    CStreamModule() = default;
    CStreamModule(const CStreamModule &) = delete;
    CStreamModule &operator=(const CStreamModule &) = delete;

    REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(_In_ IHttpContext *pHttpContext,
                                                        _In_ IHttpEventProvider *pProvider) override
    {
        try
        {
            IHttpResponse *pResponse = pHttpContext->GetResponse();
            pResponse->Clear();

            PCSTR pszQuery = NULL;
            DWORD cchQuery = 0;
            HRESULT hr = pHttpContext->GetServerVariable("QUERY_STRING", &pszQuery, &cchQuery);
            if (FAILED(hr) || pszQuery == NULL)
            {
                pszQuery = "";
                cchQuery = 0;
            }
            DWORD dwLength = 0;
            if (!GetQueryDword(pszQuery, cchQuery, "chunks", kDefaultChunks, 0, kMaxChunks,
                               &m_cChunks) ||
                !GetQueryDword(pszQuery, cchQuery, "size", kDefaultSize, 1, kMaxSize, &m_cbChunk) ||
                !GetQueryDword(pszQuery, cchQuery, "length", 0, 0, 1, &dwLength))
            {
                return SendError(pHttpContext, 400, "Bad Request",
                                 "usage: ?chunks=0..100000&size=1..1048576&length=0|1\n");
            }

            hr = pResponse->SetHeader("Content-Type", "text/plain", 10, TRUE);
            if (SUCCEEDED(hr) && dwLength != 0)
            {
                char szLength[24];
                int cch = sprintf_s(szLength, "%llu",
                                    static_cast<unsigned long long>(m_cChunks) * m_cbChunk);
                hr = cch > 0 ? pResponse->SetHeader("Content-Length", szLength,
                                                    static_cast<USHORT>(cch), TRUE)
                             : E_UNEXPECTED;
            }
            if (FAILED(hr))
            {
                pProvider->SetErrorStatus(hr);
                return SendError(pHttpContext, 500, "Internal Server Error", "SetHeader failed\n");
            }

            // One pattern buffer serves every chunk: chunk k starts at stream offset k*S, so its
            // bytes are the pattern shifted by (k*S) % 26. Request memory lives until the
            // request ends, i.e. beyond every completion.
            m_pPattern =
                static_cast<BYTE *>(pHttpContext->AllocateRequestMemory(m_cbChunk + kAlphabet));
            if (m_pPattern == NULL)
                return SendError(pHttpContext, 500, "Internal Server Error", "out of memory\n");
            for (DWORD i = 0; i < m_cbChunk + kAlphabet; ++i)
                m_pPattern[i] = static_cast<BYTE>('a' + i % kAlphabet);

            pResponse->DisableBuffering();
            return SendLoop(pHttpContext, pProvider);
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
            if (FAILED(hr))
            {
                // Usually the client went away. Headers are out: all we can do is stop.
                pProvider->SetErrorStatus(hr);
                return RQ_NOTIFICATION_FINISH_REQUEST;
            }
            return SendLoop(pHttpContext, pProvider);
        }
        catch (...)
        {
            return RQ_NOTIFICATION_FINISH_REQUEST;
        }
    }

private:
    ~CStreamModule() override = default;

    // Sends the remaining chunks. Returns PENDING as soon as a write will complete later;
    // a write that completed inline just moves on to the next chunk.
    REQUEST_NOTIFICATION_STATUS SendLoop(IHttpContext *pHttpContext, IHttpEventProvider *pProvider)
    {
        IHttpResponse *pResponse = pHttpContext->GetResponse();
        DWORD cbSent = 0;
        BOOL fCompletionExpected = FALSE;
        HRESULT hr = S_OK;

        while (m_cSent < m_cChunks)
        {
            const ULONGLONG offset = static_cast<ULONGLONG>(m_cSent) * m_cbChunk;
            m_chunk.DataChunkType = HttpDataChunkFromMemory;
            m_chunk.FromMemory.pBuffer = m_pPattern + offset % kAlphabet;
            m_chunk.FromMemory.BufferLength = m_cbChunk;
            const BOOL fMoreData = m_cSent + 1 < m_cChunks;
            fCompletionExpected = FALSE;
            hr = pResponse->WriteEntityChunks(&m_chunk, 1, TRUE, fMoreData, &cbSent,
                                              &fCompletionExpected);
            if (FAILED(hr))
                return WriteFailed(pHttpContext, pProvider, hr);
            ++m_cSent; // Counted now: a completion means this chunk is done.
            if (fCompletionExpected)
                return RQ_NOTIFICATION_PENDING;
        }

        if (m_cChunks == 0 && !m_fFlushed)
        {
            // No data at all: end the response with a final flush (status line and headers).
            m_fFlushed = TRUE;
            fCompletionExpected = FALSE;
            hr = pResponse->Flush(TRUE, FALSE, &cbSent, &fCompletionExpected);
            if (FAILED(hr))
                return WriteFailed(pHttpContext, pProvider, hr);
            if (fCompletionExpected)
                return RQ_NOTIFICATION_PENDING;
        }
        return RQ_NOTIFICATION_FINISH_REQUEST;
    }

    REQUEST_NOTIFICATION_STATUS WriteFailed(IHttpContext *pHttpContext,
                                            IHttpEventProvider *pProvider, HRESULT hr)
    {
        pProvider->SetErrorStatus(hr);
        if (!pHttpContext->GetResponseHeadersSent())
            return SendError(pHttpContext, 500, "Internal Server Error", "write failed\n");
        return RQ_NOTIFICATION_FINISH_REQUEST; // Mid-stream: the server cuts the connection.
    }

    // Replaces the response with a short text/plain error. Never throws.
    REQUEST_NOTIFICATION_STATUS SendError(IHttpContext *pHttpContext, USHORT status,
                                          PCSTR pszReason, PCSTR pszText) noexcept
    {
        m_cChunks = 0;
        IHttpResponse *pResponse = pHttpContext->GetResponse();
        pResponse->Clear();
        pResponse->SetStatus(status, pszReason);
        if (SUCCEEDED(pResponse->SetHeader("Content-Type", "text/plain", 10, TRUE)))
        {
            HTTP_DATA_CHUNK chunk;
            chunk.DataChunkType = HttpDataChunkFromMemory;
            chunk.FromMemory.pBuffer = const_cast<char *>(pszText); // Static text.
            chunk.FromMemory.BufferLength = static_cast<ULONG>(strlen(pszText));
            DWORD cbSent = 0;
            pResponse->WriteEntityChunks(&chunk, 1, FALSE, FALSE, &cbSent);
        }
        return RQ_NOTIFICATION_FINISH_REQUEST;
    }

    DWORD m_cChunks = 0;          // Writes to do.
    DWORD m_cbChunk = 0;          // Bytes per write.
    DWORD m_cSent = 0;            // Writes done (or in flight).
    BOOL m_fFlushed = FALSE;      // Final flush issued (chunks == 0 only).
    BYTE *m_pPattern = NULL;      // m_cbChunk + 26 pattern bytes, request memory.
    HTTP_DATA_CHUNK m_chunk = {}; // Must outlive each async write.
};

class CStreamFactory : public IHttpModuleFactory
{
public:
    HRESULT GetHttpModule(_Outptr_ CHttpModule **ppModule,
                          _In_ IModuleAllocator *pAllocator) override
    {
        UNREFERENCED_PARAMETER(pAllocator);
        if (ppModule == NULL)
            return E_POINTER;
        *ppModule = new (std::nothrow) CStreamModule;
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
    CStreamFactory *pFactory = new (std::nothrow) CStreamFactory;
    if (pFactory == NULL)
        return HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY);
    HRESULT hr = pModuleInfo->SetRequestNotifications(pFactory, RQ_EXECUTE_REQUEST_HANDLER, 0);
    if (FAILED(hr))
    {
        delete pFactory;
        return hr;
    }
    httpserv::log_printf(
        HTTPSERV_LOG_INFO, "stream", "stream module registered as %ls (server version %u)",
        pModuleInfo->GetName() != NULL ? pModuleInfo->GetName() : L"?", dwServerVersion);
    return S_OK;
}
