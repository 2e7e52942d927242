// Test-only handler module for the response-body tests that need the server's shared state:
// the fragment cache (IHttpServer) and the output backlog (large synchronous writes).
// tests/integration/test_response_engine.py drives it.
//
//   /frag?op=add&name=N&data=TEXT       AddFragmentToCache (memory); body "hr=0x........"
//   /frag?op=read&name=N&cb=K           ReadFragmentFromCache into a K-byte buffer;
//                                       body "hr=0x........ copied=C data=..."
//   /frag?op=remove&name=N              RemoveFragmentFromCache; body "hr=0x........"
//   /frag?op=send&name=N[&ex=S,L][&unbuffered=1][&repeat=R]
//                                       writes "[" + fragment chunk (FromFragmentCache, or
//                                       FromFragmentCacheEx with range S,L; L=eof for TO_EOF)
//                                       × R + "]"; a failed write answers 500 with "hr=0x..."
//   /raw                                SuppressHeaders, then the module writes its own status
//                                       line and headers as the body: "HTTP/1.1 299 Raw ..."
//   /segv                               crashes the process with SIGSEGV (the default action:
//                                       a sanitizer's handler is removed first)
//   /bulk?size=S&count=N[&unbuffered=1] N synchronous writes of S bytes (byte i of the body
//                                       is 'a' + i % 26) from one notification; the first
//                                       failure is logged as "bulk: write I of N failed
//                                       hr=0x........" and ends the response there
//
// Names and data are taken literally from the query (no percent-decoding; tests use
// [A-Za-z0-9/_-] only).
#include <httpserv.h>
#include <httpserv_log.h>

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cwchar>
#include <new>
#include <string>
#include <vector>

namespace {

IHttpServer* g_server = nullptr;

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

std::wstring widen(const std::string& s) {
  return std::wstring(s.begin(), s.end());  // ASCII only (see the header comment)
}

std::string hr_text(HRESULT hr) {
  char buf[16];
  snprintf(buf, sizeof(buf), "0x%08X", static_cast<unsigned>(hr));
  return buf;
}

HTTP_DATA_CHUNK memory(const void* p, size_t n) {
  HTTP_DATA_CHUNK c{};
  c.DataChunkType = HttpDataChunkFromMemory;
  c.FromMemory.pBuffer = const_cast<void*>(p);
  c.FromMemory.BufferLength = static_cast<ULONG>(n);
  return c;
}

class BodyLoad final : public CHttpModule {
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
    IHttpResponse* r = ctx->GetResponse();
    r->SetHeader("Content-Type", "text/plain", 10, TRUE);
    if (url == "/bulk") return bulk(ctx, query);
    if (url == "/segv") {
      signal(SIGSEGV, SIG_DFL);
      raise(SIGSEGV);
    }
    if (url == "/raw") {
      r->SuppressHeaders();
      return reply(ctx, "HTTP/1.1 299 Raw\r\nX-Raw: yes\r\nContent-Length: 2\r\n\r\nok");
    }
    std::string op = param(query, "op");
    std::wstring name = widen(param(query, "name"));
    if (op == "add") {
      std::string data = param(query, "data");
      HTTP_DATA_CHUNK c = memory(data.data(), data.size());
      return reply(ctx, "hr=" + hr_text(g_server->AddFragmentToCache(&c, name.c_str())));
    }
    if (op == "read") {
      DWORD cb = static_cast<DWORD>(strtoul(param(query, "cb").c_str(), nullptr, 10));
      std::vector<BYTE> buf(cb + 1, '#');
      DWORD copied = 0;
      HRESULT hr =
          g_server->ReadFragmentFromCache(name.c_str(), cb ? buf.data() : nullptr, cb, &copied);
      std::string data = SUCCEEDED(hr) ? std::string(buf.begin(), buf.begin() + copied) : "";
      return reply(ctx,
                   "hr=" + hr_text(hr) + " copied=" + std::to_string(copied) + " data=" + data);
    }
    if (op == "remove") {
      return reply(ctx, "hr=" + hr_text(g_server->RemoveFragmentFromCache(name.c_str())));
    }
    if (op == "send") return send_fragment(ctx, query, name);
    // fTrySkipCustomErrors: the body is the test's answer, which IIS's custom errors (on by
    // default) would otherwise replace with an error page.
    r->SetStatus(400, "Bad Request", 0, S_OK, nullptr, TRUE);
    return reply(ctx, "unknown op");
  }

 private:
  REQUEST_NOTIFICATION_STATUS reply(IHttpContext* ctx, const std::string& text) {
    HTTP_DATA_CHUNK c = memory(text.data(), text.size());
    DWORD sent = 0;
    ctx->GetResponse()->WriteEntityChunks(&c, 1, FALSE, FALSE, &sent);  // buffered: copied
    return RQ_NOTIFICATION_FINISH_REQUEST;
  }

  REQUEST_NOTIFICATION_STATUS send_fragment(IHttpContext* ctx, const std::string& query,
                                            const std::wstring& name) {
    IHttpResponse* r = ctx->GetResponse();
    if (param(query, "unbuffered") == "1") r->DisableBuffering();
    int repeat = std::max(1, atoi(param(query, "repeat").c_str()));
    std::string ex = param(query, "ex");
    // The name lives in request memory: for unbuffered sync writes it must outlast the call
    // only, but request memory is the documented safe choice.
    size_t bytes = (name.size() + 1) * sizeof(WCHAR);
    auto* stored = static_cast<WCHAR*>(ctx->AllocateRequestMemory(static_cast<DWORD>(bytes)));
    if (stored == nullptr) return RQ_NOTIFICATION_FINISH_REQUEST;
    wmemcpy(stored, name.c_str(), name.size() + 1);
    std::vector<HTTP_DATA_CHUNK> chunks;
    chunks.push_back(memory("[", 1));
    for (int i = 0; i < repeat; ++i) {
      HTTP_DATA_CHUNK f{};
      if (ex.empty()) {
        f.DataChunkType = HttpDataChunkFromFragmentCache;
        f.FromFragmentCache.pFragmentName = stored;
        f.FromFragmentCache.FragmentNameLength = static_cast<USHORT>(name.size() * sizeof(WCHAR));
      } else {
        f.DataChunkType = HttpDataChunkFromFragmentCacheEx;
        f.FromFragmentCacheEx.pFragmentName = stored;
        size_t comma = ex.find(',');
        f.FromFragmentCacheEx.ByteRange.StartingOffset.QuadPart = strtoull(ex.c_str(), nullptr, 10);
        std::string len = comma == std::string::npos ? "eof" : ex.substr(comma + 1);
        f.FromFragmentCacheEx.ByteRange.Length.QuadPart =
            len == "eof" ? HTTP_BYTE_RANGE_TO_EOF : strtoull(len.c_str(), nullptr, 10);
      }
      chunks.push_back(f);
    }
    chunks.push_back(memory("]", 1));
    DWORD sent = 0;
    HRESULT hr =
        r->WriteEntityChunks(chunks.data(), static_cast<DWORD>(chunks.size()), FALSE, FALSE, &sent);
    if (FAILED(hr)) {
      r->SetStatus(500, "Internal Server Error", 0, S_OK, nullptr, TRUE);  // (see above)
      return reply(ctx, "hr=" + hr_text(hr));
    }
    return RQ_NOTIFICATION_FINISH_REQUEST;
  }

  REQUEST_NOTIFICATION_STATUS bulk(IHttpContext* ctx, const std::string& query) {
    IHttpResponse* r = ctx->GetResponse();
    size_t size = strtoul(param(query, "size").c_str(), nullptr, 10);
    unsigned long count = strtoul(param(query, "count").c_str(), nullptr, 10);
    if (size == 0 || size > (64u << 20)) {
      r->SetStatus(400, "Bad Request", 0, S_OK, nullptr, TRUE);  // (see above)
      return reply(ctx, "size out of range");
    }
    if (param(query, "unbuffered") == "1") r->DisableBuffering();
    std::string block(size, '\0');
    unsigned long long offset = 0;
    for (unsigned long i = 0; i < count; ++i) {
      for (size_t k = 0; k < size; ++k)
        block[k] = static_cast<char>('a' + (offset + k) % 26);
      HTTP_DATA_CHUNK c = memory(block.data(), block.size());
      DWORD sent = 0;
      HRESULT hr = r->WriteEntityChunks(&c, 1, FALSE, i + 1 < count, &sent);
      if (FAILED(hr)) {
        httpserv::log_printf(HTTPSERV_LOG_WARNING, "bodyload",
                             "bulk: write %lu of %lu failed hr=%s", i + 1, count,
                             hr_text(hr).c_str());
        // End what was sent so far; an incomplete body under a computed framing is reset.
        r->Flush(FALSE, FALSE, &sent);
        break;
      }
      offset += size;
    }
    return RQ_NOTIFICATION_FINISH_REQUEST;
  }
};

class Factory final : public IHttpModuleFactory {
 public:
  HRESULT GetHttpModule(CHttpModule** m, IModuleAllocator*) override {
    *m = new (std::nothrow) BodyLoad;
    return *m ? S_OK : E_OUTOFMEMORY;
  }
  VOID Terminate() override { delete this; }
};

}  // namespace

HRESULT __stdcall RegisterModule(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer* server) {
  g_server = server;
  return info->SetRequestNotifications(new Factory, RQ_EXECUTE_REQUEST_HANDLER, 0);
}
