// async: handler module that finishes its request from another thread with PostCompletion.
//
//   GET /async?ms=N     N = 0..5000 milliseconds (default 10); anything else gets 400
//
// OnExecuteRequestHandler hands the context to a timer thread and returns
// RQ_NOTIFICATION_PENDING. After N ms the timer thread calls pHttpContext->PostCompletion(0),
// the only call it ever makes on the context. The server then calls OnAsyncCompletion on the
// request's own thread, which writes "async done after N ms\n" (text/plain; N as requested,
// the measured delay in the X-Elapsed-Ms header) and returns RQ_NOTIFICATION_FINISH_REQUEST.
//
// Shows:
//   - the PENDING / PostCompletion / OnAsyncCompletion round trip, including ms=0, where the
//     completion is usually posted before OnExecuteRequestHandler has even returned;
//   - one worker thread per module rather than one per request: started on first use, owned by
//     the factory and joined in IHttpModuleFactory::Terminate, so no module code is still
//     running on it when the server unloads the .so;
//   - reading the query string from the raw request (HTTP_COOKED_URL, wide characters, lengths
//     in bytes: characters = QueryStringLength / sizeof(WCHAR)).

#define _WINSOCKAPI_
#include <windows.h>
#include <sal.h>
#include <httpserv.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <thread>

namespace
{

constexpr DWORD kDefaultMs = 10;
constexpr DWORD kMaxMs = 5000;

// Parses the decimal query parameter `name` of a wide query string "a=1&b=2" (no '?').
// Absent: dwDefault. Returns FALSE when present but empty, not all digits, or > dwMax.
BOOL GetQueryDword(PCWSTR pwszQuery, DWORD cchQuery, PCWSTR pwszName, DWORD dwDefault, DWORD dwMax,
                   DWORD *pdwValue)
{
    *pdwValue = dwDefault;
    const size_t cchName = wcslen(pwszName);
    DWORD i = 0;
    while (i < cchQuery)
    {
        DWORD end = i;
        while (end < cchQuery && pwszQuery[end] != L'&')
            ++end;
        if (end - i > cchName && wcsncmp(pwszQuery + i, pwszName, cchName) == 0 &&
            pwszQuery[i + cchName] == L'=')
        {
            DWORD first = i + static_cast<DWORD>(cchName) + 1;
            if (first == end)
                return FALSE;
            ULONGLONG value = 0;
            for (DWORD k = first; k < end; ++k)
            {
                if (pwszQuery[k] < L'0' || pwszQuery[k] > L'9')
                    return FALSE;
                value = value * 10 + static_cast<ULONGLONG>(pwszQuery[k] - L'0');
                if (value > dwMax)
                    return FALSE;
            }
            *pdwValue = static_cast<DWORD>(value);
        }
        i = end + 1;
    }
    return TRUE;
}

} // namespace

// A single thread that calls PostCompletion(0) on contexts when their delay has passed.
class CTimerThread
{
public:
    CTimerThread() = default;
    CTimerThread(const CTimerThread &) = delete;
    CTimerThread &operator=(const CTimerThread &) = delete;
    ~CTimerThread()
    {
        Stop();
    }

    // Arranges for pHttpContext->PostCompletion(0) after dwMilliseconds. On failure nothing
    // was queued and the caller still owns the request.
    HRESULT Schedule(IHttpContext *pHttpContext, DWORD dwMilliseconds) noexcept
    {
        try
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (m_fStopping)
                return HRESULT_FROM_WIN32(ERROR_SERVER_SHUTDOWN_IN_PROGRESS);
            if (!m_thread.joinable())
                m_thread = std::thread(&CTimerThread::Run, this); // First use.
            m_timers.emplace(Clock::now() + std::chrono::milliseconds(dwMilliseconds),
                             pHttpContext);
            m_wake.notify_one();
            return S_OK;
        }
        catch (const std::bad_alloc &)
        {
            return E_OUTOFMEMORY;
        }
        catch (...)
        {
            return E_FAIL; // std::system_error from std::thread: no thread, nothing queued.
        }
    }

    // Stops and joins the thread. Contexts still waiting are dropped, not completed: at
    // shutdown the server may already have released them, and a dangling context must
    // never be touched.
    void Stop() noexcept
    {
        size_t cDropped = 0;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_fStopping = true;
            cDropped = m_timers.size();
            m_timers.clear();
            m_wake.notify_one();
        }
        if (m_thread.joinable())
            m_thread.join();
        if (cDropped != 0)
        {
            httpserv::log_printf(HTTPSERV_LOG_WARNING, "async",
                                 "shutting down with %zu request(s) still waiting", cDropped);
        }
    }

private:
    using Clock = std::chrono::steady_clock;

    void Run() noexcept
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        while (!m_fStopping)
        {
            if (m_timers.empty())
            {
                m_wake.wait(lock);
                continue;
            }
            auto first = m_timers.begin();
            const Clock::time_point deadline = first->first; // A copy: Stop() may clear the map.
            if (Clock::now() < deadline)
            {
                m_wake.wait_until(lock, deadline);
                continue;
            }
            IHttpContext *pHttpContext = first->second;
            m_timers.erase(first);
            lock.unlock();
            // From here on the context belongs to the server again: no other call, ever.
            HRESULT hr = pHttpContext->PostCompletion(0);
            if (FAILED(hr))
            {
                httpserv::log_printf(HTTPSERV_LOG_ERROR, "async",
                                     "PostCompletion failed (hr 0x%08x); the request stays pending",
                                     static_cast<unsigned>(hr));
            }
            lock.lock();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::multimap<Clock::time_point, IHttpContext *> m_timers; // Guarded by m_mutex.
    bool m_fStopping = false;                                  // Guarded by m_mutex.
    std::thread m_thread;
};

class CAsyncModule : public CHttpModule
{
public:
    explicit CAsyncModule(CTimerThread *pTimer) : m_pTimer(pTimer)
    {
    }

    REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(_In_ IHttpContext *pHttpContext,
                                                        _In_ IHttpEventProvider *pProvider) override
    {
        try
        {
            IHttpResponse *pResponse = pHttpContext->GetResponse();
            pResponse->Clear();

            // The cooked query string starts with '?' and its length is in bytes.
            const HTTP_REQUEST *pRaw = pHttpContext->GetRequest()->GetRawHttpRequest();
            PCWSTR pwszQuery = pRaw != NULL ? pRaw->CookedUrl.pQueryString : NULL;
            DWORD cchQuery =
                pwszQuery != NULL ? pRaw->CookedUrl.QueryStringLength / sizeof(WCHAR) : 0;
            if (cchQuery > 0 && pwszQuery[0] == L'?')
            {
                ++pwszQuery;
                --cchQuery;
            }
            if (!GetQueryDword(pwszQuery, cchQuery, L"ms", kDefaultMs, kMaxMs, &m_dwDelayMs))
                return SendText(pHttpContext, 400, "Bad Request", "usage: ?ms=0..5000\n");

            m_ullStart = GetTickCount64();
            HRESULT hr = m_pTimer->Schedule(pHttpContext, m_dwDelayMs);
            if (FAILED(hr))
            {
                pProvider->SetErrorStatus(hr);
                return SendText(pHttpContext, 503, "Service Unavailable", "cannot schedule\n");
            }
            // Do not touch the context (or this module) any more in this call: the completion
            // may already be on its way.
            return RQ_NOTIFICATION_PENDING;
        }
        catch (...)
        {
            return SendText(pHttpContext, 500, "Internal Server Error", "unexpected exception\n");
        }
    }

    REQUEST_NOTIFICATION_STATUS OnAsyncCompletion(
        _In_ IHttpContext *pHttpContext, _In_ DWORD dwNotification, _In_ BOOL fPostNotification,
        _In_ IHttpEventProvider *pProvider, _In_ IHttpCompletionInfo *pCompletionInfo) override
    {
        UNREFERENCED_PARAMETER(dwNotification);
        UNREFERENCED_PARAMETER(fPostNotification);
        HRESULT hr = pCompletionInfo->GetCompletionStatus();
        if (FAILED(hr))
        {
            pProvider->SetErrorStatus(hr);
            return RQ_NOTIFICATION_FINISH_REQUEST;
        }

        char szElapsed[24];
        sprintf_s(szElapsed, "%llu",
                  static_cast<unsigned long long>(GetTickCount64() - m_ullStart));
        pHttpContext->GetResponse()->SetHeader("X-Elapsed-Ms", szElapsed,
                                               static_cast<USHORT>(strlen(szElapsed)), TRUE);
        sprintf_s(m_szBody, "async done after %u ms\n", m_dwDelayMs);
        return SendText(pHttpContext, 200, "OK", m_szBody);
    }

private:
    ~CAsyncModule() override = default;

    // Sets status, text/plain and a body (copied: the response is buffered). Never throws.
    static REQUEST_NOTIFICATION_STATUS SendText(IHttpContext *pHttpContext, USHORT status,
                                                PCSTR pszReason, PCSTR pszText) noexcept
    {
        IHttpResponse *pResponse = pHttpContext->GetResponse();
        HRESULT hr = pResponse->SetStatus(status, pszReason);
        if (SUCCEEDED(hr))
            hr = pResponse->SetHeader("Content-Type", "text/plain", 10, TRUE);
        if (SUCCEEDED(hr))
        {
            HTTP_DATA_CHUNK chunk;
            chunk.DataChunkType = HttpDataChunkFromMemory;
            chunk.FromMemory.pBuffer = const_cast<char *>(pszText);
            chunk.FromMemory.BufferLength = static_cast<ULONG>(strlen(pszText));
            DWORD cbSent = 0;
            hr = pResponse->WriteEntityChunks(&chunk, 1, FALSE, FALSE, &cbSent);
        }
        if (FAILED(hr))
            pResponse->SetStatus(500, "Internal Server Error", 0, hr);
        return RQ_NOTIFICATION_FINISH_REQUEST;
    }

    CTimerThread *m_pTimer;
    DWORD m_dwDelayMs = kDefaultMs;
    ULONGLONG m_ullStart = 0;
    char m_szBody[64] = {};
};

class CAsyncFactory : public IHttpModuleFactory
{
public:
    HRESULT GetHttpModule(_Outptr_ CHttpModule **ppModule,
                          _In_ IModuleAllocator *pAllocator) override
    {
        UNREFERENCED_PARAMETER(pAllocator);
        if (ppModule == NULL)
            return E_POINTER;
        *ppModule = new (std::nothrow) CAsyncModule(&m_timer);
        return *ppModule != NULL ? S_OK : HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY);
    }

    // Called once at shutdown, after the last request: join the timer thread, then go.
    VOID Terminate() override
    {
        delete this;
    }

private:
    CTimerThread m_timer;
};

HRESULT __stdcall RegisterModule(DWORD dwServerVersion, IHttpModuleRegistrationInfo *pModuleInfo,
                                 IHttpServer *pGlobalInfo)
{
    UNREFERENCED_PARAMETER(pGlobalInfo);
    CAsyncFactory *pFactory = new (std::nothrow) CAsyncFactory;
    if (pFactory == NULL)
        return HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY);
    HRESULT hr = pModuleInfo->SetRequestNotifications(pFactory, RQ_EXECUTE_REQUEST_HANDLER, 0);
    if (FAILED(hr))
    {
        delete pFactory;
        return hr;
    }
    httpserv::log_printf(HTTPSERV_LOG_INFO, "async", "async module registered (server version %u)",
                         dwServerVersion);
    return S_OK;
}
