// Test-only module written as IIS modules are: notifications that block (Sleep, a lock, a wait
// for another request), synchronous body reads in Microsoft's documented loop, synchronous
// unbuffered writes, and IncrementThreadCount around long work. tests/integration/
// test_blocking.py drives it. URLs it does not know fall through to the static files.
//
//   /block?ms=N            Sleep(N) in the handler, then "slept N"
//   /wait?key=K[&ms=N]     waits until /signal?key=K was requested (at most N ms, default
//                          20000): "signalled" or "timed out"
//   /signal?key=K          wakes /wait?key=K (now or later): "ok"
//   /barrier?n=N           waits until N requests are inside /barrier at once (at most 20 s):
//                          "together" or "alone"
//   /read[?buf=B]          ReadEntityBody(FALSE) into a B-byte buffer (default 4096) until
//                          ERROR_HANDLE_EOF: "remaining=R bytes=N sum=S hr=0x........" where
//                          R is GetRemainingEntityBytes() before the first read and S the sum
//                          of the bytes mod 2^32
//   /incthread?key=K       IncrementThreadCount, wait for /signal?key=K, DecrementThreadCount
//   /syncwrite?n=N&size=S  DisableBuffering, then N synchronous WriteEntityChunks of S bytes
//                          ('0' + i % 10), reporting failures as "write I failed hr=0x..."
#include <httpserv.h>
#include <httpserv_log.h>
#include <windows.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace {

IHttpServer* g_server = nullptr;

// Named one-shot events shared by the requests of the process.
std::mutex g_mu;
std::condition_variable g_cv;
std::map<std::string, bool> g_signalled;
int g_inside_barrier = 0;

std::string param(const std::string& query, const char* name) {
  std::string key = std::string(name) + "=";
  size_t at = 0;
  while (at <= query.size()) {
    size_t end = query.find('&', at);
    if (end == std::string::npos) end = query.size();
    if (query.compare(at, key.size(), key) == 0)
      return query.substr(at + key.size(), end - at - key.size());
    at = end + 1;
  }
  return "";
}

std::string hr_text(HRESULT hr) {
  char buf[16];
  snprintf(buf, sizeof(buf), "0x%08X", static_cast<unsigned>(hr));
  return buf;
}

REQUEST_NOTIFICATION_STATUS reply(IHttpContext* ctx, const std::string& text) {
  IHttpResponse* r = ctx->GetResponse();
  r->SetHeader("Content-Type", "text/plain", 10, TRUE);
  HTTP_DATA_CHUNK c{};
  c.DataChunkType = HttpDataChunkFromMemory;
  c.FromMemory.pBuffer = const_cast<char*>(text.data());
  c.FromMemory.BufferLength = static_cast<ULONG>(text.size());
  DWORD sent = 0;
  r->WriteEntityChunks(&c, 1, FALSE, FALSE, &sent);
  return RQ_NOTIFICATION_FINISH_REQUEST;
}

bool wait_for(const std::string& key, DWORD ms) {
  std::unique_lock<std::mutex> lock(g_mu);
  return g_cv.wait_for(lock, std::chrono::milliseconds(ms), [&] { return g_signalled[key]; });
}

class Blocking final : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext* ctx,
                                                      IHttpEventProvider*) override {
    PCSTR q = nullptr;
    DWORD cch = 0;
    std::string query;
    if (SUCCEEDED(ctx->GetServerVariable("QUERY_STRING", &q, &cch)) && q) query.assign(q, cch);
    PCSTR u = nullptr;
    std::string url;
    if (SUCCEEDED(ctx->GetServerVariable("URL", &u, &cch)) && u) url.assign(u, cch);

    if (url == "/block") {
      DWORD ms = static_cast<DWORD>(strtoul(param(query, "ms").c_str(), nullptr, 10));
      Sleep(ms);
      return reply(ctx, "slept " + std::to_string(ms));
    }
    if (url == "/wait") {
      std::string ms = param(query, "ms");
      DWORD bound = ms.empty() ? 20000 : static_cast<DWORD>(strtoul(ms.c_str(), nullptr, 10));
      return reply(ctx, wait_for(param(query, "key"), bound) ? "signalled" : "timed out");
    }
    if (url == "/signal") {
      {
        std::lock_guard<std::mutex> lock(g_mu);
        g_signalled[param(query, "key")] = true;
      }
      g_cv.notify_all();
      return reply(ctx, "ok");
    }
    if (url == "/barrier") {
      int n = atoi(param(query, "n").c_str());
      std::unique_lock<std::mutex> lock(g_mu);
      ++g_inside_barrier;
      g_cv.notify_all();
      bool together =
          g_cv.wait_for(lock, std::chrono::seconds(20), [&] { return g_inside_barrier >= n; });
      lock.unlock();
      return reply(ctx, together ? "together" : "alone");
    }
    if (url == "/read") return read_body(ctx, query);
    if (url == "/incthread") {
      g_server->IncrementThreadCount();
      bool ok = wait_for(param(query, "key"), 20000);
      g_server->DecrementThreadCount();
      return reply(ctx, ok ? "signalled" : "timed out");
    }
    if (url == "/syncwrite") return sync_write(ctx, query);
    return RQ_NOTIFICATION_CONTINUE;  // the static files
  }
  VOID Dispose() override { delete this; }

 private:
  // The loop Microsoft documents for IHttpRequest::ReadEntityBody, synchronous.
  REQUEST_NOTIFICATION_STATUS read_body(IHttpContext* ctx, const std::string& query) {
    IHttpRequest* req = ctx->GetRequest();
    std::string b = param(query, "buf");
    DWORD size = b.empty() ? 4096 : static_cast<DWORD>(strtoul(b.c_str(), nullptr, 10));
    std::vector<char> buffer(size);
    DWORD remaining = req->GetRemainingEntityBytes();
    unsigned long long total = 0;
    unsigned sum = 0;
    HRESULT hr = S_OK;
    for (;;) {
      DWORD got = 0;
      hr = req->ReadEntityBody(buffer.data(), size, FALSE, &got, NULL);
      if (FAILED(hr)) break;
      for (DWORD i = 0; i < got; ++i)
        sum += static_cast<unsigned char>(buffer[i]);
      total += got;
    }
    if (hr == HRESULT_FROM_WIN32(ERROR_HANDLE_EOF)) hr = S_OK;
    return reply(ctx, "remaining=" + std::to_string(remaining) + " bytes=" + std::to_string(total) +
                          " sum=" + std::to_string(sum) + " hr=" + hr_text(hr));
  }

  REQUEST_NOTIFICATION_STATUS sync_write(IHttpContext* ctx, const std::string& query) {
    IHttpResponse* r = ctx->GetResponse();
    unsigned long n = strtoul(param(query, "n").c_str(), nullptr, 10);
    size_t size = strtoul(param(query, "size").c_str(), nullptr, 10);
    r->DisableBuffering();
    std::string block(size, '0');
    for (unsigned long i = 0; i < n; ++i) {
      block.assign(size, static_cast<char>('0' + i % 10));
      HTTP_DATA_CHUNK c{};
      c.DataChunkType = HttpDataChunkFromMemory;
      c.FromMemory.pBuffer = block.data();
      c.FromMemory.BufferLength = static_cast<ULONG>(block.size());
      DWORD sent = 0;
      HRESULT hr = r->WriteEntityChunks(&c, 1, FALSE, i + 1 < n, &sent);
      if (FAILED(hr)) {
        httpserv::log_printf(HTTPSERV_LOG_WARNING, "blocking", "write %lu failed hr=%s", i + 1,
                             hr_text(hr).c_str());
        break;
      }
      // Written by reference while the call waited: the block is reused at once.
    }
    return RQ_NOTIFICATION_FINISH_REQUEST;
  }
};

class Factory final : public IHttpModuleFactory {
 public:
  HRESULT GetHttpModule(CHttpModule** module, IModuleAllocator*) override {
    *module = new (std::nothrow) Blocking();
    return *module != nullptr ? S_OK : E_OUTOFMEMORY;
  }
  VOID Terminate() override { delete this; }
};

}  // namespace

HRESULT __stdcall RegisterModule(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer* server) {
  g_server = server;
  return info->SetRequestNotifications(new Factory(), RQ_EXECUTE_REQUEST_HANDLER, 0);
}
