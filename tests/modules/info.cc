// Test-only module: IHttpFileInfo, IHttpUrlInfo and IHttpCachePolicy as modules use them.
// tests/integration/test_info.py drives it. The query string picks what it reports:
//
//   ?file          GetFileInfo() for the request's own file: "size=.. attr=0x.. etag=.. lm=..
//                  handle=<first 5 bytes read through the handle> buffer=<first 5 bytes or
//                  (null)> ft=<FILETIME as seconds since 1970> changed=0|1 path=..."
//   ?file-early    GetFileInfo() from OnBeginRequest: "early=null|set"
//   ?server=PATH   IHttpServer::GetFileInfo(PATH): "hr=0x.. size=.."
//   ?url           GetUrlInfo(): "frequent=0|1 stored=N" (N: requests of this URL that found
//                  the module's context stored on the URL before them)
//   ?cache         GetCachePolicy(): sets and reads back the user policy and vary lists
//   ?scriptmap     GetScriptMap() in OnPostMapRequestHandler: "name=.. path=.. verbs=..
//                  modules=.. processor=..(cch) type=.. access=N resource=N star=0|1
//                  limit=N pathinfo=0|1 early=null|set" (early: GetScriptMap in OnBeginRequest)
// Anything else falls through to the static files.
#include <httpserv.h>
#include <windows.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

IHttpServer* g_server = nullptr;
HTTP_MODULE_ID g_id = nullptr;

std::string hr_text(HRESULT hr) {
  char buf[16];
  snprintf(buf, sizeof(buf), "0x%08X", static_cast<unsigned>(hr));
  return buf;
}

std::string narrow(PCWSTR w) {
  std::string s;
  for (; w != nullptr && *w != 0; ++w)
    s += static_cast<char>(*w);
  return s;
}

// Counts the requests that found it stored on their URL.
class UrlCounter final : public IHttpStoredContext {
 public:
  VOID CleanupStoredContext() override { delete this; }
  int seen = 0;
};

REQUEST_NOTIFICATION_STATUS reply(IHttpContext* ctx, const std::string& text) {
  IHttpResponse* r = ctx->GetResponse();
  r->Clear();
  r->SetHeader("Content-Type", "text/plain", 10, TRUE);
  HTTP_DATA_CHUNK c{};
  c.DataChunkType = HttpDataChunkFromMemory;
  c.FromMemory.pBuffer = const_cast<char*>(text.data());
  c.FromMemory.BufferLength = static_cast<ULONG>(text.size());
  DWORD sent = 0;
  r->WriteEntityChunks(&c, 1, FALSE, FALSE, &sent);
  return RQ_NOTIFICATION_FINISH_REQUEST;
}

std::string query_of(IHttpContext* ctx) {
  PCSTR q = nullptr;
  DWORD cch = 0;
  if (FAILED(ctx->GetServerVariable("QUERY_STRING", &q, &cch)) || q == nullptr) return "";
  return std::string(q, cch);
}

class Info final : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS OnBeginRequest(IHttpContext* ctx, IHttpEventProvider*) override {
    if (query_of(ctx) == "file-early") early_ = ctx->GetFileInfo() == nullptr ? "null" : "set";
    if (query_of(ctx) == "scriptmap") early_ = ctx->GetScriptMap() == nullptr ? "null" : "set";
    return RQ_NOTIFICATION_CONTINUE;
  }

  REQUEST_NOTIFICATION_STATUS OnPostMapRequestHandler(IHttpContext* ctx,
                                                      IHttpEventProvider*) override {
    if (query_of(ctx) != "scriptmap") return RQ_NOTIFICATION_CONTINUE;
    IScriptMapInfo* m = ctx->GetScriptMap();
    if (m == nullptr) return reply(ctx, "no script map");
    DWORD cch_modules = 0, cch_processor = 0, cch_type = 0;
    PCWSTR modules = m->GetModules(&cch_modules);
    PCWSTR processor = m->GetScriptProcessor(&cch_processor);
    PCWSTR type = m->GetManagedType(&cch_type);
    std::string out = "name=" + narrow(m->GetName()) + " path=" + narrow(m->GetPath()) +
                      " verbs=" + m->GetAllowedVerbs() + " modules=" + narrow(modules) + "(" +
                      std::to_string(cch_modules) + ") processor=" + narrow(processor) + "(" +
                      std::to_string(cch_processor) + ") type=" + narrow(type) + "(" +
                      std::to_string(cch_type) +
                      ") access=" + std::to_string(m->GetRequiredAccess()) +
                      " resource=" + std::to_string(m->GetResourceType()) +
                      " star=" + std::to_string(m->GetIsStarScriptMap()) +
                      " limit=" + std::to_string(m->GetResponseBufferLimit()) +
                      " pathinfo=" + std::to_string(m->GetAllowPathInfoForScriptMappings()) +
                      " early=" + early_ + " same=" + std::to_string(m == ctx->GetScriptMap());
    return reply(ctx, out);
  }

  REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext* ctx,
                                                      IHttpEventProvider*) override {
    std::string q = query_of(ctx);
    if (q == "file") return file(ctx);
    if (q == "file-early") return reply(ctx, "early=" + early_);
    if (q.rfind("server=", 0) == 0) {
      std::string path = q.substr(7);
      std::wstring wpath(path.begin(), path.end());
      IHttpFileInfo* info = nullptr;
      HRESULT hr = g_server->GetFileInfo(wpath.c_str(), NULL, NULL, NULL, NULL, TRUE, &info);
      std::string out = "hr=" + hr_text(hr);
      if (SUCCEEDED(hr) && info != nullptr) {
        ULARGE_INTEGER size{};
        info->GetSize(&size);
        out += " size=" + std::to_string(size.QuadPart);
        info->DereferenceCacheData();
      }
      return reply(ctx, out);
    }
    if (q == "url") {
      IHttpUrlInfo* url = ctx->GetUrlInfo();
      if (url == nullptr) return reply(ctx, "no url info");
      IHttpModuleContextContainer* c = url->GetModuleContextContainer();
      auto* counter = static_cast<UrlCounter*>(c->GetModuleContext(g_id));
      int stored = 0;
      if (counter == nullptr) {
        counter = new UrlCounter();
        if (FAILED(c->SetModuleContext(counter, g_id))) {
          delete counter;
          counter = static_cast<UrlCounter*>(c->GetModuleContext(g_id));
        }
      } else {
        stored = ++counter->seen;
      }
      return reply(ctx, "frequent=" + std::to_string(url->IsFrequentlyHit()) +
                            " stored=" + std::to_string(stored));
    }
    if (q == "cache") {
      IHttpCachePolicy* p = ctx->GetResponse()->GetCachePolicy();
      std::string out = "initial=" + std::to_string(p->GetUserCachePolicy()->Policy);
      p->GetUserCachePolicy()->Policy = HttpCachePolicyTimeToLive;
      p->GetUserCachePolicy()->SecondsToLive = 60;
      p->AppendVaryByHeader("Accept-Language");
      p->AppendVaryByHeader("User-Agent");
      p->AppendVaryByHeader(NULL);
      HRESULT bad = p->AppendVaryByQueryString("a,b");
      p->AppendVaryByQueryString("page");
      HRESULT null_value = p->SetVaryByValue(NULL);
      p->DisableUserCache();
      auto* p2 = static_cast<IHttpCachePolicy2*>(p);
      p2->SetForceUpdate();
      IHttpCachePolicy* again = ctx->GetResponse()->GetCachePolicy();
      out += " policy=" + std::to_string(again->GetUserCachePolicy()->Policy) + "/" +
             std::to_string(again->GetUserCachePolicy()->SecondsToLive) +
             " headers=" + again->GetVaryByHeaders() + " query=" + again->GetVaryByQueryStrings() +
             " comma=" + hr_text(bad) + " nullvalue=" + hr_text(null_value) +
             " user=" + std::to_string(again->IsUserCacheEnabled()) +
             " force=" + std::to_string(p2->IsForceUpdateSet()) +
             " kernel=" + std::to_string(again->GetKernelCachePolicy()->Policy);
      return reply(ctx, out);
    }
    return RQ_NOTIFICATION_CONTINUE;
  }
  VOID Dispose() override { delete this; }

 private:
  REQUEST_NOTIFICATION_STATUS file(IHttpContext* ctx) {
    IHttpFileInfo* f = ctx->GetFileInfo();
    if (f == nullptr) return reply(ctx, "no file info");
    ULARGE_INTEGER size{};
    f->GetSize(&size);
    USHORT cch = 0;
    PCSTR etag = f->GetETag(&cch);
    char handle_bytes[6] = {};
    int fd = static_cast<int>(reinterpret_cast<intptr_t>(f->GetFileHandle()));
    ssize_t n = pread(fd, handle_bytes, 5, 0);
    const BYTE* buffer = f->GetFileBuffer();
    FILETIME ft{};
    f->GetLastModifiedTime(&ft);
    ULONGLONG t = (static_cast<ULONGLONG>(ft.dwHighDateTime) << 32) | ft.dwLowDateTime;
    char attr[16];
    snprintf(attr, sizeof(attr), "0x%02X", static_cast<unsigned>(f->GetAttributes()));
    DWORD ttl = 0;
    BOOL allowed = f->GetHttpCacheAllowed(&ttl);
    std::string out =
        "size=" + std::to_string(size.QuadPart) + " attr=" + attr +
        " etag=" + std::string(etag, cch) + " etaglen=" + std::to_string(cch) +
        " lm=" + f->GetLastModifiedString() +
        " handle=" + std::string(handle_bytes, n > 0 ? static_cast<size_t>(n) : 0) +
        " buffer=" + (buffer ? std::string(reinterpret_cast<const char*>(buffer), 5) : "(null)") +
        " ft=" + std::to_string((t - 116444736000000000ull) / 10000000ull) +
        " changed=" + std::to_string(f->CheckIfFileHasChanged(NULL)) +
        " cache=" + std::to_string(allowed) + "/" + std::to_string(ttl) +
        " access=" + hr_text(f->AccessCheck(NULL, NULL)) + " path=" + narrow(f->GetFilePath());
    return reply(ctx, out);
  }

  std::string early_;
};

class Factory final : public IHttpModuleFactory {
 public:
  HRESULT GetHttpModule(CHttpModule** module, IModuleAllocator*) override {
    *module = new (std::nothrow) Info();
    return *module != nullptr ? S_OK : E_OUTOFMEMORY;
  }
  VOID Terminate() override { delete this; }
};

}  // namespace

HRESULT __stdcall RegisterModule(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer* server) {
  g_server = server;
  g_id = info->GetId();
  return info->SetRequestNotifications(new Factory(), RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER,
                                       RQ_MAP_REQUEST_HANDLER);
}
